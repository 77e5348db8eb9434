"""Python type hints → Flyte ``LiteralType`` (the same messages flytekit 1.16's type engine builds).

Supported: ``int, float, str, bool, datetime.datetime, datetime.date, datetime.timedelta``,
``None``, ``list[T]``, ``dict[str, T]`` (a map), other dicts (a msgpack ``STRUCT``),
``Optional``/``Union``, dataclasses (``STRUCT`` with the JSON schema flytekit derives through
mashumaro and a per-field ``dataclass_type`` structure), ``enum.Enum`` with string values, and
``typing.Annotated[T, ...]`` (the extras are dropped). ``bytes``, ``typing.Any`` and any other
class become a Flyte pickle blob, exactly as flytekit falls back. Tuples, bare ``list`` and
``typing.Tuple`` are rejected, as flytekit rejects them.

``check_type`` validates a hint once (at decoration); ``to_literal_type`` builds the protobuf and
``check_value`` validates a Python value against a hint at a local call.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import types
import typing
from typing import Any

from podplan.errors import InterfaceError, NoJSONSchemaError

if typing.TYPE_CHECKING:  # pragma: no cover
    from flyteidl.core import types_pb2

_NONE_TYPE = type(None)
_SIMPLE_NAMES = {
    int: "INTEGER",
    float: "FLOAT",
    str: "STRING",
    bool: "BOOLEAN",
    datetime.datetime: "DATETIME",
    datetime.date: "DATETIME",
    datetime.timedelta: "DURATION",
    _NONE_TYPE: "NONE",
}
#: flytekit transformer names, used as the union-variant ``structure.tag``
_TAGS = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    datetime.datetime: "datetime",
    datetime.date: "date",
    datetime.timedelta: "timedelta",
    _NONE_TYPE: "none",
}
_CACHE_KEY_ANNOTATION = {"cache-key-metadata": {"serialization-format": "msgpack"}}
_UNION_ORIGINS: tuple[Any, ...] = (typing.Union, types.UnionType)


def type_name(tp: Any) -> str:
    """A readable name for a type hint (``int``, ``list[str]``, ``Optional[int]``)."""
    if isinstance(tp, type) and not typing.get_args(tp):
        return "None" if tp is _NONE_TYPE else tp.__qualname__
    return repr(tp).replace("typing.", "")


def strip_annotated(tp: Any) -> Any:
    """``Annotated[T, ...]`` → ``T`` (flytekit ignores extras that are not FlyteAnnotations)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def is_optional(tp: Any) -> bool:
    """True for ``Optional[T]`` / unions that admit ``None``."""
    tp = strip_annotated(tp)
    return typing.get_origin(tp) in _UNION_ORIGINS and _NONE_TYPE in typing.get_args(tp)


def is_pickle(tp: Any) -> bool:
    """True when flytekit transports values of ``tp`` as a pickle blob."""
    tp = strip_annotated(tp)
    if tp is Any or tp is bytes:
        return True
    if typing.get_origin(tp) is not None or tp in _SIMPLE_NAMES:
        return False
    if tp in (list, dict, tuple) or dataclasses.is_dataclass(tp):
        return False
    return isinstance(tp, type) and not issubclass(tp, enum.Enum)


def check_type(tp: Any, where: str) -> Any:
    """Validate that ``tp`` can be a Flyte interface type; return it (annotations kept).

    ``where`` names the variable for the error message (``"input 'a'"``).
    """
    _check(strip_annotated(tp), where, tp)
    return tp


def _check(tp: Any, where: str, original: Any) -> None:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    bad = None
    if tp is tuple or origin is tuple:
        bad = "tuples are not a Flyte type (flytekit: RestrictedTypeError); use list[T] or a dataclass"
    elif tp is list:
        bad = "a bare list has no element type; use list[T]"
    elif origin is list:
        if len(args) != 1:
            bad = "only list[T] with one element type is supported"
        else:
            _check(strip_annotated(args[0]), where, original)
    elif origin is dict:
        if len(args) == 2:
            _check(strip_annotated(args[1]), where, original)
    elif origin in _UNION_ORIGINS:
        for arg in args:
            _check(strip_annotated(arg), where, original)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        if not all(isinstance(member.value, str) for member in tp):
            bad = "only enums with string values are supported (flytekit's enum transformer)"
    elif origin is not None and origin not in (dict, list):
        bad = f"the generic type {origin!r} is not supported"
    elif not isinstance(tp, type) and tp is not Any and not isinstance(tp, typing.TypeVar):
        bad = "it is not a type"
    if bad:
        raise InterfaceError(f"{where} has type {type_name(original)!r}, which is not supported: {bad}")


def _tag(tp: Any) -> str:
    tp = strip_annotated(tp)
    origin = typing.get_origin(tp)
    if tp in _TAGS:
        return _TAGS[tp]
    if origin is list:
        return "Typed List"
    if origin is dict or tp is dict:
        return "Typed Dict"
    if origin in _UNION_ORIGINS:
        return "Typed Union"
    if dataclasses.is_dataclass(tp):
        return "Object-Dataclass-Transformer"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "DefaultEnumTransformer"
    return "FlytePickle"


def to_literal_type(tp: Any) -> types_pb2.LiteralType:
    """The ``flyteidl.core.types_pb2.LiteralType`` flytekit 1.16 builds for the hint ``tp``."""
    from flyteidl.core import types_pb2

    tp = strip_annotated(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    lt = types_pb2.LiteralType()
    if tp in _SIMPLE_NAMES:
        lt.simple = types_pb2.SimpleType.Value(_SIMPLE_NAMES[tp])
    elif origin is list:
        lt.collection_type.CopyFrom(to_literal_type(args[0]))
    elif origin is dict or tp is dict:
        if args and strip_annotated(args[0]) is str:
            lt.map_value_type.CopyFrom(to_literal_type(args[1]))
        else:
            lt.simple = types_pb2.STRUCT
            lt.annotation.annotations.update(_CACHE_KEY_ANNOTATION)
    elif origin in _UNION_ORIGINS:
        for arg in args:
            variant = lt.union_type.variants.add()
            variant.CopyFrom(to_literal_type(arg))
            variant.structure.Clear()
            variant.structure.tag = _tag(arg)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        lt.enum_type.values.extend(str(member.value) for member in tp)
    elif dataclasses.is_dataclass(tp) and isinstance(tp, type):
        _dataclass_literal_type(tp, lt)
    else:  # bytes, Any and unknown classes: flytekit's pickle fallback
        lt.blob.format = "PythonPickle"
        lt.metadata.update({"python_class_name": str(tp)})
    return lt


def _dataclass_literal_type(tp: type, lt: types_pb2.LiteralType) -> None:
    from flyteidl.core import types_pb2

    lt.simple = types_pb2.STRUCT
    schema = dataclass_json_schema(tp)
    if schema is not None:
        lt.metadata.update(schema)
    lt.annotation.annotations.update(_CACHE_KEY_ANNOTATION)
    hints = typing.get_type_hints(tp)
    structure = lt.structure
    structure.SetInParent()
    for f in dataclasses.fields(tp):
        field_type = hints.get(f.name, f.type)
        try:
            _check(strip_annotated(field_type), f"field {f.name!r}", field_type)
        except InterfaceError:
            continue  # flytekit skips fields it cannot type
        structure.dataclass_type[f.name].CopyFrom(to_literal_type(field_type))


def dataclass_json_schema(tp: type) -> dict[str, Any] | None:
    """The JSON schema flytekit stores in a dataclass ``LiteralType.metadata`` (mashumaro's)."""
    try:
        return _schema(tp)
    except NoJSONSchemaError:
        return None


def _schema(tp: Any) -> dict[str, Any]:
    tp = strip_annotated(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    simple: dict[Any, dict[str, Any]] = {
        bool: {"type": "boolean"},
        int: {"type": "integer"},
        float: {"type": "number"},
        str: {"type": "string"},
        bytes: {"type": "string", "format": "base64"},
        datetime.datetime: {"type": "string", "format": "date-time"},
        datetime.date: {"type": "string", "format": "date"},
        datetime.timedelta: {"type": "number", "format": "time-delta"},
        _NONE_TYPE: {"type": "null"},
        list: {"type": "array"},
        dict: {"type": "object"},
    }
    if tp is Any:
        return {}
    if tp in simple:
        return dict(simple[tp])
    if origin is list:
        return {"type": "array", "items": _schema(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(args[1]), "propertyNames": _schema(args[0])}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _schema(args[0])}
        items = [_schema(a) for a in args]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    if origin in _UNION_ORIGINS:
        return {"anyOf": [_schema(a) for a in args]}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [_json_default(m.value) for m in tp]}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for f in dataclasses.fields(tp):
            prop = _schema(hints.get(f.name, f.type))
            if f.default is not dataclasses.MISSING:
                prop["default"] = _json_default(f.default)
            elif f.default_factory is dataclasses.MISSING:
                required.append(f.name)
            properties[f.name] = prop
        out: dict[str, Any] = {
            "type": "object",
            "title": tp.__name__,
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            out["required"] = required
        return out
    raise NoJSONSchemaError(type_name(tp))


def _json_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _json_default(value.value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.encodebytes(value).decode()
    if isinstance(value, (list, tuple)):
        return [_json_default(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_default(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise NoJSONSchemaError(repr(value))


# --- value checks (local execution) -------------------------------------------------------------


def check_value(tp: Any, value: Any) -> bool:
    """True when ``value`` is acceptable for the hint ``tp`` (flytekit's strictness: no int→float)."""
    tp = strip_annotated(tp)
    if tp is Any:
        return True
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in _UNION_ORIGINS:
        return any(check_value(arg, value) for arg in args)
    if tp is _NONE_TYPE:
        return value is None
    if tp in (int, float, str, bool, bytes, datetime.timedelta, datetime.datetime):
        return type(value) is tp or (tp is not bool and tp is not int and isinstance(value, tp))
    if tp is datetime.date:
        return isinstance(value, datetime.date)
    if origin is list:
        return isinstance(value, list) and all(check_value(args[0], v) for v in value)
    if origin is dict:
        if not isinstance(value, dict):
            return False
        if not args:
            return True
        return all(check_value(args[0], k) and check_value(args[1], v) for k, v in value.items())
    if tp is dict:
        return isinstance(value, dict)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True
