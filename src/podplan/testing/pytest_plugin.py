"""pytest plugin of podplan (registered through the ``pytest11`` entry point).

Provides the ``fake_nvml`` fixture: a :class:`~podplan.testing.FakeNVML` installed as
podplan's NVML backend for the test (``detect()``, local task calls and the CLI functions see
it; child processes see it through ``PODPLAN_FAKE_NVML``). Choose the profile with

* ``@pytest.mark.nvml_profile("h100-sxm")`` on the test, or
* ``@pytest.mark.parametrize("fake_nvml", ["t4", "no-driver"], indirect=True)``;

the default is ``dgx-a100-mig``. The fixture filters the ``pynvml`` package's deprecation
``FutureWarning`` (spec §1.1), which would otherwise break ``-W error`` runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

DEFAULT_PROFILE = "dgx-a100-mig"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``nvml_profile`` marker."""
    config.addinivalue_line("markers", "nvml_profile(name): the FakeNVML profile of the fake_nvml fixture")


@pytest.fixture
def fake_nvml(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A ``FakeNVML`` installed as podplan's NVML backend for the duration of the test."""
    from podplan.testing.nvml import FakeNVML
    from podplan.testing.nvml import fake_nvml as install

    marker = request.node.get_closest_marker("nvml_profile")
    profile = getattr(request, "param", None) or (marker.args[0] if marker else DEFAULT_PROFILE)
    fake = profile if isinstance(profile, FakeNVML) else FakeNVML(profile)
    if isinstance(profile, str):
        monkeypatch.setenv("PODPLAN_FAKE_NVML", profile)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The pynvml package is deprecated", category=FutureWarning)
        with install(fake):
            yield fake
