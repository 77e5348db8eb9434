"""Matcher: requests from accelerators and GPU counts → placements on recorded machines."""

from __future__ import annotations

from functools import cache

import pytest

import podplan.accelerators as acc
from podplan.accelerators.local import detect, match, request_for
from podplan.accelerators.local.match import GpuRequest, gpu_count
from podplan.accelerators.local.model import Inventory
from podplan.testing import FakeNVML


@cache
def inventory(profile: str) -> Inventory:
    return detect(FakeNVML(profile), environ={})


A100_1G = acc.A100.partition_1g_5gb
A100_2G = acc.A100.partition_2g_10gb
A100_3G = acc.A100.partition_3g_20gb
A100_7G = acc.A100.partition_7g_40gb

# (profile, accelerator, gpu count, level, placed on: "mig:<gpu>/<slot>" or "gpu:<i>,<j>" or "")
VECTORS = [
    ("dgx-a100-mig", A100_1G, 1, "exact", "mig:0/0"),
    ("dgx-a100-mig", A100_3G, 1, "exact", "mig:1/0"),
    ("dgx-a100-mig", A100_2G, 1, "exact", "mig:1/3"),
    ("dgx-a100-mig", A100_7G, 1, "substitute", "gpu:2"),  # whole A100 stands in for 7g.40gb
    ("dgx-a100-mig", acc.A100, 1, "exact", "gpu:2"),  # MIG-enabled GPUs 0, 1 never handed out whole
    ("dgx-a100-mig", acc.A100, 6, "exact", "gpu:2,3,4,5,6,7"),
    ("dgx-a100-mig", acc.A100, 7, "none", ""),
    ("dgx-a100-mig", A100_1G, 2, "none", ""),  # refused: one MIG device per process
    ("dgx-a100-mig", acc.A100_80GB, 1, "none", ""),  # less memory than requested
    ("dgx-a100-mig", acc.T4, 1, "substitute", "gpu:2"),
    ("dgx-a100-mig", None, 2, "exact", "gpu:2,3"),
    ("dgx-a100-mig", acc.V5E, 1, "none", ""),
    ("h100-sxm", acc.H100, 8, "exact", "gpu:0,1,2,3,4,5,6,7"),
    ("h100-sxm", "nvidia-h100-80gb", 1, "exact", "gpu:0"),  # GKE label value resolves to H100
    ("h100-sxm", "nvidia-h100-mega-80gb", 1, "exact", "gpu:0"),  # GKE A3 Mega label
    ("h100-sxm", "nvidia-h100-custom", 1, "compatible", "gpu:0"),  # uncatalogued, same family
    ("h100-sxm", acc.A100, 1, "substitute", "gpu:0"),
    ("h100-sxm", acc.H200, 1, "none", ""),
    ("h200-mig", acc.MultiInstanceGPUAccelerator("nvidia-h200", "3g.71gb"), 1, "exact", "mig:0/0"),
    ("h200-mig", acc.MultiInstanceGPUAccelerator("nvidia-h200", "1g.18gb"), 1, "exact", "mig:0/2"),
    (
        "h200-mig",
        acc.MultiInstanceGPUAccelerator("nvidia-h200", "1g.35gb"),
        1,
        "compatible",
        "mig:0/1",
    ),  # 2g.35gb is larger
    ("h200-mig", acc.MultiInstanceGPUAccelerator("nvidia-h200", "7g.141gb"), 1, "substitute", "gpu:1"),
    ("h200-mig", acc.H200, 1, "exact", "gpu:1"),
    ("h200-mig", acc.H200, 2, "none", ""),  # GPU 0 is in MIG mode
    ("h200-mig", A100_1G, 1, "substitute", "mig:0/2"),  # smallest slice with enough memory
    ("l4-workstation", acc.L4, 2, "exact", "gpu:0,1"),
    ("l4-workstation", A100_1G, 1, "substitute", "gpu:0"),
    ("l4-workstation", A100_7G, 1, "none", ""),
    ("l4-workstation", acc.A100, 1, "none", ""),
    ("t4", acc.T4, 1, "exact", "gpu:0"),
    ("t4", acc.T4, 2, "none", ""),
    ("rtx4090", None, 1, "exact", "gpu:0"),
    ("legacy-mig-driver", A100_3G, 1, "exact", "mig:0/0"),
    ("legacy-mig-driver", A100_1G, 1, "compatible", "mig:0/0"),
    ("no-permission", acc.A10G, 3, "exact", "gpu:0,1,3"),
    ("no-permission", acc.A10G, 4, "none", ""),
    ("no-driver", acc.T4, 1, "none", ""),
    ("driver-not-loaded", None, 1, "none", ""),
]


def _expected_cvd(inv: Inventory, where: str) -> str:
    if not where:
        return ""
    kind, _, spec = where.partition(":")
    by_index = {g.index: g for g in inv.devices}
    if kind == "mig":
        gpu, slot = (int(x) for x in spec.split("/"))
        return next(m.cuda_id for m in by_index[gpu].mig if m.index == slot)
    return ",".join(by_index[int(i)].uuid for i in spec.split(","))


@pytest.mark.parametrize(("profile", "accelerator", "count", "level", "where"), VECTORS)
def test_placement(profile: str, accelerator: object, count: int, level: str, where: str) -> None:
    inv = inventory(profile)
    placement = match(request_for(accelerator, count), inv)
    assert placement.level == level, placement.message
    assert placement.cuda_visible_devices == _expected_cvd(inv, where)
    assert placement.message
    if placement.placed:
        assert placement.env() == {
            "CUDA_VISIBLE_DEVICES": placement.cuda_visible_devices,
            "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
        }
        assert not (placement.mig and "," in placement.cuda_visible_devices)  # never mixed lists
    else:
        assert placement.env() == {}


def test_none_message_lists_requested_and_found() -> None:
    placement = match(request_for(A100_1G, 1), inventory("t4"))
    assert placement.level == "none" or placement.level == "substitute"
    refused = match(request_for(acc.A100, 1), inventory("l4-workstation"))
    assert "requested nvidia-tesla-a100 x1" in refused.message
    assert "GPU 0 NVIDIA L4" in refused.message
    assert "no MIG-enabled GPUs" in refused.message


def test_multi_slice_refusal_says_why() -> None:
    placement = match(request_for(A100_1G, 2), inventory("dgx-a100-mig"))
    assert "one MIG device" in placement.message and "asks for 2" in placement.message


def test_fault_profile_message_carries_the_reason() -> None:
    placement = match(request_for(acc.T4, 1), inventory("driver-not-loaded"))
    assert "kernel module is not loaded" in placement.message


def test_substitute_for_slice_sets_gpu_memory_limit() -> None:
    placement = match(request_for(A100_1G, 1), inventory("l4-workstation"))
    assert placement.gpu_memory_limit_bytes == 5 << 30
    assert "SM share is not emulated" in placement.message


def test_no_gpu_needed() -> None:
    assert request_for(None, 0) is None
    assert request_for(None, None) is None
    assert match(None, inventory("t4")).level == "none"


def test_accelerator_without_count_assumes_one() -> None:
    req = request_for(acc.T4, None)
    assert req is not None and req.count == 1 and "assuming 1 GPU" in req.note


def test_request_fields() -> None:
    req = request_for(A100_1G, 1)
    assert req == GpuRequest(
        count=1,
        device="nvidia-tesla-a100",
        partition="1g.5gb",
        model="A100",
        family="A100",
        memory_bytes=40 << 30,
    )
    assert request_for(acc.V5P, 4).kind == "tpu"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "count"),
    [(None, 0), (0, 0), (2, 2), ("3", 3), ((1, 2), 2), ([1, 1], 1), (1.0, 1)],
)
def test_gpu_count(value: object, count: int) -> None:
    assert gpu_count(value) == count


def test_gpu_count_rejects_bool() -> None:
    with pytest.raises(TypeError):
        gpu_count(True)
