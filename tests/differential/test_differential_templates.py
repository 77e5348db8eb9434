"""Differential: the same task definitions under flytekit 1.16 and podplan, template field by field.

Only the import lines differ (differential_harness). Deviations that the comparison normalises,
each documented in docs/tasks.md:

* D3 — quantities are canonical strings: resources (container, pod template) and shared-memory
  size limits are compared by value;
* one resource-entry order (CPU, GPU, MEMORY, EPHEMERAL_STORAGE): entries compared as a set;
* D2 — a scalar in ``resources=`` sets request and limit in podplan, only the request in flytekit
  (cases with ``d2`` fields expect exactly that);
* ``metadata.runtime`` names the SDK (excluded);
* D1 — a pod spec given as a dict serializes like the same ``V1PodSpec`` (podplan only: flytekit
  accepts only ``V1PodSpec``; checked against the flytekit template of the V1PodSpec case).
"""

from __future__ import annotations

import warnings
from typing import Any

import differential_cases as cases
import differential_harness as h
import pytest
from flyteidl.core import tasks_pb2

pytestmark = pytest.mark.flytekit

_FIELD_NAMES = {
    "cpu": tasks_pb2.Resources.CPU,
    "mem": tasks_pb2.Resources.MEMORY,
    "gpu": tasks_pb2.Resources.GPU,
}
_FIELD_NAMES["ephemeral_storage"] = tasks_pb2.Resources.EPHEMERAL_STORAGE

#: every TaskTemplate field and how it is compared (a new proto field fails the coverage test)
COMPARED_FIELDS = (
    "id",
    "type",
    "metadata",
    "interface",
    "custom",
    "container",
    "k8s_pod",
    "sql",
    "task_type_version",
    "security_context",
    "extended_resources",
    "config",
)


def test_every_template_field_is_compared() -> None:
    assert {f.name for f in tasks_pb2.TaskTemplate.DESCRIPTOR.fields} == set(COMPARED_FIELDS)


def test_at_least_forty_definitions() -> None:
    assert len(cases.HAND_WRITTEN) >= 40
    assert len({c.id for c in cases.CASES}) == len(cases.CASES)


def _expected_resources(fk: dict[str, dict[int, Any]], d2: tuple[str, ...]) -> dict[str, dict[int, Any]]:
    """flytekit's resources with the D2 rule applied: scalar fields also become limits."""
    limits = dict(fk["limits"])
    for field in d2:
        name = _FIELD_NAMES[field]
        limits[name] = fk["requests"][name]
    return {"requests": fk["requests"], "limits": limits}


def compare_templates(fk: Any, pp: Any, fk_module: str, pp_module: str, case: cases.Case) -> None:
    """Assert ``fk`` and ``pp`` agree field by field, up to the documented deviations."""

    def fk_dict(message: Any) -> dict[str, Any]:
        return _rename_dict(h.as_dict(message), fk_module, pp_module)

    # id: same project/domain/version, same name once the module name is mapped
    assert fk_dict(fk.id) == h.as_dict(pp.id)
    assert fk.type == pp.type
    assert fk.task_type_version == pp.task_type_version
    # metadata, runtime excluded
    fk_meta, pp_meta = tasks_pb2.TaskMetadata(), tasks_pb2.TaskMetadata()
    fk_meta.CopyFrom(fk.metadata)
    pp_meta.CopyFrom(pp.metadata)
    assert fk_meta.runtime.flavor == pp_meta.runtime.flavor == "python"
    fk_meta.ClearField("runtime")
    pp_meta.ClearField("runtime")
    assert h.as_dict(fk_meta) == h.as_dict(pp_meta)
    assert h.as_dict(fk.interface) == h.as_dict(pp.interface)
    assert fk.HasField("custom") == pp.HasField("custom")
    assert h.as_dict(fk.custom) == h.as_dict(pp.custom)
    # container: resources by value, everything else exactly
    assert fk.HasField("container") == pp.HasField("container")
    if fk.HasField("container"):
        assert h.resources(pp.container.resources) == _expected_resources(
            h.resources(fk.container.resources), case.d2
        )
        fk_c, pp_c = tasks_pb2.Container(), tasks_pb2.Container()
        fk_c.CopyFrom(fk.container)
        pp_c.CopyFrom(pp.container)
        fk_c.ClearField("resources")
        pp_c.ClearField("resources")
        assert fk_dict(fk_c) == h.as_dict(pp_c)
    # pod: metadata, primary container name, pod spec (resources by value)
    assert fk.HasField("k8s_pod") == pp.HasField("k8s_pod")
    if fk.HasField("k8s_pod"):
        assert h.as_dict(fk.k8s_pod.metadata) == h.as_dict(pp.k8s_pod.metadata)
        assert fk.k8s_pod.primary_container_name == pp.k8s_pod.primary_container_name
        assert fk.k8s_pod.HasField("data_config") == pp.k8s_pod.HasField("data_config")
        fk_spec = _rename_dict(h.pod_spec(fk.k8s_pod.pod_spec), fk_module, pp_module)
        assert fk_spec == h.pod_spec(pp.k8s_pod.pod_spec)
    assert h.as_dict(fk.sql) == h.as_dict(pp.sql)
    assert h.as_dict(fk.security_context) == h.as_dict(pp.security_context)
    # extended resources: accelerator exactly, shared-memory size by value
    assert fk.HasField("extended_resources") == pp.HasField("extended_resources")
    fk_x, pp_x = fk.extended_resources, pp.extended_resources
    assert h.as_dict(fk_x.gpu_accelerator) == h.as_dict(pp_x.gpu_accelerator)
    assert fk_x.HasField("shared_memory") == pp_x.HasField("shared_memory")
    assert (fk_x.shared_memory.mount_name, fk_x.shared_memory.mount_path) == (
        pp_x.shared_memory.mount_name,
        pp_x.shared_memory.mount_path,
    )
    fk_size, pp_size = fk_x.shared_memory.size_limit, pp_x.shared_memory.size_limit
    assert (fk_size == "") == (pp_size == "")
    if fk_size:
        assert h.Quantity(fk_size) == h.Quantity(pp_size)
    assert dict(fk.config) == dict(pp.config)


def _rename_dict(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_rename_dict(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _rename_dict(v, old, new) for k, v in value.items()}
    return value


def _both(case: cases.Case) -> tuple[Any, Any, Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # disable_deck: both warn, checked below
        fk_mod = h.load(case.source, "flytekit", case.id)
        pp_mod = h.load(case.source, "podplan", case.id)
    fk = h.flytekit_template(fk_mod.t, case.env, case.defaults)
    pp = h.podplan_template(pp_mod.t, case.env, case.defaults)
    return fk, pp, fk_mod, pp_mod


@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.id)
def test_template_matches_flytekit(case: cases.Case) -> None:
    fk, pp, fk_mod, pp_mod = _both(case)
    compare_templates(fk, pp, fk_mod.__name__, pp_mod.__name__, case)


def test_d2_flytekit_sets_only_the_request_for_a_scalar() -> None:
    """What flytekit really does with ``resources=Resources(cpu="1")`` (spec §1.4, bug §9.3)."""
    case = next(c for c in cases.CASES if c.id == "resources_scalar_d2")
    fk, pp, _, _ = _both(case)
    cpu, mem = tasks_pb2.Resources.CPU, tasks_pb2.Resources.MEMORY
    assert h.resources(fk.container.resources)["limits"] == {}
    assert h.resources(pp.container.resources)["limits"] == {cpu: h.Quantity("1"), mem: h.Quantity("1Gi")}


def test_canonical_strings_differ_only_in_spelling() -> None:
    """D3: flytekit copies the user's strings, podplan writes canonical ones of equal value."""
    case = next(c for c in cases.CASES if c.id == "non_canonical_strings")
    fk, pp, _, _ = _both(case)
    fk_values = sorted(e.value for e in fk.container.resources.requests)
    pp_values = sorted(e.value for e in pp.container.resources.requests)
    assert fk_values == ["1000m", "1024Mi"]
    assert pp_values == ["1", "1Gi"]


def test_dict_pod_spec_equals_flytekit_v1podspec() -> None:
    """A podplan pod spec written as a dict serializes as flytekit's V1PodSpec of the same pod."""
    case = next(c for c in cases.CASES if c.id == "pod_template_sidecar")
    fk, _, fk_mod, _ = _both(case)
    dict_source = case.source.replace(
        "pod_spec=V1PodSpec(",
        "pod_spec=dict(",
    ).replace(
        """    pod_spec=dict(
        containers=[
            V1Container(name="main", env=[V1EnvVar(name="MY_KEY", value="MY_VALUE")]),
            V1Container(name="sidecar", image="busybox:1.36", args=["sleep", "infinity"]),
        ],
        tolerations=[V1Toleration(key="gpu", operator="Exists", effect="NoSchedule")],
        node_selector={"pool": "gpu"},
    ),""",
        """    pod_spec={
        "containers": [
            {"name": "main", "env": [{"name": "MY_KEY", "value": "MY_VALUE"}]},
            {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "infinity"]},
        ],
        "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "nodeSelector": {"pool": "gpu"},
    },""",
    )
    assert "nodeSelector" in dict_source
    pp_mod = h.load(dict_source, "podplan", "pod_template_dict")
    pp = h.podplan_template(pp_mod.t)
    compare_templates(fk, pp, fk_mod.__name__, pp_mod.__name__, case)


def test_comparison_detects_differences() -> None:
    """The comparison is not vacuous: each kind of change fails it."""
    case = next(c for c in cases.CASES if c.id == "mig_shm_training")
    fk, pp, fk_mod, pp_mod = _both(case)
    compare_templates(fk, pp, fk_mod.__name__, pp_mod.__name__, case)
    mutations = [
        lambda t: setattr(t.container.resources.requests[0], "value", "3"),
        lambda t: t.container.args.append("extra"),
        lambda t: setattr(t.extended_resources.shared_memory, "size_limit", "1Gi"),
        lambda t: setattr(t.extended_resources.gpu_accelerator, "partition_size", "2g.10gb"),
        lambda t: setattr(t.metadata.retries, "retries", 1),
        lambda t: setattr(t.interface.inputs.variables["a"], "description", "x"),
        lambda t: t.config.update({"k": "v"}),
    ]
    for mutate in mutations:
        changed = tasks_pb2.TaskTemplate()
        changed.CopyFrom(pp)
        mutate(changed)
        with pytest.raises(AssertionError):
            compare_templates(fk, changed, fk_mod.__name__, pp_mod.__name__, case)


@pytest.mark.parametrize(
    "case_id", ["docs", "interface_docstring_descriptions", "interface_google_docstring"]
)
def test_documentation_matches_flytekit(case_id: str) -> None:
    """``docs`` (TaskSpec.docs in flytekit, not part of the template): same short and long text
    where the function has no docstring to override explicit docs (flytekit bug §9.22)."""
    from collections import OrderedDict

    from flytekit.tools.translator import get_serializable

    case = next(c for c in cases.CASES if c.id == case_id)
    fk_mod = h.load(case.source, "flytekit", case.id)
    pp_mod = h.load(case.source, "podplan", case.id)
    fk_docs = get_serializable(OrderedDict(), h.flytekit_settings(), fk_mod.t).docs
    pp_docs = pp_mod.t.docs
    assert fk_docs.short_description == pp_docs.short_description
    fk_long = fk_docs.long_description.value if fk_docs.long_description else None
    pp_long = pp_docs.long_description.value if pp_docs.long_description else None
    assert (fk_long or None) == (pp_long or None)


def test_disable_deck_warns_in_both() -> None:
    """``disable_deck`` is deprecated: both SDKs emit flytekit's FutureWarning."""
    case = next(c for c in cases.CASES if c.id == "disable_deck_false")
    for sdk in ("flytekit", "podplan"):
        with pytest.warns(FutureWarning, match="disable_deck was deprecated in 1.10.0"):
            h.load(case.source, sdk, case.id)


@pytest.mark.parametrize(
    ("source", "stage", "check"),
    [
        # D3: numbers are quantities (flytekit: protobuf TypeError at serialization, §9.1)
        (
            "@task(requests=Resources(cpu=1, mem=1024))\ndef t(a: int) -> int:\n    return a\n",
            "serialize",
            lambda pb: sorted(e.value for e in pb.container.resources.requests) == ["1", "1024"],
        ),
        # D5: cache=True derives a version (flytekit: ValueError at decoration, §9.18)
        (
            "@task(cache=True)\ndef t(a: int) -> int:\n    return a\n",
            "decorate",
            lambda pb: pb.metadata.discoverable and len(pb.metadata.discovery_version) == 64,
        ),
    ],
    ids=["numeric-resources-D3", "cache-without-version-D5"],
)
def test_flytekit_fails_where_podplan_serializes(source: str, stage: str, check: Any) -> None:
    """Definitions flytekit rejects and podplan accepts (documented deviations, not bugs)."""
    if stage == "decorate":
        with pytest.raises(ValueError):
            h.load(source, "flytekit", "fk_fails")
    else:
        fk_mod = h.load(source, "flytekit", "fk_fails")
        with pytest.raises(TypeError):
            h.flytekit_template(fk_mod.t)
    pp_mod = h.load(source, "podplan", "pp_ok")
    assert check(h.podplan_template(pp_mod.t))
