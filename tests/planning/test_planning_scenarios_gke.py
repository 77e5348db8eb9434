"""Scenario: a GKE cluster (A100 whole and MIG pools, L4 on Spot VMs, H100, preemptible and
spot CPU pools, GKE's ``nvidia.com/gpu=present:NoSchedule`` taint) checked end to end with the
``gke-gpu`` preset, and with a stock Flyte platform whose EKS label keys do not exist on GKE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from planning_nodes import (
    BIG_LIMITS,
    by_task,
    gke_nodes,
    run_check,
    scenario_project,
)

MODULE = """
from podplan import Resources, task
from podplan.accelerators import A100, L4, H100, GPUAccelerator

@task(resources=Resources(cpu=2, mem="4Gi"))
def prep(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="4Gi"), interruptible=True)
def prep_spot(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=A100.partition_1g_5gb)
def mig(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=A100.unpartitioned)
def whole_a100(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=A100)
def any_a100(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=A100.partition_2g_10gb)
def mig_2g(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=L4, interruptible=True)
def l4_spot(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=L4)
def l4_ondemand(x: int) -> int:
    return x

@task(resources=Resources(cpu=64, mem="512Gi", gpu=8), accelerator=H100)
def h100(x: int) -> int:
    return x

@task(resources=Resources(cpu=64, mem="512Gi", gpu=8), accelerator=GPUAccelerator("nvidia-h100-80gb"))
def h100_80gb(x: int) -> int:
    return x

@task(resources=Resources(cpu=16, mem="64Gi", gpu=2), accelerator=A100.unpartitioned)
def two_a100(x: int) -> int:
    return x
"""

EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    # non-interruptible: cloud.google.com/gke-spot DoesNotExist (preemptible VMs are not excluded)
    "prep": (["cpu-preemptible", "default-pool"], []),
    "prep_spot": (["cpu-spot"], []),
    # GKE MIG: nvidia.com/gpu counts slices, the partition is a node label
    "mig": (["a100-mig"], []),
    # unpartitioned: gke-gpu-partition-size DoesNotExist
    "whole_a100": (["a100"], []),
    # no partition requirement at all: a MIG slice satisfies it too
    "any_a100": (["a100", "a100-mig"], []),
    "mig_2g": ([], ["PP401", "PP402"]),
    "l4_spot": (["l4-spot"], []),
    # the only L4 pool is Spot and the non-interruptible requirement excludes it
    "l4_ondemand": ([], ["PP401"]),
    # GKE's label value is nvidia-h100-80gb; flytekit's H100 device is nvidia-h100
    "h100": ([], ["PP401", "PP402"]),
    "h100_80gb": (["h100"], []),
    # a2-highgpu-1g has one A100
    "two_a100": ([], ["PP401"]),
}


@pytest.fixture
def gke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario_project(tmp_path, "wf_scen_gke", MODULE, gke_nodes(), "gke-gpu")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(capsys: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    return run_check(capsys, "wf_scen_gke.py", "--cluster", "nodes.json", *extra)


def test_planning_scenario_gke_gpu_preset(gke: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _check(
        capsys, "--platform", "platform.yaml", "--pool-label", "cloud.google.com/gke-nodepool"
    )
    assert by_task(report) == EXPECTED
    assert code == 1
    tasks = {t["task"].rpartition(".")[2]: t for t in report["tasks"]}
    assert tasks["mig"]["pods_per_node"] == {"a100-mig": 2}  # cpu 11900m // 4
    assert tasks["h100_80gb"]["pods_per_node"] == {"h100": 1}
    findings = {(name, f["code"]): f for name, t in tasks.items() for f in t["findings"]}
    assert findings["mig_2g", "PP402"]["message"] == (
        "task wf_scen_gke.mig_2g: no node carries cloud.google.com/gke-gpu-partition-size=2g.10gb; "
        "the cluster has 1g.5gb"
    )
    assert findings["l4_ondemand", "PP401"]["closest"] == "l4-spot"
    assert "cloud.google.com/gke-spot DoesNotExist" in findings["l4_ondemand", "PP401"]["message"]
    assert findings["two_a100", "PP401"]["closest"] == "a100"
    assert "nvidia.com/gpu needs 2, node allocatable 1" in findings["two_a100", "PP401"]["message"]
    assert "nvidia-h100-80gb" in findings["h100", "PP402"]["hint"]


def test_planning_scenario_gke_with_eks_label_keys(gke: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Stock Flyte keeps gpu-device-node-label at the EKS convention: no GKE node has it."""
    platform = {"task_resources": BIG_LIMITS}
    (gke / "stock.yaml").write_text(yaml.safe_dump(platform))
    _, report = _check(capsys, "--platform", "stock.yaml", "--pool-label", "cloud.google.com/gke-nodepool")
    got = by_task(report)
    assert got["mig"] == ([], ["PP401", "PP403", "PP403"])  # device and partition keys
    assert got["whole_a100"] == ([], ["PP401", "PP403"])
    # no accelerator: GKE's ExtendedResourceToleration admission tolerates its GPU taint
    assert got["prep"] == (["cpu-preemptible", "default-pool"], [])
    tasks = {t["task"].rpartition(".")[2]: t for t in report["tasks"]}
    pp403 = [f for f in tasks["mig"]["findings"] if f["code"] == "PP403"]
    assert {f["field"] for f in pp403} == {"spec.affinity.nodeAffinity.required"}
    assert any("'k8s.amazonaws.com/accelerator'" in f["message"] for f in pp403)
    assert all("gpu-device-node-label" in f["hint"] for f in pp403)
    # without interruptible settings the tainted Spot pool is out of reach, but the untainted
    # preemptible pool (spot capacity) admits it: no PP501
    assert got["prep_spot"] == (["cpu-preemptible", "default-pool"], [])
