"""Scenario: an EKS cluster (managed node groups, Karpenter, GPU taints, spot) checked end to end
with ``podplan check --format json`` on real task modules, with the ``eks-gpu`` preset and with a
stock Flyte deployment. Each expectation is what the kube-scheduler would do with the pod
Flyte's backend builds (backend spec §3, §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from planning_nodes import (
    by_task,
    eks_nodes,
    run_check,
    scenario_project,
)

MODULE = """
from podplan import Resources, task
from podplan.accelerators import A100, A10G, H100, T4, GPUAccelerator

@task(resources=Resources(cpu=2, mem="4Gi"))
def prep(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="2Gi"), interruptible=True, retries=3)
def prep_spot(x: int) -> int:
    return x

@task(resources=Resources(cpu=48, mem="500Gi", gpu=8), accelerator=A100, shared_memory="64Gi")
def train_a100(x: int) -> int:
    return x

@task(resources=Resources(cpu=3, mem="12Gi", gpu=1), accelerator=A10G)
def finetune(x: int) -> int:
    return x

@task(resources=Resources(cpu=96, mem="1500Gi", gpu=8), accelerator=H100)
def train_h100(x: int) -> int:
    return x

@task(resources=Resources(cpu=96, mem="1500Gi", gpu=8), accelerator=GPUAccelerator("nvidia-h100-80gb"))
def train_h100_80gb(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1), accelerator=A100.partition_1g_5gb)
def mig(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1), accelerator=A100.unpartitioned)
def a100_whole(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1))
def any_gpu(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="2Gi"), accelerator=T4)
def acc_no_gpu(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1), accelerator=A10G, interruptible=True)
def spot_gpu(x: int) -> int:
    return x

@task(resources=Resources(cpu=8, mem="16Gi", gpu=1), accelerator=A10G)
def too_big_for_g5(x: int) -> int:
    return x
"""

#: task -> (fits, codes) with the eks-gpu preset (admin ceilings raised) and --pool-label nodegroup
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    # non-interruptible: capacityType NotIn [SPOT]; GPU pools are tainted
    "prep": (["cpu-general"], []),
    # interruptible: capacityType In [SPOT] + the SPOT toleration
    "prep_spot": (["cpu-spot"], []),
    "train_a100": (["gpu-a100"], []),
    "finetune": (["gpu-a10g"], []),
    # flytekit's H100 device is nvidia-h100; the Karpenter pool labels its nodes nvidia-h100-80gb
    "train_h100": ([], ["PP401", "PP402"]),
    "train_h100_80gb": (["p5.48xlarge"], []),
    # the MIG pool is tainted with its partition size: only MIG tasks tolerate it
    "mig": (["gpu-a100-mig"], []),
    "a100_whole": (["gpu-a100"], []),
    # the GPU resource toleration lets it onto every untainted-by-partition GPU pool
    "any_gpu": (["gpu-a100", "gpu-a10g", "p5.48xlarge"], ["PP201"]),
    "acc_no_gpu": (["cpu-general"], ["PP202"]),
    # no spot GPU pool: nothing admits an interruptible A10G pod
    "spot_gpu": ([], ["PP401", "PP501"]),
    "too_big_for_g5": ([], ["PP401"]),
}


@pytest.fixture
def eks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario_project(tmp_path, "wf_scen_eks", MODULE, eks_nodes(), "eks-gpu")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(capsys: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    return run_check(capsys, "wf_scen_eks.py", "--cluster", "nodes.json", *extra)


def test_planning_scenario_eks_gpu_preset(eks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _check(
        capsys, "--platform", "platform.yaml", "--pool-label", "eks.amazonaws.com/nodegroup"
    )
    assert by_task(report) == EXPECTED
    assert code == 1
    assert report["summary"]["unschedulable"] == 3
    tasks = {t["task"]: t for t in report["tasks"]}
    assert tasks["wf_scen_eks.any_gpu"]["pods_per_node"] == {"gpu-a100": 8, "gpu-a10g": 1, "p5.48xlarge": 8}
    assert tasks["wf_scen_eks.mig"]["pods_per_node"] == {"gpu-a100-mig": 47}  # cpu: 95690m // 2


def test_planning_scenario_eks_messages(eks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = _check(capsys, "--platform", "platform.yaml", "--pool-label", "eks.amazonaws.com/nodegroup")
    findings = {(t["task"].rpartition(".")[2], f["code"]): f for t in report["tasks"] for f in t["findings"]}
    h100 = findings["train_h100", "PP402"]
    assert "k8s.amazonaws.com/accelerator=nvidia-h100" in h100["message"]
    assert "nvidia-h100-80gb" in h100["hint"]
    unsched = findings["train_h100", "PP401"]
    assert unsched["closest"] == "p5.48xlarge"  # the pool with the right GPU, wrong label value
    assert "(the pool has k8s.amazonaws.com/accelerator=nvidia-h100-80gb)" in unsched["message"]
    # every pool appears under at least one failed predicate
    pools = {p for names in unsched["failed"].values() for p in names}
    assert pools == {"cpu-general", "cpu-spot", "gpu-a100", "gpu-a10g", "gpu-a100-mig", "p5.48xlarge"}
    big = findings["too_big_for_g5", "PP401"]
    assert big["closest"] == "gpu-a10g"  # right kind of node, too small: closer than a big wrong one
    assert "cpu needs 8, node allocatable 3920m" in big["message"]
    assert "memory needs 16Gi" in big["message"]
    assert big["failed"]["resources"] == ["cpu-general", "cpu-spot", "gpu-a10g"]  # CPU pools: no GPU
    spot = findings["spot_gpu", "PP401"]
    assert spot["closest"] == "gpu-a10g"
    assert "eks.amazonaws.com/capacityType In ['SPOT']" in spot["message"]
    assert "interruptible-node-selector-requirement" in spot["hint"]
    assert "closest spot pool cpu-spot" in findings["spot_gpu", "PP501"]["message"]
    acc = findings["acc_no_gpu", "PP202"]
    assert "nvidia-tesla-t4" in acc["message"] and acc["field"] == "accelerator"


def test_planning_scenario_eks_pool_names_without_pool_label(
    eks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = _check(capsys, "--platform", "platform.yaml")
    fits = {k: v[0] for k, v in by_task(report).items()}
    assert fits["prep"] == ["m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-general]"]
    assert fits["finetune"] == ["g5.xlarge"]
    assert fits["mig"] == ["p4d.24xlarge[eks.amazonaws.com/nodegroup=gpu-a100-mig]"]
    assert [p["name"] for p in report["summary"]["pools"]] == [
        "m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-general]",
        "m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-spot]",
        "p4d.24xlarge[eks.amazonaws.com/nodegroup=gpu-a100]",
        "g5.xlarge",
        "p4d.24xlarge[eks.amazonaws.com/nodegroup=gpu-a100-mig]",
        "p5.48xlarge",
    ]
    assert [p["spot"] for p in report["summary"]["pools"]] == [False, True, False, False, False, False]


def test_planning_scenario_eks_stock_flyte(eks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stock Flyte deployment (admin ceilings cpu 2 / memory 1Gi / gpu 1, no GPU toleration, no
    interruptible settings) on the same cluster."""
    code, report = _check(
        capsys, "--platform", "flyte-defaults", "--pool-label", "eks.amazonaws.com/nodegroup"
    )
    got = by_task(report)
    # cpu 2 / 4Gi: memory clamped to 1Gi (request and limit: one finding)
    assert got["prep"] == (["cpu-general"], ["PP106"])
    # interruptible without interruptible settings: the spot taint is not tolerated
    assert got["prep_spot"] == (["cpu-general"], ["PP106", "PP501"])
    # no resource toleration for nvidia.com/gpu: every GPU pool's taint blocks the pod
    assert got["finetune"] == ([], ["PP106", "PP106", "PP401"])  # cpu and memory clamped
    # gpu 8 clamped to 1 by the admin ceiling
    assert "PP106" in got["train_a100"][1]
    tasks = {t["task"].rpartition(".")[2]: t for t in report["tasks"]}
    pp401 = next(f for f in tasks["finetune"]["findings"] if f["code"] == "PP401")
    assert pp401["closest"] == "gpu-a10g"
    assert "untolerated taint nvidia.com/gpu:NoSchedule" in pp401["message"]
    assert "resource-tolerations" in pp401["hint"]
    clamp = [f["message"] for f in tasks["finetune"]["findings"] if f["code"] == "PP106"]
    assert (
        "task wf_scen_eks.finetune: the platform lowers the memory request from 12Gi to 1Gi "
        "and the memory limit from 12Gi to 1Gi" in clamp
    )
    assert code == 1
