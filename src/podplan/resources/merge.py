"""Merge rules as pure functions: task-level resolution, layering, and the backend primitives.

* :func:`resolve_task_resources` — ``@task(requests=, limits=, resources=)`` (flytekit's rule
  and error text; a scalar in ``resources=`` sets request and limit, D2).
* :func:`layer` — task < node override < …, field by field and side by side, later wins.
* :func:`adjust_or_default` / :func:`ensure_in_range` — flytepropeller's
  ``AdjustOrDefaultResource`` and ``ensureResourceRange`` (``container_helper.go``): a zero or
  missing quantity means *unset*; each result is one of the inputs, so ``None`` stays ``None``.
"""

from __future__ import annotations

from podplan.errors import ResourceConflictError, ResourceTypeError
from podplan.resources.model import RESOURCE_FIELDS, Resources, ResourceSpec
from podplan.resources.quantity import Quantity, QuantityLike

__all__ = [
    "RESOURCE_CONFLICT_MESSAGE",
    "adjust_or_default",
    "ensure_in_range",
    "layer",
    "resolve_task_resources",
]

RESOURCE_CONFLICT_MESSAGE = (
    "`resource` can not be used together with the `limits` or `requests`. Please only set `resource`."
)
"""flytekit's error text when ``resources=`` is combined with ``requests=``/``limits=``."""


def resolve_task_resources(
    requests: Resources | None = None,
    limits: Resources | None = None,
    resources: Resources | None = None,
) -> ResourceSpec | None:
    """Resolve ``@task``'s three resource arguments into one :class:`ResourceSpec` (or ``None``).

    ``resources=`` excludes the other two (even an empty ``Resources()`` counts as set) and is
    split with :meth:`ResourceSpec.from_multiple_resource`. Otherwise ``requests``/``limits`` are
    taken as they are; a pair there is rejected now (flytekit fails later, at serialization).
    Nothing set returns ``None``.
    """
    if resources is not None:
        if requests is not None or limits is not None:
            raise ResourceConflictError(RESOURCE_CONFLICT_MESSAGE)
        if not isinstance(resources, Resources):
            raise ResourceTypeError(f"resources must be a Resources object, got {type(resources).__name__}")
        return ResourceSpec.from_multiple_resource(resources)
    if requests is None and limits is None:
        return None
    return ResourceSpec(requests=requests, limits=limits)


def _merge_side(sides: list[Resources]) -> Resources:
    values: dict[str, Quantity] = {}
    for side in sides:
        for name in RESOURCE_FIELDS:
            value = getattr(side, name)
            if value is not None:
                values[name] = value
    return Resources(**values)


def layer(*specs: ResourceSpec | None) -> ResourceSpec:
    """Layer specs from lowest to highest priority: per field and per side, the last set value wins.

    ``None`` layers are skipped; ``layer()`` is the empty spec (the identity). A later *limit*
    does not touch an earlier *request*, as in the backend's ``MergeResources``.
    """
    present: list[ResourceSpec] = []
    for spec in specs:
        if spec is None:
            continue
        if not isinstance(spec, ResourceSpec):
            raise ResourceTypeError(f"layer() takes ResourceSpec objects, got {type(spec).__name__}")
        present.append(spec)
    if len(present) == 1:
        return present[0]
    return ResourceSpec(
        requests=_merge_side([s.requests for s in present]),
        limits=_merge_side([s.limits for s in present]),
    )


def _q(value: QuantityLike | None) -> Quantity | None:
    if value is None or isinstance(value, Quantity):
        return value  # the input object itself: results are one of the inputs
    return Quantity(value)


def _unset(value: Quantity | None) -> bool:
    return value is None or not value._m


def _cap(value: Quantity | None, ceiling: Quantity | None) -> Quantity | None:
    # ensureResourceLimit: cap only when both sides are set (non-zero).
    if _unset(value) or _unset(ceiling):
        return value
    assert value is not None and ceiling is not None
    return ceiling if value._n > ceiling._n else value


def ensure_in_range(
    request: QuantityLike | None,
    limit: QuantityLike | None,
    platform_limit: QuantityLike | None,
) -> tuple[Quantity | None, Quantity | None]:
    """The backend's ``ensureResourceRange``: clamp without assigning anything.

    request = min(request, platform_limit); limit = min(limit, platform_limit); then
    request = min(request, limit) — each step only when both of its sides are set (non-zero).
    """
    req, lim, plim = _q(request), _q(limit), _q(platform_limit)
    req = _cap(req, plim)
    lim = _cap(lim, plim)
    req = _cap(req, lim)
    return req, lim


def adjust_or_default(
    request: QuantityLike | None,
    limit: QuantityLike | None,
    platform_default: QuantityLike | None,
    platform_limit: QuantityLike | None,
) -> tuple[Quantity | None, Quantity | None]:
    """The backend's ``AdjustOrDefaultResource``: fill unset sides, then :func:`ensure_in_range`.

    An unset request takes the limit, or else the platform default; an unset limit takes the
    request (the platform *limit* is never a default). ``None`` and zero both mean unset.
    """
    req, lim, pdef = _q(request), _q(limit), _q(platform_default)
    if _unset(req):
        req = pdef if _unset(lim) else lim
    if _unset(lim):
        lim = req
    return ensure_in_range(req, lim, platform_limit)
