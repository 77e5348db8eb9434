"""podplan: plan what a Flyte task needs from a Kubernetes cluster.

The public API mirrors ``flytekit.core.task`` (D1): a flytekit user migrates by changing imports.
Exports are resolved lazily (PEP 562) so that ``import podplan`` stays fast and heavy
dependencies (protobuf, kubernetes, numpy, NVML) load only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podplan._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # resources
    "Quantity": "podplan.resources",
    "Resources": "podplan.resources",
    "ResourceSpec": "podplan.resources",
    # accelerators
    "construct_extended_resources": "podplan.accelerators",
    # tasks (the seed surface)
    "task": "podplan.tasks",
    "PythonTask": "podplan.tasks",
    "PythonFunctionTask": "podplan.tasks",
    "AsyncPythonFunctionTask": "podplan.tasks",
    "TaskMetadata": "podplan.tasks",
    "PodTemplate": "podplan.tasks",
    "Secret": "podplan.tasks",
    "Cache": "podplan.tasks",
    "Echo": "podplan.tasks",
    "ReferenceTask": "podplan.tasks",
    "reference_task": "podplan.tasks",
    "TaskPlugins": "podplan.tasks",
    "eager": "podplan.tasks",
    "decorate_function": "podplan.tasks",
    "FLYTE_ENABLE_VSCODE_KEY": "podplan.tasks",
    "SerializationSettings": "podplan.tasks",
    "ImageConfig": "podplan.tasks",
    "Image": "podplan.tasks",
    # pod preview
    "Platform": "podplan.podspec",
    "build_pod": "podplan.podspec",
}

__all__ = [
    "FLYTE_ENABLE_VSCODE_KEY",
    "AsyncPythonFunctionTask",
    "Cache",
    "Echo",
    "Image",
    "ImageConfig",
    "Platform",
    "PodTemplate",
    "PythonFunctionTask",
    "PythonTask",
    "Quantity",
    "ReferenceTask",
    "ResourceSpec",
    "Resources",
    "Secret",
    "SerializationSettings",
    "TaskMetadata",
    "TaskPlugins",
    "__version__",
    "build_pod",
    "construct_extended_resources",
    "decorate_function",
    "eager",
    "reference_task",
    "task",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover - static re-exports for type checkers and IDEs
    from podplan.accelerators import construct_extended_resources
    from podplan.podspec import Platform, build_pod
    from podplan.resources import Quantity, Resources, ResourceSpec
    from podplan.tasks import (
        FLYTE_ENABLE_VSCODE_KEY,
        AsyncPythonFunctionTask,
        Cache,
        Echo,
        Image,
        ImageConfig,
        PodTemplate,
        PythonFunctionTask,
        PythonTask,
        ReferenceTask,
        Secret,
        SerializationSettings,
        TaskMetadata,
        TaskPlugins,
        decorate_function,
        eager,
        reference_task,
        task,
    )
