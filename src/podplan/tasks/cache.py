"""``Cache``: task caching configuration, with a useful default version (flytekit spec §5.4).

flytekit's ``@task(cache=True)`` without a version fails (its stock plugin has no cache policy).
podplan derives the version instead: :class:`SourceCachePolicy`, the default policy, hashes the
function's source text (its code object when the source is unavailable), the task interface and
the container image, so the cache is invalidated whenever the function or its signature changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from podplan.errors import TaskDefinitionError, TaskTypeError


@dataclasses.dataclass(frozen=True)
class VersionParameters:
    """What a cache policy may use to compute a version."""

    func: Callable[..., Any] | None = None
    container_image: Any = None
    pod_template: Any = None
    pod_template_name: str | None = None
    interface: Any = None


@runtime_checkable
class CachePolicy(Protocol):
    """A policy contributes a string to the cache version (flytekit's ``CachePolicy``)."""

    def get_version(self, salt: str, params: VersionParameters) -> str:
        """Return this policy's version string."""
        ...


class SourceCachePolicy:
    """Default policy: SHA-256 over salt, function source, interface and container image."""

    def get_version(self, salt: str, params: VersionParameters) -> str:
        """Hash the function source (or code object), interface and image with ``salt``."""
        h = hashlib.sha256(salt.encode())
        fn = params.func
        if fn is not None:
            fn = inspect.unwrap(fn)
            try:
                h.update(inspect.getsource(fn).encode())
            except (OSError, TypeError):
                code = getattr(fn, "__code__", None)
                h.update(code.co_code if code is not None else repr(fn).encode())
                if code is not None:
                    h.update(repr(code.co_consts).encode())
        interface = params.interface
        if interface is not None:
            ins = getattr(interface, "inputs", {})
            outs = getattr(interface, "outputs", {})
            h.update(repr(sorted((k, repr(v)) for k, v in ins.items())).encode())
            h.update(repr([(k, repr(v)) for k, v in outs.items()]).encode())
        if params.container_image is not None:
            h.update(str(params.container_image).encode())
        return h.hexdigest()


@dataclasses.dataclass(frozen=True)
class Cache:
    """How a task is cached: ``version`` (derived when unset), ``serialize``, ``ignored_inputs``,
    ``salt`` and ``policies`` (a policy or a list; default :class:`SourceCachePolicy`)."""

    version: str | None = None
    serialize: bool = False
    ignored_inputs: tuple[str, ...] | str = ()
    salt: str = ""
    policies: CachePolicy | Sequence[CachePolicy] | None = None

    def __post_init__(self) -> None:
        if self.version is not None and not isinstance(self.version, str):
            raise TaskTypeError(f"Cache version={self.version!r} is invalid: expected a str")
        if not isinstance(self.serialize, bool):
            raise TaskTypeError(f"Cache serialize={self.serialize!r} is invalid: expected True or False")
        if not isinstance(self.salt, str):
            raise TaskTypeError(f"Cache salt={self.salt!r} is invalid: expected a str")
        ignored = self.ignored_inputs
        if isinstance(ignored, str):
            ignored = (ignored,)
        ignored = tuple(ignored or ())
        if not all(isinstance(v, str) for v in ignored):
            raise TaskTypeError(f"Cache ignored_inputs={ignored!r} is invalid: expected input names")
        object.__setattr__(self, "ignored_inputs", ignored)
        policies = self.policies
        if policies is not None:
            plist = [policies] if not isinstance(policies, Sequence) else list(policies)
            for p in plist:
                if not callable(getattr(p, "get_version", None)):
                    raise TaskTypeError(f"Cache policy {p!r} is invalid: it has no get_version(salt, params)")
            object.__setattr__(self, "policies", tuple(plist))

    def get_ignored_inputs(self) -> tuple[str, ...]:
        """The input names excluded from the cache key."""
        return self.ignored_inputs  # type: ignore[return-value]

    def get_version(self, params: VersionParameters) -> str:
        """``version`` if set, else SHA-256 of the concatenated policy versions."""
        if self.version is not None:
            return self.version
        policies = self.policies if self.policies is not None else (SourceCachePolicy(),)
        parts = []
        for policy in policies:  # type: ignore[union-attr]
            try:
                parts.append(policy.get_version(self.salt, params))
            except Exception as exc:
                raise TaskDefinitionError(
                    f"Failed to generate version for cache policy {policy}. Please consider setting the "
                    "version in the Cache definition, e.g. Cache(version='v1.2.3')"
                ) from exc
        return hashlib.sha256("".join(parts).encode()).hexdigest()


_DEPRECATED_MSG = (
    "cache_serialize, cache_version, and cache_ignore_input_vars are deprecated. Please use Cache object"
)


def resolve_cache(
    cache: Any,
    cache_serialize: Any,
    cache_version: Any,
    cache_ignore_input_vars: Any,
    params: VersionParameters,
) -> tuple[bool, bool, str, tuple[str, ...]]:
    """Decorator cache logic: returns ``(cache, serialize, version, ignored_inputs)``.

    ``cache=True`` without ``cache_version`` derives the version (see module docstring).
    """
    if cache is True and cache_version is None:
        cache = Cache(serialize=bool(cache_serialize), ignored_inputs=cache_ignore_input_vars or ())
    if isinstance(cache, Cache):
        if cache_serialize is not None or cache_version is not None or cache_ignore_input_vars is not None:
            raise TaskDefinitionError(_DEPRECATED_MSG)
        return True, cache.serialize, cache.get_version(params), cache.get_ignored_inputs()
    if not isinstance(cache, bool):
        raise TaskTypeError(f"cache={cache!r} is invalid: expected True, False or a podplan Cache")
    if cache_serialize is not None and not isinstance(cache_serialize, bool):
        raise TaskTypeError(f"cache_serialize={cache_serialize!r} is invalid: expected True or False")
    if cache_version is not None and not isinstance(cache_version, str):
        raise TaskTypeError(f"cache_version={cache_version!r} is invalid: expected a str")
    ignored = cache_ignore_input_vars or ()
    if isinstance(ignored, str):
        ignored = (ignored,)
    return cache, bool(cache_serialize), cache_version or "", tuple(ignored)
