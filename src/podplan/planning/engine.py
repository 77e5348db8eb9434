"""Run every rule and the fit engine over many tasks; the report data the formats render.

:func:`check` is the one entry point: ``check(inputs, cluster=..., platform=...)`` returns a
:class:`CheckReport` whose :meth:`~CheckReport.to_dict` is the JSON contract::

    {"tasks": [{"task": "<module>.<name>", "fits": ["<pool>", ...], "findings": [...], ...}],
     "summary": {...}}
"""

from __future__ import annotations

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
            "plans": [p.to_dict() for p in self.plans],
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
            out["pools"] = self.cluster.names
            out["unschedulable"] = sum(1 for t in self.tasks if not t.fits)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract."""
        return {"tasks": [t.to_dict() for t in self.tasks], "summary": self.summary()}


def _sort_key(f: Finding) -> tuple[int, str, str]:
    return (_ORDER[f.severity], f.code, f.message)


def check(
    inputs: Sequence[TaskInput],
    *,
    cluster: Cluster | None = None,
    platform: Any = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Check every task: task rules, admission, fit on ``cluster`` and the cluster rules.

    ``select``/``ignore`` are code prefixes (``["PP4"]``, ``["PP201"]``). ``progress(done, total)``
    is called as tasks complete.
    """
    from podplan.planning.fit import fit as run_fit

    ctx = RuleContext.from_platform(platform)
    result = run_fit([t.requirements for t in inputs], cluster) if cluster is not None else None
    select = list(select or ())
    ignore = list(ignore or ())
    cache: dict[int, list[str]] = {}
    reports = []
    total = len(inputs)
    for i, task in enumerate(inputs):
        found: list[Finding] = list(task.findings)
        if not task.buildable:
            reports.append(
                TaskReport(task.task, [], filter_findings(found, select, ignore), [], task.file, task.line)
            )
            continue
        for rule in TASK_RULES:
            found.extend(rule(task, ctx))
        fits: list[str] = []
        plans: list[PoolPlan] = []
        if result is not None and cluster is not None:
            u = int(result.index[i])
            if u not in cache:
                cache[u] = result.fitting_pools(i)
            fits = cache[u]
            plans = plan(result, i)
            found.extend(cluster_findings(task, cluster, result, i, ctx))
        found = filter_findings(found, select, ignore)
        found.sort(key=_sort_key)
        reports.append(TaskReport(task.task, fits, found, plans, task.file, task.line))
        if progress is not None and (i + 1) % 200 == 0:
            progress(i + 1, total)
    if progress is not None:
        progress(total, total)
    return CheckReport(reports, cluster)
