"""Planning: will a task's pod schedule on a cluster, where, at what cost — and what is wrong.

Public API (resolved lazily; numpy, pydantic and yaml load only when used):

- :class:`Cluster`, :class:`NodePool`, :class:`Taint`, :func:`load_cluster`,
  :func:`cluster_from_nodelist` (``kubectl get nodes -o json``), :func:`cluster_from_pool_document`
  and :func:`pool_file_schema` (the pool YAML);
- :class:`TaskInput`, :func:`task_input` (a task on a platform → its pod and declarations);
- :func:`fit` (numpy fit of pod requirements x pools) and :func:`pod_requirements`;
- :func:`check` → :class:`CheckReport` (findings, fits, plans), :class:`Finding`, :data:`RULES`;
- :func:`render` in the formats of :data:`FORMATS` (text, json, junit, sarif, github).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podplan._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Cluster": "podplan.planning.cluster",
    "NodePool": "podplan.planning.cluster",
    "Taint": "podplan.planning.cluster",
    "GPUShape": "podplan.planning.cluster",
    "load_cluster": "podplan.planning.cluster",
    "cluster_from_nodelist": "podplan.planning.cluster",
    "cluster_from_data": "podplan.planning.cluster",
    "cluster_from_pool_document": "podplan.planning.poolfile",
    "pool_file_schema": "podplan.planning.poolfile",
    "TaskInput": "podplan.planning.inputs",
    "AcceleratorRequest": "podplan.planning.inputs",
    "SharedMemoryRequest": "podplan.planning.inputs",
    "task_input": "podplan.planning.collect",
    "inputs_from_discovered": "podplan.planning.collect",
    "pod_requirements": "podplan.planning.pods",
    "PodRequirements": "podplan.planning.pods",
    "fit": "podplan.planning.fitting",
    "FitResult": "podplan.planning.fitting",
    "check": "podplan.planning.engine",
    "CheckReport": "podplan.planning.engine",
    "TaskReport": "podplan.planning.engine",
    "Finding": "podplan.planning.findings",
    "RULES": "podplan.planning.findings",
    "render": "podplan.planning.report",
    "FORMATS": "podplan.planning.report",
}

__all__ = [
    "FORMATS",
    "RULES",
    "AcceleratorRequest",
    "CheckReport",
    "Cluster",
    "Finding",
    "FitResult",
    "GPUShape",
    "NodePool",
    "PodRequirements",
    "SharedMemoryRequest",
    "Taint",
    "TaskInput",
    "TaskReport",
    "check",
    "cluster_from_data",
    "cluster_from_nodelist",
    "cluster_from_pool_document",
    "fit",
    "inputs_from_discovered",
    "load_cluster",
    "pod_requirements",
    "pool_file_schema",
    "render",
    "task_input",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:  # pragma: no cover
    from podplan.planning.cluster import (
        Cluster,
        GPUShape,
        NodePool,
        Taint,
        cluster_from_data,
        cluster_from_nodelist,
        load_cluster,
    )
    from podplan.planning.collect import inputs_from_discovered, task_input
    from podplan.planning.engine import CheckReport, TaskReport, check
    from podplan.planning.findings import RULES, Finding
    from podplan.planning.fitting import FitResult, fit
    from podplan.planning.inputs import AcceleratorRequest, SharedMemoryRequest, TaskInput
    from podplan.planning.pods import PodRequirements, pod_requirements
    from podplan.planning.poolfile import cluster_from_pool_document, pool_file_schema
    from podplan.planning.report import FORMATS, render
