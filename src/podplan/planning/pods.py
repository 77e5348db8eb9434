"""What the scheduler reads from a pod: effective requests, node selector, required node
affinity and tolerations, as a hashable :class:`PodRequirements` (identical pods share one).

Pods are plain dicts in the Kubernetes JSON form (camelCase keys, as ``kubectl get pod -o json``
prints them); a ``kubernetes.client.V1Pod`` is converted first (:func:`pod_to_dict`).

Effective requests follow ``k8s.io/component-helpers/resource.PodRequests``: the sum over
containers, then the *max rule* with init containers (each regular init container runs alone, on
top of the restartable "sidecar" init containers started before it; sidecars keep running and add
to the containers' sum), plus ``spec.overhead``. A container with a limit but no request for a
resource gets request = limit (API-server defaulting). Amounts are scheduler integers
(:mod:`podplan.planning.units`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podplan.errors import ClusterError
from podplan.planning.units import amount

#: (key, operator, values, is_field) — one node-selector requirement
Requirement = tuple[str, str, tuple[str, ...], bool]
#: (key, operator, value, effect) — one toleration
Toleration = tuple[str, str, str, str]


@dataclass(frozen=True)
class PodRequirements:
    """The scheduling-relevant content of a pod (hashable; equal pods compare equal)."""

    #: effective pod requests, sorted ``(resource, amount)``; always includes ``("pods", 1)``
    requests: tuple[tuple[str, int], ...]
    node_selector: tuple[tuple[str, str], ...] = ()
    #: required node-affinity terms (OR-ed; each term's requirements AND-ed); ``None`` if absent
    affinity_terms: tuple[tuple[Requirement, ...], ...] | None = None
    tolerations: tuple[Toleration, ...] = ()

    @property
    def request_map(self) -> dict[str, int]:
        """Requests as a dict."""
        return dict(self.requests)


def pod_to_dict(pod: Any) -> dict[str, Any]:
    """Return the Kubernetes JSON form of ``pod`` (a dict is returned unchanged)."""
    if isinstance(pod, Mapping):
        return pod  # type: ignore[return-value]
    if hasattr(pod, "to_dict") and hasattr(pod, "openapi_types"):
        from kubernetes.client import ApiClient

        data: dict[str, Any] = ApiClient().sanitize_for_serialization(pod)
        return data
    raise ClusterError(f"expected a pod (dict or kubernetes.client.V1Pod), got {type(pod).__name__}")


def container_requests(container: Mapping[str, Any]) -> dict[str, int]:
    """Requests of one container in scheduler units, with request defaulted from the limit."""
    resources = container.get("resources") or {}
    limits = resources.get("limits") or {}
    requests = resources.get("requests") or {}
    out: dict[str, int] = {}
    for name, value in limits.items():
        if name not in requests:
            out[name] = _safe_amount(name, value)
    for name, value in requests.items():
        out[name] = _safe_amount(name, value)
    return out


def _safe_amount(name: str, value: Any) -> int:
    try:
        return amount(name, str(value))
    except ClusterError:
        return 0  # an invalid quantity is an admission finding (PP101), not a fit input


def _add(into: dict[str, int], other: Mapping[str, int]) -> None:
    for k, v in other.items():
        into[k] = into.get(k, 0) + v


def _max(into: dict[str, int], other: Mapping[str, int]) -> None:
    for k, v in other.items():
        if v > into.get(k, 0):
            into[k] = v


def effective_requests(spec: Mapping[str, Any]) -> dict[str, int]:
    """Pod-level requests by the scheduler's rule (containers, init max rule, sidecars, overhead)."""
    total: dict[str, int] = {}
    for c in spec.get("containers") or ():
        _add(total, container_requests(c))
    sidecars: dict[str, int] = {}
    init_max: dict[str, int] = {}
    for c in spec.get("initContainers") or ():
        reqs = container_requests(c)
        if c.get("restartPolicy") == "Always":
            _add(sidecars, reqs)
            current = dict(sidecars)
        else:
            current = dict(reqs)
            _add(current, sidecars)
        _max(init_max, current)
    _add(total, sidecars)
    _max(total, init_max)
    overhead = spec.get("overhead") or {}
    _add(total, {k: _safe_amount(k, v) for k, v in overhead.items()})
    return total


def _requirement(expr: Mapping[str, Any], is_field: bool) -> Requirement:
    values = tuple(str(v) for v in (expr.get("values") or ()))
    return (str(expr.get("key", "")), str(expr.get("operator", "")), values, is_field)


def required_terms(spec: Mapping[str, Any]) -> tuple[tuple[Requirement, ...], ...] | None:
    """Required node-affinity terms of a pod spec, or ``None`` when there is no requirement."""
    affinity = spec.get("affinity") or {}
    node_affinity = affinity.get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return None
    terms = []
    for term in required.get("nodeSelectorTerms") or ():
        exprs = [_requirement(e, False) for e in term.get("matchExpressions") or ()]
        exprs += [_requirement(e, True) for e in term.get("matchFields") or ()]
        terms.append(tuple(exprs))
    return tuple(terms)


def pod_requirements(pod: Any) -> PodRequirements:
    """Extract the :class:`PodRequirements` of a pod dict or ``V1Pod``."""
    data = pod_to_dict(pod)
    spec = data.get("spec") or {}
    reqs = effective_requests(spec)
    reqs["pods"] = 1
    selector = spec.get("nodeSelector") or {}
    tolerations = tuple(
        (
            str(t.get("key") or ""),
            str(t.get("operator") or ""),
            str(t.get("value") or ""),
            str(t.get("effect") or ""),
        )
        for t in spec.get("tolerations") or ()
    )
    return PodRequirements(
        requests=tuple(sorted((k, v) for k, v in reqs.items() if v > 0)),
        node_selector=tuple(sorted((str(k), str(v)) for k, v in selector.items())),
        affinity_terms=required_terms(spec),
        tolerations=tolerations,
    )
