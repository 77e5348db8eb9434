"""The typed interface of a task: ordered inputs (with defaults) and outputs, from type hints.

``Interface.from_function(fn)`` reads a function's signature the way flytekit's
``transform_function_to_interface`` does (outputs ``o0, o1, …``, or the field names of a
``NamedTuple`` return type; ``pickle_untyped`` turns missing annotations into ``typing.Any``);
``to_idl()`` gives the same ``flyteidl.core.interface_pb2.TypedInterface`` as flytekit 1.16,
variable descriptions from the docstring included. ``bind_inputs`` / ``check_outputs`` validate
values at a local call.
"""

from __future__ import annotations

import collections
import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from podplan.errors import InterfaceError, TaskTypeError
from podplan.tasks.docstring import ParsedDocstring, parse_docstring
from podplan.tasks.literals import check_type, check_value, is_optional, type_name
from podplan.tasks.signature import (
    fast_parameters,
    fast_type_hints,
    has_return_value,
    slow_parameters,
)

if typing.TYPE_CHECKING:  # pragma: no cover
    from flyteidl.core import interface_pb2

__all__ = ["Interface", "output_names"]

_NONE_TYPE = type(None)
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def output_names(n: int) -> list[str]:
    """Flyte's default output names ``o0 … o{n-1}``."""
    return [f"o{i}" for i in range(n)]


def _is_named_tuple(tp: Any) -> bool:
    bases = getattr(tp, "__bases__", None)
    return isinstance(tp, type) and bases == (tuple,) and hasattr(tp, "_fields")


def _split_outputs(annotation: Any, where: str) -> tuple[dict[str, Any], str | None]:
    """Return annotation → (ordered outputs, NamedTuple name or None), as flytekit does."""
    if annotation in (None, _NONE_TYPE, inspect.Signature.empty):
        return {}, None
    if _is_named_tuple(annotation):
        hints = typing.get_type_hints(annotation, include_extras=True)
        return {name: hints[name] for name in annotation._fields}, annotation.__name__ or None
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        if len(args) == 1 or (len(args) == 2 and args[1] is Ellipsis):
            raise InterfaceError(
                f"{where}: return type {type_name(annotation)!r} is invalid: tuples indicate several "
                "return values; return the value itself for one output"
            )
        return dict(zip(output_names(len(args)), args, strict=True)), None
    if isinstance(annotation, tuple):
        if len(annotation) == 1:
            raise InterfaceError(f"{where}: please don't use a tuple if you're just returning one thing")
        return dict(zip(output_names(len(annotation)), annotation, strict=True)), None
    return {"o0": annotation}, None


_CHECKED_TYPES: dict[Any, Any] = {}


def _check_type_cached(tp: Any, name: str, kind: str) -> Any:
    """:func:`check_type` once per hashable hint (``kind`` is "input" or "output")."""
    try:
        if tp in _CHECKED_TYPES:
            return tp
    except TypeError:  # an unhashable hint
        return check_type(tp, f"{kind} {name!r}")
    check_type(tp, f"{kind} {name!r}")
    if len(_CHECKED_TYPES) < 4096:
        _CHECKED_TYPES[tp] = True
    return tp


class Interface:
    """Ordered, immutable task interface: ``inputs``, ``defaults``, ``outputs``, ``docstring``.

    ``inputs`` values are types, or ``(type, default)`` pairs as in flytekit's ``Interface``.
    """

    __slots__ = (
        "_defaults",
        "_descriptions",
        "_idl",
        "_inputs",
        "_outputs",
        "docstring",
        "output_tuple_name",
    )

    _idl: Any
    _inputs: Mapping[str, Any]
    _defaults: Mapping[str, Any]
    _outputs: Mapping[str, Any]
    _descriptions: tuple[Mapping[str, str], Mapping[str, str]] | None
    docstring: str | None
    output_tuple_name: str | None

    def __init__(
        self,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        docstring: str | None = None,
        output_tuple_name: str | None = None,
    ) -> None:
        ins: dict[str, Any] = {}
        dflt: dict[str, Any] = dict(defaults or {})
        for name, spec in (inputs or {}).items():
            tp = spec
            if isinstance(spec, tuple) and len(spec) == 2 and not isinstance(spec, type):
                tp, default = spec
                if default is not None or is_optional(tp):
                    dflt.setdefault(name, default)
            ins[_check_name(name, "input")] = _check_type_cached(tp, name, "input")
        unknown = sorted(set(dflt) - set(ins))
        if unknown:
            raise InterfaceError(f"defaults given for unknown inputs {unknown}; inputs are {list(ins)}")
        outs = {
            _check_name(name, "output"): _check_type_cached(tp, name, "output")
            for name, tp in (outputs or {}).items()
        }
        set_ = object.__setattr__
        set_(self, "_inputs", MappingProxyType(ins))
        set_(self, "_defaults", MappingProxyType(dflt))
        set_(self, "_outputs", MappingProxyType(outs))
        set_(self, "_descriptions", None)  # parsed from the docstring on first use
        set_(self, "docstring", docstring)
        set_(self, "output_tuple_name", output_tuple_name)
        set_(self, "_idl", None)

    # --- construction from a function ---------------------------------------------------------

    @classmethod
    def from_function(
        cls, fn: Callable[..., Any], *, pickle_untyped: bool = False, is_reference: bool = False
    ) -> Interface:
        """Build the interface from ``fn``'s type hints (flytekit's rules; see the module doc).

        ``is_reference`` skips the "declared return type but no return statement" check, as
        flytekit does for reference entities (their body never runs).
        """
        hints = fast_type_hints(fn)
        if hints is None:
            try:
                hints = typing.get_type_hints(fn, include_extras=True)
            except Exception as exc:  # NameError for unresolved forward references, TypeError, …
                where = f"function {getattr(fn, '__qualname__', fn)!r}"
                raise InterfaceError(f"{where}: cannot resolve its type hints: {exc}") from exc
        ret = hints.get("return")
        if ret is None and pickle_untyped and "return" not in hints:
            ret = Any
        if (
            not is_reference
            and ret is not None
            and ret is not _NONE_TYPE
            and _NONE_TYPE not in typing.get_args(ret)
            and has_return_value(fn) is False
        ):
            raise InterfaceError(
                f"{getattr(fn, '__name__', fn)} function must return a value. "
                "Please add a return statement at the end of the function."
            )
        where = f"function {getattr(fn, '__qualname__', fn)!r}"
        outputs, tuple_name = _split_outputs(ret, where)
        fast = fast_parameters(fn)
        if fast is not None:
            names, defaults = fast
        else:
            names, defaults = slow_parameters(fn, where)
        inputs: dict[str, Any] = {}
        for name in names:
            annotation = hints.get(name)
            if annotation is None:
                if not pickle_untyped:
                    raise InterfaceError(
                        f"'{name}' has no type. Please add a type annotation to the input parameter "
                        f"(in {where}), or decorate with pickle_untyped=True."
                    )
                annotation = Any
            inputs[name] = annotation
        doc = fn.__doc__
        # names come from the code object / NamedTuple fields: identifiers already
        self = cls.__new__(cls)
        set_ = object.__setattr__
        set_(
            self,
            "_inputs",
            MappingProxyType({k: _check_type_cached(v, k, "input") for k, v in inputs.items()}),
        )
        set_(self, "_defaults", MappingProxyType(defaults))
        set_(
            self,
            "_outputs",
            MappingProxyType({k: _check_type_cached(v, k, "output") for k, v in outputs.items()}),
        )
        set_(self, "_descriptions", None)
        set_(
            self,
            "docstring",
            (inspect.cleandoc(doc) if isinstance(doc, str) else inspect.getdoc(fn)) if doc else None,
        )
        set_(self, "output_tuple_name", tuple_name)
        set_(self, "_idl", None)
        return self

    # --- read access --------------------------------------------------------------------------

    @property
    def inputs(self) -> Mapping[str, Any]:
        """Input name → type hint, in signature order."""
        return self._inputs

    @property
    def defaults(self) -> Mapping[str, Any]:
        """Input name → default value, for inputs that have one."""
        return self._defaults

    @property
    def outputs(self) -> Mapping[str, Any]:
        """Output name → type hint (``o0, o1, …`` or NamedTuple fields)."""
        return self._outputs

    @property
    def inputs_with_defaults(self) -> dict[str, tuple[Any, Any]]:
        """Input name → ``(type, default)``, ``None`` for no default (flytekit's spelling)."""
        return {k: (tp, self._defaults.get(k)) for k, tp in self._inputs.items()}

    @property
    def default_inputs_as_kwargs(self) -> dict[str, Any]:
        """Input name → default, for defaults that are not ``None`` (as flytekit)."""
        return {k: v for k, v in self._defaults.items() if v is not None}

    @property
    def output_names(self) -> list[str] | None:
        """The output names, or ``None`` when there are none (as flytekit)."""
        return list(self._outputs) or None

    @property
    def input_descriptions(self) -> Mapping[str, str]:
        """Input name → description (docstring text, else the name, as flytekit)."""
        return self._get_descriptions()[0]

    @property
    def output_descriptions(self) -> Mapping[str, str]:
        """Output name → description (docstring text, else the name, as flytekit)."""
        return self._get_descriptions()[1]

    def _get_descriptions(self) -> tuple[Mapping[str, str], Mapping[str, str]]:
        cached = self._descriptions
        if cached is None:
            doc = self.docstring
            if not doc or (":" not in doc and "---" not in doc):  # no per-variable entries
                cached = (_NO_DESCRIPTIONS, _NO_DESCRIPTIONS)
            else:
                cached = _descriptions(parse_docstring(doc), self._outputs)
            object.__setattr__(self, "_descriptions", cached)
        return cached

    @property
    def parsed_docstring(self) -> ParsedDocstring:
        """The docstring parsed into summary, long description and per-variable texts."""
        return parse_docstring(self.docstring)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Interface is immutable; cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interface):
            return NotImplemented
        return (
            list(self._inputs.items()) == list(other._inputs.items())
            and list(self._outputs.items()) == list(other._outputs.items())
            and dict(self._defaults) == dict(other._defaults)
            and self._get_descriptions() == other._get_descriptions()
        )

    def __hash__(self) -> int:
        return hash((tuple(self._inputs), tuple(self._outputs), tuple(self._defaults)))

    def __repr__(self) -> str:
        ins = ", ".join(f"{k}: {type_name(v)}" for k, v in self._inputs.items())
        outs = ", ".join(f"{k}: {type_name(v)}" for k, v in self._outputs.items())
        return f"Interface(({ins}) -> ({outs}))"

    def with_inputs(self, extra: Mapping[str, Any]) -> Interface:
        """A copy with ``extra`` inputs appended (used by plugins that add inputs)."""
        return Interface(
            {**self._inputs, **extra},
            self._outputs,
            defaults=self._defaults,
            docstring=self.docstring,
            output_tuple_name=self.output_tuple_name,
        )

    # --- flyteidl -----------------------------------------------------------------------------

    def to_idl(self) -> interface_pb2.TypedInterface:
        """The ``flyteidl.core.interface_pb2.TypedInterface`` (equal to flytekit's for the same fn)."""
        from flyteidl.core import interface_pb2

        out = interface_pb2.TypedInterface()
        out.CopyFrom(self.idl_shared())
        return out

    def idl_shared(self) -> interface_pb2.TypedInterface:
        """The memoized ``TypedInterface`` (read-only: copy it before changing anything)."""
        cached = self._idl
        if cached is None:
            from podplan.tasks.idl_cache import interface_pb

            cached = interface_pb(self)
            object.__setattr__(self, "_idl", cached)
        return cached

    # --- local-call validation ----------------------------------------------------------------

    def bind_inputs(
        self, args: Iterable[Any] = (), kwargs: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Positional + keyword arguments + defaults → ``{input: value}``, type-checked.

        Raises ``TaskTypeError`` naming the input, the expected type and the value.
        """
        from podplan.errors import TypeTransformerError, UnexpectedInputError

        kwargs = dict(kwargs or {})
        names = list(self._inputs)
        args = list(args)
        if len(args) > len(names):
            raise TaskTypeError(
                f"takes {len(names)} input(s) ({', '.join(names) or 'none'}) but {len(args)} "
                "positional values were given"
            )
        bound: dict[str, Any] = {}
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TaskTypeError(f"input {name!r} was given both positionally and as a keyword")
            bound[name] = value
        for name, value in kwargs.items():
            if name not in self._inputs:
                raise UnexpectedInputError(
                    f"Received unexpected keyword argument {name!r}; the inputs are {names}"
                )
            bound[name] = value
        for name in names:
            if name not in bound:
                if name in self._defaults:
                    bound[name] = self._defaults[name]
                elif is_optional(self._inputs[name]):
                    bound[name] = None
                else:
                    raise TaskTypeError(
                        f"missing a required input: {name!r} ({type_name(self._inputs[name])})"
                    )
        for name in names:
            value = bound[name]
            tp = self._inputs[name]
            if not check_value(tp, value):
                raise TypeTransformerError(
                    f"input {name!r} expects a value of type {type_name(tp)}, got {value!r} "
                    f"of type {type(value).__name__}"
                )
        return {name: bound[name] for name in names}

    def check_outputs(self, result: Any) -> Any:
        """Validate a function's return value; several outputs come back as a named tuple."""
        from podplan.errors import TypeTransformerError

        names = list(self._outputs)
        if not names:
            if result is not None and result != ():
                raise TypeTransformerError(
                    f"returned {result!r} but the interface has no outputs; annotate the return "
                    "type (or use pickle_untyped=True) so the value is not lost"
                )
            return None
        if len(names) == 1:
            values = (result,)
        else:
            if not isinstance(result, tuple) or len(result) != len(names):
                raise TypeTransformerError(
                    f"expected {len(names)} outputs ({', '.join(names)}) as a tuple, got {result!r}"
                )
            values = tuple(result)
        for name, value in zip(names, values, strict=True):
            tp = self._outputs[name]
            if not check_value(tp, value):
                raise TypeTransformerError(
                    f"output {name!r} expects a value of type {type_name(tp)}, got {value!r} "
                    f"of type {type(value).__name__}"
                )
        if len(names) == 1:
            return result
        if isinstance(result, tuple) and hasattr(result, "_fields"):
            return result
        return _output_tuple(self.output_tuple_name or "DefaultNamedTupleOutput", tuple(names))(*values)


_TUPLE_CACHE: dict[tuple[str, tuple[str, ...]], Any] = {}


def _output_tuple(name: str, fields: tuple[str, ...]) -> Any:
    key = (name, fields)
    cls = _TUPLE_CACHE.get(key)
    if cls is None:
        cls = _TUPLE_CACHE[key] = collections.namedtuple(name, fields)
    return cls


def _check_name(name: Any, kind: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise InterfaceError(f"{kind} name {name!r} is invalid: expected a Python identifier")
    return name


class _Lookup(dict[str, str]):
    """A description map that falls back to the variable name (flytekit's default)."""

    def __missing__(self, key: str) -> str:
        return key


_NO_DESCRIPTIONS: Mapping[str, str] = _Lookup()


def _descriptions(
    parsed: ParsedDocstring, outputs: Mapping[str, Any]
) -> tuple[Mapping[str, str], Mapping[str, str]]:
    out = dict(parsed.returns)
    if len(out) == 1:  # one shared description for every output (flytekit's remap rule)
        shared = next(iter(out.values()))
        out = {name: shared for name in outputs}
    return _Lookup(parsed.params), _Lookup({k: v for k, v in out.items() if k is not None})
