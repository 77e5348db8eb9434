"""Provenance: where each value of a previewed pod came from (``--explain``).

Keys are paths into the pod (``spec.containers[primary].resources.limits.cpu``,
``spec.nodeSelector.<key>``, ``spec.tolerations[<key>=<value>:<effect>]``,
``spec.affinity.required[<key> <operator> <values>]``, ``spec.volumes[<name>]``,
``metadata.labels.<key>``); values are short source descriptions such as ``task``,
``override``, ``platform default``, ``platform clamp (limit 2)``, ``base template``,
``accelerator rule``, ``shared-memory rule``, ``interruptible rule``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SOURCES", "Provenance", "requirement_key", "toleration_key"]

#: the source kinds the builder records (a description may add detail after them)
SOURCES: tuple[str, ...] = (
    "task",
    "override",
    "platform default",
    "platform clamp",
    "platform config",
    "base template",
    "accelerator rule",
    "shared-memory rule",
    "interruptible rule",
    "execution",
)


class Provenance:
    """A mapping of pod paths to source descriptions; first writer of a path keeps it unless forced."""

    __slots__ = ("enabled", "entries")

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.entries: dict[str, str] = {}

    def set(self, path: str, source: str) -> None:
        """Record (or replace) the source of ``path``."""
        if self.enabled:
            self.entries[path] = source

    def setdefault(self, path: str, source: str) -> None:
        """Record the source of ``path`` unless one is already recorded."""
        if self.enabled and path not in self.entries:
            self.entries[path] = source

    def get(self, path: str) -> str | None:
        """The recorded source of ``path`` (None when unknown)."""
        return self.entries.get(path)


def toleration_key(tol: dict[str, Any]) -> str:
    """A stable identity for a toleration, used as its provenance path."""
    key = tol.get("key", "")
    op = tol.get("operator", "")
    value = tol.get("value", "")
    effect = tol.get("effect", "")
    body = f"{key}={value}" if value else (f"{key} {op}".strip() if op else key)
    return f"spec.tolerations[{body}:{effect}]"


def requirement_key(req: dict[str, Any]) -> str:
    """A stable identity for a node-selector requirement, used as its provenance path."""
    values = ",".join(str(v) for v in req.get("values") or ())
    text = f"{req.get('key', '')} {req.get('operator', '')}"
    if values:
        text += f" [{values}]"
    return f"spec.affinity.required[{text}]"
