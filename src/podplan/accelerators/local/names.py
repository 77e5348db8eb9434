"""Canonical names: NVML device names, MIG profile names and accelerator request strings.

Everything here is pure (no NVML): the detector and the matcher call these functions, and the
tests drive them with tables of the real NVML strings of ``specs/nvml-local-gpus.md`` §4.

* :func:`mig_profile_name` computes ``1g.5gb`` from slice counts and memory with NVIDIA's go-nvlib
  algorithm (memory fraction rounded *up* to eighths, GB rounded half away from zero — never
  Python's banker's ``round``, which gives H200 ``3g.70gb`` instead of ``3g.71gb``).
* :func:`family_of` maps an NVML name or a device string to a GPU family (``A100``, ``H100`` …) with
  an ordered rule table, most specific first.
* :func:`canonical` maps an NVML name (+ memory) to the catalog model of
  :mod:`podplan.accelerators.catalog` (``A100_80GB`` / ``nvidia-a100-80gb``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

__all__ = [
    "Canonical",
    "MigProfile",
    "canonical",
    "catalog_model",
    "family_of",
    "mig_profile_name",
    "normalize_name",
    "parse_mig_profile",
    "split_mig_name",
]

GIB: Final = 1 << 30
MIB: Final = 1 << 20

_MIG_SUFFIX_RE: Final = re.compile(r"^(?P<parent>.*?)\s+MIG\s+(?P<profile>\S+)\s*$")
_PROFILE_RE: Final = re.compile(
    r"^(?:(?P<c>\d+)c\.)?(?P<g>\d+)g\.(?P<gb>\d+)gb(?P<attrs>(?:[+-][a-z.]+)*)$", re.IGNORECASE
)


def _round_half_away(x: Fraction) -> int:
    """Go's ``math.Round`` for non-negative values: halves round away from zero."""
    return math.floor(x + Fraction(1, 2))


def mig_memory_gb(memory_mb: int, parent_total_bytes: int) -> int:
    """The ``<gb>`` of a MIG profile name (go-nvlib ``getMigMemorySizeGB``), computed exactly.

    ``frac = ceil(8 * mem / parent) / 8``; ``GB = round_half_away(frac * ceil(parent / GiB))``.
    """
    if parent_total_bytes <= 0:
        raise ValueError(f"parent_total_bytes must be positive, got {parent_total_bytes}")
    frac = Fraction(memory_mb * MIB, parent_total_bytes)
    eighths = Fraction(math.ceil(frac * 8), 8)
    total_gib = -(-parent_total_bytes // GIB)
    return _round_half_away(eighths * total_gib)


def mig_profile_name(
    gpu_slices: int, compute_slices: int, memory_mb: int, parent_total_bytes: int, attrs: str = ""
) -> str:
    """Return the MIG profile name, ``<g>g.<gb>gb`` or ``<c>c.<g>g.<gb>gb`` when the compute
    instance takes only part of the GPU instance (go-nvlib ``MigProfileInfo.String``)."""
    gb = mig_memory_gb(memory_mb, parent_total_bytes)
    if compute_slices == gpu_slices or compute_slices <= 0:
        return f"{gpu_slices}g.{gb}gb{attrs}"
    return f"{compute_slices}c.{gpu_slices}g.{gb}gb{attrs}"


@dataclass(frozen=True)
class MigProfile:
    """A parsed MIG profile name: ``1c.3g.20gb+me`` → compute 1, gpu 3, 20 GB, attrs ``+me``."""

    gpu_slices: int
    compute_slices: int
    memory_gb: int
    attrs: str = ""

    @property
    def name(self) -> str:
        """The canonical spelling."""
        if self.compute_slices == self.gpu_slices:
            return f"{self.gpu_slices}g.{self.memory_gb}gb{self.attrs}"
        return f"{self.compute_slices}c.{self.gpu_slices}g.{self.memory_gb}gb{self.attrs}"


def parse_mig_profile(profile: str) -> MigProfile | None:
    """Parse ``"1g.5gb"``, ``"1c.3g.20gb"``, ``"1g.10gb+me"``; ``None`` when it is not a MIG profile."""
    m = _PROFILE_RE.match(profile.strip())
    if m is None:
        return None
    g = int(m.group("g"))
    c = int(m.group("c")) if m.group("c") else g
    return MigProfile(gpu_slices=g, compute_slices=c, memory_gb=int(m.group("gb")), attrs=m.group("attrs"))


def split_mig_name(name: str) -> tuple[str, str | None]:
    """Split a MIG device name ``"NVIDIA A100-SXM4-40GB MIG 1g.5gb"`` into (parent name, profile)."""
    m = _MIG_SUFFIX_RE.match(name)
    if m is None:
        return name.strip(), None
    return m.group("parent").strip(), m.group("profile")


def normalize_name(name: str) -> str:
    """Normalise an NVML name or a device string for rule matching (spec §4.3).

    Drops a trailing ``MIG <profile>``, the ``NVIDIA``/``Tesla``/``GeForce`` words and the
    ``nvidia-``/``tesla-`` prefixes of device strings, upper-cases and joins separators with one
    space: ``"NVIDIA A100-SXM4-80GB"`` → ``"A100 SXM4 80GB"``; ``"nvidia-tesla-a100"`` → ``"A100"``.
    """
    base, _ = split_mig_name(name)
    text = re.sub(r"[-_/,()]+", " ", base.upper())
    words = [w for w in text.split() if w not in {"NVIDIA", "TESLA", "GEFORCE"}]
    return " ".join(words)


# (family, pattern over the normalised name) — order matters: more specific first (spec §4.3).
_FAMILY_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (fam, re.compile(pat))
    for fam, pat in (
        ("GB300", r"\bGB300\b"),
        ("GB200", r"\bGB200\b"),
        ("GH200", r"\bGH200\b"),
        ("B300", r"\bB300\b"),
        ("B200", r"\bB200\b"),
        ("B100", r"\bB100\b"),
        ("H200", r"\bH200\b"),
        ("H100", r"\bH100\b"),
        ("H800", r"\bH800\b"),
        ("H20", r"\bH20\b"),
        ("A100", r"\bA100\b"),
        ("A800", r"\bA800\b"),
        ("A10G", r"\bA10G\b"),
        ("A10", r"\bA10\b"),
        ("A30", r"\bA30\b"),
        ("A40", r"\bA40\b"),
        ("A16", r"\bA16\b"),
        ("A2", r"\bA2\b"),
        ("L40S", r"\bL40S\b"),
        ("L40", r"\bL40\b"),
        ("L4", r"\bL4\b"),
        ("RTX PRO 6000", r"\bRTX PRO 6000\b"),
        ("RTX 6000 ADA", r"\bRTX 6000 ADA\b"),
        ("RTX A6000", r"\bRTX A6000\b"),
        ("V100", r"\bV100\b"),
        ("P100", r"\bP100\b"),
        ("P40", r"\bP40\b"),
        ("P4", r"\bP4\b"),
        ("T4", r"\bT4G?\b"),
        ("K80", r"\bK80\b"),
        ("M60", r"\bM60\b"),
    )
)
_RTX_RE: Final = re.compile(r"\bRTX (\d{4}(?: TI| SUPER)?)\b")
_GB_RE: Final = re.compile(r"\b(\d+)\s?GB\b")


def family_of(name: str) -> str | None:
    """The GPU family of an NVML name or device string (``"A100"``, ``"H100"``, ``"RTX 4090"``),
    or ``None`` when unknown. Variants of one family (A100 40GB / 80GB) share the family."""
    norm = normalize_name(name)
    for family, pattern in _FAMILY_RULES:
        if pattern.search(norm):
            return family
    m = _RTX_RE.search(norm)
    if m:
        return f"RTX {m.group(1)}"
    return None


def memory_hint_gb(name: str) -> int | None:
    """The memory size written in a name or device string (``"nvidia-a100-80gb"`` → 80), if any."""
    m = _GB_RE.search(normalize_name(name))
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class Canonical:
    """The canonical identity of a local GPU: catalog model and Flyte device string, and family.

    ``model`` and ``device`` are ``None`` for GPUs the catalog does not list (consumer cards).
    """

    family: str | None
    model: str | None
    device: str | None


def _catalog() -> Any:
    """The accelerator catalog module, or ``None`` while it is unavailable."""
    try:
        from podplan.accelerators import catalog
    except ImportError:  # pragma: no cover - catalog is part of podplan; defensive only
        return None
    return catalog


def catalog_model(name_or_device: str) -> Any:
    """The catalog ``GPUModel`` for a catalog name or device string, or ``None``."""
    cat = _catalog()
    if cat is None:
        return None
    try:
        return cat.get_model(name_or_device)
    except Exception:
        return None


def canonical(nvml_name: str, memory_bytes: int | None = None) -> Canonical:
    """Map an NVML name (and total memory) to its catalog model and Flyte device string.

    ``"NVIDIA A100-SXM4-80GB"`` → ``Canonical("A100", "A100_80GB", "nvidia-a100-80gb")``. A MIG
    device name maps to its parent's model.
    """
    parent, _ = split_mig_name(nvml_name)
    family = family_of(parent)
    cat = _catalog()
    model = None
    if cat is not None:
        try:
            model = cat.find_by_nvml_name(parent, memory_bytes)
        except Exception:
            model = None
    if model is None:
        return Canonical(family=family, model=None, device=None)
    return Canonical(
        family=str(getattr(model, "family", None) or family),
        model=str(model.name),
        device=str(model.device),
    )
