"""Built-in platform presets (YAML files in ``podplan/podspec/presets/``).

- ``flyte-defaults``: a stock Flyte v1.16.8 deployment (same as ``Platform()``);
- ``gke-gpu``: GKE GPU node pools — ``cloud.google.com/gke-accelerator`` and
  ``cloud.google.com/gke-gpu-partition-size`` labels, spot VMs for interruptible tasks;
- ``eks-gpu``: EKS managed GPU node groups — Flyte's ``k8s.amazonaws.com/accelerator`` label
  convention, ``eks.amazonaws.com/capacityType`` SPOT / ON_DEMAND, tainted GPU nodes;
- ``gfd``: clusters labelled by NVIDIA GPU Feature Discovery — ``nvidia.com/gpu.product``;
- ``go-test-zero``: zero-valued ``plugins.k8s`` and an empty platform, as the backend's Go unit
  tests run (for reproducing them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from podplan.errors import PlatformError

__all__ = ["PRESET_DIR", "get_preset", "preset_names"]

PRESET_DIR = Path(__file__).with_name("presets")


def preset_names() -> list[str]:
    """The names of the built-in presets."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


@lru_cache(maxsize=16)
def get_preset(name: str) -> Any:
    """The :class:`~podplan.podspec.Platform` of a built-in preset."""
    import difflib

    path = PRESET_DIR / f"{name}.yaml"
    if not path.is_file():
        names = preset_names()
        hint = difflib.get_close_matches(name, names, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise PlatformError(f"unknown platform preset {name!r}{extra}; presets: {', '.join(names)}")
    from podplan.podspec.loading import load_platform_file

    return load_platform_file(path)
