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

import operator
from typing import TYPE_CHECKING, Any

from podplan.errors import PodplanError, SerializationError

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2, workflow_pb2

    from podplan.tasks.node import TaskNode
    from podplan.tasks.settings import SerializationSettings

__all__ = ["task_identifier", "task_node", "task_template"]


def task_identifier(task: Any, settings: SerializationSettings | None = None) -> Any:
    """The flyteidl ``Identifier`` (resource type TASK) of ``task`` under ``settings``."""
    from podplan.tasks.container import resolve_settings
    from podplan.tasks.idl_cache import identifier_pb

    return identifier_pb(task.name, resolve_settings(settings))


def task_template(task: Any, settings: SerializationSettings | None = None) -> tasks_pb2.TaskTemplate:
    """The flyteidl ``TaskTemplate`` of ``task`` (a podplan task, or anything with its hooks).

    A :class:`~podplan.tasks.reference.ReferenceTask` has no template (it points at a task
    registered elsewhere): it raises :class:`~podplan.errors.SerializationError`.
    """
    m = _modules()
    if isinstance(task, m.ReferenceTask):
        raise SerializationError(
            f"task {getattr(task, 'name', task)!r} is a reference task: it has no task template (it refers "
            "to a task registered elsewhere); serialize a node of it with podplan.serialize.task_node"
        )
    if settings is None:
        settings = m.SerializationSettings.default()
    if type(task) in m.plain_function_tasks:
        fast = _from_prototype(task, settings, m)
        if fast is not None:
            return fast
    return _general_template(task, settings, m)


def _general_template(task: Any, settings: SerializationSettings, m: _Modules) -> Any:
    """Build the template from the task's hooks (shared sub-messages where podplan owns them)."""
    idl = m.idl_cache
    try:
        custom = task.get_custom(settings)
        custom_pb = None
        if custom is not None:
            from google.protobuf import struct_pb2

            custom_pb = struct_pb2.Struct()
            custom_pb.update(custom)
        interface = task.python_interface
        metadata = task.metadata
        if type(task).get_extended_resources is m.function_get_extended:
            extended = idl.extended_pb(task.accelerator, task.shared_memory)
        else:
            extended = task.get_extended_resources(settings)
        ctx = task.security_context
        pb = m.TaskTemplate(
            id=idl.identifier_pb(task.name, settings),
            type=task.task_type,
            metadata=idl.metadata_pb(metadata) if type(metadata) is m.TaskMetadata else metadata.to_idl(),
            interface=interface.idl_shared() if type(interface) is m.Interface else interface.to_idl(),
            custom=custom_pb,
            container=task.get_container(settings),
            k8s_pod=task.get_k8s_pod(settings),
            sql=task.get_sql(settings),
            task_type_version=task.task_type_version,
            security_context=ctx.to_idl() if ctx is not None else None,
            extended_resources=extended,
            config=task.get_config(settings) or {},
        )
    except PodplanError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:  # a protobuf or plugin failure
        raise SerializationError(f"task {getattr(task, 'name', task)!r} cannot be serialized: {exc}") from exc
    return pb


_PROTOTYPES: dict[Any, tuple[tuple[Any, ...], Any]] = {}


def _from_prototype(task: Any, settings: SerializationSettings, m: _Modules) -> Any:
    """The template of a plain function task, copied from a memoized prototype (or None).

    Tasks that share everything but their name (metadata, interface, image, resources, env,
    extended resources, settings) share one prototype; the copy gets the task's name and its
    ``task-module``/``task-name`` args. Tasks with a pod template, secrets or a custom resolver
    take the general path. The key objects are kept in the entry and compared by identity.
    """
    if task.pod_template is not None or task.security_context is not None or task.task_resolver is not None:
        return None
    idl = m.idl_cache
    meta_pb = idl.metadata_pb(task.metadata)
    iface_pb = task.python_interface.idl_shared()
    spec = m.effective_resources(task, settings)
    refs = (
        settings,
        meta_pb,
        iface_pb,
        idl.resources_pb(spec),
        idl.extended_pb(task.accelerator, task.shared_memory),
        task.container_image,
    )
    key = (
        tuple(map(id, refs)),
        type(task),
        task.execution_mode,
        task.task_type,
        task.task_type_version,
        tuple(task._environment.items()),
        task.container_image if isinstance(task.container_image, str) else None,
    )
    entry = _PROTOTYPES.get(key)
    if entry is None or not all(map(operator.is_, entry[0], refs)):
        proto = _general_template(task, settings, m)
        del proto.container.args[-3:]  # <module> task-name <function>
        proto.id.name = ""
        if len(_PROTOTYPES) < 1024:
            _PROTOTYPES[key] = (refs, proto)
    else:
        proto = entry[1]
    pb = m.TaskTemplate()
    pb.CopyFrom(proto)
    pb.id.name = task.name
    pb.container.args.extend((task.instantiated_in, "task-name", task.lhs))
    return pb


class _Modules:
    """Names :func:`task_template` needs, imported once on first use (flyteidl is heavy)."""

    def __init__(self) -> None:
        from flyteidl.core.tasks_pb2 import TaskTemplate

        from podplan.tasks import idl_cache
        from podplan.tasks.container import effective_resources
        from podplan.tasks.function_task import AsyncPythonFunctionTask, PythonFunctionTask
        from podplan.tasks.interface import Interface
        from podplan.tasks.metadata import TaskMetadata
        from podplan.tasks.reference import ReferenceTask
        from podplan.tasks.settings import SerializationSettings

        self.TaskTemplate = TaskTemplate
        self.idl_cache = idl_cache
        self.function_get_extended = PythonFunctionTask.get_extended_resources
        self.Interface = Interface
        self.TaskMetadata = TaskMetadata
        self.ReferenceTask = ReferenceTask
        self.SerializationSettings = SerializationSettings
        self.plain_function_tasks = (PythonFunctionTask, AsyncPythonFunctionTask)
        self.effective_resources = effective_resources


_MODULES: list[_Modules] = []


def _modules() -> _Modules:
    if not _MODULES:
        _MODULES.append(_Modules())
    return _MODULES[0]


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
        from podplan.tasks.reference import ReferenceTask

        if isinstance(node.task, ReferenceTask):
            raise SerializationError(
                f"node {node.id!r}: pod_template cannot override reference task {node.task.name!r}: its "
                "container is registered elsewhere, so podplan cannot fill the primary container"
            )

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
                reference_id=_reference_id(node.task, settings),
                overrides=task_node_overrides(node, settings),
            ),
        )
    except PodplanError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise SerializationError(f"node {node.id!r} cannot be serialized: {exc}") from exc


def _reference_id(task: Any, settings: SerializationSettings) -> Any:
    """A reference task's own identifier; any other task's identifier under ``settings``."""
    from podplan.tasks.reference import ReferenceTask

    if isinstance(task, ReferenceTask):
        return task.id.to_flyte_idl()
    return task_identifier(task, settings)
