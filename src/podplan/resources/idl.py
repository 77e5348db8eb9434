"""Conversion between :class:`ResourceSpec` and flyteidl's ``core.Resources`` (imported lazily).

One order and one filter (DESIGN: flytekit has two of each): entries are emitted in the order
CPU, GPU, MEMORY, EPHEMERAL_STORAGE, for every field that is set — zero included, since
``0`` and ``"0"`` are the same value (D3/D4) — with the quantity's canonical string (D3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podplan.errors import QuantityError, ResourceTypeError
from podplan.resources.model import Resources, ResourceSpec
from podplan.resources.quantity import Quantity

if TYPE_CHECKING:  # pragma: no cover
    from flyteidl.core import tasks_pb2

__all__ = [
    "IDL_ORDER",
    "K8S_RESOURCE_NAMES",
    "from_idl_resources",
    "to_idl_entries",
    "to_idl_resources",
    "to_k8s_resource_list",
]

IDL_ORDER: tuple[tuple[str, str], ...] = (
    ("cpu", "CPU"),
    ("gpu", "GPU"),
    ("mem", "MEMORY"),
    ("ephemeral_storage", "EPHEMERAL_STORAGE"),
)
"""``(Resources field, flyteidl ResourceName)`` in the order entries are emitted."""

K8S_RESOURCE_NAMES: dict[str, str] = {
    "cpu": "cpu",
    "mem": "memory",
    "gpu": "nvidia.com/gpu",
    "ephemeral_storage": "ephemeral-storage",
}
"""Kubernetes resource names of the four fields (the backend hard-codes ``nvidia.com/gpu``)."""

_FIELD_BY_IDL_NAME = {idl: name for name, idl in IDL_ORDER}


def to_idl_entries(resources: Resources | None) -> list[tasks_pb2.Resources.ResourceEntry]:
    """flyteidl ``ResourceEntry`` messages for one side (scalars only), in :data:`IDL_ORDER`."""
    from flyteidl.core import tasks_pb2

    if resources is None:
        return []
    entries = []
    for name, idl_name in IDL_ORDER:
        value = getattr(resources, name)
        if value is None:
            continue
        if isinstance(value, tuple):
            raise ResourceTypeError(
                f"{name}: {(str(value[0]), str(value[1]))} can not be a list or tuple; "
                "split it with ResourceSpec.from_multiple_resource first"
            )
        entries.append(
            tasks_pb2.Resources.ResourceEntry(
                name=tasks_pb2.Resources.ResourceName.Value(idl_name), value=str(value)
            )
        )
    return entries


def to_idl_resources(spec: ResourceSpec | None) -> tasks_pb2.Resources:
    """A flyteidl ``core.Resources`` message for ``spec`` (empty message for ``None``)."""
    from flyteidl.core import tasks_pb2

    if spec is None:
        return tasks_pb2.Resources()
    if not isinstance(spec, ResourceSpec):
        raise ResourceTypeError(f"to_idl_resources expects a ResourceSpec, got {type(spec).__name__}")
    return tasks_pb2.Resources(requests=to_idl_entries(spec.requests), limits=to_idl_entries(spec.limits))


def _side_from_entries(entries: Any, side: str) -> Resources:
    from flyteidl.core import tasks_pb2

    values: dict[str, Quantity] = {}
    for index, entry in enumerate(entries):
        idl_name = tasks_pb2.Resources.ResourceName.Name(entry.name)
        name = _FIELD_BY_IDL_NAME.get(idl_name)
        if name is None:  # UNKNOWN and STORAGE: the backend drops them too
            continue
        try:
            values[name] = Quantity(entry.value)
        except QuantityError as exc:
            raise QuantityError(f"resources.{side}[{index}] ({idl_name}): {exc}") from None
    return Resources(**values)


def from_idl_resources(pb: tasks_pb2.Resources) -> ResourceSpec:
    """Read a flyteidl ``core.Resources`` message back into a :class:`ResourceSpec`.

    ``UNKNOWN``/``STORAGE`` entries are skipped (the backend ignores them); a repeated name keeps
    the last entry (as the backend's map does); an unparsable value raises ``QuantityError``.
    """
    return ResourceSpec(
        requests=_side_from_entries(pb.requests, "requests"),
        limits=_side_from_entries(pb.limits, "limits"),
    )


def to_k8s_resource_list(
    resources: Resources | None, gpu_resource_name: str = "nvidia.com/gpu"
) -> dict[str, str]:
    """``{"cpu": "500m", "memory": "1Gi", ...}`` for one side, Kubernetes names, canonical strings."""
    if resources is None:
        return {}
    out: dict[str, str] = {}
    for name, value in resources.items():
        if isinstance(value, tuple):
            raise ResourceTypeError(f"{name}: a (request, limit) pair can not be a Kubernetes value")
        key = gpu_resource_name if name == "gpu" else K8S_RESOURCE_NAMES[name]
        out[key] = str(value)
    return out
