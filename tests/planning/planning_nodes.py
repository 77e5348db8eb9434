"""Realistic ``kubectl get nodes -o json`` node objects for the scenario tests.

Shapes follow what the providers really print (ecosystem spec §4.2): EKS managed node groups
(``eks.amazonaws.com/nodegroup``, ``eks.amazonaws.com/capacityType``), Karpenter
(``karpenter.sh/nodepool``, ``karpenter.sh/capacity-type``, ``karpenter.k8s.aws/instance-gpu-*``),
GKE (``cloud.google.com/gke-nodepool``, ``cloud.google.com/gke-accelerator``, the automatic
``nvidia.com/gpu=present:NoSchedule`` taint) and NVIDIA GPU Feature Discovery labels.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import yaml

from podplan.podspec.presets import PRESET_DIR


def node(
    name: str,
    instance_type: str,
    allocatable: dict[str, str],
    *,
    labels: dict[str, str] | None = None,
    taints: tuple[str, ...] = (),
    zone: str = "us-east-1a",
    unschedulable: bool = False,
) -> dict[str, Any]:
    """One Node object: standard kubelet labels, the given labels, taints (``key=value:Effect``)."""
    region = zone[:-1]
    all_labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
        "node.kubernetes.io/instance-type": instance_type,
        "beta.kubernetes.io/instance-type": instance_type,
        "topology.kubernetes.io/zone": zone,
        "topology.kubernetes.io/region": region,
        "failure-domain.beta.kubernetes.io/zone": zone,
        "failure-domain.beta.kubernetes.io/region": region,
        **(labels or {}),
    }
    spec: dict[str, Any] = {"providerID": f"aws:///{zone}/i-{abs(hash(name)) % 10**12:012x}"}
    parsed = []
    for text in taints:
        head, _, effect = text.rpartition(":")
        key, _, value = head.partition("=")
        taint = {"key": key, "effect": effect}
        if value:
            taint["value"] = value
        parsed.append(taint)
    if parsed:
        spec["taints"] = parsed
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": all_labels,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": spec,
        "status": {
            "allocatable": dict(allocatable),
            "capacity": dict(allocatable),
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {"kubeletVersion": "v1.30.4", "architecture": "amd64"},
        },
    }


def nodelist(*nodes: dict[str, Any]) -> dict[str, Any]:
    """A NodeList as ``kubectl get nodes -o json`` prints it."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": list(nodes)}


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON and return the path."""
    path.write_text(json.dumps(data, indent=1))
    return path


def preset_platform(name: str, **task_resources: Any) -> dict[str, Any]:
    """A preset's platform document with ``task_resources`` replaced (production clusters raise
    admin's built-in 1Gi / 2 CPU / 1 GPU ceilings)."""
    data: dict[str, Any] = yaml.safe_load((PRESET_DIR / f"{name}.yaml").read_text())
    if task_resources:
        data["task_resources"] = task_resources
    return data


#: the admin ceilings of a production GPU cluster
BIG_LIMITS: dict[str, Any] = {
    "defaults": {"cpu": "500m", "memory": "1Gi"},
    "limits": {"cpu": "192", "memory": "2000Gi", "gpu": "8", "ephemeralStorage": "500Gi"},
}


def write_module(folder: Path, name: str, source: str) -> Path:
    """Write a task module (dedented) and return its path."""
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def scenario_project(
    folder: Path, module: str, source: str, nodes: Any, preset: str, *, module_dir: str = ""
) -> Path:
    """Lay out a scenario in ``folder``: the task module (in ``module_dir`` if given), the node
    list as ``nodes.json`` and the preset's platform with production ceilings as ``platform.yaml``."""
    target = folder / module_dir if module_dir else folder
    target.mkdir(exist_ok=True)
    write_module(target, module, source)
    write_json(folder / "nodes.json", nodes)
    (folder / "platform.yaml").write_text(yaml.safe_dump(preset_platform(preset, **BIG_LIMITS)))
    return folder


# --- allocatable of real instance types ----------------------------------------------------

M5_2XLARGE = {"cpu": "7910m", "memory": "31482280Ki", "ephemeral-storage": "76224326324", "pods": "58"}
P4D_24XLARGE = {
    "cpu": "95690m",
    "memory": "1140846372Ki",
    "ephemeral-storage": "95551679124",
    "pods": "737",
    "nvidia.com/gpu": "8",
    "vpc.amazonaws.com/efa": "4",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
}
P5_48XLARGE = {
    "cpu": "191450m",
    "memory": "2097152000Ki",
    "ephemeral-storage": "95551679124",
    "pods": "100",
    "nvidia.com/gpu": "8",
    "vpc.amazonaws.com/efa": "32",
}
G5_XLARGE = {
    "cpu": "3920m",
    "memory": "15155304Ki",
    "ephemeral-storage": "95551679124",
    "pods": "58",
    "nvidia.com/gpu": "1",
}
G5_12XLARGE = {
    "cpu": "47810m",
    "memory": "192195184Ki",
    "ephemeral-storage": "95551679124",
    "pods": "234",
    "nvidia.com/gpu": "4",
}
# GKE
E2_STANDARD_8 = {"cpu": "7910m", "memory": "29202936Ki", "ephemeral-storage": "47060071478", "pods": "110"}
A2_HIGHGPU_1G = {"cpu": "11900m", "memory": "77553012Ki", "ephemeral-storage": "47060071478", "pods": "110"}
A2_HIGHGPU_8G = {"cpu": "95690m", "memory": "1282318348Ki", "ephemeral-storage": "47060071478", "pods": "110"}
G2_STANDARD_8 = {"cpu": "7910m", "memory": "27718444Ki", "ephemeral-storage": "47060071478", "pods": "110"}
A3_HIGHGPU_8G = {"cpu": "207", "memory": "1844587020Ki", "ephemeral-storage": "47060071478", "pods": "110"}


# --- whole clusters -----------------------------------------------------------------------

_EKS_MNG = {
    "eks.amazonaws.com/capacityType": "ON_DEMAND",
    "eks.amazonaws.com/nodegroup-image": "ami-0c5e0cf4d5b3c4a1e",
    "eks.amazonaws.com/sourceLaunchTemplateVersion": "1",
    "k8s.io/cloud-provider-aws": "b69ad2a8c3f4f1f1e8e4b8e2d1c0a9f8",
    "alpha.eksctl.io/cluster-name": "ml-prod",
}


def _mng(group: str, **extra: str) -> dict[str, str]:
    return {
        **_EKS_MNG,
        "eks.amazonaws.com/nodegroup": group,
        "alpha.eksctl.io/nodegroup-name": group,
        **extra,
    }


def eks_nodes() -> dict[str, Any]:
    """An EKS cluster: managed node groups (CPU on-demand and spot, A100, A10G, A100 MIG single)
    and a Karpenter H100 node pool whose nodes are labelled ``nvidia-h100-80gb``."""
    acc = "k8s.amazonaws.com/accelerator"
    mig = {
        acc: "nvidia-tesla-a100",
        "k8s.amazonaws.com/gpu-partition-size": "1g.5gb",
        "nvidia.com/mig.strategy": "single",
        "nvidia.com/gpu.product": "A100-SXM4-40GB-MIG-1g.5gb",
        "nvidia.com/gpu.count": "56",
        "nvidia.com/gpu.memory": "4864",
    }
    karpenter = {
        "karpenter.sh/nodepool": "gpu-h100",
        "karpenter.sh/capacity-type": "on-demand",
        "karpenter.sh/initialized": "true",
        "karpenter.sh/registered": "true",
        "karpenter.k8s.aws/instance-category": "p",
        "karpenter.k8s.aws/instance-generation": "5",
        "karpenter.k8s.aws/instance-gpu-name": "h100",
        "karpenter.k8s.aws/instance-gpu-count": "8",
        "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia",
        "karpenter.k8s.aws/instance-gpu-memory": "81920",
        "topology.k8s.aws/zone-id": "use1-az6",
        acc: "nvidia-h100-80gb",
    }
    spot = _mng("cpu-spot", **{"eks.amazonaws.com/capacityType": "SPOT"})
    return nodelist(
        node("ip-10-0-1-11.ec2.internal", "m5.2xlarge", M5_2XLARGE, labels=_mng("cpu-general")),
        node(
            "ip-10-0-2-12.ec2.internal",
            "m5.2xlarge",
            M5_2XLARGE,
            labels=_mng("cpu-general"),
            zone="us-east-1b",
        ),
        node(
            "ip-10-0-1-21.ec2.internal",
            "m5.2xlarge",
            M5_2XLARGE,
            labels=spot,
            taints=("eks.amazonaws.com/capacityType=SPOT:NoSchedule",),
        ),
        node(
            "ip-10-0-2-22.ec2.internal",
            "m5.2xlarge",
            M5_2XLARGE,
            labels=spot,
            taints=("eks.amazonaws.com/capacityType=SPOT:NoSchedule",),
            zone="us-east-1b",
        ),
        node(
            "ip-10-0-1-31.ec2.internal",
            "p4d.24xlarge",
            P4D_24XLARGE,
            labels=_mng("gpu-a100", **{acc: "nvidia-tesla-a100"}),
            taints=("nvidia.com/gpu=true:NoSchedule",),
        ),
        node(
            "ip-10-0-1-41.ec2.internal",
            "g5.xlarge",
            G5_XLARGE,
            labels=_mng("gpu-a10g", **{acc: "nvidia-a10g"}),
            taints=("nvidia.com/gpu:NoSchedule",),
        ),
        node(
            "ip-10-0-2-42.ec2.internal",
            "g5.xlarge",
            G5_XLARGE,
            labels=_mng("gpu-a10g", **{acc: "nvidia-a10g"}),
            taints=("nvidia.com/gpu:NoSchedule",),
            zone="us-east-1b",
        ),
        node(
            "ip-10-0-1-51.ec2.internal",
            "p4d.24xlarge",
            {**P4D_24XLARGE, "nvidia.com/gpu": "56"},
            labels=_mng("gpu-a100-mig", **mig),
            taints=(
                "nvidia.com/gpu=true:NoSchedule",
                "k8s.amazonaws.com/gpu-partition-size=1g.5gb:NoSchedule",
            ),
        ),
        node(
            "ip-10-0-3-61.ec2.internal",
            "p5.48xlarge",
            P5_48XLARGE,
            labels=karpenter,
            taints=("nvidia.com/gpu:NoSchedule",),
            zone="us-east-1c",
        ),
    )


_GKE = {
    "cloud.google.com/gke-os-distribution": "cos",
    "cloud.google.com/gke-container-runtime": "containerd",
    "cloud.google.com/gke-boot-disk": "pd-balanced",
    "cloud.google.com/gke-netd-ready": "true",
    "cloud.google.com/gke-logging-variant": "DEFAULT",
    "cloud.google.com/gke-stack-type": "IPV4",
    "cloud.google.com/private-node": "false",
    "cloud.google.com/gke-max-pods-per-node": "110",
}


def _gke(pool: str, family: str, **extra: str) -> dict[str, str]:
    return {
        **_GKE,
        "cloud.google.com/gke-nodepool": pool,
        "cloud.google.com/machine-family": family,
        "cloud.google.com/gke-provisioning": "standard",
        **extra,
    }


def _gke_gpu(accelerator: str, count: int, **extra: str) -> dict[str, str]:
    return {
        "cloud.google.com/gke-accelerator": accelerator,
        "cloud.google.com/gke-accelerator-count": str(count),
        "cloud.google.com/gke-gpu": "true",
        "cloud.google.com/gke-gpu-driver-version": "default",
        **extra,
    }


GKE_GPU_TAINT = ("nvidia.com/gpu=present:NoSchedule",)
GKE_SPOT = {"cloud.google.com/gke-spot": "true", "cloud.google.com/gke-provisioning": "spot"}


def gke_nodes() -> dict[str, Any]:
    """A GKE cluster: default CPU pool, a preemptible and a spot CPU pool, A100 whole and MIG
    (``1g.5gb``) pools, an L4 spot pool and an H100 pool, with GKE's own GPU taint."""
    z = "us-central1-a"
    return nodelist(
        node(
            "gke-ml-default-pool-1a2b3c4d-x1y2",
            "e2-standard-8",
            E2_STANDARD_8,
            labels=_gke("default-pool", "e2"),
            zone=z,
        ),
        node(
            "gke-ml-default-pool-1a2b3c4d-z3w4",
            "e2-standard-8",
            E2_STANDARD_8,
            labels=_gke("default-pool", "e2"),
            zone="us-central1-b",
        ),
        node(
            "gke-ml-cpu-preempt-2b3c4d5e-p1q2",
            "e2-standard-8",
            E2_STANDARD_8,
            labels=_gke("cpu-preemptible", "e2", **{"cloud.google.com/gke-preemptible": "true"}),
            zone=z,
        ),
        node(
            "gke-ml-cpu-spot-3c4d5e6f-s1s2",
            "e2-standard-8",
            E2_STANDARD_8,
            labels=_gke("cpu-spot", "e2", **GKE_SPOT),
            taints=("cloud.google.com/gke-spot=true:NoSchedule",),
            zone=z,
        ),
        node(
            "gke-ml-a100-4d5e6f7a-a1a2",
            "a2-highgpu-1g",
            {**A2_HIGHGPU_1G, "nvidia.com/gpu": "1"},
            labels=_gke("a100", "a2", **_gke_gpu("nvidia-tesla-a100", 1)),
            taints=GKE_GPU_TAINT,
            zone=z,
        ),
        node(
            "gke-ml-a100-mig-5e6f7a8b-q1r2",
            "a2-highgpu-1g",
            {**A2_HIGHGPU_1G, "nvidia.com/gpu": "7"},
            labels=_gke(
                "a100-mig",
                "a2",
                **_gke_gpu("nvidia-tesla-a100", 1, **{"cloud.google.com/gke-gpu-partition-size": "1g.5gb"}),
            ),
            taints=GKE_GPU_TAINT,
            zone=z,
        ),
        node(
            "gke-ml-l4-spot-9c0d1e2f-s3t4",
            "g2-standard-8",
            {**G2_STANDARD_8, "nvidia.com/gpu": "1"},
            labels=_gke("l4-spot", "g2", **_gke_gpu("nvidia-l4", 1), **GKE_SPOT),
            taints=(*GKE_GPU_TAINT, "cloud.google.com/gke-spot=true:NoSchedule"),
            zone="us-central1-c",
        ),
        node(
            "gke-ml-h100-3a4b5c6d-u5v6",
            "a3-highgpu-8g",
            {**A3_HIGHGPU_8G, "nvidia.com/gpu": "8"},
            labels=_gke("h100", "a3", **_gke_gpu("nvidia-h100-80gb", 8)),
            taints=GKE_GPU_TAINT,
            zone=z,
        ),
    )


_GFD = {
    "nvidia.com/gpu.present": "true",
    "nvidia.com/gpu.deploy.device-plugin": "true",
    "nvidia.com/gpu.deploy.gpu-feature-discovery": "true",
    "nvidia.com/cuda.driver.major": "550",
    "nvidia.com/cuda.driver.minor": "90",
    "nvidia.com/cuda.driver.rev": "07",
    "nvidia.com/cuda.runtime.major": "12",
    "nvidia.com/cuda.runtime.minor": "4",
    "nvidia.com/gpu.compute.major": "8",
    "nvidia.com/gpu.compute.minor": "0",
    "nvidia.com/gpu.family": "ampere",
    "nvidia.com/gpu.machine": "p4d.24xlarge",
    "nvidia.com/mig.capable": "true",
    "nvidia.com/gpu.mode": "compute",
    "feature.node.kubernetes.io/pci-10de.present": "true",
}


def gfd_nodes() -> dict[str, Any]:
    """Three p4d nodes labelled by GPU Feature Discovery (GPU operator, ``nvidia.com/mig.config``
    names the layout): MIG disabled, MIG single ``all-1g.5gb``, MIG mixed ``all-balanced``
    (2 x 1g.5gb + 1 x 2g.10gb + 1 x 3g.20gb per GPU)."""
    base = {k: v for k, v in P4D_24XLARGE.items() if k != "nvidia.com/gpu"}
    taints = ("nvidia.com/gpu=true:NoSchedule",)

    def gfd(name: str, ts: str, labels: dict[str, str], alloc: dict[str, str]) -> dict[str, Any]:
        return node(
            name,
            "p4d.24xlarge",
            {**base, **alloc},
            labels={**_GFD, **labels, "nvidia.com/gfd.timestamp": ts},
            taints=taints,
        )

    whole = {
        "nvidia.com/mig.strategy": "none",
        "nvidia.com/mig.config": "all-disabled",
        "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
        "nvidia.com/gpu.count": "8",
        "nvidia.com/gpu.memory": "40960",
    }
    single = {
        "nvidia.com/mig.strategy": "single",
        "nvidia.com/mig.config": "all-1g.5gb",
        "nvidia.com/mig.config.state": "success",
        "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
        "nvidia.com/gpu.count": "56",
        "nvidia.com/gpu.memory": "4864",
        "nvidia.com/gpu.multiprocessors": "14",
        "nvidia.com/gpu.slices.gi": "1",
        "nvidia.com/gpu.slices.ci": "1",
    }
    mixed = {
        "nvidia.com/mig.strategy": "mixed",
        "nvidia.com/mig.config": "all-balanced",
        "nvidia.com/mig.config.state": "success",
        "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB",
        "nvidia.com/gpu.count": "8",
        "nvidia.com/gpu.memory": "40960",
        "nvidia.com/mig-1g.5gb.count": "16",
        "nvidia.com/mig-1g.5gb.memory": "4864",
        "nvidia.com/mig-2g.10gb.count": "8",
        "nvidia.com/mig-2g.10gb.memory": "9856",
        "nvidia.com/mig-3g.20gb.count": "8",
        "nvidia.com/mig-3g.20gb.memory": "19968",
    }
    return nodelist(
        gfd("ip-10-1-0-10.ec2.internal", "1714557600", whole, {"nvidia.com/gpu": "8"}),
        gfd("ip-10-1-0-11.ec2.internal", "1714557612", whole, {"nvidia.com/gpu": "8"}),
        gfd("ip-10-1-0-20.ec2.internal", "1714557633", single, {"nvidia.com/gpu": "56"}),
        gfd(
            "ip-10-1-0-30.ec2.internal",
            "1714557648",
            mixed,
            {
                "nvidia.com/gpu": "0",
                "nvidia.com/mig-1g.5gb": "16",
                "nvidia.com/mig-2g.10gb": "8",
                "nvidia.com/mig-3g.20gb": "8",
            },
        ),
    )


def run_check(capsys: Any, *args: str) -> tuple[int, dict[str, Any]]:
    """``podplan check … --format json`` in-process: exit code and the parsed report."""
    from podplan.cli.main import main

    code = main(["check", *args, "--format", "json", "--no-progress"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def by_task(report: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    """``{task name (last part): (fits, sorted finding codes)}``."""
    return {
        t["task"].rpartition(".")[2]: (t["fits"], sorted(f["code"] for f in t["findings"]))
        for t in report["tasks"]
    }
