"""Value memoization for decoration and serialization (a bounded dict per use).

Every value memoized here is immutable (``ResourceSpec``, accelerators, quantities,
``TaskMetadata``, protobuf messages that callers only copy), so a cache hit returns exactly what a
fresh computation would. Keys carry the argument types so that ``True``, ``1`` and ``1.0`` never
share an entry. Unhashable arguments simply bypass the cache; errors are never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: entries kept per cache; beyond it new values are computed but not stored
MAX_ENTRIES = 4096


def memo(cache: dict[Any, Any], key: Hashable, build: Callable[[], T]) -> T:
    """``cache[key]``, or ``build()`` stored under ``key`` (bypassed for unhashable keys)."""
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:  # unhashable key
        return build()
    value = build()
    if len(cache) < MAX_ENTRIES:
        cache[key] = value
    return value


def typed_key(*values: Any) -> tuple[Any, ...]:
    """A cache key of ``values`` and their types (``True`` and ``1`` stay distinct)."""
    return tuple((type(v), v) for v in values)


def memo_identity(cache: dict[Any, Any], obj: Any, build: Callable[[], T]) -> T:
    """``build()`` memoized on the *identity* of ``obj`` (kept alive by the cache entry).

    For shared immutable objects (accelerator constants, memoized ``ResourceSpec`` values):
    cheaper than hashing them by value.
    """
    entry = cache.get(id(obj))
    if entry is not None and entry[0] is obj:
        return entry[1]
    value = build()
    if len(cache) < MAX_ENTRIES:
        cache[id(obj)] = (obj, value)
    return value
