"""Test helpers for podplan users: a fake NVML, recorded GPU profiles, pytest fixtures and
``assert_schedulable``. Public and documented; exports resolve lazily."""

from __future__ import annotations

from podplan._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "FakeNVML": "podplan.testing.nvml",
    "load_profile": "podplan.testing.nvml",
    "profile_names": "podplan.testing.nvml",
    "fake_nvml": "podplan.testing.nvml",
    "assert_schedulable": "podplan.testing.schedulable",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
