"""``construct_extended_resources``: the task template's ``ExtendedResources`` (accelerator + /dev/shm).

Same wire result as flytekit 1.16 for every value flytekit handles meaningfully, except that
``shared_memory`` is validated (flytekit silently drops ints and passes any string through):
it must be ``True`` (size decided by the backend), ``None``/``False`` (none), or a positive,
whole number of bytes given as a Kubernetes quantity (``"2Gi"``, ``2147483648``), which is
written as its canonical string (``"2048Mi"`` → ``"2Gi"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from podplan.accelerators.base import as_accelerator
from podplan.errors import PodplanError, SharedMemoryError

if TYPE_CHECKING:  # pragma: no cover
    from flyteidl.core import tasks_pb2

    from podplan.resources import Quantity

__all__ = [
    "SHARED_MEMORY_MOUNT_NAME",
    "SHARED_MEMORY_MOUNT_PATH",
    "construct_extended_resources",
    "normalize_shared_memory",
]

#: volume name flytekit (and the backend) use for the shared-memory ``emptyDir``
SHARED_MEMORY_MOUNT_NAME: Final = "flyte-shared-memory"
#: where the shared-memory volume is mounted
SHARED_MEMORY_MOUNT_PATH: Final = "/dev/shm"


def normalize_shared_memory(
    value: object, *, field: str = "shared_memory"
) -> Literal[True] | Quantity | None:
    """Validate a ``shared_memory`` value: ``True``, ``None``/``False`` → ``None``, or a ``Quantity``.

    A quantity must be a positive whole number of bytes (``"2Gi"``, ``"512M"``, ``1073741824``).
    Anything else raises :class:`~podplan.errors.SharedMemoryError` naming the value.
    """
    if value is None or value is False:
        return None
    if value is True:
        return True
    from podplan.resources import Quantity

    if isinstance(value, bool) or not isinstance(value, (str, int, float, Quantity)):
        raise SharedMemoryError(
            f"{field} must be True or a memory quantity such as '2Gi' (str or int bytes), got "
            f"{type(value).__name__} {value!r}"
        )
    try:
        qty = value if isinstance(value, Quantity) else Quantity(value)
    except PodplanError as exc:
        raise SharedMemoryError(f"{field}={value!r} is not a memory quantity: {exc}") from exc
    if qty.as_fraction() <= 0:
        raise SharedMemoryError(f"{field}={value!r} must be a positive memory size such as '2Gi'")
    if not qty.is_integer():
        raise SharedMemoryError(
            f"{field}={value!r} is not a whole number of bytes ({qty}); use a size such as '512Mi'"
        )
    return qty


def construct_extended_resources(
    accelerator: object = None, shared_memory: object = None
) -> tasks_pb2.ExtendedResources | None:
    """Build the ``ExtendedResources`` message of a task template, or ``None`` when empty.

    ``accelerator`` is an accelerator object (see :func:`~podplan.accelerators.as_accelerator`);
    ``shared_memory`` is validated by :func:`normalize_shared_memory`. Mount name
    ``flyte-shared-memory``, path ``/dev/shm``; ``size_limit`` is the canonical quantity string and
    stays unset for ``True``.
    """
    acc = as_accelerator(accelerator)
    shm = normalize_shared_memory(shared_memory)
    if acc is None and shm is None:
        return None
    from flyteidl.core import tasks_pb2

    return tasks_pb2.ExtendedResources(
        gpu_accelerator=None if acc is None else acc.to_flyte_idl(),
        shared_memory=None
        if shm is None
        else tasks_pb2.SharedMemory(
            mount_name=SHARED_MEMORY_MOUNT_NAME,
            mount_path=SHARED_MEMORY_MOUNT_PATH,
            size_limit="" if shm is True else str(shm),
        ),
    )
