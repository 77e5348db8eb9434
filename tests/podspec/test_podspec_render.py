"""Rendering, V1Pod conversion, the admission check and mergo merge semantics."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kubernetes.client import V1Pod

from podplan.podspec import build_pod_from_template, render_json, render_yaml, schema_errors, validate_pod
from podplan.podspec.builder import build_pod_dict
from podplan.podspec.convert import model_to_dict, to_model, to_pod
from podplan.podspec.merge import extract_template_resources, mergo


def test_v1pod_is_lazy_but_equal_to_the_eager_model(pb) -> None:
    task = pb.container_task(
        {"gpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100", "1g.5gb"), shm=pb.shared_memory("1Gi")
    )
    raw = build_pod_dict(task).pod
    lazy = build_pod_from_template(task)
    eager = to_model(raw, "V1Pod")
    assert isinstance(lazy, V1Pod) and isinstance(eager, V1Pod)
    assert lazy.to_dict() == eager.to_dict() == model_to_dict(raw, "V1Pod")
    assert lazy.spec.containers[0].resources.limits["nvidia.com/gpu"] == "1"
    assert lazy.spec.volumes[0].empty_dir.size_limit == "1Gi"
    assert lazy == eager


def test_lazy_pod_mutation_is_visible_in_to_dict(pb) -> None:
    pod = build_pod_from_template(pb.container_task())
    pod.spec.scheduler_name = "custom"
    assert pod.to_dict()["spec"]["scheduler_name"] == "custom"
    assert json.loads(render_json(pod))["spec"]["schedulerName"] == "custom"


def test_yaml_is_kubectl_style(pb) -> None:
    text = render_yaml(build_pod_from_template(pb.container_task({"cpu": "1"}, shm=pb.shared_memory())))
    assert text.startswith("apiVersion: v1\nkind: Pod\n")
    assert 'cpu: "1"' in text  # numeric-looking strings are double-quoted like kubectl
    assert 'sizeLimit: "0"' in text
    assert "null" not in text and "''" not in text
    data = yaml.safe_load(text)
    assert data["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "1"
    assert schema_errors(data) == []


def test_json_is_camel_case_kubernetes_form(pb) -> None:
    data = json.loads(render_json(build_pod_from_template(pb.container_task(interruptible=True))))
    assert list(data)[:4] == ["apiVersion", "kind", "metadata", "spec"]
    assert "restartPolicy" in data["spec"] and "restart_policy" not in data["spec"]
    assert data["metadata"]["labels"]["interruptible"] == "true"


def test_schema_errors_report_unknown_fields() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [{"name": "a", "imag": "b"}]},
    }
    errors = schema_errors(pod)
    assert errors and "imag" in errors[0]


# -- admission ------------------------------------------------------------------------------------


def _pod(resources: dict) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "spec": {"containers": [{"name": "c", "resources": resources}]},
    }


@pytest.mark.parametrize(
    ("resources", "codes"),
    [
        ({"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}, []),
        ({"requests": {"cpu": "100m"}, "limits": {"cpu": "0"}}, ["request-above-limit"]),
        ({"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}, ["request-above-limit"]),
        ({"requests": {"nvidia.com/gpu": "1"}}, ["extended-no-limit"]),
        (
            {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "2"}},
            ["extended-request-ne-limit"],
        ),
        ({"limits": {"nvidia.com/gpu": "500m"}}, ["extended-not-integer"]),
        ({"limits": {"gpu": "1"}}, ["resource-name"]),
        ({"limits": {"cpu": "1GB"}}, ["quantity"]),
        ({"limits": {"memory": "-1"}}, ["quantity"]),
        ({"limits": {"hugepages-2Mi": "1Gi", "amd.com/gpu": "1"}, "requests": {"amd.com/gpu": "1"}}, []),
    ],
)
def test_admission_rules(resources: dict, codes: list[str]) -> None:
    assert [p.code for p in validate_pod(_pod(resources))] == codes


def test_gpu_request_ne_limit_kept_and_reported(pb) -> None:
    # spec §9.5: the backend keeps request != limit for GPUs; Kubernetes rejects it.
    task = pb.pod_task(
        {
            "containers": [
                {
                    "name": "primary",
                    "image": "i",
                    "resources": {"requests": {"gpu": "1"}, "limits": {"gpu": "2"}},
                }
            ]
        }
    )
    from podplan.podspec import Platform

    pod = build_pod_from_template(task, Platform.for_go_tests(base="defaults"))
    assert pod.spec.containers[0].resources.requests["nvidia.com/gpu"] == "1"
    assert pod.spec.containers[0].resources.limits["nvidia.com/gpu"] == "2"
    assert [p.code for p in validate_pod(pod)] == ["extended-request-ne-limit"]


def test_sidecar_request_without_limit_gets_zero_limit_and_is_rejected(pb) -> None:
    # spec §9.2: non-primary containers keep an explicit zero limit.
    spec = {
        "containers": [
            {"name": "primary", "image": "i"},
            {"name": "side", "image": "i", "resources": {"requests": {"cpu": "100m"}}},
        ]
    }
    problems = validate_pod(build_pod_from_template(pb.pod_task(spec)))
    assert [(p.code, p.path) for p in problems] == [
        ("request-above-limit", "spec.containers[1].resources.requests[cpu]")
    ]


# -- mergo semantics ----------------------------------------------------------------------------


def test_mergo_scalars_maps_and_slices() -> None:
    tpl = {
        "schedulerName": "tpl",
        "hostNetwork": True,
        "nodeSelector": {"a": "1", "b": "1"},
        "tolerations": [{"key": "t"}],
    }
    task = {
        "schedulerName": "",
        "hostNetwork": False,
        "nodeSelector": {"b": "2"},
        "tolerations": [{"key": "k"}],
    }
    merged = mergo(tpl, task)
    assert merged["schedulerName"] == "tpl"  # an empty task value never clears the template's
    assert merged["hostNetwork"] is True  # spec §9.12
    assert merged["nodeSelector"] == {"a": "1", "b": "2"}
    assert merged["tolerations"] == [{"key": "t"}, {"key": "k"}]  # template first
    assert tpl["tolerations"] == [{"key": "t"}]  # inputs untouched


@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=3)),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(max_size=3)),
)
def test_mergo_non_empty_task_scalars_win(tpl: dict, task: dict) -> None:
    merged = mergo(tpl, task)
    for key in set(tpl) | set(task):
        if task.get(key):
            assert merged[key] == task[key]
        elif key in tpl:
            assert merged[key] == tpl[key]


@given(st.lists(st.integers(), max_size=4), st.lists(st.integers(), max_size=4))
def test_mergo_appends_lists_template_first(a: list, b: list) -> None:
    assert mergo({"x": a}, {"x": b})["x"] == a + b


def test_template_command_args_and_env_are_appended(pb) -> None:
    from podplan.podspec import Platform

    tpl = {
        "kind": "PodTemplate",
        "metadata": {"name": "t"},
        "template": {
            "spec": {
                "containers": [{"name": "default", "args": ["--tpl"], "env": [{"name": "A", "value": "tpl"}]}]
            }
        },
    }
    plat = Platform.from_dict({"pod_templates": {"t": tpl}})
    pod = pb.build(pb.container_task(args=["run"], env={"A": "task"}, pod_template_name="t"), plat)
    c = pb.container(pod)
    assert c["args"] == ["--tpl", "run"]  # spec §9.10
    assert [e["value"] for e in c["env"] if e["name"] == "A"] == ["tpl", "task"]


def test_extract_template_resources_lookup_order() -> None:
    tpl = {
        "template": {
            "spec": {
                "containers": [
                    {"name": "default", "resources": {"requests": {"cpu": "1"}}},
                    {"name": "primary", "resources": {"requests": {"cpu": "100m"}}},
                    {"name": "named", "resources": {"requests": {"cpu": "3"}}},
                ],
                "initContainers": [{"name": "default-init", "resources": {"requests": {"cpu": "5"}}}],
            }
        }
    }
    assert extract_template_resources(tpl, "named", False) == {"requests": {"cpu": "3"}}
    assert extract_template_resources(tpl, "non-existent-container", False) == {"requests": {"cpu": "100m"}}
    assert extract_template_resources(tpl, "x", True) == {"requests": {"cpu": "5"}}
    assert extract_template_resources(None, "x", False) is None


def test_affinity_or_widening_with_template_term(pb) -> None:
    # spec §9.11: the template's own required term is OR-ed with Flyte's interruptible term.
    from podplan.podspec import Platform

    term = {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["gpu"]}]}
    tpl = {
        "kind": "PodTemplate",
        "metadata": {"name": "t"},
        "template": {
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
                    }
                }
            }
        },
    }
    plat = Platform.from_dict(
        {
            "plugins": {
                "k8s": {
                    "interruptible-node-selector-requirement": {
                        "key": "spot",
                        "operator": "In",
                        "values": ["true"],
                    }
                }
            },
            "pod_templates": {"t": tpl},
        }
    )
    pod = pb.build(
        pb.container_task({"gpu": "1"}, accel=pb.accelerator("nvidia-l4"), pod_template_name="t"),
        plat,
        interruptible=True,
    )
    keys = [[e["key"] for e in t] for t in pb.required_terms(pod)]
    assert keys == [["pool", "k8s.amazonaws.com/accelerator"], ["spot", "k8s.amazonaws.com/accelerator"]]


def test_restart_policy_from_template_is_overridden(pb) -> None:
    from podplan.podspec import Platform

    tpl = {
        "kind": "PodTemplate",
        "metadata": {"name": "t"},
        "template": {"spec": {"restartPolicy": "OnFailure"}},
    }
    plat = Platform.from_dict(
        {"pod_templates": {"t": tpl}, "plugins": {"k8s": {"default-pod-template-name": "t"}}}
    )
    assert pb.build(pb.container_task(), plat)["spec"]["restartPolicy"] == "Never"  # spec §9.13


def test_to_pod_eager_mode(pb) -> None:
    raw = build_pod_dict(pb.container_task()).pod
    eager = to_pod(raw, lazy=False)
    assert type(eager) is V1Pod
    assert eager.metadata.name == "preview-n0-0"


def test_quantity_spelling_is_kept_per_format(pb) -> None:
    # equal values in different formats print differently; no cache may mix them up
    spec = {
        "containers": [
            {"name": "primary", "image": "i", "resources": {"limits": {"memory": "1Gi"}}},
            {"name": "side", "image": "i", "resources": {"limits": {"memory": "1073741824"}}},
        ]
    }
    pod = pb.build(pb.pod_task(spec))
    assert pb.resources(pod, "primary")[1]["memory"] == "1Gi"
    assert pb.resources(pod, "side")[1]["memory"] == "1073741824"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"requests": {"cpu": "500m"}, "limits": {"memory": "600Mi"}},
        {"requests": {"gpu": "1", "ephemeral_storage": "10Gi"}},
        {"requests": {"cpu": "8", "memory": "64Gi"}, "limits": {"cpu": "16"}},
    ],
)
@pytest.mark.parametrize(
    "platform",
    [
        None,
        {"task_resources": {"defaults": {"cpu": "0", "memory": "0"}, "limits": {}}},
        {"task_resources": {"defaults": {"cpu": "1", "gpu": "2"}, "limits": {"cpu": "4", "memory": "8Gi"}}},
    ],
)
def test_explain_does_not_change_the_pod(pb, kwargs: dict, platform: dict | None) -> None:
    # the non-explain path skips the (idempotent) propeller step after admin; both must agree
    from podplan.podspec import Platform

    plat = Platform.from_dict(platform) if platform is not None else None
    task = pb.container_task(**kwargs)
    assert build_pod_dict(task, plat).pod == build_pod_dict(task, plat, explain=True).pod


_CPU = st.sampled_from(["100m", "500m", "1", "2", "3", "8"])
_MEM = st.sampled_from(["64Mi", "200Mi", "1Gi", "3Gi", "16Gi"])


@given(
    st.one_of(st.none(), _CPU),
    st.one_of(st.none(), _CPU),
    st.one_of(st.none(), _MEM),
    st.one_of(st.none(), _MEM),
    st.one_of(st.none(), _CPU),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # pb is stateless
def test_production_pods_respect_platform_ceilings(
    pb, cpu_req, cpu_lim, mem_req, mem_lim, override_cpu
) -> None:
    # law: on a production platform every primary value is set, request <= limit <= admin limit
    from podplan.resources import Quantity

    req = {k: v for k, v in (("cpu", cpu_req), ("memory", mem_req)) if v}
    lim = {k: v for k, v in (("cpu", cpu_lim), ("memory", mem_lim)) if v}
    if "cpu" in req and "cpu" in lim and Quantity(req["cpu"]) > Quantity(lim["cpu"]):
        req["cpu"], lim["cpu"] = lim["cpu"], req["cpu"]
    if "memory" in req and "memory" in lim and Quantity(req["memory"]) > Quantity(lim["memory"]):
        req["memory"], lim["memory"] = lim["memory"], req["memory"]
    o = pb.overrides(limits={"cpu": override_cpu}) if override_cpu else None
    pod = build_pod_dict(pb.container_task(req, lim), overrides=o).pod
    res = pod["spec"]["containers"][0]["resources"]
    ceilings = {"cpu": Quantity("2"), "memory": Quantity("1Gi")}
    for name, ceiling in ceilings.items():
        r, lv = Quantity(res["requests"][name]), Quantity(res["limits"][name])
        assert Quantity(0) < r <= lv <= ceiling


def test_sidecar_task_type_version_1(pb) -> None:
    from flyteidl.core import identifier_pb2, tasks_pb2
    from google.protobuf import struct_pb2

    custom = struct_pb2.Struct()
    custom.update({"containers": [{"name": "main", "image": "img"}, {"name": "helper", "image": "img"}]})
    t = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(name="sc"), type="sidecar", task_type_version=1, custom=custom
    )
    t.config["primary_container_name"] = "main"
    pod = pb.build(t)
    assert pod["metadata"]["annotations"]["primary_container_name"] == "main"
    assert [c["name"] for c in pod["spec"]["containers"]] == ["main", "helper"]
    t.config.clear()
    with pytest.raises(Exception, match="primary_container_name"):
        pb.build(t)
