"""Parse an inherited ``CUDA_VISIBLE_DEVICES`` the way CUDA does (spec §2.1), into device keys.

Accepted tokens: NVML indices (strtoul rules: ``"1gpu2"`` reads as 1), ``GPU-<uuid>`` and
``MIG-<uuid>`` (abbreviated to any unique prefix), and the legacy ``MIG-GPU-<uuid>/<gi>/<ci>``
form. An invalid token ends the list (``"0,2,-1,1"`` → 0 and 2); a duplicate makes it empty;
``""`` and ``NoDevFiles`` mean no device. Indices are NVML (PCI bus) indices, which is what CUDA
uses when ``CUDA_DEVICE_ORDER=PCI_BUS_ID``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["Candidate", "format_visible", "parse_visible"]

_LEADING_INT_RE: Final = re.compile(r"^\s*\+?(\d+)")


@dataclass(frozen=True)
class Candidate:
    """A device CUDA could see: its key, its NVML index (physical GPUs only) and its identifiers."""

    key: Hashable
    ids: tuple[str, ...]
    index: int | None = None


def _by_uuid(token: str, candidates: Sequence[Candidate]) -> Hashable | None:
    exact = [c.key for c in candidates if token in c.ids]
    if exact:
        return exact[0]
    prefixed = {c.key for c in candidates for i in c.ids if i.startswith(token)}
    return next(iter(prefixed)) if len(prefixed) == 1 else None


def parse_visible(value: str | None, candidates: Sequence[Candidate]) -> list[Hashable] | None:
    """Return the keys of the candidates CUDA would see, in order; ``None`` when ``value`` is
    ``None`` (the variable is unset: everything is visible)."""
    if value is None:
        return None
    text = value.strip()
    if not text or text == "NoDevFiles":
        return []
    keys: list[Hashable] = []
    for raw in text.split(","):
        token = raw.strip()
        key: Hashable | None
        if token.startswith(("GPU-", "MIG-")):
            key = _by_uuid(token, candidates)
        else:
            m = _LEADING_INT_RE.match(raw)
            key = None
            if m is not None:
                idx = int(m.group(1))
                key = next((c.key for c in candidates if c.index == idx), None)
        if key is None:
            break
        if key in keys:
            return []
        keys.append(key)
    return keys


def format_visible(ids: Sequence[str]) -> str:
    """The ``CUDA_VISIBLE_DEVICES`` value for these identifiers (UUIDs, in order)."""
    return ",".join(ids)
