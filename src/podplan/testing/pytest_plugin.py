"""pytest plugin of podplan (registered through the ``pytest11`` entry point).

Provides the ``fake_nvml`` fixture; see :mod:`podplan.testing.nvml`.
"""

from __future__ import annotations
