"""Rendering of previewed pods: kubectl-style YAML, Kubernetes JSON, and a strict schema check.

- :func:`pod_to_k8s_json`: the pod in Kubernetes' JSON form (camelCase keys, as
  ``kubectl get pod -o json`` prints), with empty fields omitted: ``None``, ``""``, ``[]`` and
  empty label/annotation/selector/resource maps. Empty objects that Go serializes (``affinity:
  {}``) and explicit zeros (``sizeLimit: "0"``, ``cpu: "0"``) are kept: they are what the backend
  creates (spec §9.17, §9.18, §9.2).
- :func:`render_yaml`: kubectl-style YAML (keys sorted, numeric-looking strings double-quoted).
- :func:`render_json`: 4-space indented JSON, ``apiVersion, kind, metadata, spec`` first.
- :func:`schema_errors`: ``kubernetes-validate`` in strict mode (no unknown fields), when installed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

__all__ = ["pod_to_k8s_json", "prune", "render_json", "render_yaml", "schema_errors"]

_MAP_FIELDS = frozenset({"labels", "annotations", "nodeSelector", "requests", "limits", "overhead"})
_TOP = ("apiVersion", "kind", "metadata", "spec", "status")


def prune(value: Any, key: str = "") -> Any:
    """Drop ``None``, empty strings, empty lists and empty maps (recursively); see the module doc."""
    if type(value) is dict:
        return _prune_dict(value)
    if type(value) is list:
        return _prune_list(value)
    if isinstance(value, dict):
        return _prune_dict(value)
    if isinstance(value, list):
        return _prune_list(value)
    return value


def _prune_list(value: list[Any]) -> list[Any]:
    return [_prune_dict(v) if type(v) is dict else v if type(v) is str else prune(v) for v in value]


def _prune_dict(value: dict[str, Any]) -> dict[str, Any]:
    # the common JSON types are tested inline (this runs on every node of every pod)
    out = {}
    for k, v in value.items():
        if k[:1] == "_":
            continue
        t = type(v)
        if t is str:
            if v:
                out[k] = v
        elif t is dict:
            pv = _prune_dict(v)
            if pv or k not in _MAP_FIELDS:
                out[k] = pv
        elif t is list:
            if v:
                out[k] = _prune_list(v)
        elif v is None:
            continue
        elif t is bool or t is int:
            out[k] = v
        else:
            pv = prune(v, k)
            if pv is None or pv == "" or (isinstance(pv, list) and not pv):
                continue
            if isinstance(pv, dict) and not pv and k in _MAP_FIELDS:
                continue
            out[k] = pv
    return out


def pod_to_k8s_json(pod: Any) -> dict[str, Any]:
    """The pod (a JSON dict, a ``V1Pod`` or a builder result) as pruned Kubernetes JSON."""
    from podplan.podspec.convert import from_model

    if isinstance(pod, dict):
        data = pod
    elif hasattr(pod, "openapi_types"):  # a kubernetes model (never materializes a lazy pod)
        data = from_model(pod)
    else:  # a builder result
        raw = getattr(pod, "pod", None)
        data = raw if isinstance(raw, dict) else from_model(pod)
    pruned = prune(data)
    ordered = {k: pruned[k] for k in _TOP if k in pruned}
    ordered.update({k: v for k, v in pruned.items() if k not in ordered})
    return ordered


def render_json(pod: Any) -> str:
    """The pod as Kubernetes JSON text (``kubectl get pod -o json`` layout)."""
    return json.dumps(pod_to_k8s_json(pod), indent=4) + "\n"


def _dumper() -> Any:
    import yaml

    class KubectlDumper(yaml.SafeDumper):
        """SafeDumper that double-quotes strings YAML would otherwise read as numbers/bools."""

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(flow, indentless)

    def represent_str(dumper: Any, data: str) -> Any:
        tag = dumper.resolve(yaml.ScalarNode, data, (True, False))
        style = '"' if tag != "tag:yaml.org,2002:str" else None
        if "\n" in data:
            style = "|"
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    KubectlDumper.add_representer(str, represent_str)
    return KubectlDumper


_DUMPER: Any = None


def render_yaml(pod: Any) -> str:
    """The pod as kubectl-style YAML (``apiVersion: v1``, ``kind: Pod``, sorted keys)."""
    import yaml

    global _DUMPER
    if _DUMPER is None:
        _DUMPER = _dumper()
    return str(
        yaml.dump(pod_to_k8s_json(pod), Dumper=_DUMPER, sort_keys=True, default_flow_style=False, width=4096)
    )


@lru_cache(maxsize=4)
def _validator(kind: str, api_version: str) -> Any:
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    version = str(utils.latest_version())
    schema_dir = f"v{version}-local-strict"
    group = api_version.replace("/", "-") if "/" in api_version else api_version
    schema = utils.schema_contents(
        f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group}.json", version
    )
    defs = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    registry = Resource.from_contents(defs) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def schema_errors(pod: Any) -> list[str]:
    """Strict Kubernetes schema errors of a pod (empty when valid); ``[]`` without kubernetes-validate.

    ``pod`` is a Kubernetes JSON dict or a ``V1Pod``; each error names its JSON path.
    """
    try:
        import kubernetes_validate  # noqa: F401
    except ImportError:  # pragma: no cover - optional dependency
        return []
    data = pod_to_k8s_json(pod)
    validator = _validator(data.get("kind", "Pod"), data.get("apiVersion", "v1"))
    errors = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = ".".join(str(p) for p in err.absolute_path) or "<root>"
        errors.append(f"{path}: {err.message}")
    return errors
