"""NVIDIA Multi-Instance GPU profiles: the profile record, name parsing and layout validation.

A profile name is ``<compute slices>g.<memory>gb`` with optional attributes (``+me``,
``+gfx``, ``-me``, ``+me.all``). A GPU has 7 compute slices and 8 memory slices (A30 and the
RTX PRO 6000 Blackwell: 4 and 4). ``placements`` are the memory-slice indices where an instance of
the profile may start, as NVML's ``nvmlDeviceGetGpuInstancePossiblePlacements`` reports them for
the A100/H100 family (7-slice GPUs) and the A30 (4-slice GPUs); podplan assumes newer GPUs of the
same shape use the same placements. :func:`fits_layout` checks that a mix of profiles can coexist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from podplan.errors import AcceleratorError

__all__ = ["MigProfile", "build_profiles", "fits_layout", "parse_profile_name"]

_GIB: Final = 1 << 30
_PROFILE_RE: Final = re.compile(r"^(?:(\d+)c\.)?(\d+)g\.(\d+)gb((?:[+-][a-z]+(?:\.[a-z]+)?)*)$")


@dataclass(frozen=True)
class MigProfile:
    """One MIG GPU-instance profile of one GPU model.

    ``memory_bytes`` is nominal: the GB figure of the name in GiB (NVML reports slightly less,
    e.g. 4864 MiB for ``1g.5gb``). ``placements`` are start indices on the memory-slice grid.
    """

    name: str
    max_instances: int
    memory_bytes: int
    compute_slices: int
    memory_slices: int
    placements: tuple[int, ...] = ()
    attributes: tuple[str, ...] = ()

    @property
    def resource_name(self) -> str:
        """The extended resource the NVIDIA device plugin exposes under the ``mixed`` strategy:
        ``nvidia.com/mig-1g.5gb``; the plugin turns ``+`` into ``.`` (``1g.5gb+me`` →
        ``nvidia.com/mig-1g.5gb.me``), since ``+`` is not allowed in a resource name."""
        return mig_resource_name(self.name)

    @property
    def media_extensions(self) -> bool:
        """True for ``+me`` / ``+me.all`` profiles (at most one such instance per GPU)."""
        return any(a in ("+me", "+me.all") for a in self.attributes)

    @property
    def memory_gb(self) -> int:
        """The memory figure of the profile name (``5`` for ``1g.5gb``)."""
        return self.memory_bytes // _GIB


def parse_profile_name(name: str) -> tuple[int, int, tuple[str, ...]]:
    """Split ``"1g.10gb+me"`` into ``(compute slices, memory GB, attributes)``.

    Raises :class:`~podplan.errors.AcceleratorError` for a string that is not a GPU-instance
    profile name (compute-instance prefixes such as ``1c.3g.20gb`` are accepted and ignored).
    """
    m = _PROFILE_RE.match(name)
    if m is None:
        raise AcceleratorError(
            f"{name!r} is not a MIG profile name; expected '<slices>g.<memory>gb' such as '1g.5gb' or "
            "'3g.40gb', optionally with '+me'"
        )
    attrs = tuple(re.findall(r"[+-][a-z]+(?:\.[a-z]+)?", m.group(4)))
    return int(m.group(2)), int(m.group(3)), attrs


def _placements(compute: int, mem_slices: int, total_compute: int) -> tuple[int, ...]:
    """NVML's possible placements (start memory slice) for a profile of this shape."""
    if total_compute == 7:
        table = {1: (0, 1, 2, 3, 4, 5, 6), 2: (0, 2, 4), 3: (0, 4), 4: (0,), 7: (0,)}
        if compute == 1 and mem_slices == 2:  # 1g.10gb on A100-40GB, 1g.20gb on 80GB ...
            return (0, 2, 4, 6)
        return table.get(compute, ())
    if total_compute == 4:
        return {1: (0, 1, 2, 3), 2: (0, 2), 4: (0,)}.get(compute, ())
    return ()


def build_profiles(spec: Iterable[tuple[str, int]], *, total_compute: int = 7) -> dict[str, MigProfile]:
    """Build ``{name: MigProfile}`` from ``(profile name, max instances)`` pairs of one GPU model.

    Memory slices are derived from the ratio to the largest profile's memory; the memory-slice grid
    has 8 slots on 7-slice GPUs and ``total_compute`` slots otherwise.
    """
    pairs = list(spec)
    parsed = {name: parse_profile_name(name) for name, _ in pairs}
    if not parsed:
        return {}
    full_mem = max(gb for _, gb, _ in parsed.values())
    grid = 8 if total_compute == 7 else total_compute
    out: dict[str, MigProfile] = {}
    for name, count in pairs:
        compute, gb, attrs = parsed[name]
        mem_slices = max(1, round(gb / full_mem * grid))
        out[name] = MigProfile(
            name=name,
            max_instances=count,
            memory_bytes=gb * _GIB,
            compute_slices=compute,
            memory_slices=mem_slices,
            placements=_placements(compute, mem_slices, total_compute),
            attributes=attrs,
        )
    return out


def fits_layout(profiles: Mapping[str, MigProfile], layout: Sequence[str], *, total_compute: int = 7) -> bool:
    """Can the MIG instances ``layout`` (profile names, repeats allowed) coexist on one GPU?

    Checks the per-profile maximum, the one-media-extension rule, total compute slices and a
    placement on the memory-slice grid (exhaustive search; layouts have at most 7 entries).
    Unknown profile names raise :class:`~podplan.errors.AcceleratorError`.
    """
    chosen: list[MigProfile] = []
    for name in layout:
        if name not in profiles:
            raise AcceleratorError(f"MIG profile {name!r} is not offered; valid: {', '.join(profiles)}")
        chosen.append(profiles[name])
    for name in set(layout):
        if layout.count(name) > profiles[name].max_instances:
            return False
    if sum(p.media_extensions for p in chosen) > 1:
        return False
    if sum(p.compute_slices for p in chosen) > total_compute:
        return False
    grid = 8 if total_compute == 7 else total_compute
    if sum(p.memory_slices for p in chosen) > grid:
        return False
    if any(not p.placements for p in chosen):  # placements unknown: counts only
        return True
    # largest first keeps the search small
    order = sorted(chosen, key=lambda p: (-p.memory_slices, p.name))
    return _place(order, 0, [False] * grid)


def _place(order: list[MigProfile], i: int, used: list[bool]) -> bool:
    if i == len(order):
        return True
    prof = order[i]
    for start in prof.placements:
        span = range(start, start + prof.memory_slices)
        if span.stop > len(used) or any(used[j] for j in span):
            continue
        for j in span:
            used[j] = True
        if _place(order, i + 1, used):
            return True
        for j in span:
            used[j] = False
    return False


def mig_resource_name(profile: str) -> str:
    """The mixed-strategy extended resource of a MIG profile: ``1g.5gb`` → ``nvidia.com/mig-1g.5gb``,
    ``1g.5gb+me`` → ``nvidia.com/mig-1g.5gb.me`` (the device plugin turns ``+`` into ``.``)."""
    return "nvidia.com/mig-" + profile.replace("+", ".")
