"""``decorate_function``: wrap task functions for interactive debugging when ``_F_E_VS`` is true.

flytekit wraps the function in its ``vscode`` decorator (an in-pod VS Code server) when the
environment variable ``_F_E_VS`` (:data:`FLYTE_ENABLE_VSCODE_KEY`) reads as true (``"true"``,
``"t"``, ``"1"``, any case). podplan keeps the switch and makes the wrapper pluggable:
:func:`set_interactive_wrapper` installs any ``fn -> wrapped fn`` factory. The default,
:func:`debug_on_failure`, runs the function and, when it raises, opens a post-mortem debugger
(``pdb``) if standard input is a terminal; otherwise it re-raises with a note saying how to debug.
``async def`` functions are never wrapped (as in flytekit).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from podplan.errors import InteractiveDebugWarning

__all__ = [
    "FLYTE_ENABLE_VSCODE_KEY",
    "debug_on_failure",
    "decorate_function",
    "get_interactive_wrapper",
    "interactive_enabled",
    "set_interactive_wrapper",
]

FLYTE_ENABLE_VSCODE_KEY = "_F_E_VS"

F = TypeVar("F", bound=Callable[..., Any])
Wrapper = Callable[[Callable[..., Any]], Callable[..., Any]]

#: hint added to the exception when no terminal is available for the debugger
NO_TTY_NOTE = (
    "podplan: {name} failed with {FLYTE_ENABLE_VSCODE_KEY} set, but standard input is not a terminal, "
    "so no debugger was opened; run it from a terminal or install another wrapper with "
    "podplan.tasks.vscode.set_interactive_wrapper()"
)


def _str2bool(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "t", "1")


def interactive_enabled() -> bool:
    """True when ``_F_E_VS`` reads as true."""
    return _str2bool(os.environ.get(FLYTE_ENABLE_VSCODE_KEY))


def _post_mortem(tb: Any) -> None:
    import pdb

    pdb.post_mortem(tb)


def debug_on_failure(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The default interactive wrapper: post-mortem ``pdb`` on failure when stdin is a TTY."""

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            name = getattr(fn, "__qualname__", repr(fn))
            stdin = sys.stdin
            if stdin is not None and stdin.isatty():
                _post_mortem(exc.__traceback__)
            else:
                note = NO_TTY_NOTE.format(name=name, FLYTE_ENABLE_VSCODE_KEY=FLYTE_ENABLE_VSCODE_KEY)
                add_note = getattr(exc, "add_note", None)  # Python >= 3.11
                if add_note is not None:
                    add_note(note)
                else:  # Python 3.10: PEP 678's attribute by hand (not printed), plus a warning
                    exc.__notes__ = [*getattr(exc, "__notes__", ()), note]  # type: ignore[attr-defined]
                    warnings.warn(note, InteractiveDebugWarning, stacklevel=2)
            raise

    wrapped.__podplan_interactive__ = True  # type: ignore[attr-defined]
    return wrapped


_wrapper: Wrapper = debug_on_failure


def set_interactive_wrapper(wrapper: Wrapper | None) -> Wrapper:
    """Install ``wrapper`` (``None`` restores :func:`debug_on_failure`); returns the previous one."""
    global _wrapper
    if wrapper is not None and not callable(wrapper):
        from podplan.errors import TaskTypeError

        raise TaskTypeError(f"interactive wrapper {wrapper!r} is invalid: expected a callable fn -> fn")
    previous = _wrapper
    _wrapper = wrapper if wrapper is not None else debug_on_failure
    return previous


def get_interactive_wrapper() -> Wrapper:
    """The wrapper :func:`decorate_function` applies when ``_F_E_VS`` is true."""
    return _wrapper


def decorate_function(fn: F) -> F:
    """Return ``fn`` unchanged unless ``_F_E_VS`` is true; then the interactive wrapper of it."""
    if not interactive_enabled() or inspect.iscoroutinefunction(fn):
        return fn
    return _wrapper(fn)  # type: ignore[return-value]
