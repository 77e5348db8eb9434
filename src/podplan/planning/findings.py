"""Findings and the catalogue of rule codes.

Codes are stable: a code never changes meaning, retired codes are never reused. The hundreds
group the rules: ``PP1xx`` resources and quantities, ``PP2xx`` accelerators and MIG, ``PP3xx``
shared memory, ``PP4xx`` scheduling on the cluster's pools, ``PP5xx`` interruptible/spot,
``PP6xx`` what the Kubernetes API server would reject. ``docs/check.md`` documents each one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SEVERITIES = ("info", "warning", "error")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Rule:
    """One rule: stable code, default severity, short title."""

    code: str
    severity: str
    title: str


#: every rule podplan knows, by code
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("PP101", "error", "quantity Kubernetes rejects"),
        Rule("PP102", "error", "request above limit"),
        Rule("PP103", "error", "extended resource request differs from its limit"),
        Rule("PP104", "error", "fractional extended resource"),
        Rule("PP105", "warning", "memory value almost certainly missing its unit"),
        Rule("PP106", "warning", "platform clamp lowers a declared request or limit"),
        Rule("PP107", "error", "resource name neither standard nor fully qualified"),
        Rule("PP201", "warning", "GPU requested without an accelerator"),
        Rule("PP202", "error", "accelerator without a GPU request (silently ignored)"),
        Rule("PP203", "error", "MIG profile not offered by the device"),
        Rule("PP204", "warning", "more MIG slices than one device has"),
        Rule("PP205", "error", "mixed-strategy MIG pool cannot serve nvidia.com/gpu"),
        Rule("PP206", "warning", "accelerator device unknown to the catalog"),
        Rule("PP210", "info", "a smaller MIG profile or GPU model satisfies the declared needs"),
        Rule("PP301", "warning", "shared memory larger than the memory limit"),
        Rule("PP302", "warning", "unbounded shared memory without a memory limit"),
        Rule("PP401", "error", "no pool can run the pod"),
        Rule("PP402", "error", "label value that no node carries"),
        Rule("PP403", "warning", "label key that no node carries"),
        Rule("PP404", "info", "fits only after a pool scales up from zero"),
        Rule("PP501", "warning", "interruptible task without a spot pool that admits it"),
        Rule("PP502", "warning", "non-interruptible task that only spot pools admit"),
        Rule("PP601", "error", "pod the Kubernetes API server would reject"),
        Rule("PP602", "error", "the backend cannot build a pod for the task"),
    )
}


@dataclass(frozen=True)
class Finding:
    """One problem found in one task: code, severity, message (naming the task, field and
    values), a fix hint and, where relevant, the pod field and the pool."""

    code: str
    severity: str
    message: str
    task: str = ""
    field: str = ""
    hint: str = ""
    pool: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract form: ``code``, ``severity``, ``message`` and the optional keys."""
        out: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message}
        for key in ("field", "hint", "pool"):
            value = getattr(self, key)
            if value:
                out[key] = value
        out.update(self.extra)
        return out


def make(code: str, message: str, **kwargs: Any) -> Finding:
    """Build a finding with the rule's default severity (``severity=`` overrides it)."""
    severity = kwargs.pop("severity", None) or RULES[code].severity
    return Finding(code=code, severity=severity, message=message, **kwargs)


def severity_at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is at or above ``threshold`` (``never`` is above everything)."""
    if threshold == "never":
        return False
    return _RANK[severity] >= _RANK[threshold]


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(p.strip().upper()) for p in patterns if p.strip())


def parse_codes(values: Iterable[str] | None) -> list[str]:
    """Split ``--select``/``--ignore`` values (comma separated, repeatable) into code prefixes."""
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return out


def unknown_codes(patterns: Iterable[str]) -> list[str]:
    """The prefixes that select no known rule (a usage error on the command line)."""
    return [p for p in patterns if not any(code.startswith(p) for code in RULES)]


def filter_findings(
    findings: Iterable[Finding], select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[Finding]:
    """Keep findings whose code starts with a ``select`` prefix (all when empty) and with no
    ``ignore`` prefix. ``PP4`` selects every scheduling rule."""
    sel = list(select or ())
    ign = list(ignore or ())
    return [f for f in findings if (not sel or _matches(f.code, sel)) and not _matches(f.code, ign)]
