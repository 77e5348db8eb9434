"""local_gpu_context: pinning, policies and their precedence, exact restoration of the environment."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

import podplan.accelerators as acc
from podplan.accelerators.local import gpu_policy, local_gpu_context, resolve_policy
from podplan.accelerators.local.apply import PLACED_ENV
from podplan.errors import LocalGPUPolicyError, LocalGPUWarning, PlacementError
from podplan.testing import FakeNVML, fake_nvml

KEYS = ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in (*KEYS, "PODPLAN_LOCAL_GPU", PLACED_ENV, "PODPLAN_FAKE_NVML"):
        monkeypatch.delenv(key, raising=False)
    yield


def _snapshot() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in KEYS}


def test_pins_mig_slice_by_uuid_and_restores() -> None:
    with fake_nvml("dgx-a100-mig") as fake:
        expected = fake.profile["devices"][0]["mig_devices"][0]["uuid"]
        with local_gpu_context(accelerator=acc.A100.partition_1g_5gb, gpu=1, task_name="t") as placement:
            assert os.environ["CUDA_VISIBLE_DEVICES"] == expected
            assert os.environ["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"
            assert placement is not None and placement.level == "exact"
        assert _snapshot() == {"CUDA_VISIBLE_DEVICES": None, "CUDA_DEVICE_ORDER": None}
        assert not fake.initialized


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_restores_previous_values_on_exceptions(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    monkeypatch.setenv("CUDA_DEVICE_ORDER", "FASTEST_FIRST")
    before = _snapshot()
    with (
        fake_nvml("h100-sxm"),
        pytest.raises(type(error)),
        local_gpu_context(accelerator=acc.H100, gpu=2, task_name="t"),
    ):
        assert os.environ["CUDA_VISIBLE_DEVICES"].startswith("GPU-")
        raise error
    assert _snapshot() == before


def test_restores_empty_string_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    with (
        fake_nvml("t4"),
        pytest.warns(LocalGPUWarning, match="hides every GPU"),
        local_gpu_context(accelerator=acc.T4, gpu=1, task_name="t"),
    ):
        pass
    assert os.environ["CUDA_VISIBLE_DEVICES"] == ""
    assert "CUDA_DEVICE_ORDER" not in os.environ


def test_inherited_visible_devices_bound_the_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_nvml("h100-sxm") as fake:
        third = fake.profile["devices"][3]["uuid"]
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
        with local_gpu_context(accelerator=acc.H100, gpu=1, task_name="t"):
            assert os.environ["CUDA_VISIBLE_DEVICES"] == third
        with (
            pytest.raises(PlacementError),
            local_gpu_context(accelerator=acc.H100, gpu=2, task_name="t", policy="strict"),
        ):
            pass
        assert os.environ["CUDA_VISIBLE_DEVICES"] == "3"


def test_cpu_task_touches_nothing_and_never_calls_nvml() -> None:
    fake = FakeNVML("t4")
    with fake_nvml(fake), local_gpu_context(accelerator=None, gpu=0, task_name="t") as placement:
        assert placement is None
        assert _snapshot() == {"CUDA_VISIBLE_DEVICES": None, "CUDA_DEVICE_ORDER": None}
    assert fake.calls == []


def test_strict_refuses_none_and_substitute() -> None:
    with fake_nvml("l4-workstation"):
        with (
            pytest.raises(PlacementError) as info,
            local_gpu_context(accelerator=acc.A100, gpu=1, task_name="train", policy="strict"),
        ):
            pass
        assert "train" in str(info.value) and "NVIDIA L4" in str(info.value)
        with (
            pytest.raises(PlacementError, match="only a substitute"),
            local_gpu_context(accelerator=acc.T4, gpu=1, task_name="t", policy="strict"),
        ):
            pass
    assert _snapshot() == {"CUDA_VISIBLE_DEVICES": None, "CUDA_DEVICE_ORDER": None}


def test_strict_is_a_runtime_error_and_podplan_error() -> None:
    from podplan.errors import LocalGPUError, PodplanError

    assert issubclass(PlacementError, LocalGPUError) and issubclass(PlacementError, PodplanError)


def test_warn_leaves_environment_unpinned() -> None:
    with (
        fake_nvml("no-driver"),
        pytest.warns(LocalGPUWarning, match="runs unpinned"),
        local_gpu_context(accelerator=acc.T4, gpu=1, task_name="t", policy="warn") as placement,
    ):
        assert placement is not None and placement.level == "none"
        assert _snapshot() == {"CUDA_VISIBLE_DEVICES": None, "CUDA_DEVICE_ORDER": None}


def test_warn_pins_substitutes_with_a_warning() -> None:
    with (
        fake_nvml("l4-workstation"),
        pytest.warns(LocalGPUWarning, match="substitute"),
        local_gpu_context(accelerator=acc.T4, gpu=1, task_name="t"),
    ):
        assert os.environ["CUDA_VISIBLE_DEVICES"].startswith("GPU-")


def test_cpu_policy_hides_gpus_when_nothing_matches() -> None:
    with (
        fake_nvml("t4"),
        pytest.warns(LocalGPUWarning, match="runs on CPU"),
        local_gpu_context(accelerator=acc.H100, gpu=1, task_name="t", policy="cpu"),
    ):
        assert os.environ["CUDA_VISIBLE_DEVICES"] == ""
    assert "CUDA_VISIBLE_DEVICES" not in os.environ


def test_off_policy_skips_detection() -> None:
    fake = FakeNVML("t4")
    with fake_nvml(fake), local_gpu_context(accelerator=acc.H100, gpu=1, task_name="t", policy="off") as p:
        assert p is None and _snapshot()["CUDA_VISIBLE_DEVICES"] is None
    assert fake.calls == []


def test_isolated_child_does_not_place_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PLACED_ENV, "1")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "MIG-abc")
    with fake_nvml("t4"), local_gpu_context(accelerator=acc.T4, gpu=1, task_name="t") as p:
        assert p is None and os.environ["CUDA_VISIBLE_DEVICES"] == "MIG-abc"


# --- policy precedence ---------------------------------------------------------------------------


def test_policy_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_policy() == "warn"
    monkeypatch.setenv("PODPLAN_LOCAL_GPU", "cpu")
    assert resolve_policy() == "cpu"
    assert resolve_policy(task="strict") == "strict"
    with gpu_policy("off"):
        assert resolve_policy(task="strict") == "off"
        assert resolve_policy(call="warn", task="strict") == "warn"
        with gpu_policy("STRICT"):
            assert resolve_policy() == "strict"
        assert resolve_policy() == "off"
    assert resolve_policy() == "cpu"


def test_env_policy_applies_to_task_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODPLAN_LOCAL_GPU", "strict")
    with (
        fake_nvml("t4"),
        pytest.raises(PlacementError),
        local_gpu_context(accelerator=acc.H100, gpu=1, task_name="t"),
    ):
        pass


def test_task_attribute_policy() -> None:
    with fake_nvml("t4"), warnings.catch_warnings():
        warnings.simplefilter("error")
        with (
            pytest.raises(PlacementError),
            local_gpu_context(accelerator=acc.H100, gpu=1, task_name="t", task_policy="strict"),
        ):
            pass


@pytest.mark.parametrize("bad", ["loud", "", 3, None])
def test_invalid_policies_name_the_valid_ones(bad: object, monkeypatch: pytest.MonkeyPatch) -> None:
    if bad is None:
        monkeypatch.setenv("PODPLAN_LOCAL_GPU", "sometimes")
        with pytest.raises(
            LocalGPUPolicyError, match="PODPLAN_LOCAL_GPU must be one of strict, warn, cpu, off"
        ):
            resolve_policy()
        return
    with pytest.raises(LocalGPUPolicyError, match="strict, warn, cpu, off"):
        resolve_policy(call=bad)  # type: ignore[arg-type]
    assert issubclass(LocalGPUPolicyError, ValueError)
