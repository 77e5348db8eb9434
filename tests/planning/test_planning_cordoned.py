"""Cordoned and not-ready nodes in ``kubectl get nodes -o json``: they stay in their pool as
unavailable members (``count`` counts schedulable nodes, ``nodes_total`` all of them), the pool
keeps its name, and a pool with no schedulable node fits nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from planning_nodes import G5_XLARGE, M5_2XLARGE, _mng, node, nodelist
from planning_testlib import gpu_pod, pod, tol

from podplan.planning.cluster import Taint, cluster_from_nodelist, load_cluster
from podplan.planning.engine import check
from podplan.planning.inputs import TaskInput

ACC = "k8s.amazonaws.com/accelerator"
NOW = "2025-01-14T09:12:44Z"


def cordon(n: dict[str, Any]) -> dict[str, Any]:
    """What ``kubectl cordon`` leaves: ``spec.unschedulable`` and the controller's taint."""
    n["spec"]["unschedulable"] = True
    n["spec"].setdefault("taints", []).append(
        {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": NOW}
    )
    return n


def not_ready(n: dict[str, Any], status: str = "False") -> dict[str, Any]:
    """A node whose kubelet stopped reporting (``Unknown``) or reports NotReady (``False``), with
    the taints the node lifecycle controller adds."""
    key = "node.kubernetes.io/unreachable" if status == "Unknown" else "node.kubernetes.io/not-ready"
    n["status"]["conditions"] = [
        {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
        {"type": "Ready", "status": status, "reason": "KubeletNotReady", "lastTransitionTime": NOW},
    ]
    n["spec"].setdefault("taints", []).extend(
        [
            {"key": key, "effect": "NoSchedule", "timeAdded": NOW},
            {"key": key, "effect": "NoExecute", "timeAdded": NOW},
        ]
    )
    return n


def gpu_node(name: str) -> dict[str, Any]:
    return node(
        name,
        "g5.xlarge",
        G5_XLARGE,
        labels=_mng("gpu-a10g", **{ACC: "nvidia-a10g"}),
        taints=("nvidia.com/gpu=true:NoSchedule",),
    )


def cluster_data() -> dict[str, Any]:
    """An EKS cluster: three m5.2xlarge CPU nodes (the first cordoned), two g5.xlarge A10G
    nodes (one cordoned, one NotReady) and one m5.xlarge node that is unreachable."""
    cpu = [
        node(f"ip-10-0-1-{i}.ec2.internal", "m5.2xlarge", M5_2XLARGE, labels=_mng("cpu"))
        for i in (11, 12, 13)
    ]
    cordon(cpu[0])
    small = {**M5_2XLARGE, "cpu": "3920m", "memory": "15155304Ki"}
    lone = not_ready(node("ip-10-0-3-31.ec2.internal", "m5.xlarge", small, labels=_mng("small")), "Unknown")
    gpus = [cordon(gpu_node("ip-10-0-2-21.ec2.internal")), not_ready(gpu_node("ip-10-0-2-22.ec2.internal"))]
    return nodelist(*cpu, *gpus, lone)


def test_planning_cordoned_node_stays_in_its_pool() -> None:
    cluster = cluster_from_nodelist(cluster_data())
    assert cluster.names == ["m5.2xlarge", "g5.xlarge", "m5.xlarge"]
    cpu = cluster.pool("m5.2xlarge")
    assert cpu.count == 2
    assert cpu.nodes_total == 3
    assert cpu.unavailable == {"ip-10-0-1-11.ec2.internal": "cordoned"}
    assert cpu.node_names == ("ip-10-0-1-12.ec2.internal", "ip-10-0-1-13.ec2.internal")
    assert cpu.taints == ()  # the controller's unschedulable taint is not a pool taint
    assert cpu.schedulable
    assert cpu.describe_nodes() == "3 nodes (1 cordoned)"
    summary = cpu.summary()
    assert (summary["count"], summary["nodes_total"]) == (2, 3)
    assert summary["unavailable"] == {"ip-10-0-1-11.ec2.internal": "cordoned"}


def test_planning_all_unavailable_pool_exists_with_count_zero() -> None:
    cluster = cluster_from_nodelist(cluster_data())
    gpu = cluster.pool("g5.xlarge")
    assert gpu.count == 0 and gpu.nodes_total == 2
    assert gpu.unavailable == {
        "ip-10-0-2-21.ec2.internal": "cordoned",
        "ip-10-0-2-22.ec2.internal": "not ready",
    }
    assert gpu.taints == (Taint("nvidia.com/gpu", "true", "NoSchedule"),)
    assert gpu.allocatable["nvidia.com/gpu"] == "1"  # the shape is still known
    assert not gpu.schedulable
    assert gpu.describe_nodes() == "2 nodes (all unavailable: 1 cordoned, 1 not ready)"
    lone = cluster.pool("m5.xlarge")
    assert (lone.count, lone.unavailable) == (0, {"ip-10-0-3-31.ec2.internal": "not ready"})
    assert lone.describe_nodes() == "1 node (all unavailable: 1 not ready)"


def test_planning_healthy_nodes_keep_the_plain_pool_name() -> None:
    """The cordoned node sorts first: before, it took ``m5.2xlarge`` and the healthy ones became
    ``m5.2xlarge#2``; now there is one pool."""
    cluster = cluster_from_nodelist(cluster_data())
    assert not [n for n in cluster.names if "#" in n]


def test_planning_unavailable_nodes_do_not_lower_allocatable() -> None:
    data = cluster_data()
    data["items"][0]["status"]["allocatable"]["memory"] = "1Gi"  # the cordoned node
    assert cluster_from_nodelist(data).pool("m5.2xlarge").allocatable["memory"] == M5_2XLARGE["memory"]
    data["items"][1]["status"]["allocatable"]["memory"] = "2Gi"  # a schedulable node
    assert cluster_from_nodelist(data).pool("m5.2xlarge").allocatable["memory"] == "2Gi"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda n: n["spec"].update(unschedulable=True), "cordoned"),  # no taint yet
        (
            lambda n: n["spec"].update(
                taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]
            ),
            "cordoned",
        ),
        (lambda n: not_ready(n, "False"), "not ready"),
        (lambda n: not_ready(n, "Unknown"), "not ready"),
        (lambda n: n["status"].update(conditions=[{"type": "Ready", "status": "Unknown"}]), "not ready"),
        (lambda n: not_ready(cordon(n)), "cordoned, not ready"),
        (lambda n: n["status"].pop("conditions"), ""),  # hand-written lists: no conditions = ready
        (lambda n: n["status"].update(conditions=[{"type": "DiskPressure", "status": "True"}]), ""),
    ],
)
def test_planning_node_availability_rule(change: Any, reason: str) -> None:
    base = node("ip-10-0-9-1.ec2.internal", "m5.2xlarge", M5_2XLARGE, labels=_mng("cpu"))
    twin = copy.deepcopy(base)
    twin["metadata"]["name"] = "ip-10-0-9-2.ec2.internal"
    change(twin)
    cluster = cluster_from_nodelist(nodelist(base, twin))
    assert cluster.names == ["m5.2xlarge"]
    pool = cluster.pools[0]
    assert pool.unavailable == ({twin["metadata"]["name"]: reason} if reason else {})
    assert pool.count == (1 if reason else 2)
    assert pool.nodes_total == 2


def test_planning_check_fits_only_schedulable_nodes() -> None:
    cluster = cluster_from_nodelist(cluster_data())
    cpu_task = TaskInput("etl", pod({"cpu": "2", "memory": "4Gi"}, {"cpu": "2", "memory": "4Gi"}))
    gpu_task = TaskInput(
        "train",
        gpu_pod("nvidia-a10g", extra_tolerations=[tol("nvidia.com/gpu", "Exists", effect="NoSchedule")]),
    )
    report = check([cpu_task, gpu_task], cluster=cluster)
    etl, train = report.tasks
    assert etl.fits == ["m5.2xlarge"]  # not m5.xlarge: its only node is unreachable
    assert train.fits == []
    pp401 = [f for f in train.findings if f.code == "PP401"]
    assert len(pp401) == 1
    assert "closest pool g5.xlarge: nodes: no schedulable node now: 2 nodes (all unavailable:" in (
        pp401[0].message
    )
    assert "uncordon" in (pp401[0].hint or "")
    assert pp401[0].extra["failed"]  # the count-0 "nodes" predicate explains it


def test_planning_selector_on_a_cordoned_hostname_does_not_fit() -> None:
    cluster = cluster_from_nodelist(cluster_data())
    host = "kubernetes.io/hostname"
    on_cordoned = TaskInput("pinned", pod({"cpu": "1"}, selector={host: "ip-10-0-1-11.ec2.internal"}))
    on_healthy = TaskInput("pinned2", pod({"cpu": "1"}, selector={host: "ip-10-0-1-12.ec2.internal"}))
    report = check([on_cordoned, on_healthy], cluster=cluster)
    assert report.tasks[0].fits == []
    assert report.tasks[1].fits == ["m5.2xlarge"]


def test_planning_cordoned_nodes_from_a_file(tmp_path: Any) -> None:
    import json

    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(cluster_data(), indent=1))
    cluster = load_cluster(path, pool_label="eks.amazonaws.com/nodegroup")
    assert cluster.names == ["cpu", "gpu-a10g", "small"]
    assert [(p.count, p.nodes_total) for p in cluster] == [(2, 3), (0, 2), (0, 1)]
