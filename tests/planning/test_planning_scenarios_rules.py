"""Every task rule of the issue, reached from real task definitions (podplan tasks, pod
templates; hand-written pods where podplan refuses the value at decoration), each firing on its
own — and a well-configured GPU task producing no finding at all. Messages name the task, the
field and the values; every finding has a hint."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from planning_testlib import pod

from podplan.cli.main import main
from podplan.planning.engine import check
from podplan.planning.inputs import TaskInput

MODULE = """
from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements
from podplan import PodTemplate, Resources, task
from podplan.accelerators import A100, GPUAccelerator, MultiInstanceGPUAccelerator

def sidecar(**res):
    r = V1ResourceRequirements(requests=res.get("requests"), limits=res.get("limits"))
    containers = [V1Container(name="primary"), V1Container(name="sidecar", image="busybox", resources=r)]
    return PodTemplate(primary_container_name="primary", pod_spec=V1PodSpec(containers=containers))

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1), accelerator=A100.partition_1g_5gb, shared_memory="2Gi")
def clean(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="1Gi"), pod_template=sidecar(requests={"cpu": "100m"}))
def sidecar_request_no_limit(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="1Gi", gpu=("1", "2")), accelerator=A100)
def gpu_request_ne_limit(x: int) -> int:
    return x

@task(
    resources=Resources(cpu=1, mem="1Gi"),
    pod_template=sidecar(requests={"nvidia.com/gpu": "500m"}, limits={"nvidia.com/gpu": "500m"}),
)
def half_gpu(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="2048"))
def unitless_memory(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="4Ti"))
def clamped(x: int) -> int:
    return x

@task(
    resources=Resources(cpu=1, mem="1Gi"),
    pod_template=sidecar(requests={"gpus": "1"}, limits={"gpus": "1"}),
)
def bare_resource_name(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="1Gi", gpu=1))
def gpu_without_accelerator(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="1Gi"), accelerator=A100)
def accelerator_without_gpu(x: int) -> int:
    return x

@task(
    resources=Resources(cpu=1, mem="1Gi", gpu=1),
    accelerator=MultiInstanceGPUAccelerator("nvidia-tesla-a100", "2g.20gb", strict=False),
)
def profile_not_offered(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="1Gi", gpu=3), accelerator=A100.partition_3g_20gb)
def too_many_slices(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="1Gi", gpu=1), accelerator=GPUAccelerator("nvidia-tesla-a1000"))
def unknown_device(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="4Gi"), shared_memory="8Gi")
def shm_above_limit(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="4Gi"), shared_memory=True)
def shm_unbounded_with_limit(x: int) -> int:
    return x
"""

PLATFORM = """
task_resources:
  defaults: {cpu: 500m, memory: 1Gi}
  limits: {cpu: "64", memory: 1Ti, gpu: "8"}
"""

EXPECTED = {
    "clean": [],
    # the backend writes an explicit "0" limit on a sidecar without limits (spec §2.4)
    "sidecar_request_no_limit": ["PP102"],
    "gpu_request_ne_limit": ["PP103"],
    "half_gpu": ["PP104", "PP104", "PP201"],
    "unitless_memory": ["PP105"],
    "clamped": ["PP106"],
    "bare_resource_name": ["PP107", "PP107"],
    "gpu_without_accelerator": ["PP201"],
    "accelerator_without_gpu": ["PP202"],
    "profile_not_offered": ["PP203"],
    "too_many_slices": ["PP204"],
    "unknown_device": ["PP206"],
    "shm_above_limit": ["PP301"],
    "shm_unbounded_with_limit": [],
}


@pytest.fixture
def report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    (tmp_path / "wf_scen_rules.py").write_text(textwrap.dedent(MODULE))
    (tmp_path / "platform.yaml").write_text(PLATFORM)
    monkeypatch.chdir(tmp_path)
    main(["check", "wf_scen_rules.py", "--platform", "platform.yaml", "--format", "json"])
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return {t["task"].rpartition(".")[2]: t for t in data["tasks"]}


def test_planning_every_task_rule_fires_alone(report: dict[str, Any]) -> None:
    got = {name: sorted(f["code"] for f in t["findings"]) for name, t in report.items()}
    assert got == EXPECTED


def test_planning_rule_messages_name_task_field_values(report: dict[str, Any]) -> None:
    expected_text = {
        "PP102": ["'sidecar'", "100m", "cpu limit of 0"],
        "PP103": ["nvidia.com/gpu", "1 must be equal to", "limit of 2"],
        "PP104": ["500m must be an integer"],
        "PP105": ["'2048'", "2048 bytes"],
        "PP106": ["memory request from 4Ti to 1Ti", "memory limit from 4Ti to 1Ti"],
        "PP107": ["'gpus'"],
        "PP201": ["requests 1 GPU(s)"],
        "PP202": ["'nvidia-tesla-a100'", "nvidia.com/gpu limit"],
        "PP203": ["'2g.20gb'", "A100", "3g.20gb"],
        "PP204": ["3 x 3g.20gb", "at most 2"],
        "PP206": ["'nvidia-tesla-a1000'"],
        "PP301": ["8Gi", "4Gi"],
    }
    seen = set()
    for name, task in report.items():
        for f in task["findings"]:
            assert f"task {task['task']}" in f["message"], f
            assert f["field"] and f["hint"], f
            if f["code"] == "PP201" and name == "half_gpu":
                assert "requests 0.5 GPU(s)" in f["message"]
                continue
            for text in expected_text[f["code"]]:
                assert text in f["message"], (f["code"], text, f["message"])
            seen.add(f["code"])
    assert seen == set(expected_text)
    assert "did you mean 'nvidia-tesla-a100'" in report["unknown_device"]["findings"][0]["hint"]


def test_planning_rules_from_hand_written_pods() -> None:
    """Values podplan refuses at decoration still reach the checker from other tools' pods."""
    quantity = TaskInput("ext.bad_quantity", pod({"memory": "1GB"}, {"memory": "1GB"}))
    negative = TaskInput("ext.negative", pod({"cpu": "-1"}, {"cpu": "1"}))
    over = TaskInput("ext.over", pod({"cpu": "2"}, {"cpu": "1"}))
    no_limit = TaskInput("ext.no_limit", pod({"cpu": "1", "nvidia.com/gpu": "1"}, {"cpu": "1"}))
    shm = TaskInput(
        "ext.shm",
        pod(
            {"cpu": "1"},
            {"cpu": "1"},
            volumes=[{"name": "s", "emptyDir": {"medium": "Memory", "sizeLimit": "0"}}],
        ),
    )
    result = {
        t.task: sorted(f.code for f in t.findings)
        for t in check([quantity, negative, over, no_limit, shm]).tasks
    }
    assert result == {
        "ext.bad_quantity": ["PP101", "PP101"],
        "ext.negative": ["PP101"],
        "ext.over": ["PP102"],
        "ext.no_limit": ["PP103", "PP201"],
        "ext.shm": ["PP302"],
    }


def test_planning_unbounded_shared_memory_without_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A platform with no memory default writes memory "0" (no limit): /dev/shm is unbounded."""
    (tmp_path / "wf_scen_rules_shm.py").write_text(
        textwrap.dedent(
            """
            from podplan import Resources, task

            @task(resources=Resources(cpu=1), shared_memory=True)
            def unbounded(x: int) -> int:
                return x

            @task(resources=Resources(cpu=1, mem="8Gi"), shared_memory=True)
            def bounded_by_limit(x: int) -> int:
                return x
            """
        )
    )
    (tmp_path / "platform.yaml").write_text(
        "task_resources:\n  defaults: {cpu: 500m}\n  limits: {cpu: '8'}\n"
    )
    monkeypatch.chdir(tmp_path)
    main(["check", "wf_scen_rules_shm.py", "--platform", "platform.yaml", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    got = {t["task"]: [f["code"] for f in t["findings"]] for t in data["tasks"]}
    assert got == {"wf_scen_rules_shm.unbounded": ["PP302"], "wf_scen_rules_shm.bounded_by_limit": []}
