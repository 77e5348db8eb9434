"""``assert_schedulable``: a pytest-friendly check that a task's pod can run on a cluster.

Example::

    from podplan.testing import assert_schedulable
    from my_project.training import train

    def test_train_schedules():
        assert_schedulable(train, cluster="deploy/pools.yaml", platform="deploy/platform.yaml")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podplan.errors import NotSchedulableError


def _cluster(cluster: Any, pool_label: str | None) -> Any:
    from podplan.planning.cluster import Cluster, cluster_from_data, load_cluster

    if isinstance(cluster, Cluster):
        return cluster
    if isinstance(cluster, (str, Path)):
        return load_cluster(cluster, pool_label=pool_label)
    if isinstance(cluster, dict):
        return cluster_from_data(cluster, pool_label=pool_label, source="cluster")
    raise TypeError(
        "cluster must be a Cluster, a file path or a parsed node list/pool file, "
        f"got {type(cluster).__name__}"
    )


def assert_schedulable(
    task: Any,
    *,
    cluster: Any,
    platform: Any = None,
    pool: str | None = None,
    pool_label: str | None = None,
    interruptible: bool | None = None,
    fail_on: str = "error",
) -> list[str]:
    """Assert that ``task`` (a task, a ``with_overrides`` node, or a flytekit task) fits some
    pool of ``cluster`` on ``platform`` and has no finding at or above ``fail_on``.

    ``cluster`` is a :class:`~podplan.planning.Cluster`, a path to ``kubectl get nodes -o json``
    output or a pool YAML, or the parsed document. ``pool`` additionally requires that named pool
    to be among the fits. Returns the names of the pools that fit. Raises
    :class:`~podplan.errors.NotSchedulableError` (an ``AssertionError``) listing every reason.
    """
    from podplan.planning.collect import task_input
    from podplan.planning.engine import check
    from podplan.planning.findings import severity_at_least

    resolved = _cluster(cluster, pool_label)
    item = task_input(task, platform, interruptible=interruptible)
    report = check([item], cluster=resolved, platform=_platform(platform))
    result = report.tasks[0]
    problems = [f for f in result.findings if severity_at_least(f.severity, fail_on)]
    lines = [f"{f.code} {f.severity}: {f.message}" for f in problems]
    for f in problems:
        for reason in f.extra.get("reasons", ()):
            lines.append(f"  {reason['pool']}: {reason['predicate']}: {reason['detail']}")
    if pool is not None and pool not in result.fits:
        resolved.pool(pool)  # raises for an unknown pool name
        lines.insert(0, f"task {result.task} does not fit pool {pool!r}; it fits {result.fits or 'no pool'}")
    if lines:
        raise NotSchedulableError(f"task {result.task} is not schedulable:\n" + "\n".join(lines))
    return list(result.fits)


def _platform(platform: Any) -> Any:
    if platform is None:
        return None
    from podplan.podspec.api import _platform as resolve

    return resolve(platform)
