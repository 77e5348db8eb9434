"""Pod-level scheduling steps: ``UpdatePod`` (§1.2 step 9.6, §5), GPU selectors (§3), shared memory (§4).

Deterministic choice: resource tolerations (``resource-tolerations``) are added in sorted order of
the resource names the containers mention (Go iterates a set in unspecified order).
"""

from __future__ import annotations

import copy
from typing import Any

from podplan.errors import PodBuildError
from podplan.podspec.plan import PlatformPlan, copy_requirement
from podplan.podspec.provenance import Provenance, requirement_key, toleration_key
from podplan.podspec.resources_step import canonical_string

__all__ = [
    "add_required_requirements",
    "apply_gpu_selectors",
    "apply_shared_memory",
    "resolve_interruptible",
    "update_pod",
]


def add_required_requirements(affinity: dict[str, Any], *reqs: dict[str, Any]) -> None:
    """``AddRequiredNodeSelectorRequirements``: append to every required term, or create one."""
    if not affinity:  # the common case, built in one go
        affinity["nodeAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [dict(r) for r in reqs]}]
            }
        }
        return
    node: dict[str, Any] = affinity.get("nodeAffinity") or {}
    affinity["nodeAffinity"] = node
    required: dict[str, Any] = node.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    node["requiredDuringSchedulingIgnoredDuringExecution"] = required
    terms = required.get("nodeSelectorTerms") or []
    if terms:
        for term in terms:
            term["matchExpressions"] = [*(term.get("matchExpressions") or []), *map(dict, reqs)]
        required["nodeSelectorTerms"] = terms
    else:
        required["nodeSelectorTerms"] = [{"matchExpressions": [dict(r) for r in reqs]}]


def resolve_interruptible(
    requested: bool | None,
    node_flag: bool | None,
    task_flag: bool | None,
    platform: Any,
    attempt: int,
    retries: int | None,
) -> tuple[bool, str]:
    """The interruptible flag for this attempt and why (§5.2), including the demotion rule.

    ``attempt`` is the 0-based attempt number; earlier attempts are assumed to have failed with
    *system* failures (e.g. a spot preemption), the case the demotion rule exists for.
    """
    ex = platform.execution
    if requested is not None:
        flag, why = requested, "requested"
    elif node_flag is not None:
        flag, why = node_flag, "node metadata"
    elif task_flag is not None:
        flag, why = task_flag, "task metadata (copied to the node by the SDK)"
    elif ex.interruptible is not None:
        flag, why = ex.interruptible, "execution config"
    else:
        flag, why = ex.workflow_interruptible, "workflow defaults"
    if not flag or attempt <= 0:
        return flag, why
    nc = platform.propeller.node_config
    threshold = nc.interruptible_failure_threshold
    if nc.ignore_retry_cause:
        max_attempts = retries + 1 if retries is not None and retries + 1 != 1 else nc.default_max_attempts
    else:
        max_attempts = nc.max_node_retries_system_failures + 1
    if threshold > 0:
        demote = attempt >= threshold
    else:
        budget = max_attempts - abs(threshold)
        demote = budget >= 0 and attempt >= budget  # unsigned arithmetic: never when |T| > max
    if demote:
        return False, f"{why}; demoted to non-interruptible at attempt {attempt} (node-config threshold)"
    return flag, why


def update_pod(
    spec: dict[str, Any],
    plan: PlatformPlan,
    interruptible: bool,
    service_account: str,
    prov: Provenance,
) -> None:
    """``UpdatePod``: restart policy, tolerations, selectors, affinity and pod-level defaults."""
    cfg = plan.cfg
    explain = prov.enabled
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Never"
    tolerations: list[dict[str, Any]] = []
    by_resource = plan.resource_tolerations
    if by_resource:
        names: set[str] = set()
        for c in spec.get("containers") or []:
            res = c.get("resources") or {}
            names.update(res.get("limits") or ())
            names.update(res.get("requests") or ())
        for name in sorted(names):
            for tol in by_resource.get(name, ()):
                t = dict(tol)
                tolerations.append(t)
                if explain:
                    prov.setdefault(toleration_key(t), f"platform config (resource-tolerations[{name}])")
    if interruptible:
        for tol in plan.interruptible_tolerations:
            t = dict(tol)
            tolerations.append(t)
            if explain:
                prov.setdefault(toleration_key(t), "interruptible rule (interruptible-tolerations)")
    for tol in plan.default_tolerations:
        t = dict(tol)
        tolerations.append(t)
        if explain:
            prov.setdefault(toleration_key(t), "platform config (default-tolerations)")
    own = spec.get("tolerations") or []
    if explain:
        for t in own:
            prov.setdefault(toleration_key(t), "task")
    spec["tolerations"] = tolerations + own
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = service_account
    if not spec.get("schedulerName"):
        spec["schedulerName"] = cfg.scheduler_name
    selector = dict(cfg.default_node_selector)
    own_selector = spec.get("nodeSelector") or {}
    selector.update(own_selector)
    if interruptible:
        selector.update(cfg.interruptible_node_selector)
    if explain:
        for k in cfg.default_node_selector:
            prov.set(f"spec.nodeSelector.{k}", "platform config (default-node-selector)")
        for k in own_selector:
            prov.set(f"spec.nodeSelector.{k}", "task")
        if interruptible:
            for k in cfg.interruptible_node_selector:
                prov.set(f"spec.nodeSelector.{k}", "interruptible rule (interruptible-node-selector)")
    spec["nodeSelector"] = selector
    if plan.pod_defaults:
        if spec.get("affinity") is None and cfg.default_affinity is not None:
            spec["affinity"] = copy.deepcopy(cfg.default_affinity)
            prov.set("spec.affinity", "platform config (default-affinity)")
        if spec.get("securityContext") is None and cfg.default_pod_security_context is not None:
            spec["securityContext"] = copy.deepcopy(cfg.default_pod_security_context)
            prov.set("spec.securityContext", "platform config (default-pod-security-context)")
        if cfg.enable_host_networking_pod is not None:
            spec["hostNetwork"] = cfg.enable_host_networking_pod
        if spec.get("dnsConfig") is None and cfg.default_pod_dns_config is not None:
            spec["dnsConfig"] = copy.deepcopy(cfg.default_pod_dns_config)
    affinity = spec.get("affinity")
    if affinity is None:
        affinity = spec["affinity"] = {}
    if explain:
        _note_existing_terms(affinity, prov)
    req = plan.interruptible_req if interruptible else plan.non_interruptible_req
    if req is not None:
        r = copy_requirement(req)
        add_required_requirements(affinity, r)
        if explain:
            key = "interruptible" if interruptible else "non-interruptible"
            prov.set(requirement_key(r), f"interruptible rule ({key}-node-selector-requirement)")


def _note_existing_terms(affinity: dict[str, Any], prov: Provenance) -> None:
    if not prov.enabled:
        return
    required = (affinity.get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for r in term.get("matchExpressions") or []:
            prov.setdefault(requirement_key(r), "task")


def apply_gpu_selectors(spec: dict[str, Any], accel: Any, plan: PlatformPlan, prov: Provenance) -> bool:
    """``ApplyGPUNodeSelectors``; returns False when no container has a GPU limit (rule skipped)."""
    cfg = plan.cfg
    gpu = plan.gpu_name
    for c in spec.get("containers") or []:
        if gpu in ((c.get("resources") or {}).get("limits") or {}):
            break
    else:
        return False
    affinity = spec.get("affinity")
    if affinity is None:
        affinity = spec["affinity"] = {}
    tolerations = spec.setdefault("tolerations", [])
    # both requirements go into every term together (the same as adding them one after another)
    reqs: list[dict[str, Any]] = []
    device = accel.device
    if device:
        label = cfg.gpu_device_node_label
        r = {"key": label, "operator": "In", "values": [device]}
        reqs.append(r)
        t = {"key": label, "value": device, "operator": "Equal", "effect": "NoSchedule"}
        tolerations.append(t)
        if prov.enabled:
            prov.set(requirement_key(r), f"accelerator rule (device {device})")
            prov.set(toleration_key(t), f"accelerator rule (device {device})")
    which = accel.WhichOneof("partition_size_value")
    nsr: dict[str, Any] | None = None
    tol: dict[str, Any] | None = None
    if which == "unpartitioned" and accel.unpartitioned:
        if plan.unpartitioned_req is not None:
            nsr = copy_requirement(plan.unpartitioned_req)
        else:
            nsr = {"key": cfg.gpu_partition_size_node_label, "operator": "DoesNotExist"}
        if plan.unpartitioned_toleration is not None:
            tol = dict(plan.unpartitioned_toleration)
        why = "accelerator rule (unpartitioned)"
    elif which == "partition_size":
        size = accel.partition_size
        label = cfg.gpu_partition_size_node_label
        nsr = {"key": label, "operator": "In", "values": [size]}
        tol = {"key": label, "value": size, "operator": "Equal", "effect": "NoSchedule"}
        why = f"accelerator rule (partition {size})" if prov.enabled else ""
    if nsr is not None:
        reqs.append(nsr)
        if prov.enabled:
            prov.set(requirement_key(nsr), why)
    if reqs:
        add_required_requirements(affinity, *reqs)
    if tol is not None:
        tolerations.append(tol)
        if prov.enabled:
            prov.set(toleration_key(tol), why)
    return True


def apply_shared_memory(spec: dict[str, Any], shm: Any, primary: str, prov: Provenance) -> None:
    """``ApplySharedMemory``: a memory-backed emptyDir volume mounted in the primary container."""
    name, path = shm.mount_name, shm.mount_path
    if not name:
        raise PodBuildError("shared memory: mount name is not set")
    if not path:
        raise PodBuildError("shared memory: mount path is not set")
    for container in spec.get("containers") or []:
        if container.get("name") == primary:
            break
    else:
        raise PodBuildError(f"shared memory: Unable to find primary container {primary!r}")
    for v in spec.get("volumes") or []:
        if v.get("name") == name:
            raise PodBuildError(f"shared memory: A volume is already named {name} in pod spec")
    for m in container.get("volumeMounts") or []:
        if m.get("name") == name:
            raise PodBuildError(f"shared memory: A volume is already named {name} in container")
        if m.get("mountPath") == path:
            raise PodBuildError(f"shared memory: {path} is already mounted in container")
    size = shm.size_limit
    try:
        size_limit = canonical_string(size or "0", "sharedMemory.sizeLimit")
    except PodBuildError as exc:
        raise PodBuildError(f"shared memory: Unable to parse size limit: {exc}") from None
    spec["volumes"] = [
        *(spec.get("volumes") or []),
        {"name": name, "emptyDir": {"medium": "Memory", "sizeLimit": size_limit}},
    ]
    container["volumeMounts"] = [*(container.get("volumeMounts") or []), {"name": name, "mountPath": path}]
    if prov.enabled:
        prov.set(f"spec.volumes[{name}]", f"shared-memory rule (size {size or 'unbounded: sizeLimit 0'})")
        prov.set(f"spec.containers[{primary}].volumeMounts[{name}]", "shared-memory rule")
