"""The builder's fast paths give exactly what the general path gives, and pods never share state.

- container tasks on production platforms take their final resource strings from the memoized
  admin step; ``explain=True`` always takes the general path, so the two are compared;
- per-platform plans (tolerations, selectors, requirements, env vars) are copied into each pod;
- ``.flytegen.`` labels are derived with one substitution; prune and the generated ``to_dict``
  converters agree with straightforward reference implementations.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podplan.podspec import Platform
from podplan.podspec.builder import build_pod_dict
from podplan.podspec.convert import model_to_dict, to_model, to_pod
from podplan.podspec.envs import flytegen_labels, sanitize_label_value
from podplan.podspec.presets import get_preset
from podplan.podspec.render import _MAP_FIELDS, prune
from podplan.podspec.source import struct_to_dict

RICH = {
    "plugins": {
        "k8s": {
            "default-tolerations": [{"key": "team", "operator": "Exists", "effect": "NoSchedule"}],
            "interruptible-tolerations": [{"key": "spot", "value": "true", "effect": "NoSchedule"}],
            "resource-tolerations": {"nvidia.com/gpu": [{"key": "gpu", "operator": "Exists"}]},
            "interruptible-node-selector-requirement": {
                "key": "capacity",
                "operator": "In",
                "values": ["spot"],
            },
            "non-interruptible-node-selector-requirement": {
                "key": "capacity",
                "operator": "In",
                "values": ["on-demand"],
            },
            "gpu-unpartitioned-node-selector-requirement": {
                "key": "mig",
                "operator": "NotIn",
                "values": ["true"],
            },
            "gpu-unpartitioned-toleration": {"key": "mig", "value": "false", "effect": "NoSchedule"},
            "default-env-vars": {"B": "2", "A": "1"},
            "default-env-from-secrets": ["creds"],
            "default-env-from-configmaps": ["settings"],
            "default-node-selector": {"pool": "general"},
            "interruptible-node-selector": {"spot": "yes"},
        }
    },
    "execution": {"envs": {"RUN": "x"}, "labels": {"team": "ml"}, "annotations": {"a/b": "c"}},
}


def _platforms() -> list[Any]:
    return [
        None,
        get_preset("gke-gpu"),
        get_preset("eks-gpu"),
        get_preset("gfd"),
        Platform.from_dict(RICH),
        Platform.from_dict({"task_resources": {"limits": {"cpu": "64", "memory": "512Gi", "gpu": "8"}}}),
        # admin sets no cpu/memory: the propeller step writes explicit zeros
        Platform.from_dict({"task_resources": {"defaults": {"cpu": "0", "memory": "0"}, "limits": {}}}),
    ]


def _templates(pb: Any) -> list[Any]:
    return [
        pb.container_task({"cpu": "2", "gpu": "1"}, {"cpu": "4", "memory": "8Gi", "gpu": "1"}),
        pb.container_task(
            None,
            {"gpu": "2"},
            accel=pb.accelerator("nvidia-tesla-a100", unpartitioned=True),
            shm=pb.shared_memory("2048Mi"),
            env={"Z": "1"},
        ),
        pb.container_task(
            {"memory": "1Gi", "ephemeral_storage": "1Gi"},
            {"gpu": "1"},
            accel=pb.accelerator("nvidia-tesla-a100", partition="1g.5gb"),
            shm=pb.shared_memory(),
            interruptible=True,
        ),
        pb.container_task(name="Weird.Task__Name", config={"link_type": "x"}),
    ]


@pytest.mark.parametrize("attempt", [0, 4])
@pytest.mark.parametrize("interruptible", [None, True, False])
def test_fast_path_equals_general_path(pb: Any, interruptible: bool | None, attempt: int) -> None:
    # explain=True never takes a fast path: both must give the same pod, key order included
    for platform in _platforms():
        for tmpl in _templates(pb):
            kwargs = {"interruptible": interruptible, "attempt": attempt}
            fast = build_pod_dict(tmpl, platform, **kwargs).pod  # type: ignore[arg-type]
            general = build_pod_dict(tmpl, platform, explain=True, **kwargs).pod  # type: ignore[arg-type]
            assert json.dumps(fast) == json.dumps(general)


def test_pods_share_no_mutable_state(pb: Any) -> None:
    platform = Platform.from_dict(RICH)
    tmpl = _templates(pb)[1]
    first = build_pod_dict(tmpl, platform, interruptible=True).pod
    expected = json.dumps(first)

    def scribble(value: Any) -> None:  # mutate every nested container in place
        if isinstance(value, dict):
            for v in list(value.values()):
                scribble(v)
            value["scribbled"] = True
        elif isinstance(value, list):
            for v in value:
                scribble(v)
            value.append("scribbled")

    scribble(first)
    again = build_pod_dict(tmpl, platform, interruptible=True).pod
    assert json.dumps(again) == expected
    spec = again["spec"]
    assert {"key": "spot", "value": "true", "effect": "NoSchedule"} in spec["tolerations"]
    assert any(
        r.get("key") == "capacity"
        for r in json.loads(expected)["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"
        ]["nodeSelectorTerms"][0]["matchExpressions"]
    )


def test_attempts_and_args_rendering_are_per_attempt(pb: Any) -> None:
    tmpl = pb.container_task(args=["run", "{{.outputPrefix}}", "{{ .perRetryUniqueKey }}", "{{.unknown}}"])
    args = [build_pod_dict(tmpl, attempt=n).pod["spec"]["containers"][0]["args"] for n in (0, 1, 0)]
    assert args[0] == args[2]
    assert args[0][1].endswith("/n0/data/0") and args[1][1].endswith("/n0/data/1")
    assert args[0][2] == "preview_n0_0" and args[1][2] == "preview_n0_1"
    assert args[0][3] == "{{.unknown}}"


def test_struct_keys_are_sorted_so_json_output_is_stable(pb: Any) -> None:
    one = {"containers": [{"name": "primary", "image": "img", "args": ["a"], "env": [{"name": "X"}]}]}
    two = {"containers": [{"env": [{"name": "X"}], "args": ["a"], "image": "img", "name": "primary"}]}
    pods = [json.dumps(build_pod_dict(pb.pod_task(spec)).pod) for spec in (one, two)]
    assert pods[0] == pods[1]
    from google.protobuf import struct_pb2

    s = struct_pb2.Struct()
    s.update({"b": 1, "a": {"d": 2.5, "c": [1, "x"]}})
    assert list(struct_to_dict(s)) == ["a", "b"]
    assert struct_to_dict(s) == {"a": {"c": [1, "x"], "d": 2.5}, "b": 1}


@given(st.text())
def test_flytegen_labels_equal_sanitizing_both_names(name: str) -> None:
    assert flytegen_labels(name) == (sanitize_label_value(f".flytegen.{name}"), sanitize_label_value(name))


@given(st.text(alphabet="-_.aZ9 \u03a3\u03c3\u03c2\u0130K\u212a", max_size=80))
def test_flytegen_labels_on_tricky_characters(name: str) -> None:
    assert flytegen_labels(name) == (sanitize_label_value(f".flytegen.{name}"), sanitize_label_value(name))


def _reference_prune(value: Any, key: str = "") -> Any:
    """The plain recursive definition of render.prune."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k.startswith("_"):
                continue
            pv = _reference_prune(v, k)
            if pv is None or pv == "" or (isinstance(pv, list) and not pv):
                continue
            if isinstance(pv, dict) and not pv and k in _MAP_FIELDS:
                continue
            out[k] = pv
        return out
    if isinstance(value, list):
        return [_reference_prune(v) for v in value]
    return value


class _Str(str):
    """A str subclass (takes prune's generic path)."""


_keys = st.sampled_from(["a", "_private", "labels", "requests", "spec", "", "b"])
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.sampled_from(["", "x", _Str(""), _Str("y")]),
)
_json = st.recursive(
    _leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)),
    max_leaves=30,
)


@given(_json)
def test_prune_agrees_with_its_reference_definition(value: Any) -> None:
    assert json.dumps(prune(value)) == json.dumps(_reference_prune(value))


_env = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(string.ascii_letters, max_size=5),
        "value": st.text(max_size=5),
        "valueFrom": st.one_of(st.none(), st.just({"fieldRef": {"fieldPath": "metadata.name"}})),
        "unknownKey": st.integers(),
    },
)
_containers = st.fixed_dictionaries(
    {"name": st.just("c")},
    optional={
        "env": st.lists(st.one_of(st.none(), _env), max_size=3),
        "args": st.lists(st.text(max_size=3), max_size=3),
        "resources": st.fixed_dictionaries({}, optional={"limits": st.just({"cpu": "1"})}),
        "volumeMounts": st.lists(st.just({"name": "v", "mountPath": "/v"}), max_size=2),
        "securityContext": st.none(),
    },
)


@given(
    st.fixed_dictionaries(
        {"containers": st.lists(_containers, max_size=2)},
        optional={
            "tolerations": st.lists(st.just({"key": "k", "operator": "Exists"}), max_size=2),
            "nodeSelector": st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
            "affinity": st.one_of(st.none(), st.just({"nodeAffinity": {}})),
            "volumes": st.lists(st.just({"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}), max_size=1),
        },
    )
)
def test_generated_to_dict_equals_the_kubernetes_models(spec: dict[str, Any]) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    eager = to_model(pod, "V1Pod").to_dict()
    assert json.dumps(model_to_dict(pod, "V1Pod")) == json.dumps(eager)  # key order included
    assert json.dumps(to_pod(pod).to_dict()) == json.dumps(eager)
