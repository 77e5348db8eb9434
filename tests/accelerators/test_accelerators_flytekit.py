"""Differential tests: every accelerator constant and partition serialises exactly as flytekit 1.16."""

from __future__ import annotations

import flytekit.core.resources as fk_resources
import flytekit.extras.accelerators as fk
import pytest

import podplan.accelerators as pa

pytestmark = pytest.mark.flytekit

CONSTANTS = [
    "A10G", "L4", "L4_VWS", "L40S", "K80", "M60", "P4", "P100", "T4", "V100", "H100", "H200",
    "RTX_PRO_6000", "A100", "A100_80GB", "V5E", "V5P", "V6E",
]  # fmt: skip


def _partition_attrs(obj: object) -> list[str]:
    return sorted(
        name
        for name in dir(type(obj))
        if name.startswith(("partition_", "slice_")) and not callable(getattr(obj, name))
    )


def _cases() -> list[tuple[str, object, object]]:
    cases: list[tuple[str, object, object]] = []
    for name in CONSTANTS:
        ours, theirs = getattr(pa, name), getattr(fk, name)
        cases.append((name, ours, theirs))
        if isinstance(theirs, fk.MultiInstanceGPUAccelerator):
            cases.append((f"{name}.unpartitioned", ours.unpartitioned, theirs.unpartitioned))
            for attr in _partition_attrs(theirs):
                o, t = getattr(ours, attr), getattr(theirs, attr)
                cases.append((f"{name}.{attr}", o, t))
                cases.append((f"{name}.{attr}.unpartitioned", o.unpartitioned, t.unpartitioned))
    return cases


CASES = _cases()


def test_flytekit_exports_exactly_these_constants() -> None:
    accel = {n for n in dir(fk) if not n.startswith("_") and isinstance(getattr(fk, n), fk.BaseAccelerator)}
    assert accel == set(CONSTANTS)


@pytest.mark.parametrize(("label", "ours", "theirs"), CASES, ids=[c[0] for c in CASES])
def test_constant_serialises_like_flytekit(label: str, ours: pa.BaseAccelerator, theirs: object) -> None:
    assert ours.to_flyte_idl().SerializeToString() == theirs.to_flyte_idl().SerializeToString()  # type: ignore[attr-defined]


def test_every_flytekit_partition_attribute_exists_here() -> None:
    for name in ("A100", "A100_80GB", "V5E", "V5P", "V6E"):
        missing = set(_partition_attrs(getattr(fk, name))) - set(_partition_attrs(getattr(pa, name)))
        assert not missing, (name, missing)
    assert len(CASES) > 18 + 5 * 2 * 3


@pytest.mark.parametrize("size", ["1g.5gb", "2g.10gb", "7g.40gb", None])
def test_partitioned_matches_flytekit(size: str | None) -> None:
    ours = pa.A100.partitioned(size).to_flyte_idl().SerializeToString()
    theirs = fk.A100.partitioned(size).to_flyte_idl().SerializeToString()
    assert ours == theirs


def test_escape_hatch_matches_flytekit_for_uncatalogued_partition() -> None:
    ours = pa.A100.partitioned("foo", strict=False).to_flyte_idl()
    assert ours.SerializeToString() == fk.A100.partitioned("foo").to_flyte_idl().SerializeToString()


@pytest.mark.parametrize("device", ["test_gpu", "nvidia-tesla-t4", "my-custom-gpu", "nvidia-b200"])
def test_custom_gpu_accelerator_matches_flytekit(device: str) -> None:
    ours = pa.GPUAccelerator(device).to_flyte_idl().SerializeToString()
    assert ours == fk.GPUAccelerator(device).to_flyte_idl().SerializeToString()


@pytest.mark.parametrize(
    ("accelerator", "shared_memory"),
    [
        ("T4", None),
        ("A100", True),
        ("A100_80GB", "2Gi"),
        (None, True),
        (None, "2Gi"),
        ("V5P", "512Mi"),
        (None, None),
    ],
)
def test_construct_extended_resources_matches_flytekit(
    accelerator: str | None, shared_memory: object
) -> None:
    ours = pa.construct_extended_resources(
        accelerator=getattr(pa, accelerator) if accelerator else None, shared_memory=shared_memory
    )
    theirs = fk_resources.construct_extended_resources(
        accelerator=getattr(fk, accelerator) if accelerator else None, shared_memory=shared_memory
    )
    if theirs is None:
        assert ours is None
    else:
        assert ours is not None
        assert ours.SerializeToString() == theirs.SerializeToString()


def test_flytekit_accelerator_objects_are_accepted() -> None:
    assert pa.as_accelerator(fk.T4) == pa.T4
    assert pa.as_accelerator(fk.A100.partition_1g_5gb) == pa.A100.partition_1g_5gb
    assert pa.as_accelerator(fk.A100.unpartitioned) == pa.A100.unpartitioned
    assert pa.as_accelerator(fk.A100) == pa.A100
