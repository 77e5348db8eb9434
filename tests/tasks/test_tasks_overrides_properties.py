"""hypothesis properties of ``with_overrides`` merging (D5) and its serialization.

Laws: the later call wins per field (and per resource field and side); chaining merges with
earlier overrides (``a.with_overrides(**x).with_overrides(**y)`` equals one call with ``x``
merged with ``y``); an empty override is the identity; every node serializes, and the
``workflow_pb2.Node`` round-trips through bytes and reflects the effective values.
"""

from __future__ import annotations

import datetime
from typing import Any

from flyteidl.core import workflow_pb2
from hypothesis import given
from hypothesis import strategies as st

from podplan import Resources, serialize, task
from podplan.accelerators import A100, H100, T4
from podplan.resources import RESOURCE_FIELDS, ResourceSpec, from_idl_resources, layer
from podplan.tasks.node import TaskNode


@task(requests=Resources(cpu="1"), limits=Resources(cpu="2"), retries=1, timeout=100, interruptible=False)
def base(a: int) -> int:
    return a


_QUANTITIES = {
    "cpu": st.sampled_from(["100m", "1", "2", "1.5", "4"]),
    "mem": st.sampled_from(["128Mi", "1Gi", "2Gi", "512M"]),
    "gpu": st.sampled_from(["1", "2", "8"]),
    "ephemeral_storage": st.sampled_from(["1Gi", "10Gi"]),
}


@st.composite
def resources(draw: Any) -> Resources:
    fields = draw(st.lists(st.sampled_from(RESOURCE_FIELDS), min_size=1, max_size=4, unique=True))
    return Resources(**{f: draw(_QUANTITIES[f]) for f in fields})


SCALARS: dict[str, Any] = {
    "accelerator": st.sampled_from([T4, A100, A100.partition_1g_5gb, H100]),
    "shared_memory": st.sampled_from([True, "64Mi", "1Gi"]),
    "interruptible": st.booleans(),
    "retries": st.integers(0, 10),
    "timeout": st.integers(0, 3600),
    "container_image": st.sampled_from(["repo/a:1", "repo/b:2"]),
    "name": st.sampled_from(["first", "second"]),
    "node_name": st.sampled_from(["n-a", "n_b"]),
}


@st.composite
def overrides(draw: Any) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from([*SCALARS, "requests", "limits", "cache"]), unique=True, max_size=6))
    out: dict[str, Any] = {}
    for key in keys:
        if key in ("requests", "limits"):
            out[key] = draw(resources())
        elif key == "cache":
            out["cache"] = True
            out["cache_version"] = draw(st.sampled_from(["v1", "v2"]))
        else:
            out[key] = draw(SCALARS[key])
    return out


def _spec(ov: dict[str, Any]) -> ResourceSpec | None:
    if "requests" not in ov and "limits" not in ov:
        return None
    return ResourceSpec(requests=ov.get("requests"), limits=ov.get("limits"))  # type: ignore[arg-type]


def _merge_resources(a: Resources | None, b: Resources | None) -> Resources | None:
    if a is None or b is None:
        return b if a is None else a
    values = {f: getattr(b, f) if getattr(b, f) is not None else getattr(a, f) for f in RESOURCE_FIELDS}
    return Resources(**{k: v for k, v in values.items() if v is not None})


def _merged(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = {**a, **b}
    for side in ("requests", "limits"):
        merged = _merge_resources(a.get(side), b.get(side))
        if merged is not None:
            out[side] = merged
    return out


@given(overrides(), overrides())
def test_later_call_wins_per_field(first: dict[str, Any], second: dict[str, Any]) -> None:
    node = base.with_overrides(**first).with_overrides(**second)
    defaults = {"interruptible": False, "retries": 1, "timeout": datetime.timedelta(seconds=100)}
    for key in SCALARS:
        expected = second.get(key, first.get(key, defaults.get(key)))
        actual = getattr(node, key)
        if key == "timeout" and isinstance(expected, int):
            expected = datetime.timedelta(seconds=expected)
        if key == "shared_memory" and isinstance(expected, str):
            actual = str(actual)
        if key == "name" and expected is None:
            expected = "base"
        assert actual == expected, key
    spec_a, spec_b = _spec(first), _spec(second)
    if spec_a is None and spec_b is None:
        assert node.resources is None
    else:
        assert node.resources == layer(spec_a, spec_b)
    if "cache" in second or "cache" in first:
        assert node.overrides["cacheable"] is True
        assert node.overrides["cache_version"] == second.get("cache_version", first.get("cache_version"))


@given(overrides(), overrides())
def test_chaining_equals_one_merged_call(first: dict[str, Any], second: dict[str, Any]) -> None:
    chained = base.with_overrides(**first).with_overrides(**second)
    once = base.with_overrides(**_merged(first, second))
    assert chained == once
    assert serialize.task_node(chained) == serialize.task_node(once)


@given(overrides())
def test_empty_override_is_the_identity(ov: dict[str, Any]) -> None:
    node = base.with_overrides(**ov)
    assert node.with_overrides() == node
    assert serialize.task_node(node.with_overrides()) == serialize.task_node(node)
    assert base.with_overrides() == TaskNode(base)


@given(overrides(), overrides())
def test_result_serializes_and_round_trips(first: dict[str, Any], second: dict[str, Any]) -> None:
    node = base.with_overrides(**first).with_overrides(**second)
    pb = serialize.task_node(node)
    assert workflow_pb2.Node.FromString(pb.SerializeToString()) == pb
    assert pb.id == node.id
    assert pb.metadata.name == node.name
    assert pb.metadata.retries.retries == node.retries
    assert pb.metadata.interruptible == node.interruptible
    assert pb.metadata.timeout.ToTimedelta() == (node.timeout or datetime.timedelta(0))
    ov = pb.task_node.overrides
    if node.resources is not None:
        got = from_idl_resources(ov.resources)
        for side in ("requests", "limits"):
            want = getattr(node.resources, side)
            for f in RESOURCE_FIELDS:
                assert getattr(getattr(got, side), f) == (getattr(want, f) if want is not None else None)
    assert ov.container_image == (node.container_image or "")
    if node.accelerator is not None:
        assert ov.extended_resources.gpu_accelerator == node.accelerator.to_flyte_idl()
