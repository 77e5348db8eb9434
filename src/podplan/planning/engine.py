"""Run every rule and the fit engine over many tasks; the report data the formats render.

:func:`check` is the one entry point: ``check(inputs, cluster=..., platform=...)`` returns a
:class:`CheckReport` whose :meth:`~CheckReport.to_dict` is the JSON contract::

    {"tasks": [{"task": "<module>.<name>", "fits": ["<pool>", ...], "findings": [...], ...}],
     "summary": {...}}
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from podplan.planning.cluster import Cluster
from podplan.planning.findings import SEVERITIES, Finding, filter_findings, severity_at_least
from podplan.planning.inputs import TaskInput
from podplan.planning.rules_cluster import PoolPlan, cheapest, cluster_findings, plan
from podplan.planning.rules_task import TASK_RULES, RuleContext

_ORDER = {s: i for i, s in enumerate(reversed(SEVERITIES))}


@dataclass
class TaskReport:
    """Result for one task: pools it fits, plans per pool, the cheapest, and its findings."""

    task: str
    fits: list[str]
    findings: list[Finding]
    plans: list[PoolPlan] = field(default_factory=list)
    file: str | None = None
    line: int | None = None

    @property
    def cheapest(self) -> PoolPlan | None:
        """The fitting pool with the lowest cost per hour for this pod."""
        return cheapest(self.plans)

    def to_dict(self) -> dict[str, Any]:
        """JSON contract form of one task."""
        best = self.cheapest
        out: dict[str, Any] = {
            "task": self.task,
            "fits": list(self.fits),
            "findings": [f.to_dict() for f in self.findings],
            "pods_per_node": {p.pool: p.pods_per_node for p in self.plans},
            "cost_per_hour": {p.pool: p.cost_per_hour for p in self.plans if p.cost_per_hour is not None},
            "cheapest": best.to_dict() if best else None,
        }
        if self.file:
            out["file"] = self.file
            if self.line:
                out["line"] = self.line
        return out


@dataclass
class CheckReport:
    """Everything ``podplan check`` found."""

    tasks: list[TaskReport]
    cluster: Cluster | None = None

    @property
    def findings(self) -> list[Finding]:
        """All findings, task by task."""
        return [f for t in self.tasks for f in t.findings]

    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        out = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            out[f.severity] += 1
        return out

    def failed(self, fail_on: str) -> bool:
        """Whether any finding is at or above ``fail_on`` (``error``, ``warning``, ``info`` or ``never``)."""
        return any(severity_at_least(f.severity, fail_on) for f in self.findings)

    def summary(self) -> dict[str, Any]:
        """Totals: tasks, findings per severity and per code, unschedulable tasks, pools."""
        by_code: dict[str, int] = {}
        for f in self.findings:
            by_code[f.code] = by_code.get(f.code, 0) + 1
        out: dict[str, Any] = {
            "tasks": len(self.tasks),
            "findings": len(self.findings),
            **{f"{s}s": n for s, n in self.counts().items()},
            "by_code": dict(sorted(by_code.items())),
        }
        if self.cluster is not None:
            out["pools"] = [
                {"name": p.name, "count": p.count, "spot": p.is_spot, "price_per_hour": p.price_per_hour}
                for p in self.cluster.pools
            ]
            out["unschedulable"] = sum(1 for t in self.tasks if not t.fits)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract."""
        return {"tasks": [t.to_dict() for t in self.tasks], "summary": self.summary()}


def _sort_key(f: Finding) -> tuple[int, str, str]:
    return (_ORDER[f.severity], f.code, f.message)


#: stands for the task id while findings are computed once for many identical tasks
_SENTINEL = "\x00task\x00"


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _resources_key(container: dict[str, Any]) -> Any:
    resources = container.get("resources")
    if not resources:
        return None
    try:
        return tuple((side, tuple(values.items())) for side, values in resources.items())
    except AttributeError:
        return _freeze(resources)


def task_signature(task: TaskInput) -> Any:
    """Everything the task rules read, hashable: identical signatures give identical findings
    (up to the task id). ``None`` when the pod holds something unhashable."""
    spec = task.pod.get("spec") or {}
    try:
        parts = tuple(
            tuple((c.get("name"), _resources_key(c), c.get("restartPolicy")) for c in spec.get(kind) or ())
            for kind in ("initContainers", "containers")
        )
        volumes = tuple(
            _freeze(v.get("emptyDir"))
            for v in spec.get("volumes") or ()
            if isinstance(v.get("emptyDir"), dict)
        )
        key = (
            parts,
            volumes,
            task.primary,
            task.accelerator,
            tuple(task.declared.items()),
            task.shared_memory,
        )
        hash(key)
    except TypeError:
        return None
    return key


def _materialize(findings: list[Finding], task: str) -> list[Finding]:
    return [
        Finding(
            f.code, f.severity, f.message.replace(_SENTINEL, task), task, f.field, f.hint, f.pool, f.extra
        )
        for f in findings
    ]


def _as_template(task: TaskInput) -> TaskInput:
    proxy = copy.copy(task)
    proxy.task = _SENTINEL
    proxy.admission = None
    return proxy


def check(
    inputs: Sequence[TaskInput],
    *,
    cluster: Cluster | None = None,
    platform: Any = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check every task: task rules (with the preview's admission check), fit on ``cluster``,
    the cluster rules and the per-pool plans.

    ``select``/``ignore`` are code prefixes (``["PP4"]``, ``["PP201"]``). ``progress(done, total)``
    is called as tasks complete. Findings are computed once per distinct task signature and per
    distinct (pod requirements, accelerator, interruptible) triple, then copied with each task's id.
    """
    from podplan.planning.fitting import fit as run_fit

    ctx = RuleContext.from_platform(platform)
    result = run_fit([t.requirements for t in inputs], cluster) if cluster is not None else None
    select = list(select or ())
    ignore = list(ignore or ())
    task_cache: dict[Any, list[Finding]] = {}
    cluster_cache: dict[Any, list[Finding]] = {}
    fits_cache: dict[int, tuple[list[str], list[PoolPlan]]] = {}
    reports = []
    total = len(inputs)
    for i, task in enumerate(inputs):
        if not task.buildable:
            found = filter_findings(task.findings, select, ignore)
            reports.append(TaskReport(task.task, [], found, [], task.file, task.line))
            continue
        key = task_signature(task)
        generic = task_cache.get(key) if key is not None else None
        if generic is None:
            proxy = _as_template(task)
            generic = [f for rule in TASK_RULES for f in rule(proxy, ctx)]
            if key is not None:
                task_cache[key] = generic
        found = list(task.findings) + _materialize(generic, task.task)
        fits: list[str] = []
        plans: list[PoolPlan] = []
        if result is not None and cluster is not None:
            u = int(result.index[i])
            if u not in fits_cache:
                fits_cache[u] = (result.fitting_pools(i), plan(result, i))
            fits, plans = fits_cache[u]
            ckey = (u, task.accelerator, task.is_interruptible)
            cgeneric = cluster_cache.get(ckey)
            if cgeneric is None:
                cgeneric = cluster_findings(_as_template(task), cluster, result, i, ctx)
                cluster_cache[ckey] = cgeneric
            found += _materialize(cgeneric, task.task)
        found = filter_findings(found, select, ignore)
        found.sort(key=_sort_key)
        reports.append(TaskReport(task.task, fits, found, plans, task.file, task.line))
        if progress is not None and (i + 1) % 200 == 0:
            progress(i + 1, total)
    if progress is not None:
        progress(total, total)
    return CheckReport(reports, cluster)
