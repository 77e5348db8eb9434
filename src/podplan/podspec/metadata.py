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

from podplan.podspec.envs import flytegen_labels, sanitize_label_value
from podplan.podspec.plan import PlatformPlan
from podplan.podspec.provenance import Provenance

__all__ = ["object_metadata", "secret_annotations"]

_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_FLYTE = "abcdefghijklmnopqrstuvwxyz123456"
_TRANS = str.maketrans(_STD, _FLYTE)


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


def _execution_labels(
    plan: PlatformPlan, workflow: str, task_name: str, interruptible: bool
) -> dict[str, str]:
    """CR labels + node labels (``execution-id`` … ``interruptible``)."""
    ex = plan.ex
    if ex.workflow:
        workflow_label, task_label = sanitize_label_value(workflow), sanitize_label_value(task_name)
    else:  # the single-task workflow .flytegen.<task name>
        workflow_label, task_label = flytegen_labels(task_name)
    return {
        "execution-id": ex.name,
        "project": ex.project,
        "domain": ex.domain,
        "workflow-name": workflow_label,
        "shard-key": plan.shard_key,
        **ex.labels,
        "node-id": plan.node_label,
        "task-name": task_label,
        "interruptible": "true" if interruptible else "false",
    }


def object_metadata(
    pod_meta: dict[str, Any],
    security_context: Any,
    plan: PlatformPlan,
    name: str,
    workflow: str,
    interruptible: bool,
    prov: Provenance,
    md: Any,
    task_name: str,
) -> dict[str, Any]:
    """Build ``metadata`` (name, namespace, labels, annotations, finalizers) of the pod.

    ``security_context`` (or None), ``md`` and ``task_name`` are the template's ``security_context``,
    ``metadata`` and ``id.name``.
    """
    cfg = plan.cfg
    explain = prov.enabled
    # each step updates the maps in precedence order; with --explain it records the source too
    labels: dict[str, str] = dict(cfg.default_labels)
    annotations: dict[str, str] = dict(cfg.default_annotations)
    if explain:
        _record(prov, "labels", labels, "platform config (default-labels)")
        _record(prov, "annotations", annotations, "platform config (default-annotations)")
    own_labels = pod_meta.get("labels")
    if own_labels:
        labels.update(own_labels)
    own_annotations = pod_meta.get("annotations")
    if own_annotations:
        annotations.update(own_annotations)
    if explain:
        label_src = pod_meta.get("_label_sources") or {}
        ann_src = pod_meta.get("_annotation_sources") or {}
        for k in own_labels or ():
            prov.set(f"metadata.labels.{k}", label_src.get(k, "task"))
        for k in own_annotations or ():
            prov.set(f"metadata.annotations.{k}", ann_src.get(k, "task"))
    # K8sObjectMetadata holds only labels and annotations: an empty one reads nothing
    if md.HasField("metadata") and md.metadata.ByteSize():
        task_meta = md.metadata
        task_labels, task_annotations = task_meta.labels, task_meta.annotations
        if task_labels:
            labels.update(task_labels)
        if task_annotations:
            annotations.update(task_annotations)
        if explain:
            _record(prov, "labels", task_labels, "task (metadata labels)")
            _record(prov, "annotations", task_annotations, "task (metadata annotations)")
    execution_labels = _execution_labels(plan, workflow, task_name, interruptible)
    if labels:
        labels.update(execution_labels)
    else:  # the same map (a fresh one)
        labels = execution_labels
    ex_annotations = plan.ex.annotations
    if ex_annotations:
        annotations.update(ex_annotations)
    if explain:
        _record(prov, "labels", execution_labels, "execution")
        prov.set("metadata.labels.interruptible", "interruptible rule (node label)")
        _record(prov, "annotations", ex_annotations, "execution")
    sc = security_context
    if sc is not None:
        if sc.secrets:
            secret_values = secret_annotations(sc.secrets)
            annotations.update(secret_values)
            labels["inject-flyte-secrets"] = "true"
            if explain:
                _record(prov, "annotations", secret_values, "task (secret requests)")
                prov.set("metadata.labels.inject-flyte-secrets", "task (secret requests)")
        identity = sc.run_as.execution_identity
        if identity:
            labels["execution-identity"] = sanitize_label_value(identity)
            if explain:
                prov.set("metadata.labels.execution-identity", "task (run_as)")
    meta: dict[str, Any] = {"name": name, "namespace": plan.namespace}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    if cfg.inject_finalizer:
        meta["finalizers"] = ["flyte.org/finalizer-k8s"]
    return meta


def _record(prov: Provenance, kind: str, values: Any, source: str) -> None:
    for k in values:
        prov.set(f"metadata.{kind}.{k}", source)
