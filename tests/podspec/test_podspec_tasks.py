"""build_pod on podplan tasks, with_overrides nodes and flytekit tasks; interruptible resolution."""

from __future__ import annotations

import pytest
from kubernetes.client import V1Pod

from podplan import Resources, task
from podplan.accelerators import A100, T4
from podplan.errors import PodBuildError
from podplan.podspec import Platform, build_pod, explain_pod, schema_errors
from podplan.podspec.render import pod_to_k8s_json


@task(
    resources=Resources(cpu=("2", "4"), mem="8Gi", gpu=1),
    accelerator=A100.partition_1g_5gb,
    shared_memory="2Gi",
    interruptible=True,
)
def train(epochs: int) -> int:
    """A GPU task with every pod-shaping feature."""
    return epochs


@task(resources=Resources(cpu="1", mem="1Gi", gpu=1), accelerator=T4, retries=3)
def embed(batch: int) -> int:
    """A task reused through with_overrides."""
    return batch


GKE = "gke-gpu"


def _json(pod: V1Pod) -> dict:
    data = pod_to_k8s_json(pod)
    assert schema_errors(data) == []
    return data


def test_build_pod_returns_a_valid_v1pod_for_a_task() -> None:
    pod = build_pod(train)
    assert isinstance(pod, V1Pod)
    data = _json(pod)
    c = data["spec"]["containers"][0]
    assert c["resources"]["limits"] == {"cpu": "2", "memory": "1Gi", "nvidia.com/gpu": "1"}  # stock clamps
    assert data["spec"]["volumes"][0]["emptyDir"] == {"medium": "Memory", "sizeLimit": "2Gi"}
    assert data["metadata"]["labels"]["interruptible"] == "true"


def test_platform_by_preset_name_and_mapping() -> None:
    gke = _json(build_pod(train, GKE))
    exprs = gke["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    keys = [e["key"] for e in exprs["nodeSelectorTerms"][0]["matchExpressions"]]
    assert keys == [
        "cloud.google.com/gke-spot",
        "cloud.google.com/gke-accelerator",
        "cloud.google.com/gke-gpu-partition-size",
    ]
    generous = {"task_resources": {"limits": {"cpu": "64", "memory": "512Gi", "gpu": "8"}}}
    c = _json(build_pod(train, generous))["spec"]["containers"][0]
    assert c["resources"]["requests"] == {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"}
    assert c["resources"]["limits"] == {"cpu": "4", "memory": "8Gi", "nvidia.com/gpu": "1"}


def test_with_overrides_node_is_previewed() -> None:
    node = embed.with_overrides(
        accelerator=A100.partition_3g_20gb, limits=Resources(mem="16Gi"), interruptible=True
    )
    plat = {"task_resources": {"limits": {"cpu": "8", "memory": "64Gi", "gpu": "8"}}}
    data = _json(build_pod(node, plat))
    c = data["spec"]["containers"][0]
    assert c["resources"]["limits"]["memory"] == "16Gi"  # the override limit
    assert c["resources"]["requests"]["memory"] == "1Gi"  # request untouched by a limit override
    values = [
        e.get("values")
        for e in data["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"
        ][0]["matchExpressions"]
    ]
    assert values == [["nvidia-tesla-a100"], ["3g.20gb"]]
    assert data["metadata"]["labels"]["interruptible"] == "true"


def test_interruptible_argument_and_demotion_by_attempt() -> None:
    assert _json(build_pod(train, GKE, interruptible=False))["metadata"]["labels"]["interruptible"] == "false"
    # default node-config: after 3 system failures the 4th attempt is not interruptible (spec §5.2)
    labels = [
        _json(build_pod(train, GKE, attempt=n))["metadata"]["labels"]["interruptible"] for n in range(5)
    ]
    assert labels == ["true", "true", "true", "false", "false"]
    assert _json(build_pod(train, attempt=2))["metadata"]["name"] == "preview-n0-2"


def test_ignore_retry_cause_uses_task_retries() -> None:
    plat = Platform.from_dict({"propeller": {"node-config": {"ignore-retry-cause": True}}})
    node = embed.with_overrides(interruptible=True)
    labels = [
        _json(build_pod(node, plat, attempt=n))["metadata"]["labels"]["interruptible"] for n in range(5)
    ]
    assert labels == ["true", "true", "true", "false", "false"]  # retries=3: the last attempt is on-demand


def test_explain_names_the_source_of_each_value() -> None:
    ex = explain_pod(train)
    assert ex.source_of("containers[preview-n0-0].limits.cpu") == "platform clamp (limit 2); was 4 (task)"
    assert ex.source_of("containers[preview-n0-0].requests.cpu") == "task"
    text = ex.render()
    assert "accelerator rule (device nvidia-tesla-a100)" in text
    assert "accelerator rule (partition 1g.5gb)" in text
    assert "shared-memory rule (size 2Gi)" in text
    assert "interruptible=true (task metadata" in text
    gke = explain_pod(train, GKE).render()
    assert "interruptible rule (interruptible-tolerations)" in gke
    assert "interruptible rule (interruptible-node-selector-requirement)" in gke


def test_explain_platform_default_and_override_sources() -> None:
    @task
    def plain() -> None:
        """No resources at all."""

    ex = explain_pod(plain)
    assert ex.source_of("containers[preview-n0-0].requests.cpu") == "platform default (admin task_resources)"
    assert ex.source_of("containers[preview-n0-0].limits.memory") == (
        "platform default (admin task_resources) (limit copied from request)"
    )
    node = embed.with_overrides(limits=Resources(cpu="1500m"))
    ex2 = explain_pod(node, {"task_resources": {"limits": {"cpu": "8", "memory": "8Gi", "gpu": "1"}}})
    assert ex2.source_of("containers[preview-n0-0].limits.cpu") == "override"


def test_explain_reports_base_template_and_config_sources() -> None:
    tpl = {
        "kind": "PodTemplate",
        "metadata": {"name": "base"},
        "template": {
            "metadata": {"labels": {"team": "ml"}},
            "spec": {
                "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
                "containers": [{"name": "default", "resources": {"requests": {"ephemeral-storage": "10Gi"}}}],
            },
        },
    }
    plat = {
        "plugins": {
            "k8s": {"default-pod-template-name": "base", "default-node-selector": {"pool": "general"}}
        },
        "pod_templates": {"base": tpl},
    }
    ex = explain_pod(embed, plat)
    rows = {item: text for _, item, text in ex.rows}
    assert rows["dedicated Exists:NoSchedule"].endswith("base template (base)")
    assert rows["pool"].endswith("platform config (default-node-selector)")
    assert rows["team"].endswith("base template (base)")
    assert rows["containers[preview-n0-0].requests.ephemeral-storage"].endswith("base template")


def test_not_a_task_is_rejected() -> None:
    with pytest.raises(PodBuildError, match="cannot preview"):
        build_pod(object())


def test_flytekit_task_previews_identically() -> None:
    import flytekit  # in the test extra: a missing flytekit fails here, never skips
    from flytekit.extras.accelerators import A100 as FK_A100

    @flytekit.task(
        requests=flytekit.Resources(cpu="2", mem="8Gi", gpu="1"),
        limits=flytekit.Resources(cpu="4", mem="8Gi", gpu="1"),
        accelerator=FK_A100.partition_1g_5gb,
        shared_memory="2Gi",
        interruptible=True,
    )
    def train(epochs: int) -> int:
        return epochs

    @task(
        requests=Resources(cpu="2", mem="8Gi", gpu="1"),
        limits=Resources(cpu="4", mem="8Gi", gpu="1"),
        accelerator=A100.partition_1g_5gb,
        shared_memory="2Gi",
        interruptible=True,
    )
    def train_pp(epochs: int) -> int:
        return epochs

    fk = pod_to_k8s_json(build_pod(train, GKE))
    pp = pod_to_k8s_json(build_pod(train_pp, GKE))
    assert fk["spec"]["containers"][0]["resources"] == pp["spec"]["containers"][0]["resources"]
    assert fk["spec"]["affinity"] == pp["spec"]["affinity"]
    assert fk["spec"]["tolerations"] == pp["spec"]["tolerations"]
    assert fk["spec"]["volumes"] == pp["spec"]["volumes"]
    assert fk["metadata"]["labels"]["interruptible"] == pp["metadata"]["labels"]["interruptible"] == "true"
