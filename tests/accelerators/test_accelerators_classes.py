"""Accelerator value objects: states, wire format, equality, immutability, validation."""

from __future__ import annotations

import contextlib
import copy
import pickle

import pytest
from flyteidl.core import tasks_pb2
from hypothesis import given
from hypothesis import strategies as st

import podplan.accelerators as pa
from podplan.errors import AcceleratorError, AcceleratorTypeError, PodplanError


def _wire(acc: pa.BaseAccelerator) -> dict[str, object]:
    pb = acc.to_flyte_idl()
    out: dict[str, object] = {"device": pb.device}
    which = pb.WhichOneof("partition_size_value")
    if which:
        out[which] = getattr(pb, which)
    return out


# flytekit spec §3.2 / §8 vectors 26-31: the exact wire message of each state
WIRE_VECTORS = [
    (pa.T4, {"device": "nvidia-tesla-t4"}),
    (pa.A10G, {"device": "nvidia-a10g"}),
    (pa.L4_VWS, {"device": "nvidia-l4-vws"}),
    (pa.H100, {"device": "nvidia-h100"}),
    (pa.H200, {"device": "nvidia-h200"}),
    (pa.RTX_PRO_6000, {"device": "nvidia-rtx-pro-6000"}),
    (pa.A100, {"device": "nvidia-tesla-a100"}),
    (pa.A100.unpartitioned, {"device": "nvidia-tesla-a100", "unpartitioned": True}),
    (pa.A100.partition_1g_5gb, {"device": "nvidia-tesla-a100", "partition_size": "1g.5gb"}),
    (pa.A100.partition_2g_10gb, {"device": "nvidia-tesla-a100", "partition_size": "2g.10gb"}),
    (pa.A100_80GB.partition_7g_80gb.unpartitioned, {"device": "nvidia-a100-80gb", "unpartitioned": True}),
    (pa.V5P.slice_16x16x24, {"device": "tpu-v5p-slice", "partition_size": "16x16x24"}),
    (pa.V5E.slice_2x4, {"device": "tpu-v5-lite-podslice", "partition_size": "2x4"}),
    (pa.V6E.slice_8x16, {"device": "tpu-v6e-slice", "partition_size": "8x16"}),
    (pa.A100.partitioned(None), {"device": "nvidia-tesla-a100", "unpartitioned": True}),
    (pa.A100.partitioned("foo", strict=False), {"device": "nvidia-tesla-a100", "partition_size": "foo"}),
    (pa.GPUAccelerator("test_gpu"), {"device": "test_gpu"}),
]


@pytest.mark.parametrize(("acc", "expected"), WIRE_VECTORS, ids=[repr(v[0]) for v in WIRE_VECTORS])
def test_wire_vectors(acc: pa.BaseAccelerator, expected: dict[str, object]) -> None:
    assert _wire(acc) == expected
    assert isinstance(acc.to_flyte_idl(), tasks_pb2.GPUAccelerator)


DEVICES = {
    "A10G": "nvidia-a10g", "L4": "nvidia-l4", "L4_VWS": "nvidia-l4-vws", "L40S": "nvidia-l40s",
    "K80": "nvidia-tesla-k80", "M60": "nvidia-tesla-m60", "P4": "nvidia-tesla-p4",
    "P100": "nvidia-tesla-p100",
    "T4": "nvidia-tesla-t4", "V100": "nvidia-tesla-v100", "H100": "nvidia-h100", "H200": "nvidia-h200",
    "RTX_PRO_6000": "nvidia-rtx-pro-6000", "A100": "nvidia-tesla-a100", "A100_80GB": "nvidia-a100-80gb",
    "V5E": "tpu-v5-lite-podslice", "V5P": "tpu-v5p-slice", "V6E": "tpu-v6e-slice",
}  # fmt: skip


@pytest.mark.parametrize(("name", "device"), DEVICES.items())
def test_constant_device_strings(name: str, device: str) -> None:
    acc = getattr(pa, name)
    assert acc.device == device
    assert (
        acc.to_flyte_idl().SerializeToString() == tasks_pb2.GPUAccelerator(device=device).SerializeToString()
    )


FLYTEKIT_PARTITIONS = {
    "A100": ["1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"],
    "A100_80GB": ["1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"],
    "V5E": ["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"],
    "V6E": ["1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16"],
    "V5P": ["2x2x1", "2x2x2", "2x4x4", "4x4x4", "4x4x8", "4x8x8", "8x8x8", "8x8x16", "8x16x16", "16x16x16",
            "16x16x24"],
}  # fmt: skip


@pytest.mark.parametrize(("name", "sizes"), FLYTEKIT_PARTITIONS.items())
def test_partition_attributes(name: str, sizes: list[str]) -> None:
    family = getattr(pa, name)
    prefix = "slice_" if name.startswith("V") else "partition_"
    for size in sizes:
        attr = getattr(family, prefix + size.replace(".", "_"))
        expected = tasks_pb2.GPUAccelerator(device=family.device, partition_size=size)
        assert attr.to_flyte_idl().SerializeToString() == expected.SerializeToString()
        assert attr == family.partitioned(size)
        assert attr.partition_size == size


def test_extra_catalog_partitions_beyond_flytekit() -> None:
    assert pa.A100.partition_1g_10gb.partition_size == "1g.10gb"
    assert pa.A100.partition_1g_5gb_me.partition_size == "1g.5gb+me"
    assert pa.A100_80GB.partition_1g_20gb.partition_size == "1g.20gb"


def test_three_states_are_distinct() -> None:
    assert pa.A100.unpartitioned != pa.A100
    assert pa.A100.partition_1g_5gb != pa.A100
    assert pa.A100.unpartitioned != pa.A100.partition_1g_5gb
    assert pa.A100.partition_1g_5gb.plain == pa.A100
    assert pa.A100.is_unpartitioned is False and pa.A100.partition_size is None
    assert pa.A100.unpartitioned.is_unpartitioned is True
    assert pa.A100.partition_3g_20gb.unpartitioned.is_unpartitioned is True


def test_value_equality_and_hash() -> None:
    assert pa.GPUAccelerator("nvidia-tesla-t4") == pa.T4
    assert hash(pa.T4) == hash(pa.GPUAccelerator("nvidia-tesla-t4"))
    assert pa.A100.unpartitioned == pa.A100.unpartitioned
    assert pa.MultiInstanceGPUAccelerator("nvidia-tesla-a100") == pa.A100
    assert pa.A100.partition_1g_5gb == pa.MultiInstanceGPUAccelerator("nvidia-tesla-a100", "1g.5gb")
    assert len({pa.A100.unpartitioned, pa.A100.unpartitioned, pa.A100, pa.T4}) == 3
    assert pa.T4 != pa.L4
    assert pa.T4 != "nvidia-tesla-t4"


def test_immutable() -> None:
    for acc in (pa.T4, pa.A100, pa.A100.partition_1g_5gb, pa.V5P.slice_2x2x1):
        with pytest.raises(AttributeError):
            acc._device = "x"  # type: ignore[misc]
        with pytest.raises(AttributeError):
            acc.foo = 1  # type: ignore[attr-defined]
        with pytest.raises(AttributeError):
            del acc._device  # type: ignore[misc]


@pytest.mark.parametrize(
    "acc", [pa.T4, pa.A100, pa.A100.unpartitioned, pa.A100.partition_1g_5gb, pa.V5P.slice_2x2x1]
)
def test_pickle_and_copy_round_trip(acc: pa.BaseAccelerator) -> None:
    again = pickle.loads(pickle.dumps(acc))
    assert again == acc and type(again) is type(acc)
    assert copy.deepcopy(acc) == acc and copy.copy(acc) == acc


def test_partitioned_keeps_family_class() -> None:
    part = pa.A100.partitioned("3g.20gb")
    assert type(part) is type(pa.A100)
    assert isinstance(part, pa.MultiInstanceGPUAccelerator)
    assert isinstance(pa.V5E, pa.TPUAccelerator) and isinstance(pa.V5E, pa.MultiInstanceGPUAccelerator)
    assert isinstance(pa.T4, pa.GPUAccelerator) and not isinstance(pa.T4, pa.MultiInstanceGPUAccelerator)


def test_base_accelerator_is_abstract() -> None:
    with pytest.raises(TypeError):
        pa.BaseAccelerator()  # type: ignore[abstract]


def test_tpu_chips() -> None:
    assert pa.V5P.slice_16x16x24.chips == 6144
    assert pa.V5E.slice_2x4.chips == 8
    assert pa.V5E.chips is None


# --- strictness and the escape hatch ---------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "size", "fragments"),
    [
        (pa.A100, "3g.40gb", ["1g.5gb", "7g.40gb", "A100_80GB", "strict=False"]),
        (pa.A100_80GB, "1g.5gb", ["1g.10gb", "7g.80gb", "A100"]),
        (pa.V5E, "2x2x1", ["1x1", "16x16"]),
        (pa.A100, "1G.5GB", ["did you mean '1g.5gb'"]),
    ],
)
def test_unknown_partition_names_the_valid_ones(
    family: pa.MultiInstanceGPUAccelerator, size: str, fragments: list[str]
) -> None:
    with pytest.raises(AcceleratorError) as info:
        family.partitioned(size)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_escape_hatch_allows_uncatalogued_partition() -> None:
    acc = pa.A100.partitioned("1g.5gb+me.all", strict=False)
    assert acc.partition_size == "1g.5gb+me.all"


def test_uncatalogued_device_accepts_any_partition() -> None:
    acc = pa.MultiInstanceGPUAccelerator("my-new-gpu").partitioned("9g.99gb")
    assert acc.valid_partitions is None
    assert _wire(acc) == {"device": "my-new-gpu", "partition_size": "9g.99gb"}


def test_catalogued_device_without_constant_is_checked() -> None:
    h100 = pa.MultiInstanceGPUAccelerator("nvidia-h100")
    assert h100.partitioned("1g.10gb").partition_size == "1g.10gb"
    with pytest.raises(AcceleratorError, match="not MIG-capable"):
        pa.MultiInstanceGPUAccelerator("nvidia-tesla-t4").partitioned("1g.5gb")


@pytest.mark.parametrize("bad", [1, 1.5, b"1g.5gb", ["1g.5gb"], True])
def test_partition_of_wrong_type(bad: object) -> None:
    with pytest.raises(AcceleratorTypeError):
        pa.A100.partitioned(bad, strict=False)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", " 1g.5gb", "1g.5gb\n"])
def test_partition_blank_or_padded(bad: str) -> None:
    with pytest.raises(AcceleratorError):
        pa.A100.partitioned(bad, strict=False)


# --- device validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "device", ["my-custom-gpu", "test_gpu", "nvidia-h100-80gb", "a", "x" * 63, "A.B_C-1"]
)
def test_custom_device_strings(device: str) -> None:
    assert pa.GPUAccelerator(device).device == device


@pytest.mark.parametrize("device", ["", "-gpu", "gpu-", "nvidia tesla", "x" * 64, "gpu/1", "ü"])
def test_invalid_device_strings(device: str) -> None:
    with pytest.raises(AcceleratorError, match=r"label value|empty"):
        pa.GPUAccelerator(device)


@pytest.mark.parametrize("device", [None, 1, b"nvidia-l4", pa.T4])
def test_device_of_wrong_type(device: object) -> None:
    with pytest.raises(AcceleratorTypeError):
        pa.GPUAccelerator(device)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pa.MultiInstanceGPUAccelerator(device)  # type: ignore[arg-type]


# --- coercion and the inverse of to_flyte_idl -------------------------------------------------


@pytest.mark.parametrize("acc", [v[0] for v in WIRE_VECTORS])
def test_accelerator_from_idl_inverts(acc: pa.BaseAccelerator) -> None:
    back = pa.accelerator_from_idl(acc.to_flyte_idl())
    assert back == acc
    assert back.to_flyte_idl().SerializeToString() == acc.to_flyte_idl().SerializeToString()


def test_as_accelerator() -> None:
    assert pa.as_accelerator(None) is None
    assert pa.as_accelerator(pa.T4) is pa.T4
    assert pa.as_accelerator(
        tasks_pb2.GPUAccelerator(device="x", partition_size="1g")
    ) == pa.MultiInstanceGPUAccelerator("x", "1g")
    with pytest.raises(AcceleratorTypeError, match=r"podplan\.accelerators\.T4"):
        pa.as_accelerator("nvidia-tesla-t4")
    with pytest.raises(AcceleratorTypeError, match=r"A100_80GB"):
        pa.as_accelerator("A100 80G")
    with pytest.raises(AcceleratorTypeError, match="accelerator must be"):
        pa.as_accelerator(42)

    class Broken:
        def to_flyte_idl(self) -> object:
            raise RuntimeError("boom")

    with pytest.raises(AcceleratorTypeError, match="boom"):
        pa.as_accelerator(Broken())


_label = st.from_regex(r"\A[a-z0-9]([-a-z0-9_.]{0,40}[a-z0-9])?\Z")
_state = st.one_of(st.just(pa.UNSET), st.none(), st.from_regex(r"\A[0-9a-z.+x]{1,12}\Z"))


@given(_label, _state, _label, _state)
def test_equality_iff_same_wire_bytes(d1: str, s1: object, d2: str, s2: object) -> None:
    a = pa.MultiInstanceGPUAccelerator(d1, s1, strict=False)  # type: ignore[arg-type]
    b = pa.MultiInstanceGPUAccelerator(d2, s2, strict=False)  # type: ignore[arg-type]
    same = a.to_flyte_idl().SerializeToString() == b.to_flyte_idl().SerializeToString()
    assert (a == b) == same
    if same:
        assert hash(a) == hash(b)
    assert pa.accelerator_from_idl(a.to_flyte_idl()) == a


@given(st.one_of(st.text(max_size=70), st.integers(), st.none(), st.binary(max_size=5), st.floats()))
def test_constructors_raise_only_podplan_errors(value: object) -> None:
    for ctor in (pa.GPUAccelerator, pa.MultiInstanceGPUAccelerator, pa.TPUAccelerator):
        with contextlib.suppress(PodplanError):
            ctor(value)  # type: ignore[arg-type]
    with contextlib.suppress(PodplanError):
        pa.A100.partitioned(value)  # type: ignore[arg-type]
