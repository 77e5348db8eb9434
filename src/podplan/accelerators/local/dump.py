"""Record this machine's NVML view as a fake-NVML profile (``podplan gpus --dump``).

The profile has the shape :class:`podplan.testing.FakeNVML` reads, so a recorded machine replays
without its GPUs: ``detect(FakeNVML(dump_profile()))`` equals ``detect()`` on the machine itself
(the contract tests marked ``gpu`` check exactly that). Errors NVML raised while recording are
recorded too (init errors, per-device ``NoPermission``, empty or invalid MIG slots).
"""

from __future__ import annotations

import contextlib
import platform
from typing import Any

from podplan.accelerators.local.backend import NvmlBackend, current_backend

__all__ = ["dump_profile"]


def _err(exc: BaseException) -> str:
    return type(exc).__name__.removeprefix("NVMLError_")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _try(nv: NvmlBackend, errors: dict[str, str], fn: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return getattr(nv, fn)(*args, **kwargs)
    except nv.NVMLError as exc:
        errors[fn] = _err(exc)
    except nv.NVMLLibraryMismatchError:
        errors[fn] = "LibraryMismatch"
    return None


def _memory(nv: NvmlBackend, handle: Any, errors: dict[str, str], missing: set[str]) -> dict[str, int]:
    try:
        mem = nv.nvmlDeviceGetMemoryInfo(handle, version=nv.nvmlMemory_v2)
        return {"total": int(mem.total), "reserved": int(mem.reserved), "used": int(mem.used)}
    except nv.NVMLError_FunctionNotFound:
        missing.add("nvmlDeviceGetMemoryInfo_v2")
    except nv.NVMLError as exc:
        errors["nvmlDeviceGetMemoryInfo"] = _err(exc)
        return {"total": 0}
    mem = _try(nv, errors, "nvmlDeviceGetMemoryInfo", handle)
    return (
        {"total": int(mem.total), "reserved": 0, "used": int(mem.used)} if mem is not None else {"total": 0}
    )


def _mig(nv: NvmlBackend, parent: Any, slot: int, missing: set[str]) -> dict[str, Any]:
    try:
        handle = nv.nvmlDeviceGetMigDeviceHandleByIndex(parent, slot)
    except nv.NVMLError as exc:
        return {"slot": slot, "error": _err(exc)}
    errors: dict[str, str] = {}
    entry: dict[str, Any] = {"slot": slot, "uuid": _text(nv.nvmlDeviceGetUUID(handle))}
    name = _try(nv, errors, "nvmlDeviceGetName", handle)
    if name is not None:
        entry["name"] = _text(name)
    for key, fn in (
        ("gpu_instance_id", "nvmlDeviceGetGpuInstanceId"),
        ("compute_instance_id", "nvmlDeviceGetComputeInstanceId"),
    ):
        value = _try(nv, errors, fn, handle)
        if value is not None:
            entry[key] = int(value)
    try:
        attrs = nv.nvmlDeviceGetAttributes(handle)
        entry["attributes"] = {
            "gpu_slices": int(attrs.gpuInstanceSliceCount),
            "compute_slices": int(attrs.computeInstanceSliceCount),
            "memory_mb": int(attrs.memorySizeMB),
            "multiprocessor_count": int(attrs.multiprocessorCount),
        }
    except nv.NVMLError_FunctionNotFound:
        missing.add("nvmlDeviceGetAttributes_v2")
    except nv.NVMLError as exc:
        errors["nvmlDeviceGetAttributes"] = _err(exc)
    entry["memory"] = _memory(nv, handle, errors, missing)
    if errors:
        entry["errors"] = errors
    return entry


def _device(nv: NvmlBackend, index: int, missing: set[str]) -> dict[str, Any]:
    try:
        handle = nv.nvmlDeviceGetHandleByIndex(index)
    except nv.NVMLError as exc:
        # the device exists (it is counted) but cannot be opened: record the refusal
        return {
            "name": "unknown",
            "uuid": f"GPU-unreadable-{index}",
            "memory": {"total": 0},
            "errors": {"nvmlDeviceGetHandleByIndex": _err(exc)},
        }
    errors: dict[str, str] = {}
    dev: dict[str, Any] = {
        "name": _text(nv.nvmlDeviceGetName(handle)),
        "uuid": _text(nv.nvmlDeviceGetUUID(handle)),
    }
    pci = _try(nv, errors, "nvmlDeviceGetPciInfo", handle)
    if pci is not None:
        dev["pci"] = {
            "bus_id": _text(pci.busId),
            "device_id": int(pci.pciDeviceId),
            "subsystem_id": int(pci.pciSubSystemId),
        }
    dev["memory"] = _memory(nv, handle, errors, missing)
    cc = _try(nv, errors, "nvmlDeviceGetCudaComputeCapability", handle)
    dev["compute_capability"] = list(cc) if cc is not None else None
    for key, fn in (("architecture", "nvmlDeviceGetArchitecture"), ("brand", "nvmlDeviceGetBrand")):
        value = _try(nv, errors, fn, handle)
        if value is not None:
            dev[key] = int(value)
    mode = _try(nv, {}, "nvmlDeviceGetMigMode", handle)
    dev["mig_mode"] = list(mode) if mode is not None else None
    count = _try(nv, {}, "nvmlDeviceGetMaxMigDeviceCount", handle)
    dev["max_mig_devices"] = int(count) if count is not None else None
    migs: list[dict[str, Any]] = []
    if mode is not None and mode[0]:
        migs = [_mig(nv, handle, j, missing) for j in range(int(count or 0))]
        migs = [m for m in migs if m.get("error") != "NotFound"]
    dev["mig_devices"] = migs
    util = _try(nv, {}, "nvmlDeviceGetUtilizationRates", handle)
    dev["utilization"] = {"gpu": int(util.gpu), "memory": int(util.memory)} if util is not None else None
    if errors:
        dev["errors"] = errors
    return dev


def dump_profile(backend: NvmlBackend | None = None, *, name: str | None = None) -> dict[str, Any]:
    """Record what NVML reports on this machine as a profile dict (JSON-serialisable)."""
    nv = backend if backend is not None else current_backend()
    profile: dict[str, Any] = {
        "name": name or f"recorded-{platform.node() or 'machine'}",
        "description": f"recorded with `podplan gpus --dump` on {platform.platform()}",
    }
    try:
        nv.nvmlInit()
    except nv.NVMLError as exc:
        profile.update(init_error=_err(exc), devices=[])
        return profile
    missing: set[str] = set()
    try:
        system: dict[str, str] = {}
        profile["driver_version"] = _text(_try(nv, system, "nvmlSystemGetDriverVersion"))
        profile["nvml_version"] = _text(_try(nv, system, "nvmlSystemGetNVMLVersion"))
        profile["cuda_driver_version"] = _try(nv, system, "nvmlSystemGetCudaDriverVersion")
        profile["devices"] = [_device(nv, i, missing) for i in range(int(nv.nvmlDeviceGetCount()))]
    finally:
        with contextlib.suppress(Exception):
            nv.nvmlShutdown()
    if missing:
        profile["missing_functions"] = sorted(missing)
    return profile
