"""Read a flytekit task's attributes and build the equivalent podplan task.

``from_flytekit(task)`` never imports flytekit itself: it inspects the object the user's module
created (flytekit must therefore already be in ``sys.modules``). The podplan task is built with
the same public API a user would write (``podplan.task`` / ``Echo`` / ``ReferenceTask`` /
``eager``), from flytekit's *resolved* values — requests and limits as flytekit stored them, the
accelerator through its flyteidl form, metadata field by field — so that the preview of a
flytekit-defined task equals the preview of the same task written with podplan.

Every attribute flytekit keeps is read: resources (flytekit's stored request/limit sides, so
a scalar in ``resources=`` stays a request only, as in flytekit's template — see
``docs/tasks-advanced.md``), accelerator (device, partition, unpartitioned), shared memory,
pod template (spec, name, labels, annotations, primary container), ``pod_template_name``,
metadata (interruptible, retries, timeout, cache, deprecated, labels, annotations),
environment, container image (an ``ImageSpec`` through its own ``image_name()``), secrets,
``task_config``, execution mode (``@dynamic``), a custom ``task_resolver``, docs and deck flags.
A flytekit workflow ``Node`` built by ``with_overrides`` converts to a podplan task node.

Not carried over: flytekit plugin task types (``task_type`` other than ``python-task``, e.g.
``pytorch``): the backend builds those with another plugin, so they are refused with a
``TargetError`` instead of being previewed as plain pods.
"""

from __future__ import annotations

import datetime
import inspect
import sys
import warnings
from typing import Any

from podplan.errors import FlytekitConversionWarning, TargetError

__all__ = ["from_flytekit", "resolved_kwargs"]

_DEFAULT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"

_RESOURCE_FIELDS = ("cpu", "mem", "gpu", "ephemeral_storage")


def _flytekit_class(module: str, name: str) -> type | None:
    mod = sys.modules.get(module)
    cls = getattr(mod, name, None) if mod is not None else None
    return cls if isinstance(cls, type) else None


def _isinstance(obj: Any, module: str, name: str) -> bool:
    cls = _flytekit_class(module, name)
    return cls is not None and isinstance(obj, cls)


def _resources(value: Any) -> Any:
    """A flytekit ``Resources`` → podplan ``Resources`` (``None`` when every field is unset)."""
    if value is None:
        return None
    fields = {f: getattr(value, f, None) for f in _RESOURCE_FIELDS}
    if all(v is None for v in fields.values()):
        return None
    from podplan.resources import Resources

    return Resources(**{k: v for k, v in fields.items() if v is not None})


def _accelerator(value: Any) -> Any:
    if value is None:
        return None
    from podplan.accelerators import accelerator_from_idl

    return accelerator_from_idl(value.to_flyte_idl())


def _secrets(task: Any) -> list[Any] | None:
    ctx = getattr(task, "security_context", None)
    secrets = getattr(ctx, "secrets", None) if ctx is not None else None
    if not secrets:
        return None
    from podplan.tasks.secrets import Secret

    out = []
    for s in secrets:
        mount = getattr(s, "mount_requirement", None)
        mount_value = getattr(mount, "value", mount)
        out.append(
            Secret(
                group=s.group,
                key=s.key,
                group_version=s.group_version,
                mount_requirement=Secret.MountType(int(mount_value or 0)),
                env_var=getattr(s, "env_var", None),
            )
        )
    return out


def _pod_template(value: Any) -> Any:
    if value is None:
        return None
    from podplan.tasks.pod_template import PodTemplate

    return PodTemplate(
        pod_spec=value.pod_spec,
        primary_container_name=value.primary_container_name,
        labels=value.labels,
        annotations=value.annotations,
    )


def _cache_kwargs(md: Any) -> dict[str, Any]:
    """flytekit's resolved cache metadata as podplan's (deprecated-form) cache keywords.

    flytekit keeps ``cache_version``/``cache_serialize``/ignored inputs even with ``cache=False``
    and its template carries them (``discovery_version``), so they are passed through as they are.
    """
    cache = bool(getattr(md, "cache", False))
    version = getattr(md, "cache_version", None) or None
    serialize = bool(getattr(md, "cache_serialize", False))
    ignored = tuple(getattr(md, "cache_ignore_input_vars", None) or ())
    if not cache and version is None and not serialize and not ignored:
        return {"cache": False}
    kwargs: dict[str, Any] = {"cache": cache, "cache_serialize": serialize}
    if version is not None:
        kwargs["cache_version"] = version
    if ignored:
        kwargs["cache_ignore_input_vars"] = ignored
    return kwargs


def _timeout(value: Any) -> Any:
    if not value:
        return None
    if isinstance(value, datetime.timedelta):
        return value
    return int(value)


def _pickle_untyped(fn: Any) -> bool:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    annotations = getattr(fn, "__annotations__", {})
    return any(name not in annotations for name in signature.parameters)


def _container_image(task: Any) -> str | None:
    """The image string; an ``ImageSpec`` gives the name flytekit registers (``image_name()``)."""
    image = getattr(task, "container_image", None)
    if image is None or isinstance(image, str):
        return image
    image_name = getattr(image, "image_name", None)
    if callable(image_name):
        try:
            name = image_name()
        except Exception as exc:
            raise TargetError(
                f"flytekit task {task.name!r}: container_image {type(image).__name__}.image_name() failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if isinstance(name, str):
            return name
    raise TargetError(
        f"flytekit task {task.name!r}: container_image is a {type(image).__name__}; podplan reads image "
        "strings and ImageSpec objects (write the image name, e.g. 'repo/image:tag')"
    )


def _shared_memory(task: Any) -> Any:
    """flytekit's rule (spec §4): ``True`` or a ``str`` is kept; anything else never reaches its
    template, so the converted task drops it too (with a warning — the backend never sees it)."""
    value = getattr(task, "shared_memory", None)
    if value is None or value is True or isinstance(value, str):
        return value
    if value is not False:
        warnings.warn(
            f"flytekit task {task.name!r}: shared_memory={value!r} is neither True nor a str; flytekit "
            "drops it from the task template, so no shared-memory volume is created (write '1Gi' or True)",
            FlytekitConversionWarning,
            stacklevel=3,
        )
    return None


def _docs(value: Any) -> Any:
    """flytekit ``Documentation`` → podplan ``Documentation`` (``None`` stays ``None``)."""
    if value is None:
        return None
    from podplan.tasks.metadata import Description, Documentation

    long = getattr(value, "long_description", None)
    description = None
    if long is not None:
        fmt = getattr(long, "format", None)
        fmt = getattr(fmt, "value", fmt)
        description = Description(
            value=getattr(long, "value", None),
            uri=getattr(long, "uri", None),
            icon_link=getattr(long, "icon_link", None),
            format=fmt if isinstance(fmt, str) and fmt else "rst",
        )
    source = getattr(value, "source_code", None)
    link = getattr(source, "link", source)
    return Documentation(
        short_description=getattr(value, "short_description", None),
        long_description=description,
        source_code=link if isinstance(link, str) else None,
    )


class _FlytekitResolver:
    """A custom flytekit resolver: its ``location``, and its ``loader_args`` computed on the
    original flytekit task (what flytekit writes into the container args)."""

    def __init__(self, resolver: Any, flytekit_task: Any) -> None:
        self._resolver = resolver
        self._task = flytekit_task
        self.location: str = resolver.location

    def loader_args(self, settings: Any, task: Any) -> list[str]:
        """The resolver's loader args for the flytekit task (``task`` is the converted one)."""
        return list(self._resolver.loader_args(settings, self._task))

    def __repr__(self) -> str:
        return f"_FlytekitResolver({self.location!r})"


def _resolver(task: Any) -> Any:
    resolver = getattr(task, "task_resolver", None)
    location = getattr(resolver, "location", None)
    if resolver is None or location == _DEFAULT_RESOLVER or not isinstance(location, str):
        return None
    return _FlytekitResolver(resolver, task)


def _execution_mode(task: Any) -> Any:
    from podplan.tasks.function_task import ExecutionBehavior

    mode = getattr(task, "execution_mode", None)
    name = getattr(mode, "name", "DEFAULT")
    return ExecutionBehavior[name] if name in ExecutionBehavior.__members__ else ExecutionBehavior.DEFAULT


def _deck_kwargs(task: Any) -> dict[str, Any]:
    enabled = getattr(task, "enable_deck", None)
    if enabled is None:
        disabled = getattr(task, "disable_deck", True)
        enabled = not disabled
    if not enabled:
        return {"enable_deck": False}
    fields = getattr(task, "deck_fields", ()) or ()
    from podplan.tasks.metadata import DeckField

    return {"enable_deck": True, "deck_fields": tuple(DeckField(getattr(f, "value", f)) for f in fields)}


def resolved_kwargs(task: Any) -> dict[str, Any]:
    """The ``podplan.task`` keyword arguments equivalent to a flytekit function task."""
    md = task.metadata
    spec = getattr(task, "resources", None)
    kwargs: dict[str, Any] = {
        "task_config": task.task_config,
        "retries": md.retries or 0,
        "interruptible": md.interruptible,
        "deprecated": md.deprecated or "",
        "timeout": _timeout(md.timeout),
        "container_image": _container_image(task),
        "environment": dict(task.environment or {}) or None,
        "requests": _resources(getattr(spec, "requests", None)),
        "limits": _resources(getattr(spec, "limits", None)),
        "secret_requests": _secrets(task),
        "pod_template": _pod_template(getattr(task, "pod_template", None)),
        "pod_template_name": md.pod_template_name,
        "accelerator": _accelerator(getattr(task, "accelerator", None)),
        "shared_memory": _shared_memory(task),
        "labels": dict(md.labels) if getattr(md, "labels", None) else None,
        "annotations": dict(md.annotations) if getattr(md, "annotations", None) else None,
        "pickle_untyped": _pickle_untyped(task.task_function),
        "docs": _docs(getattr(task, "docs", None)),
    }
    mode = _execution_mode(task)
    if mode.name != "DEFAULT":
        kwargs["execution_mode"] = mode
        hints = getattr(task, "node_dependency_hints", None)
        if hints:
            kwargs["node_dependency_hints"] = list(hints)
    resolver = _resolver(task)
    if resolver is not None:
        kwargs["task_resolver"] = resolver
    kwargs.update(_cache_kwargs(md))
    kwargs.update(_deck_kwargs(task))
    return kwargs


def from_flytekit(task: Any) -> Any:
    """The podplan task (or task node) equivalent to the flytekit object ``task``.

    Supports flytekit function tasks (sync, async, ``@dynamic`` and ``@eager``), ``Echo``,
    ``ReferenceTask``, and a workflow ``Node`` (or the ``Promise`` that ``with_overrides``
    returns inside a workflow), which becomes ``converted_task.with_overrides(...)`` carrying
    the node's final state. Anything else — including plugin task types — raises
    ``TargetError`` naming the task and its class.
    """
    if _isinstance(task, "flytekit.core.promise", "Promise"):
        ref = getattr(task, "ref", None)
        task = getattr(ref, "node", task)
    if _isinstance(task, "flytekit.core.node", "Node"):
        return _node(task, from_flytekit(task.flyte_entity))
    if _isinstance(task, "flytekit.core.task", "Echo"):
        from podplan.tasks.echo import Echo

        return _located_like(task, Echo(name=task.name, inputs=dict(task.python_interface.inputs)))
    if _isinstance(task, "flytekit.core.task", "ReferenceTask"):
        from podplan.tasks.reference import ReferenceTask

        ref = task.reference.id
        iface = task.python_interface
        return _located_like(
            task,
            ReferenceTask(
                ref.project, ref.domain, ref.name, ref.version, dict(iface.inputs), dict(iface.outputs)
            ),
        )
    if _isinstance(task, "flytekit.core.python_function_task", "PythonFunctionTask"):
        _check_task_type(task)
        kwargs = resolved_kwargs(task)
        if task.metadata.is_eager:
            from podplan.tasks.eager_task import eager

            for key in ("cache", "cache_serialize", "cache_version", "cache_ignore_input_vars"):
                kwargs.pop(key, None)
            for key in ("retries", "interruptible", "timeout", "enable_deck", "deck_fields"):
                kwargs.pop(key, None)
            kwargs["metadata"] = _eager_metadata(task.metadata)
            return eager(task.task_function, **kwargs)
        from podplan.tasks.decorator import task as podplan_task

        return podplan_task(task.task_function, **kwargs)
    name = getattr(task, "name", repr(task))
    raise TargetError(
        f"flytekit task {name!r} is a {type(task).__module__}.{type(task).__qualname__}; podplan reads "
        "flytekit function tasks (@task, @eager), Echo and ReferenceTask"
    )


def _check_task_type(task: Any) -> None:
    task_type = getattr(task, "task_type", "python-task")
    if task_type != "python-task":
        raise TargetError(
            f"flytekit task {task.name!r} has task type {task_type!r} ({type(task).__qualname__}, a flytekit "
            "plugin): Flyte's backend builds it with that plugin, not as a plain pod, so podplan cannot "
            "preview it; podplan reads task type 'python-task' only"
        )


def _located_like(flytekit_task: Any, converted: Any) -> Any:
    """Give ``converted`` the flytekit task's module and variable (its ``lhs``/``location``)."""
    from podplan.tasks.tracking import find_module_variable

    module = getattr(flytekit_task, "_instantiated_in", None)
    converted._instantiated_in, converted._from_main = module, False
    converted._lhs = find_module_variable(flytekit_task, module, False)
    return converted


def _eager_metadata(md: Any) -> Any:
    from podplan.tasks.metadata import TaskMetadata

    return TaskMetadata(
        retries=md.retries or 0,
        interruptible=md.interruptible,
        timeout=_timeout(md.timeout),
        is_eager=True,
        generates_deck=True,
    )


# --- workflow nodes (with_overrides) --------------------------------------------------------------

_IDL_RESOURCE_FIELDS = {"CPU": "cpu", "MEMORY": "mem", "GPU": "gpu", "EPHEMERAL_STORAGE": "ephemeral_storage"}


def _override_side(entries: Any) -> Any:
    """flytekit ``ResourceEntry`` models → podplan ``Resources`` (``None`` when empty)."""
    from podplan.resources import Resources

    values: dict[str, Any] = {}
    for entry in entries or ():
        name = getattr(entry.name, "name", None)
        if name is None:  # flytekit keeps the proto enum number
            from flyteidl.core import tasks_pb2

            name = tasks_pb2.Resources.ResourceName.Name(int(entry.name))
        field = _IDL_RESOURCE_FIELDS.get(name)
        if field is None:
            raise TargetError(f"flytekit node override: resource {name!r} is not one podplan models")
        values[field] = entry.value
    return Resources(**values) if values else None


def _node(node: Any, task: Any) -> Any:
    """``task.with_overrides(...)`` reproducing the final state of the flytekit ``node``.

    flytekit's node keeps resolved values — resource entries (a scalar in ``resources=`` is a
    request only, as on its wire), extended resources as a flyteidl message, and a
    ``NodeMetadata`` that already holds the task's retries/timeout/interruptible — so the
    converted node serializes to flytekit's ``TaskNodeOverrides`` and ``NodeMetadata``.
    """
    kwargs: dict[str, Any] = {}
    node_id = getattr(node, "id", None) or "n0"
    if node_id != "n0":
        kwargs["node_name"] = node_id
    aliases = getattr(node, "_aliases", None)
    if aliases:
        kwargs["aliases"] = {a.var: a.alias for a in aliases}
    spec = getattr(node, "_resources", None)
    if spec is not None:
        kwargs["requests"] = _override_side(spec.requests)
        kwargs["limits"] = _override_side(spec.limits)
    extended = getattr(node, "_extended_resources", None)
    if extended is not None:
        if extended.HasField("gpu_accelerator"):
            from podplan.accelerators import accelerator_from_idl

            kwargs["accelerator"] = accelerator_from_idl(extended.gpu_accelerator)
        if extended.HasField("shared_memory"):
            kwargs["shared_memory"] = extended.shared_memory.size_limit or True
    image = getattr(node, "_container_image", None)
    if image:
        kwargs["container_image"] = image
    if getattr(node, "_pod_template", None) is not None:
        kwargs["pod_template"] = _pod_template(node._pod_template)
    md = node.metadata
    default_name = task.name.rpartition(".")[2]
    if md.name and md.name != default_name:
        kwargs["name"] = md.name
    if md.timeout is not None:
        kwargs["timeout"] = md.timeout
    retries = getattr(md.retries, "retries", None)
    if retries is not None:
        kwargs["retries"] = retries
    if md.interruptible is not None:
        kwargs["interruptible"] = md.interruptible
    if md.cacheable is not None:
        kwargs["cache"] = bool(md.cacheable)
    if md.cache_version:
        kwargs["cache_version"] = md.cache_version
    if md.cache_serializable is not None:
        kwargs["cache_serialize"] = bool(md.cache_serializable)
    return task.with_overrides(**kwargs)
