"""Differential: ``with_overrides`` nodes of flytekit 1.16 (through its translator) and podplan.

The task is defined once (only the imports differ); flytekit builds the node inside a one-node
``@workflow`` (``t(a=a).with_overrides(<OVERRIDES>)``), podplan with
``t.with_overrides(<OVERRIDES>)`` and :func:`podplan.serialize.task_node`. Compared: the node id,
``NodeMetadata`` (name, timeout, retries, interruptible, cacheable, cache version, cache
serializable), ``task_node.reference_id`` and ``task_node.overrides`` (resources by value,
extended resources, container image, pod template). Not compared: ``inputs``,
``upstream_node_ids`` and ``output_aliases`` — podplan has no workflows, so its node has no
bindings.

Documented deviations: D3 canonical strings and one entry order (compared by value), D2 for a
scalar in ``resources=``, and D5 — chained calls merge (flytekit resets extended resources and
``cacheable`` on every call, spec §9.9), see :func:`test_chained_overrides_merge_d5`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import differential_harness as h
import pytest
from flyteidl.core import tasks_pb2, workflow_pb2

pytestmark = pytest.mark.flytekit

TASK = """\
@task(requests=Resources(cpu="1"), limits=Resources(cpu="2"), accelerator=T4, shared_memory=True, timeout=100)
def t(a: int) -> int:
    return a
"""

PLAIN_TASK = """\
@task
def t(a: int) -> int:
    return a
"""

SIDECAR = (
    'PodTemplate(labels={"lKeyA": "lValA"}, annotations={"aKeyA": "aValA"}, pod_spec=V1PodSpec(containers=['
    'V1Container(name="primary", env=[V1EnvVar(name="MY_KEY", value="MY_VALUE")]), '
    'V1Container(name="sidecar", image="busybox:1")]))'
)


@dataclasses.dataclass(frozen=True)
class OverrideCase:
    """An override expression applied to ``task``; ``d2`` as in the template cases."""

    id: str
    overrides: str
    task: str = TASK
    d2: tuple[str, ...] = ()


OVERRIDE_CASES = [
    OverrideCase("none", ""),
    OverrideCase("requests", 'requests=Resources(cpu="2", mem="1Gi", ephemeral_storage="500Mi")'),
    OverrideCase("limits", 'limits=Resources(cpu="4", mem="200Mi", gpu="1")'),
    OverrideCase("requests_limits", 'requests=Resources(cpu="3"), limits=Resources(cpu="6", mem="1Gi")'),
    OverrideCase(
        "resources_pairs", 'resources=Resources(cpu=("1", "2"), ephemeral_storage=("500Mi", "1Gi"))'
    ),
    OverrideCase("resources_scalar_d2", 'resources=Resources(cpu=("1", "2"), mem="100Mi")', d2=("mem",)),
    OverrideCase("accelerator_partition", "accelerator=A100.partition_1g_5gb"),
    OverrideCase("accelerator_unpartitioned", "accelerator=A100_80GB.unpartitioned"),
    OverrideCase("accelerator_on_plain_task", "accelerator=H100", task=PLAIN_TASK),
    OverrideCase("shared_memory_size", 'shared_memory="128Mi"'),
    OverrideCase("shared_memory_true", "shared_memory=True", task=PLAIN_TASK),
    OverrideCase("accelerator_and_shm", 'accelerator=L4, shared_memory="1Gi"', task=PLAIN_TASK),
    OverrideCase("interruptible_true", "interruptible=True"),
    OverrideCase("interruptible_false", "interruptible=False"),
    OverrideCase("retries", "retries=3"),
    OverrideCase("timeout_int", "timeout=10"),
    OverrideCase("timeout_timedelta", "timeout=timedelta(minutes=5)"),
    OverrideCase("timeout_none", "timeout=None", task=PLAIN_TASK),
    OverrideCase("cache_deprecated_kwargs", 'cache=True, cache_version="foo", cache_serialize=True'),
    OverrideCase("cache_object", 'cache=Cache(version="foo", serialize=True)'),
    OverrideCase("cache_false", "cache=False"),
    OverrideCase("container_image", 'container_image="hello/world:1"'),
    OverrideCase("pod_template", f"pod_template={SIDECAR}"),
    OverrideCase("pod_template_task_resources", f'pod_template={SIDECAR}, requests=Resources(cpu="3")'),
    OverrideCase("name_node_name", 'name="foo", node_name="t_1"'),
    OverrideCase(
        "everything",
        'requests=Resources(cpu="2"), limits=Resources(mem="2Gi"), accelerator=A100.partition_2g_10gb, '
        'shared_memory="64Mi", interruptible=True, retries=2, timeout=30, container_image="x/y:z", '
        'cache=Cache(version="v2")',
    ),
]

_FIELD = {"cpu": tasks_pb2.Resources.CPU, "mem": tasks_pb2.Resources.MEMORY}


def _nodes(task_source: str, overrides: str, case_id: str) -> tuple[Any, Any, str, str]:
    wf = f"\n\n@workflow\ndef wf(a: int) -> int:\n    return t(a=a).with_overrides({overrides})\n"
    fk_mod = h.load(task_source + wf, "flytekit", f"node_{case_id}")
    pp_mod = h.load(task_source + f"\n\nnode = t.with_overrides({overrides})\n", "podplan", f"node_{case_id}")
    return h.flytekit_node(fk_mod.wf), h.podplan_node(pp_mod.node), fk_mod.__name__, pp_mod.__name__


def _rename(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _rename(v, old, new) for k, v in value.items()}
    return value


def compare_nodes(fk: Any, pp: Any, fk_module: str, pp_module: str, d2: tuple[str, ...] = ()) -> None:
    """Assert the two ``workflow_pb2.Node`` messages agree (see the module docstring)."""
    assert fk.id == pp.id
    assert h.as_dict(fk.metadata) == h.as_dict(pp.metadata)
    assert _rename(h.as_dict(fk.task_node.reference_id), fk_module, pp_module) == h.as_dict(
        pp.task_node.reference_id
    )
    fk_ov, pp_ov = fk.task_node.overrides, pp.task_node.overrides
    fk_res = h.resources(fk_ov.resources)
    limits = dict(fk_res["limits"])
    for field in d2:
        limits[_FIELD[field]] = fk_res["requests"][_FIELD[field]]
    assert h.resources(pp_ov.resources) == {"requests": fk_res["requests"], "limits": limits}
    assert fk_ov.HasField("resources") == pp_ov.HasField("resources") or not (fk_res["requests"] or limits)
    assert h.as_dict(fk_ov.extended_resources.gpu_accelerator) == h.as_dict(
        pp_ov.extended_resources.gpu_accelerator
    )
    fk_shm, pp_shm = fk_ov.extended_resources.shared_memory, pp_ov.extended_resources.shared_memory
    assert fk_ov.extended_resources.HasField("shared_memory") == pp_ov.extended_resources.HasField(
        "shared_memory"
    )
    assert (fk_shm.mount_name, fk_shm.mount_path) == (pp_shm.mount_name, pp_shm.mount_path)
    assert (fk_shm.size_limit == "") == (pp_shm.size_limit == "")
    if fk_shm.size_limit:
        assert h.Quantity(fk_shm.size_limit) == h.Quantity(pp_shm.size_limit)
    assert fk_ov.container_image == pp_ov.container_image
    assert fk_ov.HasField("pod_template") == pp_ov.HasField("pod_template")
    if fk_ov.HasField("pod_template"):
        assert h.as_dict(fk_ov.pod_template.metadata) == h.as_dict(pp_ov.pod_template.metadata)
        assert fk_ov.pod_template.primary_container_name == pp_ov.pod_template.primary_container_name
        fk_spec = _rename(h.pod_spec(fk_ov.pod_template.pod_spec), fk_module, pp_module)
        assert fk_spec == h.pod_spec(pp_ov.pod_template.pod_spec)


def test_every_override_field_is_compared() -> None:
    compared = {"resources", "extended_resources", "container_image", "pod_template"}
    assert {f.name for f in workflow_pb2.TaskNodeOverrides.DESCRIPTOR.fields} == compared
    metadata = {
        "name",
        "timeout",
        "retries",
        "interruptible",
        "cacheable",
        "cache_version",
        "cache_serializable",
    }
    assert {f.name for f in workflow_pb2.NodeMetadata.DESCRIPTOR.fields} >= metadata


@pytest.mark.parametrize("case", OVERRIDE_CASES, ids=lambda c: c.id)
def test_node_matches_flytekit(case: OverrideCase) -> None:
    fk, pp, fk_module, pp_module = _nodes(case.task, case.overrides, case.id)
    compare_nodes(fk, pp, fk_module, pp_module, case.d2)


def test_chained_overrides_merge_d5() -> None:
    """D5: podplan keeps the accelerator and ``cacheable`` of an earlier call; flytekit resets them
    (spec §9.9). Fields flytekit keeps (resources, cache version, image) agree."""
    first = 'accelerator=A100, cache=True, cache_version="v1", requests=Resources(cpu="5")'
    chained = f"{first}).with_overrides(retries=1"
    fk, pp, fk_module, pp_module = _nodes(TASK, chained, "chained")
    assert not fk.task_node.overrides.HasField("extended_resources")  # flytekit forgot it
    assert pp.task_node.overrides.extended_resources.gpu_accelerator.device == "nvidia-tesla-a100"
    assert not fk.metadata.HasField("cacheable") and pp.metadata.cacheable is True
    # everything else agrees: compare against podplan's node with the two lost fields removed
    pp.task_node.overrides.ClearField("extended_resources")
    pp.metadata.ClearField("cacheable")
    compare_nodes(fk, pp, fk_module, pp_module)
    assert fk.metadata.retries.retries == pp.metadata.retries.retries == 1


def test_comparison_detects_a_difference() -> None:
    """The comparison is not vacuous: a changed override value fails it."""
    fk, pp, fk_module, pp_module = _nodes(TASK, 'requests=Resources(cpu="2")', "negative")
    pp.task_node.overrides.resources.requests[0].value = "3"
    with pytest.raises(AssertionError):
        compare_nodes(fk, pp, fk_module, pp_module)
