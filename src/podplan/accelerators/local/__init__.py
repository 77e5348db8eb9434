"""Local GPUs: detect them with NVML, place accelerator tasks on a matching GPU or MIG slice,
emulate a pod's limits in an isolated child process.

Public names (resolved lazily; ``pynvml`` is imported only when NVML is first used):

* :func:`detect` → :class:`Inventory` of :class:`GpuInfo` / :class:`MigInfo`;
* :func:`request_for`, :func:`match` → :class:`Placement` (levels exact/compatible/substitute/none);
* :func:`local_gpu_context` — the hook local task execution calls; :func:`gpu_policy`,
  :func:`resolve_policy`, ``PODPLAN_LOCAL_GPU``;
* :func:`run_isolated` / :func:`run_task_isolated` → :class:`IsolatedResult`;
* :func:`dump_profile` — record this machine as a fake-NVML profile;
* :func:`mig_profile_name`, :func:`canonical` — the naming rules.

This package sits below :mod:`podplan.tasks` and never imports it; the CLI loads targets
(:mod:`podplan.cli.targets`).
"""

from __future__ import annotations

from podplan._lazy import lazy_exports

# ``detect`` and ``match`` are both submodules and functions: bind the functions eagerly so that a
# later ``import podplan.accelerators.local.detect`` cannot shadow them (both modules are light).
from podplan.accelerators.local.detect import detect as detect
from podplan.accelerators.local.match import match as match

_PKG = __name__
_EXPORTS: dict[str, str] = {
    "detect": f"{_PKG}.detect",
    "Inventory": f"{_PKG}.model",
    "GpuInfo": f"{_PKG}.model",
    "MigInfo": f"{_PKG}.model",
    "STATUSES": f"{_PKG}.model",
    "GpuRequest": f"{_PKG}.match",
    "Placement": f"{_PKG}.match",
    "LEVELS": f"{_PKG}.match",
    "match": f"{_PKG}.match",
    "request_for": f"{_PKG}.match",
    "gpu_count": f"{_PKG}.match",
    "local_gpu_context": f"{_PKG}.apply",
    "place": f"{_PKG}.apply",
    "gpu_policy": f"{_PKG}.policy",
    "resolve_policy": f"{_PKG}.policy",
    "POLICIES": f"{_PKG}.policy",
    "POLICY_ENV": f"{_PKG}.policy",
    "run_isolated": f"{_PKG}.isolate",
    "run_task_isolated": f"{_PKG}.isolate",
    "IsolatedResult": f"{_PKG}.isolate",
    "dump_profile": f"{_PKG}.dump",
    "mig_profile_name": f"{_PKG}.names",
    "canonical": f"{_PKG}.names",
    "use_backend": f"{_PKG}.backend",
    "current_backend": f"{_PKG}.backend",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
