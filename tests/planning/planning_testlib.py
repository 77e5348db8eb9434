"""Helpers for the planning tests: hand-written pods in the Kubernetes JSON form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def container(
    name: str = "main",
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A container with the given requests/limits."""
    c: dict[str, Any] = {"name": name, "image": "python:3.11"}
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = dict(requests)
    if limits:
        resources["limits"] = dict(limits)
    if resources:
        c["resources"] = resources
    c.update(extra)
    return c


def pod(
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    *,
    selector: dict[str, str] | None = None,
    terms: list[list[dict[str, Any]]] | None = None,
    tolerations: list[dict[str, str]] | None = None,
    init: list[dict[str, Any]] | None = None,
    containers: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
    volumes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A pod dict; ``requests`` and ``limits`` go to the single main container."""
    spec: dict[str, Any] = {
        "containers": containers if containers is not None else [container("main", requests, limits)],
        "restartPolicy": "Never",
    }
    if selector:
        spec["nodeSelector"] = selector
    if terms is not None:
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": t} for t in terms]
                }
            }
        }
    if tolerations:
        spec["tolerations"] = tolerations
    if init:
        spec["initContainers"] = init
    if volumes:
        spec["volumes"] = volumes
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": labels or {}},
        "spec": spec,
    }


def expr(key: str, op: str, *values: str) -> dict[str, Any]:
    """One node-selector requirement."""
    out: dict[str, Any] = {"key": key, "operator": op}
    if values:
        out["values"] = list(values)
    return out


def tol(key: str = "", op: str = "Equal", value: str = "", effect: str = "") -> dict[str, str]:
    """One toleration (empty fields omitted, as Kubernetes JSON does)."""
    out = {"key": key, "operator": op, "value": value, "effect": effect}
    return {k: v for k, v in out.items() if v}


def gpu_pod(
    device: str,
    n: str = "1",
    partition: str | None = None,
    label: str = "k8s.amazonaws.com/accelerator",
    partition_label: str = "k8s.amazonaws.com/gpu-partition-size",
    **kw: Any,
) -> dict[str, Any]:
    """A pod shaped like the backend's accelerator output (affinity + tolerations)."""
    exprs = [expr(label, "In", device)]
    tols = [tol(label, "Equal", device, "NoSchedule")]
    if partition:
        exprs.append(expr(partition_label, "In", partition))
        tols.append(tol(partition_label, "Equal", partition, "NoSchedule"))
    tols += kw.pop("extra_tolerations", [])
    res = {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": n}
    return pod(res, res, terms=[exprs], tolerations=tols, **kw)
