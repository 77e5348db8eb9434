"""CI report formats on a realistic run: SARIF 2.1.0 (schema subset + the constraints code
scanning relies on), JUnit XML structure and counts, GitHub workflow-command escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from planning_nodes import eks_nodes, scenario_project
from planning_testlib import FIXTURES
from test_planning_scenarios_eks import MODULE

from podplan.cli.main import main
from podplan.planning.engine import CheckReport, TaskReport
from podplan.planning.findings import RULES, Finding
from podplan.planning.report import render, sarif_artifact

#: RFC 3986 URI-reference characters (no spaces, no raw '%' except escapes)
URI_REF = re.compile(r"^([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario_project(tmp_path, "wf_scen_formats", MODULE, eks_nodes(), "eks-gpu", module_dir="pipelines")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys: Any, fmt: str, *extra: str) -> tuple[int, str]:
    code = main(
        [
            "check",
            "pipelines/wf_scen_formats.py",
            "--platform",
            "platform.yaml",
            "--cluster",
            "nodes.json",
            "--pool-label",
            "eks.amazonaws.com/nodegroup",
            "--format",
            fmt,
            *extra,
        ]
    )
    out, _ = capsys.readouterr()
    return code, out


def test_planning_scenario_sarif(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "sarif")
    assert code == 1
    log = json.loads(out)
    schema = json.loads((FIXTURES / "sarif-2.1.0-subset.schema.json").read_text())
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    assert all(r["defaultConfiguration"]["level"] in ("none", "note", "warning", "error") for r in rules)
    results = run["results"]
    assert {r["ruleId"] for r in results} == {"PP201", "PP202", "PP401", "PP402", "PP501"}
    fingerprints = set()
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert (
            r["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[RULES[r["ruleId"]].severity]
        )
        assert r["message"]["text"]
        (loc,) = r["locations"]
        artifact = loc["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "pipelines/wf_scen_formats.py", "uriBaseId": "%SRCROOT%"}
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("wf_scen_formats.")
        fingerprints.add(r["partialFingerprints"]["podplanFinding/v1"])
    assert len(fingerprints) == len(results)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/wf.py", {"uri": "src/wf.py", "uriBaseId": "%SRCROOT%"}),
        ("my dir/wf,odd:name.py", {"uri": "my%20dir/wf%2Codd%3Aname.py", "uriBaseId": "%SRCROOT%"}),
        ("/abs/path/wf.py", {"uri": "file:///abs/path/wf.py"}),
        ("C:\\\\work\\\\wf.py", {"uri": "file:///C:/work/wf.py"}),
        (None, {"uri": "pkg/mod.py", "uriBaseId": "%SRCROOT%"}),
    ],
)
def test_planning_sarif_artifact_uris(path: str | None, expected: dict[str, str]) -> None:
    got = sarif_artifact(path, "pkg.mod.task")
    assert got == expected
    assert URI_REF.match(got["uri"])


def test_planning_scenario_junit(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run(capsys, "junit")
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert suite.get("tests") == root.get("tests") == str(len(cases)) == "12"
    assert suite.get("failures") == root.get("failures") == str(len(failures)) == "4"
    assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    assert {c.get("name") for c in failures} == {"train_h100", "acc_no_gpu", "spot_gpu", "too_big_for_g5"}
    names = {c.get("name"): c for c in cases}
    types = {name: names[name].find("failure").get("type") for name in ("train_h100", "acc_no_gpu")}  # type: ignore[union-attr]
    assert types == {"train_h100": "PP401", "acc_no_gpu": "PP202"}
    for case in failures:
        failure = case.find("failure")
        assert failure is not None and failure.get("message") and failure.text
    assert names["any_gpu"].find("failure") is None
    assert "PP201 warning" in (names["any_gpu"].findtext("system-out") or "")
    assert all(
        c.get("classname") == "wf_scen_formats" and c.get("file") == "pipelines/wf_scen_formats.py"
        for c in cases
    )
    # --fail-on warning turns the PP201 and PP501 warnings into failures too
    _, out = _run(capsys, "junit", "--fail-on", "warning")
    assert ET.fromstring(out).get("failures") == "5"  # + any_gpu (PP201)


def test_planning_github_escaping() -> None:
    finding = Finding("PP401", "error", "50% of pods\r\nfail: a, b", task="m.t", hint="add 1,2: x")
    report = CheckReport([TaskReport("m.t", [], [finding], [], "dir,x/a:b%.py", 7)])
    (line, summary) = render(report, "github").splitlines()
    assert line == (
        "::error file=dir%2Cx/a%3Ab%25.py,line=7,title=PP401 m.t::"
        "50%25 of pods%0D%0Afail: a, b (hint: add 1,2: x)"
    )
    assert summary.startswith("podplan: 1 task(s), 1 error(s)")


def test_planning_scenario_github_and_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "github", "-o", "report.txt")
    assert code == 1 and out == ""
    lines = (project / "report.txt").read_text().splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 5  # 3 x PP401, PP402, PP202
    assert sum(line.startswith("::warning ") for line in lines) == 2  # PP201, PP501
    assert all("file=pipelines/wf_scen_formats.py,line=" in line for line in lines[:-1])
