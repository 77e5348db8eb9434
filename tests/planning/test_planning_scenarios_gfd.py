"""Scenario: A100 nodes labelled by NVIDIA GPU Feature Discovery with MIG disabled, the
``single`` strategy (``nvidia.com/gpu`` counts slices, the product gets ``-MIG-1g.5gb``) and the
``mixed`` strategy (``nvidia.com/mig-<profile>`` resources, no ``nvidia.com/gpu``), checked
with the ``gfd`` preset (device label ``nvidia.com/gpu.product``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from planning_nodes import (
    by_task,
    gfd_nodes,
    run_check,
    scenario_project,
)

MODULE = """
from kubernetes.client import V1Container, V1PodSpec, V1ResourceRequirements, V1Toleration
from podplan import PodTemplate, Resources, task
from podplan.accelerators import A100, GPUAccelerator, MultiInstanceGPUAccelerator

A100_GFD = "NVIDIA-A100-SXM4-40GB"

@task(resources=Resources(cpu=8, mem="64Gi", gpu=8), accelerator=GPUAccelerator(A100_GFD))
def whole_node(x: int) -> int:
    return x

@task(resources=Resources(cpu=8, mem="64Gi", gpu=1), accelerator=GPUAccelerator(A100_GFD))
def one_gpu(x: int) -> int:
    return x

@task(resources=Resources(cpu=8, mem="64Gi", gpu=1), accelerator=A100)
def flyte_device_name(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1), accelerator=GPUAccelerator(A100_GFD + "-MIG-1g.5gb"))
def single_slice(x: int) -> int:
    return x

@task(
    resources=Resources(cpu=2, mem="8Gi", gpu=1),
    accelerator=MultiInstanceGPUAccelerator(A100_GFD, "1g.5gb", strict=False),
)
def partition(x: int) -> int:
    return x

@task(resources=Resources(cpu=2, mem="8Gi", gpu=1))
def any_gpu(x: int) -> int:
    return x

def mixed(profile: str, tolerate: bool = True) -> PodTemplate:
    res = {"cpu": "2", "memory": "8Gi", f"nvidia.com/mig-{profile}": "1"}
    tolerations = [V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")]
    return PodTemplate(
        primary_container_name="primary",
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name="primary", resources=V1ResourceRequirements(requests=res, limits=res))
            ],
            tolerations=tolerations if tolerate else None,
        ),
    )

@task(pod_template=mixed("1g.5gb"))
def mixed_slice(x: int) -> int:
    return x

@task(pod_template=mixed("3g.20gb"))
def mixed_3g(x: int) -> int:
    return x

@task(pod_template=mixed("1g.5gb", tolerate=False))
def mixed_untolerated(x: int) -> int:
    return x

@task(pod_template=mixed("1g.10gb"))
def mixed_not_in_layout(x: int) -> int:
    return x
"""

EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    # the mixed node has nvidia.com/gpu: 0; the single node's product ends in -MIG-1g.5gb
    "whole_node": (["all-disabled"], []),
    "one_gpu": (["all-disabled"], []),
    # GFD never labels nvidia-tesla-a100
    "flyte_device_name": ([], ["PP401", "PP402"]),
    "single_slice": (["all-1g.5gb"], []),
    # the gfd preset's partition key is not a GFD label; the mixed pool only has nvidia.com/mig-1g.5gb
    "partition": ([], ["PP205", "PP401", "PP403"]),
    "any_gpu": (["all-disabled", "all-1g.5gb"], ["PP201"]),
    "mixed_slice": (["all-balanced"], []),
    "mixed_3g": (["all-balanced"], []),
    "mixed_untolerated": ([], ["PP401"]),
    "mixed_not_in_layout": ([], ["PP401"]),
}

POOL_FILE = {
    "schemes": ["gfd"],
    "pools": [
        {
            "name": "a100-mig-labelled",
            "instance_type": "p4d.24xlarge",
            "labels": {
                "nvidia.com/gpu.partition-size": "1g.5gb",
                "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
            },
            "taints": ["nvidia.com/gpu=true:NoSchedule"],
            "allocatable": {"cpu": "95690m", "memory": "1000Gi"},
            "gpu": {"model": "A100", "count": 8, "mig": {"strategy": "single", "profile": "1g.5gb"}},
        }
    ],
}


@pytest.fixture
def gfd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario_project(tmp_path, "wf_scen_gfd", MODULE, gfd_nodes(), "gfd")
    (tmp_path / "pools.yaml").write_text(yaml.safe_dump(POOL_FILE))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(capsys: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    return run_check(capsys, "wf_scen_gfd.py", "--platform", "platform.yaml", *extra)


def test_planning_scenario_gfd_strategies(gfd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _check(capsys, "--cluster", "nodes.json", "--pool-label", "nvidia.com/mig.config")
    assert by_task(report) == EXPECTED
    assert code == 1
    tasks = {t["task"].rpartition(".")[2]: t for t in report["tasks"]}
    assert tasks["mixed_slice"]["pods_per_node"] == {"all-balanced": 16}
    assert tasks["mixed_3g"]["pods_per_node"] == {"all-balanced": 8}
    assert tasks["single_slice"]["pods_per_node"] == {"all-1g.5gb": 47}  # cpu-bound: 95690m // 2
    findings = {(name, f["code"]): f for name, t in tasks.items() for f in t["findings"]}
    pp205 = findings["partition", "PP205"]
    assert pp205["severity"] == "error" and pp205["pool"] == "all-balanced"
    assert "nvidia.com/mig-1g.5gb" in pp205["message"] and "nvidia.com/gpu" in pp205["message"]
    hint = findings["flyte_device_name", "PP402"]["hint"]
    assert "'NVIDIA-A100-SXM4-40GB'" in hint  # the same catalog model, as GFD names it
    missing = findings["mixed_not_in_layout", "PP401"]
    assert missing["failed"]["resources"] == ["all-disabled", "all-1g.5gb", "all-balanced"]
    assert "nvidia.com/mig-1g.10gb needs 1, node allocatable 0" in missing["message"]
    assert (
        "untolerated taint nvidia.com/gpu=true:NoSchedule"
        in findings["mixed_untolerated", "PP401"]["message"]
    )


def test_planning_scenario_gfd_pp205_warning_when_another_pool_fits(
    gfd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = _check(
        capsys, "--cluster", "nodes.json", "--cluster", "pools.yaml", "--pool-label", "nvidia.com/mig.config"
    )
    got = by_task(report)
    assert got["partition"] == (["a100-mig-labelled"], ["PP205"])
    task = next(t for t in report["tasks"] if t["task"].endswith(".partition"))
    assert task["findings"][0]["severity"] == "warning"
    # the pool's explicit product label wins over the MIG expansion (`…-MIG-1g.5gb`): a task
    # without `unpartitioned` may now land on a 1g.5gb slice
    assert got["one_gpu"] == (["all-disabled", "a100-mig-labelled"], [])
    # 8 "GPUs" are 8 of its 56 slices under the single strategy: the scheduler cannot tell
    assert got["whole_node"] == (["all-disabled", "a100-mig-labelled"], [])
