"""What the pod builder derives from a Platform alone, computed once per Platform object.

Building a pod runs once per task, but much of what it needs depends only on the platform (and,
for :class:`AttemptPlan`, on the attempt number): the pod name, the path placeholders, the
``plugins.k8s`` tolerations, selectors and requirements as Kubernetes JSON, the platform's env
vars in their emitted order. A ``Platform`` is immutable, so the plan is cached per object.

Every structure a pod receives from a plan is copied first: a pod never shares a mutable object
with the plan or with another pod (the builder and its callers mutate pods in place).
"""

from __future__ import annotations

from typing import Any

from podplan.podspec.envs import fnv32a, path_placeholders, sanitize_label_value, unique_id
from podplan.podspec.source import is_dns1123_label

__all__ = ["AttemptPlan", "PlatformPlan", "copy_requirement", "platform_plan"]

SHARD_KEYSPACE = 32


def copy_requirement(req: dict[str, Any]) -> dict[str, Any]:
    """A copy of a node-selector requirement (its ``values`` list copied too)."""
    out = dict(req)
    values = out.get("values")
    if values is not None:
        out["values"] = list(values)
    return out


class AttemptPlan:
    """Per (platform, attempt): pod name, container name, path placeholders, rendered args."""

    __slots__ = ("attempt", "container_name", "name", "path_key", "placeholders", "rendered")

    def __init__(self, plan: PlatformPlan, attempt: int) -> None:
        ex = plan.ex
        self.attempt = str(attempt)
        self.name = unique_id([ex.name, ex.node_id, self.attempt])
        # deterministic choice: the backend picks 4 random characters (see source.py)
        self.container_name = self.name if is_dns1123_label(self.name) else "primary"
        self.path_key = (
            ex.project,
            ex.domain,
            ex.name,
            ex.node_id,
            self.attempt,
            self.name,
            plan.namespace,
            ex.raw_output_prefix,
            ex.metadata_prefix,
        )
        self.placeholders = path_placeholders(self.path_key)
        #: command/args strings with placeholders → rendered (bounded memo)
        self.rendered: dict[str, str] = {}


class PlatformPlan:
    """The platform-derived parts of a pod (see the module doc)."""

    __slots__ = (
        "_attempts",
        "cfg",
        "default_node_selector",
        "default_tolerations",
        "env_from",
        "env_tail",
        "ex",
        "gpu_name",
        "interruptible_node_selector",
        "interruptible_req",
        "interruptible_tolerations",
        "namespace",
        "node_label",
        "non_interruptible_req",
        "platform",
        "pod_defaults",
        "resource_tolerations",
        "shard_key",
        "unpartitioned_req",
        "unpartitioned_toleration",
    )

    def __init__(self, platform: Any) -> None:
        self.platform = platform
        cfg = self.cfg = platform.plugins.k8s
        ex = self.ex = platform.execution
        self.namespace: str = ex.effective_namespace
        self.gpu_name: str = cfg.gpu_resource_name
        self.env_tail = _env_tail(platform)
        env_from = [{"secretRef": {"name": n, "optional": True}} for n in cfg.default_env_from_secrets]
        env_from += [{"configMapRef": {"name": n, "optional": True}} for n in cfg.default_env_from_configmaps]
        self.env_from: tuple[dict[str, Any], ...] = tuple(env_from)
        self.resource_tolerations: dict[str, tuple[dict[str, Any], ...]] = {
            name: tuple(t.as_k8s() for t in tols) for name, tols in cfg.resource_tolerations.items() if tols
        }
        self.interruptible_tolerations = tuple(t.as_k8s() for t in cfg.interruptible_tolerations)
        self.default_tolerations = tuple(t.as_k8s() for t in cfg.default_tolerations)
        self.default_node_selector: dict[str, str] = dict(cfg.default_node_selector)
        self.interruptible_node_selector: dict[str, str] = dict(cfg.interruptible_node_selector)
        self.interruptible_req = _req(cfg.interruptible_node_selector_requirement)
        self.non_interruptible_req = _req(cfg.non_interruptible_node_selector_requirement)
        self.unpartitioned_req = _req(cfg.gpu_unpartitioned_node_selector_requirement)
        tol = cfg.gpu_unpartitioned_toleration
        self.unpartitioned_toleration = tol.as_k8s() if tol is not None else None
        #: whether any pod-level default (affinity, security context, host network, DNS) is set
        self.pod_defaults = (
            cfg.default_affinity is not None
            or cfg.default_pod_security_context is not None
            or cfg.enable_host_networking_pod is not None
            or cfg.default_pod_dns_config is not None
        )
        self.shard_key = str(fnv32a(ex.name) % SHARD_KEYSPACE)
        self.node_label = sanitize_label_value(ex.node_id)
        self._attempts: dict[int, AttemptPlan] = {}

    def attempt(self, attempt: int) -> AttemptPlan:
        """The :class:`AttemptPlan` of ``attempt`` (0-based)."""
        found = self._attempts.get(attempt)
        if found is None:
            if len(self._attempts) > 64:
                self._attempts.clear()
            found = self._attempts[attempt] = AttemptPlan(self, attempt)
        return found


def _req(req: Any) -> dict[str, Any] | None:
    return req.as_k8s() if req is not None else None


def _env_tail(platform: Any) -> tuple[tuple[str, str], ...]:
    """The env vars after the task's own ``FLYTE_INTERNAL_*`` ones, in emitted order (spec §7.1).

    Literal offloading, then the execution ``envs``, ``default-env-vars`` and
    ``default-env-vars-from-env`` groups, each sorted by name (Go maps: unspecified order).
    """
    out: list[tuple[str, str]] = []
    offload = platform.propeller.literal_offloading_config
    if offload.enabled:
        if offload.min_size_in_mb_for_offloading > 0:
            out.append(("_F_L_MIN_SIZE_MB", str(offload.min_size_in_mb_for_offloading)))
        if offload.max_size_in_mb_for_offloading > 0:
            out.append(("_F_L_MAX_SIZE_MB", str(offload.max_size_in_mb_for_offloading)))
    cfg = platform.plugins.k8s
    for group in (platform.execution.envs, cfg.default_env_vars):
        out.extend((name, group[name]) for name in sorted(group))
    from_env = platform.execution.environment_from_env
    from_cfg = cfg.default_env_vars_from_env
    out.extend((name, from_env.get(from_cfg[name], "")) for name in sorted(from_cfg))
    return tuple(out)


_PLANS: dict[int, PlatformPlan] = {}


def platform_plan(platform: Any) -> PlatformPlan:
    """The (cached) :class:`PlatformPlan` of ``platform``."""
    found = _PLANS.get(id(platform))
    if found is not None and found.platform is platform:
        return found
    plan = PlatformPlan(platform)
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[id(platform)] = plan
    return plan
