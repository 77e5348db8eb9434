"""The one narrow NVML boundary: which ``pynvml``-like object podplan talks to.

Order of precedence:

1. a backend installed with :func:`use_backend` (what ``podplan.testing.fake_nvml`` does);
2. ``PODPLAN_FAKE_NVML=<profile name | JSON path>``: a
   :class:`~podplan.accelerators.local.fake.FakeNVML` (re-exported as ``podplan.testing.FakeNVML``)
   of that profile, so the CLI and local execution run on a recorded machine;
3. the real ``pynvml`` module of ``nvidia-ml-py``, imported lazily (never the deprecated
   ``pynvml`` distribution).

Everything else in :mod:`podplan.accelerators.local` receives the backend as an argument and calls
``pynvml``'s function names on it; no other module imports ``pynvml``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any, Final

__all__ = ["FAKE_ENV", "NvmlBackend", "current_backend", "error_code", "nvml_session", "use_backend"]

#: environment variable that swaps the real NVML for a recorded profile
FAKE_ENV: Final = "PODPLAN_FAKE_NVML"

#: A ``pynvml``-like object: the real module or a ``FakeNVML``. podplan uses ``nvmlInit``,
#: ``nvmlShutdown``, ``nvmlSystemGetDriverVersion``, ``nvmlSystemGetCudaDriverVersion``,
#: ``nvmlDeviceGetCount``, ``nvmlDeviceGetHandleByIndex``, ``nvmlDeviceGetHandleByUUID``,
#: ``nvmlDeviceGetName``, ``nvmlDeviceGetUUID``, ``nvmlDeviceGetPciInfo``,
#: ``nvmlDeviceGetMemoryInfo``, ``nvmlDeviceGetCudaComputeCapability``, ``nvmlDeviceGetArchitecture``,
#: ``nvmlDeviceGetMigMode``, ``nvmlDeviceGetMaxMigDeviceCount``, ``nvmlDeviceGetMigDeviceHandleByIndex``,
#: ``nvmlDeviceGetGpuInstanceId``, ``nvmlDeviceGetComputeInstanceId``, ``nvmlDeviceGetAttributes``,
#: ``nvmlDeviceGetUtilizationRates``, ``nvmlDeviceGetComputeRunningProcesses``, the ``NVMLError_*``
#: classes and ``nvmlMemory_v2``.
NvmlBackend = Any

_stack: list[Any] = []
_lock = threading.Lock()


@contextlib.contextmanager
def use_backend(backend: NvmlBackend) -> Iterator[NvmlBackend]:
    """Make ``backend`` the NVML backend of this process for the duration of the block."""
    with _lock:
        _stack.append(backend)
    try:
        yield backend
    finally:
        with _lock:
            _stack.remove(backend)


def current_backend() -> NvmlBackend:
    """The backend to use now (see the module docstring). Raises ``ImportError`` when
    ``nvidia-ml-py`` is not installed and no fake is configured; ``GPUProfileError`` for a
    ``PODPLAN_FAKE_NVML`` value that names no profile."""
    with _lock:
        if _stack:
            return _stack[-1]
    spec = os.environ.get(FAKE_ENV)
    if spec:
        from podplan.accelerators.local.fake import FakeNVML

        return FakeNVML(spec)
    import pynvml

    return pynvml


def error_code(exc: BaseException) -> int | None:
    """The NVML error code of an ``NVMLError`` (``None`` for other exceptions)."""
    value = getattr(exc, "value", None)
    return value if isinstance(value, int) else None


def describe_error(exc: BaseException) -> str:
    """``"NVMLError_NotSupported (code 3: Not Supported)"`` without ever needing the library."""
    code = error_code(exc)
    try:
        text = str(exc)
    except Exception:
        text = ""
    name = type(exc).__name__
    if code is None:
        return f"{name}: {text}" if text else name
    return f"{name} (code {code}: {text})" if text else f"{name} (code {code})"


@contextlib.contextmanager
def nvml_session(nv: NvmlBackend) -> Iterator[NvmlBackend]:
    """``nvmlInit`` … ``nvmlShutdown``. Init errors propagate; shutdown errors (e.g.
    ``Uninitialized``) are swallowed so the caller's result or exception is what surfaces."""
    nv.nvmlInit()
    try:
        yield nv
    finally:
        with contextlib.suppress(Exception):
            nv.nvmlShutdown()
