"""Where the pod spec comes from (spec §1.2 steps 7-8): container, K8sPod, sidecar, node override.

Protobuf ``Struct`` values are converted to plain Kubernetes JSON with integral numbers as ints.
Deterministic choice: a ``Struct``'s keys are taken in sorted order (protobuf's map order differs
from one process to the next, so ``--output json`` of a pod task would too).
Deterministic choice: a container-target task whose generated name is not a DNS-1123 label gets
the container name ``primary`` (the backend picks 4 random characters).
"""

from __future__ import annotations

import re
from typing import Any

from podplan.errors import PodBuildError

__all__ = ["ContainerSource", "build_raw_pod", "struct_to_dict"]

PRIMARY_KEY = "primary_container_name"
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def is_dns1123_label(name: str) -> bool:
    """Whether ``name`` is a valid DNS-1123 label (Kubernetes container names)."""
    return len(name) <= 63 and bool(_DNS1123_LABEL.match(name))


def _value(v: Any) -> Any:
    kind = v.WhichOneof("kind")
    if kind == "struct_value":
        return struct_to_dict(v.struct_value)
    if kind == "list_value":
        return [_value(x) for x in v.list_value.values]
    if kind == "number_value":
        n = v.number_value
        return int(n) if n.is_integer() else n
    if kind == "string_value":
        return v.string_value
    if kind == "bool_value":
        return v.bool_value
    return None


def struct_to_dict(struct: Any) -> dict[str, Any]:
    """A protobuf ``Struct`` as a plain dict (integral numbers become ints; keys sorted)."""
    fields = struct.fields
    return {k: _value(fields[k]) for k in sorted(fields)}


class ContainerSource:
    """The raw pod: spec, metadata, primary container name, and whether it is a container target."""

    __slots__ = ("container_target", "meta", "primary", "spec")

    def __init__(self, spec: dict[str, Any], meta: dict[str, Any], primary: str, container_target: bool):
        self.spec = spec
        self.meta = meta
        self.primary = primary
        self.container_target = container_target


def _raw_container(
    template: Any, generated_name: str, cfg: Any, resources: Any, container_name: str | None
) -> dict[str, Any]:
    c = template.container
    name = container_name
    if name is None:
        name = generated_name if is_dns1123_label(generated_name) else "primary"
    container: dict[str, Any] = {"name": name, "image": c.image}
    if c.command:
        container["command"] = list(c.command)
    if c.args:
        container["args"] = list(c.args)
    if c.env:
        container["env"] = [{"name": kv.key, "value": kv.value} for kv in c.env]
    container["resources"] = {"requests": resources[0], "limits": resources[1]}
    container["terminationMessagePolicy"] = "FallbackToLogsOnError"
    if cfg.image_pull_policy:
        container["imagePullPolicy"] = cfg.image_pull_policy
    return container


def _labels_annotations(meta_pb: Any, meta: dict[str, Any]) -> None:
    if meta_pb is None:
        return
    if meta_pb.labels:
        meta.setdefault("labels", {}).update(dict(meta_pb.labels))
    if meta_pb.annotations:
        meta.setdefault("annotations", {}).update(dict(meta_pb.annotations))


def _primary_from_config(template: Any, *, sidecar_v1: bool = False) -> str:
    """``config["primary_container_name"]`` with the backend's error texts when it is missing."""
    config = dict(template.config)
    if sidecar_v1 and not config:
        raise PodBuildError(
            f"invalid TaskSpecification, config needs to be non-empty and include missing [{PRIMARY_KEY}] key"
        )
    if PRIMARY_KEY not in config:
        shown = " ".join(f"{k}:{v}" for k, v in sorted(config.items()))
        raise PodBuildError(
            f"invalid TaskSpecification, config missing [{PRIMARY_KEY}] key in [map[{shown}]]"
        )
    return str(config[PRIMARY_KEY])


def build_raw_pod(
    template: Any,
    overrides: Any,
    generated_name: str,
    cfg: Any,
    container_resources: Any,
    container_name: str | None = None,
) -> ContainerSource:
    """``BuildRawPod`` (+ the sidecar plugin's sources) with the node pod-template override.

    ``container_name`` is the container-target name when already known (else derived from
    ``generated_name``).
    """
    meta: dict[str, Any] = {}
    target = template.WhichOneof("target")
    task_type = template.type
    container_target = False
    if task_type == "sidecar" and template.task_type_version == 0 and template.HasField("custom"):
        job = struct_to_dict(template.custom)
        spec = job.get("podSpec") or {}
        primary = job.get("primaryContainerName") or ""
        if job.get("labels"):
            meta["labels"] = dict(job["labels"])
        if job.get("annotations"):
            meta["annotations"] = dict(job["annotations"])
    elif task_type == "sidecar" and template.task_type_version == 1 and template.HasField("custom"):
        spec = struct_to_dict(template.custom)
        primary = _primary_from_config(template, sidecar_v1=True)
        if target == "k8s_pod" and template.k8s_pod.HasField("metadata"):
            _labels_annotations(template.k8s_pod.metadata, meta)
    elif target == "container":
        c = _raw_container(template, generated_name, cfg, container_resources, container_name)
        spec = {"containers": [c]}
        primary = c["name"]
        container_target = True
    elif target == "k8s_pod" or (task_type == "sidecar" and template.task_type_version >= 2):
        if target != "k8s_pod" or not template.k8s_pod.HasField("pod_spec"):
            raise PodBuildError(
                "Pod tasks with task type version > 1 should specify their target as a K8sPod with a "
                "defined pod spec"
            )
        spec = struct_to_dict(template.k8s_pod.pod_spec)
        primary = _primary_from_config(template)
        if template.k8s_pod.HasField("metadata"):
            _labels_annotations(template.k8s_pod.metadata, meta)
    else:
        raise PodBuildError("invalid TaskSpecification, unable to determine Pod configuration")
    if (
        overrides is not None
        and overrides.HasField("pod_template")
        and overrides.pod_template.HasField("pod_spec")
    ):
        pt = overrides.pod_template
        spec = struct_to_dict(pt.pod_spec)
        if pt.HasField("metadata"):
            _labels_annotations(pt.metadata, meta)
        primary = pt.primary_container_name or primary
        container_target = False  # the task's container is discarded (spec §9.15)
    return ContainerSource(spec, meta, primary, container_target)
