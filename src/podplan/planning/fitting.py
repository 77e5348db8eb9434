"""The fit engine: which pools can run each pod, and how many copies fit on one node.

Work is done once per *distinct* :class:`~podplan.planning.pods.PodRequirements` (thousands of
tasks usually share a few dozen shapes), and per distinct selector, affinity and toleration set;
the resource comparison and the pods-per-node division are numpy operations over
(distinct pods x pools x resources). Each predicate keeps its own boolean matrix, so a failing
task can be explained pool by pool (:meth:`FitResult.reasons`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from podplan.planning.cluster import Cluster, NodePool
from podplan.planning.match import (
    affinity_matches,
    requirement_matches,
    requirement_valid,
    selector_matches,
    untolerated_taints,
)
from podplan.planning.pods import PodRequirements, Requirement
from podplan.planning.units import amount, format_amount

if TYPE_CHECKING:
    import numpy as np

#: predicate names, in the order reasons are reported
PREDICATES = ("nodes", "resources", "nodeSelector", "nodeAffinity", "taints")
_CHUNK = 2048


@dataclass(frozen=True)
class PoolReason:
    """Why one pool cannot run one pod: the failed predicate and a precise detail."""

    pool: str
    predicate: str
    detail: str

    def __str__(self) -> str:
        return f"{self.pool}: {self.predicate}: {self.detail}"


@dataclass(eq=False)
class FitResult:
    """Fit of ``n`` pods on ``m`` pools. Matrices are indexed (distinct pod, pool)."""

    cluster: Cluster
    distinct: list[PodRequirements]
    index: np.ndarray  # pod -> distinct row
    resources: list[str]
    request: np.ndarray  # distinct x resources (int64)
    allocatable: np.ndarray  # pools x resources (int64)
    ok_nodes: np.ndarray  # pools
    ok_resources: np.ndarray  # distinct x pools
    ok_selector: np.ndarray
    ok_affinity: np.ndarray
    ok_taints: np.ndarray
    fits_distinct: np.ndarray
    per_node_distinct: np.ndarray  # distinct x pools (int64, 0 where it does not fit)

    @property
    def fits(self) -> np.ndarray:
        """Boolean matrix pods x pools."""
        return self.fits_distinct[self.index]

    @property
    def pods_per_node(self) -> np.ndarray:
        """How many copies of each pod fit on one empty node of each pool (0: none)."""
        return self.per_node_distinct[self.index]

    def fitting_pools(self, pod: int) -> list[str]:
        """Names of the pools that can run pod ``pod``, in cluster order."""
        row = self.fits_distinct[self.index[pod]]
        return [self.cluster.pools[j].name for j in row.nonzero()[0]]

    def failed_predicates(self, pod: int, pool: int) -> list[str]:
        """Names of the predicates pod ``pod`` fails on pool ``pool``."""
        u = int(self.index[pod])
        checks = (
            self.ok_nodes[pool],
            self.ok_resources[u, pool],
            self.ok_selector[u, pool],
            self.ok_affinity[u, pool],
            self.ok_taints[u, pool],
        )
        return [name for name, ok in zip(PREDICATES, checks, strict=True) if not ok]

    def reasons(self, pod: int, pool: int) -> list[PoolReason]:
        """Every failed predicate of pod ``pod`` on pool ``pool``, with the values involved."""
        u = int(self.index[pod])
        p = self.cluster.pools[pool]
        req = self.distinct[u]
        out: list[PoolReason] = []
        for name in self.failed_predicates(pod, pool):
            out.append(PoolReason(p.name, name, _detail(name, req, p, self, u, pool)))
        return out

    def closest(self, pod: int) -> int | None:
        """Index of the pool that fails the fewest predicates (ties: smallest resource shortfall)."""
        ranked = self.ranked(pod)
        return ranked[0] if ranked else None

    def ranked(self, pod: int, prefer: Sequence[int] = ()) -> list[int]:
        """Pool indices from closest to farthest: the pools in ``prefer`` first, then fewest
        label constraints missed (node-selector pairs, and the unmet requirements of the best
        affinity term: a pool of the wrong kind is farther than a pool that is too small), then
        fewest failed predicates, then the smallest relative resource shortfall, then cluster
        order."""
        u = int(self.index[pod])
        failed = (
            (~self.ok_nodes).astype(int)
            + (~self.ok_resources[u]).astype(int)
            + (~self.ok_selector[u]).astype(int)
            + (~self.ok_affinity[u]).astype(int)
            + (~self.ok_taints[u]).astype(int)
        )
        shortfall = self._shortfall(u)
        req = self.distinct[u]
        misses = [
            label_misses(req, p) if not (self.ok_selector[u, j] and self.ok_affinity[u, j]) else 0
            for j, p in enumerate(self.cluster.pools)
        ]
        first = set(prefer)
        return sorted(
            range(len(self.cluster.pools)),
            key=lambda j: (j not in first, misses[j], failed[j], shortfall[j], j),
        )

    def _shortfall(self, u: int) -> list[float]:
        import numpy as np

        req = self.request[u].astype(float)
        alloc = self.allocatable.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(req > 0, np.maximum(req - alloc, 0) / np.where(req > 0, req, 1), 0.0)
        return [float(x) for x in ratio.sum(axis=1)]


def _detail(name: str, req: PodRequirements, pool: NodePool, fit: FitResult, u: int, j: int) -> str:
    if name == "nodes":
        if pool.unavailable:
            return f"no schedulable node now: {pool.describe_nodes()}"
        return "the pool has no nodes and cannot scale up (count 0, no autoscaling max)"
    if name == "resources":
        parts = []
        for k, res in enumerate(fit.resources):
            need = int(fit.request[u, k])
            have = int(fit.allocatable[j, k])
            if need > 0 and need > have:
                parts.append(
                    f"{res} needs {format_amount(res, need)}, node allocatable {format_amount(res, have)}"
                )
        return "; ".join(parts)
    if name == "nodeSelector":
        missing = [
            f"{k}={v} ({_pool_value(pool, k)})"
            for k, v in req.node_selector
            if not selector_matches(((k, v),), pool)
        ]
        return "no node label " + ", ".join(missing)
    if name == "nodeAffinity":
        return _affinity_detail(req.affinity_terms or (), pool)
    taints = untolerated_taints(req.tolerations, pool)
    return "untolerated taint " + ", ".join(str(t) for t in taints)


def _pool_value(pool: NodePool, key: str) -> str:
    """How the pool's nodes carry label ``key``, for messages."""
    if key in pool.labels:
        return f"the pool has {key}={pool.labels[key]}"
    varying = pool.varying_labels.get(key)
    if varying:
        return f"the pool's nodes have {key} in {list(varying)}"
    return "the pool has no such label"


def _requirement_text(req: Requirement) -> str:
    key, op, values, _ = req
    return f"{key} {op} {list(values)}" if values else f"{key} {op}"


def _unmet(term: tuple[Requirement, ...], pool: NodePool) -> list[Requirement]:
    if not term or not all(requirement_valid(r) for r in term):
        return list(term) or [("", "", (), False)]
    return [r for r in term if not requirement_matches(r, pool)]


def _affinity_detail(terms: tuple[tuple[Requirement, ...], ...], pool: NodePool) -> str:
    """The unmet requirements of the term that comes closest, with the pool's label values."""
    if not terms:
        return "required node affinity has no terms (matches no node)"
    best = min(terms, key=lambda t: len(_unmet(t, pool)))
    if not best or not all(requirement_valid(r) for r in best):
        shown = " AND ".join(_requirement_text(r) for r in best) or "an empty term"
        return f"required node affinity term ({shown}) is invalid and matches no node"
    parts = [f"{_requirement_text(r)} ({_pool_value(pool, r[0])})" for r in _unmet(best, pool)]
    prefix = "required node affinity not satisfied: "
    if len(terms) > 1:
        prefix = f"none of the {len(terms)} required node-affinity terms is satisfied; closest: "
    return prefix + " AND ".join(parts)


def unmet_label_keys(req: PodRequirements, pool: NodePool) -> list[str]:
    """Label keys of the node-selector pairs and closest-term requirements the pool misses."""
    keys = [k for k, v in req.node_selector if not selector_matches(((k, v),), pool)]
    if req.affinity_terms:
        best = min(req.affinity_terms, key=lambda t: len(_unmet(t, pool)))
        keys += [r[0] for r in _unmet(best, pool) if r[0]]
    return keys


def label_misses(req: PodRequirements, pool: NodePool) -> int:
    """How many label constraints of the pod the pool misses: node-selector pairs plus the unmet
    requirements of the closest required-affinity term (a measure of "wrong kind of node")."""
    missed = sum(1 for pair in req.node_selector if not selector_matches((pair,), pool))
    if req.affinity_terms is not None:
        missed += min((len(_unmet(t, pool)) for t in req.affinity_terms), default=1)
    return missed


def admitted(req: PodRequirements) -> PodRequirements:
    """The requirements after the ``ExtendedResourceToleration`` admission plugin: one
    ``{key: <resource>, operator: Exists, effect: NoSchedule}`` toleration per requested extended
    resource (fully qualified, outside ``kubernetes.io``)."""
    extra = tuple(
        (name, "Exists", "", "NoSchedule")
        for name, _ in req.requests
        if "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")
    )
    if not extra:
        return req
    return replace(req, tolerations=req.tolerations + extra)


def _matrix(rows: Sequence[dict[str, int]], names: list[str]) -> np.ndarray:
    import numpy as np

    col = {n: i for i, n in enumerate(names)}
    out = np.zeros((len(rows), len(names)), dtype=np.int64)
    for i, row in enumerate(rows):
        for k, v in row.items():
            out[i, col[k]] = v
    return out


def pool_allocatable(pool: NodePool) -> dict[str, int]:
    """Allocatable of one pool in scheduler units (invalid values count as 0)."""
    out: dict[str, int] = {}
    for k, v in pool.allocatable.items():
        try:
            out[k] = amount(k, str(v))
        except ValueError:
            out[k] = 0
    out.setdefault("pods", 110)
    return out


def fit(pods: Sequence[PodRequirements], cluster: Cluster) -> FitResult:
    """Fit every pod requirement on every pool of ``cluster``."""
    import numpy as np

    distinct: dict[PodRequirements, int] = {}
    index = np.fromiter(
        (distinct.setdefault(p, len(distinct)) for p in pods), dtype=np.int64, count=len(pods)
    )
    rows = list(distinct)
    if cluster.extended_resource_toleration:
        rows = [admitted(r) for r in rows]
    pools = cluster.pools
    alloc_maps = [pool_allocatable(p) for p in pools]
    names = sorted({k for r in rows for k, _ in r.requests} | {k for a in alloc_maps for k in a})
    request = _matrix([dict(r.requests) for r in rows], names)
    allocatable = _matrix(alloc_maps, names)
    u, m = len(rows), len(pools)

    ok_resources = np.ones((u, m), dtype=bool)
    per_node = np.zeros((u, m), dtype=np.int64)
    big = np.iinfo(np.int64).max
    for start in range(0, u, _CHUNK):
        req = request[start : start + _CHUNK, None, :]  # c x 1 x r
        alloc = allocatable[None, :, :]  # 1 x m x r
        positive = req > 0
        ok_resources[start : start + _CHUNK] = ~np.any(positive & (req > alloc), axis=2)
        safe = np.where(positive, req, 1)
        quotient = np.where(positive, alloc // safe, big)
        per_node[start : start + _CHUNK] = quotient.min(axis=2) if names else 0

    ok_nodes = np.fromiter((p.schedulable for p in pools), dtype=bool, count=m)
    ok_selector = _per_key(rows, pools, lambda r: r.node_selector, selector_matches)
    ok_affinity = _per_key(rows, pools, lambda r: r.affinity_terms, affinity_matches)
    ok_taints = _per_key(
        rows, pools, lambda r: r.tolerations, lambda tol, pool: not untolerated_taints(tol, pool)
    )
    fits = ok_resources & ok_selector & ok_affinity & ok_taints & ok_nodes[None, :]
    per_node = np.where(fits, per_node, 0)
    return FitResult(
        cluster=cluster,
        distinct=rows,
        index=index,
        resources=names,
        request=request,
        allocatable=allocatable,
        ok_nodes=ok_nodes,
        ok_resources=ok_resources,
        ok_selector=ok_selector,
        ok_affinity=ok_affinity,
        ok_taints=ok_taints,
        fits_distinct=fits,
        per_node_distinct=per_node,
    )


def _per_key(rows: list[PodRequirements], pools: Sequence[NodePool], key: Any, predicate: Any) -> np.ndarray:
    """Evaluate ``predicate(key(row), pool)`` once per distinct key value, as a matrix."""
    import numpy as np

    cache: dict[Any, np.ndarray] = {}
    out = np.ones((len(rows), len(pools)), dtype=bool)
    for i, row in enumerate(rows):
        k = key(row)
        vec = cache.get(k)
        if vec is None:
            vec = np.fromiter((bool(predicate(k, p)) for p in pools), dtype=bool, count=len(pools))
            cache[k] = vec
        out[i] = vec
    return out
