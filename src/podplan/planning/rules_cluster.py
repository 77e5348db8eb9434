"""Rules that need the cluster and the fit result: PP205, PP4xx, PP5xx; and the plan of a task
(pools, pods per node, cost per hour, cheapest pool)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from podplan.accelerators.mig import mig_resource_name
from podplan.planning.cluster import Cluster
from podplan.planning.findings import Finding, make
from podplan.planning.fitting import FitResult, unmet_label_keys
from podplan.planning.inputs import TaskInput
from podplan.planning.rules_task import RuleContext, gpu_count

#: PP401 details the failed predicates of this many closest pools (every pool gets its names)
DETAILED_POOLS = 10


@dataclass(frozen=True)
class PoolPlan:
    """One pool a task fits: pods per empty node, node price, the pod's share of it per hour."""

    pool: str
    pods_per_node: int
    price_per_hour: float | None
    cost_per_hour: float | None
    spot: bool
    needs_scale_up: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {"pool": self.pool, "pods_per_node": self.pods_per_node, "spot": self.spot}
        if self.price_per_hour is not None:
            out["price_per_hour"] = self.price_per_hour
            out["cost_per_hour"] = self.cost_per_hour
        if self.needs_scale_up:
            out["needs_scale_up"] = True
        return out


def plan(fit: FitResult, i: int) -> list[PoolPlan]:
    """The pools pod ``i`` fits, in cluster order, with pods per node and cost."""
    u = int(fit.index[i])
    out = []
    for j in fit.fits_distinct[u].nonzero()[0]:
        pool = fit.cluster.pools[int(j)]
        per_node = int(fit.per_node_distinct[u, j])
        price = pool.price_per_hour
        cost = round(price / per_node, 6) if price is not None and per_node else None
        out.append(PoolPlan(pool.name, per_node, price, cost, pool.is_spot, pool.count == 0))
    return out


def cheapest(plans: list[PoolPlan]) -> PoolPlan | None:
    """The fitting pool with the lowest cost per hour for the pod (``None`` without prices)."""
    priced = [p for p in plans if p.cost_per_hour is not None]
    return min(priced, key=lambda p: (p.cost_per_hour, p.pool)) if priced else None


def _mandatory_labels(task: TaskInput) -> list[tuple[str, tuple[str, ...], str]]:
    """``(key, allowed values, field)`` the pod must match on every node it can use."""
    req = task.requirements
    out: list[tuple[str, tuple[str, ...], str]] = [
        (k, (v,), f"spec.nodeSelector.{k}") for k, v in req.node_selector
    ]
    terms = req.affinity_terms
    if terms:
        first = terms[0]
        for key, op, values, is_field in first:
            if is_field or op != "In":
                continue
            if all(
                any(r[0] == key and r[1] == "In" and set(r[2]) == set(values) for r in t) for t in terms[1:]
            ):
                out.append((key, values, "spec.affinity.nodeAffinity.required"))
    return out


def rule_labels(task: TaskInput, cluster: Cluster, ctx: RuleContext) -> Iterator[Finding]:
    """PP402 a required label value no node carries; PP403 a required label key no node has."""
    if not cluster.pools:
        return
    for key, values, field in _mandatory_labels(task):
        present = cluster.label_values(key)
        shown = ", ".join(values)
        if not present:
            is_gpu = key in (ctx.gpu_device_node_label, ctx.gpu_partition_size_node_label)
            hint = (
                "the cluster labels GPUs under another key: set gpu-device-node-label / "
                "gpu-partition-size-node-label in the platform to the cluster's keys"
                if is_gpu
                else f"label the nodes with {key} or drop the selector"
            )
            yield make(
                "PP403",
                f"task {task.task}: no node has label {key!r} (the pod requires {key} in [{shown}])",
                task=task.task,
                field=field,
                hint=hint,
            )
        elif not present.intersection(values):
            same = _same_model_values(values[0], present) if key == ctx.gpu_device_node_label else []
            close = same or difflib.get_close_matches(values[0], sorted(present), n=1, cutoff=0.5)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"values in the cluster: {', '.join(sorted(present))}"
            )
            if same:
                model = _model_named(values[0].split("-MIG-")[0])
                hint = (
                    f"the cluster labels {model.name} as {close[0]!r}: use accelerator device "
                    f"{close[0]!r}, or relabel the nodes"
                )
            elif key == ctx.gpu_device_node_label:
                hint += " (remap the accelerator device or the node labels)"
            yield make(
                "PP402",
                f"task {task.task}: no node carries {key}={shown}; "
                f"the cluster has {', '.join(sorted(present))}",
                task=task.task,
                field=field,
                hint=hint,
            )


def _same_model_values(value: str, present: set[str]) -> list[str]:
    """Label values in the cluster that name the same catalog GPU model as ``value`` (a MIG
    single-strategy GFD product ``…-MIG-<profile>`` last)."""
    model = _model_named(value)
    if model is None:
        return []
    same = [v for v in present if (m := _model_named(v)) is not None and m.name == model.name]
    return sorted(same, key=lambda v: ("-MIG-" in v, v))


def rule_mig_strategy(
    task: TaskInput, cluster: Cluster, fit: FitResult, i: int, ctx: RuleContext
) -> Iterator[Finding]:
    """PP205: a mixed-strategy pool exposes ``nvidia.com/mig-<profile>`` but the pod asks for
    ``nvidia.com/gpu``."""
    acc = task.accelerator
    if acc is None or not acc.partition_size:
        return
    requests = task.requirements.request_map
    if ctx.gpu_resource_name not in requests:
        return
    resource = mig_resource_name(acc.partition_size)
    pools = [p.name for p in cluster.pools if p.mig_strategy == "mixed" and resource in p.allocatable]
    if not pools:
        return
    fits_elsewhere = bool(fit.fits_distinct[int(fit.index[i])].any())
    yield make(
        "PP205",
        f"task {task.task} asks {ctx.gpu_resource_name} for MIG {acc.partition_size}, but pool(s) "
        f"{', '.join(pools)} use the mixed MIG strategy and expose only {resource}",
        severity="warning" if fits_elsewhere else "error",
        task=task.task,
        field=f"resources.limits.{ctx.gpu_resource_name}",
        hint=f"request {resource} through a pod template, or run those pools with the single MIG strategy",
        pool=pools[0],
    )


#: fix hints per failed predicate of the closest pool
FIT_HINTS = {
    "nodes": "give the pool nodes or an autoscaling maximum (or uncordon / repair its nodes)",
    "resources": "lower the requests, or add a pool whose nodes have more allocatable",
    "nodeSelector": "fix the node selector, or label the pool's nodes",
    "nodeAffinity": "check the accelerator and partition values against the node labels "
    "(and the platform's gpu-device-node-label / gpu-partition-size-node-label)",
    "taints": "tolerate the taint: the platform's resource-tolerations or default-tolerations, "
    "or a pod template",
}


def _failed_by_predicate(fit: FitResult, i: int) -> dict[str, list[str]]:
    """``{predicate: [pools failing it]}`` for every pool (a pool may fail several)."""
    out: dict[str, list[str]] = {}
    for j, pool in enumerate(fit.cluster.pools):
        for predicate in fit.failed_predicates(i, j):
            out.setdefault(predicate, []).append(pool.name)
    return out


#: hint when the unmet label constraint is not an accelerator label
PLATFORM_LABEL_HINT = (
    "the requirement comes from the platform (interruptible-node-selector-requirement, "
    "non-interruptible-node-selector-requirement, default-affinity, default-node-selector) or the "
    "pod template: label the pool's nodes to match, or change that setting"
)


def _fit_hint(reasons: list[Any], keys: list[str], ctx: RuleContext) -> str:
    gpu_keys = {ctx.gpu_device_node_label, ctx.gpu_partition_size_node_label}
    hints = []
    for r in reasons:
        if r.predicate in ("nodeAffinity", "nodeSelector") and keys and not gpu_keys.intersection(keys):
            hints.append(PLATFORM_LABEL_HINT)
        else:
            hints.append(FIT_HINTS[r.predicate])
    return "; ".join(dict.fromkeys(hints)) or "add a pool that can run the pod"


def _intended_pools(task: TaskInput, cluster: Cluster, ctx: RuleContext) -> list[int]:
    """Pools carrying the task's accelerator device (and partition) label values: the pools the
    user meant, whatever else fails there."""
    acc = task.accelerator
    if acc is None or not acc.device:
        return []
    out = []
    for j, pool in enumerate(cluster.pools):
        if pool.labels.get(ctx.gpu_device_node_label) != acc.device:
            continue
        if acc.partition_size and pool.labels.get(ctx.gpu_partition_size_node_label) != acc.partition_size:
            continue
        out.append(j)
    return out


def rule_fit(
    task: TaskInput, cluster: Cluster, fit: FitResult, i: int, ctx: RuleContext | None = None
) -> Iterator[Finding]:
    """PP401 no pool can run the pod (each pool's failed predicates, the closest pool); PP404
    fits only pools that must scale up from zero.

    The closest pool is one carrying the task's accelerator labels when there is one, else the
    pool missing the fewest label constraints, then failing the fewest predicates
    (:meth:`FitResult.ranked`)."""
    if not cluster.pools:
        return
    u = int(fit.index[i])
    row = fit.fits_distinct[u]
    if not row.any():
        ctx = ctx or RuleContext()
        ranked = fit.ranked(i, _intended_pools(task, cluster, ctx))
        name = cluster.pools[ranked[0]].name
        near = fit.reasons(i, ranked[0])
        detailed = [r for j in ranked[:DETAILED_POOLS] for r in fit.reasons(i, j)]
        yield make(
            "PP401",
            f"task {task.task} fits no pool; closest pool {name}: "
            + "; ".join(f"{r.predicate}: {r.detail}" for r in near),
            task=task.task,
            field="spec",
            hint=_fit_hint(near, unmet_label_keys(fit.distinct[u], cluster.pools[ranked[0]]), ctx),
            pool=name,
            extra={
                "closest": name,
                "failed": _failed_by_predicate(fit, i),
                "reasons": [{"pool": r.pool, "predicate": r.predicate, "detail": r.detail} for r in detailed],
            },
        )
        return
    running = [cluster.pools[int(j)] for j in row.nonzero()[0]]
    if all(p.count == 0 for p in running):
        yield make(
            "PP404",
            f"task {task.task} fits only pool(s) with no node running now: "
            + ", ".join(p.name for p in running),
            task=task.task,
            field="spec",
            hint="expect a scale-up delay, or keep a minimum node in one of these pools",
        )


def rule_spot(task: TaskInput, cluster: Cluster, fit: FitResult, i: int) -> Iterator[Finding]:
    """PP501 interruptible without a spot pool that admits it (whether or not an on-demand pool
    runs it); PP502 a non-interruptible task that only spot pools admit."""
    if not cluster.pools:
        return
    u = int(fit.index[i])
    running = [cluster.pools[int(j)] for j in fit.fits_distinct[u].nonzero()[0]]
    spot = [p.name for p in running if p.is_spot]
    if task.is_interruptible and not spot:
        if running:
            where = f"it runs on on-demand nodes ({', '.join(p.name for p in running)})"
        else:
            spot_pools = [j for j, p in enumerate(cluster.pools) if p.is_spot]
            if spot_pools:
                j = fit.ranked(i, spot_pools)[0]
                why = "; ".join(f"{r.predicate}: {r.detail}" for r in fit.reasons(i, j))
                where = f"closest spot pool {cluster.pools[j].name}: {why}"
            else:
                where = "the cluster has no spot pool"
        yield make(
            "PP501",
            f"task {task.task} is interruptible but no spot pool admits it; {where}",
            task=task.task,
            field="interruptible",
            hint="add a spot pool the pod fits, or configure interruptible-node-selector-requirement "
            "and interruptible-tolerations",
        )
    elif running and not task.is_interruptible and len(spot) == len(running):
        yield make(
            "PP502",
            f"task {task.task} is not interruptible but only spot pools admit it ({', '.join(spot)})",
            task=task.task,
            field="interruptible",
            hint="set interruptible=True, or configure non-interruptible-node-selector-requirement",
        )


#: node labels whose value names a pool's GPU model, in the order they are trusted
MODEL_LABELS = (
    "nvidia.com/gpu.product",
    "cloud.google.com/gke-accelerator",
    "k8s.amazonaws.com/accelerator",
    "karpenter.k8s.aws/instance-gpu-name",
    "eks.amazonaws.com/instance-gpu-name",
)


@lru_cache(maxsize=4096)
def _model_named(value: str) -> Any:
    from podplan.planning.gpus import find_model

    return find_model(value.split("-MIG-")[0])


def pool_model(pool: Any) -> Any:
    """The catalog model of a pool's GPUs (declared shorthand, else its labels), or ``None``."""
    if pool.gpu is not None:
        return _model_named(pool.gpu.model)
    for key in MODEL_LABELS:
        if key in pool.labels:
            model = _model_named(pool.labels[key])
            if model is not None:
                return model
    return None


def pool_offers_profile(pool: Any, profile: str) -> bool:
    """Whether the pool's nodes are partitioned with MIG ``profile`` (declared layout, a MIG
    resource under the mixed strategy, or single-strategy partition labels)."""
    if pool.gpu is not None and pool.gpu.mig_layout:
        return profile in pool.gpu.mig_layout
    if mig_resource_name(profile) in pool.allocatable:
        return True
    labels = pool.labels
    return (
        labels.get("nvidia.com/gpu.product", "").endswith(f"-MIG-{profile}")
        or labels.get("cloud.google.com/gke-gpu-partition-size") == profile
        or labels.get("k8s.amazonaws.com/gpu-partition-size") == profile
    )


def smaller_profiles(model: Any, partition: str) -> list[Any]:
    """Profiles of ``model`` with at least the memory of ``partition`` and fewer compute slices
    (``4g.20gb`` -> ``3g.20gb``), smallest first."""
    profile = model.mig_profiles[partition]
    out = [
        p
        for p in model.mig_profiles.values()
        if p.memory_bytes >= profile.memory_bytes
        and p.compute_slices < profile.compute_slices
        and p.attributes == profile.attributes
    ]
    return sorted(out, key=lambda p: (p.compute_slices, p.memory_bytes))


def rule_right_size(task: TaskInput, cluster: Cluster) -> Iterator[Finding]:
    """PP210 right-sizing, only where the cluster offers the alternative: a smaller MIG profile
    of the same model with the same memory (``4g.20gb`` -> ``3g.20gb``), or a pool of a smaller
    GPU model partitioned with the same profile."""
    acc = task.accelerator
    if acc is None or not acc.partition_size:
        return
    current = _model_named(acc.device)
    if current is None or acc.partition_size not in current.mig_profiles:
        return
    same_model = [p for p in cluster.pools if (m := pool_model(p)) is not None and m.name == current.name]
    for profile in smaller_profiles(current, acc.partition_size):
        offering = [p.name for p in same_model if pool_offers_profile(p, profile.name)]
        if offering:
            yield make(
                "PP210",
                f"task {task.task}: {current.name} profile {profile.name} has the memory of "
                f"{acc.partition_size} with fewer compute slices, and pool(s) {', '.join(offering)} "
                "offer it",
                task=task.task,
                field="accelerator.partition_size",
                hint=f"use partition {profile.name} if the task is memory-bound",
                pool=offering[0],
            )
            break
    seen: dict[str, list[str]] = {}
    for pool in cluster.pools:
        model = pool_model(pool)
        if (
            model is not None
            and model.memory_bytes < current.memory_bytes
            and pool_offers_profile(pool, acc.partition_size)
        ):
            seen.setdefault(model.name, []).append(pool.name)
    for name, pools in sorted(seen.items()):
        yield make(
            "PP210",
            f"task {task.task}: MIG {acc.partition_size} is also offered by the smaller {name} "
            f"(pool(s) {', '.join(pools)}) than {current.name}",
            task=task.task,
            field="accelerator",
            hint=f"target {name} if the slice is all the task needs",
            pool=pools[0],
        )


def cluster_findings(
    task: TaskInput, cluster: Cluster, fit: FitResult, i: int, ctx: RuleContext
) -> list[Finding]:
    """Every cluster rule for pod ``i``."""
    out: list[Finding] = []
    out.extend(rule_fit(task, cluster, fit, i, ctx))
    out.extend(rule_labels(task, cluster, ctx))
    out.extend(rule_mig_strategy(task, cluster, fit, i, ctx))
    out.extend(rule_spot(task, cluster, fit, i))
    out.extend(rule_right_size(task, cluster))
    return out


def gpu_total(task: TaskInput, ctx: RuleContext) -> float:
    """GPUs requested (for summaries)."""
    return float(gpu_count(task, ctx))
