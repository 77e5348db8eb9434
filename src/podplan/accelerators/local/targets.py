"""Read what a task object declares for a local run, without importing :mod:`podplan.tasks`.

Used by the CLI (``podplan gpus --for``, ``podplan run``) and by :func:`run_task_isolated`. Task
objects are duck-typed: ``name``, ``accelerator``, ``resources`` (a ``ResourceSpec``),
``metadata.timeout``, ``local_gpu_policy``. Loading tasks from a CLI target is the CLI's job
(:mod:`podplan.cli.targets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TaskNeeds", "needs_of"]


@dataclass(frozen=True)
class TaskNeeds:
    """The local-run inputs of a task: placement request, limits and policy."""

    name: str
    accelerator: Any
    gpu: Any
    cpu: Any
    memory: Any
    timeout: Any
    policy: str | None


def _side(resources: Any, field: str) -> Any:
    """The limit of ``field`` in a ``ResourceSpec``, else its request (the backend copies a lone
    request into the limit)."""
    if resources is None:
        return None
    for side in ("limits", "requests"):
        value = getattr(getattr(resources, side, None), field, None)
        if isinstance(value, (tuple, list)):
            value = value[-1] if side == "limits" else value[0]
        if value is not None:
            return value
    return None


def _is_node(obj: Any) -> bool:
    return hasattr(obj, "task") and hasattr(obj, "overrides") and hasattr(obj, "with_overrides")


def needs_of(task: Any) -> TaskNeeds:
    """What ``task`` declares for a local run. For a ``with_overrides`` node, the node's
    accelerator, resources (layered over the task's, as the backend merges them) and timeout."""
    if _is_node(task):
        return _node_needs(task)
    resources = getattr(task, "resources", None)
    metadata = getattr(task, "metadata", None)
    return TaskNeeds(
        name=str(getattr(task, "name", "task")),
        accelerator=getattr(task, "accelerator", None),
        gpu=_side(resources, "gpu"),
        cpu=_side(resources, "cpu"),
        memory=_side(resources, "mem"),
        timeout=getattr(metadata, "timeout", None),
        policy=getattr(task, "local_gpu_policy", None),
    )


def _node_needs(node: Any) -> TaskNeeds:
    base = needs_of(node.task)
    resources = getattr(node, "resources", None)
    task_resources = getattr(node.task, "resources", None)
    if resources is not None and task_resources is not None:
        from podplan.resources import layer

        resources = layer(task_resources, resources)
    elif resources is None:
        resources = task_resources
    accelerator = getattr(node, "accelerator", None)
    return TaskNeeds(
        name=base.name,
        accelerator=accelerator if accelerator is not None else base.accelerator,
        gpu=_side(resources, "gpu"),
        cpu=_side(resources, "cpu"),
        memory=_side(resources, "mem"),
        timeout=getattr(node, "timeout", base.timeout),
        policy=base.policy,
    )
