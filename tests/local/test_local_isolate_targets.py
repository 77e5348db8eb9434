"""Isolated runs of CLI targets (``podplan.cli.targets.TargetCall``) and the notes the child
sends back when it cannot emulate a limit."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import podplan.accelerators.local.isolate as isolate
from podplan.accelerators.local import run_isolated
from podplan.cli.targets import TargetCall, select_task
from podplan.errors import TargetError

TASKS = """
from podplan import task

@task
def add(a: int, b: int) -> int:
    return a + b

@task
def twice(a: int) -> int:
    return 2 * a
"""


@pytest.fixture
def tasks_file(tmp_path: Path) -> Path:
    path = tmp_path / "isolate_target_tasks.py"
    path.write_text(TASKS)
    return path


def test_target_call_pickles_as_its_strings(tasks_file: Path) -> None:
    call = TargetCall(f"{tasks_file}:add")
    assert pickle.loads(pickle.dumps(call)) == call


def test_target_call_loads_and_runs_the_task_in_process(tasks_file: Path) -> None:
    assert TargetCall(f"{tasks_file}:add")(a=2, b=3) == 5
    assert TargetCall(str(tasks_file), "twice")(a=4) == 8


def test_target_call_names_the_missing_task(tasks_file: Path) -> None:
    with pytest.raises(TargetError, match=r"no task named 'nope'.*add.*twice"):
        TargetCall(str(tasks_file), "nope")(a=1)
    with pytest.raises(TargetError, match="holds 2 tasks"):
        select_task([object(), object()], None, str(tasks_file))


def test_isolated_child_loads_the_target_itself(tasks_file: Path) -> None:
    result = run_isolated(TargetCall(f"{tasks_file}:add"), kwargs={"a": 20, "b": 22}, task_name="add")
    assert result.value == 42


def test_cpu_affinity_the_child_cannot_apply_becomes_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolate, "pick_cpus", lambda cores: (1 << 20,))  # no such CPU
    result = run_isolated(abs, args=(-3,), cpu=1)
    assert result.value == 3
    assert result.cpus == (1 << 20,)
    assert any("CPU affinity [1048576] could not be applied" in note for note in result.notes), result.notes
