"""`podplan gpus` and `podplan run` end to end, with PODPLAN_FAKE_NVML selecting the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from podplan.testing import profile_names

TASKS = textwrap.dedent(
    """
    import os
    import time

    from podplan import Resources, task
    from podplan.accelerators import A100, T4, MultiInstanceGPUAccelerator


    @task(accelerator=A100.partition_1g_5gb)
    def train(x: int) -> str:
        return os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>") + ":" + str(x)


    @task(accelerator=T4)
    def infer() -> str:
        return os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")


    @task(accelerator=MultiInstanceGPUAccelerator("nvidia-h200", "3g.71gb"))
    def big() -> str:
        return os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")


    @task
    def cpu_only() -> int:
        return 1


    @task(timeout=1)
    def slow() -> int:
        time.sleep(60)
        return 1


    @task
    def broken() -> int:
        raise ValueError("the task itself failed")


    @task(limits=Resources(mem="64Mi", cpu="1"))
    def hog() -> int:
        block = bytearray(200 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(30)
        return len(block)
    """
)


@pytest.fixture(scope="module")
def tasks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clitasks") / "demo_tasks.py"
    path.write_text(TASKS)
    return path


def podplan(
    *args: str, profile: str | None = "dgx-a100-mig", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CUDA_", "PODPLAN_"))}
    if profile is not None:
        env["PODPLAN_FAKE_NVML"] = profile
    return subprocess.run(
        [sys.executable, "-m", "podplan", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


@pytest.mark.parametrize("profile", profile_names())
def test_gpus_json_never_crashes(profile: str) -> None:
    proc = podplan("gpus", "--json", profile=profile)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] in ("ok", "no-driver", "driver-not-loaded", "no-permission", "error")
    assert data["reason"]
    for dev in data["devices"]:
        assert dev["uuid"].startswith("GPU-")
        assert isinstance(dev["memory_bytes"], int)
        for mig in dev["mig"]:
            assert mig["uuid"].startswith("MIG-")


def test_gpus_json_contract_on_dgx() -> None:
    data = json.loads(podplan("gpus", "--json").stdout)
    assert data["status"] == "ok"
    first = data["devices"][0]
    assert first["index"] == 0
    assert first["name"] == "NVIDIA A100-SXM4-40GB"
    assert (first["model"], first["device"]) == ("A100", "nvidia-tesla-a100")
    assert first["memory_bytes"] == 40960 << 20
    assert [m["profile"] for m in first["mig"]] == ["1g.5gb"] * 7
    assert [m["profile"] for m in data["devices"][1]["mig"]] == [
        "3g.20gb",
        "2g.10gb",
        "1c.2g.10gb",
        "1c.2g.10gb",
    ]
    assert first["mig"][0]["memory_bytes"] == 4864 << 20


def test_gpus_json_h200_uses_half_up_names() -> None:
    data = json.loads(podplan("gpus", "--json", profile="h200-mig").stdout)
    assert data["devices"][0]["model"] == "H200"
    assert data["devices"][0]["device"] == "nvidia-h200"
    assert data["devices"][0]["mig"][0]["profile"] == "3g.71gb"


def test_gpus_text_for_fault_profile_says_why() -> None:
    proc = podplan("gpus", profile="driver-not-loaded")
    assert proc.returncode == 0
    assert "driver-not-loaded" in proc.stdout and "kernel module is not loaded" in proc.stdout


def test_gpus_for_target_json(tasks_file: Path) -> None:
    proc = podplan("gpus", "--for", str(tasks_file), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    by_task = {t["task"].rsplit(".", 1)[-1]: t["placement"] for t in data["tasks"]}
    assert by_task["train"]["level"] == "exact"
    assert by_task["train"]["cuda_visible_devices"] == data["devices"][0]["mig"][0]["uuid"]
    assert by_task["infer"]["level"] == "substitute"
    assert by_task["big"]["level"] == "none"
    assert "requested nvidia-h200 3g.71gb x1" in by_task["big"]["message"]
    assert "NVIDIA A100-SXM4-40GB" in by_task["big"]["message"]
    assert by_task["cpu_only"]["level"] == "none" and by_task["cpu_only"]["cuda_visible_devices"] == ""


def test_gpus_for_target_strict_exit_code(tasks_file: Path) -> None:
    proc = podplan("gpus", "--for", f"{tasks_file}:big", "--policy", "strict", profile="t4")
    assert proc.returncode == 1
    assert "refused" in proc.stdout


def test_gpus_for_target_on_fault_profile(tasks_file: Path) -> None:
    proc = podplan("gpus", "--for", str(tasks_file), "--json", profile="no-driver")
    data = json.loads(proc.stdout)
    assert data["status"] == "no-driver"
    assert all(t["placement"]["level"] == "none" for t in data["tasks"])
    train = next(t for t in data["tasks"] if t["task"].endswith("train"))
    assert "no NVIDIA driver" in train["placement"]["message"]


def test_unknown_profile_is_a_usage_error() -> None:
    proc = podplan("gpus", profile="dgx-z900")
    assert proc.returncode == 2
    assert "dgx-z900" in proc.stderr and "h100-sxm" in proc.stderr


def test_dump_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "machine.json"
    assert podplan("gpus", "--dump", "-o", str(out), profile="legacy-mig-driver").returncode == 0
    replay = json.loads(podplan("gpus", "--json", profile=str(out)).stdout)
    original = json.loads(podplan("gpus", "--json", profile="legacy-mig-driver").stdout)
    assert replay["devices"] == original["devices"]


def test_run_places_and_restores(tasks_file: Path) -> None:
    proc = podplan("run", f"{tasks_file}:train", "-i", "x=3")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(podplan("gpus", "--json").stdout)
    assert json.loads(proc.stdout) == data["devices"][0]["mig"][0]["uuid"] + ":3"


def test_run_isolated_places_in_child(tasks_file: Path) -> None:
    proc = podplan("run", f"{tasks_file}:train", "-i", "x=5", "--isolate", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["placement"]["level"] == "exact"
    assert data["value"].startswith("MIG-")
    assert data["report"].startswith("peak GPU memory")


def test_run_isolated_timeout_is_reported(tasks_file: Path) -> None:
    proc = podplan("run", f"{tasks_file}:slow", "--isolate")
    assert proc.returncode == 1
    assert "TaskTimeoutError" in proc.stderr and "exceeded its timeout of 1s" in proc.stderr


def test_run_strict_refusal(tasks_file: Path) -> None:
    proc = podplan("run", f"{tasks_file}:big", "--policy", "strict", profile="l4-workstation")
    assert proc.returncode == 1
    assert "PlacementError" in proc.stderr and "strict" in proc.stderr


def test_run_task_failure_exit_code(tasks_file: Path) -> None:
    proc = podplan("run", f"{tasks_file}:broken")
    assert proc.returncode == 1
    assert "the task itself failed" in proc.stderr


def test_run_needs_one_task(tasks_file: Path) -> None:
    proc = podplan("run", str(tasks_file))
    assert proc.returncode == 2
    assert "name one" in proc.stderr


def test_run_isolated_memory_limit_is_an_oom_kill(tasks_file: Path) -> None:
    proc = podplan("run", f"{tasks_file}:hog", "--isolate")
    assert proc.returncode == 1
    assert "OOMKilledError" in proc.stderr
    assert "over its memory limit of 64 MiB" in proc.stderr
