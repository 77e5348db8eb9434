"""Cluster model: node pools with labels, taints and allocatable resources.

A :class:`Cluster` is a tuple of :class:`NodePool` objects. Each pool stands for a set of
identical nodes: the fit engine decides whether *one* such node, empty, can run a pod, and how
many copies of the pod fit on it. Pools come from ``kubectl get nodes -o json``
(:func:`cluster_from_nodelist`) or from the concise pool YAML (:mod:`podplan.planning.poolfile`);
:func:`load_cluster` picks the loader from the file's content.

Pool naming for node lists (the documented rule)
-----------------------------------------------
1. Nodes are grouped by their labels and taints, ignoring per-node labels
   (:data:`PER_NODE_LABELS`: host name, zone, instance id, GFD timestamp). Allocatable values of
   a group are the per-resource *minimum* over its nodes (a pod that fits the pool fits every node).
2. A group's *base name* is the value of the ``--pool-label`` key when given and present on the
   nodes, else ``node.kubernetes.io/instance-type`` (or ``beta.kubernetes.io/instance-type``),
   else ``"nodes"``.
3. A base name used by one group is the pool name. When several groups share a base name, each is
   named ``base[k1=v1,k2=v2]`` with a distinguishing label set: label keys are tried in order —
   node-group keys first (``eks.amazonaws.com/nodegroup``, ``cloud.google.com/gke-nodepool``,
   ``karpenter.sh/nodepool``, ``kubernetes.azure.com/agentpool``), then capacity-type keys, then
   GPU identity keys (accelerator, MIG strategy, GFD product, partition), then every other key
   sorted — and a key is kept when it separates groups the kept keys do not; the
   kept labels are listed sorted by key (a group lacking a kept key omits it). Groups still alike
   (they differ only in taints) get ``#2``, ``#3``… in the order of their first node name.
4. A cordoned node (``spec.unschedulable: true`` or the ``node.kubernetes.io/unschedulable``
   taint) or a node that is not ready (its ``Ready`` condition is not ``True``, or it carries the
   ``node.kubernetes.io/not-ready`` / ``unreachable`` taint) stays in its pool as an *unavailable*
   member: those condition taints (:data:`CONDITION_TAINT_KEYS`) are ignored when grouping, the
   pool's ``count`` and ``node_names`` hold the schedulable nodes only, ``unavailable`` maps the
   others to their reason, and allocatable is the minimum over the schedulable nodes. A pool whose
   nodes are all unavailable keeps its name with ``count == 0``, so it fits nothing now.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podplan.errors import ClusterError

INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")

#: labels that differ from node to node inside one pool; ignored when grouping nodes
PER_NODE_LABELS = frozenset(
    {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region",
        "topology.gke.io/zone",
        "topology.ebs.csi.aws.com/zone",
        "topology.k8s.aws/zone-id",
        "topology.k8s.aws/network-node-layer-1",
        "topology.k8s.aws/network-node-layer-2",
        "topology.k8s.aws/network-node-layer-3",
        "alpha.eksctl.io/instance-id",
        "node.kubernetes.io/instance-id",
        "nvidia.com/gfd.timestamp",
        "cloud.google.com/gke-boot-disk",
    }
)

#: (label, value) pairs that mark spot / preemptible capacity, per provider
SPOT_LABELS: tuple[tuple[str, str], ...] = (
    ("eks.amazonaws.com/capacityType", "SPOT"),
    ("karpenter.sh/capacity-type", "spot"),
    ("cloud.google.com/gke-spot", "true"),
    ("cloud.google.com/gke-preemptible", "true"),
    ("kubernetes.azure.com/scalesetpriority", "spot"),
    ("node.kubernetes.io/lifecycle", "spot"),
)

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
NOT_READY_TAINT_KEYS = frozenset({"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"})
#: taints the node controller adds for a node's state (cordoned, not ready, unreachable): they
#: make a node unavailable, and are ignored when grouping nodes into pools
CONDITION_TAINT_KEYS = NOT_READY_TAINT_KEYS | {UNSCHEDULABLE_TAINT}
_TAINT_RE = re.compile(r"^(?P<key>[^=:]+)(=(?P<value>[^:]*))?:(?P<effect>[A-Za-z]+)$")


@dataclass(frozen=True)
class Taint:
    """A node taint ``key=value:effect``."""

    key: str
    value: str = ""
    effect: str = "NoSchedule"

    def __post_init__(self) -> None:
        if self.effect not in TAINT_EFFECTS:
            raise ClusterError(
                f"taint {self.key!r}: effect {self.effect!r} is not one of {', '.join(TAINT_EFFECTS)}"
            )

    @classmethod
    def parse(cls, text: str) -> Taint:
        """Parse ``kubectl taint`` syntax: ``key=value:Effect`` or ``key:Effect``."""
        match = _TAINT_RE.match(text.strip())
        if not match:
            raise ClusterError(f"taint {text!r}: expected 'key=value:Effect' or 'key:Effect'")
        return cls(match["key"], match["value"] or "", match["effect"])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taint:
        """Build from the Kubernetes JSON form ``{key, value, effect}``."""
        return cls(str(data.get("key", "")), str(data.get("value") or ""), str(data.get("effect", "")))

    def __str__(self) -> str:
        value = f"={self.value}" if self.value else ""
        return f"{self.key}{value}:{self.effect}"

    def to_dict(self) -> dict[str, str]:
        """Kubernetes JSON form."""
        out = {"key": self.key, "effect": self.effect}
        if self.value:
            out["value"] = self.value
        return out


@dataclass(frozen=True)
class GPUShape:
    """What a pool's GPU shorthand declared: model, GPUs per node and MIG configuration."""

    model: str
    count: int
    mig_strategy: str = "none"
    #: MIG instances per GPU, profile -> count (empty without MIG)
    mig_layout: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class NodePool:
    """A set of identical nodes.

    ``allocatable`` maps resource names to quantity strings (``{"cpu": "7910m", "memory":
    "30Gi", "nvidia.com/gpu": "1", "pods": "110"}``). ``count`` is the current node count;
    ``min_count``/``max_count`` the autoscaling bounds when known (a pool with ``count == 0`` and
    ``max_count > 0`` can still run pods). ``varying_labels`` keeps per-node labels whose value
    differs between the pool's nodes (zones), for display. ``unavailable`` maps the pool's
    cordoned or not-ready nodes (read from a node list) to ``"cordoned"``, ``"not ready"`` or
    ``"cordoned, not ready"``; they are not counted in ``count`` nor listed in ``node_names``.
    """

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    allocatable: Mapping[str, str] = field(default_factory=dict)
    count: int = 1
    min_count: int | None = None
    max_count: int | None = None
    price_per_hour: float | None = None
    spot: bool | None = None
    gpu: GPUShape | None = None
    varying_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    node_names: tuple[str, ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)

    @property
    def nodes_total(self) -> int:
        """Every node the pool has now: the schedulable ``count`` plus the unavailable ones."""
        return self.count + len(self.unavailable)

    def describe_nodes(self) -> str:
        """``"3 nodes"``, or with unavailable ones ``"3 nodes (1 cordoned)"`` /
        ``"2 nodes (all unavailable: 1 cordoned, 1 not ready)"``."""
        total = self.nodes_total
        text = f"{total} node{'s' if total != 1 else ''}"
        if not self.unavailable:
            return text
        counts: dict[str, int] = {}
        for reason in self.unavailable.values():
            for part in reason.split(", "):
                counts[part] = counts.get(part, 0) + 1
        parts = ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
        return f"{text} ({'all unavailable: ' if self.count == 0 else ''}{parts})"

    @property
    def is_spot(self) -> bool:
        """Spot/preemptible capacity: declared, or recognised from provider labels."""
        if self.spot is not None:
            return self.spot
        return any(self.labels.get(key) == value for key, value in SPOT_LABELS)

    @property
    def mig_strategy(self) -> str:
        """``none``, ``single`` or ``mixed``: declared, from GFD's label, or from resource names."""
        if self.gpu is not None and self.gpu.mig_strategy != "none":
            return self.gpu.mig_strategy
        label = self.labels.get("nvidia.com/mig.strategy")
        if label in ("single", "mixed"):
            return label
        if any(name.startswith("nvidia.com/mig-") for name in self.allocatable):
            return "mixed"
        return "none"

    @property
    def schedulable(self) -> bool:
        """Whether the pool can have nodes at all (current or autoscaled)."""
        return self.count > 0 or (self.max_count or 0) > 0

    def summary(self) -> dict[str, Any]:
        """JSON-friendly description (used by reports)."""
        out: dict[str, Any] = {
            "name": self.name,
            "count": self.count,
            "nodes_total": self.nodes_total,
            "labels": dict(self.labels),
            "taints": [str(t) for t in self.taints],
            "allocatable": dict(self.allocatable),
            "spot": self.is_spot,
        }
        if self.min_count is not None or self.max_count is not None:
            out["autoscaling"] = {"min": self.min_count, "max": self.max_count}
        if self.price_per_hour is not None:
            out["price_per_hour"] = self.price_per_hour
        if self.unavailable:
            out["unavailable"] = dict(self.unavailable)
        return out


@dataclass(frozen=True, eq=False)
class Cluster:
    """An ordered collection of node pools with unique names.

    ``extended_resource_toleration`` says the API server runs the ``ExtendedResourceToleration``
    admission plugin (GKE does): a pod requesting an extended resource such as
    ``nvidia.com/gpu`` gets the toleration ``{key: <resource>, operator: Exists, effect:
    NoSchedule}``, which lets it past GKE's automatic ``nvidia.com/gpu=present:NoSchedule`` taint.
    """

    pools: tuple[NodePool, ...]
    source: str = ""
    extended_resource_toleration: bool = False

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for pool in self.pools:
            if pool.name in seen:
                raise ClusterError(f"{self.source or 'cluster'}: pool name {pool.name!r} is used twice")
            seen.add(pool.name)

    def __iter__(self) -> Any:
        return iter(self.pools)

    def __len__(self) -> int:
        return len(self.pools)

    def pool(self, name: str) -> NodePool:
        """Return the pool called ``name``."""
        for pool in self.pools:
            if pool.name == name:
                return pool
        names = ", ".join(p.name for p in self.pools)
        raise ClusterError(f"no pool named {name!r}; pools: {names}")

    @property
    def names(self) -> list[str]:
        """Pool names in order."""
        return [p.name for p in self.pools]

    def label_values(self, key: str) -> set[str]:
        """Every value that some pool carries for label ``key`` (per-node values included)."""
        values: set[str] = set()
        for pool in self.pools:
            if key in pool.labels:
                values.add(pool.labels[key])
            values.update(pool.varying_labels.get(key, ()))
        return values


# --- kubectl get nodes -o json --------------------------------------------------------------


def _node_taints(node: Mapping[str, Any], where: str) -> tuple[Taint, ...]:
    spec = node.get("spec") or {}
    taints = []
    for i, raw in enumerate(spec.get("taints") or []):
        if not isinstance(raw, Mapping):
            raise ClusterError(f"{where}.spec.taints[{i}]: expected an object, got {raw!r}")
        try:
            taints.append(Taint.from_dict(raw))
        except ClusterError as exc:
            raise ClusterError(f"{where}.spec.taints[{i}]: {exc}") from None
    if spec.get("unschedulable") and not any(t.key == UNSCHEDULABLE_TAINT for t in taints):
        taints.append(Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule"))
    return tuple(sorted(taints, key=lambda t: (t.key, t.value, t.effect)))


def _unavailable_reason(node: Mapping[str, Any], taints: tuple[Taint, ...]) -> str:
    """``""`` for a schedulable node, else ``"cordoned"``, ``"not ready"`` or both. A node list
    without conditions (hand-written) counts as ready unless a condition taint says otherwise."""
    keys = {t.key for t in taints if t.effect != "PreferNoSchedule"}
    reasons = []
    if UNSCHEDULABLE_TAINT in keys:  # _node_taints adds it for spec.unschedulable
        reasons.append("cordoned")
    conditions = (node.get("status") or {}).get("conditions") or []
    ready = [c for c in conditions if isinstance(c, Mapping) and c.get("type") == "Ready"]
    if any(str(c.get("status")) != "True" for c in ready) or keys & NOT_READY_TAINT_KEYS:
        reasons.append("not ready")
    return ", ".join(reasons)


def _min_allocatable(nodes: list[Mapping[str, str]]) -> dict[str, str]:
    from podplan.planning.units import amount

    keys = set().union(*nodes)
    out: dict[str, str] = {}
    for key in sorted(keys):
        # a node without the resource has 0 of it
        values = [n.get(key, "0") for n in nodes]
        out[key] = min(values, key=lambda v: amount(key, str(v)))
    return out


def cluster_from_nodelist(
    data: Mapping[str, Any], *, pool_label: str | None = None, source: str = ""
) -> Cluster:
    """Build a :class:`Cluster` from ``kubectl get nodes -o json`` output (a ``NodeList``).

    A single ``Node`` object is accepted too. See the module docstring for the grouping and
    naming rule.
    """
    where = source or "nodes"
    if data.get("kind") == "Node":
        items: list[Any] = [data]
    else:
        items = data.get("items")  # type: ignore[assignment]
        if not isinstance(items, list):
            raise ClusterError(
                f"{where}: expected a NodeList with an 'items' list (kubectl get nodes -o json)"
            )
    groups: dict[tuple[Any, ...], list[tuple[str, dict[str, str], dict[str, str], str]]] = {}
    taints_of: dict[tuple[Any, ...], tuple[Taint, ...]] = {}
    for i, node in enumerate(items):
        loc = f"{where}: items[{i}]"
        if not isinstance(node, Mapping):
            raise ClusterError(f"{loc}: expected a Node object")
        meta = node.get("metadata") or {}
        name = str(meta.get("name") or f"node-{i}")
        labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        status = node.get("status") or {}
        alloc = status.get("allocatable") or status.get("capacity") or {}
        allocatable = {str(k): str(v) for k, v in alloc.items()}
        all_taints = _node_taints(node, loc)
        taints = tuple(t for t in all_taints if t.key not in CONDITION_TAINT_KEYS)
        stable = tuple(sorted((k, v) for k, v in labels.items() if k not in PER_NODE_LABELS))
        key = (stable, taints)
        groups.setdefault(key, []).append((name, labels, allocatable, _unavailable_reason(node, all_taints)))
        taints_of[key] = taints
    gke = any(
        k.startswith("cloud.google.com/gke-")
        for node in items
        if isinstance(node, Mapping)
        for k in ((node.get("metadata") or {}).get("labels") or {})
    )
    return Cluster(
        _name_groups(groups, taints_of, pool_label), source=where, extended_resource_toleration=gke
    )


def _base_name(labels: Mapping[str, str], pool_label: str | None) -> str:
    if pool_label and pool_label in labels:
        return labels[pool_label]
    for key in INSTANCE_TYPE_LABELS:
        if key in labels:
            return labels[key]
    return "nodes"


#: label keys tried first when naming pools that share a base name (node-group names, capacity)
PREFERRED_POOL_KEYS = (
    "eks.amazonaws.com/nodegroup",
    "cloud.google.com/gke-nodepool",
    "karpenter.sh/nodepool",
    "kubernetes.azure.com/agentpool",
    "agentpool",
    "eks.amazonaws.com/capacityType",
    "karpenter.sh/capacity-type",
    "cloud.google.com/gke-spot",
    "kubernetes.azure.com/scalesetpriority",
    "cloud.google.com/gke-preemptible",
    # GPU identity: model, MIG strategy and partition
    "cloud.google.com/gke-accelerator",
    "k8s.amazonaws.com/accelerator",
    "nvidia.com/mig.strategy",
    "nvidia.com/gpu.product",
    "cloud.google.com/gke-gpu-partition-size",
    "k8s.amazonaws.com/gpu-partition-size",
    "nvidia.com/mig.config",
)


def _distinguishing_keys(label_sets: list[dict[str, str]]) -> list[str]:
    """A small set of label keys whose values tell the groups apart.

    Keys are tried in order — :data:`PREFERRED_POOL_KEYS`, then the others sorted — and a key is
    kept when it splits groups that the keys kept so far do not; the kept keys are returned sorted.
    """
    all_keys = sorted(set().union(*label_sets))
    differing = [k for k in all_keys if len({ls.get(k) for ls in label_sets}) > 1]
    order = [k for k in PREFERRED_POOL_KEYS if k in differing] + [
        k for k in differing if k not in PREFERRED_POOL_KEYS
    ]
    chosen: list[str] = []
    distinct = 1
    for key in order:
        count = len({tuple(ls.get(k) for k in [*chosen, key]) for ls in label_sets})
        if count > distinct:
            chosen.append(key)
            distinct = count
        if distinct == len(label_sets):
            break
    return sorted(chosen)


def _name_groups(
    groups: Mapping[tuple[Any, ...], list[tuple[str, dict[str, str], dict[str, str], str]]],
    taints_of: Mapping[tuple[Any, ...], tuple[Taint, ...]],
    pool_label: str | None,
) -> tuple[NodePool, ...]:
    ordered = sorted(groups.items(), key=lambda kv: min(m[0] for m in kv[1]))
    by_base: dict[str, list[tuple[Any, ...]]] = {}
    for key, members in ordered:
        by_base.setdefault(_base_name(members[0][1], pool_label), []).append(key)
    names: dict[tuple[Any, ...], str] = {}
    for base, keys in by_base.items():
        if len(keys) == 1:
            names[keys[0]] = base
            continue
        label_sets = [dict(key[0]) for key in keys]
        differing = _distinguishing_keys(label_sets)
        used: dict[str, int] = {}
        for key, ls in zip(keys, label_sets, strict=True):
            parts = [f"{k}={ls[k]}" for k in differing if k in ls]
            name = f"{base}[{','.join(parts)}]" if parts else base
            used[name] = used.get(name, 0) + 1
            names[key] = name if used[name] == 1 else f"{name}#{used[name]}"
    pools = []
    for key, members in ordered:
        stable = dict(key[0])
        ready = [m for m in members if not m[3]]
        shown = ready or members  # the schedulable nodes decide; all of them when none is
        varying: dict[str, tuple[str, ...]] = {}
        for _, labels, _, _ in shown:
            for k, v in labels.items():
                if k in PER_NODE_LABELS:
                    varying[k] = tuple(sorted(set(varying.get(k, ())) | {v}))
        pool_labels = dict(stable)
        for k, values in varying.items():
            if len(values) == 1 and all(k in m[1] for m in shown):
                pool_labels[k] = values[0]
        pools.append(
            NodePool(
                name=names[key],
                labels=pool_labels,
                taints=taints_of[key],
                allocatable=_min_allocatable([m[2] for m in shown]),
                count=len(ready),
                varying_labels={k: v for k, v in varying.items() if k not in pool_labels},
                node_names=tuple(sorted(m[0] for m in ready)),
                unavailable={m[0]: m[3] for m in sorted(members, key=lambda m: m[0]) if m[3]},
            )
        )
    return tuple(pools)


# --- loading files ---------------------------------------------------------------------------


def load_cluster(path: str | Path, *, pool_label: str | None = None) -> Cluster:
    """Load a cluster from a ``kubectl get nodes -o json`` file or a pool YAML/JSON file.

    A document with ``kind: NodeList``/``Node`` or an ``items`` list is a node list; one with a
    ``pools`` list is a pool file. Raises :class:`ClusterError` with the file name otherwise.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClusterError(f"{p}: cannot read cluster file ({exc.strerror})") from None
    data = parse_document(text, str(p))
    return cluster_from_data(data, pool_label=pool_label, source=str(p))


def parse_document(text: str, source: str) -> Any:
    """Parse JSON, falling back to safe YAML; errors carry the source and line."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ClusterError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same result, faster
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ClusterError(f"{source}{pos}: invalid YAML: {problem}") from None


def cluster_from_data(data: Any, *, pool_label: str | None = None, source: str = "") -> Cluster:
    """Build a cluster from an already-parsed node list or pool document."""
    if not isinstance(data, Mapping):
        raise ClusterError(f"{source or 'cluster'}: expected a NodeList or a pool file with 'pools:'")
    if data.get("kind") in ("NodeList", "Node", "List") or "items" in data:
        return cluster_from_nodelist(data, pool_label=pool_label, source=source)
    if "pools" in data:
        from podplan.planning.poolfile import cluster_from_pool_document

        return cluster_from_pool_document(data, source=source)
    raise ClusterError(
        f"{source or 'cluster'}: neither a NodeList (kubectl get nodes -o json) "
        "nor a pool file ('pools:' list)"
    )


def merge_clusters(clusters: Iterable[Cluster]) -> Cluster:
    """Concatenate the pools of several clusters (names must stay unique)."""
    items = list(clusters)
    pools = [pool for c in items for pool in c.pools]
    return Cluster(
        tuple(pools),
        source="+".join(c.source for c in items),
        extended_resource_toleration=any(c.extended_resource_toleration for c in items),
    )
