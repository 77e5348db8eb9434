"""``@eager``: an async task that runs the tasks it calls as it goes (flytekit's eager workflows).

Locally, calling an eager task returns a coroutine (as in flytekit), so
``asyncio.run(wf(x=1))`` runs it; inside, plain task calls run synchronously and return values,
and nested eager tasks are awaited. Serialized, the task carries ``is_eager`` and
``generates_deck`` in its metadata.

Deviation from flytekit (D5): ``cache``, ``retries``, ``timeout``, ``interruptible`` and
``deprecated`` passed to ``@eager`` are applied to the metadata instead of being silently
dropped (flytekit: ``@eager(cache=Cache(version="v"))`` gives ``metadata.cache == False``).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any

from podplan.errors import TaskTypeError, UnknownArgumentError
from podplan.tasks.function_task import AsyncPythonFunctionTask, ExecutionBehavior
from podplan.tasks.metadata import TaskMetadata
from podplan.tasks.tracking import ExecutionMode

__all__ = ["EagerAsyncPythonFunctionTask", "eager"]

_METADATA_KWARGS = ("cache", "cache_serialize", "cache_version", "cache_ignore_input_vars")


class EagerAsyncPythonFunctionTask(AsyncPythonFunctionTask):
    """The task class ``@eager`` builds: async, ``ExecutionBehavior.EAGER``, decks enabled."""

    def __init__(self, task_config: Any, task_function: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(task_function):
            name = getattr(task_function, "__qualname__", task_function)
            raise TaskTypeError(f"@eager needs an 'async def' function; {name!r} is not a coroutine function")
        metadata = kwargs.pop("metadata", None) or TaskMetadata()
        if not isinstance(metadata, TaskMetadata):
            raise TaskTypeError(f"metadata={metadata!r} is invalid: expected a podplan TaskMetadata")
        kwargs["metadata"] = dataclasses.replace(metadata, is_eager=True, generates_deck=True)
        kwargs["enable_deck"] = True
        kwargs.pop("disable_deck", None)
        kwargs["execution_mode"] = ExecutionBehavior.EAGER
        super().__init__(task_config, task_function, **kwargs)

    def _local_call(self, inputs: dict[str, Any], *, accelerator: Any = None, resources: Any = None) -> Any:
        """Always a coroutine (flytekit parity): ``asyncio.run(eager_task(x=1))``."""
        return self._run(inputs, accelerator, resources)

    def local_execution_mode(self) -> ExecutionMode:
        """``ExecutionMode.EAGER_LOCAL_EXECUTION``, as flytekit's eager tasks."""
        return ExecutionMode.EAGER_LOCAL_EXECUTION


def _metadata(fn: Callable[..., Any], kwargs: dict[str, Any]) -> TaskMetadata:
    """Fold ``@task``-style metadata keywords into a :class:`TaskMetadata` (D5, see module doc)."""
    from podplan.tasks.validation import check_interruptible, check_retries, check_timeout

    base = kwargs.pop("metadata", None) or TaskMetadata()
    if not isinstance(base, TaskMetadata):
        raise TaskTypeError(f"metadata={base!r} is invalid: expected a podplan TaskMetadata")
    changes: dict[str, Any] = {}
    if "retries" in kwargs:
        changes["retries"] = check_retries(kwargs.pop("retries"))
    if "interruptible" in kwargs:
        changes["interruptible"] = check_interruptible(kwargs.pop("interruptible"))
    if "timeout" in kwargs:
        changes["timeout"] = check_timeout(kwargs.pop("timeout")) or None
    if "deprecated" in kwargs:
        changes["deprecated"] = kwargs.pop("deprecated")
    for key in ("labels", "annotations", "pod_template_name"):
        if kwargs.get(key) is not None:
            changes[key] = kwargs[key]
    cache_kwargs = {k: kwargs.pop(k) for k in _METADATA_KWARGS if k in kwargs}
    if any(v not in (None, False, ()) for v in cache_kwargs.values()):
        from podplan.tasks.cache import VersionParameters, resolve_cache
        from podplan.tasks.interface import Interface

        params = VersionParameters(
            func=fn,
            container_image=kwargs.get("container_image"),
            pod_template=kwargs.get("pod_template"),
            pod_template_name=kwargs.get("pod_template_name"),
            interface=Interface.from_function(fn, pickle_untyped=bool(kwargs.get("pickle_untyped"))),
        )
        cached, serialize, version, ignored = resolve_cache(
            cache_kwargs.get("cache", False),
            cache_kwargs.get("cache_serialize"),
            cache_kwargs.get("cache_version"),
            cache_kwargs.get("cache_ignore_input_vars"),
            params,
        )
        changes.update(
            cache=cached, cache_serialize=serialize, cache_version=version, cache_ignore_input_vars=ignored
        )
    return dataclasses.replace(base, **changes) if changes else base


def eager(_fn: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
    """Eager workflow decorator: ``@eager`` or ``@eager(...)`` on an ``async def`` function.

    Accepts the ``@task`` keywords (resources, accelerator, pod template, environment, …);
    ``enable_deck`` is ignored (eager tasks always render decks), as in flytekit. The signature
    is flytekit's ``(_fn=None, *args, **kwargs)``; extra positional arguments, which flytekit
    silently drops, are rejected (D5).
    """
    if args:
        raise UnknownArgumentError(
            f"eager takes the function and keyword arguments only; got extra positional arguments {args!r}"
        )
    if _fn is None:
        return functools.partial(eager, **kwargs)
    kwargs.pop("enable_deck", None)
    kwargs.pop("task_config", None)
    kwargs["metadata"] = _metadata(_fn, kwargs)
    task = EagerAsyncPythonFunctionTask(None, _fn, **kwargs)
    functools.update_wrapper(task, _fn, updated=())
    return task
