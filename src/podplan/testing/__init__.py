"""Test helpers for podplan users: a fake NVML, recorded GPU profiles, pytest fixtures and
``assert_schedulable``. Public and documented; exports resolve lazily."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "FakeNVML": "podplan.testing.nvml",
    "load_profile": "podplan.testing.nvml",
    "profile_names": "podplan.testing.nvml",
    "fake_nvml": "podplan.testing.nvml",
    "assert_schedulable": "podplan.testing.schedulable",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Resolve a public name on first use."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'podplan.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
