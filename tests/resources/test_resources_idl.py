"""to_idl_resources / from_idl_resources against flyteidl."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flyteidl.core import tasks_pb2

from podplan.errors import QuantityError
from podplan.resources import (
    Quantity,
    Resources,
    ResourceSpec,
    from_idl_resources,
    to_idl_resources,
    to_k8s_resource_list,
)

R = tasks_pb2.Resources


def entries(side: object) -> list[tuple[str, str]]:
    return [(R.ResourceName.Name(e.name), e.value) for e in side]  # type: ignore[attr-defined]


def test_order_and_canonical_strings() -> None:
    spec = ResourceSpec(
        requests=Resources(cpu=0.5, mem=1024, gpu=1, ephemeral_storage="1024Mi"),
        limits=Resources(cpu="1000m", mem="0.5Gi"),
    )
    pb = to_idl_resources(spec)
    assert isinstance(pb, tasks_pb2.Resources)
    assert entries(pb.requests) == [
        ("CPU", "500m"),
        ("GPU", "1"),
        ("MEMORY", "1024"),
        ("EPHEMERAL_STORAGE", "1Gi"),
    ]
    assert entries(pb.limits) == [("CPU", "1"), ("MEMORY", "512Mi")]


def test_zero_is_emitted_deviation_from_flytekit_path_b() -> None:
    # flytekit's container path drops falsy values (cpu=0) but keeps "0" (§8.41); 0 and "0" are
    # one value in podplan (D3/D4), so every set field is emitted.
    pb = to_idl_resources(ResourceSpec(requests=Resources(cpu="0", gpu=0), limits=Resources(cpu=0)))
    assert entries(pb.requests) == [("CPU", "0"), ("GPU", "0")]
    assert entries(pb.limits) == [("CPU", "0")]


def test_issue_acceptance_gpu_serializes() -> None:
    spec = ResourceSpec.from_multiple_resource(Resources(gpu=1))
    pb = to_idl_resources(spec)
    assert (
        pb.SerializeToString()
        == R(
            requests=[R.ResourceEntry(name=R.GPU, value="1")],
            limits=[R.ResourceEntry(name=R.GPU, value="1")],
        ).SerializeToString()
    )


def test_none_and_empty() -> None:
    assert to_idl_resources(None) == R()
    assert to_idl_resources(ResourceSpec()) == R()


def test_round_trip_and_reading() -> None:
    spec = ResourceSpec(Resources(cpu="1", mem="2Gi", gpu=1), Resources(ephemeral_storage="10Gi"))
    assert from_idl_resources(to_idl_resources(spec)) == spec
    pb = R(
        requests=[
            R.ResourceEntry(name=R.STORAGE, value="1Gi"),
            R.ResourceEntry(name=R.CPU, value="1"),
            R.ResourceEntry(name=R.CPU, value="2"),
        ]
    )
    assert from_idl_resources(pb) == ResourceSpec(requests=Resources(cpu="2"))
    with pytest.raises(QuantityError, match=r"requests\[0\] \(MEMORY\)"):
        from_idl_resources(R(requests=[R.ResourceEntry(name=R.MEMORY, value="1GB")]))


def test_k8s_resource_list() -> None:
    r = Resources(cpu="500m", mem="1Gi", gpu=1, ephemeral_storage="1Gi")
    assert to_k8s_resource_list(r) == {
        "cpu": "500m",
        "memory": "1Gi",
        "nvidia.com/gpu": "1",
        "ephemeral-storage": "1Gi",
    }
    assert to_k8s_resource_list(Resources(gpu=2), gpu_resource_name="amd.com/gpu") == {"amd.com/gpu": "2"}
    assert to_k8s_resource_list(None) == {}


def test_import_is_cheap() -> None:
    code = (
        "import sys, podplan.resources as r; r.Quantity('1'); r.Resources(cpu=1);"
        "assert 'flyteidl' not in sys.modules and 'google.protobuf' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert Quantity("1")
