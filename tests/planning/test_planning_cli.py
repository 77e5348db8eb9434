"""``podplan check`` end to end on real task modules, and ``assert_schedulable``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from planning_testlib import FIXTURES

from podplan.cli.main import main
from podplan.errors import NotSchedulableError

MODULE = textwrap.dedent(
    """
    from podplan import Resources, task
    from podplan.accelerators import A100, H100, T4

    @task(resources=Resources(cpu="500m", mem="512Mi"))
    def small(x: int) -> int:
        return x

    @task(resources=Resources(cpu=2, mem="1Gi", gpu=1), accelerator=A100.partition_1g_5gb)
    def mig(x: int) -> int:
        return x

    @task(resources=Resources(cpu=1, mem="1Gi", gpu=1))
    def any_gpu(x: int) -> int:
        return x

    @task(resources=Resources(cpu=1, mem="1Gi"), accelerator=T4)
    def no_gpu(x: int) -> int:
        return x

    @task(resources=Resources(cpu=1, mem="1Gi", gpu=8), accelerator=H100)
    def big_h100(x: int) -> int:
        return x
    """
)

GKE_PLATFORM = textwrap.dedent(
    """
    plugins:
      k8s:
        gpu-device-node-label: cloud.google.com/gke-accelerator
        gpu-partition-size-node-label: cloud.google.com/gke-gpu-partition-size
        resource-tolerations:
          nvidia.com/gpu:
          - {key: nvidia.com/gpu, operator: Equal, value: present, effect: NoSchedule}
    task_resources:
      defaults: {cpu: 500m, memory: 512Mi}
      limits: {cpu: 64, memory: 256Gi, gpu: 8}
    """
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "wf_planning_cli.py").write_text(MODULE)
    (tmp_path / "platform.yaml").write_text(GKE_PLATFORM)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_planning_cli_json_on_gke(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "wf_planning_cli.py",
        "--platform",
        "platform.yaml",
        "--cluster",
        str(FIXTURES / "gke-nodes.json"),
        "--format",
        "json",
    )
    data = json.loads(out)
    tasks = {t["task"]: t for t in data["tasks"]}
    assert set(tasks) == {f"wf_planning_cli.{n}" for n in ("small", "mig", "any_gpu", "no_gpu", "big_h100")}
    codes = {name.split(".")[1]: sorted({f["code"] for f in t["findings"]}) for name, t in tasks.items()}
    assert tasks["wf_planning_cli.small"]["fits"] == ["e2-standard-8"]
    assert codes["small"] == []
    assert tasks["wf_planning_cli.mig"]["fits"] == ["a2-highgpu-1g"]
    assert codes["mig"] == []
    assert "PP201" in codes["any_gpu"]
    assert sorted(tasks["wf_planning_cli.any_gpu"]["fits"]) == ["a2-highgpu-1g", "a3-highgpu-8g"]
    assert "PP202" in codes["no_gpu"]
    # flytekit's H100 device string is not GKE's label value
    assert {"PP401", "PP402"} <= set(codes["big_h100"])
    assert code == 1


def test_planning_cli_exit_codes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = "wf_planning_cli.py:small"
    assert run(capsys, target, "--platform", "platform.yaml")[0] == 0
    assert run(capsys, "wf_planning_cli.py:no_gpu", "--fail-on", "never")[0] == 0
    assert run(capsys, "wf_planning_cli.py:no_gpu")[0] == 1
    assert run(capsys, "wf_planning_cli.py:no_gpu", "--ignore", "PP2")[0] == 0
    assert run(capsys, "wf_planning_cli.py:any_gpu", "--fail-on", "warning")[0] == 1
    code, _, err = run(capsys, target, "--select", "PP999")
    assert code == 2 and "PP999" in err
    code, _, err = run(capsys, target, "--cluster", "missing.yaml")
    assert code == 2 and "missing.yaml" in err
    with pytest.raises(SystemExit) as exc:
        main(["check", target, "--format", "xml"])
    assert exc.value.code == 2
    code, _, err = run(capsys, "no_such_module_xyz")
    assert code == 2


def test_planning_cli_sarif_junit_github(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "wf_planning_cli.py", "--format", "sarif", "--cluster", str(FIXTURES / "pools.yaml")
    )
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
    }
    assert "wf_planning_cli.py" in uris  # relative to the working directory
    code, out, _ = run(capsys, "wf_planning_cli.py", "--format", "junit", "-o", "report.xml")
    assert code == 1 and out == "" and ET.parse(project / "report.xml").getroot().tag == "testsuites"
    code, out, _ = run(capsys, "wf_planning_cli.py", "--format", "github")
    assert code == 1 and "::error file=wf_planning_cli.py,line=" in out


def test_planning_assert_schedulable(project: Path) -> None:
    import sys

    sys.path.insert(0, str(project))
    try:
        import wf_planning_cli as wf  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(project))
    gke = FIXTURES / "gke-nodes.json"
    platform = str(project / "platform.yaml")
    assert assert_fits(wf.mig, gke, platform) == ["a2-highgpu-1g"]
    with pytest.raises(NotSchedulableError) as exc:
        assert_fits(wf.big_h100, gke, platform)
    text = str(exc.value)
    assert "PP401" in text and "a3-highgpu-8g: nodeAffinity" in text
    assert isinstance(exc.value, AssertionError)
    with pytest.raises(NotSchedulableError, match="does not fit pool 'e2-standard-8'"):
        from podplan.testing import assert_schedulable

        assert_schedulable(wf.mig, cluster=gke, platform=platform, pool="e2-standard-8")


def assert_fits(task: object, cluster: Path, platform: str) -> list[str]:
    from podplan.testing import assert_schedulable

    return assert_schedulable(task, cluster=cluster, platform=platform)


def test_planning_pre_commit_hook_definition() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "podplan-check" and hook["entry"] == "podplan check --allow-no-tasks"
    assert hook["language"] == "python" and hook["types"] == ["python"]


FLYTEKIT_MODULE = textwrap.dedent(
    """
    from flytekit import Resources, task
    from flytekit.extras.accelerators import A100

    @task(requests=Resources(cpu="1", mem="2Gi", gpu="1"), accelerator=A100.partition_1g_5gb)
    def fk_mig(x: int) -> int:
        return x

    @task(requests=Resources(cpu="1", mem="2048"))
    def fk_small(x: int) -> int:
        return x
    """
)


def test_planning_cli_checks_flytekit_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "fk_planning_cli.py").write_text(FLYTEKIT_MODULE)
    (tmp_path / "platform.yaml").write_text(
        "plugins:\n  k8s:\n    resource-tolerations:\n      nvidia.com/gpu:\n"
        "      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(
        capsys,
        "fk_planning_cli.py",
        "--platform",
        "platform.yaml",
        "--cluster",
        str(FIXTURES / "eks-nodes.json"),
        "--format",
        "json",
    )
    tasks = {t["task"]: t for t in json.loads(out)["tasks"]}
    assert tasks["fk_planning_cli.fk_mig"]["fits"] == ["p4d.24xlarge"]
    assert tasks["fk_planning_cli.fk_mig"]["pods_per_node"] == {"p4d.24xlarge": 56}
    small = tasks["fk_planning_cli.fk_small"]
    assert [f["code"] for f in small["findings"]] == ["PP105"]
    assert small["fits"] == ["m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-general]"]
    assert code == 0  # PP105 is a warning


def test_planning_cli_help_is_light_and_formats_agree() -> None:
    import subprocess
    import sys

    from podplan.cli.check import FORMATS
    from podplan.planning.report import FORMATS as REPORT_FORMATS

    assert FORMATS == REPORT_FORMATS
    code = (
        "import sys; from podplan.cli.main import build_parser; build_parser(); "
        "heavy = ('numpy', 'pydantic', 'yaml', 'podplan.planning.engine'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_planning_progress_bar_draws_only_when_enabled() -> None:
    import io

    from podplan.cli.check import PROGRESS_THRESHOLD, Progress

    stream = io.StringIO()
    bar = Progress(stream, enabled=True)
    bar("checking", PROGRESS_THRESHOLD, PROGRESS_THRESHOLD)
    assert stream.getvalue() == f"\rchecking   [{'#' * 30}] {PROGRESS_THRESHOLD}/{PROGRESS_THRESHOLD}\n"
    quiet = io.StringIO()
    Progress(quiet, enabled=False)("checking", 10_000, 10_000)
    Progress(quiet, enabled=True)("checking", 5, 10)  # short runs draw nothing
    assert quiet.getvalue() == ""


def test_planning_cli_combines_clusters_and_pool_label(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "wf_planning_cli.py:small",
        "--cluster",
        str(FIXTURES / "gke-nodes.json"),
        "--cluster",
        str(FIXTURES / "pools.yaml"),
        "--pool-label",
        "cloud.google.com/gke-nodepool",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0
    assert data["tasks"][0]["fits"] == ["default-pool", "cpu-ondemand"]
    assert len(data["summary"]["pools"]) == 9
    code, _, err = run(
        capsys,
        "wf_planning_cli.py:small",
        "--cluster",
        str(FIXTURES / "pools.yaml"),
        "--cluster",
        str(FIXTURES / "pools.yaml"),
    )
    assert code == 2 and "used twice" in err
