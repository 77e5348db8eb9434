"""detect() over every recorded profile: statuses, canonical models, MIG names, faults, CVD."""

from __future__ import annotations

import pynvml
import pytest

from podplan.accelerators.local import detect
from podplan.accelerators.local.detect import normalize_bus_id
from podplan.accelerators.local.dump import dump_profile
from podplan.accelerators.local.model import STATUSES
from podplan.testing import FakeNVML, profile_names

# profile -> (status, number of GPUs, catalog model of GPU 0, MIG profiles of GPU 0)
EXPECTED = {
    "dgx-a100-mig": ("ok", 8, "A100", ["1g.5gb"] * 7),
    "h100-sxm": ("ok", 8, "H100", []),
    "h200-mig": ("ok", 2, "H200", ["3g.71gb", "2g.35gb", "1g.18gb", "1g.18gb"]),
    "l4-workstation": ("ok", 2, "L4", []),
    "t4": ("ok", 1, "T4", []),
    "rtx4090": ("ok", 1, "RTX_4090", []),
    "legacy-mig-driver": ("ok", 2, "A100", ["3g.20gb", "3g.20gb"]),
    "no-driver": ("no-driver", 0, None, None),
    "driver-not-loaded": ("driver-not-loaded", 0, None, None),
    "no-permission": ("no-permission", 3, "A10G", []),
}


def test_expectations_cover_every_builtin_profile() -> None:
    assert sorted(EXPECTED) == profile_names()


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_detect_profile(profile: str) -> None:
    fake = FakeNVML(profile)
    inv = detect(fake, environ={})
    status, count, model, migs = EXPECTED[profile]
    assert inv.status == status
    assert inv.status in STATUSES
    assert inv.reason
    assert len(inv.devices) == count
    if count:
        assert inv.devices[0].model == model
        assert [m.profile for m in inv.devices[0].mig] == migs
    assert not fake.initialized  # NVML always shut down (or never initialised)
    assert fake.init_count == fake.shutdown_count


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        ("no-driver", ["libnvidia-ml.so.1", "no NVIDIA driver"]),
        ("driver-not-loaded", ["kernel module is not loaded"]),
        ("no-permission", ["no permission to open GPU 2", "3 of 4 GPUs usable"]),
    ],
)
def test_fault_profiles_say_why(profile: str, words: list[str]) -> None:
    inv = detect(FakeNVML(profile), environ={})
    for word in words:
        assert word in inv.reason


def test_dgx_sparse_slots_and_compute_instances() -> None:
    gpu1 = detect(FakeNVML("dgx-a100-mig"), environ={}).devices[1]
    assert [(m.index, m.profile) for m in gpu1.mig] == [
        (0, "3g.20gb"),
        (3, "2g.10gb"),
        (5, "1c.2g.10gb"),
        (6, "1c.2g.10gb"),
    ]
    assert [(m.gpu_instance_id, m.compute_instance_id) for m in gpu1.mig] == [(2, 0), (3, 0), (4, 0), (4, 1)]
    assert gpu1.mig[0].memory_bytes == 19968 << 20


def test_dgx_device_details() -> None:
    inv = detect(FakeNVML("dgx-a100-mig"), environ={})
    gpu0 = inv.devices[0]
    assert gpu0.pci_bus_id == "0000:07:00.0"
    assert gpu0.compute_capability == (8, 0)
    assert gpu0.device == "nvidia-tesla-a100"
    assert gpu0.mig_enabled and gpu0.uuid.startswith("GPU-")
    assert all(m.uuid.startswith("MIG-") and m.cuda_id == m.uuid for m in gpu0.mig)
    gpu2 = inv.devices[2]
    assert not gpu2.mig_enabled and gpu2.mig_pending
    assert any("pending" in d for d in inv.diagnostics)
    assert inv.driver_version == "550.54.15" and inv.cuda_driver_version == 12040


def test_legacy_driver_falls_back_to_name_and_v1_memory() -> None:
    inv = detect(FakeNVML("legacy-mig-driver"), environ={})
    gpu0 = inv.devices[0]
    assert gpu0.name == "A100-SXM4-40GB"
    assert gpu0.memory_bytes == 40536 << 20
    first = gpu0.mig[0]
    assert first.uuid == f"MIG-{gpu0.uuid}/1/0"  # MIG-<GPU-UUID>/<GI>/<CI>, GI before CI
    assert first.cuda_id == first.uuid
    assert first.profile == "3g.20gb"  # parsed from "A100-SXM4-40GB MIG 3g.20gb"
    assert first.memory_bytes == 19968 << 20


def test_legacy_ids_are_built_for_old_drivers_reporting_new_uuids() -> None:
    profile = FakeNVML("dgx-a100-mig").profile
    profile["driver_version"] = "460.91.03"
    gpu0 = detect(FakeNVML(profile), environ={}).devices[0]
    assert gpu0.mig[0].cuda_id == f"MIG-{gpu0.uuid}/7/0"
    assert gpu0.mig[0].uuid.startswith("MIG-") and not gpu0.mig[0].uuid.startswith("MIG-GPU-")


def test_per_device_failure_skips_that_device_only() -> None:
    fake = FakeNVML("h100-sxm").fail("nvmlDeviceGetName", "GpuIsLost", device=3)
    inv = detect(fake, environ={})
    assert inv.status == "ok"
    assert [g.index for g in inv.devices] == [0, 1, 2, 4, 5, 6, 7]
    assert any("GPU 3" in d and "GpuIsLost" in d for d in inv.diagnostics)


def test_every_device_failing_is_an_error_status() -> None:
    inv = detect(FakeNVML("t4").fail("nvmlDeviceGetUUID", "Unknown"), environ={})
    assert inv.status == "error" and "NVMLError_Unknown" in inv.reason


def test_count_failure_is_an_error_and_nvml_is_shut_down() -> None:
    fake = FakeNVML("t4").fail("nvmlDeviceGetCount", "Unknown")
    inv = detect(fake, environ={})
    assert inv.status == "error"
    assert not fake.initialized


def test_init_mismatch_and_unknown_are_errors() -> None:
    for err in ("LibRmVersionMismatch", "Unknown"):
        profile = {"init_error": err, "devices": []}
        inv = detect(FakeNVML(profile), environ={})
        assert inv.status == "error"
        assert inv.reason


def test_init_no_permission() -> None:
    inv = detect(FakeNVML({"init_error": "NoPermission", "devices": []}), environ={})
    assert inv.status == "no-permission"


def test_memory_not_supported_is_reported_not_raised() -> None:
    fake = FakeNVML("t4").fail("nvmlDeviceGetMemoryInfo", "NotSupported")
    inv = detect(fake, environ={})
    assert inv.devices[0].memory_bytes == 0
    assert any("memory not available" in d for d in inv.diagnostics)


def test_utilisation_or_mig_errors_in_one_slot_do_not_break_detection() -> None:
    fake = FakeNVML("h200-mig").fail("nvmlDeviceGetMigDeviceHandleByIndex", "Unknown", times=1)
    inv = detect(fake, environ={})
    assert len(inv.devices[0].mig) == 3
    assert any("MIG slot 0" in d for d in inv.diagnostics)


def test_real_pynvml_never_raises() -> None:
    inv = detect(pynvml, environ={})
    assert inv.status in STATUSES
    assert inv.reason


def test_missing_bindings_is_an_error_status(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pynvml", None)
    monkeypatch.delenv("PODPLAN_FAKE_NVML", raising=False)
    inv = detect(environ={})
    assert inv.status == "error" and "nvidia-ml-py" in inv.reason


def test_env_var_selects_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODPLAN_FAKE_NVML", "h200-mig")
    inv = detect(environ={})
    assert inv.devices[0].name == "NVIDIA H200"


# --- CUDA_VISIBLE_DEVICES ----------------------------------------------------------------------


def test_inherited_cuda_visible_devices_by_index() -> None:
    inv = detect(FakeNVML("h100-sxm"), environ={"CUDA_VISIBLE_DEVICES": "3,5"})
    assert [g.index for g in inv.devices] == [3, 5]
    assert any("hides 6 of 8" in d for d in inv.diagnostics)


def test_inherited_cuda_visible_devices_by_mig_uuid() -> None:
    full = detect(FakeNVML("dgx-a100-mig"), environ={})
    target = full.devices[1].mig[1]
    inv = detect(FakeNVML("dgx-a100-mig"), environ={"CUDA_VISIBLE_DEVICES": target.uuid[:12]})
    assert [g.index for g in inv.devices] == [1]
    assert inv.devices[0].mig == (target,)


def test_empty_cuda_visible_devices_hides_all() -> None:
    inv = detect(FakeNVML("t4"), environ={"CUDA_VISIBLE_DEVICES": ""})
    assert inv.status == "ok" and not inv.devices
    assert "hides every GPU" in inv.reason


def test_index_order_warning_on_mixed_machines() -> None:
    profile = FakeNVML("l4-workstation").profile
    profile["devices"][1]["name"] = "NVIDIA GeForce RTX 4090"
    inv = detect(FakeNVML(profile), environ={"CUDA_VISIBLE_DEVICES": "1"})
    assert any("CUDA_DEVICE_ORDER" in d for d in inv.diagnostics)
    quiet = detect(
        FakeNVML(profile), environ={"CUDA_VISIBLE_DEVICES": "1", "CUDA_DEVICE_ORDER": "PCI_BUS_ID"}
    )
    assert not any("CUDA_DEVICE_ORDER" in d for d in quiet.diagnostics)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("00000000:0A:00.0", "0000:0a:00.0"),
        ("00000001:3B:00.0", "0001:3b:00.0"),
        ("0000:07:00.0", "0000:07:00.0"),
    ],
)
def test_normalize_bus_id(raw: str, norm: str) -> None:
    assert normalize_bus_id(raw) == norm


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_dump_round_trips_through_the_fake(profile: str) -> None:
    recorded = dump_profile(FakeNVML(profile))
    assert detect(FakeNVML(recorded), environ={}) == detect(FakeNVML(profile), environ={})


def test_json_contract_shape() -> None:
    data = detect(FakeNVML("dgx-a100-mig"), environ={}).to_json()
    assert set(data) >= {"status", "reason", "devices"}
    dev = data["devices"][0]
    assert set(dev) >= {"index", "uuid", "name", "model", "device", "memory_bytes", "mig"}
    assert set(dev["mig"][0]) >= {"uuid", "profile", "memory_bytes"}
    assert (dev["model"], dev["device"]) == ("A100", "nvidia-tesla-a100")
