"""Shared pytest configuration: hypothesis profiles.

``HYPOTHESIS_PROFILE=dev`` runs more examples locally; CI uses the default ``ci`` profile, which
keeps the whole suite within a few minutes on a 2-core machine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
