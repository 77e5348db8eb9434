"""The resource model: :class:`Resources` (what a user writes) and :class:`ResourceSpec`.

``Resources(cpu, mem, gpu, ephemeral_storage)`` keeps flytekit's field names, positional order
and accepted types, but every value is parsed to an exact :class:`~podplan.resources.Quantity` at
construction (D3), validated (non-negative, whole GPUs, request ≤ limit in a pair) and the object
is frozen, hashable and equal by value (D4): ``Resources(cpu=1) == Resources(cpu="1")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from podplan.errors import (
    QuantityError,
    ResourceBoolError,
    ResourceTypeError,
    ResourceValueError,
    UnknownArgumentError,
)
from podplan.resources.quantity import Quantity
from podplan.resources.suffixes import NANO

__all__ = [
    "RESOURCE_FIELDS",
    "ResourceSpec",
    "ResourceValue",
    "Resources",
]

RESOURCE_FIELDS: tuple[str, ...] = ("cpu", "mem", "gpu", "ephemeral_storage")
"""The four ``Resources`` fields, in flytekit's positional order."""

Scalar = str | int | float | Quantity
ResourceValue = Quantity | tuple[Quantity, Quantity] | None
"""A field after construction: unset, one quantity, or a (request, limit) pair."""

_CPU_TYPES = (str, int, float, Decimal, Quantity)
_OTHER_TYPES = (str, int, Quantity)
_TYPE_TEXT = {"cpu": "str, int, float"}


def _type_text(name: str) -> str:
    return _TYPE_TEXT.get(name, "str, int")


def _is_scalar(name: str, value: object) -> bool:
    return isinstance(value, _CPU_TYPES if name == "cpu" else _OTHER_TYPES)


def _safe_str(value: object) -> str:
    try:
        text = str(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 100 else text[:97] + "..."


def _has_bool(value: object) -> bool:
    if isinstance(value, bool):
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(v, bool) for v in value)


def _parse(owner: str, name: str, value: Scalar) -> Quantity:
    try:
        q = value if isinstance(value, Quantity) else Quantity(value)
    except QuantityError as exc:
        err = type(exc)(f"{owner}.{name}: {exc}")
        err.field = name  # type: ignore[attr-defined]
        raise err from None
    if q._n < 0:
        raise ResourceValueError(f"{owner}.{name}: {q} is negative; resource values must be >= 0")
    if name == "gpu" and not q.is_integer():
        raise ResourceValueError(
            f"{owner}.gpu: {q} is not a whole number of GPUs; "
            "use a MIG partition of an accelerator for a fraction of a GPU"
        )
    return q


def _fast_scalar(name: str, value: Any) -> Quantity | None:
    """The common case, checked cheaply: an exact str/int (float for cpu) that is a valid value."""
    kind = type(value)
    if kind is str or kind is int or (kind is float and name == "cpu"):
        try:
            q = Quantity(value)
        except QuantityError:
            return None
    elif isinstance(value, Quantity):
        q = value
    else:
        return None
    if q._n >= 0 and (name != "gpu" or not q._n % NANO):
        return q
    return None


def convert_field(name: str, value: Any, owner: str = "Resources") -> ResourceValue:
    """Validate and convert one ``Resources`` field value (flytekit's checks, then podplan's)."""
    if value is None:
        return None
    fast = _fast_scalar(name, value)
    if fast is not None:
        return fast
    if isinstance(value, (list, tuple)) and type(value) not in (list, tuple):
        try:  # a subclass: read it as a plain sequence once, so its methods cannot interfere
            value = list(value) if isinstance(value, list) else tuple(value)
        except Exception:
            raise ResourceTypeError(
                f"{owner}.{name}: cannot read the {type(value).__name__} value as a list/tuple"
            ) from None
    if _has_bool(value):
        raise ResourceBoolError(
            f"{owner}.{name}: {_safe_str(value)} should be of type {_type_text(name)} or a list/tuple "
            f"of {_type_text(name)}; bool is not accepted (write 1 or 0 if you mean a number)"
        )
    if _is_scalar(name, value):
        return _parse(owner, name, value)
    if isinstance(value, (list, tuple)) and all(_is_scalar(name, v) for v in value):
        if len(value) != 2:
            raise ResourceValueError(f"{owner}.{name}: {_safe_str(value)} must be of length 2")
        request = _parse(owner, name, value[0])
        limit = _parse(owner, name, value[1])
        if request > limit:
            raise ResourceValueError(
                f"{owner}.{name}: the request {request} is above the limit {limit} in "
                f"{_safe_str(value)}; a pair is (request, limit)"
            )
        return (request, limit)
    raise ResourceTypeError(
        f"{owner}.{name}: {_safe_str(value)} should be of type {_type_text(name)} "
        f"or a list/tuple of {_type_text(name)}"
    )


# Validated values of recently seen str/int scalars and str pairs, per field: the same few
# spellings ("1", "2Gi", 1) recur across tasks, and quantities are immutable. Keys are of exact
# types only, so a bool (equal to 1) or a float never reaches a cached int's entry.
_CACHE_SIZE = 1024
_CPU_CACHE: dict[object, ResourceValue] = {}
_MEM_CACHE: dict[object, ResourceValue] = {}
_GPU_CACHE: dict[object, ResourceValue] = {}
_ES_CACHE: dict[object, ResourceValue] = {}


def _field(name: str, value: Any, cache: dict[object, ResourceValue]) -> ResourceValue:
    """``convert_field`` with a fast path for the common scalars and remembered str/int values."""
    kind = type(value)
    if kind is str or kind is int:
        q = cache.get(value)
        if q is None:
            try:
                q = Quantity(value)
            except QuantityError:
                q = None
            if q is None or q._m < 0 or (name == "gpu" and q._m * q._k[3] % NANO):
                return convert_field(name, value)  # raises the field's error
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[value] = q
        return q
    if kind is Quantity and value._m >= 0 and (name != "gpu" or not value._m * value._k[3] % NANO):
        return value
    if kind is tuple and len(value) == 2 and type(value[0]) is str and type(value[1]) is str:
        pair = cache.get(value)
        if pair is None:
            pair = convert_field(name, value)
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[value] = pair
        return pair
    return convert_field(name, value)


@dataclass(frozen=True)
class Resources:
    """What a task asks for: ``Resources(cpu="1", mem="2Gi", gpu=1, ephemeral_storage="10Gi")``.

    Each field is ``None``, a scalar (``str``, ``int``; ``float`` too for ``cpu``) or a
    ``(request, limit)`` pair (list or tuple) of scalars. Values become exact quantities at
    construction; a wrong type raises :class:`~podplan.errors.ResourceTypeError` (an
    ``AssertionError`` like flytekit's), a bad string :class:`~podplan.errors.QuantityError`, and
    a negative value, a fractional GPU or a pair whose request exceeds its limit
    :class:`~podplan.errors.ResourceValueError`.
    """

    # Typed Any so callers may pass str/int/float/pairs; after construction each field is a
    # ResourceValue (None, a Quantity, or a (Quantity, Quantity) pair).
    cpu: Any = None
    mem: Any = None
    gpu: Any = None
    ephemeral_storage: Any = None

    def __init__(
        self,
        cpu: Any = None,
        mem: Any = None,
        gpu: Any = None,
        ephemeral_storage: Any = None,
        *extra: Any,
        **unknown: Any,
    ) -> None:
        if extra or unknown:
            what = (
                f"{len(extra)} extra positional argument(s)"
                if extra
                else f"unknown field(s) {sorted(unknown)}"
            )
            raise UnknownArgumentError(f"Resources got {what}; its fields are {', '.join(RESOURCE_FIELDS)}")
        # A frozen dataclass without slots: fill __dict__ directly (its __setattr__ refuses).
        # Fields are converted in order (the first invalid one raises), each through _field.
        fields = self.__dict__
        fields["cpu"] = None if cpu is None else _field("cpu", cpu, _CPU_CACHE)
        fields["mem"] = None if mem is None else _field("mem", mem, _MEM_CACHE)
        fields["gpu"] = None if gpu is None else _field("gpu", gpu, _GPU_CACHE)
        fields["ephemeral_storage"] = (
            None if ephemeral_storage is None else _field("ephemeral_storage", ephemeral_storage, _ES_CACHE)
        )

    def __repr__(self) -> str:
        parts = []
        for name in RESOURCE_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, tuple):
                parts.append(f"{name}=({str(value[0])!r}, {str(value[1])!r})")
            else:
                parts.append(f"{name}={str(value)!r}")
        return f"Resources({', '.join(parts)})"

    def is_empty(self) -> bool:
        """True when no field is set."""
        return all(getattr(self, name) is None for name in RESOURCE_FIELDS)

    def has_pairs(self) -> bool:
        """True when some field is a (request, limit) pair."""
        return (
            type(self.cpu) is tuple
            or type(self.mem) is tuple
            or type(self.gpu) is tuple
            or type(self.ephemeral_storage) is tuple
        )

    def items(self) -> Iterator[tuple[str, Quantity | tuple[Quantity, Quantity]]]:
        """The set fields, in ``RESOURCE_FIELDS`` order, as ``(name, value)``."""
        for name in RESOURCE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                yield name, value

    def replace(self, **changes: Any) -> Resources:
        """A copy with some fields changed (``None`` unsets a field)."""
        unknown = set(changes) - set(RESOURCE_FIELDS)
        if unknown:
            raise ResourceTypeError(
                f"Resources has no field(s) {sorted(unknown)}; valid fields: {', '.join(RESOURCE_FIELDS)}"
            )
        values = {name: getattr(self, name) for name in RESOURCE_FIELDS}
        values.update(changes)
        return Resources(**values)

    def to_dict(self) -> dict[str, str | list[str] | None]:
        """flytekit's JSON shape with canonical strings: ``{"cpu": "1", "mem": ["1Gi", "2Gi"], ...}``."""
        out: dict[str, str | list[str] | None] = {}
        for name in RESOURCE_FIELDS:
            value = getattr(self, name)
            if value is None:
                out[name] = None
            elif isinstance(value, tuple):
                out[name] = [str(value[0]), str(value[1])]
            else:
                out[name] = str(value)
        return out


_EMPTY = Resources()


def _side(owner: str, value: object) -> Resources:
    if value is None:
        return _EMPTY
    if not isinstance(value, Resources):
        raise ResourceTypeError(
            f"{owner} must be a Resources object or None, got {type(value).__name__} {_safe_str(value)}"
        )
    for name in RESOURCE_FIELDS:
        item = getattr(value, name)
        if type(item) is tuple:
            raise ResourceValueError(
                f"{owner}.{name}: {(str(item[0]), str(item[1]))} can not be a list or tuple; "
                "a (request, limit) pair belongs in resources=, not in requests= or limits="
            )
    return value


def _validated(cpu: Any, mem: Any, gpu: Any, ephemeral_storage: Any) -> Resources:
    """A :class:`Resources` of values taken from validated ones (no second validation)."""
    r = object.__new__(Resources)
    r.__dict__.update(cpu=cpu, mem=mem, gpu=gpu, ephemeral_storage=ephemeral_storage)
    return r


@dataclass(frozen=True)
class ResourceSpec:
    """Requests and limits, each a :class:`Resources` of single values (no pairs).

    ``ResourceSpec(requests=Resources(cpu="1"), limits=Resources(cpu="2"))``. ``None`` means an
    empty side. A request above its limit is kept (the backend clamps it, ``podplan check``
    reports it).
    """

    requests: Resources = field(default_factory=Resources)
    limits: Resources = field(default_factory=Resources)

    def __init__(
        self,
        requests: Resources | None = None,
        limits: Resources | None = None,
        *extra: Any,
        **unknown: Any,
    ) -> None:
        if extra or unknown:
            what = (
                f"{len(extra)} extra positional argument(s)"
                if extra
                else f"unknown argument(s) {sorted(unknown)}"
            )
            raise UnknownArgumentError(f"ResourceSpec got {what}; it takes requests and limits")
        object.__setattr__(self, "requests", _side("ResourceSpec.requests", requests))
        object.__setattr__(self, "limits", _side("ResourceSpec.limits", limits))

    @classmethod
    def from_multiple_resource(cls, resources: Resources) -> ResourceSpec:
        """Split one :class:`Resources`: a pair is (request, limit), a scalar sets both (D2)."""
        if not isinstance(resources, Resources):
            raise ResourceTypeError(
                f"from_multiple_resource expects a Resources object, got {type(resources).__name__}"
            )
        exact = type(resources) is Resources  # a subclass's values are validated again
        if exact and not resources.has_pairs():
            return cls(resources, resources)  # immutable: both sides can share it
        requests: list[Quantity | None] = []
        limits: list[Quantity | None] = []
        for name in RESOURCE_FIELDS:
            value = getattr(resources, name)
            if type(value) is tuple:
                requests.append(value[0])
                limits.append(value[1])
            else:
                requests.append(value)
                limits.append(value)
        make = _validated if exact else Resources
        return cls(make(*requests), make(*limits))

    def is_empty(self) -> bool:
        """True when nothing is set on either side."""
        return self.requests.is_empty() and self.limits.is_empty()

    def request(self, name: str) -> Quantity | None:
        """The request of one resource (``"cpu"``, ``"mem"``, ``"gpu"``, ``"ephemeral_storage"``)."""
        return getattr(self.requests, _check_name(name))

    def limit(self, name: str) -> Quantity | None:
        """The limit of one resource."""
        return getattr(self.limits, _check_name(name))

    def pair(self, name: str) -> tuple[Quantity | None, Quantity | None]:
        """``(request, limit)`` of one resource, ``None`` where unset."""
        return self.request(name), self.limit(name)

    def pairs(self) -> dict[str, tuple[Quantity | None, Quantity | None]]:
        """``{name: (request, limit)}`` for every resource set on either side, in field order."""
        out = {}
        for name in RESOURCE_FIELDS:
            request, limit = self.pair(name)
            if request is not None or limit is not None:
                out[name] = (request, limit)
        return out


def _check_name(name: str) -> str:
    if name not in RESOURCE_FIELDS:
        raise ResourceTypeError(f"unknown resource {name!r}; valid: {', '.join(RESOURCE_FIELDS)}")
    return name
