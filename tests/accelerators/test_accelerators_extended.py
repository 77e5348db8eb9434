"""construct_extended_resources and shared-memory validation (flytekit spec §3.3, §4, vectors 23-34)."""

from __future__ import annotations

import pytest
from flyteidl.core import tasks_pb2
from google.protobuf.json_format import MessageToDict
from hypothesis import given
from hypothesis import strategies as st

import podplan.accelerators as pa
from podplan.errors import AcceleratorTypeError, PodplanError, SharedMemoryError

SHM = {"mountPath": "/dev/shm", "mountName": "flyte-shared-memory"}


def _json(msg: tasks_pb2.ExtendedResources | None) -> dict[str, object] | None:
    return None if msg is None else MessageToDict(msg)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # vector 23
        ({"shared_memory": None}, None),
        ({"shared_memory": False}, None),
        ({}, None),
        # vector 24 / 25
        ({"shared_memory": "2Gi"}, {"sharedMemory": {**SHM, "sizeLimit": "2Gi"}}),
        ({"shared_memory": True}, {"sharedMemory": SHM}),
        # §3.3 examples
        ({"accelerator": pa.T4}, {"gpuAccelerator": {"device": "nvidia-tesla-t4"}}),
        ({"accelerator": pa.A100}, {"gpuAccelerator": {"device": "nvidia-tesla-a100"}}),
        (
            {"accelerator": pa.A100.unpartitioned},
            {"gpuAccelerator": {"device": "nvidia-tesla-a100", "unpartitioned": True}},
        ),
        (
            {"accelerator": pa.A100.partition_2g_10gb},
            {"gpuAccelerator": {"device": "nvidia-tesla-a100", "partitionSize": "2g.10gb"}},
        ),
        (
            {"accelerator": pa.T4, "shared_memory": True},
            {"gpuAccelerator": {"device": "nvidia-tesla-t4"}, "sharedMemory": SHM},
        ),
        # vector 33 / 34
        ({"accelerator": pa.GPUAccelerator("test_gpu")}, {"gpuAccelerator": {"device": "test_gpu"}}),
        (
            {"accelerator": pa.T4, "shared_memory": "2Gi"},
            {"gpuAccelerator": {"device": "nvidia-tesla-t4"}, "sharedMemory": {**SHM, "sizeLimit": "2Gi"}},
        ),
    ],
)
def test_construct_extended_resources(kwargs: dict[str, object], expected: dict[str, object] | None) -> None:
    assert _json(pa.construct_extended_resources(**kwargs)) == expected  # type: ignore[arg-type]


def test_true_leaves_size_limit_unset() -> None:
    ext = pa.construct_extended_resources(shared_memory=True)
    assert ext is not None and ext.shared_memory.size_limit == ""
    assert not ext.HasField("gpu_accelerator")
    ext = pa.construct_extended_resources(accelerator=pa.T4)
    assert ext is not None and not ext.HasField("shared_memory")
    pb = ext.gpu_accelerator
    assert pb.WhichOneof("partition_size_value") is None  # vector 26


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("2Gi", "2Gi"),
        ("2048Mi", "2Gi"),
        ("1536Mi", "1536Mi"),
        ("0.5Gi", "512Mi"),
        ("512M", "512M"),
        (1073741824, "1073741824"),
        (1000, "1k"),
        ("1e9", "1e9"),
    ],
)
def test_shared_memory_quantities_are_canonical(value: object, canonical: str) -> None:
    ext = pa.construct_extended_resources(shared_memory=value)
    assert ext is not None and ext.shared_memory.size_limit == canonical
    assert ext.shared_memory.mount_name == pa.SHARED_MEMORY_MOUNT_NAME == "flyte-shared-memory"
    assert ext.shared_memory.mount_path == pa.SHARED_MEMORY_MOUNT_PATH == "/dev/shm"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "not a memory quantity"),  # flytekit: same as True
        ("lots", "not a memory quantity"),  # flytekit: passed through
        ("1GB", "1G or 1Gi"),  # hint from Quantity
        ("0", "positive"),
        (0, "positive"),
        ("-1Gi", "positive"),
        ("100m", "whole number of bytes"),
        ("0.5", "whole number of bytes"),
        ([1], "must be True or a memory quantity"),
        (b"2Gi", "must be True or a memory quantity"),
        (object(), "must be True or a memory quantity"),
    ],
)
def test_shared_memory_is_validated(value: object, fragment: str) -> None:
    with pytest.raises(SharedMemoryError) as info:
        pa.construct_extended_resources(shared_memory=value)
    assert fragment in str(info.value)
    assert "shared_memory" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_int_is_not_silently_dropped() -> None:
    # flytekit drops shared_memory=1024 (vector 25); podplan keeps it as 1024 bytes
    ext = pa.construct_extended_resources(shared_memory=1024)
    assert ext is not None and ext.shared_memory.size_limit == "1024"


def test_normalize_shared_memory() -> None:
    from podplan.resources import Quantity

    assert pa.normalize_shared_memory(None) is None
    assert pa.normalize_shared_memory(False) is None
    assert pa.normalize_shared_memory(True) is True
    assert pa.normalize_shared_memory("1Gi") == Quantity("1Gi")
    assert pa.normalize_shared_memory(Quantity("2Gi")) == Quantity("2Gi")


@pytest.mark.parametrize("bad", ["nvidia-tesla-t4", 1, object(), pa.GPUAccelerator])
def test_accelerator_must_be_an_accelerator(bad: object) -> None:
    with pytest.raises(AcceleratorTypeError):
        pa.construct_extended_resources(accelerator=bad)


def test_accepts_gpu_accelerator_message() -> None:
    msg = tasks_pb2.GPUAccelerator(device="nvidia-l4")
    ext = pa.construct_extended_resources(accelerator=msg)
    assert ext is not None and ext.gpu_accelerator == msg


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.text(max_size=12),
        st.floats(allow_nan=True),
        st.lists(st.integers(), max_size=2),
    )
)
def test_shared_memory_only_raises_podplan_errors(value: object) -> None:
    try:
        ext = pa.construct_extended_resources(shared_memory=value)
    except PodplanError as exc:
        assert isinstance(exc, SharedMemoryError)
        return
    if value is None or value is False:
        assert ext is None
    else:
        assert ext is not None and ext.shared_memory.mount_path == "/dev/shm"
