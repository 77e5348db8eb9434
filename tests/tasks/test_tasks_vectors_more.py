"""flytekit spec §8 vectors not covered by the other task tables: 33, 34, 76-81, 102.

Where a vector uses ``map_task`` (33, 76-78), podplan has no map tasks: the same task / node
serialization is checked on a plain task, which is what the map task delegates to.

Vectors not expressible in podplan's task package (listed here, not skipped tests):

* 45 — ``ContainerTask`` (raw-container tasks) is out of scope: podplan implements
  ``flytekit.core.task`` (``@task``), not ``flytekit.core.container_task``.
* 59 — pod templates with ``ImageSpec`` images need flytekit's image builder; podplan never
  builds images (an ImageSpec-like object is resolved by name, docs/tasks.md).
* 82 — promises in overrides: podplan has no workflows, so there are no promises to pass.
* 1-25, 30-31 — ``Resources``/accelerator constructors: tested with their packages
  (tests/resources, tests/accelerators).
"""

from __future__ import annotations

import pytest
from flyteidl.core import tasks_pb2, workflow_pb2

from podplan import Resources, serialize, task
from podplan.accelerators import T4, GPUAccelerator
from podplan.errors import ResourceConflictError
from podplan.resources import from_idl_resources

CPU, GPU, MEMORY, EPHEMERAL = (
    tasks_pb2.Resources.CPU,
    tasks_pb2.Resources.GPU,
    tasks_pb2.Resources.MEMORY,
    tasks_pb2.Resources.EPHEMERAL_STORAGE,
)


@task
def t1(a: int) -> int:
    return a


@task
def void() -> None:
    print("side effect")


def _entries(entries: object) -> list[tuple[int, str]]:
    return [(e.name, e.value) for e in entries]  # type: ignore[attr-defined]


def test_vector_33_extended_resources_of_the_mapped_task() -> None:
    @task(accelerator=GPUAccelerator("test_gpu"), shared_memory="2Gi")
    def mapped(a: int) -> int:
        return a

    ext = serialize.task_template(mapped).extended_resources
    assert ext.gpu_accelerator.device == "test_gpu"
    assert ext.shared_memory.size_limit == "2Gi"


def test_vector_34_template_with_extended_resources_round_trips() -> None:
    @task(accelerator=T4, shared_memory="2Gi")
    def t(a: int) -> int:
        return a

    pb = tasks_pb2.TaskTemplate.FromString(serialize.task_template(t).SerializeToString())
    acc = pb.extended_resources.gpu_accelerator
    assert acc.device == "nvidia-tesla-t4"
    assert acc.WhichOneof("partition_size_value") is None
    assert pb.extended_resources.shared_memory.size_limit == "2Gi"


@pytest.mark.parametrize(
    ("kwargs", "requests", "limits"),
    [
        # 76
        (
            {"requests": Resources(cpu="1", mem="100", ephemeral_storage="500Mi")},
            [(CPU, "1"), (MEMORY, "100"), (EPHEMERAL, "500Mi")],
            [],
        ),
        # 77
        (
            {"limits": Resources(cpu="2", mem="200", ephemeral_storage="1Gi")},
            [],
            [(CPU, "2"), (MEMORY, "200"), (EPHEMERAL, "1Gi")],
        ),
        # 78 (D2: the scalar mem also becomes a limit; flytekit: request only)
        (
            {"resources": Resources(cpu=("1", "2"), mem="100", ephemeral_storage=("500Mi", "1Gi"))},
            [(CPU, "1"), (MEMORY, "100"), (EPHEMERAL, "500Mi")],
            [(CPU, "2"), (MEMORY, "100"), (EPHEMERAL, "1Gi")],
        ),
    ],
    ids=["76", "77", "78-D2"],
)
def test_vectors_76_78_resource_overrides(kwargs: dict, requests: list, limits: list) -> None:
    overrides = serialize.task_node(t1.with_overrides(**kwargs)).task_node.overrides
    assert _entries(overrides.resources.requests) == requests
    assert _entries(overrides.resources.limits) == limits


def test_vector_79_void_task_override_d2() -> None:
    overrides = serialize.task_node(void.with_overrides(resources=Resources(cpu=("1", "2"), mem="100")))
    res = overrides.task_node.overrides.resources
    assert _entries(res.requests) == [(CPU, "1"), (MEMORY, "100")]
    assert _entries(res.limits) == [(CPU, "2"), (MEMORY, "100")]  # D2; flytekit [(CPU, "2")]


def test_vector_80_requests_with_resources_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="can not be used together") as info:
        t1.with_overrides(requests=Resources(cpu=1), resources=Resources(cpu=[1, 2]))
    assert isinstance(info.value, ResourceConflictError)


def test_vector_81_float_memory_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match=r"1\.1 should be of type str, int"):
        t1.with_overrides(requests=Resources(cpu=1, mem=1.1))


def test_vector_102_node_overrides_round_trip() -> None:
    node = t1.with_overrides(
        requests=Resources(cpu="1", mem="1Gi"), limits=Resources(cpu="2"), accelerator=T4
    )
    pb = serialize.task_node(node)
    again = workflow_pb2.Node.FromString(pb.SerializeToString())
    overrides = again.task_node.overrides
    assert overrides == pb.task_node.overrides
    assert overrides.extended_resources.gpu_accelerator == T4.to_flyte_idl()
    assert from_idl_resources(overrides.resources) == node.resources
    # empty resources read back as "nothing set" (flytekit: None)
    empty = serialize.task_node(t1.with_overrides(retries=2)).task_node.overrides
    assert not empty.HasField("resources")
