"""Object metadata of the pod (spec §1.1 steps 4-6, §1.4 step 15): name, labels, annotations.

Precedence (lowest → highest): ``plugins.k8s`` defaults < the pod's own (base template < task
K8sPod < node override) < ``TaskMetadata.metadata`` < execution (CR labels, node labels, secrets).

Secret annotations use Flyte's key ``flyte.secrets/s<N>``; the value is the Flyte-alphabet base32
of the secret's protobuf text form. Go's text marshaller is deliberately unstable in whitespace,
so the value is representative, not byte-exact.
"""

from __future__ import annotations

import base64
from typing import Any

from podplan.podspec.envs import fnv32a, sanitize_label_value
from podplan.podspec.provenance import Provenance

__all__ = ["object_metadata", "secret_annotations"]

_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_FLYTE = "abcdefghijklmnopqrstuvwxyz123456"
_TRANS = str.maketrans(_STD, _FLYTE)
SHARD_KEYSPACE = 32


def secret_annotations(secrets: Any) -> dict[str, str]:
    """``flyte.secrets/s<N>`` annotations for the task's secret requests."""
    out: dict[str, str] = {}
    for index, s in enumerate(secrets):
        parts = []
        if s.group:
            parts.append(f'group:"{s.group}"')
        if s.group_version:
            parts.append(f'group_version:"{s.group_version}"')
        if s.key:
            parts.append(f'key:"{s.key}"')
        if s.mount_requirement:
            parts.append(
                f"mount_requirement:{s.DESCRIPTOR.fields_by_name['mount_requirement'].enum_type.values_by_number[s.mount_requirement].name}"
            )
        text = " ".join(parts)
        encoded = base64.b32encode(text.encode()).decode().rstrip("=").translate(_TRANS)
        out[f"flyte.secrets/s{index}"] = encoded
    return out


_EXEC_CACHE: dict[tuple[int, str, str, bool], tuple[Any, dict[str, str]]] = {}


def _execution_labels(ex: Any, workflow: str, task_name: str, interruptible: bool) -> dict[str, str]:
    """CR labels + node labels (``execution-id`` … ``interruptible``), cached per execution context."""
    key = (id(ex), workflow, task_name, interruptible)
    hit = _EXEC_CACHE.get(key)
    if hit is not None and hit[0] is ex:
        return hit[1]
    labels = {
        "execution-id": ex.name,
        "project": ex.project,
        "domain": ex.domain,
        "workflow-name": sanitize_label_value(workflow),
        "shard-key": str(fnv32a(ex.name) % SHARD_KEYSPACE),
        **ex.labels,
        "node-id": sanitize_label_value(ex.node_id),
        "task-name": sanitize_label_value(task_name),
        "interruptible": "true" if interruptible else "false",
    }
    if len(_EXEC_CACHE) > 1024:
        _EXEC_CACHE.clear()
    _EXEC_CACHE[key] = (ex, labels)
    return labels


def object_metadata(
    *,
    pod_meta: dict[str, Any],
    template: Any,
    platform: Any,
    name: str,
    workflow: str,
    interruptible: bool,
    prov: Provenance,
) -> dict[str, Any]:
    """Build ``metadata`` (name, namespace, labels, annotations, finalizers) of the pod."""
    cfg = platform.plugins.k8s
    ex = platform.execution
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}

    explain = prov.enabled

    def put(target: dict[str, str], kind: str, values: Any, source: str) -> None:
        target.update(values)
        if explain:
            for k in values:
                prov.set(f"metadata.{kind}.{k}", source)

    put(labels, "labels", cfg.default_labels, "platform config (default-labels)")
    put(annotations, "annotations", cfg.default_annotations, "platform config (default-annotations)")
    label_src = pod_meta.get("_label_sources") or {}
    ann_src = pod_meta.get("_annotation_sources") or {}
    own_labels = pod_meta.get("labels") or {}
    own_annotations = pod_meta.get("annotations") or {}
    labels.update(own_labels)
    annotations.update(own_annotations)
    if explain:
        for k in own_labels:
            prov.set(f"metadata.labels.{k}", label_src.get(k, "task"))
        for k in own_annotations:
            prov.set(f"metadata.annotations.{k}", ann_src.get(k, "task"))
    if template.metadata.HasField("metadata"):
        put(labels, "labels", template.metadata.metadata.labels, "task (metadata labels)")
        put(annotations, "annotations", template.metadata.metadata.annotations, "task (metadata annotations)")
    execution_labels = _execution_labels(ex, workflow, template.id.name, interruptible)
    put(labels, "labels", execution_labels, "execution")
    if explain:
        prov.set("metadata.labels.interruptible", "interruptible rule (node label)")
    put(annotations, "annotations", ex.annotations, "execution")
    secrets = template.security_context.secrets if template.HasField("security_context") else ()
    if secrets:
        put(annotations, "annotations", secret_annotations(secrets), "task (secret requests)")
        put(labels, "labels", {"inject-flyte-secrets": "true"}, "task (secret requests)")
    identity = (
        template.security_context.run_as.execution_identity if template.HasField("security_context") else ""
    )
    if identity:
        put(labels, "labels", {"execution-identity": sanitize_label_value(identity)}, "task (run_as)")
    meta: dict[str, Any] = {"name": name, "namespace": ex.effective_namespace}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    if cfg.inject_finalizer:
        meta["finalizers"] = ["flyte.org/finalizer-k8s"]
    return meta
