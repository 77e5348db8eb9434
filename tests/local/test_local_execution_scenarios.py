"""Local execution: the environment is restored after a task fails (exception, KeyboardInterrupt,
strict refusal); the isolated mode kills the whole process group on timeout or memory excess and
says so clearly; ``podplan run`` turns bad targets and inputs into usage errors (exit 2)."""

from __future__ import annotations

import contextlib
import json
import os
import textwrap
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from podplan import Resources, task
from podplan.accelerators import A100, H100, T4
from podplan.accelerators.local.apply import PLACED_ENV
from podplan.cli.main import main
from podplan.errors import LocalGPUWarning, PlacementError
from podplan.testing import fake_nvml

KEYS = ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "TASK_SETTING", "PODPLAN_LOCAL_GPU")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (*KEYS, PLACED_ENV, "PODPLAN_FAKE_NVML"):
        monkeypatch.delenv(key, raising=False)


def snapshot() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in KEYS}


SEEN: dict[str, str | None] = {}


@task(accelerator=A100.partition_1g_5gb, requests=Resources(gpu=1), environment={"TASK_SETTING": "inside"})
def failing_slice_task(kind: str) -> None:
    SEEN.update(snapshot())
    if kind == "interrupt":
        raise KeyboardInterrupt
    raise ValueError("task failed on purpose")


@task(accelerator=H100, requests=Resources(gpu=1), environment={"TASK_SETTING": "inside"})
def h100_task() -> str:
    return os.environ["CUDA_VISIBLE_DEVICES"]


BEFORE_CASES = [
    {},  # nothing set
    {"CUDA_VISIBLE_DEVICES": "", "CUDA_DEVICE_ORDER": "FASTEST_FIRST", "TASK_SETTING": "outside"},
    {"CUDA_DEVICE_ORDER": "FASTEST_FIRST"},
]


@pytest.mark.parametrize("before", BEFORE_CASES)
@pytest.mark.parametrize(("kind", "error"), [("raise", ValueError), ("interrupt", KeyboardInterrupt)])
def test_environment_restored_after_a_failing_task(
    before: dict[str, str], kind: str, error: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in before.items():
        monkeypatch.setenv(key, value)
    expected = snapshot()
    SEEN.clear()
    with fake_nvml("dgx-a100-mig") as fake, pytest.raises(error), warnings_ignored():
        failing_slice_task(kind=kind)
    assert snapshot() == expected
    if before.get("CUDA_VISIBLE_DEVICES") == "":
        # an inherited empty CUDA_VISIBLE_DEVICES hides every GPU: nothing may be widened
        assert SEEN["CUDA_VISIBLE_DEVICES"] == ""
    else:
        assert SEEN["CUDA_VISIBLE_DEVICES"] == fake.profile["devices"][0]["mig_devices"][0]["uuid"]
        assert SEEN["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"
    assert SEEN["TASK_SETTING"] == "inside"
    assert not fake.initialized  # NVML shut down


@contextlib.contextmanager
def warnings_ignored() -> Iterator[None]:
    """LocalGPUWarning is asserted elsewhere; these tests look at the environment only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LocalGPUWarning)
        yield


def test_strict_refusal_leaves_no_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODPLAN_LOCAL_GPU", "strict")
    monkeypatch.setenv("CUDA_DEVICE_ORDER", "FASTEST_FIRST")
    expected = snapshot()
    with fake_nvml("l4-workstation"), pytest.raises(PlacementError, match="requested nvidia-h100 x1"):
        h100_task()
    assert snapshot() == expected


def test_node_call_restores_after_failure() -> None:
    node = failing_slice_task.with_overrides(accelerator=A100.partition_3g_20gb)
    SEEN.clear()
    with fake_nvml("dgx-a100-mig") as fake, pytest.raises(ValueError), warnings_ignored():
        node(kind="raise")
    slice_3g = fake.profile["devices"][1]["mig_devices"][0]
    assert SEEN["CUDA_VISIBLE_DEVICES"] == slice_3g["uuid"]
    assert snapshot() == dict.fromkeys(KEYS)


def test_substitute_warns_with_requested_and_found() -> None:
    with fake_nvml("h200-mig"), pytest.warns(LocalGPUWarning) as record:
        visible = h100_task()
    assert visible.startswith("GPU-")
    text = str(record[0].message)
    assert "requested nvidia-h100 x1" in text and "NVIDIA H200" in text
    assert snapshot() == dict.fromkeys(KEYS)


@task(accelerator=T4, requests=Resources(gpu=1))
def t4_task() -> str | None:
    return os.environ.get("CUDA_VISIBLE_DEVICES")


@pytest.mark.parametrize(
    ("policy", "visible"),
    [("warn", None), ("cpu", ""), ("off", None)],
)
def test_policies_on_a_machine_without_a_driver(
    policy: str, visible: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODPLAN_LOCAL_GPU", policy)
    with fake_nvml("no-driver"), warnings_ignored():
        assert t4_task() == visible
    assert os.environ.get("CUDA_VISIBLE_DEVICES") is None


# --- isolated runs and `podplan run` --------------------------------------------------------------
TASKS = textwrap.dedent(
    """
    import os
    import subprocess
    import sys
    import time

    from podplan import Resources, task
    from podplan.accelerators import T4

    STUBBORN = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    )
    HOG = "b = bytearray(160 << 20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\nimport time; time.sleep(30)"


    @task(timeout=1)
    def spawner(pidfile: str) -> None:
        child = subprocess.Popen([sys.executable, "-c", STUBBORN])
        with open(pidfile, "w") as fh:
            fh.write(str(child.pid))
        time.sleep(60)


    @task(limits=Resources(mem="64Mi"))
    def child_hog() -> None:
        subprocess.Popen([sys.executable, "-c", HOG])
        time.sleep(30)


    @task
    def leaves_a_daemon(pidfile: str) -> int:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        with open(pidfile, "w") as fh:
            fh.write(str(child.pid))
        return 7


    @task
    def add(a: int, tag: str = "x") -> str:
        return f"{a}{tag}"


    @task(accelerator=T4, requests=Resources(gpu=1))
    def gpu_env() -> str:
        return os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")
    """
)


@pytest.fixture(scope="module")
def tasks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exec") / "exec_tasks.py"
    path.write_text(TASKS)
    return path


def gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie waiting for init counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_gone(pid: int, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.05)
    return gone(pid)


def test_timeout_kills_the_task_and_a_child_that_ignores_sigterm(
    tasks_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pidfile = tmp_path / "pid"
    start = time.monotonic()
    code = main(["run", f"{tasks_file}:spawner", "--isolate", "-i", f"pidfile={pidfile}"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "TaskTimeoutError: task 'exec_tasks.spawner' exceeded its timeout of 1s and was killed" in err
    assert "SIGKILL" in err  # the stubborn child outlived SIGTERM
    assert "Traceback" not in err
    assert wait_gone(int(pidfile.read_text()))
    assert time.monotonic() - start < 15


def test_memory_watchdog_counts_the_whole_process_group(
    tasks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", f"{tasks_file}:child_hog", "--isolate", "--timeout", "20"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "OOMKilledError: task 'exec_tasks.child_hog' was OOM-killed" in err
    assert "over its memory limit of 64 MiB" in err


def test_processes_left_running_are_killed_and_reported(
    tasks_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pidfile = tmp_path / "pid"
    code = main(["run", f"{tasks_file}:leaves_a_daemon", "--isolate", "--json", "-i", f"pidfile={pidfile}"])
    out, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    assert data["value"] == 7
    assert any("still running when it ended" in note for note in data["notes"])
    assert wait_gone(int(pidfile.read_text()))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["{f}:add", "-i", "b=1"],
            "bad inputs for task 'exec_tasks.add': Received unexpected keyword argument 'b'",
        ),
        (["{f}:add"], "missing a required input: 'a' (int)"),
        (["{f}:add", "-i", "a=one"], "input 'a' expects a value of type int"),
        (["{f}:add", "-i", "a"], "--input expects NAME=VALUE"),
        (["{f}:nope"], "no task named 'nope'"),
        (["{f}"], "name one as"),
        (["{f}:STUBBORN"], "is a str, not a task"),
        (["/nonexistent/x.py:add"], "no such file or directory"),
        (["{d}:add"], "a directory cannot be combined with ':add'"),
        (["{f}:add", "-i", "a=1", "--timeout", "3"], "--timeout needs --isolate"),
        (["{f}:add", "-i", "a=1", "--isolate", "--timeout", "0"], "--timeout must be a positive number"),
    ],
)
def test_run_usage_errors_exit_2_without_a_traceback(
    args: list[str], words: str, tasks_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", *(a.format(f=tasks_file, d=tasks_file.parent) for a in args)]
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert words in err
    assert "Traceback" not in err


def test_run_keeps_string_inputs_verbatim(tasks_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", f"{tasks_file}:add", "-i", "a=4", "-i", "tag=007"]) == 0
    assert json.loads(capsys.readouterr().out) == "4007"


@pytest.mark.parametrize(
    ("profile", "policy", "value", "warning"),
    [
        ("t4", None, "GPU-79e31c4e-d17b-5ccb-8c59-6dded9a0d280", None),
        ("l4-workstation", None, "GPU-229c405f-809a-5142-9e79-069770dee28f", "runs on a substitute GPU"),
        ("no-driver", None, "<unset>", "runs unpinned: requested nvidia-tesla-t4 x1; no GPU is usable here"),
        ("no-driver", "cpu", "", "runs on CPU (GPUs hidden)"),
        ("driver-not-loaded", "off", "<unset>", None),
    ],
)
def test_run_in_process_pins_restores_and_warns_in_one_line(
    profile: str,
    policy: str | None,
    value: str,
    warning: str | None,
    tasks_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PODPLAN_FAKE_NVML", profile)
    monkeypatch.setenv("CUDA_DEVICE_ORDER", "FASTEST_FIRST")
    before = snapshot()
    argv = ["run", f"{tasks_file}:gpu_env"] + (["--policy", policy] if policy else [])
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == value
    assert snapshot() == before  # the CLI process's own environment is restored
    if warning is None:
        assert err == ""
    else:
        assert err.startswith("podplan run: warning: task 'exec_tasks.gpu_env' " + warning.split(":")[0])
        assert warning in err and "LocalGPUWarning" not in err and ".py:" not in err


def test_run_json_reports_a_timeout_as_an_error_object(
    tasks_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pidfile = tmp_path / "pid"
    argv = [
        "run",
        f"{tasks_file}:spawner",
        "--isolate",
        "--json",
        "--timeout",
        "0.5",
        "-i",
        f"pidfile={pidfile}",
    ]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["task"] == "exec_tasks.spawner"
    assert data["error"]["type"] == "TaskTimeoutError"
    assert "exceeded its timeout of 0.5s" in data["error"]["message"]
    assert "TaskTimeoutError" in err
    assert wait_gone(int(pidfile.read_text()))
