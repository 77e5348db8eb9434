"""The examples in README.md and docs/*.md stay true.

A fenced block preceded by the line ``<!-- doctest: run -->`` (invisible on GitHub) is verified:

* ``python`` — the block runs as a script in a fresh interpreter (working directory: the
  repository root) and must exit 0; blocks use ``assert`` where they state a result.
* ``pycon`` — ``>>>`` sessions run with :mod:`doctest` (``ELLIPSIS``, ``…`` also elides), so every
  printed value must be what the page shows.
* ``console`` — each ``$ command`` runs in ``bash`` (``podplan`` resolves to this interpreter's
  script); the lines shown after it must appear in the real stdout+stderr, in order. A line that
  is only ``…`` (optionally after ``#`` or ``-``) skips any number of lines, and ``…`` inside a
  line matches any text. ``$ echo $?`` checks the exit status of the previous command.

Every example runs in its own process, several at a time, so the whole module stays fast.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = "<!-- doctest: run -->"
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker><!-- doctest: run -->\n(?P=indent))?"
    r"```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```\s*$",
    re.S | re.M,
)
GAP = re.compile(r"^[\s#-]*(…|\.\.\.)\s*$")
TIMEOUT_S = 60


@dataclass(frozen=True)
class Example:
    """One marked block of a page."""

    page: str
    line: int
    lang: str
    body: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}:{self.lang}"


def _examples() -> list[Example]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m.group("marker"):
                line = text.count("\n", 0, m.start("lang")) + 1
                rel = page.relative_to(ROOT).as_posix()
                body = textwrap.dedent(m.group("body")) if m.group("indent") else m.group("body")
                found.append(Example(rel, line, m.group("lang"), body))
    return found


EXAMPLES = _examples()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name in ("PODPLAN_FAKE_NVML", "PODPLAN_LOCAL_GPU", "CUDA_VISIBLE_DEVICES", "NO_COLOR"):
        env.pop(name, None)
    env["COLUMNS"] = "80"
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr lines interleave as on a terminal
    return env


def _run(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in the repository root; stderr is merged into stdout, in the order written."""
    return subprocess.run(
        argv,
        cwd=ROOT,
        env=_env(),
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
    )


@dataclass(frozen=True)
class Step:
    """One ``$ command`` of a console block and the lines the page shows after it."""

    command: str
    expected: tuple[str, ...]


def _console_steps(body: str) -> list[Step]:
    steps: list[Step] = []
    command: str | None = None
    expected: list[str] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            if command is not None:
                steps.append(Step(command, tuple(expected)))
            command, expected = line[2:], []
        elif command is not None:
            expected.append(line)
    if command is not None:
        steps.append(Step(command, tuple(expected)))
    return steps


def _line_pattern(line: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in line.rstrip().split("…")]
    return re.compile("^" + ".*".join(parts) + r"\s*$")


def _missing_lines(expected: tuple[str, ...], actual: str) -> list[str]:
    """Expected lines not found, in order, in ``actual`` (gap lines skipped)."""
    lines = actual.splitlines()
    position = 0
    missing: list[str] = []
    for want in expected:
        if not want.strip() or GAP.match(want):
            continue
        pattern = _line_pattern(want)
        for index in range(position, len(lines)):
            if pattern.match(lines[index]):
                position = index + 1
                break
        else:
            missing.append(want)
    return missing


def _check_console(example: Example) -> str | None:
    steps = _console_steps(example.body)
    if not steps:
        return "a marked console block has no '$ command' line"
    previous_rc: int | None = None
    for number, step in enumerate(steps):
        status_shown = number + 1 < len(steps) and steps[number + 1].command.strip() == "echo $?"
        if step.command.strip() == "echo $?":
            want = step.expected[0].strip() if step.expected else ""
            if str(previous_rc) != want:
                return f"exit status {previous_rc}, the page shows {want}"
            continue
        proc = _run(["bash", "-c", step.command], stdin="")
        previous_rc = proc.returncode
        output = proc.stdout
        missing = _missing_lines(step.expected, output)
        if missing:
            shown = "\n".join(missing[:5])
            return (
                f"$ {step.command}\nlines the page shows but the command did not print:\n"
                f"{shown}\n--- real output:\n{output}"
            )
        if not step.expected and not status_shown and proc.returncode != 0:
            return f"$ {step.command} exited {proc.returncode}:\n{output}"
    return None


def _check_python(example: Example) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "example.py"
        script.write_text(example.body, encoding="utf-8")
        proc = _run([sys.executable, str(script)])
    if proc.returncode != 0:
        return f"exit status {proc.returncode}\n{proc.stdout}"
    return None


def _check_pycon(example: Example) -> str | None:
    with tempfile.TemporaryDirectory() as tmp:
        session = Path(tmp) / "example.txt"
        session.write_text(example.body.replace("…", "..."), encoding="utf-8")
        proc = _run([sys.executable, "-m", "doctest", "-o", "ELLIPSIS", str(session)])
    if proc.returncode != 0:
        return proc.stdout
    return None


CHECKS = {"console": _check_console, "python": _check_python, "pycon": _check_pycon}


def _check(example: Example) -> str | None:
    return CHECKS[example.lang](example)


@pytest.fixture(scope="module")
def results() -> dict[str, Future[str | None]]:
    """Start every example at once (a few at a time) and hand out their futures."""
    pool = ThreadPoolExecutor(max_workers=max(2, min(6, (os.cpu_count() or 2) + 1)))
    futures = {example.id: pool.submit(_check, example) for example in EXAMPLES}
    pool.shutdown(wait=False)
    return futures


def test_docs_mark_enough_examples() -> None:
    assert len(EXAMPLES) >= 15, [e.id for e in EXAMPLES]
    assert {e.lang for e in EXAMPLES} >= {"console", "python", "pycon"}


def test_markers_precede_a_supported_fence() -> None:
    markers = sum(
        line.strip() == MARKER for page in PAGES for line in page.read_text(encoding="utf-8").splitlines()
    )
    assert markers == len(EXAMPLES), "a marker whose block was not collected"
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if line.strip() == MARKER:
                following = lines[number].strip() if number < len(lines) else ""
                lang = following[3:].strip() if following.startswith("```") else None
                assert lang in CHECKS, f"{page.name}:{number}: marker not followed by a verified fence"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_doc_example(example: Example, results: dict[str, Future[str | None]]) -> None:
    problem = results[example.id].result(timeout=TIMEOUT_S * 4)
    assert problem is None, f"{example.id}: {problem}"


@pytest.mark.parametrize(
    ("expected", "actual", "missing"),
    [
        (("a", "…", "c"), "a\nb\nc\n", []),
        (("a", "c"), "a\nb\nc\n", []),
        (("c", "a"), "a\nb\nc\n", ["a"]),
        (("x: … end",), "x: anything at the end\n", []),
        (("x: … end",), "x: anything at the en\n", ["x: … end"]),
        (("  - ...", "#   …"), "", []),
        (("col  2",), "col 2\n", ["col  2"]),
    ],
)
def test_line_matching(expected: tuple[str, ...], actual: str, missing: list[str]) -> None:
    assert _missing_lines(expected, actual) == missing


def test_console_steps_split_commands_and_outputs() -> None:
    steps = _console_steps("$ podplan a\nout 1\nout 2\n$ echo $?\n1\n")
    assert steps == [Step("podplan a", ("out 1", "out 2")), Step("echo $?", ("1",))]
