"""Pod preview: the exact Pod Flyte's backend (v1.16.8) creates for a task on a given platform.

Public API (resolved lazily so that importing this package stays cheap):

- :class:`Platform` — the backend configuration (Flyte's own YAML keys), :func:`load_platform`,
  :func:`preset_names`, :func:`platform_schema`;
- :func:`build_pod` (task or ``with_overrides`` node) and :func:`build_pod_from_template`
  (flyteidl protobufs) → ``kubernetes.client.V1Pod``;
- :func:`resolve_platform` (``Platform`` | mapping | path | preset | ``None`` → ``Platform``),
  :func:`to_protobufs` and :func:`build_result` → :class:`PodResult` (the pod as a Kubernetes
  JSON dict, the primary container's name, the interruptible decision) — for callers such as
  ``podplan.planning`` that do not want ``kubernetes.client`` objects;
- :func:`explain_pod` — the pod plus where each value came from;
- :func:`validate_pod` → list of :class:`AdmissionProblem` (the API server's resource rules);
- :func:`render_yaml`, :func:`render_json`, :func:`pod_to_k8s_json`, :func:`schema_errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podplan._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Platform": "podplan.podspec.platform",
    "platform_schema": "podplan.podspec.platform",
    "load_platform": "podplan.podspec.loading",
    "preset_names": "podplan.podspec.presets",
    "get_preset": "podplan.podspec.presets",
    "build_pod": "podplan.podspec.api",
    "build_pod_from_template": "podplan.podspec.api",
    "build_result": "podplan.podspec.api",
    "resolve_platform": "podplan.podspec.api",
    "to_protobufs": "podplan.podspec.api",
    "PodResult": "podplan.podspec.builder",
    "explain_pod": "podplan.podspec.explain",
    "Explanation": "podplan.podspec.explain",
    "validate_pod": "podplan.podspec.admission",
    "AdmissionProblem": "podplan.podspec.admission",
    "render_yaml": "podplan.podspec.render",
    "render_json": "podplan.podspec.render",
    "pod_to_k8s_json": "podplan.podspec.render",
    "schema_errors": "podplan.podspec.render",
}

__all__ = [
    "AdmissionProblem",
    "Explanation",
    "Platform",
    "PodResult",
    "build_pod",
    "build_pod_from_template",
    "build_result",
    "explain_pod",
    "get_preset",
    "load_platform",
    "platform_schema",
    "pod_to_k8s_json",
    "preset_names",
    "render_json",
    "render_yaml",
    "resolve_platform",
    "schema_errors",
    "to_protobufs",
    "validate_pod",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from podplan.podspec.admission import AdmissionProblem, validate_pod
    from podplan.podspec.api import (
        build_pod,
        build_pod_from_template,
        build_result,
        resolve_platform,
        to_protobufs,
    )
    from podplan.podspec.builder import PodResult
    from podplan.podspec.explain import Explanation, explain_pod
    from podplan.podspec.loading import load_platform
    from podplan.podspec.platform import Platform, platform_schema
    from podplan.podspec.presets import get_preset, preset_names
    from podplan.podspec.render import pod_to_k8s_json, render_json, render_yaml, schema_errors
