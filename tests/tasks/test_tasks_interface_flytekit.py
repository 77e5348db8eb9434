"""Differential tests: podplan's TypedInterface equals flytekit 1.16's for the same function."""

from __future__ import annotations

import flytekit.core.docstring as flytekit_docstring
import flytekit.core.interface as flytekit_interface
import pytest
import tasks_interface_fixtures as fx

from podplan.tasks.interface import Interface

pytestmark = pytest.mark.flytekit


def _flytekit_typed_interface(fn, pickle_untyped=False):
    py_iface = flytekit_interface.transform_function_to_interface(
        fn, flytekit_docstring.Docstring(callable_=fn), pickle_untyped=pickle_untyped
    )
    return flytekit_interface.transform_interface_to_typed_interface(py_iface).to_flyte_idl()


@pytest.mark.parametrize("fn", fx.DIFFERENTIAL, ids=lambda f: f.__name__)
def test_typed_interface_equals_flytekit(fn):
    ours = Interface.from_function(fn).to_idl()
    theirs = _flytekit_typed_interface(fn)
    assert ours == theirs, f"\nours:   {ours}\ntheirs: {theirs}"


def test_pickle_untyped_equals_flytekit():
    def untyped(a, b: int):
        return a

    ours = Interface.from_function(untyped, pickle_untyped=True).to_idl()
    assert ours == _flytekit_typed_interface(untyped, pickle_untyped=True)


def test_output_names_equal_flytekit():
    for fn in fx.DIFFERENTIAL:
        py_iface = flytekit_interface.transform_function_to_interface(fn)
        assert list(Interface.from_function(fn).outputs) == list(py_iface.outputs), fn.__name__
        assert list(Interface.from_function(fn).inputs) == list(py_iface.inputs), fn.__name__
