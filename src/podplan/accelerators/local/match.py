"""Match a task's GPU request (accelerator, count, MIG partition) to local devices.

Levels, best first:

* ``exact`` — the declared model (and, for a MIG request, a MIG device with the declared profile);
  a GPU request without an accelerator is satisfied exactly by any whole GPU;
* ``compatible`` — the same family with at least the memory (A100 80GB for an A100), or a larger
  MIG profile of the same family (``2g.10gb`` for ``1g.5gb``);
* ``substitute`` — for a whole-GPU request, another family with at least the memory; for a MIG
  request, in this order: a whole GPU of the same family (a GPU-memory watchdog at the slice size
  stands in for the partition), a MIG device of another family covering the profile's slices and
  memory, a whole GPU of another family, a MIG device with the memory but fewer slices;
* ``none`` — nothing fits; the message lists what was requested and what was found.

Rules of ``specs/nvml-local-gpus.md`` §2.3/§2.6: placements use UUIDs; more than one MIG device
for one process is refused (CUDA enumerates one); MIG and whole GPUs are never mixed; a GPU in MIG
mode is never handed out whole; only devices inside an inherited ``CUDA_VISIBLE_DEVICES`` count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from podplan.accelerators.local.cvd import format_visible
from podplan.accelerators.local.model import GpuInfo, Inventory, MigInfo
from podplan.accelerators.local.names import (
    GIB,
    catalog_model,
    family_of,
    memory_hint_gb,
    parse_mig_profile,
)

__all__ = ["LEVELS", "GpuRequest", "Placement", "describe_inventory", "gpu_count", "match", "request_for"]

Level = Literal["exact", "compatible", "substitute", "none"]
LEVELS: Final[tuple[str, ...]] = ("exact", "compatible", "substitute", "none")
_RANK: Final = {level: i for i, level in enumerate(LEVELS)}
#: NVML totals sit slightly under the nominal (marketed) memory of the catalog: 81559 MiB for 80 GB
_MEMORY_SLACK: Final = 0.9


@dataclass(frozen=True)
class GpuRequest:
    """What a task asks of local GPUs: ``count`` devices of ``device`` (a Flyte device string),
    optionally one MIG device of profile ``partition``."""

    count: int
    device: str | None = None
    partition: str | None = None
    model: str | None = None
    family: str | None = None
    memory_bytes: int | None = None
    kind: Literal["gpu", "tpu"] = "gpu"
    note: str = ""

    def describe(self) -> str:
        """``"nvidia-tesla-a100 1g.5gb x1"`` / ``"any GPU x2"``."""
        what = self.device or "any GPU"
        if self.partition:
            what += f" {self.partition}"
        return f"{what} x{self.count}"


@dataclass(frozen=True)
class Placement:
    """Where a task runs: the level, the ``CUDA_VISIBLE_DEVICES`` value (``""`` when nothing was
    placed) and a message naming what was requested and found. ``gpu_memory_limit_bytes`` is set
    when a whole GPU stands in for a MIG slice (the isolated runner watches it)."""

    level: Level
    cuda_visible_devices: str
    message: str
    requested: str = ""
    uuids: tuple[str, ...] = ()
    mig: bool = False
    gpu_memory_limit_bytes: int | None = None
    model: str | None = None

    @property
    def placed(self) -> bool:
        """True when devices were chosen (any level but ``none``)."""
        return self.level != "none"

    def env(self) -> dict[str, str]:
        """The environment that pins a process to the placement (empty when nothing was placed)."""
        if not self.placed:
            return {}
        return {"CUDA_VISIBLE_DEVICES": self.cuda_visible_devices, "CUDA_DEVICE_ORDER": "PCI_BUS_ID"}

    def to_json(self) -> dict[str, Any]:
        """The ``placement`` object of ``podplan gpus --for TARGET --json``."""
        return {
            "level": self.level,
            "cuda_visible_devices": self.cuda_visible_devices,
            "message": self.message,
            "requested": self.requested,
            "mig": self.mig,
            "gpu_memory_limit_bytes": self.gpu_memory_limit_bytes,
        }


def gpu_count(gpu: Any) -> int:
    """The number of GPUs in a ``gpu`` value: ``None``, an int, a string, a ``Quantity``, a
    (request, limit) pair (the larger), or a ``Resources``/``ResourceSpec`` (limit, else request)."""
    if gpu is None:
        return 0
    if isinstance(gpu, bool):
        raise TypeError(f"gpu must be a number of GPUs, got {gpu!r}")
    if isinstance(gpu, int):
        return gpu
    if isinstance(gpu, (tuple, list)):
        return max((gpu_count(g) for g in gpu), default=0)
    if hasattr(gpu, "limits") and hasattr(gpu, "requests"):  # ResourceSpec
        return gpu_count(getattr(gpu.limits, "gpu", None)) or gpu_count(getattr(gpu.requests, "gpu", None))
    if hasattr(gpu, "gpu") and not hasattr(gpu, "value"):  # Resources
        return gpu_count(gpu.gpu)
    if hasattr(gpu, "value") and callable(gpu.value):  # Quantity: Go's Value() rounds up
        return int(gpu.value())
    if isinstance(gpu, (str, float)):
        from podplan.resources import Quantity

        return int(Quantity(gpu).value())
    raise TypeError(f"gpu must be a number of GPUs, got {type(gpu).__name__} {gpu!r}")


def _family_key(family: str | None) -> str | None:
    return re.sub(r"[\s_-]+", "", family.upper()) if family else None


def request_for(accelerator: Any, gpu: Any) -> GpuRequest | None:
    """Build the request of a task; ``None`` when it needs no GPU (no accelerator, no GPU count).

    ``accelerator`` is a podplan/flytekit accelerator (``.device``, ``.partition_size``) or a device
    string. An accelerator without a GPU count asks for one GPU (the pod itself would get none:
    ``podplan check`` reports that; locally the declaration is taken at its word).
    """
    count = gpu_count(gpu)
    if accelerator is None:
        return GpuRequest(count=count) if count > 0 else None
    accelerator = _normalised(accelerator)
    device = accelerator if isinstance(accelerator, str) else getattr(accelerator, "device", None)
    device = str(device) if device else None
    partition = None if isinstance(accelerator, str) else getattr(accelerator, "partition_size", None)
    note = ""
    if count <= 0:
        count, note = 1, "accelerator declared without a GPU count: assuming 1 GPU"
    if device and (device.startswith("tpu-") or type(accelerator).__name__ == "TPUAccelerator"):
        return GpuRequest(count=count, device=device, partition=partition, kind="tpu", note=note)
    model = catalog_model(device) if device else None
    family = getattr(model, "family", None) or (family_of(device) if device else None)
    memory = getattr(model, "memory_bytes", None)
    if memory is None and device:
        hint = memory_hint_gb(device)
        memory = hint * GIB if hint else None
    return GpuRequest(
        count=count,
        device=device,
        partition=str(partition) if partition else None,
        model=getattr(model, "name", None),
        family=family,
        memory_bytes=memory,
        note=note,
    )


def _normalised(accelerator: Any) -> Any:
    """A podplan accelerator for a flytekit accelerator object or a ``GPUAccelerator`` message
    (their device lives in private attributes); anything else (a string, a podplan accelerator, a
    duck-typed object with ``.device``) as given."""
    from podplan.accelerators import BaseAccelerator, as_accelerator
    from podplan.errors import AcceleratorError

    if isinstance(accelerator, (str, BaseAccelerator)):
        return accelerator

    try:
        return as_accelerator(accelerator)
    except AcceleratorError:
        return accelerator


def _gib(n: int) -> str:
    return f"{n / GIB:.1f} GiB"


def describe_inventory(inventory: Inventory) -> str:
    """``"GPU 0 NVIDIA L4 (GPU-8932f937, 22.5 GiB); GPU 1 … [MIG 1g.5gb, 3g.20gb]"`` or the reason."""
    if not inventory.devices:
        return f"no usable GPU ({inventory.status}: {inventory.reason})"
    parts = []
    for g in inventory.devices:
        text = f"GPU {g.index} {g.name} ({g.uuid[:12]}, {_gib(g.memory_bytes)})"
        if g.mig_enabled:
            counts: dict[str, int] = {}
            for m in g.mig:
                counts[m.profile] = counts.get(m.profile, 0) + 1
            listed = ", ".join(p if n == 1 else f"{p} x{n}" for p, n in counts.items())
            text += " [MIG " + (listed or "enabled, no instances") + "]"
        parts.append(text)
    if not any(g.mig_enabled for g in inventory.devices):
        parts.append("no MIG-enabled GPUs")
    return "; ".join(parts)


def _whole_level(req: GpuRequest, gpu: GpuInfo) -> Level:
    if req.device is None:
        return "exact"
    if req.model is not None and gpu.model == req.model:
        return "exact"
    enough = req.memory_bytes is None or gpu.memory_bytes >= _MEMORY_SLACK * req.memory_bytes
    same = req.family is not None and _family_key(gpu.family) == _family_key(req.family)
    if same and enough:
        return "compatible"
    if enough and req.memory_bytes is not None:
        return "substitute"
    return "none"


def _slice_memory(req: GpuRequest) -> int | None:
    model = catalog_model(req.model) if req.model else None
    profiles = getattr(model, "mig_profiles", None) or {}
    prof = profiles.get(req.partition) if req.partition else None
    if prof is not None:
        return int(prof.memory_bytes)
    parsed = parse_mig_profile(req.partition or "")
    return parsed.memory_gb * GIB if parsed else None


def _mig_level(req: GpuRequest, gpu: GpuInfo, mig: MigInfo, need: int | None) -> Level:
    same_model = req.model is not None and gpu.model == req.model
    same_family = req.family is not None and _family_key(gpu.family) == _family_key(req.family)
    if mig.profile == req.partition and (same_model or (req.model is None and same_family)):
        return "exact"
    if same_family and _covers(mig.profile, req.partition):
        return "compatible"
    if need is not None and mig.memory_bytes >= _MEMORY_SLACK * need:
        return "substitute"
    return "none"


def _has_attrs(profile: str) -> bool:
    parsed = parse_mig_profile(profile)
    return bool(parsed and parsed.attrs)


def _covers(have_name: str, want_name: str | None) -> bool:
    """Does the MIG profile ``have_name`` offer at least the compute slices, GPU-instance slices
    and memory of ``want_name``? (``2g.10gb`` covers ``1g.5gb``; ``1c.2g.10gb`` does not cover
    ``2g.10gb``.)"""
    want, have = parse_mig_profile(want_name or ""), parse_mig_profile(have_name)
    return (
        want is not None
        and have is not None
        and have.compute_slices >= want.compute_slices
        and have.gpu_slices >= want.gpu_slices
        and have.memory_gb >= want.memory_gb
    )


def _found(inventory: Inventory) -> str:
    return "found: " + describe_inventory(inventory)


def _none(req: GpuRequest, inventory: Inventory, why: str) -> Placement:
    note = f" ({req.note})" if req.note else ""
    return Placement(
        level="none",
        cuda_visible_devices="",
        message=f"requested {req.describe()}{note}; {why}; {_found(inventory)}",
        requested=req.describe(),
    )


def match(request: GpuRequest | None, inventory: Inventory) -> Placement:
    """Return the best placement of ``request`` on ``inventory`` (level ``none`` if nothing fits)."""
    if request is None:
        return Placement(level="none", cuda_visible_devices="", message="task requests no GPU; runs on CPU")
    req = request
    if req.kind == "tpu":
        return _none(req, inventory, "TPU accelerators cannot run on local NVIDIA GPUs")
    if not inventory.devices:
        return _none(req, inventory, "no GPU is usable here")
    if req.partition:
        return _match_mig(req, inventory)
    whole = [g for g in inventory.devices if not g.mig_enabled]
    ranked = sorted(((_RANK[_whole_level(req, g)], g.index, g) for g in whole), key=lambda t: t[:2])
    chosen = [(rank, g) for rank, _, g in ranked if rank < _RANK["none"]][: req.count]
    if len(chosen) < req.count:
        if req.device is None and req.count == 1:
            slices = [(g, m) for g in inventory.devices for m in g.mig]
            if slices:
                g, m = max(slices, key=lambda t: t[1].memory_bytes)
                return _placed(req, "compatible", [(g, m)], "no whole GPU; using the largest MIG device")
        return _none(req, inventory, _why_no_whole(req, whole, inventory, len(chosen)))
    level: Level = LEVELS[max(rank for rank, _ in chosen)]  # type: ignore[assignment]
    return _placed(req, level, [(g, None) for _, g in chosen], "")


def _why_no_whole(req: GpuRequest, whole: list[GpuInfo], inventory: Inventory, found: int) -> str:
    """Why a whole-GPU request got no placement, in the words a user needs."""
    reasons: list[str] = []
    if found:
        reasons.append(f"only {found} of {req.count} GPUs match")
    elif not whole:
        reasons.append("every GPU here is in MIG mode, and a GPU in MIG mode is never handed out whole")
    elif req.device is not None and req.model is None and req.family is None:
        reasons.append(
            f"device {req.device!r} is not in podplan's catalog and names no known GPU family, so no "
            "local GPU can be judged to match it (see `podplan catalog` for the device strings)"
        )
    else:
        smaller = [
            g
            for g in whole
            if req.family is not None
            and _family_key(g.family) == _family_key(req.family)
            and req.memory_bytes is not None
            and g.memory_bytes < _MEMORY_SLACK * req.memory_bytes
        ]
        if smaller:
            which = ", ".join(str(g.index) for g in smaller)
            verb = "GPU {} of the same family has" if len(smaller) == 1 else "GPUs {} of the same family have"
            reasons.append(
                f"{verb.format(which)} less memory ({_gib(smaller[0].memory_bytes)}) than the "
                f"{_gib(req.memory_bytes or 0)} of {req.model or req.device}"
            )
        else:
            need = f" or with at least {_gib(req.memory_bytes)}" if req.memory_bytes else ""
            reasons.append(f"no whole GPU of the {req.family or req.device} family{need}")
    if req.count > 1 and any(g.mig_enabled for g in inventory.devices):
        reasons.append("MIG devices cannot serve a multi-GPU task: CUDA shows one per process")
    return "; ".join(reasons)


def _match_mig(req: GpuRequest, inventory: Inventory) -> Placement:
    if req.count > 1:
        return _none(
            req,
            inventory,
            f"refused: a process can use one MIG device (CUDA enumerates a single MIG instance), "
            f"the task asks for {req.count}",
        )
    need = _slice_memory(req)
    # (level, preference, memory, attributes, position, gpu, mig): the smallest fitting device of
    # the best level, a slice without +me/+gfx attributes before one with them (unless asked for).
    # Substitutes, in order: 0 a whole GPU of the same family, 1 a MIG device covering the
    # profile's slices and memory, 2 a whole GPU of another family, 3 a MIG device with the memory
    # but fewer slices
    options: list[tuple[int, int, int, int, int, GpuInfo, MigInfo | None]] = []
    for g in inventory.devices:
        same = req.family is not None and _family_key(g.family) == _family_key(req.family)
        for mi in g.mig:
            lvl = _mig_level(req, g, mi, need)
            if lvl != "none":
                pref = 0 if lvl != "substitute" else (1 if _covers(mi.profile, req.partition) else 3)
                plain = 0 if mi.profile == req.partition or not _has_attrs(mi.profile) else 1
                options.append((_RANK[lvl], pref, mi.memory_bytes, plain, g.index * 100 + mi.index, g, mi))
        if not g.mig_enabled and need is not None and g.memory_bytes >= _MEMORY_SLACK * need:
            # a whole GPU stands in for the slice, its memory watched at the slice size
            options.append((_RANK["substitute"], 0 if same else 2, g.memory_bytes, 0, g.index * 100, g, None))
    if not options:
        return _none(
            req, inventory, f"no MIG device {req.partition} or larger, and no GPU with enough memory"
        )
    rank, _, _, _, _, g, pick = min(options, key=lambda t: t[:5])
    m: MigInfo | None = pick
    level: Level = LEVELS[rank]  # type: ignore[assignment]
    extra = ""
    limit = None
    if m is None:
        limit = need
        extra = (
            f"whole GPU stands in for the {req.partition} slice: GPU memory is watched at "
            f"{_gib(need or 0)}; SM share is not emulated"
        )
    return _placed(req, level, [(g, m)], extra, limit)


def _placed(
    req: GpuRequest,
    level: Level,
    picks: list[tuple[GpuInfo, MigInfo | None]],
    extra: str,
    limit: int | None = None,
) -> Placement:
    ids = [m.cuda_id if m is not None else g.uuid for g, m in picks]
    where = ", ".join(
        f"MIG {m.profile} (slot {m.index}) of GPU {g.index} {g.name} ({m.cuda_id})"
        if m is not None
        else f"GPU {g.index} {g.name} ({g.uuid}, {_gib(g.memory_bytes)})"
        for g, m in picks
    )
    note = f" ({req.note})" if req.note else ""
    message = f"{level}: requested {req.describe()}{note}; placed on {where}"
    if extra:
        message += f"; {extra}"
    return Placement(
        level=level,
        cuda_visible_devices=format_visible(ids),
        message=message,
        requested=req.describe(),
        uuids=tuple(ids),
        mig=any(m is not None for _, m in picks),
        gpu_memory_limit_bytes=limit,
        model=picks[0][0].model,
    )
