"""Fuzz the resource model: only ``podplan.errors`` exceptions may escape.

Usage: ``python benchmarks/fuzz_resources.py [--examples N] [--seed S]`` (default 20,000; run
``--examples 100000`` or more on demand). tests/resources/test_resources_fuzz.py runs a small
profile of the same targets in CI.

Arbitrary strings (random and quantity-shaped), numbers (huge ints, NaN/inf floats and
Decimals, Fractions), bools, bytes, None, hostile objects (whose ``__str__``, ``__repr__``,
``__index__`` or ``__iter__`` raise) and nested containers of all of these are thrown at
``Quantity``, ``parse_quantity``, ``Resources``, ``ResourceSpec``, the merge functions, the IDL
converters and the accelerator constructors of ``podplan.accelerators`` (when present). Any other
exception fails the run; values that are accepted must round-trip.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from podplan.errors import PodplanError
from podplan.resources import (
    RESOURCE_FIELDS,
    Quantity,
    Resources,
    ResourceSpec,
    adjust_or_default,
    ensure_in_range,
    layer,
    parse_quantity,
    resolve_task_resources,
    to_idl_resources,
)


class Hostile:
    """An object whose conversion methods raise (``__repr__`` works: hypothesis reports with it)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"Hostile({self.what!r})"

    def __str__(self) -> str:
        raise RuntimeError("hostile __str__")

    def __index__(self) -> int:
        raise RuntimeError("hostile __index__")

    def __float__(self) -> float:
        raise RuntimeError("hostile __float__")


class HostileStr(str):
    def __str__(self) -> str:
        raise RuntimeError("hostile str subclass")

    def __format__(self, spec: str) -> str:
        raise RuntimeError("hostile str subclass")


class HostileInt(int):
    def __int__(self) -> int:
        raise RuntimeError("hostile int subclass")

    def __str__(self) -> str:
        raise RuntimeError("hostile int subclass")


class HostileList(list):  # type: ignore[type-arg]
    def __iter__(self) -> Any:
        raise RuntimeError("hostile __iter__")

    def __len__(self) -> int:
        raise RuntimeError("hostile __len__")


class IndexOnly:
    """Like a numpy integer: no int subclass, but __index__."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


_QUANTITY_ALPHABET = "0123456789.+-eEinumkKMGTPB "
quantity_like = st.builds(
    lambda sign, whole, frac, suffix: sign + whole + frac + suffix,
    st.sampled_from(["", "", "-", "+", "--"]),
    st.text("0123456789", max_size=25),
    st.sampled_from(["", "."]) | st.text("0123456789.", max_size=12).map(lambda t: "." + t),
    st.sampled_from(
        ["", "m", "k", "Ki", "Mi", "Gi", "Pi", "Ei", "E", "GB", "gi", "e3", "e-20", "E+9", "e", "e9999"]
    )
    | st.text(_QUANTITY_ALPHABET, max_size=4),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**4200), max_value=10**4200),  # str() refuses > 4300 digits
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("sNaN"), Decimal("-0"), Decimal("1e-1000000"), Decimal("1E+100000")]),
    st.fractions(),
    st.text(max_size=30),
    st.text(_QUANTITY_ALPHABET, max_size=30),
    quantity_like,
    st.binary(max_size=8),
    st.builds(Hostile, st.text(max_size=3)),
    st.builds(HostileStr, quantity_like),
    st.builds(HostileInt, st.integers(-5, 5)),
    st.builds(IndexOnly, st.integers(-(10**30), 10**30)),
    st.builds(lambda xs: HostileList(xs), st.lists(st.integers(0, 3), max_size=3)),
    st.sampled_from([object(), Ellipsis, NotImplemented, Quantity("1"), Resources(cpu="1"), ResourceSpec()]),
    st.sampled_from(["1", "500m", "1Gi", 1, 0, 2.5, "0", "-1", "1.5"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from([*RESOURCE_FIELDS, "memory", "x"]), inner, max_size=3),
        st.frozensets(st.sampled_from([1, "1", 2.0, None]), max_size=3),
    ),
    max_leaves=6,
)


def _accelerator_targets() -> list[Callable[[Any, Any], object]]:
    try:
        import podplan.accelerators as acc
    except ImportError:  # pragma: no cover - another package; fuzz what exists
        return []
    targets: list[Callable[[Any, Any], object]] = []
    if hasattr(acc, "GPUAccelerator"):
        targets.append(lambda a, b: acc.GPUAccelerator(a))
    if hasattr(acc, "MultiInstanceGPUAccelerator"):
        targets.append(lambda a, b: acc.MultiInstanceGPUAccelerator(a, b))
    if hasattr(acc, "A100"):
        targets.append(lambda a, b: acc.A100.partitioned(a))
    if hasattr(acc, "construct_extended_resources"):
        targets.append(lambda a, b: acc.construct_extended_resources(accelerator=a, shared_memory=b))
    return targets


def _check_quantity(value: Any) -> None:
    q = Quantity(value)
    text = str(q)
    assert Quantity(text) == q, (value, text)
    assert str(Quantity(text)) == text, (value, text)
    assert q.value() >= 0 or q < Quantity.zero()


def _check_parse(value: Any) -> None:
    if type(value) is str:
        q = parse_quantity(value)
        assert q == Quantity(value) and str(q) == str(Quantity(value))


def _check_resources(value: Any, other: Any) -> None:
    r = Resources(**value) if isinstance(value, dict) else Resources(value, other)
    spec = ResourceSpec.from_multiple_resource(r)
    assert r == Resources(**{name: getattr(r, name) for name in RESOURCE_FIELDS})
    assert hash(r) == hash(Resources(**{name: getattr(r, name) for name in RESOURCE_FIELDS}))
    to_idl_resources(spec)


def _check_spec(value: Any, other: Any) -> None:
    spec = ResourceSpec(requests=value, limits=other)
    layer(spec, spec)
    resolve_task_resources(requests=value, limits=other)
    resolve_task_resources(resources=value)


def _check_merge(value: Any, other: Any) -> None:
    adjust_or_default(value, other, value, other)
    ensure_in_range(other, value, other)


def build(examples: int, seed_value: int) -> Callable[[], None]:
    """A hypothesis test running ``examples`` examples through every target."""
    accelerator_targets = _accelerator_targets()
    quantity_targets: list[Callable[[Any, Any], object]] = [
        lambda a, b: _check_quantity(a),
        lambda a, b: _check_parse(a),
        _check_resources,
        _check_spec,
        _check_merge,
    ]

    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values, values)
    def fuzz(a: Any, b: Any) -> None:
        for target in quantity_targets + accelerator_targets:
            with contextlib.suppress(PodplanError):
                target(a, b)

    return fuzz


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer; exit status 1 when a non-podplan exception escaped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20000, help="hypothesis examples (e.g. 100000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        build(args.examples, args.seed)()
    except Exception as exc:  # report what escaped, hypothesis prints the falsifying example
        print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"{args.examples} examples, only podplan errors escaped ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
