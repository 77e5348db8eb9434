"""``--explain``: the previewed pod with the origin of every resource value, selector, toleration,
affinity requirement, volume, label and annotation.

Sources: ``task``, ``override``, ``platform default``, ``platform clamp (limit X)``, ``platform
config (<key>)``, ``base template (<name>)``, ``accelerator rule``, ``shared-memory rule``,
``interruptible rule``, ``execution``. For container tasks the task's own values pass through
flyteadmin first, so a container value marked ``task`` shows admin's reason when admin changed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from podplan.podspec.provenance import requirement_key, toleration_key

__all__ = ["Explanation", "explain_pod"]


@dataclass
class Explanation:
    """A built pod (Kubernetes JSON), its provenance rows and the admission problems."""

    pod: dict[str, Any]
    rows: list[tuple[str, str, str]]  # (section, item, "value  ← source")
    interruptible: bool
    interruptible_reason: str
    notes: list[str] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)

    def source_of(self, item: str) -> str | None:
        """The source recorded for an item (e.g. ``"containers[x].limits.cpu"``), or None."""
        for _section, name, text in self.rows:
            if name == item:
                return text.split("<-", 1)[-1].strip()
        return None

    def render(self) -> str:
        """A plain-text report (also valid as YAML comments when each line is prefixed by ``# ``)."""
        meta = self.pod.get("metadata", {})
        lines = [
            f"pod {meta.get('name')} in namespace {meta.get('namespace')}: "
            f"interruptible={str(self.interruptible).lower()} ({self.interruptible_reason})"
        ]
        section = None
        width = max((len(r[1]) for r in self.rows), default=0)
        for sec, item, text in self.rows:
            if sec != section:
                lines.append(f"{sec}:")
                section = sec
            lines.append(f"  {item.ljust(width)}  {text}")
        lines.extend(f"note: {n}" for n in self.notes)
        lines.extend(f"admission: {p}" for p in self.problems)
        return "\n".join(lines) + "\n"


def _resource_rows(pod: dict[str, Any], prov: Any, primary: str) -> list[tuple[str, str, str]]:
    rows = []
    spec = pod.get("spec", {})
    for kind in ("initContainers", "containers"):
        for c in spec.get(kind) or []:
            name = c.get("name")
            res = c.get("resources") or {}
            for side in ("requests", "limits"):
                for rname, value in (res.get(side) or {}).items():
                    path = f"spec.{kind}[{name}].resources.{side}.{rname}"
                    src = prov.get(path) or "base template (merged container fields)"
                    if src == "task" and name == primary:
                        src = prov.get(f"admin.resources.{side}.{rname}") or src
                    rows.append(("resources", f"{kind}[{name}].{side}.{rname}", f"{value}  <- {src}"))
    return rows


def explain_pod(
    task_or_node: Any, platform: Any = None, *, interruptible: bool | None = None, attempt: int = 0
) -> Explanation:
    """Build the pod and explain where each scheduling-relevant value came from."""
    from podplan.podspec.admission import validate_pod
    from podplan.podspec.api import build_result
    from podplan.podspec.render import pod_to_k8s_json

    result = build_result(task_or_node, platform, interruptible=interruptible, attempt=attempt, explain=True)
    pod = pod_to_k8s_json(result.pod)
    prov = result.provenance
    rows = _resource_rows(pod, prov, result.primary)
    spec = pod.get("spec", {})
    for key, value in (spec.get("nodeSelector") or {}).items():
        rows.append(("nodeSelector", key, f"{value}  <- {prov.get(f'spec.nodeSelector.{key}') or 'task'}"))
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for i, term in enumerate(required.get("nodeSelectorTerms") or []):
        for r in term.get("matchExpressions") or []:
            key = requirement_key(r)
            text = key[len("spec.affinity.required[") : -1]
            rows.append(("affinity (required)", f"term {i}: {text}", f"<- {prov.get(key) or 'task'}"))
    for t in spec.get("tolerations") or []:
        key = toleration_key(t)
        rows.append(("tolerations", key[len("spec.tolerations[") : -1], f"<- {prov.get(key) or 'task'}"))
    for v in spec.get("volumes") or []:
        name = v.get("name")
        rows.append(("volumes", str(name), f"<- {prov.get(f'spec.volumes[{name}]') or 'task'}"))
    meta = pod.get("metadata", {})
    for kind in ("labels", "annotations"):
        for key, value in (meta.get(kind) or {}).items():
            src = prov.get(f"metadata.{kind}.{key}") or "task"
            rows.append((kind, key, f"{value}  <- {src}"))
    return Explanation(
        pod=pod,
        rows=rows,
        interruptible=result.interruptible,
        interruptible_reason=result.interruptible_reason,
        notes=list(result.notes),
        problems=validate_pod(pod),
    )
