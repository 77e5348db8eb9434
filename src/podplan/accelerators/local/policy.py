"""The local GPU policy: what to do when the local machine does not match a task's accelerator.

* ``strict`` — run only on an ``exact`` or ``compatible`` placement; otherwise raise
  :class:`~podplan.errors.PlacementError` (with what was requested and found);
* ``warn`` (default) — pin any placement (``substitute`` included, with a warning); when nothing
  matches, warn and leave ``CUDA_VISIBLE_DEVICES`` as it was;
* ``cpu`` — like ``warn``, but when nothing matches hide every GPU (``CUDA_VISIBLE_DEVICES=""``)
  so the task runs on CPU, as it would on a node without the accelerator;
* ``off`` — no detection and no change at all (flytekit's behaviour).

Precedence, first set wins: the ``policy=`` argument of a call; the innermost
``with gpu_policy(...)`` block; the task's ``local_gpu_policy`` attribute; the ``PODPLAN_LOCAL_GPU``
environment variable; ``warn``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping
from typing import Final

from podplan.errors import LocalGPUPolicyError

__all__ = ["DEFAULT_POLICY", "POLICIES", "POLICY_ENV", "gpu_policy", "resolve_policy", "validate_policy"]

POLICIES: Final[tuple[str, ...]] = ("strict", "warn", "cpu", "off")
POLICY_ENV: Final = "PODPLAN_LOCAL_GPU"
DEFAULT_POLICY: Final = "warn"

_scoped: contextvars.ContextVar[str | None] = contextvars.ContextVar("podplan_local_gpu_policy", default=None)


def validate_policy(policy: object, *, where: str = "policy") -> str:
    """Return ``policy`` normalised (lower case) or raise :class:`LocalGPUPolicyError`."""
    if isinstance(policy, str) and policy.strip().lower() in POLICIES:
        return policy.strip().lower()
    raise LocalGPUPolicyError(f"{where} must be one of {', '.join(POLICIES)}; got {policy!r}")


@contextlib.contextmanager
def gpu_policy(policy: str) -> Iterator[str]:
    """Use ``policy`` for every local task call inside the block (overrides task attributes and
    ``PODPLAN_LOCAL_GPU``; a ``policy=`` argument still wins)."""
    token = _scoped.set(validate_policy(policy))
    try:
        yield _scoped.get() or policy
    finally:
        _scoped.reset(token)


def resolve_policy(
    call: str | None = None, task: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """The policy in force: argument > ``gpu_policy`` block > task attribute > environment > warn."""
    if call is not None:
        return validate_policy(call, where="policy argument")
    scoped = _scoped.get()
    if scoped is not None:
        return scoped
    if task is not None:
        return validate_policy(task, where="task attribute local_gpu_policy")
    env = os.environ if environ is None else environ
    value = env.get(POLICY_ENV)
    if value:
        return validate_policy(value, where=POLICY_ENV)
    return DEFAULT_POLICY
