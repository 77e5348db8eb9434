"""The Kubernetes API server's resource rules for pods (what would reject a previewed pod).

Implemented from ``pkg/apis/core/validation`` (ecosystem spec §4.1), for every container and init
container:

- ``quantity``: the value is a valid Kubernetes quantity and not negative;
- ``resource-name``: a name is a standard container resource (``cpu``, ``memory``,
  ``ephemeral-storage``, ``hugepages-<size>``) or fully qualified (``vendor.com/name``);
- ``request-above-limit``: a request is at most its limit when a limit is present (an explicit
  ``"0"`` limit counts);
- ``extended-not-integer`` / ``extended-no-limit`` / ``extended-request-ne-limit``: extended
  resources (``nvidia.com/gpu``, ...) are whole numbers, have a limit, and request == limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["AdmissionProblem", "validate_pod"]

_STANDARD = frozenset({"cpu", "memory", "ephemeral-storage"})
_QUALIFIED = re.compile(
    r"^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)/"
    r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$"
)


@dataclass(frozen=True)
class AdmissionProblem:
    """One reason the API server would reject the pod: a stable ``code``, the field path, a message."""

    code: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.code}]"


def _is_standard(name: str) -> bool:
    return name in _STANDARD or name.startswith("hugepages-")


def _is_extended(name: str) -> bool:
    if "/" not in name:
        return False
    return not (name.startswith("kubernetes.io/") or name.startswith("requests."))


def _check_name(name: str, path: str, out: list[AdmissionProblem]) -> bool:
    if _is_standard(name):
        return True
    if "/" not in name:
        out.append(
            AdmissionProblem(
                "resource-name",
                path,
                f"{name!r} must be a standard resource type or fully qualified (e.g. nvidia.com/{name})",
            )
        )
        return False
    if not _QUALIFIED.match(name):
        out.append(
            AdmissionProblem("resource-name", path, f"{name!r} is not a valid qualified resource name")
        )
        return False
    return True


def _parse(value: Any, path: str, out: list[AdmissionProblem]) -> Any:
    from podplan.errors import QuantityError
    from podplan.resources import Quantity

    try:
        q = Quantity(value)
    except QuantityError as exc:
        out.append(AdmissionProblem("quantity", path, f"invalid quantity {value!r}: {exc}"))
        return None
    if q < Quantity(0):
        out.append(AdmissionProblem("quantity", path, f"{value} must be greater than or equal to 0"))
        return None
    return q


def _check_container(c: dict[str, Any], where: str, out: list[AdmissionProblem]) -> None:
    res = c.get("resources") or {}
    parsed: dict[str, dict[str, Any]] = {"requests": {}, "limits": {}}
    for side in ("limits", "requests"):
        for name, value in (res.get(side) or {}).items():
            path = f"{where}.resources.{side}[{name}]"
            if not _check_name(name, path, out):
                continue
            q = _parse(value, path, out)
            if q is None:
                continue
            parsed[side][name] = q
            if _is_extended(name) and not q.is_integer():
                out.append(AdmissionProblem("extended-not-integer", path, f"{value} must be an integer"))
    requests, limits = parsed["requests"], parsed["limits"]
    for name, req in requests.items():
        path = f"{where}.resources.requests[{name}]"
        lim = limits.get(name)
        if _is_extended(name):
            if lim is None:
                out.append(
                    AdmissionProblem(
                        "extended-no-limit",
                        path,
                        f"Limit must be set for non overcommitable resources ({name})",
                    )
                )
            elif req != lim:
                out.append(
                    AdmissionProblem(
                        "extended-request-ne-limit",
                        path,
                        f"{req} must be equal to {name} limit of {lim}",
                    )
                )
            continue
        if lim is not None and req > lim:
            out.append(
                AdmissionProblem(
                    "request-above-limit", path, f"{req} must be less than or equal to {name} limit of {lim}"
                )
            )


def validate_pod(pod: Any) -> list[AdmissionProblem]:
    """The resource problems the API server would reject ``pod`` for (a V1Pod or Kubernetes JSON)."""
    from podplan.podspec.render import pod_to_k8s_json

    data = pod if isinstance(pod, dict) and "spec" in pod else pod_to_k8s_json(pod)
    spec = data.get("spec") or {}
    out: list[AdmissionProblem] = []
    for kind in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(kind) or []):
            _check_container(c, f"spec.{kind}[{i}]", out)
    return out
