"""Loading a :class:`~podplan.podspec.Platform` from files, presets and Flyte deployment config.

A platform file may be:

1. **our schema** — top-level keys among ``plugins``, ``task_resources``, ``platform_resources``,
   ``propeller``, ``pod_templates``, ``execution`` (strict: unknown keys are errors);
2. **Flyte Helm values** (``flyte-core``'s ``configmap.k8s`` / ``configmap.task_resource_defaults``
   / ``configmap.core``, ``flyte-binary``'s ``configuration.inline``) or the **propeller
   ConfigMap** (``kind: ConfigMap`` whose ``data`` values are YAML documents): the ``plugins.k8s``,
   ``task_resources`` and ``propeller`` sections are found wherever they are nested and extracted;
   ``plugins.k8s`` is validated strictly, other propeller keys than the pod-shaping
   ``node-config`` / ``literal-offloading-config`` entries are ignored;
3. several YAML documents: ``kind: PodTemplate`` documents become base pod templates.

``pod_templates`` entries may also be file paths (relative to the platform file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podplan.errors import PlatformError

__all__ = ["OUR_KEYS", "extract_flyte_config", "load_platform", "load_platform_file", "load_pod_templates"]

OUR_KEYS = frozenset(
    {"plugins", "task_resources", "platform_resources", "propeller", "pod_templates", "execution"}
)
_NODE_CONFIG_KEYS = frozenset(
    {
        "interruptible-failure-threshold",
        "max-node-retries-system-failures",
        "default-max-attempts",
        "ignore-retry-cause",
    }
)
_OFFLOAD_KEYS = frozenset({"enabled", "min-size-in-mb-for-offloading", "max-size-in-mb-for-offloading"})


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlatformError(f"cannot read {what} file {path}: not a UTF-8 text (YAML) file") from None
    except OSError as exc:
        raise PlatformError(f"cannot read {what} file {path}: {exc.strerror or exc}") from None


def _yaml_docs(text: str, source: str) -> list[Any]:
    import yaml

    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlatformError(f"{source}{where}: invalid YAML: {problem}") from None


def extract_flyte_config(doc: Any, found: dict[str, Any] | None = None) -> dict[str, Any]:
    """Find the pod-shaping sections of a Flyte config anywhere inside ``doc`` (Helm values, ConfigMap)."""
    found = {} if found is None else found
    if isinstance(doc, dict):
        if doc.get("kind") == "ConfigMap" and isinstance(doc.get("data"), dict):
            for value in doc["data"].values():
                if isinstance(value, str):
                    for sub in _yaml_docs(value, "ConfigMap data"):
                        extract_flyte_config(sub, found)
            return found
        for key, value in doc.items():
            if key == "plugins" and isinstance(value, dict) and isinstance(value.get("k8s"), dict):
                found.setdefault("plugins", {"k8s": {}})["k8s"].update(value["k8s"])
            elif (
                key == "task_resources"
                and isinstance(value, dict)
                and ("defaults" in value or "limits" in value)
            ):
                tr = found.setdefault("task_resources", {})
                for side in ("defaults", "limits"):
                    if isinstance(value.get(side), dict):
                        tr.setdefault(side, {}).update(value[side])
            elif key == "propeller" and isinstance(value, dict):
                prop = found.setdefault("propeller", {})
                nc = value.get("node-config")
                if isinstance(nc, dict):
                    prop.setdefault("node-config", {}).update(
                        {k: v for k, v in nc.items() if k in _NODE_CONFIG_KEYS}
                    )
                lo = value.get("literal-offloading-config")
                if isinstance(lo, dict):
                    prop.setdefault("literal-offloading-config", {}).update(
                        {k: v for k, v in lo.items() if k in _OFFLOAD_KEYS}
                    )
            else:
                extract_flyte_config(value, found)
    elif isinstance(doc, list):
        for item in doc:
            extract_flyte_config(item, found)
    return found


def _ours(doc: dict[str, Any]) -> bool:
    return bool(doc) and set(doc) <= OUR_KEYS


def _resolve_templates(data: dict[str, Any], base_dir: Path) -> None:
    templates = data.get("pod_templates")
    if isinstance(templates, dict):
        for name, value in list(templates.items()):
            if isinstance(value, str):
                loaded = load_pod_templates(base_dir / value)
                templates[name] = loaded.get(name) or next(iter(loaded.values()), value)
    elif isinstance(templates, list):
        out: list[Any] = []
        for value in templates:
            if isinstance(value, str):
                out.extend(load_pod_templates(base_dir / value).values())
            else:
                out.append(value)
        data["pod_templates"] = out


def load_pod_templates(path: str | Path) -> dict[str, dict[str, Any]]:
    """The ``kind: PodTemplate`` objects of a YAML file, by ``metadata.name``."""
    path = Path(path)
    text = _read_text(path, "pod template")
    out: dict[str, dict[str, Any]] = {}
    for doc in _yaml_docs(text, str(path)):
        items = doc.get("items", []) if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
        for item in items:
            if not (isinstance(item, dict) and item.get("kind") == "PodTemplate"):
                raise PlatformError(f"{path}: expected kind: PodTemplate documents")
            name = (item.get("metadata") or {}).get("name")
            if not name:
                raise PlatformError(f"{path}: a PodTemplate has no metadata.name")
            from podplan.podspec.platform import check_pod_template_shape

            try:
                check_pod_template_shape(str(name), item)
            except ValueError as exc:
                raise PlatformError(f"{path}: {exc}") from None
            out[str(name)] = item
    return out


def load_platform_file(path: str | Path, *, pod_templates: list[str | Path] | None = None) -> Any:
    """Load a platform file (our schema, Helm values or a propeller ConfigMap); see the module doc."""
    from podplan.podspec.platform import Platform

    path = Path(path)
    text = _read_text(path, "platform")
    docs = _yaml_docs(text, str(path))
    data: dict[str, Any] = {}
    templates: dict[str, Any] = {}
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict):
            raise PlatformError(f"{path}: document {i + 1} is not a mapping")
        if doc.get("kind") == "PodTemplate":
            name = (doc.get("metadata") or {}).get("name")
            if not name:
                raise PlatformError(f"{path}: a PodTemplate has no metadata.name")
            templates[str(name)] = doc
        elif _ours(doc):
            data.update(doc)
        else:
            extract_flyte_config(doc, data)
    if docs and not data and not templates:
        raise PlatformError(
            f"{path}: no platform configuration found (expected our schema keys "
            f"{', '.join(sorted(OUR_KEYS))}, Flyte Helm values or a propeller ConfigMap)"
        )
    _resolve_templates(data, path.parent)
    for extra in pod_templates or ():
        templates.update(load_pod_templates(extra))
    if templates:
        existing = data.get("pod_templates") or {}
        if isinstance(existing, list):
            existing = {((t.get("metadata") or {}).get("name")): t for t in existing if isinstance(t, dict)}
        data["pod_templates"] = {**existing, **templates}
    return Platform.from_dict(data, source=str(path))


def load_platform(spec: Any = None, *, pod_templates: list[str | Path] | None = None) -> Any:
    """A platform from ``None`` (stock Flyte), a preset name, a file path, a mapping or a Platform."""
    from podplan.podspec.platform import Platform

    if spec is None:
        platform = Platform()
    elif isinstance(spec, Platform):
        platform = spec
    elif isinstance(spec, dict):
        platform = Platform.from_dict(spec)
    else:
        text = str(spec)
        p = Path(text)
        if p.suffix in (".yaml", ".yml", ".json") or p.exists():
            return load_platform_file(p, pod_templates=pod_templates)
        from podplan.podspec.presets import get_preset

        platform = get_preset(text)
    if pod_templates:
        merged = dict(platform.pod_templates)
        for extra in pod_templates:
            merged.update(load_pod_templates(extra))
        platform = platform.model_copy(update={"pod_templates": merged})
    return platform
