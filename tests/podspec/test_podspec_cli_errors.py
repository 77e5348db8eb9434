# ruff: noqa: E501  (table rows)
"""Bad inputs to ``podplan preview`` / ``podplan platform``: one clear error line, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from podplan.cli.main import main

OK_TASK = "from podplan import task\n\n@task\ndef t() -> None: ...\n"

FILES: dict[str, str | bytes] = {
    "ok.py": OK_TASK,
    "bad.yaml": "a: [1\n",
    "list.yaml": "- a\n- b\n",
    "binary.yaml": b"\xff\xfe\x00\x01bin",
    "unknown_key.yaml": "plugins:\n  k8s:\n    gpu-device-node-lable: x\n",
    "unknown_section.yaml": "task_resource:\n  defaults: {cpu: 1}\n",
    "bad_value.yaml": "task_resources:\n  defaults:\n    cpu: abc\n",
    "bad_template.yaml": "kind: PodTemplate\nmetadata: {name: x}\ntemplate: [1]\n",
    "not_template.yaml": "kind: ConfigMap\nmetadata: {name: x}\n",
    "import_error.py": "import nonexistent_module_for_podplan_tests\n",
    "runtime_error.py": "raise RuntimeError('boom at import')\n",
    "syntax_error.py": "def broken(:\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "no_tasks.py": "x = 1\n",
    "missing_template.py": "from podplan import task\n\n@task(pod_template_name='nope')\ndef t() -> None: ...\n",
}

CASES = [
    # (case, argv, words the one error line must contain)
    ("missing file", ["preview", "missing.py"], ["missing.py"]),
    ("missing platform file", ["preview", "ok.py", "--platform", "missing.yaml"], ["missing.yaml"]),
    ("bad YAML", ["preview", "ok.py", "--platform", "bad.yaml"], ["bad.yaml", "line 2", "invalid YAML"]),
    (
        "YAML list instead of mapping",
        ["preview", "ok.py", "--platform", "list.yaml"],
        ["list.yaml", "not a mapping"],
    ),
    ("binary platform file", ["preview", "ok.py", "--platform", "binary.yaml"], ["binary.yaml", "UTF-8"]),
    ("unknown preset", ["preview", "ok.py", "--platform", "nosuchpreset"], ["nosuchpreset", "presets"]),
    (
        "unknown platform key",
        ["preview", "ok.py", "--platform", "unknown_key.yaml"],
        ["plugins.k8s.gpu-device-node-lable", "did you mean 'gpu-device-node-label'"],
    ),
    (
        "unknown platform section",
        ["preview", "ok.py", "--platform", "unknown_section.yaml"],
        ["unknown_section.yaml"],
    ),
    (
        "bad platform value",
        ["preview", "ok.py", "--platform", "bad_value.yaml"],
        ["task_resources.defaults.cpu", "'abc'"],
    ),
    ("platform is a directory", ["preview", "ok.py", "--platform", "adir"], ["adir"]),
    (
        "bad pod template shape",
        ["preview", "ok.py", "--pod-template", "bad_template.yaml"],
        ["bad_template.yaml", "template"],
    ),
    (
        "not a pod template",
        ["preview", "ok.py", "--pod-template", "not_template.yaml"],
        ["not_template.yaml", "PodTemplate"],
    ),
    ("missing pod template file", ["preview", "ok.py", "--pod-template", "nofile.yaml"], ["nofile.yaml"]),
    ("target does not exist", ["preview", "no.such.module:t"], ["no.such.module"]),
    (
        "module with an import error",
        ["preview", "import_error.py"],
        ["import_error.py", "nonexistent_module_for_podplan_tests"],
    ),
    ("module raising at import", ["preview", "runtime_error.py"], ["runtime_error.py", "boom at import"]),
    ("module with a syntax error", ["preview", "syntax_error.py"], ["syntax_error.py", "SyntaxError"]),
    ("module calling sys.exit", ["preview", "exits.py"], ["exits.py", "sys.exit(3)"]),
    ("task name typo", ["preview", "ok.py:tt"], ["'tt'", "ok.py", "t"]),
    ("not a task", ["preview", "ok.py:task"], ["'task'", "not a task"]),
    ("no tasks in file", ["preview", "no_tasks.py"], ["no_tasks.py"]),
    ("empty directory", ["preview", "adir"], ["adir"]),
    ("empty target", ["preview", ""], ["empty"]),
    ("negative attempt", ["preview", "ok.py", "--attempt", "-1"], ["--attempt", "-1"]),
    ("named pod template missing", ["preview", "missing_template.py"], ["PodTemplate 'nope' does not exist"]),
    ("platform show unknown preset", ["platform", "show", "nosuch"], ["nosuch"]),
    ("platform check bad YAML", ["platform", "check", "bad.yaml"], ["bad.yaml", "invalid YAML"]),
    ("platform check missing file", ["platform", "check", "missing.yaml"], ["missing.yaml"]),
    ("platform check unknown key", ["platform", "check", "unknown_key.yaml"], ["gpu-device-node-lable"]),
    ("platform show binary file", ["platform", "show", "binary.yaml"], ["binary.yaml"]),
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, content in FILES.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    (tmp_path / "adir").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(("case", "argv", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_error_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str, argv: list[str], words: list[str]
) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (case, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, (case, err)
    assert lines[0].startswith(f"podplan {argv[0]}: error: "), lines[0]
    for word in words:
        assert word in lines[0], (case, word, lines[0])
    assert out == "" or argv[0] == "platform"


@pytest.mark.parametrize(
    ("case", "argv", "words"),
    [
        ("unknown output format", ["preview", "ok.py", "--output", "bogus"], ["--output", "bogus", "yaml"]),
        ("attempt is not a number", ["preview", "ok.py", "--attempt", "abc"], ["--attempt", "'abc'"]),
        ("unknown platform action", ["platform", "bogus"], ["bogus", "schema"]),
        (
            "conflicting interruptible flags",
            ["preview", "ok.py", "--interruptible", "--no-interruptible"],
            ["--no-interruptible"],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_usage_errors_exit_two(
    workdir: Path, capsys: pytest.CaptureFixture[str], case: str, argv: list[str], words: list[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2, case
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"podplan {argv[0]}: error: ")
    for word in words:
        assert word in last, (case, word, last)


def test_good_input_still_works(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["preview", "ok.py:t", "--attempt", "1", "--output", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert '"kind": "Pod"' in out and "FLYTE_ATTEMPT_NUMBER" in out
