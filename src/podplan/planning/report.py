"""Report formats of ``podplan check``: text, json (the contract), junit, sarif (2.1.0), github.

Every renderer takes a :class:`~podplan.planning.engine.CheckReport` and returns a string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from podplan.planning.engine import CheckReport, TaskReport
from podplan.planning.findings import RULES, Finding, severity_at_least

FORMATS = ("text", "json", "junit", "sarif", "github")
#: JSON reports with more tasks than this are written without indentation
JSON_INDENT_MAX_TASKS = 500
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
DOCS_URI = "https://github.com/podplan/podplan/blob/main/docs/check.md"


def _location(task: TaskReport) -> str:
    if not task.file:
        return task.task
    return f"{task.file}:{task.line}" if task.line else task.file


def render_text(report: CheckReport, fail_on: str = "error") -> str:
    """Human-readable report: one block per task with findings, then a summary line."""
    lines: list[str] = []
    for t in report.tasks:
        if report.cluster is not None:
            best = t.cheapest
            fits = ", ".join(t.fits) if t.fits else "no pool"
            cost = (
                f"; cheapest {best.pool} at ${best.cost_per_hour:.4f}/h"
                if best and best.cost_per_hour
                else ""
            )
            lines.append(f"{t.task}: fits {fits}{cost}")
        elif t.findings:
            lines.append(f"{t.task}:")
        for f in t.findings:
            lines.append(f"  {_location(t)}: {f.code} {f.severity}: {f.message}")
            if f.hint:
                lines.append(f"    hint: {f.hint}")
    counts = report.counts()
    lines.append(
        f"{len(report.tasks)} task(s) checked: {counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} info"
    )
    return "\n".join(lines) + "\n"


def render_json(report: CheckReport, fail_on: str = "error") -> str:
    """The JSON contract: ``{"tasks": [...], "summary": {...}}``.

    Indented for up to :data:`JSON_INDENT_MAX_TASKS` tasks, compact above (large CI runs)."""
    data = report.to_dict()
    if len(report.tasks) <= JSON_INDENT_MAX_TASKS:
        return json.dumps(data, indent=2) + "\n"
    return json.dumps(data, separators=(",", ":")) + "\n"


def render_junit(report: CheckReport, fail_on: str = "error") -> str:
    """JUnit XML: one ``testcase`` per task; findings at or above ``fail_on`` are failures."""
    suites = ET.Element("testsuites", name="podplan check")
    suite = ET.SubElement(suites, "testsuite", name="podplan check")
    failures = 0
    for t in report.tasks:
        module, _, name = t.task.rpartition(".")
        case = ET.SubElement(suite, "testcase", classname=module or t.task, name=name or t.task)
        if t.file:
            case.set("file", t.file)
            if t.line:
                case.set("line", str(t.line))
        failing = [f for f in t.findings if severity_at_least(f.severity, fail_on)]
        if failing:
            failures += 1
            first = failing[0]
            node = ET.SubElement(case, "failure", message=f"{first.code}: {first.message}", type=first.code)
            node.text = "\n".join(
                f"{f.code} {f.severity}: {f.message}" + (f"\nhint: {f.hint}" if f.hint else "")
                for f in failing
            )
        others = [f for f in t.findings if f not in failing]
        out = []
        if report.cluster is not None:
            out.append("fits: " + (", ".join(t.fits) or "no pool"))
        out += [f"{f.code} {f.severity}: {f.message}" for f in others]
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    suite.set("tests", str(len(report.tasks)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suites.set("tests", str(len(report.tasks)))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


#: the SARIF base id relative artifact URIs are resolved against (the repository root, where
#: ``podplan check`` runs in CI; GitHub code scanning resolves it to the checkout)
SARIF_SRCROOT = "%SRCROOT%"


def sarif_artifact(path: str | None, task: str) -> dict[str, str]:
    """The ``artifactLocation`` of a task's file: a relative, percent-encoded URI reference with
    ``uriBaseId`` ``%SRCROOT%``, or a ``file://`` URI for an absolute path. Without a file, the
    module's conventional path (``pkg/mod.py``)."""
    from pathlib import PurePosixPath, PureWindowsPath
    from urllib.parse import quote

    raw = path or task.rpartition(".")[0].replace(".", "/") + ".py"
    if PureWindowsPath(raw).is_absolute() and not raw.startswith("/"):
        return {"uri": PureWindowsPath(raw).as_uri()}
    posix = raw.replace("\\", "/")
    if posix.startswith("/"):
        return {"uri": PurePosixPath(posix).as_uri()}
    return {"uri": quote(posix, safe="/-._~"), "uriBaseId": SARIF_SRCROOT}


def _sarif_location(t: TaskReport) -> dict[str, Any]:
    loc: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": t.task, "kind": "function"}]}
    physical: dict[str, Any] = {"artifactLocation": sarif_artifact(t.file, t.task)}
    physical["region"] = {"startLine": max(t.line or 1, 1)}
    loc["physicalLocation"] = physical
    return loc


def render_sarif(report: CheckReport, fail_on: str = "error") -> str:
    """SARIF 2.1.0 (one run; every rule in ``tool.driver.rules``; results located at the task)."""
    from podplan import __version__

    codes = sorted(RULES)
    index = {c: i for i, c in enumerate(codes)}
    rules = [
        {
            "id": c,
            "name": RULES[c]
            .title.title()
            .replace(" ", "")
            .replace("-", "")
            .replace(".", "")
            .replace("/", ""),
            "shortDescription": {"text": RULES[c].title},
            "helpUri": f"{DOCS_URI}#{c.lower()}",
            "defaultConfiguration": {"level": SARIF_LEVEL[RULES[c].severity]},
        }
        for c in codes
    ]
    results = []
    for t in report.tasks:
        for f in t.findings:
            text = f.message + (f" Hint: {f.hint}" if f.hint else "")
            result: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": SARIF_LEVEL[f.severity],
                "message": {"text": text},
                "locations": [_sarif_location(t)],
            }
            props = {k: v for k, v in (("field", f.field), ("pool", f.pool), ("task", t.task)) if v}
            result["properties"] = props
            # stable identity across runs (code scanning matches alerts on it)
            result["partialFingerprints"] = {"podplanFinding/v1": "|".join((t.task, f.code, f.field, f.pool))}
            results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "podplan",
                        "version": __version__,
                        "informationUri": DOCS_URI,
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _gh_command(f: Finding, t: TaskReport) -> str:
    kind = {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
    props = []
    if t.file:
        props.append(f"file={_gh_escape(t.file, True)}")
        if t.line:
            props.append(f"line={t.line}")
    props.append(f"title={_gh_escape(f'{f.code} {t.task}', True)}")
    message = f.message + (f" (hint: {f.hint})" if f.hint else "")
    return f"::{kind} {','.join(props)}::{_gh_escape(message)}"


def render_github(report: CheckReport, fail_on: str = "error") -> str:
    """GitHub Actions workflow commands (``::error file=…,line=…,title=…::message``)."""
    lines = [_gh_command(f, t) for t in report.tasks for f in t.findings]
    counts = report.counts()
    lines.append(
        f"podplan: {len(report.tasks)} task(s), {counts['error']} error(s), {counts['warning']} warning(s)"
    )
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[CheckReport, str], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
}


def render(report: CheckReport, fmt: str, fail_on: str = "error") -> str:
    """Render ``report`` in one of :data:`FORMATS`."""
    return RENDERERS[fmt](report, fail_on)
