"""decorate_function and the pluggable interactive wrapper (spec §7, vector 108)."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest

from podplan import FLYTE_ENABLE_VSCODE_KEY, decorate_function
from podplan.errors import InteractiveDebugWarning
from podplan.tasks import vscode


def t1(a: int) -> int:
    return a + 1


def boom() -> None:
    raise ValueError("bad")


def test_key_value():
    assert FLYTE_ENABLE_VSCODE_KEY == "_F_E_VS"


def test_unchanged_without_env(monkeypatch):
    monkeypatch.delenv("_F_E_VS", raising=False)
    assert decorate_function(t1) is t1


@pytest.mark.parametrize(
    ("value", "wrapped"),
    [
        ("True", True),
        ("t", True),
        ("1", True),
        ("TRUE", True),
        ("false", False),
        ("0", False),
        ("yes", False),
        ("", False),
    ],
)
def test_env_parsing(monkeypatch, value, wrapped):
    monkeypatch.setenv("_F_E_VS", value)
    out = decorate_function(t1)
    assert (out is not t1) is wrapped
    assert out(1) == 2


def test_async_functions_are_never_wrapped(monkeypatch):
    monkeypatch.setenv("_F_E_VS", "true")

    async def f() -> None:
        return None

    assert decorate_function(f) is f


def test_default_wrapper_without_tty_reraises_with_note(monkeypatch):
    monkeypatch.setenv("_F_E_VS", "true")
    monkeypatch.setattr("sys.stdin", io.StringIO())
    called = []
    monkeypatch.setattr(vscode, "_post_mortem", lambda tb: called.append(tb))
    # Python 3.10 has no exception notes: the note is also given as a warning there.
    warns = (
        pytest.warns(InteractiveDebugWarning, match="not a terminal")
        if sys.version_info < (3, 11)
        else contextlib.nullcontext()
    )
    with warns, pytest.raises(ValueError, match="bad") as info:
        decorate_function(boom)()
    assert not called
    assert any("not a terminal" in n for n in getattr(info.value, "__notes__", []))


def test_default_wrapper_with_tty_opens_post_mortem(monkeypatch):
    class TTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("_F_E_VS", "true")
    monkeypatch.setattr("sys.stdin", TTY())
    called = []
    monkeypatch.setattr(vscode, "_post_mortem", lambda tb: called.append(tb))
    with pytest.raises(ValueError, match="bad"):
        decorate_function(boom)()
    assert len(called) == 1 and called[0] is not None


def test_wrapper_is_pluggable(monkeypatch):
    monkeypatch.setenv("_F_E_VS", "1")
    seen = []

    def mine(fn):
        seen.append(fn)
        return lambda *a, **k: ("wrapped", fn(*a, **k))

    previous = vscode.set_interactive_wrapper(mine)
    try:
        assert vscode.get_interactive_wrapper() is mine
        assert decorate_function(t1)(1) == ("wrapped", 2)
        assert seen == [t1]
    finally:
        vscode.set_interactive_wrapper(previous)
    assert vscode.get_interactive_wrapper() is vscode.debug_on_failure
    with pytest.raises(TypeError):
        vscode.set_interactive_wrapper("nope")  # type: ignore[arg-type]
