"""Resource amounts in the scheduler's integer units.

The kube-scheduler compares pods with nodes on integers: CPU in milli-cores
(``Quantity.MilliValue()``), every other resource in whole units (``Quantity.Value()``), both
rounded *up*. podplan does the same, so ``cpu: 100.5m`` needs 101m and ``memory: 1.5`` needs 2
bytes, exactly like the scheduler. Conversions are cached: a 10,000-task run repeats the same few
quantity strings over and over.
"""

from __future__ import annotations

from functools import lru_cache

from podplan.errors import ClusterError

#: largest amount kept (int64 max, as in Go); larger quantities saturate
INT64_MAX = 2**63 - 1

#: resources the scheduler measures in milli-units
MILLI_RESOURCES = frozenset({"cpu"})


@lru_cache(maxsize=65536)
def amount(resource: str, value: str) -> int:
    """Return ``value`` of ``resource`` in scheduler units (milli-CPU, bytes, devices).

    Raises :class:`ClusterError` (a ``ValueError``) naming the resource when ``value`` is not a
    Kubernetes quantity.
    """
    from podplan.errors import PodplanError
    from podplan.resources import Quantity

    try:
        quantity = Quantity(value)
    except (PodplanError, ValueError, TypeError) as exc:
        raise ClusterError(f"{resource}: {value!r} is not a Kubernetes quantity ({exc})") from None
    number = quantity.milli_value() if resource in MILLI_RESOURCES else quantity.value()
    return max(-INT64_MAX, min(int(number), INT64_MAX))


def is_quantity(value: str) -> bool:
    """Return whether ``value`` parses as a Kubernetes quantity."""
    try:
        amount("", value)
    except ClusterError:
        return False
    return True


def format_amount(resource: str, number: int) -> str:
    """Render a scheduler amount back as a short human quantity (``1500m``, ``4Gi``, ``8``)."""
    if resource in MILLI_RESOURCES:
        return f"{number // 1000}" if number % 1000 == 0 else f"{number}m"
    if resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-"):
        for suffix, factor in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if number and number % factor == 0:
                exact = f"{number // factor}{suffix}"
                if factor < 2**30 and number >= 2**30:
                    return f"{exact} (~{number / 2**30:.1f}Gi)"
                return exact
    return str(number)
