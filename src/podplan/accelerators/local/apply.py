"""Apply a placement around a local task call, and restore the environment afterwards.

:func:`local_gpu_context` is the hook podplan's local task execution calls::

    with local_gpu_context(accelerator=task.accelerator, gpu=<GPU count>, task_name=task.name,
                           task_policy=getattr(task, "local_gpu_policy", None)):
        result = task_function(**inputs)

It detects the GPUs, matches the request, applies the policy (:mod:`.policy`), sets
``CUDA_VISIBLE_DEVICES`` (UUIDs; the MIG UUID for a slice) and ``CUDA_DEVICE_ORDER=PCI_BUS_ID``, and
restores both exactly — set, unset or empty — on exit, also on exceptions and ``KeyboardInterrupt``.
CUDA reads the variables once, when it initialises: in-process pinning works only if the process
has not initialised CUDA yet; the isolated runner (:mod:`.isolate`) sets them in a fresh child.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any, Final

from podplan._environ import environ_restored
from podplan.accelerators.local.backend import NvmlBackend
from podplan.accelerators.local.match import Placement, match, request_for
from podplan.accelerators.local.policy import resolve_policy
from podplan.errors import LocalGPUWarning, PlacementError

__all__ = ["PLACED_ENV", "local_gpu_context", "place", "placement_environment"]

#: set in an isolated child whose placement the parent already applied: the child does not re-place
PLACED_ENV: Final = "PODPLAN_LOCAL_GPU_PLACED"
_PINNED_KEYS: Final = ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER")


def placement_environment(placement: Placement, policy: str, task_name: str) -> dict[str, str]:
    """The variables to set for ``placement`` under ``policy`` (empty: change nothing).

    Raises :class:`~podplan.errors.PlacementError` under ``strict`` when the placement is a
    substitute or none; warns (:class:`~podplan.errors.LocalGPUWarning`) under ``warn``/``cpu``.
    """
    who = f"task {task_name!r}"
    if policy == "off":
        return {}
    if placement.level in ("exact", "compatible"):
        return placement.env()
    if policy == "strict":
        found = "only a substitute GPU" if placement.level == "substitute" else "no matching GPU"
        raise PlacementError(
            f"{who} cannot run under local GPU policy 'strict': {found} here. {placement.message}. "
            "Set PODPLAN_LOCAL_GPU=warn (or cpu) to run anyway"
        )
    if placement.level == "substitute":
        warnings.warn(f"{who} runs on a substitute GPU: {placement.message}", LocalGPUWarning, stacklevel=5)
        return placement.env()
    if policy == "cpu":
        warnings.warn(f"{who} runs on CPU (GPUs hidden): {placement.message}", LocalGPUWarning, stacklevel=5)
        return {"CUDA_VISIBLE_DEVICES": ""}
    warnings.warn(f"{who} runs unpinned: {placement.message}", LocalGPUWarning, stacklevel=5)
    return {}


def place(
    *,
    accelerator: Any,
    gpu: Any,
    task_name: str,
    task_policy: str | None = None,
    policy: str | None = None,
    backend: NvmlBackend | None = None,
) -> tuple[Placement | None, dict[str, str]]:
    """Detect, match and apply the policy without touching the environment.

    Returns ``(placement, variables to set)``; ``(None, {})`` when the policy is ``off``, the task
    needs no GPU, or an isolating parent already placed this process.
    """
    from podplan.accelerators.local.detect import detect

    chosen = resolve_policy(policy, task_policy)
    if chosen == "off" or os.environ.get(PLACED_ENV):
        return None, {}
    request = request_for(accelerator, gpu)
    if request is None:
        return None, {}
    placement = match(request, detect(backend))
    return placement, placement_environment(placement, chosen, task_name)


def _cuda_already_initialised() -> bool:
    torch = sys.modules.get("torch")
    try:
        return bool(torch is not None and torch.cuda.is_initialized())
    except Exception:
        return False


@contextlib.contextmanager
def local_gpu_context(
    *,
    accelerator: Any,
    gpu: Any,
    task_name: str,
    task_policy: str | None = None,
    policy: str | None = None,
    backend: NvmlBackend | None = None,
) -> Iterator[Placement | None]:
    """Pin the current process to the task's placement for the duration of the block.

    ``gpu`` is the task's GPU count (an int, a ``Quantity``, a (request, limit) pair or a
    ``ResourceSpec``); ``task_policy`` is the task's ``local_gpu_policy`` attribute. Yields the
    :class:`~podplan.accelerators.local.match.Placement` (``None`` when nothing was attempted).
    """
    placement, changes = place(
        accelerator=accelerator,
        gpu=gpu,
        task_name=task_name,
        task_policy=task_policy,
        policy=policy,
        backend=backend,
    )
    with environ_restored(_PINNED_KEYS):
        if changes and _cuda_already_initialised():
            warnings.warn(
                f"task {task_name!r}: CUDA is already initialised in this process, so "
                "CUDA_VISIBLE_DEVICES cannot take effect; use `podplan run --isolate`",
                LocalGPUWarning,
                stacklevel=3,
            )
        os.environ.update(changes)
        yield placement
