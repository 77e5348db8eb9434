"""Scheduler predicates: node selector, required node affinity operators, taints/tolerations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podplan.planning.cluster import NodePool, Taint
from podplan.planning.match import (
    affinity_matches,
    requirement_matches,
    requirement_valid,
    selector_matches,
    tolerates,
    untolerated_taints,
)

POOL = NodePool(
    "p",
    labels={"gpu": "a100", "count": "8", "zone-ish": "x", "neg": "-3", "bad-int": "08x"},
    varying_labels={"topology.kubernetes.io/zone": ("us-east-1a", "us-east-1b")},
)


def req(key: str, op: str, *values: str) -> tuple[str, str, tuple[str, ...], bool]:
    return (key, op, tuple(values), False)


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        (req("gpu", "In", "a100"), True),
        (req("gpu", "In", "h100", "a100"), True),
        (req("gpu", "In", "h100"), False),
        (req("missing", "In", "a100"), False),
        (req("gpu", "NotIn", "a100"), False),
        (req("gpu", "NotIn", "h100"), True),
        (req("missing", "NotIn", "a100"), True),  # absent label satisfies NotIn
        (req("gpu", "Exists"), True),
        (req("missing", "Exists"), False),
        (req("gpu", "DoesNotExist"), False),
        (req("missing", "DoesNotExist"), True),
        (req("count", "Gt", "7"), True),
        (req("count", "Gt", "8"), False),  # strict
        (req("count", "Lt", "9"), True),
        (req("count", "Lt", "8"), False),
        (req("neg", "Lt", "0"), True),
        (req("missing", "Gt", "1"), False),
        (req("gpu", "Gt", "1"), False),  # label value not an integer
        (req("bad-int", "Lt", "100"), False),
        (req("topology.kubernetes.io/zone", "In", "us-east-1b"), True),  # some node of the pool
        (req("topology.kubernetes.io/zone", "In", "eu-west-1a"), False),
    ],
)
def test_planning_requirement_operators(requirement: tuple, expected: bool) -> None:
    assert requirement_matches(requirement, POOL) is expected


@pytest.mark.parametrize(
    ("requirement", "valid"),
    [
        (req("gpu", "In"), False),  # In needs values
        (req("gpu", "NotIn"), False),
        (req("gpu", "Exists", "x"), False),  # Exists takes no values
        (req("gpu", "DoesNotExist", "x"), False),
        (req("count", "Gt", "1", "2"), False),  # exactly one value
        (req("count", "Gt", "1.5"), False),  # an integer
        (req("count", "Gt", "abc"), False),
        (req("gpu", "Equals", "a100"), False),  # unknown operator
        (req("", "Exists"), False),
        (req("count", "Lt", "-5"), True),
        (("metadata.name", "In", ("n1",), True), True),
        (("metadata.name", "In", ("n1", "n2"), True), False),  # one value for field selectors
        (("metadata.name", "Exists", (), True), False),
        (("spec.unschedulable", "In", ("x",), True), False),
    ],
)
def test_planning_requirement_validity(requirement: tuple, valid: bool) -> None:
    assert requirement_valid(requirement) is valid


def test_planning_terms_are_ored_and_expressions_anded() -> None:
    a100 = req("gpu", "In", "a100")
    h100 = req("gpu", "In", "h100")
    many = req("count", "Gt", "4")
    assert affinity_matches(((a100, many),), POOL)
    assert not affinity_matches(((a100, req("count", "Gt", "8")),), POOL)  # AND inside a term
    assert affinity_matches(((h100,), (a100,)), POOL)  # OR across terms
    assert not affinity_matches(((h100,),), POOL)
    assert affinity_matches(None, POOL)  # no required affinity


def test_planning_empty_or_invalid_terms_match_nothing() -> None:
    assert not affinity_matches(((),), POOL)  # an empty term matches no node
    assert not affinity_matches((), POOL)  # no terms at all
    # an invalid requirement drops its whole term, other terms still count
    invalid = req("gpu", "In")
    assert not affinity_matches(((invalid, req("gpu", "Exists")),), POOL)
    assert affinity_matches(((invalid,), (req("gpu", "Exists"),)), POOL)


def test_planning_match_fields_metadata_name() -> None:
    pool = NodePool("named", node_names=("n1", "n2"))
    assert requirement_matches(("metadata.name", "In", ("n2",), True), pool)
    assert not requirement_matches(("metadata.name", "In", ("n3",), True), pool)
    assert requirement_matches(("metadata.name", "NotIn", ("n1",), True), pool)  # n2 qualifies


def test_planning_node_selector() -> None:
    assert selector_matches({"gpu": "a100", "count": "8"}, POOL)
    assert not selector_matches({"gpu": "A100"}, POOL)  # case sensitive
    assert not selector_matches({"missing": ""}, POOL)  # absent is not ""
    assert selector_matches({}, POOL)
    assert selector_matches({"topology.kubernetes.io/zone": "us-east-1a"}, POOL)


T = Taint("nvidia.com/gpu", "present", "NoSchedule")


@pytest.mark.parametrize(
    ("toleration", "expected"),
    [
        (("nvidia.com/gpu", "Equal", "present", "NoSchedule"), True),
        (("nvidia.com/gpu", "", "present", "NoSchedule"), True),  # empty operator is Equal
        (("nvidia.com/gpu", "Equal", "true", "NoSchedule"), False),
        (("nvidia.com/gpu", "Exists", "", "NoSchedule"), True),
        (("nvidia.com/gpu", "Exists", "", ""), True),  # empty effect matches all effects
        (("nvidia.com/gpu", "Exists", "", "NoExecute"), False),
        (("", "Exists", "", ""), True),  # empty key + Exists tolerates everything
        (("", "Exists", "", "NoExecute"), False),
        (("", "Equal", "present", ""), True),  # ToleratesTaint: empty key skips the key check
        (("", "Equal", "other", ""), False),
        (("other", "Exists", "", ""), False),
        (("nvidia.com/gpu", "Lt", "present", ""), False),  # unknown operator
    ],
)
def test_planning_toleration_matching(toleration: tuple, expected: bool) -> None:
    assert tolerates(toleration, T) is expected


def test_planning_only_hard_taints_block() -> None:
    pool = NodePool(
        "t",
        taints=(
            Taint("a", "1", "NoSchedule"),
            Taint("b", "1", "PreferNoSchedule"),
            Taint("c", "", "NoExecute"),
        ),
    )
    blocked = untolerated_taints((), pool)
    assert [t.key for t in blocked] == ["a", "c"]
    assert untolerated_taints((("a", "Equal", "1", "NoSchedule"), ("c", "Exists", "", "")), pool) == []


@pytest.mark.parametrize(
    ("text", "taint"),
    [
        ("nvidia.com/gpu=present:NoSchedule", Taint("nvidia.com/gpu", "present", "NoSchedule")),
        ("dedicated:NoExecute", Taint("dedicated", "", "NoExecute")),
        ("k=:PreferNoSchedule", Taint("k", "", "PreferNoSchedule")),
    ],
)
def test_planning_taint_parse(text: str, taint: Taint) -> None:
    assert Taint.parse(text) == taint
    assert Taint.parse(str(taint)) == taint


@pytest.mark.parametrize("text", ["novalue", "k=v:Sometimes", "=v:NoSchedule", ""])
def test_planning_taint_parse_errors(text: str) -> None:
    from podplan.errors import ClusterError

    with pytest.raises(ClusterError):
        Taint.parse(text)


labels = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from(["1", "2", "x"]), max_size=3)
values = st.lists(st.sampled_from(["1", "2", "x"]), min_size=1, max_size=3).map(tuple)


@given(labels, st.sampled_from(["a", "b", "c"]), values)
def test_planning_notin_is_negation_of_in(pool_labels: dict, key: str, vals: tuple) -> None:
    pool = NodePool("h", labels=pool_labels)
    assert requirement_matches((key, "NotIn", vals, False), pool) is not requirement_matches(
        (key, "In", vals, False), pool
    )
    assert requirement_matches((key, "Exists", (), False), pool) is not requirement_matches(
        (key, "DoesNotExist", (), False), pool
    )
