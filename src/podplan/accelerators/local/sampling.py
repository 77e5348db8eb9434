"""Sample GPU memory and utilisation while an isolated task runs; turn the peak into advice.

The sampler polls NVML for the pinned devices (spec §1.6): per-process memory of the task's
process group where NVML reports it, otherwise the device's ``used`` memory minus a baseline taken
before launch; device utilisation where supported (``None`` on MIG devices, never a fake 0). A
failing query on one device is recorded and sampling goes on.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from podplan.accelerators.local.backend import NvmlBackend, describe_error
from podplan.accelerators.local.names import GIB, catalog_model, parse_mig_profile

__all__ = ["GpuSampler", "GpuStats", "rightsizing_line"]


@dataclass
class GpuStats:
    """Peaks seen by the sampler (``None``: not measured) and why something was not measured."""

    peak_memory_bytes: int | None = None
    peak_utilization: int | None = None
    samples: int = 0
    notes: list[str] = field(default_factory=list)


def _used(nv: NvmlBackend, handle: Any) -> int | None:
    try:
        return int(nv.nvmlDeviceGetMemoryInfo(handle, version=nv.nvmlMemory_v2).used)
    except nv.NVMLError_FunctionNotFound:
        pass
    except nv.NVMLError:
        return None
    try:
        return int(nv.nvmlDeviceGetMemoryInfo(handle).used)
    except nv.NVMLError:
        return None


class GpuSampler:
    """Background thread: ``start()`` before launching the task, ``stop()`` after it ended."""

    def __init__(
        self,
        backend: NvmlBackend,
        uuids: Sequence[str],
        pids: Callable[[], Sequence[int]],
        interval: float = 0.5,
        on_sample: Callable[[GpuStats], None] | None = None,
    ) -> None:
        self.nv = backend
        self.uuids = list(uuids)
        self.pids = pids
        self.interval = interval
        self.on_sample = on_sample
        self.stats = GpuStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._handles: list[Any] = []
        self._baseline: list[int] = []
        self._open = False

    def start(self) -> None:
        """Initialise NVML, take the baseline, start polling."""
        nv = self.nv
        try:
            nv.nvmlInit()
            self._open = True
        except Exception as exc:
            self.stats.notes.append(f"GPU sampling unavailable: {describe_error(exc)}")
            return
        for uuid in self.uuids:
            try:
                handle = nv.nvmlDeviceGetHandleByUUID(uuid)
            except nv.NVMLError as exc:
                self.stats.notes.append(f"cannot sample {uuid}: {describe_error(exc)}")
                continue
            self._handles.append(handle)
            self._baseline.append(_used(nv, handle) or 0)
        if self._handles:
            self._thread = threading.Thread(target=self._run, name="podplan-gpu-sampler", daemon=True)
            self._thread.start()

    def sample(self) -> None:
        """Take one sample of every pinned device (also called by the thread)."""
        nv = self.nv
        pids = set(self.pids())
        total = 0
        measured = False
        for handle, base in zip(self._handles, self._baseline, strict=True):
            per_process = None
            with contextlib.suppress(Exception):
                procs = nv.nvmlDeviceGetComputeRunningProcesses(handle)
                mine = [p.usedGpuMemory for p in procs if p.pid in pids and p.usedGpuMemory is not None]
                per_process = sum(mine) if mine else None
            if per_process is None:
                used = _used(nv, handle)
                per_process = None if used is None else max(used - base, 0)
            if per_process is not None:
                total += per_process
                measured = True
            try:
                util = int(nv.nvmlDeviceGetUtilizationRates(handle).gpu)
            except nv.NVMLError:
                util = None  # MIG devices: not supported; report None, not 0
            if util is not None:
                peak = self.stats.peak_utilization
                self.stats.peak_utilization = util if peak is None else max(peak, util)
        if measured:
            peak_mem = self.stats.peak_memory_bytes
            self.stats.peak_memory_bytes = total if peak_mem is None else max(peak_mem, total)
        self.stats.samples += 1
        if self.on_sample is not None:
            self.on_sample(self.stats)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception as exc:
                self.stats.notes.append(f"GPU sample failed: {describe_error(exc)}")
            self._stop.wait(self.interval)

    def stop(self) -> GpuStats:
        """Stop polling (one last sample), shut NVML down and return the stats."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            with contextlib.suppress(Exception):
                self.sample()
        if self._open:
            with contextlib.suppress(Exception):
                self.nv.nvmlShutdown()
            self._open = False
        return self.stats


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEFHILMNORSX8" else "a"


def rightsizing_line(peak_bytes: int | None, models: Sequence[str | None], why_not: str = "") -> str:
    """``"peak GPU memory 3.1 GiB: an A100 1g.5gb slice fits"``, using the MIG profiles of the
    first catalog model in ``models`` that has them (the declared model first)."""
    if peak_bytes is None:
        return "peak GPU memory: not measured" + (f" ({why_not})" if why_not else "")
    peak = f"peak GPU memory {peak_bytes / GIB:.1f} GiB"
    for name in models:
        model = catalog_model(name) if name else None
        profiles = getattr(model, "mig_profiles", None) or {}
        plain = [p for p in profiles.values() if not getattr(p, "attributes", ())]
        if not plain or model is None:
            continue
        display = str(model.name).replace("_", " ")
        ordered = sorted(plain, key=lambda p: (int(p.memory_bytes), int(p.compute_slices)))
        for prof in ordered:
            if peak_bytes <= 0.95 * int(prof.memory_bytes):
                return f"{peak}: {_article(display)} {display} {prof.name} slice fits"
        largest = ordered[-1].name
        return f"{peak}: more than any {display} MIG slice holds (largest {largest}); use whole GPUs"
    for name in models:
        model = catalog_model(name) if name else None
        if model is not None:
            share = 100 * peak_bytes / max(int(model.memory_bytes), 1)
            size = f"{model.memory_bytes / GIB:.0f} GiB"
            return f"{peak}: {share:.0f}% of {_article(str(model.name))} {model.name} ({size})"
    return peak


def profile_memory_bytes(profile: str) -> int | None:
    """Nominal memory of a MIG profile name (``"1g.5gb"`` → 5 GiB)."""
    parsed = parse_mig_profile(profile)
    return parsed.memory_gb * GIB if parsed else None
