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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from podplan.podspec.plan import AttemptPlan, PlatformPlan

__all__ = [
    "decorate_env",
    "flytegen_labels",
    "fnv32a",
    "path_placeholders",
    "render_args",
    "sanitize_label_value",
    "unique_id",
]

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


_LABEL_CHARS = frozenset("-abcdefghijklmnopqrstuvwxyz0123456789")


def flytegen_labels(task_name: str) -> tuple[str, str]:
    """``SanitizeLabelValue`` of ``.flytegen.<task_name>`` and of ``task_name``, with one substitution.

    The prefix substitutes to ``-flytegen-``; the name follows, except that a name starting with
    an invalid character merges that run into the prefix's last one. (Lower-casing differs in
    context only for a final sigma, which is invalid either way.)
    """
    low = task_name.lower()
    sub = _INVALID_LABEL.sub("-", low)
    prefixed = "-flytegen-" + (sub[1:] if low and low[0] not in _LABEL_CHARS else sub)
    return prefixed[:63].strip("-"), sub[:63].strip("-")


def _per_retry_key(name: str) -> str:
    return _NON_WORD.sub("_", _LEADING.sub("a", name))


def path_placeholders(key: tuple[str, ...]) -> dict[str, str]:
    """Placeholder name (lower case) → value, for a path key (see :class:`~podplan.podspec.plan.AttemptPlan`).

    ``key`` is ``(project, domain, execution, node_id, attempt, generated_name, namespace,
    raw_output_prefix, metadata_prefix)``; the task's name and version play no part.
    """
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


def render_args(values: list[str] | None, att: AttemptPlan) -> list[str] | None:
    """``template.Render``: substitute the path placeholders in ``command``/``args``."""
    if not values or (type(values) is not list and not any("{{" in v for v in values)):
        return values
    get = att.rendered.get
    return [(get(v) or _render_one(v, att)) if "{{" in v else v for v in values]


def _render_one(value: str, att: AttemptPlan) -> str:
    mapping = att.placeholders

    def sub(match: re.Match[str]) -> str:
        return mapping.get(match.group(1).lower(), match.group(0))

    out = _PLACEHOLDER.sub(sub, value)
    memo = att.rendered
    if len(memo) > 4096:
        memo.clear()
    memo[value] = out
    return out


def decorate_env(
    container: dict[str, Any],
    plan: PlatformPlan,
    att: AttemptPlan,
    workflow: str,
    task: tuple[str, str, str, str],
    *,
    include_console_url: bool,
) -> None:
    """``DecorateEnvVars``: append Flyte's env vars and ``envFrom`` refs to ``container``.

    ``task`` is the task's ``(project, domain, name, version)``.
    """
    ex = plan.ex
    env: list[dict[str, Any]] = list(container.get("env") or [])
    env += (
        {"name": "FLYTE_INTERNAL_EXECUTION_WORKFLOW", "value": f"{ex.project}:{ex.domain}:{workflow}"},
        {"name": "FLYTE_INTERNAL_EXECUTION_ID", "value": ex.name},
        {"name": "FLYTE_INTERNAL_EXECUTION_PROJECT", "value": ex.project},
        {"name": "FLYTE_INTERNAL_EXECUTION_DOMAIN", "value": ex.domain},
        {"name": "FLYTE_ATTEMPT_NUMBER", "value": att.attempt},
    )
    if include_console_url and ex.console_url:
        url = ex.console_url.rstrip("/")
        env.append(
            {
                "name": "FLYTE_EXECUTION_URL",
                "value": f"{url}/projects/{ex.project}/domains/{ex.domain}/executions/"
                f"{ex.name}/nodeId/{ex.node_id}/nodes",
            }
        )
    project, domain, name, version = task
    env += (
        {"name": "FLYTE_INTERNAL_TASK_PROJECT", "value": project},
        {"name": "FLYTE_INTERNAL_TASK_DOMAIN", "value": domain},
        {"name": "FLYTE_INTERNAL_TASK_NAME", "value": name},
        {"name": "FLYTE_INTERNAL_TASK_VERSION", "value": version},
    )
    if plan.env_tail:
        env += [{"name": n, "value": v} for n, v in plan.env_tail]
    container["env"] = env
    if plan.env_from:
        env_from = list(container.get("envFrom") or [])
        env_from += [{k: dict(v) for k, v in ref.items()} for ref in plan.env_from]
        container["envFrom"] = env_from
