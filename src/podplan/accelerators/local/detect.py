"""Detect local NVIDIA GPUs and MIG devices through NVML; never raises for "no GPU".

:func:`detect` follows the enumeration recipe of ``specs/nvml-local-gpus.md`` §1.4: physical GPUs
by index (skipping devices the process may not open), MIG devices by slot (sparse slots skipped
with ``continue``, not ``break``), MIG profile names computed from ``nvmlDeviceGetAttributes`` with
the go-nvlib half-up rule and cross-checked against the ``"… MIG <profile>"`` name suffix. It honours
an inherited ``CUDA_VISIBLE_DEVICES`` and always shuts NVML down.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Hashable, Mapping
from typing import Any

from podplan.accelerators.local.backend import NvmlBackend, current_backend, describe_error
from podplan.accelerators.local.cvd import Candidate, parse_visible
from podplan.accelerators.local.model import GpuInfo, Inventory, MigInfo, Status
from podplan.accelerators.local.names import (
    MIB,
    canonical,
    mig_profile_name,
    parse_mig_profile,
    split_mig_name,
)

__all__ = ["detect", "normalize_bus_id"]

#: first driver with ``MIG-<uuid>`` identifiers; older ones use ``MIG-GPU-<uuid>/<gi>/<ci>``
MIG_UUID_DRIVER = (470, 42, 1)

_INIT_STATUS: dict[str, tuple[Status, str]] = {
    "NVMLError_LibraryNotFound": (
        "no-driver",
        "NVML library (libnvidia-ml.so.1) not found: no NVIDIA driver is installed here, or the "
        "container was started without the NVIDIA runtime; tasks run on CPU",
    ),
    "NVMLError_DriverNotLoaded": (
        "driver-not-loaded",
        "the NVIDIA driver is installed but its kernel module is not loaded (nvidia-smi fails too); "
        "load it (modprobe nvidia) or reboot",
    ),
    "NVMLError_NoPermission": (
        "no-permission",
        "no permission to open the NVIDIA driver: check the /dev/nvidia* device permissions or the "
        "container's device cgroup",
    ),
    "NVMLError_LibRmVersionMismatch": (
        "error",
        "NVML and the kernel driver have different versions (the driver was upgraded without "
        "reloading the module); reboot or reload the nvidia kernel module",
    ),
}


def normalize_bus_id(bus_id: str) -> str:
    """``"00000000:0A:00.0"`` → ``"0000:0a:00.0"`` (the sysfs/CUDA form; non-zero domains kept)."""
    text = bus_id.strip().lower()
    dom, sep, rest = text.partition(":")
    if not sep:
        return text
    return f"{int(dom, 16):04x}:{rest}" if dom else text


def _driver_tuple(version: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in (version or "").split("."))
    except ValueError:
        return None


class _Reader:
    """One enumeration pass over an initialised backend."""

    def __init__(self, nv: NvmlBackend) -> None:
        self.nv = nv
        self.notes: list[str] = []
        self.no_permission: list[int] = []
        self.failed: list[int] = []
        self.driver_version: str | None = None
        self.cuda_version: int | None = None

    def optional(self, fn: str, *args: Any) -> Any:
        """Call an optional query; ``None`` when the device or driver does not support it."""
        try:
            return getattr(self.nv, fn)(*args)
        except self.nv.NVMLError:
            return None
        except self.nv.NVMLLibraryMismatchError:
            return None

    def memory_total(self, handle: Any) -> int | None:
        nv = self.nv
        try:
            return int(nv.nvmlDeviceGetMemoryInfo(handle, version=nv.nvmlMemory_v2).total)
        except nv.NVMLError_FunctionNotFound:
            pass  # pre-510 driver: v1 only
        except nv.NVMLError:
            return None
        try:
            return int(nv.nvmlDeviceGetMemoryInfo(handle).total)
        except nv.NVMLError:
            return None

    def system(self) -> None:
        self.driver_version = self.optional("nvmlSystemGetDriverVersion")
        if isinstance(self.driver_version, bytes):
            self.driver_version = self.driver_version.decode()
        self.cuda_version = self.optional("nvmlSystemGetCudaDriverVersion")

    def legacy_mig_ids(self) -> bool:
        version = _driver_tuple(self.driver_version)
        return version is not None and version < MIG_UUID_DRIVER

    def gpus(self) -> list[GpuInfo]:
        nv = self.nv
        out: list[GpuInfo] = []
        for i in range(int(nv.nvmlDeviceGetCount())):
            try:
                handle = nv.nvmlDeviceGetHandleByIndex(i)
                out.append(self.gpu(i, handle))
            except nv.NVMLError_NoPermission:
                self.no_permission.append(i)
                self.notes.append(f"GPU {i}: no permission to open it (hidden by a cgroup or container?)")
            except nv.NVMLError as exc:
                self.failed.append(i)
                self.notes.append(f"GPU {i}: skipped, {describe_error(exc)}")
        return out

    def gpu(self, index: int, handle: Any) -> GpuInfo:
        nv = self.nv
        name = _text(nv.nvmlDeviceGetName(handle))
        uuid = _text(nv.nvmlDeviceGetUUID(handle))
        pci = self.optional("nvmlDeviceGetPciInfo", handle)
        bus_id = normalize_bus_id(_text(pci.busId)) if pci is not None else None
        total = self.memory_total(handle)
        if total is None:
            self.notes.append(f"GPU {index}: total memory not available (unified-memory device?)")
        cc = self.optional("nvmlDeviceGetCudaComputeCapability", handle)
        arch = self.optional("nvmlDeviceGetArchitecture", handle)
        mode = self.optional("nvmlDeviceGetMigMode", handle)
        current, pending = (bool(mode[0]), bool(mode[1])) if mode else (False, False)
        migs = self.migs(index, handle, uuid, total or 0) if current else ()
        if pending != current:
            change = "enable" if pending else "disable"
            self.notes.append(f"GPU {index}: MIG mode {change} is pending until the GPU is reset")
        canon = canonical(name, total)
        return GpuInfo(
            index=index,
            uuid=uuid,
            name=name,
            memory_bytes=total or 0,
            pci_bus_id=bus_id,
            compute_capability=(int(cc[0]), int(cc[1])) if cc else None,
            architecture=int(arch) if arch is not None else None,
            family=canon.family,
            model=canon.model,
            device=canon.device,
            mig_enabled=current,
            mig_pending=pending,
            mig=migs,
        )

    def migs(self, index: int, parent: Any, parent_uuid: str, parent_total: int) -> tuple[MigInfo, ...]:
        nv = self.nv
        try:
            slots = int(nv.nvmlDeviceGetMaxMigDeviceCount(parent))
        except nv.NVMLError:
            slots = 0
        out: list[MigInfo] = []
        for j in range(slots):
            try:
                handle = nv.nvmlDeviceGetMigDeviceHandleByIndex(parent, j)
            except (nv.NVMLError_NotFound, nv.NVMLError_InvalidArgument):
                continue  # sparse slots: continue, not break
            except nv.NVMLError as exc:
                self.notes.append(f"GPU {index} MIG slot {j}: skipped, {describe_error(exc)}")
                continue
            try:
                out.append(self.mig(index, j, handle, parent_uuid, parent_total))
            except nv.NVMLError as exc:
                self.notes.append(f"GPU {index} MIG slot {j}: skipped, {describe_error(exc)}")
        return tuple(out)

    def mig(self, index: int, slot: int, handle: Any, parent_uuid: str, parent_total: int) -> MigInfo:
        uuid = _text(self.nv.nvmlDeviceGetUUID(handle))
        name = _text(self.optional("nvmlDeviceGetName", handle) or "")
        gi = self.optional("nvmlDeviceGetGpuInstanceId", handle)
        ci = self.optional("nvmlDeviceGetComputeInstanceId", handle)
        attrs = self.optional("nvmlDeviceGetAttributes", handle)
        _, named = split_mig_name(name)
        g = c = None
        memory = None
        profile = None
        if attrs is not None and parent_total > 0:
            g, c = int(attrs.gpuInstanceSliceCount), int(attrs.computeInstanceSliceCount)
            memory = int(attrs.memorySizeMB) * MIB
            profile = mig_profile_name(g, c, int(attrs.memorySizeMB), parent_total)
            named_p = parse_mig_profile(named) if named else None
            if named_p is not None and named_p.attrs and _base(named_p.name) == profile:
                # the unprivileged attributes cannot tell +me/+gfx/-me; the name suffix can
                profile = named_p.name
            elif named_p is not None and named_p.name != profile:
                self.notes.append(
                    f"GPU {index} MIG slot {slot}: computed profile {profile} but NVML names it {named}"
                )
        if profile is None:
            parsed = parse_mig_profile(named) if named else None
            profile = named if named else "unknown"
            if parsed is not None:
                g, c = parsed.gpu_slices, parsed.compute_slices
        if memory is None:
            memory = self.memory_total(handle) or 0
        cuda_id = uuid
        if not uuid.startswith("MIG-GPU-") and self.legacy_mig_ids() and gi is not None and ci is not None:
            cuda_id = f"MIG-{parent_uuid}/{gi}/{ci}"
        return MigInfo(
            index=slot,
            uuid=uuid,
            cuda_id=cuda_id,
            name=name,
            profile=profile,
            memory_bytes=memory,
            gpu_instance_id=gi,
            compute_instance_id=ci,
            gpu_slices=g,
            compute_slices=c,
        )


def _base(profile: str) -> str:
    """A profile name without its attributes: ``"1g.10gb+me"`` → ``"1g.10gb"``."""
    for i, ch in enumerate(profile):
        if ch in "+-":
            return profile[:i]
    return profile


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _apply_visible(
    devices: list[GpuInfo], value: str | None, order: str | None, notes: list[str]
) -> list[GpuInfo]:
    """Keep what an inherited ``CUDA_VISIBLE_DEVICES`` lets this process see."""
    if value is None:
        return devices
    candidates: list[Candidate] = []
    for gpu in devices:
        candidates.append(Candidate(key=("gpu", gpu.index), ids=(gpu.uuid,), index=gpu.index))
        candidates.extend(
            Candidate(key=("mig", gpu.index, m.index), ids=(m.uuid, m.cuda_id)) for m in gpu.mig
        )
    keys: set[Hashable] = set(parse_visible(value, candidates) or [])
    uses_index = any(t.strip()[:1].isdigit() for t in value.split(","))
    if uses_index and order != "PCI_BUS_ID" and len({g.name for g in devices}) > 1:
        notes.append(
            "CUDA_VISIBLE_DEVICES uses indices while CUDA_DEVICE_ORDER is not PCI_BUS_ID: CUDA may "
            "number these mixed GPUs differently from NVML; use UUIDs"
        )
    kept: list[GpuInfo] = []
    for gpu in devices:
        if ("gpu", gpu.index) in keys:
            kept.append(gpu)
            continue
        migs = tuple(m for m in gpu.mig if ("mig", gpu.index, m.index) in keys)
        if migs:
            kept.append(_replace_mig(gpu, migs))
    hidden = len(devices) - len(kept)
    if hidden:
        notes.append(f"CUDA_VISIBLE_DEVICES={value!r} hides {hidden} of {len(devices)} GPUs")
    return kept


def _replace_mig(gpu: GpuInfo, migs: tuple[MigInfo, ...]) -> GpuInfo:
    from dataclasses import replace

    return replace(gpu, mig=migs)


def detect(backend: NvmlBackend | None = None, *, environ: Mapping[str, str] | None = None) -> Inventory:
    """Return the local GPU inventory. Never raises for a missing GPU, driver, library or
    permission: ``status`` is then ``no-driver``, ``driver-not-loaded``, ``no-permission`` or
    ``error``, and ``reason`` says why. NVML is always shut down before returning.

    ``backend`` defaults to :func:`~podplan.accelerators.local.backend.current_backend` (the real
    ``pynvml``, or the fake named by ``PODPLAN_FAKE_NVML``); ``environ`` defaults to ``os.environ``
    (its ``CUDA_VISIBLE_DEVICES`` bounds what is reported).
    """
    env = os.environ if environ is None else environ
    if backend is None:
        try:
            backend = current_backend()
        except ImportError:
            return Inventory("error", "nvidia-ml-py is not installed (pip install nvidia-ml-py)")
    nv = backend
    try:
        nv.nvmlInit()
    except nv.NVMLError as exc:
        status, reason = _INIT_STATUS.get(
            type(exc).__name__, ("error", f"NVML initialisation failed: {describe_error(exc)}")
        )
        return Inventory(status, reason)
    except (AttributeError, OSError) as exc:  # a corrupted or shadowed pynvml module
        return Inventory("error", f"NVML bindings unusable ({type(exc).__name__}: {exc})")
    reader = _Reader(nv)
    try:
        reader.system()
        devices = reader.gpus()
    except nv.NVMLError as exc:
        return Inventory(
            "error", f"NVML query failed: {describe_error(exc)}", diagnostics=tuple(reader.notes)
        )
    finally:
        with contextlib.suppress(nv.NVMLError):
            nv.nvmlShutdown()
    visible = env.get("CUDA_VISIBLE_DEVICES")
    shown = _apply_visible(devices, visible, env.get("CUDA_DEVICE_ORDER"), reader.notes)
    status, reason = _summary(devices, shown, reader)
    return Inventory(
        status=status,
        reason=reason,
        devices=tuple(shown),
        driver_version=reader.driver_version,
        cuda_driver_version=reader.cuda_version,
        visible_devices=visible,
        diagnostics=tuple(reader.notes),
    )


def _summary(all_devices: list[GpuInfo], shown: list[GpuInfo], reader: _Reader) -> tuple[Status, str]:
    total = len(all_devices) + len(reader.no_permission) + len(reader.failed)
    migs = sum(len(g.mig) for g in shown)
    found = f"{len(shown)} GPU(s)" + (f" with {migs} MIG device(s)" if migs else "")
    if reader.no_permission:
        denied = ", ".join(str(i) for i in reader.no_permission)
        usable = f"{len(all_devices)} of {total} GPUs usable" if all_devices else "no GPU is usable"
        return "no-permission", (
            f"no permission to open GPU {denied} (hidden by a cgroup or container?); {usable}"
        )
    if total == 0:
        return "ok", "NVML found no NVIDIA GPU on this machine; tasks run on CPU"
    if not all_devices:
        return "error", "every GPU failed to answer NVML: " + "; ".join(reader.notes)
    if not shown:
        return "ok", f"CUDA_VISIBLE_DEVICES hides every GPU ({len(all_devices)} present); tasks run on CPU"
    if reader.failed:
        lost = ", ".join(str(i) for i in reader.failed)
        return "ok", f"found {found}; GPU {lost} did not answer NVML and is left out"
    return "ok", f"found {found}"
