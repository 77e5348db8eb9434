"""Local GPUs: detect them with NVML, place accelerator tasks on a matching GPU or MIG slice,
emulate a pod's limits in an isolated child process.

Public names (resolved lazily; ``pynvml`` is imported only when NVML is first used):

* :func:`detect` → :class:`Inventory` of :class:`GpuInfo` / :class:`MigInfo`;
* :func:`request_for`, :func:`match` → :class:`Placement` (levels exact/compatible/substitute/none);
* :func:`local_gpu_context` — the hook local task execution calls; :func:`gpu_policy`,
  :func:`resolve_policy`, ``PODPLAN_LOCAL_GPU``;
* :func:`run_isolated` / :func:`run_task_isolated` / :class:`TargetCall` → :class:`IsolatedResult`;
* :func:`dump_profile` — record this machine as a fake-NVML profile;
* :func:`mig_profile_name`, :func:`canonical` — the naming rules.

This package sits below :mod:`podplan.tasks` and never imports it at module level.
"""

from __future__ import annotations

import importlib
from typing import Any

# ``detect`` and ``match`` are both submodules and functions: bind the functions eagerly so that a
# later ``import podplan.accelerators.local.detect`` cannot shadow them (both modules are light).
from podplan.accelerators.local.detect import detect as detect
from podplan.accelerators.local.match import match as match

_EXPORTS: dict[str, str] = {
    "detect": "detect",
    "Inventory": "model",
    "GpuInfo": "model",
    "MigInfo": "model",
    "STATUSES": "model",
    "GpuRequest": "match",
    "Placement": "match",
    "LEVELS": "match",
    "match": "match",
    "request_for": "match",
    "gpu_count": "match",
    "local_gpu_context": "apply",
    "place": "apply",
    "gpu_policy": "policy",
    "resolve_policy": "policy",
    "POLICIES": "policy",
    "POLICY_ENV": "policy",
    "run_isolated": "isolate",
    "run_task_isolated": "isolate",
    "TargetCall": "isolate",
    "IsolatedResult": "isolate",
    "dump_profile": "dump",
    "mig_profile_name": "names",
    "canonical": "names",
    "use_backend": "backend",
    "current_backend": "backend",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Resolve a public name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'podplan.accelerators.local' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"podplan.accelerators.local.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
