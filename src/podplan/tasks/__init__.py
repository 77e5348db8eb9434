"""The task API: ``@task``, task classes, metadata, pod templates, serialization settings.

Exports resolve lazily (PEP 562) so that importing ``podplan.tasks`` stays cheap; protobuf and
kubernetes load only when a template is serialized.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podplan._lazy import lazy_exports

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "task": "podplan.tasks.decorator",
    "PythonTask": "podplan.tasks.base",
    "TaskMetadata": "podplan.tasks.metadata",
    "PythonFunctionTask": "podplan.tasks.function_task",
    "AsyncPythonFunctionTask": "podplan.tasks.function_task",
    "ExecutionBehavior": "podplan.tasks.function_task",
    "PodTemplate": "podplan.tasks.pod_template",
    "Secret": "podplan.tasks.secrets",
    "Cache": "podplan.tasks.cache",
    "CachePolicy": "podplan.tasks.cache",
    "VersionParameters": "podplan.tasks.cache",
    "DeckField": "podplan.tasks.metadata",
    "Documentation": "podplan.tasks.metadata",
    "SerializationSettings": "podplan.tasks.settings",
    "FastSerializationSettings": "podplan.tasks.settings",
    "ImageConfig": "podplan.tasks.settings",
    "Image": "podplan.tasks.settings",
    "TaskNode": "podplan.tasks.node",
    # helper C1's modules
    "Echo": "podplan.tasks.echo",
    "ReferenceTask": "podplan.tasks.reference",
    "reference_task": "podplan.tasks.reference",
    "TaskPlugins": "podplan.tasks.plugins",
    "eager": "podplan.tasks.eager_task",
    "decorate_function": "podplan.tasks.vscode",
    "FLYTE_ENABLE_VSCODE_KEY": "podplan.tasks.vscode",
    "Interface": "podplan.tasks.interface",
    "load_target": "podplan.tasks.discovery",
    "discover_tasks": "podplan.tasks.discovery",
    "ExecutionMode": "podplan.tasks.tracking",
    "ExecutionState": "podplan.tasks.tracking",
    "T": "podplan.tasks.decorator",
    "P": "podplan.tasks.decorator",
    "FuncOut": "podplan.tasks.decorator",
}

__all__ = [
    "FLYTE_ENABLE_VSCODE_KEY",
    "AsyncPythonFunctionTask",
    "Cache",
    "CachePolicy",
    "DeckField",
    "Documentation",
    "Echo",
    "ExecutionBehavior",
    "ExecutionMode",
    "ExecutionState",
    "FastSerializationSettings",
    "FuncOut",
    "Image",
    "ImageConfig",
    "Interface",
    "P",
    "PodTemplate",
    "PythonFunctionTask",
    "PythonTask",
    "ReferenceTask",
    "Secret",
    "SerializationSettings",
    "T",
    "TaskMetadata",
    "TaskNode",
    "TaskPlugins",
    "VersionParameters",
    "decorate_function",
    "discover_tasks",
    "eager",
    "load_target",
    "reference_task",
    "task",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover - static re-exports for type checkers and IDEs
    from podplan.tasks.base import PythonTask
    from podplan.tasks.cache import Cache, CachePolicy, VersionParameters
    from podplan.tasks.decorator import FuncOut, P, T, task
    from podplan.tasks.discovery import discover_tasks, load_target
    from podplan.tasks.eager_task import eager
    from podplan.tasks.echo import Echo
    from podplan.tasks.function_task import (
        AsyncPythonFunctionTask,
        ExecutionBehavior,
        PythonFunctionTask,
    )
    from podplan.tasks.interface import Interface
    from podplan.tasks.metadata import DeckField, Documentation, TaskMetadata
    from podplan.tasks.node import TaskNode
    from podplan.tasks.plugins import TaskPlugins
    from podplan.tasks.pod_template import PodTemplate
    from podplan.tasks.reference import ReferenceTask, reference_task
    from podplan.tasks.secrets import Secret
    from podplan.tasks.settings import (
        FastSerializationSettings,
        Image,
        ImageConfig,
        SerializationSettings,
    )
    from podplan.tasks.tracking import ExecutionMode, ExecutionState
    from podplan.tasks.vscode import FLYTE_ENABLE_VSCODE_KEY, decorate_function
