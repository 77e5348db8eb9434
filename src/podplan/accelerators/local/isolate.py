"""Run a task in a child process that emulates its pod's limits (``podplan run --isolate``).

* the GPU placement (``CUDA_VISIBLE_DEVICES`` by UUID, ``CUDA_DEVICE_ORDER=PCI_BUS_ID``) is in the
  child's environment before it starts, so CUDA initialises with it;
* the CPU limit becomes CPU affinity (``ceil(cpu)`` cores, inside the allowed set) plus
  ``OMP_NUM_THREADS``/``MKL_NUM_THREADS``/``OPENBLAS_NUM_THREADS``;
* the memory limit is *monitored*: a watchdog polls the resident memory of the child's process
  group and kills the group when it crosses the limit (:class:`~podplan.errors.OOMKilledError`).
  ``RLIMIT_AS`` is never used (CUDA reserves huge virtual ranges) and cgroups are not required;
* the timeout kills the process group (SIGTERM, grace period, SIGKILL) →
  :class:`~podplan.errors.TaskTimeoutError`;
* NVML sampling of peak GPU memory and utilisation ends in a right-sizing line.

This module never imports :mod:`podplan.tasks`: it takes plain inputs. The child is a fresh
interpreter (``python -m podplan.accelerators.local._child``) when the callable pickles by
reference; otherwise (a lambda, a closure) it is forked.
"""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from podplan.accelerators.local.apply import PLACED_ENV, place
from podplan.accelerators.local.backend import NvmlBackend
from podplan.accelerators.local.match import Placement, request_for
from podplan.accelerators.local.procs import group_pids, group_rss, kill_group, pick_cpus, reap_group
from podplan.accelerators.local.sampling import GpuSampler, GpuStats, rightsizing_line
from podplan.accelerators.local.targets import needs_of
from podplan.errors import LocalExecutionError, OOMKilledError, TaskTimeoutError

__all__ = ["IsolatedResult", "run_isolated", "run_task_isolated"]

_THREAD_VARS: Final = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_MIB: Final = 1 << 20


@dataclass(frozen=True)
class IsolatedResult:
    """What an isolated run returned and measured."""

    value: Any
    placement: Placement | None
    duration_s: float
    peak_rss_bytes: int | None
    peak_gpu_memory_bytes: int | None
    peak_gpu_utilization: int | None
    cpus: tuple[int, ...] | None
    memory_mode: str
    report: str
    notes: tuple[str, ...] = field(default=())


def _bytes(memory: Any) -> int | None:
    if memory is None:
        return None
    if isinstance(memory, int) and not isinstance(memory, bool):
        return memory
    if isinstance(memory, (tuple, list)):
        return _bytes(memory[-1])
    if hasattr(memory, "value") and callable(memory.value):
        return int(memory.value())
    from podplan.resources import Quantity

    return int(Quantity(memory).value())


def _cores(cpu: Any) -> int | None:
    if cpu is None:
        return None
    if isinstance(cpu, (tuple, list)):
        return _cores(cpu[-1])
    if hasattr(cpu, "milli_value") and callable(cpu.milli_value):
        return max(1, math.ceil(int(cpu.milli_value()) / 1000))
    if isinstance(cpu, (int, float)) and not isinstance(cpu, bool):
        return max(1, math.ceil(cpu))
    from podplan.resources import Quantity

    return max(1, math.ceil(int(Quantity(cpu).milli_value()) / 1000))


def _seconds(timeout: Any) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, timedelta):
        return timeout.total_seconds() or None
    return float(timeout) or None


class _Child:
    """A started child: a ``Popen`` (fresh interpreter) or a forked pid."""

    def __init__(self, pid: int, popen: subprocess.Popen[bytes] | None) -> None:
        self.pid = pid
        self.popen = popen
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self.popen is not None:
            self.returncode = self.popen.poll()
        else:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def alive(self) -> bool:
        return self.poll() is None


def _start(
    payload: Any, env: dict[str, str], cpus: tuple[int, ...] | None, result: Path, mode: str
) -> _Child:
    header = {"sys_path": list(sys.path), "cpus": cpus, "result": str(result), "env": env}
    if mode == "spawn":
        path = result.with_name("payload.pkl")
        path.write_bytes(pickle.dumps((header, pickle.dumps(payload))))
        child_env = {**os.environ, **env}
        popen = subprocess.Popen(
            [sys.executable, "-m", "podplan.accelerators.local._child", str(path)],
            env=child_env,
            start_new_session=True,
        )
        return _Child(popen.pid, popen)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked child; measured through its effects
        from podplan.accelerators.local._child import run_payload

        code = 1
        try:
            os.setsid()
            code = run_payload(header, payload)
        finally:
            os._exit(code)
    return _Child(pid, None)


def _picklable(payload: Any) -> bool:
    try:
        pickle.dumps(payload)
    except Exception:
        return False
    return True


def run_isolated(
    func: Callable[..., Any],
    args: tuple[Any, ...] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    task_name: str | None = None,
    accelerator: Any = None,
    gpu: Any = None,
    cpu: Any = None,
    memory: Any = None,
    timeout: float | timedelta | None = None,
    task_policy: str | None = None,
    policy: str | None = None,
    backend: NvmlBackend | None = None,
    poll_interval: float = 0.05,
    gpu_poll_interval: float = 0.5,
    grace_period: float = 2.0,
    start_method: str = "auto",
) -> IsolatedResult:
    """Run ``func(*args, **kwargs)`` in an isolated child process.

    A callable that pickles by reference (a module-level function, a task, or
    :class:`podplan.cli.targets.TargetCall`, which makes the child load a CLI target itself) runs
    in a fresh interpreter; any other callable runs in a forked child.

    ``accelerator``/``gpu`` are placed as :func:`~podplan.accelerators.local.local_gpu_context`
    does (same policies); ``cpu`` (cores or a quantity) becomes CPU affinity; ``memory`` (bytes or a
    quantity such as ``"512Mi"``) is the monitored memory limit; ``timeout`` is in seconds or a
    ``timedelta``. Raises :class:`~podplan.errors.TaskTimeoutError`,
    :class:`~podplan.errors.OOMKilledError`, the task's own exception, or
    :class:`~podplan.errors.LocalExecutionError` when the child dies otherwise.
    """
    name = task_name or getattr(func, "__qualname__", None) or getattr(func, "task_name", None) or "task"
    placement, env = place(
        accelerator=accelerator,
        gpu=gpu,
        task_name=name,
        task_policy=task_policy,
        policy=policy,
        backend=backend,
    )
    env = {**env, PLACED_ENV: "1"}
    limit = _bytes(memory)
    cores = _cores(cpu)
    cpus = pick_cpus(cores) if cores else None
    notes: list[str] = []
    if cores and cpus is None:
        notes.append("CPU affinity is not available on this platform; the CPU limit is not emulated")
    if cpus is not None:
        env.update({var: str(len(cpus)) for var in _THREAD_VARS})
    payload: tuple[Any, ...] = ("call", func, tuple(args), dict(kwargs or {}))
    mode = start_method
    if mode == "auto":
        mode = "spawn" if _picklable(payload) else "fork"
    sampler = _sampler(placement, backend, gpu_poll_interval)
    with tempfile.TemporaryDirectory(prefix="podplan-run-") as tmp:
        result_path = Path(tmp) / "result.pkl"
        started = time.monotonic()
        child = _start(payload, env, cpus, result_path, mode)
        if sampler is not None:
            sampler.pids = lambda: group_pids(child.pid)
            sampler.start()
        try:
            peak_rss = _watch(
                child, name, limit, _seconds(timeout), poll_interval, grace_period, sampler, placement
            )
        finally:
            stats = sampler.stop() if sampler is not None else GpuStats()
            if child.alive():
                kill_group(child.pid, 0.0, child.alive)
                while child.alive():
                    time.sleep(0.01)
            left = reap_group(child.pid)
            if left:
                notes.append(
                    f"{left} process(es) the task started were still running when it ended and "
                    "were killed (a pod's container ends with its main process)"
                )
        duration = time.monotonic() - started
        outcome, child_notes = _read_result(result_path, child, name)
    notes.extend(child_notes)
    notes.extend(stats.notes)
    request = request_for(accelerator, gpu)
    models = [request.model if request else None, placement.model if placement else None]
    why = "no GPU was placed" if placement is None or not placement.placed else "no sample"
    report = rightsizing_line(stats.peak_memory_bytes, models, why)
    return IsolatedResult(
        value=outcome,
        placement=placement,
        duration_s=duration,
        peak_rss_bytes=peak_rss,
        peak_gpu_memory_bytes=stats.peak_memory_bytes,
        peak_gpu_utilization=stats.peak_utilization,
        cpus=cpus,
        memory_mode="monitored" if limit is not None else "none",
        report=report,
        notes=tuple(notes),
    )


def run_task_isolated(
    task: Any,
    inputs: Mapping[str, Any] | None = None,
    *,
    policy: str | None = None,
    timeout: float | timedelta | None = None,
    **options: Any,
) -> IsolatedResult:
    """Run a task object (podplan or converted flytekit) isolated, with the accelerator, GPU count,
    CPU and memory limits and timeout it declares — the Python equivalent of
    ``podplan run TARGET --isolate``. ``timeout`` overrides the task's; ``options`` go to
    :func:`run_isolated` (``poll_interval``, ``grace_period``, ``backend`` …)."""
    needs = needs_of(task)
    return run_isolated(
        task,
        kwargs=inputs,
        task_name=needs.name,
        accelerator=needs.accelerator,
        gpu=needs.gpu,
        cpu=needs.cpu,
        memory=needs.memory,
        timeout=timeout if timeout is not None else needs.timeout,
        task_policy=needs.policy,
        policy=policy,
        **options,
    )


def _sampler(placement: Placement | None, backend: NvmlBackend | None, interval: float) -> GpuSampler | None:
    if placement is None or not placement.placed:
        return None
    if backend is None:
        from podplan.accelerators.local.backend import current_backend

        try:
            backend = current_backend()
        except ImportError:
            return None
    return GpuSampler(backend, placement.uuids, lambda: [], interval=interval)


def _watch(
    child: _Child,
    name: str,
    limit: int | None,
    timeout: float | None,
    interval: float,
    grace: float,
    sampler: GpuSampler | None,
    placement: Placement | None,
) -> int | None:
    """Wait for the child; enforce timeout and memory limits. Returns the peak RSS seen."""
    start = time.monotonic()
    peak: int | None = None
    gpu_limit = placement.gpu_memory_limit_bytes if placement is not None else None
    while child.alive():
        rss = group_rss(child.pid)
        if rss is not None:
            peak = rss if peak is None else max(peak, rss)
        if limit is not None and rss is not None and rss > limit:
            sent = kill_group(child.pid, grace, child.alive)
            raise OOMKilledError(
                f"task {name!r} was OOM-killed: its processes used {rss / _MIB:.0f} MiB of resident "
                f"memory, over its memory limit of {limit / _MIB:.0f} MiB ({sent} sent to process group "
                f"{child.pid}; podplan's watchdog emulates the kubelet's OOM kill)"
            )
        gpu_peak = sampler.stats.peak_memory_bytes if sampler is not None else None
        if gpu_limit is not None and gpu_peak is not None and gpu_peak > gpu_limit:
            sent = kill_group(child.pid, grace, child.alive)
            raise OOMKilledError(
                f"task {name!r} was killed: it used {gpu_peak / (1 << 30):.1f} GiB of GPU memory, more "
                f"than the {gpu_limit / (1 << 30):.1f} GiB of the MIG slice it declared ({sent})"
            )
        if timeout is not None and time.monotonic() - start > timeout:
            sent = kill_group(child.pid, grace, child.alive)
            raise TaskTimeoutError(
                f"task {name!r} exceeded its timeout of {timeout:g}s and was killed ({sent} sent to "
                f"process group {child.pid})"
            )
        time.sleep(interval)
    return peak


def _read_result(path: Path, child: _Child, name: str) -> tuple[Any, tuple[str, ...]]:
    """The child's return value and notes; its exception is re-raised here."""
    code = child.poll()
    if not path.exists():
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        raise LocalExecutionError(
            f"task {name!r} died without a result ({how}; the kernel OOM killer or an os._exit?)"
        )
    ok, value, type_name, message, trace, notes = pickle.loads(path.read_bytes())
    if ok:
        return value, tuple(notes)
    extra = "".join(f"\nnote: {note}" for note in notes)
    if isinstance(value, BaseException):
        if trace:
            note = f"(raised in the isolated process of task {name!r}){extra}\n{trace}"
            if hasattr(value, "add_note"):
                value.add_note(note)
            else:  # Python 3.10: PEP 678's attribute by hand
                value.__notes__ = [*getattr(value, "__notes__", ()), note]  # type: ignore[attr-defined]
        raise value
    raise LocalExecutionError(f"task {name!r} raised {type_name}: {message}{extra}\n{trace}")
