"""The `fake_nvml` pytest fixture of podplan's plugin: default, marker and indirect parametrisation."""

from __future__ import annotations

import os

import pytest

from podplan.accelerators.local import current_backend, detect
from podplan.testing import FakeNVML


def test_default_profile_is_installed(fake_nvml: FakeNVML) -> None:
    assert fake_nvml.profile["name"] == "dgx-a100-mig"
    assert current_backend() is fake_nvml
    assert len(detect().devices) == 8
    assert os.environ["PODPLAN_FAKE_NVML"] == "dgx-a100-mig"  # child processes see it too


@pytest.mark.nvml_profile("t4")
def test_marker_selects_the_profile(fake_nvml: FakeNVML) -> None:
    assert detect().devices[0].name == "Tesla T4"


@pytest.mark.parametrize("fake_nvml", ["no-driver", "driver-not-loaded"], indirect=True)
def test_indirect_parametrisation(fake_nvml: FakeNVML) -> None:
    assert detect().status == fake_nvml.profile["name"]


def test_series_replay_per_nvml_session(fake_nvml: FakeNVML) -> None:
    fake_nvml.set_series(2, memory_used=[5, 6])
    for _ in range(2):
        fake_nvml.nvmlInit()
        handle = fake_nvml.nvmlDeviceGetHandleByIndex(2)
        assert [fake_nvml.nvmlDeviceGetMemoryInfo(handle).used for _ in range(3)] == [5, 6, 6]
        fake_nvml.nvmlShutdown()


def test_patch_pynvml_module_for_third_party_code() -> None:
    import sys

    from podplan.testing import fake_nvml

    real = sys.modules.get("pynvml")
    with fake_nvml("h100-sxm", patch_pynvml=True) as fake:
        import pynvml

        assert pynvml is fake
        pynvml.nvmlInit()
        assert pynvml.nvmlDeviceGetCount() == 8
        pynvml.nvmlShutdown()
    assert sys.modules.get("pynvml") is real


def test_backend_is_restored_after_the_block() -> None:
    from podplan.testing import fake_nvml

    with fake_nvml("t4") as fake:
        assert current_backend() is fake
    assert current_backend() is not fake
