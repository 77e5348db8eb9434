"""Environment decoration and command/args templating (spec §7.1, §7.2).

Deterministic choices: the execution ``envs``, ``default-env-vars`` and
``default-env-vars-from-env`` groups are Go maps (unspecified order); podplan emits each group
sorted by name. ``{{.Inputs.<name>}}`` cannot be rendered without input values, so it is left
as written (the backend would substitute the literal value).
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = ["RunContext", "decorate_env", "fnv32a", "render_args", "sanitize_label_value", "unique_id"]

_PLACEHOLDER = re.compile(r"\{\{\s*[.$](\w+)\s*\}\}", re.IGNORECASE)
_LEADING = re.compile(r"^[^A-Za-z_]+")
_NON_WORD = re.compile(r"[^A-Za-z0-9_]+")
_INVALID_LABEL = re.compile(r"[^-a-z0-9]+")


@lru_cache(maxsize=1024)
def fnv32a(data: str) -> int:
    """The 32-bit FNV-1a hash of ``data`` (UTF-8)."""
    h = 0x811C9DC5
    for byte in data.encode():
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def unique_id(parts: list[str], max_length: int = 50) -> str:
    """Flyte's ``FixedLengthUniqueIDForParts``: joined with ``-``; hashed when too long."""
    joined = "-".join(parts)
    if len(joined) <= max_length:
        return joined
    digest = struct.pack(">I", fnv32a(joined))
    return "f" + base64.b32encode(digest).decode().rstrip("=").lower()


@lru_cache(maxsize=1024)
def sanitize_label_value(name: str) -> str:
    """Flyte's ``SanitizeLabelValue``: lower-case, invalid runs to ``-``, ≤ 63 chars, trimmed."""
    name = _INVALID_LABEL.sub("-", name.lower())
    return name[:63].strip("-")


class RunContext(NamedTuple):
    """The execution-side facts the templating and env decoration need."""

    project: str
    domain: str
    execution: str
    workflow: str
    node_id: str
    attempt: int
    generated_name: str
    namespace: str
    task_project: str
    task_domain: str
    task_name: str
    task_version: str
    raw_output_prefix: str
    metadata_prefix: str
    console_url: str

    @property
    def placeholders(self) -> dict[str, str]:
        """Placeholder name (lower case) → value (memoized per execution/node/attempt)."""
        return _mapping_cached(self.path_key)

    @property
    def path_key(self) -> tuple[str, ...]:
        """The fields the path placeholders depend on (not the task's name or version)."""
        return (
            self.project,
            self.domain,
            self.execution,
            self.node_id,
            str(self.attempt),
            self.generated_name,
            self.namespace,
            self.raw_output_prefix,
            self.metadata_prefix,
        )


def _per_retry_key(name: str) -> str:
    return _NON_WORD.sub("_", _LEADING.sub("a", name))


def _mapping(key: tuple[str, ...]) -> dict[str, str]:
    project, domain, execution, node_id, attempt_s, generated, namespace, raw_prefix, meta_prefix = key
    attempt = int(attempt_s)
    data_dir = f"{meta_prefix.rstrip('/')}/propeller/{project}-{domain}-{execution}/{node_id}/data"

    def sharded(name: str) -> str:
        return f"{raw_prefix.rstrip('/')}/{hashlib.sha1(name.encode()).hexdigest()[:2]}/{name}"

    raw = sharded(generated)
    prev = sharded(unique_id([execution, node_id, str(attempt - 1)])) if attempt > 0 else ""
    return {
        "input": f"{data_dir}/inputs.pb",
        "inputprefix": data_dir,
        "outputprefix": f"{data_dir}/{attempt}",
        "rawoutputdataprefix": raw,
        "checkpointoutputprefix": f"{raw}/_flytecheckpoints",
        "prevcheckpointprefix": f"{prev}/_flytecheckpoints" if attempt > 0 else '""',
        "perretryuniquekey": _per_retry_key(generated),
        "tasktemplatepath": f"{data_dir}/task.pb",
        "namespace": namespace,
    }


@lru_cache(maxsize=512)
def _mapping_cached(key: tuple[str, ...]) -> dict[str, str]:
    return _mapping(key)


def render_args(values: list[str] | None, ctx: RunContext) -> list[str] | None:
    """``template.Render``: substitute the path placeholders in ``command``/``args``."""
    if not values:
        return values
    if not any("{{" in v for v in values):
        return values
    key = ctx.path_key
    return [_render_one(v, key) if "{{" in v else v for v in values]


@lru_cache(maxsize=2048)
def _render_one(value: str, key: tuple[str, ...]) -> str:
    mapping = _mapping_cached(key)

    def sub(match: re.Match[str]) -> str:
        return mapping.get(match.group(1).lower(), match.group(0))

    return _PLACEHOLDER.sub(sub, value)


def decorate_env(
    container: dict[str, Any],
    ctx: RunContext,
    platform: Any,
    *,
    include_console_url: bool,
) -> None:
    """``DecorateEnvVars``: append Flyte's env vars and ``envFrom`` refs to ``container``."""
    env: list[dict[str, Any]] = list(container.get("env") or [])
    env.append(
        {"name": "FLYTE_INTERNAL_EXECUTION_WORKFLOW", "value": f"{ctx.project}:{ctx.domain}:{ctx.workflow}"}
    )
    env.append({"name": "FLYTE_INTERNAL_EXECUTION_ID", "value": ctx.execution})
    env.append({"name": "FLYTE_INTERNAL_EXECUTION_PROJECT", "value": ctx.project})
    env.append({"name": "FLYTE_INTERNAL_EXECUTION_DOMAIN", "value": ctx.domain})
    env.append({"name": "FLYTE_ATTEMPT_NUMBER", "value": str(ctx.attempt)})
    if include_console_url and ctx.console_url:
        url = ctx.console_url.rstrip("/")
        env.append(
            {
                "name": "FLYTE_EXECUTION_URL",
                "value": f"{url}/projects/{ctx.project}/domains/{ctx.domain}/executions/"
                f"{ctx.execution}/nodeId/{ctx.node_id}/nodes",
            }
        )
    env.append({"name": "FLYTE_INTERNAL_TASK_PROJECT", "value": ctx.task_project})
    env.append({"name": "FLYTE_INTERNAL_TASK_DOMAIN", "value": ctx.task_domain})
    env.append({"name": "FLYTE_INTERNAL_TASK_NAME", "value": ctx.task_name})
    env.append({"name": "FLYTE_INTERNAL_TASK_VERSION", "value": ctx.task_version})
    offload = platform.propeller.literal_offloading_config
    if offload.enabled:
        if offload.min_size_in_mb_for_offloading > 0:
            env.append({"name": "_F_L_MIN_SIZE_MB", "value": str(offload.min_size_in_mb_for_offloading)})
        if offload.max_size_in_mb_for_offloading > 0:
            env.append({"name": "_F_L_MAX_SIZE_MB", "value": str(offload.max_size_in_mb_for_offloading)})
    cfg = platform.plugins.k8s
    for group in (platform.execution.envs, cfg.default_env_vars):
        for name in sorted(group):
            env.append({"name": name, "value": group[name]})
    from_env = platform.execution.environment_from_env
    for name in sorted(cfg.default_env_vars_from_env):
        env.append({"name": name, "value": from_env.get(cfg.default_env_vars_from_env[name], "")})
    container["env"] = env
    if cfg.default_env_from_secrets or cfg.default_env_from_configmaps:
        env_from = list(container.get("envFrom") or [])
        for name in cfg.default_env_from_secrets:
            env_from.append({"secretRef": {"name": name, "optional": True}})
        for name in cfg.default_env_from_configmaps:
            env_from.append({"configMapRef": {"name": name, "optional": True}})
        container["envFrom"] = env_from
