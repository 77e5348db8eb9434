"""Reading a function's signature fast: type hints, parameters and "returns a value".

The fast paths give exactly what ``typing.get_type_hints(fn, include_extras=True)``,
``inspect.signature(fn)`` and flytekit's return-statement check give for plain functions, from
``__annotations__`` and the code object; anything unusual (wrappers, callables, nested forward
references, Python 3.10) falls back to the standard library.
"""

from __future__ import annotations

import ast
import dis
import inspect
import sys
import textwrap
import types
import typing
from collections.abc import Callable
from typing import Any

from podplan.errors import InterfaceError

__all__ = ["fast_parameters", "fast_type_hints", "has_return_value", "slow_parameters"]

_NONE_TYPE = type(None)
_RETURN_VALUE = dis.opmap["RETURN_VALUE"]
_RETURN_CONST = dis.opmap.get("RETURN_CONST", -1)
_LOAD_CONST = dis.opmap["LOAD_CONST"]
_CO_GENERATORS = inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR
_CO_STAR_ARGS = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS
_FAST_PATH = sys.version_info >= (3, 11)  # 3.10's get_type_hints adds Optional for None defaults
_ANNOTATION_CODE: dict[str, types.CodeType] = {}


def _bytecode_returns_value(code: types.CodeType) -> bool:
    """True when the code object surely returns a value or yields (read from the bytecode).

    ``False`` means "only ``return None`` seen" and is confirmed from the source by the caller.
    """
    if code.co_flags & _CO_GENERATORS:
        return True
    raw = code.co_code
    consts = code.co_consts
    prev_op = prev_arg = -1
    for i in range(0, len(raw), 2):
        op = raw[i]
        arg = raw[i + 1]
        if op == _RETURN_VALUE:
            if prev_op != _LOAD_CONST or consts[prev_arg] is not None:
                return True
        elif op == _RETURN_CONST and consts[arg] is not None:
            return True
        prev_op, prev_arg = op, arg
    return False


def has_return_value(fn: Callable[..., Any]) -> bool | None:
    """Whether ``fn``'s body returns a value or yields (None when the source is unavailable).

    The bytecode answers the common case without reading the source; only a function whose code
    returns nothing but ``None`` is confirmed from its source (an explicit ``return``/``raise``
    counts, as in flytekit).
    """
    code = getattr(fn, "__code__", None)
    if isinstance(code, types.CodeType) and _bytecode_returns_value(code):
        return True
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    func = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if func is None:
        return None
    pending: list[ast.AST] = list(func.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            return True
        if isinstance(node, (ast.Yield, ast.YieldFrom, ast.Raise)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return False


def _is_resolved(hint: Any) -> bool:
    """No string / ``ForwardRef`` left anywhere inside ``hint``."""
    if isinstance(hint, (str, typing.ForwardRef)):
        return False
    if isinstance(hint, type) and not isinstance(hint, types.GenericAlias):
        return True
    args = getattr(hint, "__args__", None)
    if not args:
        return True
    return all(_is_resolved(a) for a in args if a is not Ellipsis and not isinstance(a, list))


def fast_type_hints(fn: Any) -> dict[str, Any] | None:
    """``typing.get_type_hints(fn, include_extras=True)`` for a plain function, or None.

    String annotations are compiled once per text and evaluated in the function's globals; any
    case that needs ``get_type_hints``' full machinery (nested forward references, wrappers,
    Python 3.10) returns None so the caller falls back to it.
    """
    if not _FAST_PATH or type(fn) is not types.FunctionType or hasattr(fn, "__wrapped__"):
        return None
    hints: dict[str, Any] = {}
    for name, value in fn.__annotations__.items():
        if isinstance(value, str):
            code = _ANNOTATION_CODE.get(value)
            if code is None:
                try:
                    code = compile(value, "<annotation>", "eval")
                except SyntaxError:
                    return None
                _ANNOTATION_CODE[value] = code
            try:
                value = eval(code, fn.__globals__)
            except Exception:
                return None
        if value is None:
            value = _NONE_TYPE
        elif type(value) is not type and not _is_resolved(value):
            return None
        hints[name] = value
    return hints


def fast_parameters(fn: Any) -> tuple[list[str], dict[str, Any]] | None:
    """Parameter names and defaults of a plain function from its code object (or None)."""
    if type(fn) is not types.FunctionType or hasattr(fn, "__wrapped__") or hasattr(fn, "__signature__"):
        return None
    code = fn.__code__
    if code.co_flags & _CO_STAR_ARGS:
        return None
    npos = code.co_argcount
    names = list(code.co_varnames[: npos + code.co_kwonlyargcount])
    defaults: dict[str, Any] = {}
    pos_defaults = fn.__defaults__ or ()
    if pos_defaults:
        for name, value in zip(names[npos - len(pos_defaults) : npos], pos_defaults, strict=True):
            defaults[name] = value
    if fn.__kwdefaults__:
        defaults.update(fn.__kwdefaults__)
    return names, defaults


def slow_parameters(fn: Any, where: str) -> tuple[list[str], dict[str, Any]]:
    """Parameter names and defaults through ``inspect.signature`` (wrappers, callables)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise InterfaceError(f"{where}: cannot read its signature: {exc}") from exc
    names: list[str] = []
    defaults: dict[str, Any] = {}
    for name, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise InterfaceError(f"{where}: *args/**kwargs ({name!r}) cannot be task inputs")
        names.append(name)
        if param.default is not inspect.Parameter.empty:
            defaults[name] = param.default
    return names, defaults
