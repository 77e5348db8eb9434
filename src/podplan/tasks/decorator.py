"""``@task``: the core decorator, bare or with arguments (flytekit spec §2.1 and §5)."""

from __future__ import annotations

import datetime
import functools
import inspect
import types
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from podplan.errors import PluginCompatibilityError, UnknownArgumentError
from podplan.tasks.cache import VersionParameters, resolve_cache
from podplan.tasks.function_task import AsyncPythonFunctionTask, ExecutionBehavior, PythonFunctionTask
from podplan.tasks.memo import memo
from podplan.tasks.metadata import DEFAULT_DECK_FIELDS, TaskMetadata
from podplan.tasks.validation import check_interruptible, check_retries, check_timeout
from podplan.tasks.vscode import decorate_function

#: the seed's module variables (``flytekit.core.task``): the task_config type, the decorated
#: function's parameters and its return type
T = TypeVar("T")
P = ParamSpec("P")
FuncOut = TypeVar("FuncOut")

_DEPRECATED_CACHE_KWARGS = ("cache_serialize", "cache_version", "cache_ignore_input_vars")
_METADATA: dict[Any, TaskMetadata] = {}


def _update_wrapper(instance: Any, fn: Any) -> None:
    """``functools.update_wrapper(instance, fn)`` for plain functions, without its loop."""
    if type(fn) is not types.FunctionType:
        functools.update_wrapper(instance, fn)
        return
    d = instance.__dict__
    d["__module__"] = fn.__module__
    d["__name__"] = fn.__name__
    d["__qualname__"] = fn.__qualname__
    d["__doc__"] = fn.__doc__
    d["__annotations__"] = fn.__annotations__
    type_params = getattr(fn, "__type_params__", None)  # Python >= 3.12
    if type_params is not None:
        d["__type_params__"] = type_params
    if fn.__dict__:
        d.update(fn.__dict__)
    d["__wrapped__"] = fn


def _items(mapping: Any) -> Any:
    """A hashable stand-in for a labels/annotations dict (the value itself otherwise)."""
    return tuple(mapping.items()) if isinstance(mapping, dict) else mapping


def _find_plugin(task_config: Any, is_async: bool) -> type[PythonFunctionTask]:
    if task_config is None:
        return AsyncPythonFunctionTask if is_async else PythonFunctionTask
    from podplan.tasks.plugins import TaskPlugins

    plugin: type[PythonFunctionTask] = TaskPlugins.find_pythontask_plugin(type(task_config))
    if is_async:
        if plugin is PythonFunctionTask:
            return AsyncPythonFunctionTask
        if not issubclass(plugin, AsyncPythonFunctionTask):
            raise PluginCompatibilityError(f"Task plugin {plugin} is not compatible with async functions")
    return plugin


def task(
    _task_function: Callable[..., Any] | None = None,
    task_config: Any = None,
    cache: Any = False,
    retries: int = 0,
    interruptible: bool | None = None,
    deprecated: str = "",
    timeout: datetime.timedelta | int = 0,
    container_image: Any = None,
    environment: dict[str, str] | None = None,
    requests: Any = None,
    limits: Any = None,
    secret_requests: list[Any] | None = None,
    execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
    node_dependency_hints: Iterable[Any] | None = None,
    task_resolver: Any = None,
    docs: Any = None,
    disable_deck: bool | None = None,
    enable_deck: bool | None = None,
    deck_fields: Any = DEFAULT_DECK_FIELDS,
    pod_template: Any = None,
    pod_template_name: str | None = None,
    accelerator: Any = None,
    pickle_untyped: bool = False,
    shared_memory: Any = None,
    resources: Any = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """Turn a function into a task (flytekit's ``@task``), validating every argument now.

    Works bare (``@task``) and with arguments (``@task(retries=2, resources=Resources(cpu=1))``).
    ``resources=`` follows the documented rule (D2): a scalar sets request and limit, a pair is
    ``(request, limit)``. ``cache=True`` without a version derives one from the function source
    and interface (:class:`~podplan.tasks.cache.SourceCachePolicy`). Unknown keywords raise
    :class:`~podplan.errors.UnknownArgumentError` before anything else.
    """
    unknown = sorted(k for k in kwargs if k not in _DEPRECATED_CACHE_KWARGS)
    if unknown:
        raise UnknownArgumentError(
            f"Unrecognized argument(s) for task: {unknown}; valid deprecated keywords are "
            f"{list(_DEPRECATED_CACHE_KWARGS)}"
        )
    cache_serialize = kwargs.get("cache_serialize")
    cache_version = kwargs.get("cache_version")
    cache_ignore_input_vars = kwargs.get("cache_ignore_input_vars")
    # values that do not depend on the function are checked once, even for a decorator factory
    retries = check_retries(retries)
    interruptible = check_interruptible(interruptible)
    timeout_td = check_timeout(timeout)

    def wrapper(fn: Callable[..., Any]) -> PythonFunctionTask:
        if not callable(fn):
            from podplan.errors import TaskTypeError

            raise TaskTypeError(f"@task expects a function, got {fn!r}")
        code = getattr(fn, "__code__", None)
        if type(fn) is types.FunctionType and code is not None:
            is_async = bool(code.co_flags & inspect.CO_COROUTINE)
        else:
            is_async = inspect.iscoroutinefunction(fn)
        plugin = _find_plugin(task_config, is_async)
        if (
            cache is False
            and cache_version is None
            and cache_serialize is None
            and not cache_ignore_input_vars
        ):
            cache_args: tuple[bool, bool, str, tuple[str, ...]] = (False, False, "", ())
        else:
            from podplan.tasks.interface import Interface

            params = VersionParameters(
                func=fn,
                container_image=container_image,
                pod_template=pod_template,
                pod_template_name=pod_template_name,
                interface=Interface.from_function(fn, pickle_untyped=pickle_untyped),
            )
            cache_args = resolve_cache(cache, cache_serialize, cache_version, cache_ignore_input_vars, params)
        metadata = memo(
            _METADATA,
            # every part is validated or produced by a validator, so no bool/int aliasing
            (
                cache_args,
                interruptible,
                type(deprecated),
                deprecated,
                retries,
                timeout_td,
                pod_template_name,
                _items(labels),
                _items(annotations),
            ),
            lambda: TaskMetadata(
                cache=cache_args[0],
                cache_serialize=cache_args[1],
                cache_version=cache_args[2],
                cache_ignore_input_vars=cache_args[3],
                interruptible=interruptible,
                deprecated=deprecated,
                retries=retries,
                timeout=timeout_td,
                pod_template_name=pod_template_name,
                labels=labels,
                annotations=annotations,
            ),
        )
        decorated = decorate_function(fn) if not is_async else fn
        instance = plugin(
            task_config,
            decorated,
            metadata=metadata,
            container_image=container_image,
            environment=environment,
            requests=requests,
            limits=limits,
            resources=resources,
            secret_requests=secret_requests,
            execution_mode=execution_mode,
            node_dependency_hints=node_dependency_hints,
            task_resolver=task_resolver,
            docs=docs,
            disable_deck=disable_deck,
            enable_deck=enable_deck,
            deck_fields=deck_fields,
            pod_template=pod_template,
            pod_template_name=pod_template_name,
            accelerator=accelerator,
            pickle_untyped=pickle_untyped,
            shared_memory=shared_memory,
        )
        _update_wrapper(instance, fn)
        return instance

    if _task_function is not None:
        return wrapper(_task_function)
    return wrapper
