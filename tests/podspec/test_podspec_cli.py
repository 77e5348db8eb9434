"""``podplan preview`` and ``podplan platform``: golden YAML for the examples, options, exit codes.

Regenerate the goldens after an intended change with ``PODPLAN_UPDATE_GOLDEN=1 pytest tests/podspec``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from podplan.cli.main import main
from podplan.podspec import schema_errors

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("golden")
EXAMPLES = ["gpu_training", "spot_cpu", "sidecar_template", "overrides"]
# The default image follows the running interpreter (as in flytekit); the goldens were written on 3.11.
GOLDEN_IMAGE = "cr.flyte.org/flyteorg/flytekit:py3.11-latest"
RUNNING_IMAGE = f"cr.flyte.org/flyteorg/flytekit:py{sys.version_info.major}.{sys.version_info.minor}-latest"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_match_golden_yaml_and_are_schema_valid(
    capsys: pytest.CaptureFixture[str], example: str
) -> None:
    code, out, err = run(capsys, "preview", f"examples/{example}.py")
    golden = GOLDEN / f"{example}.yaml"
    if os.environ.get("PODPLAN_UPDATE_GOLDEN"):
        golden.write_text(out.replace(RUNNING_IMAGE, GOLDEN_IMAGE))
    docs = [d for d in yaml.safe_load_all(out) if d]
    assert docs
    for doc in docs:
        assert doc["apiVersion"] == "v1" and doc["kind"] == "Pod"
        assert schema_errors(doc) == []
    assert RUNNING_IMAGE in out
    assert out == golden.read_text().replace(GOLDEN_IMAGE, RUNNING_IMAGE)
    assert code == 0, err


def test_readme_command_prints_the_mig_pod(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "preview", "examples/gpu_training.py:train")
    pod = yaml.safe_load(out)
    assert code == 0
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"][1]["values"] == ["1g.5gb"]
    assert pod["spec"]["volumes"][0]["emptyDir"]["medium"] == "Memory"


def test_json_output_is_kubernetes_form(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "preview", "examples/gpu_training.py:train", "--output", "json", "--platform", "gke-gpu"
    )
    pod = json.loads(out)
    assert code == 0 and pod["kind"] == "Pod"
    assert "nodeSelectorTerms" in json.dumps(pod)
    assert schema_errors(pod) == []
    code, out, _ = run(capsys, "preview", "examples/overrides.py", "-o", "json")
    data = json.loads(out)
    assert data["kind"] == "List" and len(data["items"]) == 2


def test_template_output_is_the_task_template(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "preview", "examples/gpu_training.py:train", "--output", "template")
    data = json.loads(out)
    assert code == 0
    assert data["extendedResources"]["gpuAccelerator"]["partitionSize"] == "1g.5gb"
    code, out, _ = run(capsys, "preview", "examples/overrides.py:embed_large", "-o", "template")
    data = json.loads(out)
    assert set(data) >= {"template", "overrides"}


def test_interruptible_attempt_and_explain_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "preview", "examples/spot_cpu.py", "--platform", "eks-gpu", "--no-interruptible"
    )
    assert yaml.safe_load(out)["metadata"]["labels"]["interruptible"] == "false"
    code, out, _ = run(capsys, "preview", "examples/spot_cpu.py", "--platform", "eks-gpu", "--attempt", "1")
    pod = yaml.safe_load(out)
    assert pod["metadata"]["name"] == "preview-n0-1" and pod["metadata"]["labels"]["interruptible"] == "true"
    code, out, _ = run(capsys, "preview", "examples/gpu_training.py:train", "--explain")
    assert code == 0
    assert "# affinity (required):" in out and "accelerator rule" in out
    yaml.safe_load(out)  # the explanation is YAML comments


def test_rejected_pod_is_printed_and_exit_code_is_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    module = tmp_path / "bad_gpu.py"
    module.write_text(
        "from podplan import task, Resources, PodTemplate\n"
        "tpl = PodTemplate(pod_spec={'containers': [{'name': 'primary'},"
        " {'name': 'side', 'image': 'x', 'resources': {'requests': {'cpu': '1'}}}]})\n"
        "@task(pod_template=tpl)\n"
        "def t() -> None:\n"
        "    pass\n"
    )
    code, out, err = run(capsys, "preview", f"{module}:t")
    assert code == 1
    assert yaml.safe_load(out)["kind"] == "Pod"
    assert "Kubernetes would reject this pod" in err and "limit of 0" in err


def test_bad_platform_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("plugins:\n  k8s:\n    gpu-device-node-lable: x\n")
    code, _, err = run(capsys, "preview", "examples/gpu_training.py:train", "--platform", str(bad))
    assert code == 2
    assert "did you mean 'gpu-device-node-label'" in err
    code, _, err = run(capsys, "preview", "examples/gpu_training.py:train", "--attempt", "-1")
    assert code == 2


def test_pod_template_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tpl = tmp_path / "tpl.yaml"
    tpl.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "PodTemplate",
                "metadata": {"name": "base"},
                "template": {
                    "spec": {"priorityClassName": "batch", "containers": [{"name": "default", "image": "x"}]}
                },
            }
        )
    )
    plat = tmp_path / "plat.yaml"
    plat.write_text("plugins:\n  k8s:\n    default-pod-template-name: base\n")
    code, out, _ = run(
        capsys, "preview", "examples/spot_cpu.py", "--platform", str(plat), "--pod-template", str(tpl)
    )
    assert code == 0 and yaml.safe_load(out)["spec"]["priorityClassName"] == "batch"


def test_platform_schema_presets_show_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "platform", "schema")
    schema = json.loads(out)
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(schema)
    code, out, _ = run(capsys, "platform", "presets")
    assert code == 0 and "gke-gpu" in out and "eks-gpu" in out
    code, out, _ = run(capsys, "platform", "show", "gke-gpu")
    assert (
        yaml.safe_load(out)["plugins"]["k8s"]["gpu-device-node-label"] == "cloud.google.com/gke-accelerator"
    )
    code, out, _ = run(capsys, "platform", "check", "eks-gpu")
    assert code == 0 and "valid" in out
    code, _, _ = run(capsys, "platform")
    assert code == 2
