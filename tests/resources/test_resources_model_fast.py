"""Resources' fast paths (exact-type scalars, remembered values, shared sides) change no outcome."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podplan.errors import PodplanError, ResourceBoolError, ResourceTypeError, ResourceValueError
from podplan.resources import RESOURCE_FIELDS, Quantity, Resources, ResourceSpec
from podplan.resources.model import convert_field

scalar = st.sampled_from(
    [
        *("1", "2", "500m", "1.5", "2Gi", "1GB", "-1", "0", "", "1e3", "0.5Gi", "01"),
        *(1, 0, -1, 2, 10**30, True, False, 1.0, 0.5, 2.5, None),
        *(Quantity("1"), Quantity("-1"), Quantity("500m")),
    ]
)
value = scalar | st.tuples(scalar, scalar) | st.lists(scalar, max_size=3)


def outcome(make: Any) -> tuple[object, ...]:
    try:
        r = make()
    except PodplanError as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", r)


def reference(fields: dict[str, Any]) -> Resources:
    """The uncached, unoptimised conversion, field by field in order."""
    r = object.__new__(Resources)
    for name in RESOURCE_FIELDS:
        r.__dict__[name] = convert_field(name, fields.get(name))
    return r


@given(st.fixed_dictionaries({}, optional=dict.fromkeys(RESOURCE_FIELDS, value)))
def test_fast_paths_agree_with_field_by_field_conversion(fields: dict[str, Any]) -> None:
    expected = outcome(lambda: reference(fields))
    assert outcome(lambda: Resources(**fields)) == expected
    assert outcome(lambda: Resources(**fields)) == expected  # again: now from remembered values


def test_remembered_values_keep_bool_and_float_apart() -> None:
    assert Resources(cpu=1, mem=1, gpu=1).gpu == Quantity("1")
    with pytest.raises(ResourceBoolError):
        Resources(cpu=True)  # True == 1 and hash(True) == hash(1): must not reach the entry of 1
    with pytest.raises(ResourceTypeError):
        Resources(mem=1.0)  # 1.0 == 1 as well; mem takes no float
    with pytest.raises(ResourceBoolError):
        Resources(cpu=(True, "2"))
    assert Resources(cpu=1.0).cpu == Quantity("1")


def test_invalid_values_fail_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ResourceValueError, match="whole number of GPUs"):
            Resources(gpu="500m")
        with pytest.raises(ResourceValueError, match="above the limit"):
            Resources(cpu=("2", "1"))
        with pytest.raises(ResourceValueError, match="negative"):
            Resources(mem=-1)


def test_repeated_values_are_validated_once_and_shared() -> None:
    a = Resources(cpu="1", mem="2Gi", gpu="1")
    b = Resources(cpu="1", mem="2Gi", gpu="1")
    assert a == b and a.mem is b.mem and a.cpu is b.cpu


def test_scalar_resources_share_one_side_and_subclasses_are_revalidated() -> None:
    r = Resources(cpu="1", mem="1Gi")
    spec = ResourceSpec.from_multiple_resource(r)
    assert spec.requests is r and spec.limits is r

    class Mine(Resources):
        pass

    mine = ResourceSpec.from_multiple_resource(Mine(cpu=("500m", "1"), mem="1Gi"))
    assert type(mine.requests) is Resources and mine.requests == Resources(cpu="500m", mem="1Gi")
    assert mine.limits == Resources(cpu="1", mem="1Gi")
    split = ResourceSpec.from_multiple_resource(Resources(cpu=("500m", "1"), gpu=1))
    assert split.pair("cpu") == (Quantity("500m"), Quantity("1")) and split.pair("gpu") == (Quantity(1),) * 2
