"""Every rule, on hand-written pods shaped like the backend's output."""

from __future__ import annotations

from typing import Any

import pytest
from planning_testlib import FIXTURES, container, gpu_pod, pod, tol

from podplan.planning.cluster import Cluster, NodePool, load_cluster
from podplan.planning.engine import check
from podplan.planning.findings import RULES, Finding, filter_findings, parse_codes, unknown_codes
from podplan.planning.inputs import AcceleratorRequest, SharedMemoryRequest, TaskInput
from podplan.planning.rules_task import RuleContext

GKE_PLATFORM_CTX = RuleContext(
    gpu_device_node_label="cloud.google.com/gke-accelerator",
    gpu_partition_size_node_label="cloud.google.com/gke-gpu-partition-size",
)


def findings(task: TaskInput, cluster: Cluster | None = None, platform: Any = None) -> list[Finding]:
    return check([task], cluster=cluster, platform=platform).tasks[0].findings


def codes(task: TaskInput, cluster: Cluster | None = None, platform: Any = None) -> list[str]:
    return sorted({f.code for f in findings(task, cluster, platform)})


CPU = {"cpu": "1", "memory": "1Gi"}

TASK_RULE_CASES = [
    ("clean", TaskInput("m.clean", pod(CPU, CPU)), []),
    (
        "PP101 bad quantity",
        TaskInput("m.t", pod({"cpu": "1", "memory": "1GB"}, {"memory": "1GB"})),
        ["PP101"],
    ),
    ("PP101 negative", TaskInput("m.t", pod({"cpu": "-1", "memory": "1Gi"}, CPU)), ["PP101"]),
    ("PP102 request above limit", TaskInput("m.t", pod({"cpu": "2", "memory": "1Gi"}, CPU)), ["PP102"]),
    (
        "PP102 explicit zero limit",
        TaskInput("m.t", pod({"cpu": "1", "memory": "1Gi"}, {"cpu": "0", "memory": "1Gi"})),
        ["PP102"],
    ),
    (
        "PP103 gpu request != limit",
        TaskInput(
            "m.t",
            pod({**CPU, "nvidia.com/gpu": "1"}, {**CPU, "nvidia.com/gpu": "2"}),
            accelerator=AcceleratorRequest("nvidia-tesla-t4"),
        ),
        ["PP103"],
    ),
    (
        "PP103 gpu request without limit",
        TaskInput("m.t", pod({**CPU, "nvidia.com/gpu": "1"}, CPU)),
        ["PP103", "PP201"],
    ),
    (
        "PP104 fractional gpu",
        TaskInput(
            "m.t",
            pod({**CPU, "nvidia.com/gpu": "500m"}, {**CPU, "nvidia.com/gpu": "500m"}),
            accelerator=AcceleratorRequest("nvidia-tesla-t4"),
        ),
        ["PP104"],
    ),
    (
        "PP105 unit-less memory",
        TaskInput("m.t", pod({"cpu": "1", "memory": "2048"}, {"memory": "2048"})),
        ["PP105"],
    ),
    (
        "PP106 clamp",
        TaskInput("m.t", pod(CPU, CPU), declared={"memory": ("1Gi", "8Gi"), "cpu": ("4", None)}),
        ["PP106"],
    ),
    ("PP107 bare gpu", TaskInput("m.t", pod({**CPU, "gpu": "1"}, {**CPU, "gpu": "1"})), ["PP107"]),
    (
        "PP201 gpu without accelerator",
        TaskInput("m.t", pod({**CPU, "nvidia.com/gpu": "1"}, {**CPU, "nvidia.com/gpu": "1"})),
        ["PP201"],
    ),
    (
        "PP202 accelerator without gpu",
        TaskInput("m.t", pod(CPU, CPU), accelerator=AcceleratorRequest("nvidia-tesla-a100")),
        ["PP202"],
    ),
    (
        "PP203 profile not offered",
        TaskInput(
            "m.t",
            gpu_pod("nvidia-tesla-a100", "1", "2g.20gb"),
            accelerator=AcceleratorRequest("nvidia-tesla-a100", "2g.20gb"),
        ),
        ["PP203"],
    ),
    (
        "PP204 more slices than one GPU",
        TaskInput(
            "m.t",
            gpu_pod("nvidia-tesla-a100", "8", "1g.5gb"),
            accelerator=AcceleratorRequest("nvidia-tesla-a100", "1g.5gb"),
        ),
        ["PP204"],
    ),
    (
        "PP206 unknown device",
        TaskInput("m.t", gpu_pod("nvidia-tesla-a1000"), accelerator=AcceleratorRequest("nvidia-tesla-a1000")),
        ["PP206"],
    ),
    (
        # v1.16.8 applies accelerator selectors only with a gpu-resource-name limit: PP202, not PP206
        "TPU device is known",
        TaskInput(
            "m.t",
            pod({**CPU, "google.com/tpu": "4"}, {**CPU, "google.com/tpu": "4"}),
            accelerator=AcceleratorRequest("tpu-v5-lite-podslice", "2x2"),
        ),
        ["PP202"],
    ),
    (
        # right-sizing needs a cluster that offers the smaller profile (scenario tests)
        "no PP210 without a cluster",
        TaskInput(
            "m.t",
            gpu_pod("nvidia-tesla-a100", "1", "4g.20gb"),
            accelerator=AcceleratorRequest("nvidia-tesla-a100", "4g.20gb"),
        ),
        [],
    ),
    (
        "PP301 shm above memory limit",
        TaskInput(
            "m.t",
            pod({"cpu": "1", "memory": "4Gi"}, {"cpu": "1", "memory": "4Gi"}),
            shared_memory=SharedMemoryRequest(size_limit="8Gi"),
        ),
        ["PP301"],
    ),
    (
        "PP302 unbounded shm, no memory limit",
        TaskInput("m.t", pod({"cpu": "1"}), shared_memory=SharedMemoryRequest()),
        ["PP302"],
    ),
    (
        "shm volume in the pod",
        TaskInput(
            "m.t",
            pod({"cpu": "1"}, volumes=[{"name": "s", "emptyDir": {"medium": "Memory", "sizeLimit": "0"}}]),
        ),
        ["PP302"],
    ),
    (
        "bounded shm under the limit",
        TaskInput(
            "m.t",
            pod({"cpu": "1", "memory": "4Gi"}, {"memory": "4Gi"}),
            shared_memory=SharedMemoryRequest(size_limit="2Gi"),
        ),
        [],
    ),
]


@pytest.mark.parametrize(("name", "task", "expected"), TASK_RULE_CASES, ids=[c[0] for c in TASK_RULE_CASES])
def test_planning_task_rules(name: str, task: TaskInput, expected: list[str]) -> None:
    assert codes(task) == expected


def test_planning_messages_name_task_field_and_values() -> None:
    task = TaskInput("wf.train", pod({"cpu": "2", "memory": "1Gi"}, CPU))
    (f,) = findings(task)
    assert f.code == "PP102" and f.severity == "error" and f.task == "wf.train"
    assert "wf.train" in f.message and "'main'" in f.message and "2" in f.message
    assert f.field == "spec.containers[0].resources.requests[cpu]"
    assert f.hint
    clamp = findings(TaskInput("wf.t", pod(CPU, CPU), declared={"memory": (None, "8Gi")}))[0]
    assert "memory limit from 8Gi to 1Gi" in clamp.message


def test_planning_unknown_device_hint_suggests() -> None:
    f = findings(
        TaskInput("m.t", gpu_pod("nvidia-tesla-a1000"), accelerator=AcceleratorRequest("nvidia-tesla-a1000"))
    )
    assert "nvidia-tesla-a100" in f[0].hint


def test_planning_every_code_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "check.md").read_text()
    for code, rule in RULES.items():
        assert f"### {code}" in doc, code
        assert rule.severity in ("error", "warning", "info")


# --- cluster rules ----------------------------------------------------------------------------

GPU_TOL = [tol("nvidia.com/gpu", "Exists")]


def test_planning_pp401_lists_each_pool_and_the_closest() -> None:
    cluster = load_cluster(FIXTURES / "eks-nodes.json")
    task = TaskInput(
        "m.big",
        gpu_pod("nvidia-a10g", "2", extra_tolerations=GPU_TOL),
        accelerator=AcceleratorRequest("nvidia-a10g"),
    )
    report = check([task], cluster=cluster)
    t = report.tasks[0]
    assert t.fits == []
    (f,) = [f for f in t.findings if f.code == "PP401"]
    assert f.severity == "error" and f.pool == "g5.xlarge"
    assert "closest pool g5.xlarge" in f.message and "nvidia.com/gpu needs 2" in f.message
    data = f.to_dict()
    assert {r["pool"] for r in data["reasons"]} == set(cluster.names)  # <= 10 pools: all detailed
    failed = data["failed"]
    assert "g5.xlarge" in failed["resources"]
    assert "g5.xlarge" not in failed["nodeAffinity"] and "g5.xlarge" not in failed["taints"]
    assert "p3.8xlarge" in failed["nodeAffinity"] and "p3.8xlarge" in failed["taints"]
    assert "p3.8xlarge" not in failed["resources"]
    assert set().union(*failed.values()) == set(cluster.names)
    assert data["reasons"][0]["pool"] == "g5.xlarge"  # closest first
    assert report.summary()["unschedulable"] == 1


def test_planning_pp402_h100_label_value_on_gke() -> None:
    cluster = load_cluster(FIXTURES / "gke-nodes.json")
    label = "cloud.google.com/gke-accelerator"
    task = TaskInput(
        "m.h100",
        gpu_pod(
            "nvidia-h100",
            "8",
            label=label,
            extra_tolerations=[tol("nvidia.com/gpu", "Equal", "present", "NoSchedule")],
        ),
        accelerator=AcceleratorRequest("nvidia-h100"),
    )
    fs = findings(task, cluster, platform=_gke_platform())
    f402 = [f for f in fs if f.code == "PP402"]
    assert f402 and "nvidia-h100-80gb" in f402[0].hint
    assert "PP401" in {f.code for f in fs}


def test_planning_pp403_label_key_missing() -> None:
    cluster = load_cluster(FIXTURES / "gke-nodes.json")
    task = TaskInput(
        "m.t4",
        gpu_pod("nvidia-tesla-t4", extra_tolerations=GPU_TOL),
        accelerator=AcceleratorRequest("nvidia-tesla-t4"),
    )
    f = [f for f in findings(task, cluster) if f.code == "PP403"]
    assert f and "gpu-device-node-label" in f[0].hint


def test_planning_pp205_mixed_strategy_pool() -> None:
    cluster = load_cluster(FIXTURES / "pools.yaml")
    task = TaskInput(
        "m.mig",
        gpu_pod("nvidia-tesla-a100", "1", "1g.5gb", extra_tolerations=GPU_TOL),
        accelerator=AcceleratorRequest("nvidia-tesla-a100", "1g.5gb"),
    )
    fs = {f.code: f for f in findings(task, cluster)}
    assert fs["PP205"].severity == "error" and fs["PP205"].pool == "a100-mixed"
    assert "nvidia.com/mig-1g.5gb" in fs["PP205"].hint
    assert "PP401" in fs


def test_planning_mig_single_pool_fits_and_plans() -> None:
    cluster = load_cluster(FIXTURES / "pools.yaml")
    h100_tols = [*GPU_TOL]
    task = TaskInput(
        "m.mig",
        gpu_pod("nvidia-h100", "1", "1g.10gb", extra_tolerations=h100_tols),
        accelerator=AcceleratorRequest("nvidia-h100", "1g.10gb"),
    )
    t = check([task], cluster=cluster).tasks[0]
    assert t.fits == ["h100-mig"]
    (p,) = t.plans
    assert p.pods_per_node == 56 and p.cost_per_hour == pytest.approx(98.32 / 56, rel=1e-6)
    assert t.cheapest is p
    assert t.findings == []


def test_planning_pp404_scale_from_zero_and_pp501_spot() -> None:
    cluster = load_cluster(FIXTURES / "pools.yaml")
    l4 = TaskInput(
        "m.l4", gpu_pod("nvidia-l4", extra_tolerations=GPU_TOL), accelerator=AcceleratorRequest("nvidia-l4")
    )
    assert codes(l4, cluster) == ["PP404"]
    spot_tol = [tol("flyte.org/interruptible", "Equal", "true", "NoSchedule")]
    interruptible = TaskInput("m.i", pod(CPU, CPU, tolerations=spot_tol, labels={"interruptible": "true"}))
    t = check([interruptible], cluster=cluster).tasks[0]
    assert t.fits == ["cpu-ondemand", "cpu-spot"] and t.findings == []
    assert t.cheapest is not None and t.cheapest.pool == "cpu-spot"
    no_tol = TaskInput("m.i2", pod(CPU, CPU, labels={"interruptible": "true"}))
    assert codes(no_tol, cluster) == ["PP501"]
    only_spot = Cluster((NodePool("spot", allocatable={"cpu": "4", "memory": "8Gi"}, spot=True),))
    assert codes(TaskInput("m.o", pod(CPU, CPU)), only_spot) == ["PP502"]


def test_planning_select_and_ignore() -> None:
    fs = [Finding("PP401", "error", "a"), Finding("PP201", "warning", "b"), Finding("PP105", "warning", "c")]
    assert [f.code for f in filter_findings(fs, ["PP4"], [])] == ["PP401"]
    assert [f.code for f in filter_findings(fs, [], parse_codes(["pp2,PP105"]))] == ["PP401"]
    assert unknown_codes(["PP9", "PP4", "PP401"]) == ["PP9"]


def _gke_platform() -> Any:
    from podplan.podspec import Platform

    return Platform.from_dict(
        {
            "plugins": {
                "k8s": {
                    "gpu-device-node-label": "cloud.google.com/gke-accelerator",
                    "gpu-partition-size-node-label": "cloud.google.com/gke-gpu-partition-size",
                }
            }
        }
    )


def test_planning_rule_context_reads_platform() -> None:
    assert RuleContext.from_platform(_gke_platform()) == GKE_PLATFORM_CTX
    assert RuleContext.from_platform(None) == RuleContext()


def test_planning_init_container_gpu_is_not_counted_for_accelerator_rules() -> None:
    init = [container("init", {"cpu": "1", "nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"})]
    assert codes(TaskInput("m.t", pod(CPU, CPU, init=init))) == []


def test_planning_pp210_smaller_model_in_the_cluster() -> None:
    from podplan.planning.cluster import cluster_from_data

    cluster = cluster_from_data(
        {
            "pools": [
                {
                    "name": "a100-40",
                    "allocatable": {"cpu": "64", "memory": "512Gi"},
                    "gpu": {"model": "A100", "count": 8, "mig": {"strategy": "single", "profile": "1g.10gb"}},
                },
                {
                    "name": "a100-40-whole",
                    "allocatable": {"cpu": "64", "memory": "512Gi"},
                    "gpu": {"model": "A100", "count": 8},
                },
                {
                    "name": "a100-80",
                    "allocatable": {"cpu": "64", "memory": "512Gi"},
                    "gpu": {
                        "model": "A100_80GB",
                        "count": 8,
                        "mig": {"strategy": "single", "profile": "1g.10gb"},
                    },
                },
            ]
        }
    )
    task = TaskInput(
        "m.slice",
        gpu_pod("nvidia-a100-80gb", "1", "1g.10gb"),
        accelerator=AcceleratorRequest("nvidia-a100-80gb", "1g.10gb"),
    )
    f = [f for f in findings(task, cluster) if f.code == "PP210"]
    assert len(f) == 1 and f[0].severity == "info"
    assert "smaller A100 (pool(s) a100-40)" in f[0].message and f[0].pool == "a100-40"
    small = TaskInput(
        "m.small",
        gpu_pod("nvidia-tesla-a100", "1", "1g.10gb"),
        accelerator=AcceleratorRequest("nvidia-tesla-a100", "1g.10gb"),
    )
    assert "PP210" not in codes(small, cluster)


def test_planning_gfd_mixed_strategy_node_list() -> None:
    cluster = load_cluster(FIXTURES / "gfd-mixed-nodes.json")
    assert cluster.names == ["c6i.4xlarge", "p4d.24xlarge"]
    mixed = cluster.pool("p4d.24xlarge")
    assert mixed.mig_strategy == "mixed" and mixed.count == 2
    assert cluster.pool("c6i.4xlarge").is_spot  # karpenter capacity type
    # the backend's pod asks nvidia.com/gpu for the partition: PP205 names the mixed pool
    flyte_pod = gpu_pod("nvidia-tesla-a100", "1", "1g.5gb", extra_tolerations=GPU_TOL)
    task = TaskInput("m.mig", flyte_pod, accelerator=AcceleratorRequest("nvidia-tesla-a100", "1g.5gb"))
    fs = {f.code: f for f in findings(task, cluster)}
    assert fs["PP205"].pool == "p4d.24xlarge" and fs["PP205"].severity == "error"
    # a pod template asking the mixed-strategy resource directly fits, 16 per node
    res = {"cpu": "1", "memory": "4Gi", "nvidia.com/mig-1g.5gb": "1"}
    direct = TaskInput("m.direct", pod(res, res, tolerations=GPU_TOL))
    report = check([direct], cluster=cluster)
    assert report.tasks[0].fits == ["p4d.24xlarge"]
    assert report.tasks[0].plans[0].pods_per_node == 16
    assert report.tasks[0].findings == []
