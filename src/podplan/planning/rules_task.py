"""Rules that need only the task and its pod (no cluster): PP1xx, PP2xx, PP3xx.

Each rule is a function ``(task, ctx) -> Iterable[Finding]``; :data:`TASK_RULES` lists them in
report order. Messages name the task, the pod field and the values; ``hint`` says how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from podplan.planning.findings import Finding, make
from podplan.planning.inputs import TaskInput

#: memory values below this many bytes are almost certainly missing a unit (``mem="2048"``)
SUSPICIOUS_MEMORY_BYTES = 1 << 20


@dataclass(frozen=True)
class RuleContext:
    """Platform facts the rules read (Flyte config keys, defaults of v1.16.8)."""

    gpu_resource_name: str = "nvidia.com/gpu"
    gpu_device_node_label: str = "k8s.amazonaws.com/accelerator"
    gpu_partition_size_node_label: str = "k8s.amazonaws.com/gpu-partition-size"

    @classmethod
    def from_platform(cls, platform: Any) -> RuleContext:
        """Read the keys from a :class:`podplan.podspec.Platform` (defaults when ``None``)."""
        k8s = getattr(platform, "k8s", None)
        if k8s is None:
            return cls()
        return cls(
            gpu_resource_name=k8s.gpu_resource_name,
            gpu_device_node_label=k8s.gpu_device_node_label,
            gpu_partition_size_node_label=k8s.gpu_partition_size_node_label,
        )


@lru_cache(maxsize=65536)
def parse_quantity(value: str) -> Fraction | None:
    """Exact value of a quantity string, or ``None`` when Kubernetes would reject it."""
    from podplan.resources import Quantity

    try:
        return Quantity(value).as_fraction()
    except (ValueError, TypeError):  # QuantityError is a ValueError
        return None


def containers(pod: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(field path, container)`` for every container and init container of the pod."""
    spec = pod.get("spec") or {}
    for kind in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(kind) or ()):
            yield f"spec.{kind}[{i}]", c


def _resources(c: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    res = c.get("resources") or {}
    return res.get("requests") or {}, res.get("limits") or {}


#: ``podplan.podspec.validate_pod`` problem code -> (podplan code, fix hint)
ADMISSION_CODES: dict[str, tuple[str, str]] = {
    "quantity": ("PP101", "write a quantity such as 500m, 2, 512Mi or 4Gi (binary suffixes Ki/Mi/Gi)"),
    "request-above-limit": (
        "PP102",
        "raise the limit or lower the request; Kubernetes rejects request > limit",
    ),
    "extended-request-ne-limit": ("PP103", "declare one value (a single value sets both request and limit)"),
    "extended-no-limit": ("PP103", "set the limit equal to the request"),
    "extended-not-integer": ("PP104", "request whole devices, or a MIG partition for a fraction of a GPU"),
    "resource-name": ("PP107", "use a fully qualified name such as nvidia.com/gpu (check gpu-resource-name)"),
}


def _container_name(pod: Mapping[str, Any], path: str) -> str:
    kind, _, rest = path.partition("[")
    try:
        index = int(rest.split("]", 1)[0])
        return str(((pod.get("spec") or {}).get(kind.removeprefix("spec.")) or [])[index].get("name", "?"))
    except (ValueError, IndexError, AttributeError):
        return "?"


def _admission_problems(task: TaskInput) -> list[Any]:
    if task.admission is None:
        from podplan.podspec.admission import validate_pod

        task.admission = list(validate_pod(dict(task.pod)))
    return task.admission


def rule_admission(task: TaskInput, ctx: RuleContext) -> Iterator[Finding]:
    """PP101/PP102/PP103/PP104/PP107 from the preview's admission check
    (``podplan.podspec.validate_pod``); PP601 for any other problem it reports."""
    for problem in _admission_problems(task):
        code, hint = ADMISSION_CODES.get(problem.code, ("PP601", "fix the pod so the API server accepts it"))
        where = f"container {_container_name(task.pod, problem.path)!r}"
        yield make(
            code,
            f"task {task.task}: {where}: {problem.path}: {problem.message}",
            task=task.task,
            field=problem.path,
            hint=hint,
        )


def rule_memory_units(task: TaskInput, ctx: RuleContext) -> Iterator[Finding]:
    """PP105: a memory or ephemeral-storage value below 1Mi (``mem="2048"`` is 2048 bytes).
    One finding per container and resource (request and limit together)."""
    for path, c in containers(task.pod):
        requests, limits = _resources(c)
        for name in ("memory", "ephemeral-storage"):
            bad = []
            for side, values in (("requests", requests), ("limits", limits)):
                raw = values.get(name)
                value = parse_quantity(str(raw)) if raw is not None else None
                if value is not None and 0 < value < SUSPICIOUS_MEMORY_BYTES:
                    bad.append((side, str(raw), value))
            if not bad:
                continue
            shown = " and ".join(f"{side}.{name} = {raw!r}" for side, raw, _ in bad)
            side, raw, value = bad[0]
            yield make(
                "PP105",
                f"task {task.task}: container {c.get('name', '?')!r} {shown}: {value} bytes; "
                f"a unit is almost certainly missing",
                task=task.task,
                field=f"{path}.resources.{side}[{name}]",
                hint=f"write {raw}Mi or {raw}Gi if that was meant",
            )


def _primary(task: TaskInput) -> tuple[str, Mapping[str, Any]] | None:
    spec = task.pod.get("spec") or {}
    items = spec.get("containers") or []
    for i, c in enumerate(items):
        if task.primary is not None and c.get("name") == task.primary:
            return f"spec.containers[{i}]", c
    return ("spec.containers[0]", items[0]) if items else None


def rule_clamp(task: TaskInput, ctx: RuleContext) -> Iterator[Finding]:
    """PP106 (one per resource): the platform lowered what the task declared (the primary
    container's request or limit in the pod is below the declared one; for pod-template tasks,
    the template's primary container). PP102 when the task itself declares a request above its
    limit (flytekit allows it; the backend lowers the request)."""
    primary = _primary(task)
    if primary is None or not task.declared:
        return
    path, c = primary
    requests, limits = _resources(c)
    for name, (want_req, want_lim) in sorted(task.declared.items()):
        r = parse_quantity(str(want_req)) if want_req is not None else None
        lim = parse_quantity(str(want_lim)) if want_lim is not None else None
        if r is not None and lim is not None and r > lim:
            yield make(
                "PP102",
                f"task {task.task} declares the {name} request {want_req} above its limit {want_lim}; "
                f"the backend silently lowers the request to {want_lim}",
                task=task.task,
                field=f"resources.requests.{name}",
                hint="declare a request at most the limit (a single value sets both)",
            )
            want_req = want_lim  # the task's own limit lowered it, not the platform
        lowered = []
        for side, want, got in (
            ("request", want_req, requests.get(name)),
            ("limit", want_lim, limits.get(name)),
        ):
            if want is None or got is None:
                continue
            w, g = parse_quantity(str(want)), parse_quantity(str(got))
            if w is not None and g is not None and g < w:
                lowered.append((side, want, got))
        if lowered:
            shown = " and ".join(f"the {name} {side} from {want} to {got}" for side, want, got in lowered)
            yield make(
                "PP106",
                f"task {task.task}: the platform lowers {shown}",
                task=task.task,
                field=f"{path}.resources.{lowered[0][0]}s.{name}",
                hint="raise the platform limit (task_resources.limits) or declare what the platform allows",
            )


def gpu_count(task: TaskInput, ctx: RuleContext, *, mig: bool = True) -> Fraction:
    """GPUs the regular containers ask for (limit, else request); ``mig`` counts the
    mixed-strategy ``nvidia.com/mig-*`` resources too."""
    total = Fraction(0)
    for path, c in containers(task.pod):
        if path.startswith("spec.initContainers"):
            continue
        requests, limits = _resources(c)
        for name in set(requests) | set(limits):
            if name == ctx.gpu_resource_name or (mig and name.startswith("nvidia.com/mig-")):
                value = parse_quantity(str(limits.get(name, requests.get(name))))
                total += value or 0
    return total


def _number(value: Fraction) -> str:
    """``2`` or ``0.5`` (a decimal, not ``1/2``)."""
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _has_gpu_limit(task: TaskInput, ctx: RuleContext) -> bool:
    spec = task.pod.get("spec") or {}
    for c in spec.get("containers") or ():
        _, limits = _resources(c)
        if ctx.gpu_resource_name in limits:
            return True
    return False


def rule_accelerator(task: TaskInput, ctx: RuleContext) -> Iterator[Finding]:
    """PP201, PP202, PP206, PP203, PP204 (PP210 right-sizing needs the cluster: rules_cluster)."""
    from podplan.planning.gpus import find_model

    gpus = gpu_count(task, ctx)
    acc = task.accelerator
    if acc is None:
        # a mixed-strategy MIG resource names its profile (and so the model family) already
        whole = gpu_count(task, ctx, mig=False)
        if whole > 0:
            yield make(
                "PP201",
                f"task {task.task} requests {_number(whole)} GPU(s) without an accelerator: "
                "it may land on any GPU model",
                task=task.task,
                field="accelerator",
                hint="add accelerator=<model> (for example A100, L4, H100) to pin the GPU model",
            )
        return
    if not _has_gpu_limit(task, ctx):
        yield make(
            "PP202",
            f"task {task.task} sets accelerator {acc.device!r} but no container has a "
            f"{ctx.gpu_resource_name} "
            f"limit: the backend silently ignores the accelerator",
            task=task.task,
            field="accelerator",
            hint="add gpu=1 (or more) to the task's resources",
        )
    model = find_model(acc.device)
    if model is None:
        if _other_accelerator(acc.device):
            return  # a TPU or non-NVIDIA device class: no MIG rules apply
        yield make(
            "PP206",
            f"task {task.task}: accelerator device {acc.device!r} is not in the GPU catalog",
            task=task.task,
            field="accelerator.device",
            hint=_device_hint(acc.device),
        )
        return
    if acc.partition_size is None:
        return
    profiles = model.mig_profiles
    profile = profiles.get(acc.partition_size)
    if profile is None:
        offered = ", ".join(profiles) or "none (the model has no MIG)"
        yield make(
            "PP203",
            f"task {task.task}: MIG profile {acc.partition_size!r} is not offered by {model.name}; "
            f"offered: {offered}",
            task=task.task,
            field="accelerator.partition_size",
            hint="pick one of the offered profiles (`podplan catalog` lists them)",
        )
        return
    if gpus > profile.max_instances:
        yield make(
            "PP204",
            f"task {task.task} asks {_number(gpus)} x {acc.partition_size} but one {model.name} "
            f"offers at most {profile.max_instances}: the pod needs slices from several GPUs of one node",
            task=task.task,
            field="resources.gpu",
            hint="use a larger profile, or fewer slices",
        )


def _other_accelerator(device: str) -> bool:
    """Whether ``device`` names a TPU type or a non-NVIDIA device class of the catalog."""
    from podplan.accelerators import catalog
    from podplan.errors import AcceleratorError

    try:
        catalog.lookup(device)
    except AcceleratorError:
        return False
    return True


def _device_hint(device: str) -> str:
    from podplan.accelerators import catalog

    devices = sorted({m.device for m in catalog.all_models()})
    close = difflib.get_close_matches(device, devices, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "check the device string against `podplan catalog`"


def rule_shared_memory(task: TaskInput, ctx: RuleContext) -> Iterator[Finding]:
    """PP301 shm above the memory limit; PP302 unbounded shm without a memory limit."""
    shm = task.shared_memory
    size: str | None
    if shm is not None:
        size = shm.size_limit
    else:
        size = _shm_volume_size(task.pod)
        if size is None:
            return
    primary = _primary(task)
    if primary is None:
        return
    _, c = primary
    _, limits = _resources(c)
    limit = limits.get("memory")
    lim = parse_quantity(str(limit)) if limit is not None else None
    sz = parse_quantity(str(size)) if size else None
    if sz and lim and sz > lim:
        yield make(
            "PP301",
            f"task {task.task}: shared memory {size} is larger than the memory limit {limit}; "
            f"/dev/shm counts against the limit, so the pod is OOM-killed before it fills",
            task=task.task,
            field="shared_memory",
            hint=f"raise the memory limit above {size} or lower shared_memory",
        )
    if not sz and not lim:
        yield make(
            "PP302",
            f"task {task.task}: shared memory is unbounded and the container has no memory limit; "
            f"/dev/shm may grow up to the node's memory",
            task=task.task,
            field="shared_memory",
            hint="give shared_memory a size (for example '2Gi') or set a memory limit",
        )


def _shm_volume_size(pod: Mapping[str, Any]) -> str | None:
    for volume in (pod.get("spec") or {}).get("volumes") or ():
        empty = volume.get("emptyDir")
        if isinstance(empty, Mapping) and empty.get("medium") == "Memory":
            return str(empty.get("sizeLimit") or "0")
    return None


TaskRule = Callable[[TaskInput, RuleContext], Iterable[Finding]]

#: rules that need no cluster, in report order
TASK_RULES: tuple[TaskRule, ...] = (
    rule_admission,
    rule_memory_units,
    rule_clamp,
    rule_accelerator,
    rule_shared_memory,
)
