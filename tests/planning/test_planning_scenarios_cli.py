"""``podplan check`` robustness: every usage or configuration error is one clear line on stderr
and exit 2, never a traceback; one task that cannot be built does not stop the run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from podplan.cli.main import main

GOOD = textwrap.dedent(
    """
    from podplan import Resources, task

    @task(resources=Resources(cpu=1, mem="1Gi"))
    def small(x: int) -> int:
        return x
    """
)

POOLS = "pools:\n  - name: cpu\n    allocatable: {cpu: '8', memory: 32Gi}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "wf_scen_cli.py").write_text(GOOD)
    (tmp_path / "pools.yaml").write_text(POOLS)
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "no_tasks.py").write_text("VALUE = 1\n")
    (tmp_path / "import_error.py").write_text("import podplan_no_such_module_zz\n")
    (tmp_path / "syntax_error.py").write_text("def broken(:\n")
    (tmp_path / "runtime_error.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "bad.json").write_text('{"kind": "NodeList", "items": [\n')
    (tmp_path / "bad.yaml").write_text("pools:\n  - name: x\n    allocatable: {cpu: [1\n")
    (tmp_path / "bad_quantity.yaml").write_text("pools:\n  - name: x\n    allocatable: {cpu: 2Gb}\n")
    (tmp_path / "unknown_key.yaml").write_text("pools:\n  - name: x\n    colour: red\n")
    (tmp_path / "list.json").write_text("[1, 2]\n")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "bad_platform.yaml").write_text("plugins:\n  k8s:\n    gpu-device-node-lable: x\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["wf_scen_cli.py", "--cluster", "missing.json"], "missing.json: cannot read cluster file"),
        (["wf_scen_cli.py", "--cluster", "bad.json"], "bad.json:2:1: invalid JSON"),
        (["wf_scen_cli.py", "--cluster", "bad.yaml"], "bad.yaml:4:1: invalid YAML"),
        (
            ["wf_scen_cli.py", "--cluster", "bad_quantity.yaml"],
            "allocatable.cpu: '2Gb' is not a Kubernetes quantity",
        ),
        (["wf_scen_cli.py", "--cluster", "unknown_key.yaml"], "pools[0].colour"),
        (["wf_scen_cli.py", "--cluster", "list.json"], "expected a NodeList or a pool file"),
        (["wf_scen_cli.py", "--cluster", "empty.yaml"], "expected a NodeList or a pool file"),
        (
            ["wf_scen_cli.py", "--cluster", "pools.yaml", "--cluster", "pools.yaml"],
            "pool name 'cpu' is used twice",
        ),
        (["wf_scen_cli.py", "--select", "PP999"], "unknown rule code(s) PP999"),
        (["wf_scen_cli.py", "--ignore", "PP1,XX"], "unknown rule code(s) XX"),
        (["wf_scen_cli.py", "--platform", "no-such-preset"], "unknown platform preset 'no-such-preset'"),
        (["wf_scen_cli.py", "--platform", "bad_platform.yaml"], "did you mean 'gpu-device-node-label'"),
        (["no_tasks.py"], "no tasks found in no_tasks.py"),
        (["empty_dir"], "no Python files in directory empty_dir"),
        (["import_error.py"], "ModuleNotFoundError: No module named 'podplan_no_such_module_zz'"),
        (["syntax_error.py"], "SyntaxError"),
        (["runtime_error.py"], "RuntimeError: boom at import"),
        (["no_such_file.py"], "no such file or directory"),
        (["wf_scen_cli.py:nope"], "no task named 'nope'"),
        (["wf_scen_cli.py", "-o", "missing_dir/report.json"], "--output: cannot write"),
    ],
)
def test_planning_cli_usage_errors_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("podplan check: error: ")
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["wf_scen_cli.py", "--format", "xml"],
        ["wf_scen_cli.py", "--fail-on", "fatal"],
        ["--bogus", "x.py"],
    ],
)
def test_planning_cli_argparse_errors_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", *args])
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_planning_cli_allow_no_tasks(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no_tasks.py", "--allow-no-tasks", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tasks"] == [] and report["summary"]["tasks"] == 0


def test_planning_cli_exit_codes_and_fail_on(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "wf_scen_cli_warn.py").write_text(
        GOOD + '\n@task(resources=Resources(cpu=1, mem="2048"))\ndef typo(x: int) -> int:\n    return x\n'
    )
    cases = [
        (["wf_scen_cli.py", "--cluster", "pools.yaml"], 0),  # clean
        (["wf_scen_cli_warn.py"], 0),  # a warning does not fail at the default --fail-on error
        (["wf_scen_cli_warn.py", "--fail-on", "warning"], 1),
        (["wf_scen_cli_warn.py", "--fail-on", "info"], 1),
        (["wf_scen_cli_warn.py", "--fail-on", "never"], 0),
        (["wf_scen_cli_warn.py", "--fail-on", "warning", "--ignore", "PP105"], 0),
        (["wf_scen_cli_warn.py", "--fail-on", "warning", "--select", "PP4"], 0),
    ]
    for args, expected in cases:
        assert main(["check", *args, "--format", "json"]) == expected, args
        capsys.readouterr()


def test_planning_cli_unbuildable_task_is_a_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shared-memory volume colliding with a pod-template volume: the backend refuses to build
    the pod (PP602); the other task of the module is still checked."""
    (project / "wf_scen_cli_pp602.py").write_text(
        textwrap.dedent(
            """
            from kubernetes.client import V1Container, V1EmptyDirVolumeSource, V1PodSpec, V1Volume
            from podplan import PodTemplate, Resources, task

            clash = PodTemplate(
                primary_container_name="primary",
                pod_spec=V1PodSpec(
                    containers=[V1Container(name="primary")],
                    volumes=[V1Volume(name="flyte-shared-memory", empty_dir=V1EmptyDirVolumeSource())],
                ),
            )

            @task(pod_template=clash, shared_memory=True, resources=Resources(cpu=1, mem="1Gi"))
            def clashing(x: int) -> int:
                return x

            @task(resources=Resources(cpu=1, mem="1Gi"))
            def fine(x: int) -> int:
                return x
            """
        )
    )
    code = main(["check", "wf_scen_cli_pp602.py", "--cluster", "pools.yaml", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    tasks = {t["task"]: t for t in report["tasks"]}
    bad = tasks["wf_scen_cli_pp602.clashing"]
    assert [f["code"] for f in bad["findings"]] == ["PP602"] and bad["fits"] == []
    assert "flyte-shared-memory" in bad["findings"][0]["message"]
    assert tasks["wf_scen_cli_pp602.fine"]["fits"] == ["cpu"]
