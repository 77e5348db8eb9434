"""Local execution context of a task: its environment and the local-GPU hook.

Calling a task locally enters :func:`task_run_context`, which

1. sets the task's ``environment`` variables and restores the previous values afterwards —
   also when the task raises or the user presses Ctrl-C;
2. when the task (or node) declares an accelerator or a GPU count, enters the **local GPU
   hook**: by default ``podplan.accelerators.local.local_gpu_context(accelerator=…, gpu=…,
   task_name=…, task_policy=…)``, which detects local GPUs, places the task on a matching
   GPU or MIG slice (``CUDA_VISIBLE_DEVICES``) and restores everything on exit.

The hook is replaceable with :func:`set_local_gpu_hook` (tests, custom schedulers).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from podplan._environ import environ_restored

#: signature of the hook: ``hook(*, accelerator, gpu, task_name, task_policy) -> context manager``
LocalGPUHook = Callable[..., contextlib.AbstractContextManager[Any]]

_hook: LocalGPUHook | None = None


def set_local_gpu_hook(hook: LocalGPUHook | None) -> LocalGPUHook | None:
    """Install ``hook`` as the local GPU placement hook (``None`` restores the default).

    Returns the previous hook.
    """
    global _hook
    previous = _hook
    _hook = hook
    return previous


def _default_hook(**kwargs: Any) -> contextlib.AbstractContextManager[Any]:
    import importlib

    module = importlib.import_module("podplan.accelerators.local")
    context: contextlib.AbstractContextManager[Any] = module.local_gpu_context(**kwargs)
    return context


@contextlib.contextmanager
def environment_applied(env: Mapping[str, str]) -> Iterator[None]:
    """Set ``env`` in ``os.environ`` for the duration of the block, then restore it exactly."""
    if not env:
        yield
        return
    with environ_restored(env):
        os.environ.update(env)
        yield


def _gpu_quantity(resources: Any) -> Any:
    if resources is None:
        return None
    limits = getattr(resources, "limits", None)
    requests = getattr(resources, "requests", None)
    gpu = getattr(limits, "gpu", None) if limits is not None else None
    if gpu is None and requests is not None:
        gpu = getattr(requests, "gpu", None)
    return gpu


@contextlib.contextmanager
def task_run_context(
    task: Any, *, accelerator: Any = None, resources: Any = None, name: str | None = None
) -> Iterator[None]:
    """Environment + GPU placement for one local call of ``task``.

    ``accelerator`` / ``resources`` override the task's own (a node's overrides).
    """
    acc = accelerator if accelerator is not None else getattr(task, "accelerator", None)
    gpu = _gpu_quantity(resources if resources is not None else getattr(task, "resources", None))
    with environment_applied(getattr(task, "environment", None) or {}):
        if acc is None and (gpu is None or str(gpu) == "0"):
            yield
            return
        hook = _hook or _default_hook
        with hook(
            accelerator=acc,
            gpu=gpu,
            task_name=name or getattr(task, "name", "task"),
            task_policy=getattr(task, "local_gpu_policy", None),
        ):
            yield
