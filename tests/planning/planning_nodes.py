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
