"""Public entry points: ``build_pod`` (tasks and nodes), ``build_pod_from_template`` (protobufs),
and, for callers that work on the pod as a Kubernetes JSON dict (``podplan.planning``),
``resolve_platform``, ``to_protobufs`` and ``build_result``.
"""

from __future__ import annotations

import os
from typing import Any

from podplan.errors import PodBuildError

__all__ = ["build_pod", "build_pod_from_template", "build_result", "resolve_platform", "to_protobufs"]


def build_pod_from_template(
    template: Any,
    platform: Any = None,
    *,
    overrides: Any = None,
    node_metadata: Any = None,
    interruptible: bool | None = None,
    attempt: int = 0,
) -> Any:
    """The ``kubernetes.client.V1Pod`` Flyte v1.16.8 creates for a flyteidl ``TaskTemplate``.

    ``overrides`` is a ``workflow_pb2.TaskNodeOverrides`` and ``node_metadata`` a
    ``workflow_pb2.NodeMetadata`` (from ``with_overrides``). ``interruptible`` forces the flag
    (default: node metadata, else the task's, else the platform's execution settings);
    ``attempt`` is the 0-based retry attempt (names, ``FLYTE_ATTEMPT_NUMBER``, demotion rule).
    ``platform=None`` is a stock Flyte deployment (:class:`podplan.podspec.Platform` defaults).
    """
    from podplan.podspec.builder import build_pod_dict
    from podplan.podspec.convert import to_pod

    result = build_pod_dict(
        template,
        _platform(platform),
        overrides=overrides,
        node_metadata=node_metadata,
        interruptible=interruptible,
        attempt=attempt,
    )
    return to_pod(result.pod)


def resolve_platform(platform: Any = None) -> Any:
    """The :class:`~podplan.podspec.Platform` for ``platform``: a ``Platform`` (returned as is), a
    mapping in the platform schema, a file path or a preset name; ``None`` is the stock Flyte
    v1.16.8 deployment (one shared instance, so its derived settings are computed once).

    Raises :class:`~podplan.errors.PodBuildError` for any other type, and the loader's
    :class:`~podplan.errors.PlatformError` for an invalid mapping, file or preset.
    """
    if platform is None:
        from podplan.podspec.builder import default_platform

        return default_platform()
    from podplan.podspec.platform import Platform

    if isinstance(platform, Platform):
        return platform
    if isinstance(platform, dict):
        return Platform.from_dict(platform)
    if isinstance(platform, (str, os.PathLike)):
        from podplan.podspec.loading import load_platform

        return load_platform(os.fspath(platform))
    raise PodBuildError(
        f"platform must be a Platform, a mapping, a file path or a preset name, got {type(platform).__name__}"
    )


def _platform(platform: Any) -> Any:
    """Like :func:`resolve_platform`, but ``None`` stays ``None`` (kept for existing callers)."""
    return None if platform is None else resolve_platform(platform)


_TYPES: dict[str, Any] = {}


def _types() -> dict[str, Any]:
    if not _TYPES:
        from flyteidl.core import tasks_pb2

        from podplan import serialize

        _TYPES["TaskTemplate"] = tasks_pb2.TaskTemplate
        _TYPES["serialize"] = serialize
        _TYPES["TaskNode"] = _task_node_class()
        _TYPES["function_tasks"] = _function_task_classes()
    return _TYPES


def to_protobufs(task_or_node: Any) -> tuple[Any, Any, Any]:
    """``(TaskTemplate, TaskNodeOverrides | None, NodeMetadata | None)`` for a task, a node or protobufs.

    Accepts a podplan task, a ``with_overrides`` node, a flytekit task or node (converted by
    ``podplan.tasks.flytekit_compat``), a ``TaskTemplate``, or a tuple starting with one.
    Raises :class:`~podplan.errors.PodBuildError` for anything else.
    """
    types = _TYPES or _types()
    if type(task_or_node) in types["function_tasks"]:  # the common case: a podplan function task
        return types["serialize"].task_template(task_or_node), None, None
    template_cls = types["TaskTemplate"]
    if isinstance(task_or_node, template_cls):
        return task_or_node, None, None
    if isinstance(task_or_node, tuple) and task_or_node and isinstance(task_or_node[0], template_cls):
        padded = (*task_or_node, None, None)
        return padded[0], padded[1], padded[2]
    mod = type(task_or_node).__module__ or ""
    if mod.startswith("flytekit"):
        from podplan.tasks.flytekit_compat import from_flytekit

        task_or_node = from_flytekit(task_or_node)
    serialize = types["serialize"]
    node_cls = types["TaskNode"]
    if node_cls is not None and isinstance(task_or_node, node_cls):
        node = serialize.task_node(task_or_node)
        tmpl = serialize.task_template(task_or_node.task)
        overrides = node.task_node.overrides if node.task_node.HasField("overrides") else None
        metadata = node.metadata if node.HasField("metadata") else None
        return tmpl, overrides, metadata
    if not hasattr(task_or_node, "task_type"):
        raise PodBuildError(
            f"cannot preview {task_or_node!r}: expected a podplan task, a task node from with_overrides, "
            "a flytekit task or a flyteidl TaskTemplate"
        )
    return serialize.task_template(task_or_node), None, None


def _function_task_classes() -> tuple[type, ...]:
    try:
        from podplan.tasks.function_task import AsyncPythonFunctionTask, PythonFunctionTask
    except ImportError:  # pragma: no cover - tasks package incomplete
        return ()
    return (PythonFunctionTask, AsyncPythonFunctionTask)


def _task_node_class() -> Any:
    try:
        from podplan.tasks import TaskNode
    except (ImportError, AttributeError):  # pragma: no cover - tasks package incomplete
        return None
    return TaskNode


def build_result(
    task_or_node: Any,
    platform: Any = None,
    *,
    interruptible: bool | None = None,
    attempt: int = 0,
    explain: bool = False,
) -> Any:
    """Build the pod of a task, a ``with_overrides`` node or protobufs, as a Kubernetes JSON dict.

    ``task_or_node`` is anything :func:`to_protobufs` accepts, including a
    ``(TaskTemplate, TaskNodeOverrides | None, NodeMetadata | None)`` tuple it returned;
    ``platform`` is anything :func:`resolve_platform` accepts. Returns the builder's
    :class:`~podplan.podspec.builder.PodResult`: ``pod`` (the dict), ``primary`` (the primary
    container's name), ``interruptible`` and ``interruptible_reason`` (the backend's decision),
    ``provenance`` (filled when ``explain=True``) and ``notes``. Nothing is converted to
    ``kubernetes.client`` objects.
    """
    from podplan.podspec.builder import build_pod_dict

    tmpl, overrides, metadata = to_protobufs(task_or_node)
    return build_pod_dict(
        tmpl,
        _platform(platform),
        overrides=overrides,
        node_metadata=metadata,
        interruptible=interruptible,
        attempt=attempt,
        explain=explain,
    )


def build_pod(
    task_or_node: Any, platform: Any = None, *, interruptible: bool | None = None, attempt: int = 0
) -> Any:
    """The ``kubernetes.client.V1Pod`` Flyte's backend creates for a task or a ``with_overrides`` node.

    ``platform`` is a :class:`~podplan.podspec.Platform`, a mapping in the platform schema, a
    file path or a preset name; ``None`` is a stock Flyte v1.16.8 deployment.
    """
    from podplan.podspec.convert import to_pod

    return to_pod(build_result(task_or_node, platform, interruptible=interruptible, attempt=attempt).pod)
