"""Turn tasks (podplan or flytekit, or ``with_overrides`` nodes) into :class:`TaskInput` objects:
serialize each to a ``TaskTemplate``, build its pod on the platform with the backend-faithful
builder, and keep what the task declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from podplan.errors import PodplanError
from podplan.planning.findings import make
from podplan.planning.inputs import (
    TaskInput,
    accelerator_from_idl,
    declared_from_idl,
    declared_from_pod_spec,
    shared_memory_from_idl,
)


def _line(task: Any) -> int | None:
    fn = getattr(task, "task_function", None) or getattr(getattr(task, "task", None), "task_function", None)
    code = getattr(fn, "__code__", None)
    return getattr(code, "co_firstlineno", None)


def _task_id(task: Any) -> str:
    name = getattr(task, "name", None) or getattr(getattr(task, "task", None), "name", None)
    return str(name or repr(task))


def task_input(
    task: Any,
    platform: Any = None,
    *,
    task_id: str | None = None,
    file: str | None = None,
    line: int | None = None,
    interruptible: bool | None = None,
) -> TaskInput:
    """Build the :class:`TaskInput` of one task or node on ``platform`` (a ``Platform``, mapping,
    path or preset name; ``None``: stock Flyte). A task whose pod cannot be built gets a PP602
    finding instead of a pod."""
    from podplan.podspec import build_result, resolve_platform, to_protobufs

    task_id = task_id or _task_id(task)
    line = line if line is not None else _line(task)
    plat = resolve_platform(platform)
    gpu_name = plat.plugins.k8s.gpu_resource_name
    try:
        template, overrides, metadata = to_protobufs(task)
        result = build_result((template, overrides, metadata), plat, interruptible=interruptible)
    except Exception as exc:  # one bad task must not stop a CI run: report it, check the rest
        detail = str(exc) if isinstance(exc, PodplanError) else f"{type(exc).__name__}: {exc}"
        finding = make(
            "PP602",
            f"task {task_id}: the backend cannot build a pod: {detail}",
            task=task_id,
            hint="fix the task definition or the platform configuration",
        )
        return TaskInput(task_id, {}, file=file, line=line, findings=[finding], buildable=False)
    extended = template.extended_resources if template.HasField("extended_resources") else None
    accelerator = accelerator_from_idl(extended)
    shared_memory = shared_memory_from_idl(extended)
    if template.HasField("container"):
        declared = declared_from_idl(template.container.resources, gpu_name)
    elif template.HasField("k8s_pod"):
        declared = declared_from_pod_spec(template, gpu_name)
    else:
        declared = {}
    if overrides is not None:
        if overrides.HasField("extended_resources"):
            ov = overrides.extended_resources
            if ov.HasField("gpu_accelerator"):
                accelerator = accelerator_from_idl(ov)
            if ov.HasField("shared_memory"):
                shared_memory = shared_memory_from_idl(ov)
        if overrides.HasField("resources"):
            layered = dict(declared)
            layered.update(
                {
                    k: (
                        r if r is not None else layered.get(k, (None, None))[0],
                        lim if lim is not None else None,
                    )
                    for k, (r, lim) in declared_from_idl(overrides.resources, gpu_name).items()
                }
            )
            declared = layered
    return TaskInput(
        task=task_id,
        pod=result.pod,
        accelerator=accelerator,
        declared=declared,
        shared_memory=shared_memory,
        interruptible=result.interruptible,
        file=file,
        line=line,
        primary=result.primary,
    )


def rejected_input(task_id: str, task: Any, error: PodplanError, *, file: str | None = None) -> TaskInput:
    """The :class:`TaskInput` of a (flytekit) task whose values podplan rejects: no pod, one
    finding — PP101 for a quantity Kubernetes would reject, PP602 for any other invalid value."""
    from podplan.errors import QuantityError

    code = "PP101" if isinstance(error, QuantityError) else "PP602"
    finding = make(
        code,
        f"task {task_id}: {error}",
        task=task_id,
        hint="fix the value in the task definition; Flyte would accept it and fail in the cluster",
    )
    return TaskInput(task_id, {}, file=file, line=_line(task), findings=[finding], buildable=False)


def inputs_from_discovered(
    discovered: Iterable[Any],
    platform: Any = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[TaskInput]:
    """:class:`TaskInput` for each ``podplan.tasks.discovery.DiscoveredTask``."""
    from podplan.podspec import resolve_platform

    items = list(discovered)
    plat = resolve_platform(platform)
    out = []
    for i, d in enumerate(items):
        error = getattr(d, "error", None)
        if error is not None:
            out.append(rejected_input(d.qualified_name, d.task, error, file=d.source_file))
        else:
            out.append(task_input(d.task, plat, task_id=d.qualified_name, file=d.source_file))
        if progress is not None and (i + 1) % 200 == 0:
            progress(i + 1, len(items))
    return out
