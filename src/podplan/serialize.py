"""Serialize tasks and task nodes to flyteidl protobuf messages (DESIGN D8).

``task_template(task, settings=None)`` returns the ``flyteidl.core.tasks_pb2.TaskTemplate`` that
flytekit 1.16 would register for the same definition, field by field, except the documented
deviations (docs/tasks.md): canonical quantity strings, one resource-entry order (CPU, GPU,
MEMORY, EPHEMERAL_STORAGE), the D2 scalar rule for ``resources=``, and podplan's runtime
version. ``task_node(node, settings=None)`` returns the ``workflow_pb2.Node`` of a
``with_overrides`` result (``TaskNodeOverrides`` + ``NodeMetadata``). ``settings=None`` means
:meth:`~podplan.tasks.settings.SerializationSettings.default`. Neither function changes the task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podplan.errors import PodplanError, SerializationError

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2, workflow_pb2

    from podplan.tasks.node import TaskNode
    from podplan.tasks.settings import SerializationSettings

__all__ = ["task_identifier", "task_node", "task_template"]


def task_identifier(task: Any, settings: SerializationSettings | None = None) -> Any:
    """The flyteidl ``Identifier`` (resource type TASK) of ``task`` under ``settings``."""
    from flyteidl.core import identifier_pb2

    from podplan.tasks.container import resolve_settings

    settings = resolve_settings(settings)
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK,
        project=settings.project or "",
        domain=settings.domain or "",
        name=task.name,
        version=settings.version or "",
    )


def task_template(task: Any, settings: SerializationSettings | None = None) -> tasks_pb2.TaskTemplate:
    """The flyteidl ``TaskTemplate`` of ``task`` (a podplan task, or anything with its hooks)."""
    from flyteidl.core import tasks_pb2
    from google.protobuf import struct_pb2

    from podplan.tasks.container import resolve_settings

    settings = resolve_settings(settings)
    custom_pb = None
    try:
        custom = task.get_custom(settings)
        if custom is not None:
            custom_pb = struct_pb2.Struct()
            custom_pb.update(custom)
        pb = tasks_pb2.TaskTemplate(
            id=task_identifier(task, settings),
            type=task.task_type,
            metadata=task.metadata.to_idl(),
            interface=task.python_interface.to_idl(),
            custom=custom_pb,
            container=task.get_container(settings),
            k8s_pod=task.get_k8s_pod(settings),
            sql=task.get_sql(settings),
            task_type_version=task.task_type_version,
            security_context=_security(task),
            extended_resources=task.get_extended_resources(settings),
            config=task.get_config(settings) or {},
        )
    except PodplanError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:  # a protobuf or plugin failure
        raise SerializationError(f"task {getattr(task, 'name', task)!r} cannot be serialized: {exc}") from exc
    return pb


def _security(task: Any) -> Any:
    ctx = task.security_context
    return ctx.to_idl() if ctx is not None else None


def node_metadata(node: TaskNode) -> workflow_pb2.NodeMetadata:
    """The flyteidl ``NodeMetadata``: task values, replaced by the node's overrides."""
    from flyteidl.core import literals_pb2, workflow_pb2

    ov = node.overrides
    pb = workflow_pb2.NodeMetadata(name=node.name, retries=literals_pb2.RetryStrategy(retries=node.retries))
    timeout = node.timeout
    if timeout:
        pb.timeout.FromTimedelta(timeout)
    if node.interruptible is not None:
        pb.interruptible = node.interruptible
    if "cacheable" in ov:
        pb.cacheable = ov["cacheable"]
    if "cache_version" in ov:
        pb.cache_version = ov["cache_version"]
    if "cache_serialize" in ov:
        pb.cache_serializable = ov["cache_serialize"]
    return pb


def task_node_overrides(node: TaskNode, settings: SerializationSettings | None = None) -> Any:
    """The flyteidl ``TaskNodeOverrides`` of ``node`` (empty message when nothing is overridden)."""
    from flyteidl.core import workflow_pb2

    from podplan.resources import to_idl_resources
    from podplan.tasks.container import build_container, resolve_settings

    settings = resolve_settings(settings)
    ov = node.overrides
    pb = workflow_pb2.TaskNodeOverrides(container_image=ov.get("container_image", ""))
    if ov.get("resources") is not None:
        pb.resources.CopyFrom(to_idl_resources(ov["resources"]))
    if "accelerator" in ov or "shared_memory" in ov:
        from podplan.accelerators.extended import construct_extended_resources

        ext = construct_extended_resources(
            accelerator=ov.get("accelerator"), shared_memory=ov.get("shared_memory")
        )
        if ext is not None:
            pb.extended_resources.CopyFrom(ext)
    if ov.get("pod_template") is not None:
        from podplan.tasks.pod_template import k8s_pod_from_template

        pb.pod_template.CopyFrom(
            k8s_pod_from_template(
                ov["pod_template"],
                build_container(node.task, settings),  # type: ignore[arg-type]
                settings.image_config,
                with_name=True,
            )
        )
    return pb


def task_node(node: TaskNode, settings: SerializationSettings | None = None) -> workflow_pb2.Node:
    """The flyteidl ``Node`` of a task node: id, ``NodeMetadata`` and ``TaskNode`` with overrides."""
    from flyteidl.core import workflow_pb2

    from podplan.tasks.container import resolve_settings

    settings = resolve_settings(settings)
    try:
        return workflow_pb2.Node(
            id=node.id,
            metadata=node_metadata(node),
            task_node=workflow_pb2.TaskNode(
                reference_id=task_identifier(node.task, settings),
                overrides=task_node_overrides(node, settings),
            ),
        )
    except PodplanError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise SerializationError(f"node {node.id!r} cannot be serialized: {exc}") from exc
