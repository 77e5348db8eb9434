"""A table-driven fake of NVML with ``pynvml``'s function names, structs and exception classes.

:class:`FakeNVML` behaves like the ``pynvml`` module of ``nvidia-ml-py`` on a recorded machine:

* it raises the *real* ``pynvml.NVMLError_*`` classes (same ``value`` codes) and returns the real
  ctypes structs (``c_nvmlMemory_t``, ``nvmlPciInfo_t``, ``c_nvmlDeviceAttributes`` …), so the code
  under test runs its ``except`` clauses and field accesses unchanged;
* its quirks are NVML's: every call before ``nvmlInit`` (or after a failed one) raises
  ``NVMLError_Uninitialized``, ``nvmlShutdown`` included; init is reference counted; empty MIG
  slots raise ``NVMLError_NotFound``; ``nvmlDeviceIsMigDeviceHandle`` returns a ``ctypes.c_uint``;
  utilisation on a MIG device raises ``NotSupported``; a C symbol the recorded driver lacks raises
  ``NVMLError_FunctionNotFound`` (``NVMLLibraryMismatchError`` through unversioned wrappers);
* per-call error injection (:meth:`FakeNVML.fail`) and time series for sampling
  (:meth:`FakeNVML.set_series`).

Profiles are JSON tables (``podplan/testing/profiles/*.json``, see :func:`profile_names`); a
profile recorded from a real machine with ``podplan gpus --dump`` loads the same way.

The fake lives beside the NVML boundary (:mod:`podplan.accelerators.local.backend`) because
``PODPLAN_FAKE_NVML`` selects it at run time; :mod:`podplan.testing` re-exports it with the
``fake_nvml`` context manager and pytest fixture.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from podplan.accelerators.local.profiles import PROFILE_DIR, error_class, load_profile, profile_names
from podplan.errors import GPUProfileError

__all__ = ["PROFILE_DIR", "FakeHandle", "FakeNVML", "load_profile", "profile_names"]
_MIB = 1 << 20


def _pynvml() -> Any:
    import pynvml

    # under ``fake_nvml(patch_pynvml=True)`` the module slot holds a fake: use the real one behind it
    return getattr(pynvml, "_nv", pynvml)


class FakeHandle:
    """An opaque device handle (a GPU or a MIG device); compare by identity, as real handles."""

    __slots__ = ("_dev", "_mig", "_parent")

    def __init__(self, dev: dict[str, Any], mig: dict[str, Any] | None, parent: FakeHandle | None) -> None:
        self._dev = dev
        self._mig = mig
        self._parent = parent

    def __repr__(self) -> str:
        what = f"MIG slot {self._mig['slot']} of " if self._mig else ""
        return f"<FakeNVML handle {what}GPU {self._dev['uuid']}>"


class _Failure:
    __slots__ = ("error", "function", "remaining", "target")

    def __init__(self, function: str, error: type[BaseException], target: Any, remaining: int | None):
        self.function, self.error, self.target, self.remaining = function, error, target, remaining


class FakeNVML:
    """A fake ``pynvml`` module driven by a profile (built-in name, JSON path or dict).

    Pass it wherever podplan takes an NVML backend (``detect(backend=fake)``), or install it
    process-wide with :func:`podplan.testing.fake_nvml`. Attributes it does not define
    (``NVMLError_*`` classes, ``NVML_*`` constants, struct classes) come from the real ``pynvml``
    module.
    """

    def __init__(self, profile: str | Path | Mapping[str, Any] = "dgx-a100-mig") -> None:
        self.profile: dict[str, Any] = load_profile(profile)
        self._nv = _pynvml()
        self._lock = threading.RLock()
        self._refcount = 0
        self._failures: list[_Failure] = []
        self._cursors: dict[tuple[int, str], int] = {}
        self._missing = set(self.profile.get("missing_functions", []))
        #: names of the NVML functions called, in order (for assertions in tests)
        self.calls: list[str] = []
        self.init_count = 0
        self.shutdown_count = 0
        self._gpus: list[FakeHandle] = []
        self._migs: dict[int, dict[int, FakeHandle]] = {}
        for dev in self.profile.get("devices", []):
            gpu = FakeHandle(dev, None, None)
            self._gpus.append(gpu)
            self._migs[id(gpu)] = {
                m["slot"]: FakeHandle(dev, m, gpu) for m in dev.get("mig_devices") or [] if "uuid" in m
            }

    # ---------------------------------------------------------------- plumbing
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        real = getattr(self._nv, name, None)
        if name.startswith("nvml") and (real is None or callable(real)) and not isinstance(real, type):
            # a function this fake does not model: the real one would need the driver symbol
            def missing(*_args: Any, **_kwargs: Any) -> Any:
                self._enter(name, None, symbol=name)
                raise self._nv.NVMLError_FunctionNotFound()

            return missing
        if real is None:
            raise AttributeError(f"FakeNVML has no attribute {name!r}")
        return real

    @property
    def initialized(self) -> bool:
        """True between a successful ``nvmlInit`` and the matching ``nvmlShutdown``."""
        return self._refcount > 0

    def fail(
        self, function: str, error: Any, *, device: int | str | None = None, times: int | None = None
    ) -> FakeNVML:
        """Make ``function`` raise ``error`` (a name such as ``"GpuIsLost"``, a code, or a class),
        for one device (NVML index or UUID) or all, ``times`` times or until :meth:`clear_failures`."""
        self._failures.append(_Failure(function, error_class(self._nv, error), device, times))
        return self

    def clear_failures(self) -> None:
        """Remove every injected failure."""
        self._failures.clear()

    def set_series(
        self,
        device: int | str,
        *,
        memory_used: list[int] | None = None,
        gpu_util: list[int | None] | None = None,
        memory_util: list[int | None] | None = None,
        processes: list[list[dict[str, Any]]] | None = None,
    ) -> FakeNVML:
        """Give a device (NVML index or GPU/MIG UUID) time series: each read of memory, utilisation
        or running processes returns the next value and then repeats the last one. Every NVML
        session (the first ``nvmlInit`` after a full shutdown) replays the series from the start."""
        entry = self._entry(device)
        series = entry.setdefault("series", {})
        for key, values in (
            ("memory_used", memory_used),
            ("gpu_util", gpu_util),
            ("memory_util", memory_util),
            ("processes", processes),
        ):
            if values is not None:
                series[key] = list(values)
                self._cursors.pop((id(entry), key), None)
        return self

    def _entry(self, device: int | str) -> dict[str, Any]:
        for gpu in self._gpus:
            if device in (gpu._dev["uuid"], self._gpus.index(gpu)):
                return gpu._dev
            for mig in self._migs[id(gpu)].values():
                if mig._mig is not None and device == mig._mig["uuid"]:
                    return mig._mig
        raise GPUProfileError(f"no device {device!r} in profile {self.profile.get('name')!r}")

    def _next(self, entry: dict[str, Any], key: str, default: Any) -> Any:
        values = entry.get("series", {}).get(key)
        if not values:
            return default
        cur = self._cursors.get((id(entry), key), 0)
        self._cursors[(id(entry), key)] = cur + 1
        return values[min(cur, len(values) - 1)]

    def _matches(self, target: Any, handle: FakeHandle | None) -> bool:
        if target is None:
            return True
        if handle is None:
            return False
        ids = {handle._dev["uuid"]} if handle._mig is None else {handle._mig["uuid"]}
        gpu = handle._parent or handle
        if handle._mig is None and gpu in self._gpus:
            ids.add(self._gpus.index(gpu))
        return target in ids

    def _enter(self, name: str, handle: FakeHandle | None, *, symbol: str | None = None) -> None:
        """Record the call; raise what NVML would: uninitialised, injected, recorded, missing."""
        with self._lock:
            self.calls.append(name)
            if self._refcount <= 0:
                raise self._nv.NVMLError_Uninitialized()
            for failure in self._failures:
                if failure.function == name and self._matches(failure.target, handle):
                    if failure.remaining is not None:
                        failure.remaining -= 1
                        if failure.remaining <= 0:
                            self._failures.remove(failure)
                    raise failure.error()
            if handle is not None:
                entry = handle._mig if handle._mig is not None else handle._dev
                err = entry.get("errors", {}).get(name)
                if err is not None:
                    raise error_class(self._nv, err)()
            if (symbol or name) in self._missing:
                raise self._nv.NVMLError_FunctionNotFound()

    def _handle(self, handle: Any) -> FakeHandle:
        if not isinstance(handle, FakeHandle):
            raise self._nv.NVMLError_InvalidArgument()
        return handle

    # ---------------------------------------------------------------- init / system
    def nvmlInitWithFlags(self, flags: int) -> None:
        """Initialise (reference counted); raises the profile's ``init_error`` if it has one."""
        with self._lock:
            self.calls.append("nvmlInit")
            err = self.profile.get("init_error")
            if err:
                raise error_class(self._nv, err)()
            if self._refcount == 0:
                self._cursors.clear()  # every NVML session replays the time series from the start
            self._refcount += 1
            self.init_count += 1

    def nvmlInit(self) -> None:
        """``nvmlInitWithFlags(0)``."""
        self.nvmlInitWithFlags(0)

    def nvmlShutdown(self) -> None:
        """Drop one reference; raises ``Uninitialized`` when not initialised (as NVML does)."""
        self._enter("nvmlShutdown", None)
        with self._lock:
            self._refcount -= 1
            self.shutdown_count += 1

    def nvmlSystemGetDriverVersion(self) -> str:
        """The recorded driver version, e.g. ``"550.54.15"``."""
        self._enter("nvmlSystemGetDriverVersion", None)
        return str(self.profile.get("driver_version", "550.54.15"))

    def nvmlSystemGetNVMLVersion(self) -> str:
        """The recorded NVML version, e.g. ``"12.550.54.15"``."""
        self._enter("nvmlSystemGetNVMLVersion", None)
        return str(self.profile.get("nvml_version", "12." + self.nvmlSystemGetDriverVersion()))

    def nvmlSystemGetCudaDriverVersion(self) -> int:
        """The CUDA driver version as an int, e.g. ``12040``."""
        self._enter("nvmlSystemGetCudaDriverVersion", None)
        return int(self.profile.get("cuda_driver_version", 12040))

    nvmlSystemGetCudaDriverVersion_v2 = nvmlSystemGetCudaDriverVersion

    # ---------------------------------------------------------------- handles
    def nvmlDeviceGetCount(self) -> int:
        """Physical GPUs only (MIG devices are not counted), including inaccessible ones."""
        self._enter("nvmlDeviceGetCount", None, symbol="nvmlDeviceGetCount_v2")
        return len(self._gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeHandle:
        """The handle of GPU ``index``; ``InvalidArgument`` when out of range."""
        handle = self._gpus[index] if 0 <= index < len(self._gpus) else None
        self._enter("nvmlDeviceGetHandleByIndex", handle, symbol="nvmlDeviceGetHandleByIndex_v2")
        if handle is None:
            raise self._nv.NVMLError_InvalidArgument()
        return handle

    def nvmlDeviceGetHandleByUUID(self, uuid: str | bytes) -> FakeHandle:
        """A GPU (``GPU-…``) or MIG (``MIG-…``) handle by UUID; ``NotFound`` when unknown."""
        text = uuid.decode() if isinstance(uuid, bytes) else uuid
        found = None
        for gpu in self._gpus:
            if gpu._dev["uuid"] == text:
                found = gpu
            for mig in self._migs[id(gpu)].values():
                if mig._mig is not None and mig._mig["uuid"] == text:
                    found = mig
        self._enter("nvmlDeviceGetHandleByUUID", found)
        if found is None:
            raise self._nv.NVMLError_NotFound()
        return found

    def nvmlDeviceGetHandleByPciBusId(self, bus_id: str | bytes) -> FakeHandle:
        """A GPU handle by PCI bus id (either the 8- or the 4-digit domain form)."""
        text = (bus_id.decode() if isinstance(bus_id, bytes) else bus_id).lower()
        found = next(
            (g for g in self._gpus if g._dev.get("pci", {}).get("bus_id", "").lower().endswith(text[-12:])),
            None,
        )
        self._enter("nvmlDeviceGetHandleByPciBusId", found, symbol="nvmlDeviceGetHandleByPciBusId_v2")
        if found is None:
            raise self._nv.NVMLError_NotFound()
        return found

    def nvmlDeviceGetIndex(self, handle: Any) -> int:
        """The NVML index of a GPU, or the MIG index under its parent for a MIG handle."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetIndex", h)
        return int(h._mig["slot"]) if h._mig is not None else self._gpus.index(h)

    # ---------------------------------------------------------------- identity
    def nvmlDeviceGetName(self, handle: Any) -> str:
        """``"NVIDIA A100-SXM4-40GB"``; ``"… MIG 1g.5gb"`` for a MIG handle."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetName", h)
        if h._mig is not None:
            return str(h._mig.get("name", h._dev["name"]))
        return str(h._dev["name"])

    def nvmlDeviceGetUUID(self, handle: Any) -> str:
        """``GPU-…`` or ``MIG-…`` (``MIG-GPU-…/gi/ci`` on recorded pre-R470 drivers)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetUUID", h)
        return str((h._mig or h._dev)["uuid"])

    def nvmlDeviceGetPciInfo(self, handle: Any) -> Any:
        """A real ``nvmlPciInfo_t`` (``busId`` with an 8-digit domain, ``busIdLegacy`` with 4)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetPciInfo", h, symbol="nvmlDeviceGetPciInfo_v3")
        pci = h._dev.get("pci") or {}
        bus_id = str(pci.get("bus_id", "00000000:00:00.0"))
        dom, bus, rest = bus_id.split(":")
        info = self._nv.nvmlPciInfo_t()
        info.busId = bus_id
        info.busIdLegacy = f"{int(dom, 16):04X}:{bus}:{rest}"
        info.domain, info.bus, info.device = int(dom, 16), int(bus, 16), int(rest.split(".")[0], 16)
        info.pciDeviceId = int(pci.get("device_id", 0))
        info.pciSubSystemId = int(pci.get("subsystem_id", 0))
        return info

    nvmlDeviceGetPciInfo_v3 = nvmlDeviceGetPciInfo

    def nvmlDeviceGetCudaComputeCapability(self, handle: Any) -> tuple[int, int]:
        """``(major, minor)``; a MIG handle reports its parent's."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetCudaComputeCapability", h)
        major, minor = h._dev.get("compute_capability", [0, 0])
        return (int(major), int(minor))

    def nvmlDeviceGetArchitecture(self, handle: Any) -> int:
        """An ``NVML_DEVICE_ARCH_*`` value."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetArchitecture", h)
        return int(h._dev.get("architecture", self._nv.NVML_DEVICE_ARCH_UNKNOWN))

    def nvmlDeviceGetBrand(self, handle: Any) -> int:
        """An ``NVML_BRAND_*`` value."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetBrand", h)
        return int(h._dev.get("brand", self._nv.NVML_BRAND_NVIDIA))

    # ---------------------------------------------------------------- memory / sampling
    def nvmlDeviceGetMemoryInfo(self, handle: Any, version: int | None = None) -> Any:
        """``c_nvmlMemory_t`` (v1: ``used`` includes reserved memory) or, with
        ``version=nvmlMemory_v2``, ``c_nvmlMemory_v2_t`` (``FunctionNotFound`` on old drivers)."""
        h = self._handle(handle)
        symbol = "nvmlDeviceGetMemoryInfo_v2" if version else "nvmlDeviceGetMemoryInfo"
        self._enter("nvmlDeviceGetMemoryInfo", h, symbol=symbol)
        entry = h._mig if h._mig is not None else h._dev
        mem = entry.get("memory") or {}
        attrs = entry.get("attributes") or {}
        total = int(mem.get("total", int(attrs.get("memory_mb", 0)) * _MIB))
        reserved = int(mem.get("reserved", 0))
        used = int(self._next(entry, "memory_used", mem.get("used", 0)))
        if version:
            out = self._nv.c_nvmlMemory_v2_t()
            out.version, out.total, out.reserved = version, total, reserved
            out.used, out.free = used, max(total - reserved - used, 0)
            return out
        out = self._nv.c_nvmlMemory_t()
        out.total, out.used, out.free = total, used + reserved, max(total - used - reserved, 0)
        return out

    def nvmlDeviceGetUtilizationRates(self, handle: Any) -> Any:
        """``c_nvmlUtilization_t`` (``.gpu``, ``.memory`` in %); ``NotSupported`` on MIG devices."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetUtilizationRates", h)
        util = h._dev.get("utilization", {"gpu": 0, "memory": 0})
        if h._mig is not None or util is None:
            raise self._nv.NVMLError_NotSupported()
        gpu = self._next(h._dev, "gpu_util", util.get("gpu", 0))
        memory = self._next(h._dev, "memory_util", util.get("memory", 0))
        if gpu is None or memory is None:
            raise self._nv.NVMLError_NotSupported()
        out = self._nv.c_nvmlUtilization_t()
        out.gpu, out.memory = int(gpu), int(memory)
        return out

    def nvmlDeviceGetComputeRunningProcesses(self, handle: Any) -> list[Any]:
        """Friendly objects with ``pid``, ``usedGpuMemory`` (``None`` when N/A), ``gpuInstanceId``,
        ``computeInstanceId``; ``NVMLLibraryMismatchError`` when the driver lacks the ``_v3`` symbol."""
        h = self._handle(handle)
        try:
            self._enter(
                "nvmlDeviceGetComputeRunningProcesses", h, symbol="nvmlDeviceGetComputeRunningProcesses_v3"
            )
        except self._nv.NVMLError_FunctionNotFound:
            raise self._nv.NVMLLibraryMismatchError(
                "Unversioned function called and the pyNVML version does not match the NVML lib version."
            ) from None
        entry = h._mig if h._mig is not None else h._dev
        procs = self._next(entry, "processes", entry.get("processes", []))
        return [
            self._nv.nvmlFriendlyObject(
                {
                    "pid": int(p["pid"]),
                    "usedGpuMemory": p.get("used_memory"),
                    "gpuInstanceId": int(p.get("gpu_instance_id", 0xFFFFFFFF)),
                    "computeInstanceId": int(p.get("compute_instance_id", 0xFFFFFFFF)),
                }
            )
            for p in procs
        ]

    def nvmlDeviceGetCpuAffinity(self, handle: Any, cpu_set_size: int) -> Any:
        """A ``c_ulonglong`` array of CPU bit masks (64 CPUs per word)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetCpuAffinity", h)
        words = (ctypes.c_ulonglong * cpu_set_size)()
        for cpu in h._dev.get("cpu_affinity", []):
            if cpu // 64 < cpu_set_size:
                words[cpu // 64] |= 1 << (cpu % 64)
        return words

    # ---------------------------------------------------------------- MIG
    def nvmlDeviceGetMigMode(self, handle: Any) -> list[int]:
        """``[current, pending]``; ``NotSupported`` on GPUs without MIG."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetMigMode", h)
        mode = h._dev.get("mig_mode")
        if mode is None or h._mig is not None:
            raise self._nv.NVMLError_NotSupported()
        return [int(mode[0]), int(mode[1])]

    def nvmlDeviceGetMaxMigDeviceCount(self, handle: Any) -> int:
        """The number of MIG slots (``NotSupported`` when the profile records ``null``)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetMaxMigDeviceCount", h)
        count = h._dev.get("max_mig_devices", 0)
        if count is None:
            raise self._nv.NVMLError_NotSupported()
        return int(count)

    def nvmlDeviceGetMigDeviceHandleByIndex(self, handle: Any, index: int) -> FakeHandle:
        """The MIG device in slot ``index``; empty slots raise ``NotFound`` (or the recorded error)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetMigDeviceHandleByIndex", h)
        if h._mig is not None:
            raise self._nv.NVMLError_InvalidArgument()
        for slot in h._dev.get("mig_devices") or []:
            if slot["slot"] == index and "error" in slot:
                raise error_class(self._nv, slot["error"])()
        mig = self._migs[id(h)].get(index)
        if mig is None:
            raise self._nv.NVMLError_NotFound()
        return mig

    def nvmlDeviceIsMigDeviceHandle(self, handle: Any) -> ctypes.c_uint:
        """A raw ``ctypes.c_uint``, as pynvml returns it (``bool()`` works, ``== 1`` does not)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceIsMigDeviceHandle", h)
        return ctypes.c_uint(1 if h._mig is not None else 0)

    def nvmlDeviceGetDeviceHandleFromMigDeviceHandle(self, handle: Any) -> FakeHandle:
        """The parent GPU of a MIG handle."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetDeviceHandleFromMigDeviceHandle", h)
        if h._parent is None:
            raise self._nv.NVMLError_InvalidArgument()
        return h._parent

    def _mig_int(self, name: str, handle: Any, key: str) -> int:
        h = self._handle(handle)
        self._enter(name, h)
        if h._mig is None or key not in h._mig:
            raise (
                self._nv.NVMLError_InvalidArgument() if h._mig is None else self._nv.NVMLError_NotSupported()
            )
        return int(h._mig[key])

    def nvmlDeviceGetGpuInstanceId(self, handle: Any) -> int:
        """The GPU instance id of a MIG device."""
        return self._mig_int("nvmlDeviceGetGpuInstanceId", handle, "gpu_instance_id")

    def nvmlDeviceGetComputeInstanceId(self, handle: Any) -> int:
        """The compute instance id of a MIG device."""
        return self._mig_int("nvmlDeviceGetComputeInstanceId", handle, "compute_instance_id")

    def nvmlDeviceGetAttributes(self, handle: Any) -> Any:
        """A real ``c_nvmlDeviceAttributes`` for a MIG handle (``NotSupported`` for a GPU)."""
        h = self._handle(handle)
        self._enter("nvmlDeviceGetAttributes", h, symbol="nvmlDeviceGetAttributes_v2")
        attrs = (h._mig or {}).get("attributes")
        if h._mig is None or attrs is None:
            raise self._nv.NVMLError_NotSupported()
        out = self._nv.c_nvmlDeviceAttributes()
        out.multiprocessorCount = int(attrs.get("multiprocessor_count", 0))
        out.sharedCopyEngineCount = int(attrs.get("copy_engine_count", 0))
        out.sharedDecoderCount = int(attrs.get("decoder_count", 0))
        out.sharedEncoderCount = int(attrs.get("encoder_count", 0))
        out.sharedJpegCount = int(attrs.get("jpeg_count", 0))
        out.sharedOfaCount = int(attrs.get("ofa_count", 0))
        out.gpuInstanceSliceCount = int(attrs["gpu_slices"])
        out.computeInstanceSliceCount = int(attrs["compute_slices"])
        out.memorySizeMB = int(attrs["memory_mb"])
        return out

    nvmlDeviceGetAttributes_v2 = nvmlDeviceGetAttributes
