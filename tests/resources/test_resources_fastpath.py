"""The inlined fast paths of ``Quantity(s)`` agree with the exact general parser on every string."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podplan.errors import QuantityError, QuantityTypeError
from podplan.resources import Quantity, parse_quantity
from podplan.resources.quantity import _parse_general
from podplan.resources.suffixes import SUFFIXES

# Shapes around every fast-path decision: leading zeros, 18/19-digit bounds, fraction lengths
# (echoed when a multiple of 3), non-ASCII digits, binary caps, signs and stray characters.
digit_runs = st.text("0123456789", max_size=22) | st.sampled_from(
    ["0", "00", "1" * 18, "9" * 19, "\u0661\u0662", "\uff11"]
)
fast_shaped = st.builds(
    lambda sign, whole, frac, suffix: sign + whole + ("" if frac is None else "." + frac) + suffix,
    st.sampled_from(["", "", "", "-", "+", " "]),
    digit_runs,
    st.none() | st.none() | digit_runs,
    st.sampled_from(sorted(SUFFIXES)) | st.sampled_from(["i", "B", "e3", "GB", ".", "_1"]),
)


def observe(parse: object, text: str) -> tuple[object, ...]:
    """Everything a quantity shows, or the error it raises."""
    try:
        q = parse(text)  # type: ignore[operator]
    except QuantityError as exc:
        return ("error", type(exc).__name__, str(exc))
    _restore, (nanos, fmt, _text, dec) = q.__reduce__()
    return (str(q), q.canonical(), fmt, dec, nanos, q.nanos, q.value(), q.milli_value(), hash(q))


@given(fast_shaped)
def test_fast_paths_agree_with_the_general_parser(text: str) -> None:
    expected = observe(lambda s: _parse_general(s, keep=True), text)
    assert observe(Quantity, text) == expected
    assert observe(parse_quantity, text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "fmt"),
    [
        ("500m", "500m", "DecimalSI"),
        ("1024Mi", "1Gi", "BinarySI"),
        ("1536Mi", "1536Mi", "BinarySI"),
        ("0.5Gi", "512Mi", "BinarySI"),
        ("1.5", "1500m", "DecimalSI"),
        ("0.25", "250m", "DecimalSI"),
        ("1.500", "1.500", "DecimalSI"),  # Go echoes it
        ("0100m", "0100m", "DecimalSI"),  # Go echoes it
        ("99Ti", "99Ti", "BinarySI"),
        ("100Ti", "100Ti", "BinarySI"),  # past Go's int64 fast path: exact all the same
        ("1Pi", "1Pi", "BinarySI"),
        ("1" * 18, "1" * 18, "DecimalSI"),
        ("1" * 19, "1" * 19, "DecimalSI"),
        ("0.1Ki", "102400m", "BinarySI"),
    ],
)
def test_fast_path_vectors(text: str, expected: str, fmt: str) -> None:
    q = Quantity(text)
    assert (str(q), q.format) == (expected, fmt)
    assert parse_quantity(text) == q and str(parse_quantity(text)) == expected


def test_a_quantity_argument_gives_an_equal_quantity() -> None:
    q = Quantity("1.5Gi")
    copy = Quantity(q)
    assert copy == q and str(copy) == str(q) and copy.format == q.format
    assert pickle.loads(pickle.dumps(copy)) == q


def test_one_class_and_subclasses_construct() -> None:
    class Mine(Quantity):
        __slots__ = ()

    assert type(Quantity("1Gi")) is Quantity and type(Quantity("1.5")) is Quantity
    mine = Mine("2Gi")
    assert isinstance(mine, Mine) and mine == Quantity("2048Mi") and str(mine) == "2Gi"


@pytest.mark.parametrize("value", [5, None, b"1", ["1"]])
def test_parse_quantity_takes_only_strings(value: object) -> None:
    with pytest.raises(QuantityTypeError, match="parse_quantity expects a str"):
        parse_quantity(value)  # type: ignore[arg-type]


def test_non_ascii_and_long_digits_take_the_exact_path() -> None:
    with pytest.raises(QuantityError):
        Quantity("\u0661\u0662m")  # Arabic-Indic digits: int() reads them, Go does not
    with pytest.raises(QuantityError, match="more than 4000 digits"):
        Quantity("1" * 5000 + "m")
    assert Quantity("1" * 4000).nanos == int("1" * 4000) * 10**9
