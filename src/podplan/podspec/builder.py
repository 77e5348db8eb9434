"""The Pod builder: a Flyte task template (+ node overrides) and a Platform → the backend's Pod.

The steps follow flyteplugins v1.16.8 (``BuildRawPod`` → ``ApplyFlytePodConfiguration`` →
pod plugin → ``addObjectMetadata``; spec §1). The pod is built as a plain Kubernetes JSON dict
(camelCase keys, like ``kubectl get pod -o json``) and converted to a ``kubernetes.client.V1Pod``
only at the boundary (see :mod:`podplan.podspec.convert`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from podplan.errors import PodBuildError
from podplan.podspec.envs import decorate_env, render_args
from podplan.podspec.merge import extract_template_resources, merge_onto_template
from podplan.podspec.metadata import object_metadata
from podplan.podspec.plan import platform_plan
from podplan.podspec.provenance import Provenance
from podplan.podspec.resources_step import (
    canonical,
    container_resources,
    customize_container_resources,
    final_container_resources,
    idl_to_k8s,
    platform_maps,
    quantity,
    quantity_type,
)
from podplan.podspec.scheduling import (
    apply_gpu_selectors,
    apply_shared_memory,
    resolve_interruptible,
    update_pod,
)
from podplan.podspec.source import build_raw_pod

__all__ = ["PodResult", "build_pod_dict", "default_platform"]

_DEFAULT_PLATFORM: Any = None


def default_platform() -> Any:
    """The stock Flyte v1.16.8 platform (built once)."""
    global _DEFAULT_PLATFORM
    if _DEFAULT_PLATFORM is None:
        from podplan.podspec.platform import Platform

        _DEFAULT_PLATFORM = Platform()
    return _DEFAULT_PLATFORM


@dataclass
class PodResult:
    """A built pod (Kubernetes JSON dict) with the facts the preview reports."""

    pod: dict[str, Any]
    primary: str
    interruptible: bool
    interruptible_reason: str
    provenance: Provenance
    notes: list[str] = field(default_factory=list)


def _base_template(md: Any, platform: Any) -> tuple[dict[str, Any] | None, str]:
    name = md.pod_template_name
    templates = platform.pod_templates
    if name:
        found = templates.get(name)
        if found is None:
            known = ", ".join(sorted(templates)) or "none configured"
            raise PodBuildError(
                f"PodTemplate '{name}' does not exist "
                f"(task pod_template_name; platform pod_templates: {known})"
            )
        return found, name
    default = platform.plugins.k8s.default_pod_template_name
    if default and default in templates:
        return templates[default], default
    return None, ""


def _extended(template: Any, overrides: Any) -> tuple[Any, Any]:
    accel = shm = None
    if template.HasField("extended_resources"):
        er = template.extended_resources
        accel = er.gpu_accelerator if er.HasField("gpu_accelerator") else None
        shm = er.shared_memory if er.HasField("shared_memory") else None
    if overrides is not None and overrides.HasField("extended_resources"):
        er = overrides.extended_resources
        if er.HasField("gpu_accelerator"):
            accel = er.gpu_accelerator
        if er.HasField("shared_memory"):
            shm = er.shared_memory
    return accel, shm


def build_pod_dict(
    template: Any,
    platform: Any = None,
    *,
    overrides: Any = None,
    node_metadata: Any = None,
    interruptible: bool | None = None,
    attempt: int = 0,
    explain: bool = False,
) -> PodResult:
    """Build the pod for ``template`` as a Kubernetes JSON dict (see :func:`build_pod_from_template`)."""
    if platform is None:
        platform = default_platform()
    if attempt < 0:
        raise PodBuildError(f"attempt must be >= 0, got {attempt}")
    prov = Provenance(explain)
    plan = platform_plan(platform)
    cfg = plan.cfg
    ex = plan.ex
    att = plan.attempt(attempt)
    md = template.metadata
    retries = md.retries.retries if md.HasField("retries") else None
    node_flag = None
    if node_metadata is not None:
        if node_metadata.WhichOneof("interruptible_value") is not None:
            node_flag = node_metadata.interruptible
        if node_metadata.HasField("retries"):
            retries = node_metadata.retries.retries
    task_flag = md.interruptible if md.WhichOneof("interruptible_value") is not None else None
    flag, reason = resolve_interruptible(interruptible, node_flag, task_flag, platform, attempt, retries)

    name = att.name
    tid = template.id
    task_name = tid.name
    workflow = ex.workflow or f".flytegen.{task_name}"
    task_env = (
        tid.project or ex.project,
        tid.domain or ex.domain,
        task_name,
        ex.task_version or tid.version,
    )
    has_overrides = overrides is not None
    own = (
        "override pod template"
        if (
            has_overrides
            and overrides.HasField("pod_template")
            and overrides.pod_template.HasField("pod_spec")
        )
        else "task"
    )
    override_pb = overrides.resources if has_overrides and overrides.HasField("resources") else None
    # admin (container targets, production mode) then the raw container resources
    container_res: Any = ({}, {})
    is_container = template.WhichOneof("target") == "container"
    # the common case: a container task on a production platform with no resource override and
    # no pod-spec override. Admin already resolved its values with the same numbers the propeller
    # step uses, so that step is the identity except for explicit zero cpu/memory entries (spec
    # §2.5): the final strings come straight from admin (see final_container_resources) unless a
    # base template turns up below.
    fast = (
        is_container
        and not explain
        and override_pb is None
        and own == "task"
        and platform.platform_resources is None
        and platform.task_resources is not None
    )
    if fast:
        container_res = final_container_resources(template.container.resources, platform)
    elif is_container:
        container_res = container_resources(template.container.resources, platform, prov)
    src = build_raw_pod(template, overrides, name, cfg, container_res, att.container_name)
    spec, primary = src.spec, src.primary
    override_res = idl_to_k8s(override_pb) if override_pb is not None else None
    base, base_name = _base_template(md, platform)
    if fast and base is not None:  # the template may add resources: back to the general path
        fast = False
        requests, limits = container_resources(template.container.resources, platform, prov)
        spec["containers"][0]["resources"] = {"requests": requests, "limits": limits}
    plat = None if fast else platform_maps(platform)  # only the general path uses it
    include_url = "link_type" in template.config
    for kind, init in (("initContainers", True), ("containers", False)):
        for c in spec.get(kind) or []:
            cname = c.get("name", "")
            if "command" in c:
                c["command"] = render_args(c["command"], att)
            if "args" in c:
                c["args"] = render_args(c["args"], att)
            decorate_env(c, plan, att, workflow, task_env, include_console_url=include_url)
            if fast:  # the task's only container, its resources final already
                continue
            where = f"spec.{kind}[{cname}]"
            res = c.get("resources")
            if res and not src.container_target:
                for side in ("requests", "limits"):
                    if res.get(side):
                        res[side] = {
                            k: quantity(v, f"{where}.resources.{side}.{k}") for k, v in res[side].items()
                        }
            t_res = extract_template_resources(base, cname, init) if base is not None else None
            if t_res:
                t_res = {
                    side: {
                        k: quantity(v, f"base template {base_name}")
                        for k, v in (t_res.get(side) or {}).items()
                    }
                    for side in ("requests", "limits")
                }
                for side in ("requests", "limits"):
                    m = t_res[side]
                    if "gpu" in m:
                        m[cfg.gpu_resource_name] = m.pop("gpu")
            customize_container_resources(
                c,
                merge_mode=init or cname == primary,
                override=override_res,
                template_res=t_res,
                platform_res=plat,
                cfg=cfg,
                prov=prov,
                where=where,
                own_source=own,
            )
    containers = spec.get("containers") or []
    for primary_c in containers:
        if primary_c.get("name") == primary:
            break
    else:
        raise PodBuildError(f"invalid TaskSpecification, primary container [{primary}] not defined")
    # UpdatePod fills the workflow's service account; only when that is empty does the pod plugin
    # fall back to the security context's run_as account (GetServiceAccountNameFromTaskExecutionMetadata)
    sc = template.security_context if template.HasField("security_context") else None
    run_as = sc.run_as.k8s_service_account if sc is not None else ""
    sa = ex.service_account or run_as
    update_pod(spec, plan, flag, ex.service_account, prov)
    if primary_c.get("securityContext") is None and cfg.default_security_context is not None:
        primary_c["securityContext"] = copy.deepcopy(cfg.default_security_context)
        prov.set(f"spec.containers[{primary}].securityContext", "platform config (default-security-context)")
    meta = src.meta
    notes: list[str] = []
    if base is not None:
        _note_template(base, spec, meta, prov, base_name)
        spec, meta = merge_onto_template(base, spec, meta, primary)
        notes.append(f"merged onto base PodTemplate {base_name!r}")
    accel, shm = _extended(template, overrides)
    if accel is not None and not apply_gpu_selectors(spec, accel, plan, prov):
        notes.append(
            f"accelerator {accel.device!r} ignored: no container has a {cfg.gpu_resource_name or 'GPU'} limit"
        )
    if shm is not None:
        apply_shared_memory(spec, shm, primary, prov)
    if has_overrides and overrides.container_image:
        for c in spec.get("containers") or []:
            if c.get("name") == primary:
                c["image"] = overrides.container_image
                prov.set(f"spec.containers[{primary}].image", "override")
    containers = spec.get("containers") or []
    task_type = template.type
    if task_type == "sidecar" or (len(containers) == 1 and task_type != "raw-container"):
        meta.setdefault("annotations", {})["primary_container_name"] = primary
    if not spec.get("serviceAccountName"):
        spec["serviceAccountName"] = sa
    metadata = object_metadata(meta, sc, plan, name, workflow, flag, prov, md, task_name)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
    if not fast:  # else the container's resources and the shared-memory size are final already
        _finalize_quantities(spec)
    return PodResult(pod, primary, flag, reason, prov, notes)


def _note_template(
    base: dict[str, Any], spec: dict[str, Any], meta: dict[str, Any], prov: Provenance, name: str
) -> None:
    """Record provenance for what the base template contributes (before the merge)."""
    if not prov.enabled:
        return
    from podplan.podspec.provenance import requirement_key, toleration_key

    tspec = (base.get("template") or {}).get("spec") or {}
    src = f"base template ({name})"
    for t in tspec.get("tolerations") or []:
        prov.setdefault(toleration_key(t), src)
    for v in tspec.get("volumes") or []:
        prov.setdefault(f"spec.volumes[{v.get('name')}]", src)
    for k in tspec.get("nodeSelector") or {}:
        if k not in (spec.get("nodeSelector") or {}):
            prov.set(f"spec.nodeSelector.{k}", src)
    required = ((tspec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for r in term.get("matchExpressions") or []:
            prov.setdefault(requirement_key(r), src)
    tmeta = (base.get("template") or {}).get("metadata") or {}
    for kind, key in (("labels", "_label_sources"), ("annotations", "_annotation_sources")):
        own = meta.get(kind) or {}
        sources = meta.setdefault(key, {})
        for k in tmeta.get(kind) or {}:
            if k not in own:
                sources[k] = src


def _finalize_quantities(spec: dict[str, Any]) -> None:
    """Quantities become canonical strings (container resources, emptyDir size limits)."""
    q_type = quantity_type()
    for kind in ("initContainers", "containers"):
        for c in spec.get(kind) or []:
            res = c.get("resources")
            if not res:
                continue
            for side in ("requests", "limits"):
                m = res.get(side)
                if m:
                    res[side] = {k: str(v) if type(v) is q_type else canonical(v) for k, v in m.items()}
                elif side in res:
                    del res[side]
    for v in spec.get("volumes") or []:
        ed = v.get("emptyDir")
        if ed and ed.get("sizeLimit") is not None:
            ed["sizeLimit"] = canonical(ed["sizeLimit"])
