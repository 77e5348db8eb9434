"""``PodTemplate`` and its serialization into a ``K8sPod`` (flytekit spec §2.4, minus its bugs).

The pod spec may be a ``kubernetes.client.V1PodSpec`` or a plain dict in Kubernetes' JSON form
(camelCase keys, as ``kubectl get -o json`` prints). The template is validated at construction
(container names, resource quantities) and never mutated: serialization works on a fresh dict.
Deviations from flytekit (documented in docs/tasks.md): resource values — numbers included —
become canonical quantity strings (flytekit writes numbers that the backend rejects).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from podplan.errors import PodplanError, PodTemplateError
from podplan.tasks.validation import check_annotations, check_labels

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2

    from podplan.tasks.settings import ImageConfig

#: flytekit's ``PRIMARY_CONTAINER_DEFAULT_NAME``
PRIMARY_CONTAINER_DEFAULT_NAME = "primary"

#: IDL resource name → Kubernetes key in a pod-template resource dict (flytekit's mapping)
IDL_RESOURCE_KEYS = {1: "cpu", 2: "gpu", 3: "memory", 4: "storage", 5: "ephemeral-storage"}


def sanitize(obj: Any) -> Any:
    """Kubernetes model objects → JSON-compatible data with camelCase keys; ``None`` dropped.

    A fresh structure is always returned (the input is never shared or changed).
    """
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [sanitize(v) for v in obj]
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {str(k): sanitize(v) for k, v in obj.items() if v is not None}
    types = getattr(obj, "openapi_types", None)
    attr_map = getattr(obj, "attribute_map", None)
    if isinstance(types, Mapping) and isinstance(attr_map, Mapping):
        out = {}
        for attr in types:
            value = getattr(obj, attr, None)
            if value is not None:
                out[attr_map[attr]] = sanitize(value)
        return out
    raise PodTemplateError(f"pod_spec: {type(obj).__name__} {obj!r} is not serializable")


def _canonical_resources(resources: Any, where: str) -> dict[str, dict[str, str]]:
    from podplan.resources import Quantity

    if not isinstance(resources, Mapping):
        raise PodTemplateError(f"{where}: expected a mapping of limits/requests, got {resources!r}")
    out: dict[str, dict[str, str]] = {}
    for side, values in resources.items():
        if side not in ("limits", "requests", "claims"):
            raise PodTemplateError(f"{where}: unknown key {side!r}; expected limits, requests or claims")
        if side == "claims":
            out[side] = values
            continue
        if not isinstance(values, Mapping):
            raise PodTemplateError(f"{where}.{side}: expected a mapping of resource name to quantity")
        canon = {}
        for name, value in values.items():
            try:
                canon[str(name)] = str(Quantity(value))
            except PodplanError as exc:
                raise PodTemplateError(f"{where}.{side}[{name!r}]={value!r} is invalid: {exc}") from exc
        out[side] = canon
    return out


def _check_spec(spec: dict[str, Any]) -> None:
    containers = spec.get("containers", [])
    if not isinstance(containers, list):
        raise PodTemplateError(f"pod_spec.containers must be a list, got {containers!r}")
    for key in ("containers", "initContainers"):
        for i, c in enumerate(spec.get(key) or []):
            where = f"pod_spec.{key}[{i}]"
            if not isinstance(c, Mapping):
                raise PodTemplateError(f"{where} must be a container mapping, got {c!r}")
            if "resources" in c and c["resources"] is not None:
                _canonical_resources(c["resources"], f"{where}.resources")


@dataclasses.dataclass(frozen=True, eq=False)
class PodTemplate:
    """A pod template for a task: ``pod_spec`` (``V1PodSpec`` or dict), the primary container's
    name, and labels/annotations for the pod. Equal when their serialized forms are equal."""

    pod_spec: Any = None
    primary_container_name: str = PRIMARY_CONTAINER_DEFAULT_NAME
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if not self.primary_container_name or not isinstance(self.primary_container_name, str):
            raise PodTemplateError(
                "A primary container name cannot be undefined "
                f"(primary_container_name={self.primary_container_name!r})"
            )
        object.__setattr__(self, "labels", check_labels(self.labels, "PodTemplate.labels"))
        object.__setattr__(
            self, "annotations", check_annotations(self.annotations, "PodTemplate.annotations")
        )
        spec = self.pod_spec
        if spec is not None and not isinstance(spec, Mapping) and not hasattr(spec, "openapi_types"):
            raise PodTemplateError(f"pod_spec={spec!r} is invalid: expected a kubernetes V1PodSpec or a dict")
        _check_spec(self.spec_dict())

    def spec_dict(self) -> dict[str, Any]:
        """A fresh JSON-form copy of the pod spec (``{"containers": []}`` when none)."""
        if self.pod_spec is None:
            return {"containers": []}
        spec = sanitize(copy.deepcopy(self.pod_spec) if isinstance(self.pod_spec, Mapping) else self.pod_spec)
        spec.setdefault("containers", [])
        return spec

    def _key(self) -> str:
        return json.dumps(
            [self.spec_dict(), self.primary_container_name, self.labels, self.annotations],
            sort_keys=True,
            default=str,
        )

    def version_hash(self) -> str:
        """SHA-256 of the template's serialized form (independent of dict key order)."""
        return hashlib.sha256(self._key().encode()).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PodTemplate):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def serialize_pod_spec(
    template: PodTemplate, container: tasks_pb2.Container, image_config: ImageConfig
) -> dict[str, Any]:
    """The pod spec of a task with a pod template (flytekit's algorithm, spec §2.4).

    The primary container (appended when missing) gets the task's image unless the template sets
    one, the task's command and args, the task's env followed by the template's, and — when the
    task has any resources — the task's resources in place of the template's.
    """
    from podplan.tasks.settings import get_registerable_container_image

    spec = template.spec_dict()
    containers = spec["containers"]
    primary = template.primary_container_name
    if not any(c.get("name") == primary for c in containers):
        containers.append({"name": primary})
    for c in containers:
        if c.get("name") == primary:
            image = c.get("image")
            c["image"] = get_registerable_container_image(image, image_config) if image else container.image
            c["command"] = list(container.command)
            c["args"] = list(container.args)
            limits = {IDL_RESOURCE_KEYS[e.name]: e.value for e in container.resources.limits}
            requests = {IDL_RESOURCE_KEYS[e.name]: e.value for e in container.resources.requests}
            if limits or requests:
                c["resources"] = {"limits": limits, "requests": requests}
            elif c.get("resources") is not None:
                c["resources"] = _canonical_resources(c["resources"], "primary.resources")
            c["env"] = [{"name": kv.key, "value": kv.value} for kv in container.env] + list(
                c.get("env") or []
            )
        else:
            c["image"] = get_registerable_container_image(c.get("image"), image_config)
            if c.get("resources") is not None:
                c["resources"] = _canonical_resources(c["resources"], f"container {c.get('name')!r}")
    for c in spec.get("initContainers") or []:
        if c.get("resources") is not None:
            c["resources"] = _canonical_resources(c["resources"], f"init container {c.get('name')!r}")
    return spec


def k8s_pod_from_template(
    template: PodTemplate,
    container: tasks_pb2.Container,
    image_config: ImageConfig,
    *,
    with_name: bool,
) -> tasks_pb2.K8sPod:
    """The flyteidl ``K8sPod``; ``with_name`` sets ``primary_container_name`` (node overrides)."""
    from flyteidl.core import tasks_pb2
    from google.protobuf import struct_pb2

    pod_spec = struct_pb2.Struct()
    pod_spec.update(serialize_pod_spec(template, container, image_config))
    pb = tasks_pb2.K8sPod(
        metadata=tasks_pb2.K8sObjectMetadata(
            labels=template.labels or {}, annotations=template.annotations or {}
        ),
        pod_spec=pod_spec,
    )
    if with_name:
        pb.primary_container_name = template.primary_container_name
    return pb
