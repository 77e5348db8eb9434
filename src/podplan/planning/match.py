"""Scheduler predicates on one pool, reproduced from Kubernetes exactly.

* ``nodeSelector``: every key present with an equal value.
* Required node affinity: the terms are OR-ed; a term's requirements are AND-ed; a term with no
  requirement matches nothing; a term with an invalid requirement (unknown operator, ``In`` with
  no values, ``Exists`` with values, ``Gt``/``Lt`` without exactly one integer) is dropped (it
  matches nothing), like ``nodeaffinity.NewLazyErrorNodeSelector``. ``In``: label present and
  value listed; ``NotIn``: label absent or value not listed; ``Exists``/``DoesNotExist``;
  ``Gt``/``Lt``: label present, parses as a base-10 int64 and compares strictly. ``matchFields``
  supports ``metadata.name`` with ``In``/``NotIn`` and exactly one value.
* Taints: only ``NoSchedule`` and ``NoExecute`` taints must be tolerated (``PreferNoSchedule``
  never blocks). A toleration matches a taint when its effect is empty or equal, its key is empty
  or equal, and its operator is ``Exists``, or ``Equal``/empty with an equal value
  (``v1.Toleration.ToleratesTaint``).

Labels that vary between a pool's nodes (zones) are evaluated per requirement as "some node of
the pool satisfies it".
"""

from __future__ import annotations

from collections.abc import Mapping

from podplan.planning.cluster import NodePool, Taint
from podplan.planning.pods import Requirement, Toleration

LABEL_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"})
HARD_EFFECTS = frozenset({"NoSchedule", "NoExecute"})
_INT64 = (-(2**63), 2**63 - 1)


def _parse_int64(text: str) -> int | None:
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    value = int(text)
    return value if _INT64[0] <= value <= _INT64[1] else None


def requirement_valid(req: Requirement) -> bool:
    """Whether Kubernetes can turn the requirement into a selector (else its term is dropped)."""
    key, op, values, is_field = req
    if is_field:
        return key == "metadata.name" and op in ("In", "NotIn") and len(values) == 1
    if not key or op not in LABEL_OPERATORS:
        return False
    if op in ("In", "NotIn"):
        return len(values) > 0
    if op in ("Exists", "DoesNotExist"):
        return len(values) == 0
    return len(values) == 1 and _parse_int64(values[0]) is not None


def _candidates(pool: NodePool, key: str) -> tuple[str | None, ...]:
    if key in pool.labels:
        return (pool.labels[key],)
    varying = pool.varying_labels.get(key)
    if varying:
        return tuple(varying)
    return (None,)


def _value_matches(op: str, value: str | None, values: tuple[str, ...]) -> bool:
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if value is None:
        return False
    number = _parse_int64(value)
    bound = _parse_int64(values[0])
    if number is None or bound is None:
        return False
    return number > bound if op == "Gt" else number < bound


def requirement_matches(req: Requirement, pool: NodePool) -> bool:
    """Whether some node of ``pool`` satisfies one (valid) requirement."""
    key, op, values, is_field = req
    if not requirement_valid(req):
        return False
    if is_field:
        names = pool.node_names
        if op == "In":
            return values[0] in names
        return any(n != values[0] for n in names) or not names
    return any(_value_matches(op, v, values) for v in _candidates(pool, key))


def term_matches(term: tuple[Requirement, ...], pool: NodePool) -> bool:
    """A term matches when it has requirements, all valid, all satisfied."""
    if not term or not all(requirement_valid(r) for r in term):
        return False
    return all(requirement_matches(r, pool) for r in term)


def affinity_matches(terms: tuple[tuple[Requirement, ...], ...] | None, pool: NodePool) -> bool:
    """Required node affinity: ``None`` (absent) matches every pool; terms are OR-ed."""
    if terms is None:
        return True
    return any(term_matches(t, pool) for t in terms)


def selector_matches(selector: Mapping[str, str] | tuple[tuple[str, str], ...], pool: NodePool) -> bool:
    """``nodeSelector``: every pair present on the pool's nodes."""
    pairs = selector.items() if isinstance(selector, Mapping) else selector
    return all(value in _candidates(pool, key) for key, value in pairs)


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """``v1.Toleration.ToleratesTaint``."""
    key, op, value, effect = toleration
    if effect and effect != taint.effect:
        return False
    if key and key != taint.key:
        return False
    if op in ("", "Equal"):
        return value == taint.value
    return op == "Exists"


def untolerated_taints(tolerations: tuple[Toleration, ...], pool: NodePool) -> list[Taint]:
    """The pool's ``NoSchedule``/``NoExecute`` taints that no toleration tolerates."""
    return [
        t
        for t in pool.taints
        if t.effect in HARD_EFFECTS and not any(tolerates(tol, t) for tol in tolerations)
    ]
