"""Unit tests for podplan.tasks.interface (no flytekit needed)."""

# ruff: noqa: UP006, UP045  (the typing spellings are under test)
from __future__ import annotations

import datetime
import typing
from typing import Any, Optional

import pytest
import tasks_interface_fixtures as fx
from hypothesis import given
from hypothesis import strategies as st

from podplan.errors import InterfaceError, TaskTypeError, TypeTransformerError, UnexpectedInputError
from podplan.tasks.docstring import parse_docstring
from podplan.tasks.interface import Interface


def test_inputs_outputs_defaults_in_order():
    iface = Interface.from_function(fx.with_defaults)
    assert list(iface.inputs) == ["a", "b", "c"]
    assert iface.inputs["a"] is int
    assert dict(iface.defaults) == {"b": "x", "c": None}
    assert list(iface.outputs) == ["o0"]
    assert iface.outputs["o0"] == dict[str, int]


@pytest.mark.parametrize(
    ("fn", "outputs"),
    [
        (fx.no_output, []),
        (fx.simple, ["o0"]),
        (fx.two_outputs, ["o0", "o1"]),
        (fx.named, ["left", "right"]),
    ],
)
def test_output_names(fn, outputs):
    assert list(Interface.from_function(fn).outputs) == outputs


def test_named_tuple_name_kept():
    assert Interface.from_function(fx.named).output_tuple_name == "Pair"
    assert Interface.from_function(fx.two_outputs).output_tuple_name is None


def test_untyped_input_rejected_names_parameter():
    def f(a, b: int) -> int:
        return b

    with pytest.raises(InterfaceError, match="'a' has no type"):
        Interface.from_function(f)
    iface = Interface.from_function(f, pickle_untyped=True)
    assert iface.inputs["a"] is Any


def test_untyped_return_with_pickle_untyped_is_any():
    def f(a: int):
        return a

    assert dict(Interface.from_function(f).outputs) == {}
    assert dict(Interface.from_function(f, pickle_untyped=True).outputs) == {"o0": Any}


def test_declared_return_without_return_statement_rejected():
    def f(a: int) -> int:
        print(a)

    with pytest.raises(InterfaceError, match="f function must return a value"):
        Interface.from_function(f)


def test_optional_return_without_return_statement_allowed():
    def f(a: int) -> Optional[int]:
        print(a)

    assert list(Interface.from_function(f).outputs) == ["o0"]


@pytest.mark.parametrize(
    "hint",
    [tuple, typing.Tuple[int, str], list, tuple[int, ...], typing.Callable[[int], int]],
    ids=repr,
)
def test_unsupported_input_types_rejected(hint):
    with pytest.raises(InterfaceError, match="input 'a'"):
        Interface(inputs={"a": hint})


def test_single_element_tuple_return_rejected():
    def f(a: int) -> tuple[int]:
        return (a,)

    with pytest.raises(InterfaceError, match="tuples indicate several"):
        Interface.from_function(f)


def test_var_args_rejected():
    def f(*a: int) -> int:
        return 1

    with pytest.raises(InterfaceError, match=r"\*args"):
        Interface.from_function(f)


def test_unresolvable_forward_reference_is_interface_error():
    def f(a: NotDefinedAnywhere) -> int:  # type: ignore[name-defined]  # noqa: F821
        return 1

    with pytest.raises(InterfaceError, match="cannot resolve"):
        Interface.from_function(f)


def test_constructor_accepts_type_default_pairs():
    iface = Interface(inputs={"a": int, "b": (str, "x"), "c": (Optional[int], None)}, outputs={"o0": int})
    assert dict(iface.defaults) == {"b": "x", "c": None}
    assert iface.bind_inputs((1,)) == {"a": 1, "b": "x", "c": None}


def test_interface_is_immutable_and_hashable():
    iface = Interface.from_function(fx.simple)
    with pytest.raises(AttributeError):
        iface.docstring = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        iface.inputs["b"] = str  # type: ignore[index]
    assert iface == Interface(inputs={"a": int}, outputs={"o0": int})
    assert hash(iface) == hash(Interface(inputs={"a": int}, outputs={"o0": int}))
    assert iface != Interface(inputs={"a": str}, outputs={"o0": int})


def test_bind_positional_keyword_and_defaults():
    iface = Interface.from_function(fx.with_defaults)
    assert iface.bind_inputs((1,), {"b": "y"}) == {"a": 1, "b": "y", "c": None}
    assert iface.bind_inputs((), {"a": 2, "c": [1.5]}) == {"a": 2, "b": "x", "c": [1.5]}


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"a": "x"}, r"input 'a' expects a value of type int, got 'x' of type str"),
        ({"a": True}, r"input 'a' expects a value of type int, got True"),
        ({"a": 1.0}, r"input 'a' expects a value of type int, got 1\.0"),
        ({"a": 1, "c": [1]}, r"input 'c' expects a value of type Optional\[list\[float\]\], got \[1\]"),
        ({"a": 1, "b": None}, r"input 'b' expects a value of type str, got None"),
    ],
)
def test_bind_type_mismatch_names_input_type_and_value(kwargs, pattern):
    iface = Interface.from_function(fx.with_defaults)
    with pytest.raises(TypeTransformerError, match=pattern) as info:
        iface.bind_inputs((), kwargs)
    assert isinstance(info.value, (TypeError, AssertionError, ValueError, TaskTypeError))


def test_bind_missing_and_unknown_inputs():
    iface = Interface.from_function(fx.with_defaults)
    with pytest.raises(TaskTypeError, match="missing a required input: 'a'"):
        iface.bind_inputs((), {})
    with pytest.raises(UnexpectedInputError, match="unexpected keyword argument 'z'") as info:
        iface.bind_inputs((1,), {"z": 2})
    assert isinstance(info.value, AssertionError)
    with pytest.raises(TaskTypeError, match="both positionally and as a keyword"):
        iface.bind_inputs((1,), {"a": 1})
    with pytest.raises(TaskTypeError, match=r"takes 3 input.* but 4 positional"):
        iface.bind_inputs((1, "b", None, 4), {})


def test_bind_too_many_positionals():
    with pytest.raises(TaskTypeError, match="takes 1 input"):
        Interface.from_function(fx.simple).bind_inputs((1, 2))


@pytest.mark.parametrize(
    ("fn", "kwargs"),
    [
        (fx.containers, {"a": [1], "b": {"x": 1.0}, "c": {1: "x"}, "d": {}, "e": [{"k": [True]}]}),
        (fx.unions, {"a": "s", "b": None, "c": None}),
        (fx.records, {"r": fx.Record(a=1), "rs": [], "m": {"k": fx.Inner(1, [])}}),
        (fx.pickles, {"a": b"x", "b": object()}),
        (
            fx.scalars,
            {
                "a": 1,
                "b": 2.0,
                "c": "s",
                "d": False,
                "e": datetime.datetime(2020, 1, 1),
                "f": datetime.timedelta(1),
            },
        ),
    ],
)
def test_bind_accepts_valid_values(fn, kwargs):
    assert Interface.from_function(fn).bind_inputs((), kwargs) == kwargs


@pytest.mark.parametrize(
    ("fn", "kwargs", "bad"),
    [
        (fx.containers, {"a": [1, "x"], "b": {}, "c": {}, "d": {}, "e": []}, "a"),
        (fx.containers, {"a": [], "b": {1: 1.0}, "c": {}, "d": {}, "e": []}, "b"),
        (fx.containers, {"a": [], "b": {}, "c": {}, "d": [], "e": []}, "d"),
        (fx.records, {"r": fx.Inner(1, []), "rs": [], "m": {}}, "r"),
        (fx.pickles, {"a": "str", "b": 1}, "a"),
        (fx.enums, {"c": "red"}, "c"),
    ],
)
def test_bind_rejects_invalid_nested_values(fn, kwargs, bad):
    with pytest.raises(TypeTransformerError, match=f"input '{bad}'"):
        Interface.from_function(fn).bind_inputs((), kwargs)


def test_check_outputs_single_multiple_and_none():
    assert Interface.from_function(fx.simple).check_outputs(3) == 3
    out = Interface.from_function(fx.two_outputs).check_outputs((1, "x"))
    assert out == (1, "x") and out.o1 == "x"
    named = Interface.from_function(fx.named).check_outputs((1, "x"))
    assert type(named).__name__ == "Pair" and named.left == 1
    assert Interface.from_function(fx.no_output).check_outputs(None) is None


@pytest.mark.parametrize(
    ("fn", "result", "pattern"),
    [
        (fx.simple, "x", r"output 'o0' expects a value of type int, got 'x'"),
        (fx.two_outputs, (1, 2), r"output 'o1' expects a value of type str, got 2"),
        (fx.two_outputs, 1, r"expected 2 outputs \(o0, o1\) as a tuple"),
        (fx.two_outputs, (1, "x", 3), r"expected 2 outputs"),
        (fx.no_output, 5, r"returned 5 but the interface has no outputs"),
    ],
)
def test_check_outputs_rejects(fn, result, pattern):
    with pytest.raises(TypeTransformerError, match=pattern):
        Interface.from_function(fn).check_outputs(result)


def test_descriptions_default_to_names_and_docstring_entries():
    iface = Interface.from_function(fx.with_defaults)
    assert iface.input_descriptions["a"] == "the a"
    assert iface.input_descriptions["b"] == "b"
    assert iface.output_descriptions["o0"] == "out"
    plain = Interface(inputs={"a": int}, outputs={"o0": int})
    assert plain.input_descriptions["a"] == "a" and plain.output_descriptions["o0"] == "o0"


def test_shared_return_description_applies_to_every_output():
    iface = Interface(
        inputs={"a": int}, outputs={"o0": int, "o1": str}, docstring="S.\n\n:returns: both things"
    )
    assert dict(iface.output_descriptions) == {"o0": "both things", "o1": "both things"}


@pytest.mark.parametrize(
    ("doc", "short", "long", "params", "returns"),
    [
        ("Short.\n\n:param a: the a\n:return: out", "Short.", None, {"a": "the a"}, {None: "out"}),
        (
            "Short line\ncontinues.\n\nLong\npara.\n\n:param a: the a\n   more\n:param int b: typed\n"
            ":type c: str\n:returns: result",
            "Short line",
            "continues.\n\nLong\npara.",
            {"a": "the a\nmore", "b": "typed"},
            {None: "result"},
        ),
        (
            "Summary.\n\nArgs:\n    a (int): the a\n        more a\n    b: the b\n\nReturns:\n    int: res",
            "Summary.",
            None,
            {"a": "the a\nmore a", "b": "the b"},
            {None: "res"},
        ),
        (
            "Summary.\n\nParameters\n----------\na : int\n    the a\nb\n    the b\n\nReturns\n-------\n"
            "x : int\n    first\ny : str\n    second",
            "Summary.",
            None,
            {"a": "the a", "b": "the b"},
            {"x": "first", "y": "second"},
        ),
        ("Only summary", "Only summary", None, {}, {}),
        ("\n    Leading newline.\n    ", "Leading newline.", None, {}, {}),
        (None, None, None, {}, {}),
    ],
)
def test_parse_docstring_vectors(doc, short, long, params, returns):
    # vectors verified against docstring_parser 0.18 (what flytekit uses)
    parsed = parse_docstring(doc)
    assert (parsed.short_description, parsed.long_description) == (short, long)
    assert parsed.params == params
    assert parsed.returns == returns


@given(
    st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=3), st.floats(allow_nan=False), max_size=3),
)
def test_bind_roundtrip_property(xs, m):
    iface = Interface(inputs={"xs": list[int], "m": dict[str, float]}, outputs={})
    assert iface.bind_inputs((xs,), {"m": m}) == {"xs": xs, "m": m}
    assert iface.bind_inputs((), {"xs": xs, "m": m}) == iface.bind_inputs((xs, m))


def test_to_idl_is_a_fresh_copy_each_time():
    iface = Interface.from_function(fx.simple)
    first = iface.to_idl()
    first.inputs.variables["a"].description = "mutated"
    assert iface.to_idl().inputs.variables["a"].description == "a"


def test_to_idl_literal_types_without_flytekit():
    from flyteidl.core import types_pb2

    idl = Interface.from_function(fx.unions).to_idl()
    variants = idl.inputs.variables["b"].type.union_type.variants
    assert [v.simple for v in variants] == [types_pb2.INTEGER, types_pb2.NONE]
    assert [v.structure.tag for v in variants] == ["int", "none"]
    out = idl.outputs.variables["o0"].type.union_type.variants[0]
    assert list(out.enum_type.values) == ["red", "green"]
    pickle = Interface.from_function(fx.pickles).to_idl().inputs.variables["b"].type
    assert pickle.blob.format == "PythonPickle"
    assert pickle.metadata["python_class_name"] == "typing.Any"
