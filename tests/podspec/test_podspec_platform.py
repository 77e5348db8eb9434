"""Platform: defaults, strict keys with suggestions, presets, Helm values / ConfigMap extraction."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from podplan.errors import PlatformError
from podplan.podspec import Platform, load_platform, platform_schema, preset_names
from podplan.podspec.loading import extract_flyte_config


def test_stock_platform_matches_flyte_built_in_defaults() -> None:
    p = Platform()
    k8s = p.plugins.k8s
    assert k8s.default_annotations == {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}
    assert (k8s.default_cpus, k8s.default_memory) == ("1", "1Gi")
    assert k8s.gpu_resource_name == "nvidia.com/gpu"
    assert k8s.gpu_device_node_label == "k8s.amazonaws.com/accelerator"
    assert k8s.gpu_partition_size_node_label == "k8s.amazonaws.com/gpu-partition-size"
    assert p.task_resources is not None
    assert (p.task_resources.defaults.cpu, p.task_resources.defaults.memory) == ("2", "200Mi")
    assert (p.task_resources.limits.cpu, p.task_resources.limits.memory, p.task_resources.limits.gpu) == (
        "2",
        "1Gi",
        "1",
    )
    nc = p.propeller.node_config
    assert (nc.interruptible_failure_threshold, nc.max_node_retries_system_failures) == (-1, 3)
    assert p.execution.effective_namespace == "flytesnacks-development"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (
            {"plugins": {"k8s": {"gpu-resource-nam": "x"}}},
            "plugins.k8s.gpu-resource-nam: unknown key 'gpu-resource-nam' "
            "(did you mean 'gpu-resource-name'?)",
        ),
        (
            {"plugins": {"k8s": {"default-tolerations": [{"key": "a", "operatr": "Exists"}]}}},
            "did you mean 'operator'?",
        ),
        ({"task_resource": {}}, "did you mean 'task_resources'?"),
        ({"task_resources": {"defaults": {"cpu": "1GB"}}}, "task_resources.defaults.cpu"),
        ({"plugins": {"k8s": {"image-pull-policy": "Sometimes"}}}, "plugins.k8s.image-pull-policy"),
        ({"execution": {"projct": "x"}}, "did you mean 'project'?"),
    ],
)
def test_invalid_platform_names_the_key_path(data: dict, fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        Platform.from_dict(data)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_quantities_are_canonical_and_exact() -> None:
    p = Platform.from_dict(
        {"task_resources": {"defaults": {"cpu": 0.5, "memory": "1024Mi"}, "limits": {"cpu": "1000m"}}}
    )
    assert p.task_resources is not None
    assert (p.task_resources.defaults.cpu, p.task_resources.defaults.memory) == ("500m", "1Gi")
    assert p.task_resources.limits.cpu == "1"


def test_json_schema_is_valid_and_accepts_every_preset() -> None:
    schema = platform_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["$defs"]["K8sPluginConfig"]["properties"]
    assert "gpu-device-node-label" in props and "default-pod-template-name" in props
    for name in preset_names():
        data = Platform.model_validate(load_platform(name).model_dump(by_alias=True)).model_dump(
            by_alias=True, mode="json"
        )
        jsonschema.validate(json.loads(json.dumps(data)), schema)


def test_presets_use_the_ecosystem_label_keys() -> None:
    assert set(preset_names()) >= {"flyte-defaults", "gke-gpu", "eks-gpu", "gfd", "go-test-zero"}
    assert load_platform("flyte-defaults") == Platform()
    gke = load_platform("gke-gpu").plugins.k8s
    assert gke.gpu_device_node_label == "cloud.google.com/gke-accelerator"
    assert gke.gpu_partition_size_node_label == "cloud.google.com/gke-gpu-partition-size"
    assert gke.interruptible_node_selector_requirement is not None
    assert gke.interruptible_node_selector_requirement.key == "cloud.google.com/gke-spot"
    eks = load_platform("eks-gpu").plugins.k8s
    assert eks.gpu_device_node_label == "k8s.amazonaws.com/accelerator"
    assert eks.interruptible_node_selector_requirement is not None
    assert eks.interruptible_node_selector_requirement.key == "eks.amazonaws.com/capacityType"
    assert load_platform("gfd").plugins.k8s.gpu_device_node_label == "nvidia.com/gpu.product"
    zero = load_platform("go-test-zero")
    assert zero.plugins.k8s.gpu_resource_name == "" and zero.platform_resources is not None


def test_unknown_preset_suggests_a_near_miss() -> None:
    with pytest.raises(PlatformError, match="did you mean 'gke-gpu'"):
        load_platform("gke-gpus")


HELM_FLYTE_CORE = """
configmap:
  k8s:
    plugins:
      k8s:
        default-env-vars:
          - FLYTE_AWS_ENDPOINT: http://minio:9000
        gpu-device-node-label: cloud.google.com/gke-accelerator
        inject-finalizer: true
  task_resource_defaults:
    task_resources:
      defaults:
        cpu: 500m
        memory: 500Mi
      limits:
        cpu: 8
        memory: 16Gi
        gpu: 2
  core:
    propeller:
      workers: 4
      node-config:
        interruptible-failure-threshold: 2
        default-deadlines: {}
flyteadmin:
  replicaCount: 1
"""


def test_flyte_core_helm_values_are_extracted(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(HELM_FLYTE_CORE)
    p = load_platform(path)
    assert p.plugins.k8s.gpu_device_node_label == "cloud.google.com/gke-accelerator"
    assert p.plugins.k8s.default_env_vars == {"FLYTE_AWS_ENDPOINT": "http://minio:9000"}
    assert p.plugins.k8s.inject_finalizer is True
    assert p.task_resources is not None
    assert (p.task_resources.defaults.cpu, p.task_resources.limits.memory, p.task_resources.limits.gpu) == (
        "500m",
        "16Gi",
        "2",
    )
    assert p.propeller.node_config.interruptible_failure_threshold == 2


def test_flyte_binary_inline_config_is_extracted() -> None:
    doc = {
        "configuration": {
            "inline": {
                "plugins": {"k8s": {"scheduler-name": "volcano"}},
                "task_resources": {"limits": {"gpu": 4}},
            }
        }
    }
    found = extract_flyte_config(doc)
    assert found == {
        "plugins": {"k8s": {"scheduler-name": "volcano"}},
        "task_resources": {"limits": {"gpu": 4}},
    }


def test_propeller_configmap_is_extracted(tmp_path: Path) -> None:
    k8s_yaml = textwrap.dedent(
        """\
        plugins:
          k8s:
            default-pod-template-name: base
            interruptible-tolerations:
              - key: spot
                operator: Exists
                effect: NoSchedule
        """
    )
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "flyte-propeller-config"},
        "data": {"k8s.yaml": k8s_yaml},
    }
    template = {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": "base"},
        "template": {"spec": {"containers": [{"name": "default", "image": "x"}]}},
    }
    path = tmp_path / "cm.yaml"
    path.write_text(yaml.safe_dump_all([cm, template]))
    p = load_platform(path)
    assert p.plugins.k8s.default_pod_template_name == "base"
    assert p.plugins.k8s.interruptible_tolerations[0].key == "spot"
    assert set(p.pod_templates) == {"base"}


def test_unknown_key_in_extracted_k8s_section_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("configuration:\n  inline:\n    plugins:\n      k8s:\n        scheduler-nme: x\n")
    with pytest.raises(PlatformError, match=r"plugins\.k8s\.scheduler-nme.*did you mean 'scheduler-name'"):
        load_platform(path)


def test_our_schema_file_with_template_paths(tmp_path: Path) -> None:
    (tmp_path / "tpl.yaml").write_text(
        yaml.safe_dump(
            {"kind": "PodTemplate", "metadata": {"name": "gpu"}, "template": {"spec": {"containers": []}}}
        )
    )
    (tmp_path / "platform.yaml").write_text(
        "plugins:\n  k8s:\n    default-pod-template-name: gpu\npod_templates:\n  gpu: tpl.yaml\n"
    )
    p = load_platform(tmp_path / "platform.yaml")
    assert p.pod_templates["gpu"]["metadata"]["name"] == "gpu"


def test_bad_yaml_and_empty_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("plugins: [\n")
    with pytest.raises(PlatformError, match="invalid YAML"):
        load_platform(bad)
    other = tmp_path / "other.yaml"
    other.write_text("something: else\n")
    with pytest.raises(PlatformError, match="no platform configuration found"):
        load_platform(other)
    with pytest.raises(PlatformError, match="cannot read"):
        load_platform(tmp_path / "missing.yaml")
