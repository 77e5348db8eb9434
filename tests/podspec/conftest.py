"""Helpers for the pod-preview tests: hand-built flyteidl protobufs and a checked builder."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from flyteidl.core import identifier_pb2, tasks_pb2, workflow_pb2
from google.protobuf import struct_pb2

from podplan.podspec.builder import build_pod_dict
from podplan.podspec.render import pod_to_k8s_json, schema_errors

_IDL = {
    "cpu": tasks_pb2.Resources.CPU,
    "gpu": tasks_pb2.Resources.GPU,
    "memory": tasks_pb2.Resources.MEMORY,
    "ephemeral_storage": tasks_pb2.Resources.EPHEMERAL_STORAGE,
}


def idl_resources(requests: dict[str, str] | None = None, limits: dict[str, str] | None = None) -> Any:
    """flyteidl Resources from {cpu|gpu|memory|ephemeral_storage: value} maps."""
    entry = tasks_pb2.Resources.ResourceEntry
    return tasks_pb2.Resources(
        requests=[entry(name=_IDL[k], value=v) for k, v in (requests or {}).items()],
        limits=[entry(name=_IDL[k], value=v) for k, v in (limits or {}).items()],
    )


def accelerator(device: str, partition: str | None = None, unpartitioned: bool | None = None) -> Any:
    """A flyteidl GPUAccelerator."""
    acc = tasks_pb2.GPUAccelerator(device=device)
    if partition is not None:
        acc.partition_size = partition
    if unpartitioned is not None:
        acc.unpartitioned = unpartitioned
    return acc


def shared_memory(size: str = "", name: str = "flyte-shared-memory", path: str = "/dev/shm") -> Any:
    """A flyteidl SharedMemory."""
    return tasks_pb2.SharedMemory(mount_name=name, mount_path=path, size_limit=size)


def container_task(
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    *,
    accel: Any = None,
    shm: Any = None,
    interruptible: bool | None = None,
    name: str = "my_module.my_task",
    args: list[str] | None = None,
    env: dict[str, str] | None = None,
    pod_template_name: str = "",
    config: dict[str, str] | None = None,
) -> Any:
    """A container-target TaskTemplate (what @task serializes to)."""
    t = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(resource_type=1, project="proj", domain="dev", name=name, version="v1"),
        type="python-task",
        container=tasks_pb2.Container(
            image="registry/image:v1",
            args=args
            or ["pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"],
            resources=idl_resources(requests, limits),
        ),
    )
    for k, v in (env or {}).items():
        t.container.env.add(key=k, value=v)
    for k, v in (config or {}).items():
        t.config[k] = v
    if accel is not None:
        t.extended_resources.gpu_accelerator.CopyFrom(accel)
    if shm is not None:
        t.extended_resources.shared_memory.CopyFrom(shm)
    if interruptible is not None:
        t.metadata.interruptible = interruptible
    if pod_template_name:
        t.metadata.pod_template_name = pod_template_name
    return t


def pod_task(
    pod_spec: dict[str, Any],
    primary: str = "primary",
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    accel: Any = None,
    shm: Any = None,
    task_type: str = "python-task",
    version: int = 2,
    pod_template_name: str = "",
) -> Any:
    """A K8sPod-target TaskTemplate (what @task(pod_template=...) serializes to)."""
    spec = struct_pb2.Struct()
    spec.update(json.loads(json.dumps(pod_spec)))
    t = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(
            resource_type=1, project="proj", domain="dev", name="pod_task", version="v1"
        ),
        type=task_type,
        task_type_version=version,
        k8s_pod=tasks_pb2.K8sPod(pod_spec=spec),
    )
    t.config["primary_container_name"] = primary
    for k, v in (labels or {}).items():
        t.k8s_pod.metadata.labels[k] = v
    for k, v in (annotations or {}).items():
        t.k8s_pod.metadata.annotations[k] = v
    if accel is not None:
        t.extended_resources.gpu_accelerator.CopyFrom(accel)
    if shm is not None:
        t.extended_resources.shared_memory.CopyFrom(shm)
    if pod_template_name:
        t.metadata.pod_template_name = pod_template_name
    return t


def overrides(
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    *,
    accel: Any = None,
    shm: Any = None,
    image: str = "",
    pod_template: tuple[dict[str, Any], str] | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> Any:
    """A flyteidl TaskNodeOverrides."""
    o = workflow_pb2.TaskNodeOverrides(container_image=image)
    if requests or limits:
        o.resources.CopyFrom(idl_resources(requests, limits))
    if accel is not None:
        o.extended_resources.gpu_accelerator.CopyFrom(accel)
    if shm is not None:
        o.extended_resources.shared_memory.CopyFrom(shm)
    if pod_template is not None:
        spec, primary = pod_template
        o.pod_template.pod_spec.update(json.loads(json.dumps(spec)))
        o.pod_template.primary_container_name = primary
        for k, v in (labels or {}).items():
            o.pod_template.metadata.labels[k] = v
        for k, v in (annotations or {}).items():
            o.pod_template.metadata.annotations[k] = v
    return o


def build(template: Any, platform: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Build the pod as pruned Kubernetes JSON and check it against the strict schema."""
    result = build_pod_dict(template, platform, **kwargs)
    pod = pod_to_k8s_json(result.pod)
    errors = schema_errors(pod)
    assert errors == [], errors
    return pod


def container(pod: dict[str, Any], name: str | None = None, kind: str = "containers") -> dict[str, Any]:
    """The container named ``name`` (default: the first)."""
    items = pod["spec"][kind]
    if name is None:
        return items[0]  # type: ignore[no-any-return]
    return next(c for c in items if c["name"] == name)


def resources(pod: dict[str, Any], name: str | None = None, kind: str = "containers") -> tuple[dict, dict]:
    """(requests, limits) of a container, canonical strings."""
    res = container(pod, name, kind).get("resources", {})
    return res.get("requests", {}), res.get("limits", {})


def required_terms(pod: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The required node-affinity terms as lists of match expressions."""
    aff = pod["spec"].get("affinity", {})
    req = aff.get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution", {})
    return [t.get("matchExpressions", []) for t in req.get("nodeSelectorTerms", [])]


@pytest.fixture
def pb() -> SimpleNamespace:
    """The helper functions of this module, for test files."""
    return SimpleNamespace(
        idl_resources=idl_resources,
        accelerator=accelerator,
        shared_memory=shared_memory,
        container_task=container_task,
        pod_task=pod_task,
        overrides=overrides,
        build=build,
        container=container,
        resources=resources,
        required_terms=required_terms,
    )
