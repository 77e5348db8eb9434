"""``Platform``: everything of a Flyte backend's configuration that shapes a task's Pod.

The YAML keys are Flyte's own (DESIGN D7): ``plugins.k8s`` (``K8sPluginConfig``, spec Appendix A),
flyteadmin's ``task_resources`` and flytepropeller's ``propeller.node-config`` /
``propeller.literal-offloading-config``, so a user can paste the sections of their Helm values.
Two podplan-only sections complete the picture: ``pod_templates`` (the cluster's PodTemplate
objects, by name) and ``execution`` (project, domain, execution name, namespace, ...).

Unknown keys are errors (:class:`podplan.errors.PlatformError`) naming the key path and the
closest valid key. Kubernetes objects inside the config (tolerations, affinity, security
contexts, DNS config) are kept in their Kubernetes JSON form (camelCase keys).
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from podplan.errors import PlatformError

__all__ = [
    "ExecutionContext",
    "K8sPluginConfig",
    "LiteralOffloadingConfig",
    "NodeConfig",
    "NodeSelectorRequirement",
    "Platform",
    "PlatformResources",
    "PluginsConfig",
    "PropellerConfig",
    "ResourceValues",
    "TaskResources",
    "Toleration",
    "check_pod_template_shape",
    "platform_error_from_validation",
]

_STRICT = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def _canonical_quantity(value: Any, where: str) -> str:
    """Parse ``value`` as a Kubernetes quantity and return its canonical string."""
    from podplan.errors import QuantityError
    from podplan.resources import Quantity

    if value is None:
        return "0"
    try:
        return str(Quantity(value))
    except QuantityError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _merge_list_of_maps(value: Any) -> Any:
    """Flyte's config loader also reads a map written as a list of one-key maps."""
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(item)
        return merged
    return value


def _coerce_string_map(value: Any) -> Any:
    """A ``map[string]string`` as Flyte's loader reads it: list-of-maps merged, scalars as strings."""
    value = _merge_list_of_maps(value)
    if value is None:
        return {}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, (int, float)):
                v = str(v)
            out[str(k)] = v
        return out
    return value


class Toleration(BaseModel):
    """A Kubernetes toleration (``key``, ``operator``, ``value``, ``effect``, ``tolerationSeconds``)."""

    model_config = _STRICT
    key: str | None = None
    operator: Literal["Equal", "Exists"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    tolerationSeconds: int | None = None

    def as_k8s(self) -> dict[str, Any]:
        """The toleration as a Kubernetes JSON dict (unset fields left out)."""
        return self.model_dump(exclude_none=True)


class NodeSelectorRequirement(BaseModel):
    """A node-selector requirement (``key``, ``operator``, ``values``)."""

    model_config = _STRICT
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]
    values: list[str] | None = None

    def as_k8s(self) -> dict[str, Any]:
        """The requirement as a Kubernetes JSON dict."""
        return self.model_dump(exclude_none=True)


class CoPilotConfig(BaseModel):
    """``plugins.k8s.co-pilot``: accepted for compatibility (CoPilot pods are out of scope)."""

    model_config = _STRICT
    name: str = "flyte-copilot-"
    image: str = "cr.flyte.org/flyteorg/flytecopilot:v0.0.15"
    default_input_path: str = Field("/var/flyte/inputs", alias="default-input-path")
    input_vol_name: str = Field("flyte-inputs", alias="input-vol-name")
    default_output_path: str = Field("/var/flyte/outputs", alias="default-output-path")
    output_vol_name: str = Field("flyte-outputs", alias="output-vol-name")
    cpu: str = "500m"
    memory: str = "128Mi"
    timeout: str = "1h"
    storage: str = ""
    start_timeout: str | None = Field(None, alias="start-timeout")


class K8sPluginConfig(BaseModel):
    """``plugins.k8s`` (Flyte's ``K8sPluginConfig``) with v1.16.8's built-in defaults."""

    model_config = _STRICT

    default_annotations: dict[str, str] = Field(
        default_factory=lambda: {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"},
        alias="default-annotations",
    )
    default_labels: dict[str, str] = Field(default_factory=dict, alias="default-labels")
    default_env_vars: dict[str, str] = Field(default_factory=dict, alias="default-env-vars")
    default_env_vars_from_env: dict[str, str] = Field(default_factory=dict, alias="default-env-vars-from-env")
    default_env_from_configmaps: list[str] = Field(default_factory=list, alias="default-env-from-configmaps")
    default_env_from_secrets: list[str] = Field(default_factory=list, alias="default-env-from-secrets")
    default_cpus: str = Field("1", alias="default-cpus")
    default_memory: str = Field("1Gi", alias="default-memory")
    default_tolerations: list[Toleration] = Field(default_factory=list, alias="default-tolerations")
    default_node_selector: dict[str, str] = Field(default_factory=dict, alias="default-node-selector")
    default_affinity: dict[str, Any] | None = Field(None, alias="default-affinity")
    scheduler_name: str = Field("", alias="scheduler-name")
    interruptible_tolerations: list[Toleration] = Field(
        default_factory=list, alias="interruptible-tolerations"
    )
    interruptible_node_selector: dict[str, str] = Field(
        default_factory=dict, alias="interruptible-node-selector"
    )
    interruptible_node_selector_requirement: NodeSelectorRequirement | None = Field(
        None, alias="interruptible-node-selector-requirement"
    )
    non_interruptible_node_selector_requirement: NodeSelectorRequirement | None = Field(
        None, alias="non-interruptible-node-selector-requirement"
    )
    resource_tolerations: dict[str, list[Toleration]] = Field(
        default_factory=dict, alias="resource-tolerations"
    )
    image_pull_policy: Literal["", "Always", "IfNotPresent", "Never"] = Field("", alias="image-pull-policy")
    gpu_resource_name: str = Field("nvidia.com/gpu", alias="gpu-resource-name")
    gpu_device_node_label: str = Field("k8s.amazonaws.com/accelerator", alias="gpu-device-node-label")
    gpu_partition_size_node_label: str = Field(
        "k8s.amazonaws.com/gpu-partition-size", alias="gpu-partition-size-node-label"
    )
    gpu_unpartitioned_node_selector_requirement: NodeSelectorRequirement | None = Field(
        None, alias="gpu-unpartitioned-node-selector-requirement"
    )
    gpu_unpartitioned_toleration: Toleration | None = Field(None, alias="gpu-unpartitioned-toleration")
    default_pod_security_context: dict[str, Any] | None = Field(None, alias="default-pod-security-context")
    default_security_context: dict[str, Any] | None = Field(None, alias="default-security-context")
    enable_host_networking_pod: bool | None = Field(None, alias="enable-host-networking-pod")
    default_pod_dns_config: dict[str, Any] | None = Field(None, alias="default-pod-dns-config")
    default_pod_template_name: str = Field("", alias="default-pod-template-name")
    default_pod_template_resync: str = Field("30s", alias="default-pod-template-resync")
    inject_finalizer: bool = Field(False, alias="inject-finalizer")
    add_tolerations_for_extended_resources: list[str] = Field(
        default_factory=list, alias="add-tolerations-for-extended-resources"
    )
    co_pilot: CoPilotConfig = Field(
        default_factory=lambda: CoPilotConfig.model_validate({}), alias="co-pilot"
    )
    # accepted, not pod-shaping (status handling)
    delete_resource_on_finalize: bool = Field(False, alias="delete-resource-on-finalize")
    create_container_error_grace_period: str = Field("3m", alias="create-container-error-grace-period")
    create_container_config_error_grace_period: str = Field(
        "0s", alias="create-container-config-error-grace-period"
    )
    image_pull_backoff_grace_period: str = Field("3m", alias="image-pull-backoff-grace-period")
    pod_pending_timeout: str = Field("0s", alias="pod-pending-timeout")
    send_object_events: bool = Field(False, alias="send-object-events")
    update_base_backoff_duration: int = Field(10, alias="update-base-backoff-duration")
    update_backoff_retries: int = Field(5, alias="update-backoff-retries")
    enable_distributed_error_aggregation: bool = Field(False, alias="enable-distributed-error-aggregation")

    @field_validator("default_cpus", "default_memory", mode="before")
    @classmethod
    def _quantity(cls, value: Any) -> str:
        return _canonical_quantity(value, "quantity")

    @field_validator(
        "default_annotations",
        "default_labels",
        "default_env_vars",
        "default_env_vars_from_env",
        "default_node_selector",
        "interruptible_node_selector",
        mode="before",
    )
    @classmethod
    def _string_map(cls, value: Any) -> Any:
        return _coerce_string_map(value)

    @field_validator("default_tolerations", "interruptible_tolerations", mode="before")
    @classmethod
    def _toleration_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("resource_tolerations", mode="before")
    @classmethod
    def _toleration_map(cls, value: Any) -> Any:
        value = _merge_list_of_maps(value)
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, dict) else v for k, v in value.items()}
        return value

    @classmethod
    def zero(cls, **keys: Any) -> K8sPluginConfig:
        """A config starting from Go zero values (as ``SetK8sPluginConfig(&K8sPluginConfig{...})``).

        ``keys`` are YAML keys (``gpu-resource-name``) or field names; every other key is empty.
        """
        base: dict[str, Any] = {
            "default-annotations": {},
            "default-cpus": "0",
            "default-memory": "0",
            "gpu-resource-name": "",
            "gpu-device-node-label": "",
            "gpu-partition-size-node-label": "",
            "default-pod-template-resync": "0s",
            "create-container-error-grace-period": "0s",
            "image-pull-backoff-grace-period": "0s",
            "update-base-backoff-duration": 0,
            "update-backoff-retries": 0,
        }
        base.update(keys)
        return cls.model_validate(base)


class PluginsConfig(BaseModel):
    """The ``plugins`` section; only ``k8s`` shapes pods."""

    model_config = _STRICT
    k8s: K8sPluginConfig = Field(default_factory=lambda: K8sPluginConfig.model_validate({}))


class ResourceValues(BaseModel):
    """Admin ``task_resources`` values: ``cpu``, ``gpu``, ``memory``, ``ephemeralStorage``."""

    model_config = _STRICT
    cpu: str = "0"
    gpu: str = "0"
    memory: str = "0"
    ephemeralStorage: str = "0"

    @field_validator("cpu", "gpu", "memory", "ephemeralStorage", mode="before")
    @classmethod
    def _quantity(cls, value: Any) -> str:
        return _canonical_quantity(value, "quantity")


class TaskResources(BaseModel):
    """flyteadmin ``task_resources``: platform defaults (requests) and ceilings (limits)."""

    model_config = _STRICT
    defaults: ResourceValues = Field(
        default_factory=lambda: ResourceValues.model_validate({"cpu": "2", "memory": "200Mi"})
    )
    limits: ResourceValues = Field(
        default_factory=lambda: ResourceValues.model_validate({"cpu": "2", "memory": "1Gi", "gpu": "1"})
    )


class PlatformResources(BaseModel):
    """Explicit propeller platform resources (Kubernetes resource names), as in Go unit tests.

    When given, they replace the maps derived from ``task_resources`` and the admin step is
    skipped; ``{}`` means "empty platform": the k8s config ``default-cpus``/``default-memory``
    apply and nothing is clamped (spec §2.5).
    """

    model_config = _STRICT
    requests: dict[str, str] = Field(default_factory=dict)
    limits: dict[str, str] = Field(default_factory=dict)

    @field_validator("requests", "limits", mode="before")
    @classmethod
    def _quantities(cls, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of resource name to quantity")
        return {str(k): _canonical_quantity(v, str(k)) for k, v in value.items()}


class NodeConfig(BaseModel):
    """``propeller.node-config``: the interruptible demotion settings."""

    model_config = _STRICT
    interruptible_failure_threshold: int = Field(-1, alias="interruptible-failure-threshold")
    max_node_retries_system_failures: int = Field(3, alias="max-node-retries-system-failures")
    default_max_attempts: int = Field(1, alias="default-max-attempts")
    ignore_retry_cause: bool = Field(False, alias="ignore-retry-cause")
    default_deadlines: dict[str, Any] = Field(default_factory=dict, alias="default-deadlines")
    enable_cr_debug_metadata: bool = Field(False, alias="enable-cr-debug-metadata")


class LiteralOffloadingConfig(BaseModel):
    """``propeller.literal-offloading-config``: adds ``_F_L_*`` env vars when enabled."""

    model_config = _STRICT
    enabled: bool = False
    min_size_in_mb_for_offloading: int = Field(10, alias="min-size-in-mb-for-offloading")
    max_size_in_mb_for_offloading: int = Field(1000, alias="max-size-in-mb-for-offloading")
    supported_sdk_versions: dict[str, str] = Field(default_factory=dict, alias="supported-sdk-versions")


class PropellerConfig(BaseModel):
    """The pod-relevant part of the ``propeller`` section."""

    model_config = _STRICT
    node_config: NodeConfig = Field(
        default_factory=lambda: NodeConfig.model_validate({}), alias="node-config"
    )
    literal_offloading_config: LiteralOffloadingConfig = Field(
        default_factory=lambda: LiteralOffloadingConfig.model_validate({}), alias="literal-offloading-config"
    )


class ExecutionContext(BaseModel):
    """Who runs the task: the execution whose pod is previewed (podplan's own section)."""

    model_config = _STRICT
    project: str = "flytesnacks"
    domain: str = "development"
    name: str = "preview"
    namespace: str | None = None  # default: "<project>-<domain>" (Flyte's namespace mapping)
    service_account: str = "default"
    workflow: str | None = None  # default: ".flytegen.<task name>" (single-task execution)
    node_id: str = "n0"
    task_version: str | None = None  # default: the template's version
    console_url: str = ""
    envs: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    interruptible: bool | None = None  # execution-level override (ExecutionConfig.Interruptible)
    workflow_interruptible: bool = False  # NodeDefaults.Interruptible (workflow metadata defaults)
    raw_output_prefix: str = "s3://my-s3-bucket/data"
    metadata_prefix: str = "s3://my-s3-bucket/metadata"
    pod_namespace: str = "flyte"  # propeller's own namespace (env POD_NAMESPACE)
    environment_from_env: dict[str, str] = Field(default_factory=dict)  # propeller's process env

    @property
    def effective_namespace(self) -> str:
        """The execution namespace: ``namespace`` or ``<project>-<domain>``."""
        return self.namespace or f"{self.project}-{self.domain}"


class Platform(BaseModel):
    """A Flyte backend configuration, as far as it shapes a task's Pod (see the module doc).

    ``Platform()`` is a stock Flyte v1.16.8 deployment: built-in ``plugins.k8s`` defaults and
    admin's built-in ``task_resources`` applied as in production.
    """

    model_config = _STRICT
    plugins: PluginsConfig = Field(default_factory=lambda: PluginsConfig.model_validate({}))
    task_resources: TaskResources | None = Field(default_factory=lambda: TaskResources.model_validate({}))
    platform_resources: PlatformResources | None = None
    propeller: PropellerConfig = Field(default_factory=lambda: PropellerConfig.model_validate({}))
    pod_templates: dict[str, dict[str, Any]] = Field(default_factory=dict)
    execution: ExecutionContext = Field(default_factory=lambda: ExecutionContext.model_validate({}))

    @field_validator("pod_templates", mode="before")
    @classmethod
    def _templates(cls, value: Any) -> dict[str, dict[str, Any]]:
        if value is None:
            return {}
        if isinstance(value, list):  # a list of PodTemplate objects, keyed by metadata.name
            out: dict[str, dict[str, Any]] = {}
            for i, item in enumerate(value):
                name = ((item or {}).get("metadata") or {}).get("name") if isinstance(item, dict) else None
                if not name:
                    raise ValueError(f"pod_templates[{i}] has no metadata.name")
                out[str(name)] = item
            return out
        if not isinstance(value, dict):
            raise ValueError("expected a mapping of PodTemplate name to PodTemplate object")
        for name, item in value.items():
            if not isinstance(item, dict):
                raise ValueError(f"pod_templates.{name} must be a PodTemplate object")
            kind = item.get("kind", "PodTemplate")
            if kind != "PodTemplate":
                raise ValueError(f"pod_templates.{name}: kind is {kind!r}, expected 'PodTemplate'")
            check_pod_template_shape(str(name), item)
        return value

    # -- convenience ---------------------------------------------------------------------
    @property
    def k8s(self) -> K8sPluginConfig:
        """Shortcut for ``plugins.k8s``."""
        return self.plugins.k8s

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, *, source: str = "platform") -> Platform:
        """Validate a platform mapping (our schema); errors become :class:`PlatformError`."""
        try:
            return cls.model_validate(data or {})
        except ValidationError as exc:
            raise platform_error_from_validation(exc, cls, source) from None

    @classmethod
    def for_go_tests(
        cls,
        k8s: dict[str, Any] | None = None,
        *,
        base: Literal["zero", "defaults"] = "zero",
        platform_resources: dict[str, Any] | None = None,
        **sections: Any,
    ) -> Platform:
        """A platform as the backend's Go unit tests set it up (spec §8 ``config.base``).

        ``base="zero"`` starts ``plugins.k8s`` from Go zero values; ``"defaults"`` from the
        built-in defaults. Platform resources default to the empty object (k8s config defaults
        apply, nothing is clamped).
        """
        keys = dict(k8s or {})
        try:
            k8s_cfg = K8sPluginConfig.zero(**keys) if base == "zero" else K8sPluginConfig.model_validate(keys)
        except ValidationError as exc:
            raise platform_error_from_validation(exc, cls, "plugins.k8s", prefix=("plugins", "k8s")) from None
        data: dict[str, Any] = {
            "plugins": {"k8s": k8s_cfg},
            "platform_resources": platform_resources or {},
            **sections,
        }
        return cls.from_dict(data)

    def json_schema(self) -> dict[str, Any]:  # pragma: no cover - see platform_schema()
        """The JSON Schema of the platform file."""
        return platform_schema()


def check_pod_template_shape(name: str, item: dict[str, Any]) -> None:
    """The parts of a PodTemplate the builder reads must have the right JSON types."""
    where = f"pod_templates.{name}"
    tpl = item.get("template")
    if tpl is None:
        return
    if not isinstance(tpl, dict):
        raise ValueError(f"{where}.template must be a mapping (metadata, spec), got {type(tpl).__name__}")
    for key in ("metadata", "spec"):
        if tpl.get(key) is not None and not isinstance(tpl[key], dict):
            raise ValueError(f"{where}.template.{key} must be a mapping, got {type(tpl[key]).__name__}")
    meta = tpl.get("metadata") or {}
    for key in ("labels", "annotations"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise ValueError(f"{where}.template.metadata.{key} must be a mapping of strings")
    spec = tpl.get("spec") or {}
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(c, dict) for c in items):
            raise ValueError(f"{where}.template.spec.{key} must be a list of container objects")
        for i, c in enumerate(items):
            res = c.get("resources")
            if res is not None and not isinstance(res, dict):
                raise ValueError(f"{where}.template.spec.{key}[{i}].resources must be a mapping")


def platform_schema() -> dict[str, Any]:
    """The JSON Schema of the platform file (by alias: Flyte's YAML keys)."""
    schema = Platform.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "podplan platform"
    return schema


# -- errors ------------------------------------------------------------------------------------


def _known_keys(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """The valid keys at ``path`` inside ``model`` (best effort, for near-miss suggestions)."""
    current: Any = model
    for part in path:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = None
        for name, info in current.model_fields.items():
            if part in (name, info.alias):
                field = info
                break
        if field is None:
            return []
        current = _model_of(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _model_of(annotation: Any) -> Any:
    """The BaseModel class inside an annotation like ``X | None`` or ``list[X]`` (else None)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def platform_error_from_validation(
    exc: ValidationError, model: type[BaseModel], source: str, prefix: tuple[Any, ...] = ()
) -> PlatformError:
    """Convert a pydantic error into a :class:`PlatformError` naming each key path."""
    lines: list[str] = []
    for err in exc.errors():
        loc = tuple(prefix) + tuple(err.get("loc", ()))
        path = ".".join(str(p) for p in loc) or "<root>"
        if err.get("type") == "extra_forbidden" and loc:
            key = str(loc[-1])
            known = _known_keys(model, tuple(p for p in loc[:-1] if not isinstance(p, int)))
            hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            msg = f"{path}: unknown key {key!r}"
            if hint:
                msg += f" (did you mean {hint[0]!r}?)"
            elif known:
                msg += f"; valid keys here: {', '.join(sorted(known))}"
        else:
            text = str(err.get("msg", "invalid value"))
            text = text.removeprefix("Value error, ")
            value = err.get("input")
            shown = "" if isinstance(value, (dict, list)) else f" (got {value!r})"
            msg = f"{path}: {text}{shown}"
        lines.append(msg)
    return PlatformError(f"invalid platform configuration in {source}: " + "; ".join(lines))
