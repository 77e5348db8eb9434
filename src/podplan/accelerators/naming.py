"""Name normalisation: NVML device names, GPU Feature Discovery product labels, lookup keys."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["gfd_product", "gfd_variants", "lookup_key", "normalize_nvml_name", "split_mig_suffix"]

_GFD_DROP: Final = re.compile(r"[^A-Za-z0-9_. -]")
_WS: Final = re.compile(r"\s+")
_PREFIXES: Final = ("NVIDIA ", "TESLA ", "GEFORCE ", "QUADRO ")
_MIG_SUFFIX: Final = re.compile(r"\s+MIG\s+(\S+)\s*$", re.IGNORECASE)
_SEP: Final = re.compile(r"[\s_\-/]+")


def gfd_product(nvml_name: str) -> str:
    """The ``nvidia.com/gpu.product`` value GPU Feature Discovery derives from an NVML name.

    Characters outside ``[A-Za-z0-9-_. ]`` are dropped and whitespace runs become ``-``:
    ``"NVIDIA H100 80GB HBM3"`` → ``"NVIDIA-H100-80GB-HBM3"``.
    """
    return _WS.sub("-", _GFD_DROP.sub("", nvml_name).strip())


def gfd_variants(nvml_name: str) -> tuple[str, ...]:
    """GFD product values seen for a device: with and without the ``NVIDIA`` driver prefix."""
    main = gfd_product(nvml_name)
    if main.startswith("NVIDIA-"):
        return (main, main[len("NVIDIA-") :])
    return (main, "NVIDIA-" + main)


def split_mig_suffix(name: str) -> tuple[str, str | None]:
    """Split ``"NVIDIA A100-SXM4-40GB MIG 1g.5gb"`` into the parent name and the MIG profile."""
    m = _MIG_SUFFIX.search(name)
    if m is None:
        return name, None
    return name[: m.start()], m.group(1)


def normalize_nvml_name(name: str) -> str:
    """Upper-case NVML name without vendor/brand prefixes or MIG suffix, separators as one space.

    ``"NVIDIA A100-SXM4-80GB"`` → ``"A100 SXM4 80GB"``; ``"Tesla V100-PCIE-16GB"`` →
    ``"V100 PCIE 16GB"``; ``"NVIDIA GeForce RTX 4090"`` → ``"RTX 4090"``.
    """
    base, _ = split_mig_suffix(name.strip())
    upper = _WS.sub(" ", base.upper()).strip()
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if upper.startswith(prefix):
                upper = upper[len(prefix) :]
                changed = True
    return _SEP.sub(" ", upper).strip()


def lookup_key(value: str) -> str:
    """A case- and separator-insensitive key: ``"A100 80G"``, ``"a100-80g"`` → ``"a10080g"``."""
    return re.sub(r"[\s_\-./]+", "", value.strip().lower())
