"""Scenario: a Karpenter-style cluster described by a pool file — CPU pools on-demand and spot
(tainted), an A10G pool that exists only as spot capacity and scales from zero, A100 pools
partitioned 3g.20gb and 4g.20gb — with prices: fit sets, pods per node, cost per hour, the
cheapest pool, spot rules (PP501/PP502), scale-from-zero (PP404) and right-sizing (PP210)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from planning_nodes import BIG_LIMITS, by_task, run_check, write_module

MODULE = """
from podplan import Resources, task
from podplan.accelerators import A100, A10G

@task(resources=Resources(cpu=4, mem="16Gi"))
def etl(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi"), interruptible=True)
def etl_spot(x: int) -> int:
    return x

@task(resources=Resources(cpu=32, mem="16Gi"))
def too_many_cpus(x: int) -> int:
    return x

@task(resources=Resources(cpu=1, mem="2048"))
def mem_typo(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=A10G)
def a10g(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="16Gi", gpu=1), accelerator=A10G, interruptible=True)
def a10g_spot(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="32Gi", gpu=1), accelerator=A100.partition_3g_20gb)
def mig_3g(x: int) -> int:
    return x

@task(resources=Resources(cpu=4, mem="32Gi", gpu=1), accelerator=A100.partition_4g_20gb)
def mig_4g(x: int) -> int:
    return x
"""

POOLS = {
    "schemes": ["eks", "karpenter"],
    "pools": [
        {
            "name": "cpu-od",
            "instance_type": "m6i.4xlarge",
            "count": 3,
            "labels": {"karpenter.sh/capacity-type": "on-demand"},
            "allocatable": {"cpu": "15890m", "memory": "60Gi", "pods": 110},
            "price_per_hour": 0.768,
        },
        {
            "name": "cpu-spot",
            "instance_type": "m6i.4xlarge",
            "count": 2,
            "labels": {"karpenter.sh/capacity-type": "spot"},
            "taints": ["karpenter.sh/capacity-type=spot:NoSchedule"],
            "allocatable": {"cpu": "15890m", "memory": "60Gi", "pods": 110},
            "price_per_hour": 0.31,
        },
        {
            "name": "a10g-spot",
            "instance_type": "g5.2xlarge",
            "count": 0,
            "autoscaling": {"min": 0, "max": 10},
            "labels": {"karpenter.sh/capacity-type": "spot"},
            "taints": ["nvidia.com/gpu:NoSchedule"],
            "allocatable": {"cpu": "7910m", "memory": "29Gi", "pods": 58},
            "price_per_hour": 0.45,
            "gpu": {"model": "A10G", "count": 1},
        },
        {
            "name": "a100-3g",
            "instance_type": "p4d.24xlarge",
            "labels": {"karpenter.sh/capacity-type": "on-demand"},
            "taints": ["nvidia.com/gpu:NoSchedule"],
            "allocatable": {"cpu": "95690m", "memory": "1100Gi", "pods": 250},
            "price_per_hour": 32.77,
            "gpu": {"model": "A100", "count": 8, "mig": {"strategy": "single", "profile": "3g.20gb"}},
        },
        {
            "name": "a100-4g",
            "instance_type": "p4d.24xlarge",
            "labels": {"karpenter.sh/capacity-type": "on-demand"},
            "taints": ["nvidia.com/gpu:NoSchedule"],
            "allocatable": {"cpu": "95690m", "memory": "1100Gi", "pods": 250},
            "price_per_hour": 32.77,
            "gpu": {"model": "A100", "count": 8, "mig": {"strategy": "single", "profile": "4g.20gb"}},
        },
    ],
}

#: interruptible tasks go to spot capacity; non-interruptible ones are not kept off it (a common
#: configuration: only interruptible-node-selector-requirement is set)
PLATFORM = {
    "plugins": {
        "k8s": {
            "resource-tolerations": {
                "nvidia.com/gpu": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
            },
            "interruptible-node-selector-requirement": {
                "key": "karpenter.sh/capacity-type",
                "operator": "In",
                "values": ["spot"],
            },
            "interruptible-tolerations": [
                {
                    "key": "karpenter.sh/capacity-type",
                    "operator": "Equal",
                    "value": "spot",
                    "effect": "NoSchedule",
                }
            ],
        }
    },
    "task_resources": BIG_LIMITS,
}

EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "etl": (["cpu-od"], []),
    "etl_spot": (["cpu-spot"], []),
    "too_many_cpus": ([], ["PP401"]),
    "mem_typo": (["cpu-od"], ["PP105"]),
    # the only A10G capacity is spot, untainted, at zero nodes
    "a10g": (["a10g-spot"], ["PP404", "PP502"]),
    "a10g_spot": (["a10g-spot"], ["PP404"]),
    "mig_3g": (["a100-3g"], []),
    # 3g.20gb has the same 20 GB with 3 of the 7 compute slices, and a pool offers it
    "mig_4g": (["a100-4g"], ["PP210"]),
}


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_module(tmp_path, "wf_scen_spot", MODULE)
    (tmp_path / "pools.yaml").write_text(yaml.safe_dump(POOLS, sort_keys=False))
    (tmp_path / "platform.yaml").write_text(yaml.safe_dump(PLATFORM))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(capsys: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    return run_check(
        capsys, "wf_scen_spot.py", "--cluster", "pools.yaml", "--platform", "platform.yaml", *extra
    )


def test_planning_scenario_spot_cpu_pools(cluster: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _check(capsys)
    assert by_task(report) == EXPECTED
    assert code == 1  # PP401
    tasks = {t["task"].rpartition(".")[2]: t for t in report["tasks"]}
    # m6i.4xlarge: min(15890m // 4, 60Gi // 16Gi) = 3 pods per node
    assert tasks["etl"]["pods_per_node"] == {"cpu-od": 3}
    assert tasks["etl"]["cost_per_hour"] == {"cpu-od": 0.256}
    assert tasks["etl"]["cheapest"] == {
        "pool": "cpu-od",
        "pods_per_node": 3,
        "spot": False,
        "price_per_hour": 0.768,
        "cost_per_hour": 0.256,
    }
    assert tasks["etl_spot"]["cheapest"]["cost_per_hour"] == pytest.approx(0.31 / 3, abs=1e-6)
    assert tasks["a10g"]["cheapest"]["needs_scale_up"] is True
    # single strategy: 8 GPUs x 2 slices of 3g.20gb
    assert tasks["mig_3g"]["pods_per_node"] == {"a100-3g": 16}
    findings = {(name, f["code"]): f for name, t in tasks.items() for f in t["findings"]}
    assert findings["mig_4g", "PP210"]["pool"] == "a100-3g"
    assert "3g.20gb" in findings["mig_4g", "PP210"]["message"]
    assert findings["mem_typo", "PP105"]["hint"] == "write 2048Mi or 2048Gi if that was meant"
    assert "a10g-spot" in findings["a10g", "PP502"]["message"]
    summary = report["summary"]
    assert summary["unschedulable"] == 1
    assert summary["by_code"] == {"PP105": 1, "PP210": 1, "PP401": 1, "PP404": 2, "PP502": 1}


def test_planning_scenario_spot_fail_on(cluster: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # only the clean and info-level tasks: exit 0 at --fail-on error and warning, 1 at info
    for fail_on, expected in (("error", 0), ("warning", 0), ("info", 1), ("never", 0)):
        code, _ = run_check(
            capsys,
            "wf_scen_spot.py:mig_4g",
            "--cluster",
            "pools.yaml",
            "--platform",
            "platform.yaml",
            "--fail-on",
            fail_on,
        )
        assert code == expected, fail_on
    code, _ = _check(capsys, "--fail-on", "never")
    assert code == 0
    code, _ = _check(capsys, "--ignore", "PP401")
    assert code == 0  # the rest are warnings and infos
    code, _ = _check(capsys, "--ignore", "PP401", "--fail-on", "warning")
    assert code == 1
