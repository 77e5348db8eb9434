"""The concise node-pool file (YAML or JSON) and its JSON Schema.

Example::

    schemes: [eks, gfd]          # GPU label schemes exposed by default (optional)
    pools:
      - name: cpu-general
        instance_type: m6i.4xlarge
        autoscaling: {min: 1, max: 20}
        allocatable: {cpu: 15890m, memory: 57Gi, pods: 110}
        price_per_hour: 0.768
      - name: a100-mig
        count: 2
        taints: ["nvidia.com/gpu=present:NoSchedule"]
        allocatable: {cpu: 95, memory: 1100Gi}
        gpu:
          model: A100
          count: 8
          mig: {strategy: mixed, layout: {1g.5gb: 2, 2g.10gb: 1, 3g.20gb: 1}}

``gpu`` expands to the labels and resources that NVIDIA GPU Feature Discovery (``gfd``), GKE
(``gke``), the EKS/Flyte convention (``eks``), Karpenter (``karpenter``) or EKS Auto Mode
(``eks-auto``) expose (see :mod:`podplan.planning.gpus`); explicit ``labels`` and
``allocatable`` entries win over the expansion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from podplan.errors import ClusterError
from podplan.planning.cluster import Cluster, GPUShape, NodePool, Taint

Scheme = Literal["gfd", "gke", "eks", "karpenter", "eks-auto"]
SCHEMES: tuple[Scheme, ...] = ("gfd", "gke", "eks", "karpenter", "eks-auto")
DEFAULT_SCHEMES: tuple[Scheme, ...] = ("eks", "gfd")
DEFAULT_MAX_PODS = "110"
#: the taint GKE puts on every GPU node (its ExtendedResourceToleration admission lets GPU pods in)
GKE_GPU_TAINT = Taint("nvidia.com/gpu", "present", "NoSchedule")


def _models() -> Any:
    """Build the pydantic models lazily (pydantic is a heavy import)."""
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")

    class TaintModel(_Strict):
        key: str = Field(min_length=1)
        value: str = ""
        effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"

    class MigModel(_Strict):
        strategy: Literal["single", "mixed"] = Field(description="NVIDIA device-plugin MIG strategy")
        profile: str | None = Field(None, description="shorthand for layout {profile: max instances}")
        layout: dict[str, int] | None = Field(None, description="MIG instances per GPU: profile -> count")

    class GPUModelSpec(_Strict):
        model: str = Field(description="catalog name (A100, H100) or device string (nvidia-tesla-a100)")
        count: int = Field(1, ge=1, description="GPUs per node")
        labels: list[Scheme] | None = Field(
            None, description="label schemes to expose; default: the file's `schemes`"
        )
        mig: MigModel | None = None

    class AutoscalingModel(_Strict):
        min: int = Field(0, ge=0)
        max: int = Field(ge=0)

    class PoolModel(_Strict):
        name: str = Field(min_length=1)
        count: int | None = Field(None, ge=0, description="current node count (default 1)")
        autoscaling: AutoscalingModel | None = None
        instance_type: str | None = Field(None, description="sets node.kubernetes.io/instance-type")
        labels: dict[str, str] = Field(default_factory=dict)
        taints: list[str | TaintModel] = Field(default_factory=list)
        allocatable: dict[str, str | int | float] = Field(default_factory=dict)
        price_per_hour: float | None = Field(None, ge=0, description="price of one node per hour")
        spot: bool | None = Field(None, description="spot/preemptible capacity (default: from labels)")
        gpu: GPUModelSpec | None = None

        @field_validator("labels", mode="before")
        @classmethod
        def _stringify(cls, value: Any) -> Any:
            if isinstance(value, Mapping):
                return {str(k): (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items()}
            return value

    class PoolFile(_Strict):
        """podplan node-pool file."""

        schemes: list[Scheme] = Field(default_factory=lambda: list(DEFAULT_SCHEMES))
        pools: list[PoolModel] = Field(min_length=1)
        extended_resource_toleration: bool | None = Field(
            None,
            description="the API server adds tolerations for requested extended resources "
            "(ExtendedResourceToleration admission plugin, enabled on GKE); default: true when "
            "`schemes` includes gke",
        )

    return PoolFile


def pool_file_schema() -> dict[str, Any]:
    """Return the JSON Schema of the pool file (draft 2020-12, generated from the models)."""
    schema: dict[str, Any] = _models().model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "podplan node-pool file"
    return schema


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def cluster_from_pool_document(data: Mapping[str, Any], *, source: str = "") -> Cluster:
    """Validate a parsed pool document and expand it into a :class:`Cluster`."""
    from pydantic import ValidationError

    where = source or "pools"
    try:
        doc = _models().model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = _location(tuple(first["loc"]))
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ClusterError(f"{where}: {loc}: {first['msg']} (got {first.get('input')!r}){more}") from None
    pools = []
    for i, pool in enumerate(doc.pools):
        pools.append(_expand_pool(pool, tuple(doc.schemes), f"{where}: pools[{i}] ({pool.name})"))
    ert = doc.extended_resource_toleration
    if ert is None:
        ert = "gke" in doc.schemes
    return Cluster(tuple(pools), source=where, extended_resource_toleration=ert)


def _expand_pool(pool: Any, schemes: tuple[str, ...], where: str) -> NodePool:
    from podplan.planning.gpus import gpu_node_features
    from podplan.planning.units import amount

    labels: dict[str, str] = {}
    allocatable: dict[str, str] = {"pods": DEFAULT_MAX_PODS}
    shape = None
    if pool.instance_type:
        labels["node.kubernetes.io/instance-type"] = pool.instance_type
    if pool.gpu is not None:
        layout: dict[str, int] = {}
        strategy = "none"
        if pool.gpu.mig is not None:
            strategy = pool.gpu.mig.strategy
            layout = dict(pool.gpu.mig.layout or {})
            if pool.gpu.mig.profile:
                layout.setdefault(pool.gpu.mig.profile, 0)
            if not layout:
                raise ClusterError(f"{where}: gpu.mig needs `profile` or `layout`")
        shape = GPUShape(pool.gpu.model, pool.gpu.count, strategy, layout)
        try:
            gpu_labels, gpu_resources, shape = gpu_node_features(shape, tuple(pool.gpu.labels or schemes))
        except ClusterError as exc:
            raise ClusterError(f"{where}: gpu: {exc}") from None
        labels.update(gpu_labels)
        allocatable.update(gpu_resources)
    labels.update(pool.labels)
    for key, value in pool.allocatable.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        try:
            amount(key, text)
        except ClusterError:
            raise ClusterError(f"{where}: allocatable.{key}: {text!r} is not a Kubernetes quantity") from None
        allocatable[key] = text
    taints = []
    for t in pool.taints:
        try:
            taints.append(Taint.parse(t) if isinstance(t, str) else Taint(t.key, t.value, t.effect))
        except ClusterError as exc:
            raise ClusterError(f"{where}: taints: {exc}") from None
    gpu_schemes = tuple(pool.gpu.labels or schemes) if pool.gpu is not None else ()
    if "gke" in gpu_schemes and not any(t.key == GKE_GPU_TAINT.key for t in taints):
        taints.append(GKE_GPU_TAINT)  # GKE taints every GPU node pool it creates
    autoscaling = pool.autoscaling
    if autoscaling is not None and autoscaling.min > autoscaling.max:
        raise ClusterError(f"{where}: autoscaling.min {autoscaling.min} is above max {autoscaling.max}")
    count = pool.count if pool.count is not None else (autoscaling.min if autoscaling else 1)
    return NodePool(
        name=pool.name,
        labels=labels,
        taints=tuple(taints),
        allocatable=allocatable,
        count=count,
        min_count=autoscaling.min if autoscaling else None,
        max_count=autoscaling.max if autoscaling else None,
        price_per_hour=pool.price_per_hour,
        spot=pool.spot,
        gpu=shape,
    )
