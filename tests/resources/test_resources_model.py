"""Resources / ResourceSpec construction, validation and the flytekit §8 resource vectors."""

from __future__ import annotations

import pickle

import pytest

from podplan.errors import (
    PodplanError,
    QuantityError,
    ResourceTypeError,
    ResourceValueError,
    UnknownArgumentError,
)
from podplan.resources import Quantity, Resources, ResourceSpec

Q = Quantity


# --- flytekit §8 vectors 1-8 (type and length checks; texts as flytekit's) -----------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        # §8.1
        (
            {"cpu": bytes(1)},
            AssertionError,
            "b'\\x00' should be of type str, int, float or a list/tuple of str, int, float",
        ),
        # §8.2
        ({"mem": 0.1}, AssertionError, "0.1 should be of type str, int or a list/tuple of str, int"),
        # §8.3
        ({"gpu": 0.1}, AssertionError, "0.1 should be of type str, int or a list/tuple of str, int"),
        (
            {"ephemeral_storage": 0.1},
            AssertionError,
            "0.1 should be of type str, int or a list/tuple of str, int",
        ),
        # §8.4
        ({"cpu": [1]}, ValueError, "[1] must be of length 2"),
        ({"cpu": [1, 2, 3]}, ValueError, "[1, 2, 3] must be of length 2"),
        # §8.5
        ({"cpu": []}, ValueError, "[] must be of length 2"),
        ({"cpu": ()}, ValueError, "() must be of length 2"),
        # §8.6
        (
            {"cpu": (None, "2")},
            AssertionError,
            "(None, '2') should be of type str, int, float or a list/tuple of str, int, float",
        ),
        ({"mem": [1.5, 2]}, AssertionError, "[1.5, 2] should be of type str, int or a list/tuple"),
        ({"cpu": {}}, AssertionError, "{} should be of type str, int, float"),
        ({"cpu": [[1, 2], [3, 4]]}, AssertionError, "should be of type str, int, float"),
    ],
)
def test_flytekit_type_and_length_vectors(kwargs: dict, error: type, text: str) -> None:
    with pytest.raises(error) as info:
        Resources(**kwargs)
    assert text in str(info.value)
    assert isinstance(info.value, PodplanError)
    field = next(iter(kwargs))
    assert f"Resources.{field}" in str(info.value)


def test_type_errors_are_assertion_and_type_errors() -> None:
    with pytest.raises(ResourceTypeError) as info:
        Resources(cpu=object())
    assert isinstance(info.value, AssertionError) and isinstance(info.value, TypeError)


def test_fields_checked_in_flytekit_order() -> None:
    # cpu is checked before mem: the cpu error wins
    with pytest.raises(ResourceValueError, match=r"Resources\.cpu"):
        Resources(cpu=[1], mem=0.5)


# §8.7 (constructs) — D2/D3/D4: values become exact quantities; bool is a deliberate deviation.
def test_flytekit_vector_7_constructs() -> None:
    assert Resources(cpu=[1, "2"]).cpu == (Q(1), Q(2))
    assert Resources(ephemeral_storage=("1Gi", "2Gi")).ephemeral_storage == (Q("1Gi"), Q("2Gi"))


@pytest.mark.parametrize("kwargs", [{"cpu": True}, {"mem": False}, {"gpu": [1, True]}])
def test_bool_rejected_deviation_from_flytekit(kwargs: dict) -> None:
    # flytekit §8.7 accepts Resources(cpu=True); podplan rejects bool (D3). The error is an
    # AssertionError (flytekit's type check), a TypeError and a ValueError.
    with pytest.raises(ResourceTypeError) as info:
        Resources(**kwargs)
    assert isinstance(info.value, AssertionError)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, QuantityError)
    assert "bool" in str(info.value)


def test_flytekit_vector_8_equality_by_value_deviation() -> None:
    # flytekit: Resources(cpu=1) != Resources(cpu="1"); podplan compares by value (D4).
    assert Resources(cpu=1) == Resources(cpu="1")
    assert Resources(cpu=0.5) == Resources(cpu="500m")
    assert hash(Resources(cpu=0.5)) == hash(Resources(cpu="500m"))
    assert Resources(cpu=[1, 2]) == Resources(cpu=(1, 2))
    assert Resources(cpu=1) != Resources(cpu=2)
    assert Resources(cpu=1) != Resources(mem=1)


def test_positional_order_is_flytekits() -> None:
    assert Resources("1", "2Gi", "1", "10Gi") == Resources(
        cpu="1", mem="2Gi", gpu="1", ephemeral_storage="10Gi"
    )


def test_values_are_parsed_at_construction() -> None:
    r = Resources(cpu=0.5, mem=1024, gpu="1", ephemeral_storage=("1Gi", "2Gi"))
    assert r.cpu == Q("500m") and str(r.cpu) == "500m"
    assert r.mem == Q(1024) and str(r.mem) == "1024"
    assert isinstance(r.gpu, Quantity)
    assert r.ephemeral_storage == (Q("1Gi"), Q("2Gi"))


def test_issue_acceptance_mem_1gb_raises_quantity_error() -> None:
    with pytest.raises(QuantityError, match="did you mean 1G or 1Gi"):
        Resources(mem="1GB")


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"cpu": -1}, "negative"),
        ({"mem": "-1Gi"}, "negative"),
        ({"cpu": ("-1", "2")}, "negative"),
        ({"gpu": "1.5"}, "whole number"),
        ({"gpu": "500m"}, "whole number"),
        ({"gpu": ("1", "2.5")}, "whole number"),
        ({"cpu": ("2", "1")}, "above the limit"),
        ({"mem": ("2Gi", "1Gi")}, "above the limit"),
    ],
)
def test_value_errors(kwargs: dict, text: str) -> None:
    with pytest.raises(ResourceValueError, match=text):
        Resources(**kwargs)


def test_zero_and_whole_gpu_strings_accepted() -> None:
    assert Resources(gpu="1000m").gpu == Q(1)
    assert Resources(cpu=0, gpu=0).cpu == Q(0)
    assert Resources(cpu=("1", "1")).cpu == (Q(1), Q(1))


def test_frozen_and_hashable() -> None:
    r = Resources(cpu="1")
    with pytest.raises(AttributeError):
        r.cpu = "2"  # type: ignore[misc]
    assert {r: 1}[Resources(cpu=1.0)] == 1
    assert pickle.loads(pickle.dumps(r)) == r


def test_repr_and_to_dict() -> None:
    r = Resources(cpu=("1", "2"), mem=1024)
    assert repr(r) == "Resources(cpu=('1', '2'), mem='1024')"
    assert r.to_dict() == {"cpu": ["1", "2"], "mem": "1024", "gpu": None, "ephemeral_storage": None}


def test_replace() -> None:
    r = Resources(cpu="1").replace(mem="1Gi", cpu=None)
    assert r == Resources(mem="1Gi")
    with pytest.raises(ResourceTypeError, match="no field"):
        Resources().replace(memory="1Gi")


# --- ResourceSpec ------------------------------------------------------------------------------


def test_from_multiple_resource_vector_12() -> None:
    # §8.12
    spec = ResourceSpec.from_multiple_resource(Resources(cpu=[1, 2], mem=["1Gi", "4Gi"], gpu=[1, 2]))
    assert spec.requests == Resources(cpu=1, mem="1Gi", gpu=1)
    assert spec.limits == Resources(cpu=2, mem="4Gi", gpu=2)


def test_from_multiple_resource_vector_13_scalar_sets_both_d2() -> None:
    # §8.13 — flytekit puts a scalar in requests only; podplan sets request and limit (D2).
    spec = ResourceSpec.from_multiple_resource(Resources(cpu="1", mem=[1024, 2058], ephemeral_storage="2Gi"))
    assert spec.requests == Resources(cpu="1", mem=1024, ephemeral_storage="2Gi")
    assert spec.limits == Resources(cpu="1", mem=2058, ephemeral_storage="2Gi")


def test_from_multiple_resource_vector_14_d2() -> None:
    # §8.14 — flytekit: limits=Resources(); podplan (D2): limits equal requests.
    spec = ResourceSpec.from_multiple_resource(Resources(cpu="10", mem=1024, ephemeral_storage="2Gi", gpu=1))
    assert spec.requests == Resources(cpu="10", mem=1024, ephemeral_storage="2Gi", gpu=1)
    assert spec.limits == spec.requests


def test_resource_spec_rejects_pairs_and_wrong_types() -> None:
    with pytest.raises(ResourceValueError, match=r"\('1', '2'\) can not be a list or tuple"):
        ResourceSpec(requests=Resources(cpu=("1", "2")))
    with pytest.raises(ResourceTypeError):
        ResourceSpec(requests={"cpu": "1"})  # type: ignore[arg-type]


def test_resource_spec_none_sides_and_views() -> None:
    spec = ResourceSpec(requests=None, limits=Resources(cpu="2"))  # type: ignore[arg-type]
    assert spec.requests == Resources()
    assert spec.pair("cpu") == (None, Q(2))
    assert spec.pairs() == {"cpu": (None, Q(2))}
    assert spec.request("mem") is None and spec.limit("cpu") == Q(2)
    assert not spec.is_empty() and ResourceSpec().is_empty()
    with pytest.raises(ResourceTypeError):
        spec.pair("memory")


def test_request_above_limit_across_sides_is_kept() -> None:
    # The backend clamps it (ensureResourceRange); the model does not reject it.
    spec = ResourceSpec(requests=Resources(cpu="4"), limits=Resources(cpu="2"))
    assert spec.pair("cpu") == (Q(4), Q(2))


def test_unknown_arguments_rejected_d5() -> None:
    with pytest.raises(UnknownArgumentError, match="memory"):
        Resources(memory="1Gi")  # type: ignore[call-arg]
    with pytest.raises(UnknownArgumentError, match="extra positional"):
        Resources("1", "1Gi", "1", "1Gi", "x")  # type: ignore[call-arg]
    with pytest.raises(UnknownArgumentError):
        ResourceSpec(Resources(), Resources(), Resources())  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ResourceSpec(request=Resources())  # type: ignore[call-arg]
