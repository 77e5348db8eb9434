"""Isolated runs: placement in the child, CPU affinity, memory watchdog, timeout, GPU sampling."""

from __future__ import annotations

import os
import signal
import time

import pytest

import podplan.accelerators as acc
from podplan.accelerators.local import run_isolated
from podplan.accelerators.local.apply import PLACED_ENV
from podplan.errors import LocalExecutionError, LocalGPUWarning, OOMKilledError, TaskTimeoutError
from podplan.testing import FakeNVML, fake_nvml

GIB = 1 << 30


def child_env() -> dict[str, str | None]:
    keys = ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", PLACED_ENV, "OMP_NUM_THREADS")
    return {k: os.environ.get(k) for k in keys}


def child_pid_and_cpus() -> tuple[int, int]:
    return os.getpid(), len(os.sched_getaffinity(0))


def sleep_forever() -> None:
    time.sleep(60)


def hog_memory(mib: int) -> int:
    block = bytearray(mib << 20)
    for i in range(0, len(block), 4096):  # touch every page so it is resident
        block[i] = 1
    time.sleep(30)
    return len(block)


def fail(message: str) -> None:
    raise ValueError(message)


def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (
        "CUDA_VISIBLE_DEVICES",
        "CUDA_DEVICE_ORDER",
        "PODPLAN_LOCAL_GPU",
        PLACED_ENV,
        "PODPLAN_FAKE_NVML",
    ):
        monkeypatch.delenv(key, raising=False)


def test_returns_value_and_runs_in_another_process() -> None:
    result = run_isolated(child_pid_and_cpus, cpu=1)
    pid, cpus = result.value
    assert pid != os.getpid()
    assert cpus == 1
    assert result.cpus is not None and len(result.cpus) == 1
    assert result.memory_mode == "none"
    assert result.peak_rss_bytes is None or result.peak_rss_bytes > 0


def test_placement_is_in_the_child_environment_before_it_starts() -> None:
    with fake_nvml("dgx-a100-mig") as fake:
        slice_uuid = fake.profile["devices"][0]["mig_devices"][0]["uuid"]
        result = run_isolated(child_env, accelerator=acc.A100.partition_1g_5gb, gpu=1, cpu="500m")
    assert result.value == {
        "CUDA_VISIBLE_DEVICES": slice_uuid,
        "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
        PLACED_ENV: "1",
        "OMP_NUM_THREADS": "1",
    }
    assert os.environ.get("CUDA_VISIBLE_DEVICES") is None  # the parent is untouched
    assert result.placement is not None and result.placement.level == "exact"


def test_timeout_kills_the_process_group() -> None:
    start = time.monotonic()
    with pytest.raises(TaskTimeoutError, match=r"task 'sleeper' exceeded its timeout of 0.3s and was killed"):
        run_isolated(sleep_forever, task_name="sleeper", timeout=0.3, grace_period=0.5)
    assert time.monotonic() - start < 5


def test_timeout_accepts_timedelta() -> None:
    from datetime import timedelta

    with pytest.raises(TaskTimeoutError):
        run_isolated(sleep_forever, timeout=timedelta(milliseconds=300), grace_period=0.2)


def test_memory_limit_is_an_oom_kill_with_a_clear_message() -> None:
    with pytest.raises(OOMKilledError) as info:
        run_isolated(hog_memory, args=(160,), task_name="hog", memory="64Mi", timeout=20, grace_period=0.5)
    text = str(info.value)
    assert "task 'hog' was OOM-killed" in text
    assert "over its memory limit of 64 MiB" in text
    assert isinstance(info.value, MemoryError)


def test_task_exception_is_reraised() -> None:
    with pytest.raises(ValueError, match="bad input") as info:
        run_isolated(fail, args=("bad input",))
    notes = getattr(info.value, "__notes__", [])  # on every version, 3.10 included
    assert any("raised in the isolated process" in n and "ValueError" in n for n in notes), notes


def test_unpicklable_callable_is_forked() -> None:
    offset = 41
    result = run_isolated(lambda: offset + 1, start_method="auto")
    assert result.value == 42


def test_child_killed_by_a_signal() -> None:
    with pytest.raises(LocalExecutionError, match="died without a result"):
        run_isolated(die)


def test_gpu_sampling_ends_with_a_rightsizing_line() -> None:
    fake = FakeNVML("dgx-a100-mig")
    slice_uuid = fake.profile["devices"][0]["mig_devices"][0]["uuid"]
    fake.set_series(slice_uuid, memory_used=[0, int(3.1 * GIB)])
    with fake_nvml(fake):
        result = run_isolated(
            nap, args=(0.2,), accelerator=acc.A100.partition_1g_5gb, gpu=1, gpu_poll_interval=0.05
        )
    assert result.value == "done"
    assert result.peak_gpu_memory_bytes == int(3.1 * GIB)
    assert result.peak_gpu_utilization is None  # not supported on MIG: None, never a fake 0
    assert result.report == "peak GPU memory 3.1 GiB: an A100 1g.5gb slice fits"
    assert not fake.initialized


def test_rightsizing_suggests_the_smallest_fitting_slice_on_a_whole_gpu() -> None:
    fake = FakeNVML("h100-sxm")
    fake.set_series(0, memory_used=[0, 12 * GIB], gpu_util=[0, 87])
    with fake_nvml(fake):
        result = run_isolated(nap, args=(0.1,), accelerator=acc.H100, gpu=1, gpu_poll_interval=0.05)
    assert result.report == "peak GPU memory 12.0 GiB: an H100 1g.20gb slice fits"
    assert result.peak_gpu_utilization == 87


def test_substitute_gpu_is_killed_beyond_the_declared_slice_memory() -> None:
    fake = FakeNVML("l4-workstation")
    fake.set_series(0, memory_used=[0, 0, 7 * GIB])
    with fake_nvml(fake), pytest.warns(LocalGPUWarning), pytest.raises(OOMKilledError, match="GPU memory"):
        run_isolated(
            sleep_forever,
            accelerator=acc.A100.partition_1g_5gb,
            gpu=1,
            timeout=20,
            gpu_poll_interval=0.05,
            grace_period=0.5,
        )


def test_no_gpu_report_says_not_measured() -> None:
    result = run_isolated(nap, args=(0.0,))
    assert result.report == "peak GPU memory: not measured (no GPU was placed)"


def test_run_task_isolated_uses_the_task_declarations() -> None:
    from podplan import task
    from podplan.accelerators.local import run_task_isolated

    @task(accelerator=acc.T4, timeout=1)
    def stuck() -> int:
        time.sleep(60)
        return 1

    @task(accelerator=acc.T4)
    def where(x: int) -> str:
        return f"{os.environ['CUDA_VISIBLE_DEVICES']}:{x}"

    with fake_nvml("t4") as fake:
        result = run_task_isolated(where, {"x": 7})
        assert result.value == f"{fake.profile['devices'][0]['uuid']}:7"
        with pytest.raises(TaskTimeoutError, match="stuck"):
            run_task_isolated(stuck, grace_period=0.3)
