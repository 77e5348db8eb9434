"""A flytekit task with a value podplan rejects becomes a finding; the rest are still checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podplan.cli.main import main
from podplan.errors import TargetError
from podplan.tasks.discovery import discover_tasks

MODULE = '''
from flytekit import Resources, task


@task(requests=Resources(mem="1GB"))
def bad_memory() -> None: ...


@task(requests=Resources(cpu="not-a-number"))
def bad_cpu() -> None: ...


@task(requests=Resources(cpu="1", mem="1Gi"))
def fine() -> None: ...
'''


@pytest.fixture
def flyte_module(tmp_path: Path) -> Path:
    path = tmp_path / "fk_invalid_wf.py"
    path.write_text(MODULE)
    return path


def test_discovery_raises_by_default_and_keeps_the_error_on_request(flyte_module: Path) -> None:
    with pytest.raises(TargetError, match="bad_memory"):
        discover_tasks([str(flyte_module)])
    found = discover_tasks([str(flyte_module)], keep_invalid=True)
    by_name = {d.qualified_name.rsplit(".", 1)[1]: d for d in found}
    assert sorted(by_name) == ["bad_cpu", "bad_memory", "fine"]
    assert by_name["fine"].error is None
    assert "1GB" in str(by_name["bad_memory"].error)
    assert isinstance(by_name["bad_memory"].error, ValueError)


def test_check_reports_the_rejected_task_and_checks_the_others(
    flyte_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(flyte_module), "--format", "json", "--no-progress"])
    report = json.loads(capsys.readouterr().out)
    tasks = {t["task"].rsplit(".", 1)[1]: t for t in report["tasks"]}
    assert code == 1
    assert [f["code"] for f in tasks["bad_memory"]["findings"]] == ["PP101"]
    assert "did you mean 1G or 1Gi" in tasks["bad_memory"]["findings"][0]["message"]
    assert [f["code"] for f in tasks["bad_cpu"]["findings"]] == ["PP101"]
    assert tasks["bad_memory"]["fits"] == []
    assert all(f["severity"] != "error" for f in tasks["fine"]["findings"])
