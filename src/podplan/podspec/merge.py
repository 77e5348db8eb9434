"""Base PodTemplate merge with mergo semantics (spec §6.2, §6.3).

``mergo.Merge(dst=template copy, src=task, WithOverride, WithAppendSlice)`` on Kubernetes JSON
dicts: a non-empty task scalar wins (an empty string, ``0`` or ``false`` never clears the
template's value), mappings merge recursively (task keys win), lists are appended template first.
A ``None`` on either side takes the other side. Objects are copied, never shared with the input.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["extract_template_resources", "merge_onto_template", "mergo", "template_spec"]

_DEFAULT = "default"
_DEFAULT_INIT = "default-init"
_PRIMARY = "primary"
_PRIMARY_INIT = "primary-init"


#: Kubernetes fields that are Go maps (a task value always wins there, even an empty one)
_MAP_FIELDS = frozenset({"labels", "annotations", "nodeSelector", "requests", "limits", "overhead"})


def _empty(value: Any) -> bool:
    if value is None or value is False or value == "":
        return True
    return isinstance(value, (int, float)) and value == 0


def mergo(dst: Any, src: Any, _in_map: bool = False) -> Any:
    """Merge ``src`` over ``dst`` (both Kubernetes JSON values) and return the result."""
    if isinstance(dst, dict) and isinstance(src, dict):
        out = dict(dst)
        for key, value in src.items():
            if _in_map:
                out[key] = copy.deepcopy(value)
            elif key in out:
                out[key] = mergo(out[key], value, key in _MAP_FIELDS)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if isinstance(dst, list) and isinstance(src, list):
        return [*copy.deepcopy(dst), *copy.deepcopy(src)]
    if src is None:
        return dst
    if dst is None:
        return copy.deepcopy(src)
    if isinstance(src, (dict, list)):
        return copy.deepcopy(src)
    return dst if _empty(src) else src


def template_spec(pod_template: dict[str, Any] | None) -> dict[str, Any] | None:
    """The pod spec of a Kubernetes PodTemplate object (``template.spec``)."""
    if not pod_template:
        return None
    spec = (pod_template.get("template") or {}).get("spec")
    return spec if isinstance(spec, dict) else {}


def extract_template_resources(
    pod_template: dict[str, Any] | None, name: str, init: bool
) -> dict[str, Any] | None:
    """``ExtractContainerResourcesFromPodTemplate``: exact name, then primary(-init), then default(-init)."""
    spec = template_spec(pod_template)
    if spec is None:
        return None
    containers = spec.get("initContainers" if init else "containers") or []
    for wanted in (name, _PRIMARY_INIT if init else _PRIMARY, _DEFAULT_INIT if init else _DEFAULT):
        for c in containers:
            if c.get("name") == wanted:
                res = c.get("resources")
                return res if isinstance(res, dict) else {}
    return None


def _merge_containers(
    template: list[dict[str, Any]],
    task: list[dict[str, Any]] | None,
    primary_name: str,
    default_name: str,
    primary_tpl_name: str,
) -> list[dict[str, Any]]:
    default_tpl = next((c for c in template if c.get("name") == default_name), None)
    primary_tpl = next((c for c in template if c.get("name") == primary_tpl_name), None)
    by_name = {c.get("name"): c for c in template}
    out = []
    for container in task or []:
        merged: Any = copy.deepcopy(default_tpl) if default_tpl is not None else None
        cname = container.get("name")
        if cname == primary_name and primary_tpl is not None:
            merged = copy.deepcopy(primary_tpl) if merged is None else mergo(merged, primary_tpl)
        if cname != primary_name and cname != default_name:
            same = by_name.get(cname)
            if same is not None and cname not in (primary_tpl_name,):
                merged = copy.deepcopy(same) if merged is None else mergo(merged, same)
        merged = container if merged is None else mergo(merged, container)
        out.append(merged)
    return out


def merge_onto_template(
    pod_template: dict[str, Any],
    spec: dict[str, Any],
    meta: dict[str, Any],
    primary_name: str,
    primary_init_name: str = "",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``MergeWithBasePodTemplate``: the task pod spec and metadata merged on top of the template."""
    tpl_spec = template_spec(pod_template) or {}
    merged = mergo(
        {k: v for k, v in tpl_spec.items() if k not in ("containers", "initContainers")},
        {k: v for k, v in spec.items() if k not in ("containers", "initContainers")},
    )
    containers = _merge_containers(
        tpl_spec.get("containers") or [], spec.get("containers"), primary_name, _DEFAULT, _PRIMARY
    )
    if containers:
        merged["containers"] = containers
    inits = _merge_containers(
        tpl_spec.get("initContainers") or [],
        spec.get("initContainers"),
        primary_init_name,
        _DEFAULT_INIT,
        _PRIMARY_INIT,
    )
    if inits:
        merged["initContainers"] = inits
    tpl_meta = (pod_template.get("template") or {}).get("metadata") or {}
    merged_meta = mergo({k: tpl_meta[k] for k in ("labels", "annotations") if k in tpl_meta}, meta)
    return merged, merged_meta
