"""Accelerator value objects: the classes of ``flytekit.extras.accelerators``, made immutable.

The wire format is ``flyteidl.core.tasks_pb2.GPUAccelerator``: a ``device`` string and an optional
``oneof partition_size_value`` holding either ``unpartitioned = true`` or ``partition_size``.
A MIG-capable accelerator has three states, exactly as flytekit's:

* *plain* (``A100``) — device only, neither partition field set;
* *unpartitioned* (``A100.unpartitioned``) — ``unpartitioned = true``;
* *partitioned* (``A100.partition_1g_5gb``) — ``partition_size = "1g.5gb"``.

Unlike flytekit's, these objects are immutable, hashable and equal by value (DESIGN D4): two
accelerators are equal when they put the same message on the wire, whatever their Python class.
The protobuf module is imported inside :meth:`BaseAccelerator.to_flyte_idl` only.
"""

from __future__ import annotations

import abc
import re
from typing import TYPE_CHECKING, Any, Final, TypeVar

from podplan.errors import AcceleratorError, AcceleratorTypeError

if TYPE_CHECKING:  # pragma: no cover
    from flyteidl.core import tasks_pb2

__all__ = [
    "BaseAccelerator",
    "GPUAccelerator",
    "MultiInstanceGPUAccelerator",
    "TPUAccelerator",
    "accelerator_from_idl",
    "as_accelerator",
    "validate_device",
]

#: Kubernetes label-value syntax: the backend copies the device string into a node-selector value
_LABEL_VALUE_RE: Final = re.compile(r"^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_LABEL_VALUE_MAX: Final = 63


class _Unset:
    """Sentinel type: a MIG accelerator with no partition field on the wire (plain ``A100``)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"


#: the "no partition field at all" state of a :class:`MultiInstanceGPUAccelerator`
UNSET: Final = _Unset()


def validate_device(device: object, *, what: str = "device") -> str:
    """Return ``device`` if it is a usable device string, else raise :class:`AcceleratorError`.

    A device string becomes a Kubernetes node-selector value in the backend, so it must be a valid
    label value: at most 63 characters of ``[A-Za-z0-9-_.]``, starting and ending alphanumeric.
    """
    if not isinstance(device, str):
        raise AcceleratorTypeError(
            f"accelerator {what} must be a str such as 'nvidia-tesla-t4', got {type(device).__name__} "
            f"{device!r}"
        )
    if not device:
        raise AcceleratorError(f"accelerator {what} must not be empty; e.g. 'nvidia-tesla-t4'")
    if len(device) > _LABEL_VALUE_MAX or not _LABEL_VALUE_RE.match(device):
        raise AcceleratorError(
            f"accelerator {what} {device!r} is not a valid Kubernetes label value (the backend uses it as "
            "a node-selector value): at most 63 characters of letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit"
        )
    return device


_GPU_ACCELERATOR: Any = None


def _gpu_accelerator_class() -> Any:
    """``tasks_pb2.GPUAccelerator``, imported on first use (keeps ``import podplan`` light)."""
    global _GPU_ACCELERATOR
    if _GPU_ACCELERATOR is None:
        from flyteidl.core import tasks_pb2

        _GPU_ACCELERATOR = tasks_pb2.GPUAccelerator
    return _GPU_ACCELERATOR


def _rebuild(cls: type[BaseAccelerator], state: dict[str, Any]) -> BaseAccelerator:
    """Unpickling helper: rebuild an accelerator without running ``__init__``."""
    obj = cls.__new__(cls)
    for key, value in state.items():
        object.__setattr__(obj, key, value)
    return obj


_A = TypeVar("_A", bound="MultiInstanceGPUAccelerator")


class BaseAccelerator(abc.ABC):
    """Base class of every accelerator: immutable, hashable, equal by wire value.

    Subclasses implement :meth:`to_flyte_idl` through :meth:`_wire`, which returns the
    ``(device, partition state)`` pair that identifies the accelerator on the wire.
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def device(self) -> str:
        """The device string (e.g. ``"nvidia-tesla-a100"``), the node-label value the backend targets."""

    @property
    def partition_size(self) -> str | None:
        """The partition (MIG profile or TPU topology) asked for, or ``None``."""
        return None

    @property
    def is_unpartitioned(self) -> bool:
        """True when the accelerator explicitly asks for a whole, unpartitioned device."""
        return False

    def _wire(self) -> tuple[str, _Unset | str | None]:
        """The wire identity: ``(device, UNSET | None | partition_size)``."""
        return (self.device, UNSET)

    def to_flyte_idl(self) -> tasks_pb2.GPUAccelerator:
        """Return the ``flyteidl.core.tasks_pb2.GPUAccelerator`` message flytekit 1.16 produces."""
        message = _gpu_accelerator_class()
        device, state = self._wire()
        if state is UNSET:
            return message(device=device)
        if state is None:
            return message(device=device, unpartitioned=True)
        return message(device=device, partition_size=state)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseAccelerator):
            return NotImplemented
        return self._wire() == other._wire()

    def __hash__(self) -> int:
        return hash(("accelerator", *self._wire()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        state = {slot: getattr(self, slot) for slot in _all_slots(type(self))}
        return (_rebuild, (type(self), state))

    def __copy__(self) -> BaseAccelerator:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> BaseAccelerator:
        return self


def _all_slots(cls: type) -> list[str]:
    slots: list[str] = []
    for klass in cls.__mro__:
        for slot in klass.__dict__.get("__slots__", ()):
            if slot not in slots and slot != "__weakref__":
                slots.append(slot)
    return slots


class GPUAccelerator(BaseAccelerator):
    """A GPU model by device string, e.g. ``GPUAccelerator("nvidia-tesla-t4")``.

    Any valid label value is accepted, catalogued or not (as flytekit does), so new or private
    GPU models need no podplan release. Serialises to the device only.
    """

    __slots__ = ("_device",)
    _device: str

    def __init__(self, device: str) -> None:
        object.__setattr__(self, "_device", validate_device(device))

    @property
    def device(self) -> str:
        """The device string."""
        return self._device

    def __repr__(self) -> str:
        return f"GPUAccelerator({self._device!r})"


class MultiInstanceGPUAccelerator(BaseAccelerator):
    """An accelerator that can be partitioned: a MIG-capable GPU (or, as in flytekit, a TPU slice).

    ``MultiInstanceGPUAccelerator(device)`` is the plain state (device only on the wire);
    :meth:`partitioned` and :attr:`unpartitioned` derive the other two states.

    Partitions are checked against the catalog when the device is catalogued: a profile the model
    does not offer raises :class:`~podplan.errors.AcceleratorError` naming the valid ones.
    ``partitioned(name, strict=False)`` is the escape hatch for profiles podplan does not know
    (a new driver's spelling, a new GPU); an uncatalogued device accepts any partition string.
    """

    __slots__ = ("_device", "_partition")
    _device: str
    _partition: str | _Unset | None

    def __init__(
        self, device: str, partition_size: str | _Unset | None = UNSET, *, strict: bool = True
    ) -> None:
        object.__setattr__(self, "_device", validate_device(device))
        object.__setattr__(self, "_partition", UNSET)
        if partition_size is not UNSET:
            object.__setattr__(self, "_partition", self._check_partition(partition_size, strict=strict))

    @classmethod
    def _trusted(cls: type[_A], device: str, partition: str | _Unset | None = UNSET) -> _A:
        """Build without validation (used for the predefined constants, which are tested)."""
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_device", device)
        object.__setattr__(obj, "_partition", partition)
        return obj

    @property
    def device(self) -> str:
        """The device string."""
        return self._device

    @property
    def partition_size(self) -> str | None:
        """The partition asked for (``"1g.5gb"``, ``"2x4"``), or ``None`` when not partitioned."""
        return self._partition if isinstance(self._partition, str) else None

    @property
    def is_unpartitioned(self) -> bool:
        """True for ``X.unpartitioned`` (``unpartitioned = true`` on the wire)."""
        return self._partition is None

    @property
    def valid_partitions(self) -> tuple[str, ...] | None:
        """The partitions the catalog knows for this device, or ``None`` when it is not catalogued."""
        from podplan.accelerators.catalog import valid_partitions

        return valid_partitions(self._device)

    def _check_partition(self, partition_size: object, *, strict: bool) -> str | None:
        if partition_size is None:
            return None
        if not isinstance(partition_size, str):
            raise AcceleratorTypeError(
                f"partition_size for {self._device!r} must be a str such as '1g.5gb', or None for "
                f"unpartitioned; got {type(partition_size).__name__} {partition_size!r}"
            )
        if not partition_size or partition_size != partition_size.strip():
            raise AcceleratorError(
                f"partition_size {partition_size!r} for {self._device!r} must be a non-empty string "
                "without surrounding whitespace"
            )
        if strict:
            valid = self.valid_partitions
            if valid is not None and partition_size not in valid:
                from podplan.accelerators.catalog import partition_hint

                raise AcceleratorError(
                    f"partition_size {partition_size!r} is not offered by {self._device!r}; valid: "
                    f"{', '.join(valid) or 'none'}{partition_hint(partition_size, valid)}. "
                    "Pass strict=False to use an uncatalogued partition anyway"
                )
        return partition_size

    def partitioned(self: _A, partition_size: str | None, *, strict: bool = True) -> _A:
        """Return this accelerator asking for ``partition_size`` (``None`` means unpartitioned).

        With ``strict=True`` (the default) the partition must be one the catalog lists for the
        device; ``strict=False`` accepts any non-empty string (documented escape hatch).
        """
        return type(self)._trusted(self._device, self._check_partition(partition_size, strict=strict))

    @property
    def unpartitioned(self: _A) -> _A:
        """This accelerator asking for a whole GPU (``unpartitioned = true``)."""
        return type(self)._trusted(self._device, None)

    @property
    def plain(self: _A) -> _A:
        """This accelerator with no partition field at all (how the module constants serialise)."""
        return type(self)._trusted(self._device, UNSET)

    def _wire(self) -> tuple[str, _Unset | str | None]:
        return (self._device, self._partition)

    def __repr__(self) -> str:
        name = type(self).__name__
        if name.startswith("_"):  # a predefined family class: show the public base
            name = next(k.__name__ for k in type(self).__mro__ if not k.__name__.startswith("_"))
        if self._partition is UNSET:
            return f"{name}({self._device!r})"
        return f"{name}({self._device!r}, partition_size={self._partition!r})"


class TPUAccelerator(MultiInstanceGPUAccelerator):
    """A Google Cloud TPU; its partitions are slice topologies (``"2x4"``, ``"2x2x1"``).

    A :class:`MultiInstanceGPUAccelerator` subclass, as flytekit's TPU constants are, so that
    code testing ``isinstance(acc, MultiInstanceGPUAccelerator)`` keeps working.
    """

    __slots__ = ()

    @property
    def chips(self) -> int | None:
        """Number of TPU chips of the requested slice (product of the topology), or ``None``."""
        size = self.partition_size
        if size is None:
            return None
        try:
            total = 1
            for dim in size.split("x"):
                total *= int(dim)
        except ValueError:
            return None
        return total


def accelerator_from_idl(pb: tasks_pb2.GPUAccelerator) -> BaseAccelerator:
    """Rebuild an accelerator from its ``GPUAccelerator`` message (inverse of ``to_flyte_idl``).

    Works for any device string; partitions are taken as they are (``strict=False``).
    """
    which = pb.WhichOneof("partition_size_value")
    if which is None:
        return GPUAccelerator(pb.device)
    cls = TPUAccelerator if pb.device.startswith("tpu-") else MultiInstanceGPUAccelerator
    if which == "unpartitioned":
        if not pb.unpartitioned:  # explicit false on the wire: same as unset for the backend
            return cls(pb.device)
        return cls(pb.device, None)
    return cls(pb.device, pb.partition_size, strict=False)


def as_accelerator(value: object, *, field: str = "accelerator") -> BaseAccelerator | None:
    """Coerce ``value`` to an accelerator or raise :class:`~podplan.errors.AcceleratorTypeError`.

    Accepts ``None``, a podplan accelerator, a ``tasks_pb2.GPUAccelerator`` message, or a
    flytekit accelerator object (anything whose ``to_flyte_idl()`` returns that message).
    A plain string is rejected with a hint naming the matching constant.
    """
    if value is None or isinstance(value, BaseAccelerator):
        return value
    if type(value).__name__ == "GPUAccelerator" and hasattr(value, "WhichOneof"):
        return accelerator_from_idl(value)
    to_idl = getattr(value, "to_flyte_idl", None)
    if callable(to_idl) and not isinstance(value, type):
        try:
            pb = to_idl()
        except Exception as exc:  # a foreign object: never leak its traceback
            raise AcceleratorTypeError(
                f"{field}: {type(value).__name__}.to_flyte_idl() failed: {exc}"
            ) from exc
        if type(pb).__name__ == "GPUAccelerator" and hasattr(pb, "WhichOneof"):
            return accelerator_from_idl(pb)
    hint = ""
    if isinstance(value, str):
        from podplan.accelerators.catalog import constant_hint

        hint = constant_hint(value)
    raise AcceleratorTypeError(
        f"{field} must be an accelerator object such as podplan.accelerators.T4 or "
        f"GPUAccelerator('nvidia-tesla-t4'), got {type(value).__name__} {value!r}{hint}"
    )
