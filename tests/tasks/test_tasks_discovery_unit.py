"""Task discovery for CLI targets (file.py:task, module:task, files, packages, directories)."""

from __future__ import annotations

import sys
import textwrap
import uuid

import pytest

from podplan.errors import TargetError
from podplan.tasks.discovery import DiscoveredTask, discover_tasks, load_target

MODULE = """
from podplan import Echo

train = Echo(name="train", inputs={"a": int})
evaluate = Echo(name="evaluate", inputs={"b": str})

def helper(x: int) -> int:
    return x

NOT_A_TASK = 3
"""


@pytest.fixture
def project(tmp_path):
    """A loose file, a package with a subpackage, and a module that re-imports a task."""
    tag = uuid.uuid4().hex[:8]
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "gpu_training.py").write_text(textwrap.dedent(MODULE))
    pkg = tmp_path / f"pkg_{tag}"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from podplan import Echo\nfirst = Echo(name='first', inputs={'x': int})\n")
    (pkg / "sub" / "b.py").write_text("from podplan import Echo\nsecond = Echo(name='second')\n")
    (pkg / "reexport.py").write_text(f"from pkg_{tag}.a import first\n")
    return tmp_path, examples, pkg


def test_file_colon_task(project):
    _, examples, _ = project
    (task,) = load_target(f"{examples}/gpu_training.py:train")
    assert task.name == "train"


def test_file_all_tasks_in_definition_order(project):
    _, examples, _ = project
    assert [t.name for t in load_target(str(examples / "gpu_training.py"))] == ["train", "evaluate"]


def test_typo_message_names_target_and_tasks(project):
    _, examples, _ = project
    target = f"{examples}/gpu_training.py"
    with pytest.raises(TargetError) as info:
        load_target(f"{target}:trian")
    assert str(info.value) == (
        f"no task named 'trian' in {target}; tasks there: train, evaluate (did you mean 'train'?)"
    )
    assert isinstance(info.value, ValueError)


def test_not_a_task_is_explained(project):
    _, examples, _ = project
    with pytest.raises(
        TargetError, match=r"'helper' in .* is a function, not a task \(decorate it with @task\)"
    ):
        load_target(f"{examples}/gpu_training.py:helper")
    with pytest.raises(TargetError, match=r"'NOT_A_TASK' in .* is a int, not a task"):
        load_target(f"{examples}/gpu_training.py:NOT_A_TASK")


def test_missing_file_and_bad_module(project, tmp_path):
    with pytest.raises(TargetError, match="no such file or directory"):
        load_target(f"{tmp_path}/nope.py")
    with pytest.raises(TargetError, match="no module named 'surely_not_a_module_xyz'"):
        load_target("surely_not_a_module_xyz:task")


def test_import_error_is_wrapped_with_location(tmp_path):
    bad = tmp_path / f"broken_{uuid.uuid4().hex[:8]}.py"
    bad.write_text("raise RuntimeError('kaput')\n")
    with pytest.raises(TargetError, match=r"importing .*broken_.* failed: RuntimeError: kaput"):
        load_target(str(bad))


def test_module_colon_task_and_package(project, monkeypatch):
    root, _, pkg = project
    monkeypatch.syspath_prepend(str(root))
    (task,) = load_target(f"{pkg.name}.a:first")
    assert task.name == "first"
    names = [d.qualified_name for d in discover_tasks([pkg.name])]
    # the re-exported task is listed once, under its defining module
    assert names == [f"{pkg.name}.a.first", f"{pkg.name}.sub.b.second"]


def test_directory_recursive_deterministic(project):
    root, _, pkg = project
    found = discover_tasks([str(root)])
    assert all(isinstance(d, DiscoveredTask) for d in found)
    names = [d.qualified_name for d in found]
    assert names == [
        "gpu_training.train",
        "gpu_training.evaluate",
        f"{pkg.name}.a.first",
        f"{pkg.name}.sub.b.second",
    ]
    assert found[0].source_file.endswith("gpu_training.py")
    assert names == [d.qualified_name for d in discover_tasks([str(root)])]


def test_directory_with_task_suffix_rejected(project):
    root, _, _ = project
    with pytest.raises(TargetError, match="directory cannot be combined"):
        load_target(f"{root}:train")


def test_no_tasks_is_an_error(tmp_path):
    empty = tmp_path / f"empty_{uuid.uuid4().hex[:8]}.py"
    empty.write_text("X = 1\n")
    with pytest.raises(TargetError, match="no tasks found"):
        load_target(str(empty))


def test_only_named_modules_are_imported(project):
    # D10: naming one file imports that file only
    _, examples, pkg = project
    load_target(str(examples / "gpu_training.py"))
    assert not any(name.startswith(pkg.name) for name in sys.modules)


def test_name_clash_with_installed_module_is_reported(tmp_path):
    clash = tmp_path / "json.py"
    clash.write_text("X = 1\n")
    with pytest.raises(TargetError, match="module name 'json' is already taken"):
        load_target(str(clash))


def test_same_file_loaded_twice_is_not_reexecuted(tmp_path):
    path = tmp_path / f"counted_{uuid.uuid4().hex[:8]}.py"
    path.write_text(
        "from podplan import Echo\nimport builtins\nbuiltins.__dict__.setdefault('_podplan_count', [])"
        ".append(1)\nt = Echo(name='t')\n"
    )
    import builtins

    before = len(getattr(builtins, "_podplan_count", []))
    load_target(str(path))
    load_target(str(path))
    assert len(builtins._podplan_count) == before + 1
