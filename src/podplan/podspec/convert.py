"""Kubernetes JSON dicts ↔ ``kubernetes.client`` models, fast.

Constructing kubernetes models through their ``__init__`` copies the default ``Configuration``
for every object, which dominates the cost of a preview. Here models are created with
``__new__`` and their private slots filled directly (what the generated setters do when client
validation is off), sharing one configuration.

:class:`PreviewPod` is a real ``V1Pod`` that converts its JSON lazily: attribute access
materializes the models on first use; ``to_dict()`` before that is computed from the JSON
directly and equals the materialized model's ``to_dict()`` (a test checks it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["PreviewPod", "from_model", "model_to_dict", "to_model", "to_pod"]

_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict[\[(]([^,]+), (.+)[\])]$")
_PRIMITIVE = frozenset({"str", "int", "float", "bool", "object", "date", "datetime"})
_INFO: dict[str, tuple[type, dict[str, tuple[str, str, bool]], tuple[tuple[str, str], ...]]] = {}
_CFG: Any = None


def _config() -> Any:
    global _CFG
    if _CFG is None:
        from kubernetes.client import Configuration

        _CFG = Configuration()
        _CFG.client_side_validation = False
    return _CFG


def _info(type_name: str) -> tuple[type, dict[str, tuple[str, str, bool]], tuple[tuple[str, str], ...]]:
    found = _INFO.get(type_name)
    if found is None:
        import kubernetes.client

        cls = getattr(kubernetes.client, type_name)
        by_json = {cls.attribute_map[a]: (a, t, t in _PRIMITIVE) for a, t in cls.openapi_types.items()}
        found = (cls, by_json, tuple(cls.openapi_types.items()))
        _INFO[type_name] = found
    return found


_KINDS: dict[str, tuple[Any, ...]] = {}


def _kind(type_name: str) -> tuple[Any, ...]:
    """A parsed openapi type: ``("list", inner)``, ``("dict", inner)``, ``("prim",)`` or a model."""
    found = _KINDS.get(type_name)
    if found is None:
        m = _LIST.match(type_name)
        d = _DICT.match(type_name)
        if m:
            found = ("list", m.group(1), m.group(1) in _PRIMITIVE)
        elif d:
            found = ("dict", d.group(2), d.group(2) in _PRIMITIVE)
        elif type_name in _PRIMITIVE:
            found = ("prim",)
        else:
            cls, by_json, attrs = _info(type_name)
            nones = dict.fromkeys(a for a, _ in attrs)
            found = ("model", cls, by_json, attrs, nones)
        _KINDS[type_name] = found
    return found


def to_model(data: Any, type_name: str) -> Any:
    """Convert Kubernetes JSON ``data`` to an instance of ``type_name`` (e.g. ``"V1PodSpec"``)."""
    if data is None:
        return None
    k = _kind(type_name)
    tag = k[0]
    if tag == "prim":
        return data
    if tag == "list":
        inner = k[1]
        return [to_model(x, inner) for x in data]
    if tag == "dict":
        inner = k[1]
        return {key: to_model(v, inner) for key, v in data.items()}
    cls = k[1]
    obj = cls.__new__(cls)
    _fill(obj, data, k[2], k[3])
    return obj


def _fill(obj: Any, data: dict[str, Any], by_json: dict[str, tuple[str, str, bool]], attrs: Any) -> None:
    d = obj.__dict__
    d["local_vars_configuration"] = _config()
    d["discriminator"] = None
    for attr, _ in attrs:
        d["_" + attr] = None
    for key, value in data.items():
        entry = by_json.get(key)
        if entry is None:
            continue
        d["_" + entry[0]] = value if entry[2] else to_model(value, entry[1])


def model_to_dict(data: Any, type_name: str) -> Any:
    """What ``to_model(data, type_name).to_dict()`` returns, computed from the JSON directly."""
    if data is None:
        return None
    conv = _CONVERTERS.get(type_name) or _converter(type_name)
    return data if conv is _IDENTITY else conv(data)


def _identity(value: Any) -> Any:
    return value


_IDENTITY = _identity
_CONVERTERS: dict[str, Callable[[Any], Any]] = {}


def _converter(type_name: str) -> Callable[[Any], Any]:
    """A compiled ``JSON -> to_dict()`` function for ``type_name`` (built once per type).

    Lists, maps and models with few attributes become generated code that builds the whole
    result in one expression (nested small models inlined); larger models copy a template of
    ``None`` values and fill the keys present. A converter is registered (as a forwarding stub)
    before its parts are resolved, so recursive types work.
    """
    found = _CONVERTERS.get(type_name)
    if found is not None:
        return found
    k = _kind(type_name)
    tag = k[0]
    conv: Callable[[Any], Any]
    if tag == "prim":
        conv = _IDENTITY
    elif tag == "list" and k[2]:
        conv = list
    elif tag == "dict" and k[2]:
        conv = dict
    elif tag == "model" and len(k[3]) > _SMALL_MODEL:
        return _loop_converter(type_name, k)
    else:
        _CONVERTERS[type_name] = lambda data: _CONVERTERS[type_name](data)
        namespace: dict[str, Any] = {}
        try:
            expr = _expr(type_name, "data", 0, namespace, itertools.count())
            exec(f"def conv(data):\n    return {expr}\n", namespace)  # our own generated code
        except BaseException:
            del _CONVERTERS[type_name]  # never leave the forwarding stub behind
            raise
        conv = namespace["conv"]
    _CONVERTERS[type_name] = conv
    return conv


#: models with at most this many attributes are converted by one dict display
_SMALL_MODEL = 8
#: how deep small models are inlined into their parent's generated code
_INLINE_DEPTH = 4


def _expr(type_name: str, var: str, depth: int, namespace: dict[str, Any], counter: Iterator[int]) -> str:
    """Python source converting the (non-``None``) value in ``var`` of type ``type_name``."""
    k = _kind(type_name)
    tag = k[0]
    if tag == "prim":
        return var
    if tag == "list":
        if k[2]:
            return f"list({var})"
        x = f"x{next(counter)}"
        return f"[None if {x} is None else {_expr(k[1], x, depth + 1, namespace, counter)} for {x} in {var}]"
    if tag == "dict":
        if k[2]:
            return f"dict({var})"
        n = next(counter)
        key, v = f"k{n}", f"v{n}"
        inner = _expr(k[1], v, depth + 1, namespace, counter)
        return f"{{{key}: None if {v} is None else {inner} for {key}, {v} in {var}.items()}}"
    if depth > 0 and (len(k[3]) > _SMALL_MODEL or depth > _INLINE_DEPTH):
        name = f"c{next(counter)}"
        namespace[name] = _converter(type_name)
        return f"{name}({var})"
    by_json = k[2]  # in the model's attribute order, as to_dict() emits them
    parts = []
    for json_key, (attr, field_type, primitive) in by_json.items():
        if primitive:
            parts.append(f"{attr!r}: {var}.get({json_key!r})")
        else:
            v = f"v{next(counter)}"
            inner = _expr(field_type, v, depth + 1, namespace, counter)
            parts.append(f"{attr!r}: None if ({v} := {var}.get({json_key!r})) is None else {inner}")
    return "{" + ", ".join(parts) + "}"


def _loop_converter(type_name: str, k: tuple[Any, ...]) -> Callable[[Any], Any]:
    by_json, nones = k[2], k[4]
    fields: dict[str, tuple[str, Callable[[Any], Any] | None]] = {}
    lookup = fields.get

    def conv(data: dict[str, Any]) -> dict[str, Any]:
        out = nones.copy()
        for key, value in data.items():
            entry = lookup(key)
            if entry is not None:
                sub = entry[1]
                out[entry[0]] = value if sub is None or value is None else sub(value)
        return out

    _CONVERTERS[type_name] = conv
    for json_key, (attr, field_type, primitive) in by_json.items():
        sub = None if primitive else _converter(field_type)
        fields[json_key] = (attr, None if sub is _IDENTITY else sub)
    return conv


def from_model(obj: Any) -> Any:
    """A kubernetes model (or a plain value) as Kubernetes JSON (camelCase keys, no ``None``)."""
    if isinstance(obj, PreviewPod) and not obj.__dict__.get("_materialized"):
        return obj.__dict__["_raw"]
    if isinstance(obj, list):
        return [from_model(x) for x in obj]
    if isinstance(obj, dict):
        return {k: from_model(v) for k, v in obj.items()}
    types = getattr(obj, "openapi_types", None)
    if types is None:
        return obj
    out = {}
    for attr in types:
        value = getattr(obj, attr)
        if value is not None:
            out[obj.attribute_map[attr]] = from_model(value)
    return out


def _pod_class() -> type:
    global PreviewPod
    if isinstance(PreviewPod, type):
        return PreviewPod
    from kubernetes.client import V1Pod

    class _PreviewPod(V1Pod):
        """A ``V1Pod`` built from Kubernetes JSON, converted to models on first attribute access."""

        def __init__(self, raw: dict[str, Any]) -> None:
            self.__dict__["_raw"] = raw
            self.__dict__["_materialized"] = False

        def _materialize(self) -> None:
            d = self.__dict__
            if d["_materialized"]:
                return
            _cls, by_json, attrs = _info("V1Pod")
            try:
                _fill(self, d["_raw"], by_json, attrs)
            except AttributeError as exc:  # never let getattr() swallow a conversion failure
                raise RuntimeError(f"cannot convert the pod to kubernetes models: {exc}") from exc
            d["_materialized"] = True

        def __getattr__(self, name: str) -> Any:
            d = self.__dict__
            if not d.get("_materialized", True):
                self._materialize()
                return getattr(self, name)
            raise AttributeError(name)

        def __setattr__(self, name: str, value: Any) -> None:
            self._materialize()
            object.__setattr__(self, name, value)

        def to_dict(self, serialize: bool = False) -> dict[str, Any]:
            """The model as a dict, like ``V1Pod.to_dict`` (fast before materialization)."""
            if not self.__dict__["_materialized"] and not serialize:
                return model_to_dict(self.__dict__["_raw"], "V1Pod")
            self._materialize()
            return super().to_dict(serialize)

        def __reduce__(self) -> Any:
            return (to_pod, (from_model(self),))

    _PreviewPod.__name__ = "PreviewPod"
    _PreviewPod.__qualname__ = "PreviewPod"
    PreviewPod = _PreviewPod
    return _PreviewPod


PreviewPod: Any = None


def to_pod(raw: dict[str, Any], *, lazy: bool = True) -> Any:
    """A ``kubernetes.client.V1Pod`` for the pod JSON ``raw`` (lazy by default)."""
    if lazy:
        return _pod_class()(raw)
    return to_model(raw, "V1Pod")
