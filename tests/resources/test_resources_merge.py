"""resolve_task_resources, layer, adjust_or_default and ensure_in_range (backend §2.2/§2.6)."""

from __future__ import annotations

import pytest

from podplan.errors import ResourceConflictError, ResourceTypeError, ResourceValueError
from podplan.resources import (
    Quantity,
    Resources,
    ResourceSpec,
    adjust_or_default,
    ensure_in_range,
    layer,
    resolve_task_resources,
)

Q = Quantity

CONFLICT = "`resource` can not be used together with the `limits` or `requests`. Please only set `resource`."


# --- resolve_task_resources (flytekit §2.1, vectors 36-39) --------------------------------------


def test_vector_36_resources_pairs() -> None:
    spec = resolve_task_resources(resources=Resources(cpu=("1", "2"), mem=(1024, 2048), gpu=1))
    assert spec is not None
    assert spec.requests == Resources(cpu="1", mem=1024, gpu=1)
    # D2: the scalar gpu=1 is also the limit (flytekit: limits=Resources(cpu="2", mem=2048))
    assert spec.limits == Resources(cpu="2", mem=2048, gpu=1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"resources": Resources(cpu=("1", "2")), "limits": Resources(cpu=1)},  # vector 37
        {"resources": Resources(cpu="1"), "requests": Resources()},  # vector 38
        {"resources": Resources(), "requests": Resources(), "limits": Resources()},
    ],
)
def test_vectors_37_38_conflict(kwargs: dict) -> None:
    with pytest.raises(ResourceConflictError) as info:
        resolve_task_resources(**kwargs)
    assert str(info.value) == CONFLICT
    assert isinstance(info.value, ValueError)


def test_vector_39_scalar_sets_request_and_limit_d2() -> None:
    spec = resolve_task_resources(resources=Resources(cpu="1", mem="1Gi"))
    assert spec is not None
    assert spec.requests == spec.limits == Resources(cpu="1", mem="1Gi")


def test_requests_and_limits_kept_as_given() -> None:
    spec = resolve_task_resources(requests=Resources(cpu="1"), limits=None)
    assert spec == ResourceSpec(requests=Resources(cpu="1"), limits=Resources())
    assert resolve_task_resources() is None


def test_vector_43_pair_in_requests_fails_at_decoration() -> None:
    # flytekit fails only at serialization (§8.43); podplan fails at once (D3).
    with pytest.raises(ResourceValueError, match=r"\('1', '2'\) can not be a list or tuple"):
        resolve_task_resources(requests=Resources(cpu=("1", "2")))


def test_resources_must_be_resources() -> None:
    with pytest.raises(ResourceTypeError):
        resolve_task_resources(resources={"cpu": "1"})  # type: ignore[arg-type]


# --- layer --------------------------------------------------------------------------------------


def test_layer_later_wins_per_field_and_side() -> None:
    task = ResourceSpec(Resources(cpu="500m", mem="300Mi"), Resources(mem="600Mi"))
    node = ResourceSpec(Resources(), Resources(cpu="4"))
    merged = layer(task, node)
    assert merged.requests == Resources(cpu="500m", mem="300Mi")
    assert merged.limits == Resources(cpu="4", mem="600Mi")
    assert layer() == ResourceSpec()
    assert layer(None, task, None) == task
    with pytest.raises(ResourceTypeError):
        layer(Resources(cpu="1"))  # type: ignore[arg-type]


# --- backend primitives (§2.2 table and §8 vectors 1-5) -----------------------------------------


@pytest.mark.parametrize(
    ("request_", "limit", "expected"),
    [
        ("1", "2", ("1", "2")),  # unchanged
        (None, "2", ("2", "2")),  # request from limit (vector 1)
        ("2", None, ("2", "2")),  # limit from request
        (None, None, ("10", "10")),  # platform default for both (vector 2)
        ("10", "2", ("2", "2")),  # request capped at limit (vector 3)
        ("1", "40", ("1", "20")),  # limit capped at platform limit
        ("40", "50", ("20", "20")),  # both capped (vector 4)
        ("0", "2", ("2", "2")),  # zero means unset
        ("0", "0", ("10", "10")),
    ],
)
def test_adjust_or_default_table(request_: str | None, limit: str | None, expected: tuple) -> None:
    got = adjust_or_default(request_, limit, "10", "20")
    assert got == (Q(expected[0]), Q(expected[1]))


def test_ensure_in_range_vector_5() -> None:
    assert ensure_in_range("4", "6", "5") == (Q(4), Q(5))


def test_ensure_in_range_assigns_nothing() -> None:
    assert ensure_in_range(None, None, "5") == (None, None)
    assert ensure_in_range("100m", None, "10") == (Q("100m"), None)
    assert ensure_in_range("100", "200", "10") == (Q(10), Q(10))  # §8.16
    assert ensure_in_range("1", "2", "500m") == (Q("500m"), Q("500m"))  # §8.18
    assert ensure_in_range("3", "2", None) == (Q(2), Q(2))


def test_unset_results_stay_none() -> None:
    assert adjust_or_default(None, None, None, None) == (None, None)
    assert adjust_or_default(None, None, None, "20") == (None, None)


def test_results_are_the_input_objects() -> None:
    plim = Q("2")
    req, lim = adjust_or_default("500m", "4", None, plim)
    assert lim is plim and req == Q("500m")


def test_worked_example_override_limit_clamped() -> None:
    # backend §2.6: requests {cpu 500m, mem 300Mi}, limits {mem 600Mi} + override limits {cpu 4}
    spec = layer(
        ResourceSpec(Resources(cpu="500m", mem="300Mi"), Resources(mem="600Mi")),
        ResourceSpec(limits=Resources(cpu="4")),
    )
    cpu = adjust_or_default(*spec.pair("cpu"), "2", "2")
    mem = adjust_or_default(*spec.pair("mem"), "200Mi", "1Gi")
    assert tuple(map(str, cpu)) == ("500m", "2")
    assert tuple(map(str, mem)) == ("300Mi", "600Mi")
    # no resources at all -> the default request, for both sides
    assert tuple(map(str, adjust_or_default(None, None, "2", "2"))) == ("2", "2")


# --- backend §8 vectors expressed with the primitives (container = task, override, platform) ----


def _apply(spec: ResourceSpec, name: str, pdef: str | None, plim: str | None) -> tuple[str, str]:
    req, lim = adjust_or_default(*spec.pair(name), pdef, plim)
    return str(req), str(lim)


def test_backend_vector_12_override_request_with_platform() -> None:
    container = ResourceSpec(Resources(cpu="1"), Resources(cpu="10"))
    override = ResourceSpec(requests=Resources(mem="2"))
    merged = layer(container, override)
    assert _apply(merged, "cpu", None, None) == ("1", "10")
    assert _apply(merged, "mem", "2", "20") == ("2", "2")


def test_backend_vector_13_override_limit_clamped() -> None:
    container = ResourceSpec(Resources(cpu="1", mem="2"), Resources(cpu="10", mem="2"))
    override = ResourceSpec(Resources(mem="2"), Resources(mem="200"))
    assert _apply(layer(container, override), "mem", None, "20") == ("2", "20")


def test_backend_vector_14_values_from_container_clamped() -> None:
    container = ResourceSpec(Resources(cpu="100"), Resources(cpu="100"))
    assert _apply(container, "cpu", "1", "10") == ("10", "10")
    assert _apply(container, "mem", "2", "20") == ("2", "2")


def test_backend_vector_17_template_then_container_then_override() -> None:
    template = ResourceSpec(
        Resources(cpu="50m", ephemeral_storage="1Gi"), Resources(cpu="150m", ephemeral_storage="2Gi")
    )
    container = ResourceSpec(Resources(mem="128Mi"), Resources(mem="256Mi"))
    override = ResourceSpec(Resources(mem="512Mi"), Resources(mem="1Gi"))
    merged = layer(template, container, override)
    assert [_apply(merged, n, None, None) for n in ("mem", "cpu", "ephemeral_storage")] == [
        ("512Mi", "1Gi"),
        ("50m", "150m"),
        ("1Gi", "2Gi"),
    ]


def test_backend_vector_49_admin_defaults() -> None:
    # TestSetDefaults: task cpu request 250m; admin defaults cpu 200m, gpu 4, mem 200Gi, eph 500Mi
    task = ResourceSpec(requests=Resources(cpu="250m"))
    defaults = {"cpu": "200m", "gpu": "4", "mem": "200Gi", "ephemeral_storage": "500Mi"}
    got = {name: _apply(task, name, pdef, None) for name, pdef in defaults.items()}
    assert got == {
        "cpu": ("250m", "250m"),
        "gpu": ("4", "4"),
        "mem": ("200Gi", "200Gi"),
        "ephemeral_storage": ("500Mi", "500Mi"),
    }


def test_backend_worked_examples_gpu_and_ephemeral_limit_from_request() -> None:
    assert _apply(ResourceSpec(requests=Resources(gpu=1)), "gpu", None, "1") == ("1", "1")
    spec = ResourceSpec(requests=Resources(ephemeral_storage="10Gi"))
    assert _apply(spec, "ephemeral_storage", None, None) == ("10Gi", "10Gi")
