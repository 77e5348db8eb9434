"""Validators for ``@task`` and ``with_overrides`` arguments (run once, at decoration time).

Each validator returns the normalised value or raises a :mod:`podplan.errors` class that also
subclasses the builtin flytekit raises in the same situation (DESIGN D1). Messages name the
argument, quote the value and say what would be valid.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from podplan.errors import TaskDefinitionError, TaskTypeError

#: ``flytekit`` error text for a bad timeout (kept verbatim so ``match=`` patterns keep working)
TIMEOUT_MESSAGE = "timeout should be duration represented as either a datetime.timedelta or int seconds"

_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_NAME_RE = re.compile(rf"^{_NAME}$")
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN_RE = re.compile(rf"^{_DNS_LABEL}(\.{_DNS_LABEL})*$")
_ENV_VAR_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def check_interruptible(value: Any, field: str = "interruptible") -> bool | None:
    """``interruptible`` is ``True``, ``False`` or ``None`` (inherit)."""
    if value is None or isinstance(value, bool):
        return value
    raise TaskTypeError(f"{field}={value!r} is invalid: expected True, False or None (inherit)")


def check_retries(value: Any, field: str = "retries") -> int:
    """``retries`` is an int ≥ 0 (``None`` means 0, as in flytekit)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TaskTypeError(f"{field}={value!r} is invalid: expected a whole number ≥ 0")
    if value < 0:
        raise TaskDefinitionError(f"{field}={value!r} is invalid: retries must be ≥ 0")
    if value > 0xFFFFFFFF:
        raise TaskDefinitionError(f"{field}={value!r} is invalid: retries must fit in 32 bits")
    return value


def check_timeout(value: Any, field: str = "timeout") -> datetime.timedelta | None:
    """``timeout`` is int seconds or a ``timedelta``, ≥ 0; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TaskDefinitionError(f"{field}={value!r} is invalid: {TIMEOUT_MESSAGE}")
    if isinstance(value, int):
        value = datetime.timedelta(seconds=value)
    if not isinstance(value, datetime.timedelta):
        raise TaskDefinitionError(f"{field}={value!r} is invalid: {TIMEOUT_MESSAGE}")
    if value < datetime.timedelta(0):
        raise TaskDefinitionError(f"{field}={value!r} is invalid: a timeout must not be negative")
    return value


def _check_qualified_name(key: Any, field: str, what: str) -> None:
    if not isinstance(key, str):
        raise TaskTypeError(f"{field}: {what} key {key!r} must be a str")
    prefix, slash, name = key.rpartition("/")
    problems: list[str] = []
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN_RE.match(prefix)):
        problems.append("the prefix must be a DNS subdomain (lower case, ≤ 253 characters)")
    if not name or len(name) > 63 or not _NAME_RE.match(name):
        problems.append(
            "the name must be ≤ 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric"
        )
    if problems:
        raise TaskDefinitionError(f"{field}: {what} key {key!r} is invalid: " + "; ".join(problems))


def check_labels(value: Any, field: str = "labels") -> dict[str, str] | None:
    """Kubernetes label rules: qualified-name keys; values ≤ 63 chars, empty or alphanumeric-bounded."""
    mapping = _check_str_mapping(value, field)
    if mapping is None:
        return None
    for key, val in mapping.items():
        _check_qualified_name(key, field, "label")
        if val and (len(val) > 63 or not _NAME_RE.match(val)):
            raise TaskDefinitionError(
                f"{field}: label value {val!r} (key {key!r}) is invalid: it must be empty or ≤ 63 "
                "characters of [A-Za-z0-9-_.], starting and ending alphanumeric"
            )
    return mapping


def check_annotations(value: Any, field: str = "annotations") -> dict[str, str] | None:
    """Kubernetes annotation rules: qualified-name keys, any string values (256 KiB in total)."""
    mapping = _check_str_mapping(value, field)
    if mapping is None:
        return None
    total = 0
    for key, val in mapping.items():
        _check_qualified_name(key, field, "annotation")
        total += len(key.encode()) + len(val.encode())
    if total > 256 * 1024:
        raise TaskDefinitionError(f"{field}: annotations total {total} bytes, above Kubernetes' 256 KiB")
    return mapping


def check_environment(value: Any, field: str = "environment") -> dict[str, str]:
    """Environment variables: non-empty str names without ``=``, str values."""
    mapping = _check_str_mapping(value, field)
    if mapping is None:
        return {}
    for key in mapping:
        if not key or "=" in key or "\x00" in key:
            raise TaskDefinitionError(
                f"{field}: environment variable name {key!r} is invalid: it must be non-empty "
                "and contain no '=' or NUL character"
            )
    return mapping


def check_env_var_name(value: str, field: str = "env_var") -> str:
    """A secret's environment variable name must match ``^[A-Z_][A-Z0-9_]*$`` (flytekit's rule)."""
    if not isinstance(value, str) or not _ENV_VAR_RE.match(value):
        raise TaskDefinitionError(
            f"Invalid environment variable name: {value} ({field} must match ^[A-Z_][A-Z0-9_]*$)"
        )
    return value


def _check_str_mapping(value: Any, field: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TaskTypeError(f"{field}={value!r} is invalid: expected a dict of str to str")
    out: dict[str, str] = {}
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            raise TaskTypeError(f"{field}: entry {key!r}: {val!r} is invalid: keys and values must be str")
        out[key] = val
    return out


def dnsify(value: str) -> str:
    """A node name as a DNS-1123 label, as flytekit does (``"t_1"`` → ``"t-1"``,
    ``"fooBar_baz"`` → ``"foo-bar-baz"``; ≥ 63 characters → ``<10-hex sha224>-<tail>``)."""
    max_len, hash_len = 63, 10
    if len(value) >= max_len:
        digest = hashlib.sha224(value.encode("utf-8")).hexdigest()[:hash_len]
        value = f"{digest}-{value[-(max_len - hash_len - 1) :]}"
    res = ""
    for ch in value:
        if ch in "_-.":
            if res and len(res) < max_len - 1:
                res += "-"
        elif not ch.isalnum():
            continue
        elif ch.islower() or ch.isdigit():
            res += ch
        else:
            if res and res[-1] != "-" and len(res) < max_len - 1:
                res += "-"
            res += ch.lower()
    return res[:-1] if res.endswith("-") else res
