"""What the checker knows about one task: its id, the pod it becomes, and what it declared.

The engine works on :class:`TaskInput` objects so it can be driven by hand-written pods (tests,
other tools) as well as by podplan/flytekit tasks (:func:`task_input_from_template` reads a
``flyteidl`` ``TaskTemplate``). ``declared`` holds what the task asked for *before* the platform
applied defaults and clamps, keyed by Kubernetes resource name; the clamp rule compares it with
the pod.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from podplan.planning.pods import PodRequirements, pod_requirements, pod_to_dict

#: IDL ``Resources.ResourceName`` enum value -> Kubernetes resource name (GPU renamed later)
IDL_RESOURCE_NAMES = {1: "cpu", 2: "gpu", 3: "memory", 4: "storage", 5: "ephemeral-storage"}


@dataclass(frozen=True)
class AcceleratorRequest:
    """The task's ``gpu_accelerator``: device string and MIG partition state."""

    device: str
    partition_size: str | None = None
    unpartitioned: bool = False


@dataclass(frozen=True)
class SharedMemoryRequest:
    """The task's shared memory: mount name and path, size limit (``None``: unbounded)."""

    mount_name: str = "flyte-shared-memory"
    mount_path: str = "/dev/shm"
    size_limit: str | None = None


@dataclass(eq=False)
class TaskInput:
    """One task to check: id ``<module>.<name>``, its pod (Kubernetes JSON) and declarations."""

    task: str
    pod: Mapping[str, Any]
    accelerator: AcceleratorRequest | None = None
    declared: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
    shared_memory: SharedMemoryRequest | None = None
    interruptible: bool | None = None
    file: str | None = None
    line: int | None = None
    #: admission problems from ``podplan.podspec.validate_pod`` (computed lazily when ``None``)
    admission: list[Any] | None = None
    #: name of the primary container (default: the first container)
    primary: str | None = None
    #: pre-computed findings (e.g. a task whose pod could not be built)
    findings: list[Any] = field(default_factory=list)
    #: False when no pod could be built: the task is reported but not fitted
    buildable: bool = True
    _requirements: PodRequirements | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.pod = pod_to_dict(self.pod)

    @property
    def requirements(self) -> PodRequirements:
        """The pod's scheduling requirements (computed once)."""
        if self._requirements is None:
            self._requirements = pod_requirements(self.pod)
        return self._requirements

    @property
    def is_interruptible(self) -> bool:
        """Declared, else the ``interruptible`` label the backend puts on every pod."""
        if self.interruptible is not None:
            return self.interruptible
        labels = (self.pod.get("metadata") or {}).get("labels") or {}
        return labels.get("interruptible") == "true"


def accelerator_from_idl(extended: Any) -> AcceleratorRequest | None:
    """Read ``ExtendedResources.gpu_accelerator`` (``None`` when absent)."""
    if extended is None or not extended.HasField("gpu_accelerator"):
        return None
    acc = extended.gpu_accelerator
    which = acc.WhichOneof("partition_size_value")
    return AcceleratorRequest(
        device=acc.device,
        partition_size=acc.partition_size if which == "partition_size" else None,
        unpartitioned=which == "unpartitioned" and acc.unpartitioned,
    )


def shared_memory_from_idl(extended: Any) -> SharedMemoryRequest | None:
    """Read ``ExtendedResources.shared_memory`` (``None`` when absent)."""
    if extended is None or not extended.HasField("shared_memory"):
        return None
    shm = extended.shared_memory
    return SharedMemoryRequest(shm.mount_name, shm.mount_path, shm.size_limit or None)


def declared_from_idl(
    resources: Any, gpu_resource_name: str = "nvidia.com/gpu"
) -> dict[str, tuple[str | None, str | None]]:
    """``{k8s name: (request, limit)}`` from a ``flyteidl.core.tasks_pb2.Resources``."""
    out: dict[str, list[str | None]] = {}
    for side, entries in ((0, resources.requests), (1, resources.limits)):
        for entry in entries:
            name = IDL_RESOURCE_NAMES.get(entry.name)
            if name is None:
                continue
            if name == "gpu":
                name = gpu_resource_name
            out.setdefault(name, [None, None])[side] = entry.value
    return {k: (v[0], v[1]) for k, v in out.items()}


def declared_from_pod_spec(
    template: Any, gpu_resource_name: str = "nvidia.com/gpu"
) -> dict[str, tuple[str | None, str | None]]:
    """``{k8s name: (request, limit)}`` of the primary container of a pod-template task
    (``TaskTemplate.k8s_pod``; ``config["primary_container_name"]``, default ``primary``).
    A key literally named ``gpu`` is renamed to ``gpu_resource_name`` as the backend does."""
    from google.protobuf.json_format import MessageToDict

    spec = MessageToDict(template.k8s_pod.pod_spec)
    primary = template.config.get("primary_container_name", "primary")
    for container in spec.get("containers") or ():
        if isinstance(container, Mapping) and container.get("name") == primary:
            resources = container.get("resources") or {}
            break
    else:
        return {}
    out: dict[str, list[str | None]] = {}
    for side, key in ((0, "requests"), (1, "limits")):
        values = resources.get(key) or {}
        if not isinstance(values, Mapping):
            continue
        for name, value in values.items():
            name = gpu_resource_name if name == "gpu" else str(name)
            out.setdefault(name, [None, None])[side] = _quantity_text(value)
    return {k: (v[0], v[1]) for k, v in out.items()}


def _quantity_text(value: Any) -> str:
    """A Struct number (``2.0``) as Kubernetes would read it (``2``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def task_input_from_template(
    task_id: str,
    template: Any,
    pod: Any,
    *,
    gpu_resource_name: str = "nvidia.com/gpu",
    interruptible: bool | None = None,
    file: str | None = None,
    line: int | None = None,
) -> TaskInput:
    """Build a :class:`TaskInput` from a ``TaskTemplate`` protobuf and the pod built from it."""
    extended = template.extended_resources if template.HasField("extended_resources") else None
    declared: dict[str, tuple[str | None, str | None]] = {}
    if template.HasField("container"):
        declared = declared_from_idl(template.container.resources, gpu_resource_name)
    return TaskInput(
        task=task_id,
        pod=pod,
        accelerator=accelerator_from_idl(extended),
        declared=declared,
        shared_memory=shared_memory_from_idl(extended),
        interruptible=interruptible,
        file=file,
        line=line,
    )
