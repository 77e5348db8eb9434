"""Read a flytekit task's attributes and build the equivalent podplan task.

``from_flytekit(task)`` never imports flytekit itself: it inspects the object the user's module
created (flytekit must therefore already be in ``sys.modules``). The podplan task is built with
the same public API a user would write (``podplan.task`` / ``Echo`` / ``ReferenceTask`` /
``eager``), from flytekit's *resolved* values — requests and limits as flytekit stored them, the
accelerator through its flyteidl form, metadata field by field — so that the preview of a
flytekit-defined task equals the preview of the same task written with podplan.

Not carried over (documented in ``docs/tasks-advanced.md``): a custom ``task_resolver``,
plugin-specific ``get_custom``/``get_config`` of flytekit plugin classes (the ``task_config``
object itself is passed through), ``ImageSpec`` images (use an image string), documentation.
"""

from __future__ import annotations

import datetime
import inspect
import sys
from typing import Any

from podplan.errors import TargetError

__all__ = ["from_flytekit", "resolved_kwargs"]

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


def _cache(md: Any) -> Any:
    if not getattr(md, "cache", False):
        return False
    from podplan.tasks.cache import Cache

    return Cache(
        version=md.cache_version or None,
        serialize=bool(md.cache_serialize),
        ignored_inputs=tuple(md.cache_ignore_input_vars or ()),
    )


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
    image = getattr(task, "container_image", None)
    if image is None or isinstance(image, str):
        return image
    raise TargetError(
        f"flytekit task {task.name!r}: container_image is a {type(image).__name__}; podplan reads image "
        "strings only (write the image name, e.g. 'repo/image:tag')"
    )


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
        "cache": _cache(md),
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
        "shared_memory": getattr(task, "shared_memory", None),
        "labels": dict(md.labels) if getattr(md, "labels", None) else None,
        "annotations": dict(md.annotations) if getattr(md, "annotations", None) else None,
        "pickle_untyped": _pickle_untyped(task.task_function),
    }
    kwargs.update(_deck_kwargs(task))
    return kwargs


def from_flytekit(task: Any) -> Any:
    """The podplan task equivalent to the flytekit task object ``task``.

    Supports flytekit function tasks (sync, async and eager), ``Echo`` and ``ReferenceTask``;
    anything else raises ``TargetError`` naming the task and its class.
    """
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
        kwargs = resolved_kwargs(task)
        if task.metadata.is_eager:
            from podplan.tasks.eager_task import eager

            kwargs.pop("cache")
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
