"""Hypothesis properties of quantities and the merge rules (issue: Foundation, item 4)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st
from kubernetes.utils import parse_quantity as k8s_parse_quantity

from podplan.errors import QuantityError
from podplan.resources import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    RESOURCE_FIELDS,
    Quantity,
    Resources,
    ResourceSpec,
    adjust_or_default,
    ensure_in_range,
    layer,
    resolve_task_resources,
)
from podplan.resources.suffixes import SUFFIXES

FORMATS = st.sampled_from([DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT])

exponent_suffix = st.builds(
    lambda e, sign, digits: e + sign + digits,
    st.sampled_from(["e", "E"]),
    st.sampled_from(["", "+", "-"]),
    st.text("0123456789", min_size=1, max_size=2),
)
quantity_text = st.builds(
    lambda sign, whole, frac, suffix: sign + whole + ("" if frac is None else "." + frac) + suffix,
    st.sampled_from(["", "", "-", "+"]),
    st.text("0123456789", min_size=1, max_size=14),
    st.none() | st.text("0123456789", max_size=12),
    st.sampled_from(sorted(SUFFIXES)) | exponent_suffix,
)
# Binary values beyond 2^63-1 do not survive a round trip in Go either: parsing caps them.
by_nanos = st.one_of(
    st.builds(
        Quantity.from_nanos, st.integers(-(10**30), 10**30), st.sampled_from([DECIMAL_SI, DECIMAL_EXPONENT])
    ),
    st.builds(
        Quantity.from_nanos, st.integers(-(2**63 - 1) * 10**9, (2**63 - 1) * 10**9), st.just(BINARY_SI)
    ),
)
any_quantity = st.one_of(
    quantity_text.map(Quantity),
    by_nanos,
    st.integers(-(10**20), 10**20).map(Quantity),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15).map(Quantity),
)
non_negative = st.one_of(
    st.integers(0, 10**6).map(lambda n: Quantity.from_nanos(n * 10**6)),
    st.sampled_from(["0", "100m", "500m", "1", "2", "4", "1Gi", "512Mi", "10", "20", "40"]).map(Quantity),
)
maybe = st.none() | non_negative


@given(any_quantity)
def test_round_trip_and_idempotent_string(q: Quantity) -> None:
    text = str(q)
    again = Quantity(text)
    assert again == q
    assert str(again) == text
    assert hash(again) == hash(q)


@given(quantity_text)
def test_parsed_text_round_trips(text: str) -> None:
    q = Quantity(text)
    assert Quantity(str(q)) == q
    assert str(Quantity(str(q))) == str(q)
    assert Quantity(q.canonical()) == q


@given(any_quantity, any_quantity)
def test_order_and_equality_agree_with_exact_value(a: Quantity, b: Quantity) -> None:
    fa, fb = a.as_fraction(), b.as_fraction()
    assert (a < b) == (fa < fb)
    assert (a <= b) == (fa <= fb)
    assert (a == b) == (fa == fb)
    assert (a > b) == (fa > fb)
    if a == b:
        assert hash(a) == hash(b)
    assert (a + b).as_fraction() == fa + fb
    assert (a - b).as_fraction() == fa - fb
    assert (-a).as_fraction() == -fa


@given(any_quantity)
def test_value_rounds_up_for_non_negative(q: Quantity) -> None:
    q = abs(q)
    assert q.value() == math.ceil(q.as_fraction())
    assert q.milli_value() == math.ceil(q.as_fraction() * 1000)
    assert q.is_integer() == (q.as_fraction().denominator == 1)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_float_means_its_shortest_repr(x: float) -> None:
    expected = Fraction(Decimal(repr(x)))
    nanos = expected * 10**9
    assume(nanos.denominator == 1)
    assert Quantity(x).as_fraction() == expected
    assert Quantity(x).format == DECIMAL_SI


@given(quantity_text)
def test_agrees_with_kubernetes_python_client(text: str) -> None:
    # kubernetes.utils.parse_quantity knows no exponent suffix on its own and does not round to
    # nano-units: compare where both apply.
    assume(SUFFIXES.get(text.lstrip("+-").lstrip("0123456789.")) is not None)
    q = Quantity(text)
    try:
        with localcontext() as ctx:
            ctx.prec = 200  # the client computes in the ambient decimal context (28 digits)
            expected = k8s_parse_quantity(text)
    except ValueError:
        return
    exact = Fraction(expected)
    assume((exact * 10**9).denominator == 1)
    if q.format == BINARY_SI and abs(exact) > 2**63 - 1:
        assert abs(q.as_fraction()) == 2**63 - 1  # Go caps binary quantities
    else:
        assert q.as_fraction() == exact


@given(st.text(max_size=12))
def test_arbitrary_text_parses_or_raises_quantity_error(text: str) -> None:
    try:
        q = Quantity(text)
    except QuantityError as exc:
        assert repr(text[:60]) in str(exc)
    else:
        assert Quantity(str(q)) == q


def _unset(q: Quantity | None) -> bool:
    return q is None or q.is_zero()


@given(maybe, maybe, maybe, maybe)
def test_adjust_or_default_postconditions(req, lim, pdef, plim) -> None:  # type: ignore[no-untyped-def]
    r, l_ = adjust_or_default(req, lim, pdef, plim)
    # both set or both unset
    assert _unset(r) == _unset(l_)
    if not _unset(r):
        assert r is not None and l_ is not None
        assert r <= l_
        if not _unset(plim):
            assert r <= plim and l_ <= plim
    # the platform default is used only when nothing was set
    if _unset(req) and _unset(lim):
        if _unset(pdef):
            assert _unset(r)
        elif _unset(plim) or pdef <= plim:
            assert r == pdef
    # idempotent
    assert adjust_or_default(r, l_, pdef, plim) == (r, l_)


@given(maybe, maybe, maybe)
def test_ensure_in_range_only_lowers(req, lim, plim) -> None:  # type: ignore[no-untyped-def]
    r, l_ = ensure_in_range(req, lim, plim)
    assert (r is None) == (req is None) and (l_ is None) == (lim is None)
    if r is not None:
        assert r <= req
    if l_ is not None:
        assert l_ <= lim
    if not _unset(r) and not _unset(l_):
        assert r <= l_


scalar = st.sampled_from(["100m", "1", "2", 4, "1Gi", "512Mi"])
field_values = st.fixed_dictionaries(
    {},
    optional={
        "cpu": scalar | st.just(0.5),
        "mem": scalar,
        "gpu": st.sampled_from([0, 1, 2, "4"]),
        "ephemeral_storage": scalar,
    },
)
resources = field_values.map(lambda kw: Resources(**kw))
specs = st.builds(ResourceSpec, resources, resources)


@given(specs, specs, specs)
def test_layer_is_associative(a: ResourceSpec, b: ResourceSpec, c: ResourceSpec) -> None:
    assert layer(a, layer(b, c)) == layer(layer(a, b), c) == layer(a, b, c)


@given(specs)
def test_layer_identity(a: ResourceSpec) -> None:
    empty = ResourceSpec()
    assert layer(empty, a) == a == layer(a, empty)
    assert layer(a) == a


@given(specs, specs)
def test_layer_later_wins(a: ResourceSpec, b: ResourceSpec) -> None:
    merged = layer(a, b)
    for name in RESOURCE_FIELDS:
        for side in ("requests", "limits"):
            top = getattr(getattr(b, side), name)
            below = getattr(getattr(a, side), name)
            assert getattr(getattr(merged, side), name) == (top if top is not None else below)


@given(field_values)
def test_scalar_in_resources_sets_request_and_limit(kwargs: dict) -> None:
    spec = resolve_task_resources(resources=Resources(**kwargs))
    assert spec is not None
    for name in RESOURCE_FIELDS:
        assert spec.request(name) == spec.limit(name)
        if name in kwargs:
            assert spec.request(name) == Quantity(kwargs[name])


@given(st.sampled_from(["100m", "1", "2", "1Gi"]), st.sampled_from(["2", "4", "2Gi", "8Gi"]))
def test_pair_in_resources_is_request_then_limit(request_: str, limit: str) -> None:
    assume(Quantity(request_) <= Quantity(limit))
    spec = resolve_task_resources(resources=Resources(cpu=(request_, limit)))
    assert spec is not None
    assert spec.pair("cpu") == (Quantity(request_), Quantity(limit))
