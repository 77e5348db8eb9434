"""Scenarios through the CLI with ``PODPLAN_FAKE_NVML``: every built-in profile, a set of tasks and
every policy (``--policy``, the task attribute, ``PODPLAN_LOCAL_GPU``), with the level, the device
each task is pinned to, the action, the JSON contract and the exit code."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from podplan.cli.main import main
from podplan.testing import load_profile, profile_names

TASKS = textwrap.dedent(
    """
    from podplan import Resources, task
    from podplan.accelerators import A100, A100_80GB, H100, L4, T4, GPUAccelerator
    from podplan.accelerators.catalog import get_model

    @task(accelerator=A100.partition_1g_5gb, requests=Resources(gpu=1))
    def a100_1g5() -> None: ...

    @task(accelerator=A100, requests=Resources(gpu=1))
    def a100_whole() -> None: ...

    @task(accelerator=A100_80GB, requests=Resources(gpu=1))
    def a100_80() -> None: ...

    @task(accelerator=H100, limits=Resources(gpu=1))
    def h100() -> None: ...

    @task(accelerator=T4, resources=Resources(gpu=1))
    def t4() -> None: ...

    @task(accelerator=L4, resources=Resources(gpu=1))
    def l4() -> None: ...

    @task(resources=Resources(gpu=2))
    def two_gpus() -> None: ...

    @task(accelerator=A100.partition_1g_5gb, resources=Resources(gpu=2))
    def two_slices() -> None: ...

    @task(accelerator=GPUAccelerator("my-custom-gpu"), resources=Resources(gpu=1))
    def unknown() -> None: ...

    @task(accelerator=get_model("H200").accelerator().partitioned("3g.71gb"), resources=Resources(gpu=1))
    def h200_3g() -> None: ...

    @task
    def cpu_only() -> None: ...

    @task(accelerator=T4, resources=Resources(gpu=1))
    def strict_t4() -> None: ...

    strict_t4.local_gpu_policy = "strict"
    """
)

ORDER = [
    "a100_1g5", "a100_whole", "a100_80", "h100", "t4", "l4", "two_gpus", "two_slices", "unknown",
    "h200_3g", "cpu_only", "strict_t4",
]  # fmt: skip
N = ("none", None)
# profile -> task -> (level, what it is pinned to: "GPU <model>" / "MIG <profile>" / "2 GPU <model>")
EXPECTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "dgx-a100-mig": {
        "a100_1g5": ("exact", "MIG 1g.5gb"),
        "a100_whole": ("exact", "GPU A100"),
        "a100_80": N,  # 40 GB A100s only: never less memory than declared
        "h100": N,
        "t4": ("substitute", "GPU A100"),
        "l4": ("substitute", "GPU A100"),
        "two_gpus": ("exact", "2 GPU A100"),
        "two_slices": N,
        "unknown": N,
        "h200_3g": N,
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU A100"),
    },
    "h100-sxm": {
        "a100_1g5": ("substitute", "GPU H100"),
        "a100_whole": ("substitute", "GPU H100"),
        "a100_80": ("substitute", "GPU H100"),
        "h100": ("exact", "GPU H100"),
        "t4": ("substitute", "GPU H100"),
        "l4": ("substitute", "GPU H100"),
        "two_gpus": ("exact", "2 GPU H100"),
        "two_slices": N,
        "unknown": N,
        "h200_3g": ("substitute", "GPU H100"),
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU H100"),
    },
    "h200-mig": {
        "a100_1g5": ("substitute", "MIG 1g.18gb"),
        "a100_whole": ("substitute", "GPU H200"),
        "a100_80": ("substitute", "GPU H200"),
        "h100": ("substitute", "GPU H200"),
        "t4": ("substitute", "GPU H200"),
        "l4": ("substitute", "GPU H200"),
        "two_gpus": N,  # one whole GPU; MIG devices cannot serve a multi-GPU task
        "two_slices": N,
        "unknown": N,
        "h200_3g": ("exact", "MIG 3g.71gb"),
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU H200"),
    },
    "l4-workstation": {
        "a100_1g5": ("substitute", "GPU L4"),
        "a100_whole": N,
        "a100_80": N,
        "h100": N,
        "t4": ("substitute", "GPU L4"),
        "l4": ("exact", "GPU L4"),
        "two_gpus": ("exact", "2 GPU L4"),
        "two_slices": N,
        "unknown": N,
        "h200_3g": N,
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU L4"),
    },
    "t4": {
        "a100_1g5": ("substitute", "GPU T4"),
        "a100_whole": N,
        "a100_80": N,
        "h100": N,
        "t4": ("exact", "GPU T4"),
        "l4": N,  # 15 GiB < the L4's 24 GB
        "two_gpus": N,
        "two_slices": N,
        "unknown": N,
        "h200_3g": N,
        "cpu_only": N,
        "strict_t4": ("exact", "GPU T4"),
    },
    "rtx4090": {
        "a100_1g5": ("substitute", "GPU RTX_4090"),
        "a100_whole": N,
        "a100_80": N,
        "h100": N,
        "t4": ("substitute", "GPU RTX_4090"),
        "l4": ("substitute", "GPU RTX_4090"),
        "two_gpus": N,
        "two_slices": N,
        "unknown": N,
        "h200_3g": N,
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU RTX_4090"),
    },
    "legacy-mig-driver": {
        "a100_1g5": ("compatible", "MIG 3g.20gb"),  # a larger slice of the same family
        "a100_whole": ("exact", "GPU A100"),
        "a100_80": N,
        "h100": N,
        "t4": ("substitute", "GPU A100"),
        "l4": ("substitute", "GPU A100"),
        "two_gpus": N,
        "two_slices": N,
        "unknown": N,
        "h200_3g": N,
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU A100"),
    },
    "no-permission": {
        "a100_1g5": ("substitute", "GPU A10G"),
        "a100_whole": N,
        "a100_80": N,
        "h100": N,
        "t4": ("substitute", "GPU A10G"),
        "l4": ("substitute", "GPU A10G"),
        "two_gpus": ("exact", "2 GPU A10G"),
        "two_slices": N,
        "unknown": N,
        "h200_3g": N,
        "cpu_only": N,
        "strict_t4": ("substitute", "GPU A10G"),
    },
    "no-driver": dict.fromkeys(ORDER, N),
    "driver-not-loaded": dict.fromkeys(ORDER, N),
}


@pytest.fixture(scope="module")
def tasks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "scenario_tasks.py"
    path.write_text(TASKS)
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "PODPLAN_LOCAL_GPU", "PODPLAN_FAKE_NVML"):
        monkeypatch.delenv(key, raising=False)


def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, profile: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("PODPLAN_FAKE_NVML", profile)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def pinned_to(data: dict[str, Any], cvd: str) -> str | None:
    """Describe what ``CUDA_VISIBLE_DEVICES`` points at, from the inventory of the same run."""
    if not cvd:
        return None
    ids = cvd.split(",")
    found = []
    for gpu in data["devices"]:
        if gpu["uuid"] in ids:
            found.append(f"GPU {gpu['model']}")
        found.extend(f"MIG {m['profile']}" for m in gpu["mig"] if m["uuid"] in ids)
    assert len(found) == len(ids), (cvd, found)
    assert len(set(found)) == 1, found
    return found[0] if len(found) == 1 else f"{len(found)} {found[0]}"


@pytest.mark.parametrize("profile", sorted(EXPECTED))
def test_placements_per_profile(
    profile: str, tasks_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(capsys, monkeypatch, profile, "gpus", "--for", str(tasks_file), "--json")
    data = json.loads(out)
    # strict_t4 carries local_gpu_policy = "strict": refused (exit 1) everywhere but on a T4
    assert code == (0 if profile == "t4" else 1)
    tasks = {t["task"].rsplit(".", 1)[1]: t for t in data["tasks"]}
    assert list(tasks) == ORDER
    for name, (level, where) in EXPECTED[profile].items():
        placement = tasks[name]["placement"]
        assert set(placement) >= {"level", "cuda_visible_devices", "message"}
        assert (placement["level"], pinned_to(data, placement["cuda_visible_devices"])) == (level, where), (
            name
        )
        assert placement["message"]
    assert "Traceback" not in err


def test_t4_profile_exits_0_when_the_strict_task_matches_exactly(
    tasks_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(capsys, monkeypatch, "t4", "gpus", "--for", f"{tasks_file}:strict_t4", "--json")
    assert code == 0
    (task,) = json.loads(out)["tasks"]
    assert (task["policy"], task["action"], task["placement"]["level"]) == ("strict", "pinned", "exact")


ACTIONS = {
    # level -> policy -> action
    "exact": dict.fromkeys(("strict", "warn", "cpu"), "pinned"),
    "compatible": dict.fromkeys(("strict", "warn", "cpu"), "pinned"),
    "substitute": {
        "strict": "refused (policy strict)",
        "warn": "pinned to a substitute",
        "cpu": "pinned to a substitute",
    },
    "none": {
        "strict": "refused (policy strict)",
        "warn": "runs unpinned",
        "cpu": "runs on CPU (GPUs hidden)",
    },
}


@pytest.mark.parametrize("policy", ["strict", "warn", "cpu", "off"])
@pytest.mark.parametrize("source", ["flag", "env"])
@pytest.mark.parametrize("profile", ["dgx-a100-mig", "l4-workstation", "no-driver"])
def test_policy_actions_and_exit_codes(
    policy: str,
    source: str,
    profile: str,
    tasks_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["gpus", "--for", str(tasks_file), "--json"]
    if source == "flag":
        args += ["--policy", policy]
    else:
        monkeypatch.setenv("PODPLAN_LOCAL_GPU", policy)
    code, out, _ = run_cli(capsys, monkeypatch, profile, *args)
    tasks = {t["task"].rsplit(".", 1)[1]: t for t in json.loads(out)["tasks"]}
    refused = False
    for name, task in tasks.items():
        # the task attribute beats the environment; the --policy flag beats both
        expected_policy = "strict" if name == "strict_t4" and source == "env" else policy
        assert task["policy"] == expected_policy, name
        level = task["placement"]["level"]
        if expected_policy == "off":
            assert task["action"] == "not placed (policy off)"
        elif name == "cpu_only":
            assert task["action"] == "no GPU requested"
        else:
            assert task["action"] == ACTIONS[level][expected_policy], (name, level)
        refused |= task["action"].startswith("refused")
    assert code == (1 if refused else 0)
    assert refused == (policy == "strict" or (source == "env" and profile != "t4"))


@pytest.mark.parametrize("profile", ["no-driver", "driver-not-loaded"])
def test_fault_profiles_say_why_in_every_placement(
    profile: str, tasks_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(capsys, monkeypatch, profile, "gpus", "--for", str(tasks_file), "--json")
    data = json.loads(out)
    assert (data["status"], data["devices"]) == (profile, [])
    for task in data["tasks"]:
        if task["task"].endswith("cpu_only"):
            assert task["placement"]["message"] == "task requests no GPU; runs on CPU"
        else:
            assert f"no usable GPU ({profile}: " in task["placement"]["message"]
            assert data["reason"] in task["placement"]["message"]
    assert code == 1 and "Traceback" not in err  # only the strict_t4 task is refused


@pytest.mark.parametrize("profile", profile_names())
def test_gpus_json_contract_exact_keys(
    profile: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(capsys, monkeypatch, profile, "gpus", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["status"] in ("ok", "no-driver", "driver-not-loaded", "no-permission", "error")
    assert isinstance(data["reason"], str) and data["reason"]
    for dev in data["devices"]:
        assert dev["uuid"].startswith("GPU-")
        assert isinstance(dev["index"], int) and isinstance(dev["memory_bytes"], int)
        for mig in dev["mig"]:
            assert mig["uuid"].startswith("MIG-")
            assert isinstance(mig["memory_bytes"], int) and mig["profile"]


MODELS = {
    "dgx-a100-mig": [("NVIDIA A100-SXM4-40GB", "A100", "nvidia-tesla-a100")] * 8,
    "h100-sxm": [("NVIDIA H100 80GB HBM3", "H100", "nvidia-h100")] * 8,
    "h200-mig": [("NVIDIA H200", "H200", "nvidia-h200")] * 2,
    "l4-workstation": [("NVIDIA L4", "L4", "nvidia-l4")] * 2,
    "t4": [("Tesla T4", "T4", "nvidia-tesla-t4")],
    "rtx4090": [("NVIDIA GeForce RTX 4090", "RTX_4090", "nvidia-geforce-rtx-4090")],
    "legacy-mig-driver": [("A100-SXM4-40GB", "A100", "nvidia-tesla-a100")] * 2,
    "no-permission": [("NVIDIA A10G", "A10G", "nvidia-a10g")] * 3,
    "no-driver": [],
    "driver-not-loaded": [],
}
MIGS = {
    "dgx-a100-mig": {0: ["1g.5gb"] * 7, 1: ["3g.20gb", "2g.10gb", "1c.2g.10gb", "1c.2g.10gb"]},
    "h200-mig": {0: ["3g.71gb", "2g.35gb", "1g.18gb", "1g.18gb"]},
    "legacy-mig-driver": {0: ["3g.20gb", "3g.20gb"]},
}
STATUS = {
    "no-driver": "no-driver",
    "driver-not-loaded": "driver-not-loaded",
    "no-permission": "no-permission",
}


@pytest.mark.parametrize("profile", sorted(MODELS))
def test_canonical_models_and_mig_profiles(
    profile: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run_cli(capsys, monkeypatch, profile, "gpus", "--json")
    data = json.loads(out)
    assert data["status"] == STATUS.get(profile, "ok")
    assert [(d["name"], d["model"], d["device"]) for d in data["devices"]] == MODELS[profile]
    migs = {d["index"]: [m["profile"] for m in d["mig"]] for d in data["devices"] if d["mig"]}
    assert migs == MIGS.get(profile, {})
    if profile == "legacy-mig-driver":
        assert all(m["uuid"].startswith("MIG-GPU-") for d in data["devices"] for m in d["mig"])
    if profile == "no-permission":
        assert [d["index"] for d in data["devices"]] == [0, 1, 3]
        assert "no permission to open GPU 2" in data["reason"] and "3 of 4 GPUs usable" in data["reason"]


# --- a synthetic A100 80GB machine (a JSON profile path) ------------------------------------------
def _a100_80gb_profile() -> dict[str, Any]:
    base = load_profile("h200-mig")
    gpu0, gpu1 = base["devices"]
    total = 81920 << 20
    for dev, uuid in (
        (gpu0, "GPU-a0000000-0000-4000-8000-000000000000"),
        (gpu1, "GPU-a1111111-0000-4000-8000-0000000000"),
    ):
        dev.update(name="NVIDIA A100-SXM4-80GB", uuid=uuid, compute_capability=[8, 0], architecture=7)
        dev["memory"] = {"total": total, "reserved": 0, "used": 0}
    slices = [  # (uuid, profile name as NVML suffixes it, g, c, memory MiB)
        ("MIG-b0000000-0000-4000-8000-000000000001", "1g.10gb+me", 1, 1, 9856),
        ("MIG-b0000000-0000-4000-8000-000000000002", "1g.10gb", 1, 1, 9856),
        ("MIG-b0000000-0000-4000-8000-000000000003", "2g.20gb", 2, 2, 19968),
        ("MIG-b0000000-0000-4000-8000-000000000004", "3g.40gb", 3, 3, 40192),
    ]
    gpu0["mig_devices"] = [
        {
            "slot": i,
            "uuid": uuid,
            "name": f"NVIDIA A100-SXM4-80GB MIG {name}",
            "gpu_instance_id": i + 1,
            "compute_instance_id": 0,
            "attributes": {
                "gpu_slices": g,
                "compute_slices": c,
                "memory_mb": mb,
                "multiprocessor_count": 14 * g,
            },
            "memory": {"total": mb << 20, "used": 0},
        }
        for i, (uuid, name, g, c, mb) in enumerate(slices)
    ]
    return base


@pytest.fixture(scope="module")
def a100_80gb(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("profiles") / "a100-80gb.json"
    path.write_text(json.dumps(_a100_80gb_profile()))
    return str(path)


def test_a100_80gb_machine_from_a_json_path(
    a100_80gb: str, tasks_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(capsys, monkeypatch, a100_80gb, "gpus", "--for", str(tasks_file), "--json")
    data = json.loads(out)
    assert [(d["model"], d["device"]) for d in data["devices"]] == [("A100_80GB", "nvidia-a100-80gb")] * 2
    # +me comes from the NVML name suffix (the unprivileged attributes cannot tell it)
    assert [m["profile"] for m in data["devices"][0]["mig"]] == [
        "1g.10gb+me",
        "1g.10gb",
        "2g.20gb",
        "3g.40gb",
    ]
    tasks = {t["task"].rsplit(".", 1)[1]: t["placement"] for t in data["tasks"]}
    got = {name: (p["level"], pinned_to(data, p["cuda_visible_devices"])) for name, p in tasks.items()}
    assert got["a100_80"] == ("exact", "GPU A100_80GB")
    assert got["a100_whole"] == ("compatible", "GPU A100_80GB")  # same family, more memory
    # the smallest covering slice of the same family, the plain 1g.10gb before the +me one
    assert got["a100_1g5"] == ("compatible", "MIG 1g.10gb")
    assert got["h100"] == ("substitute", "GPU A100_80GB")
    assert got["two_gpus"] == ("none", None)  # one whole GPU: GPU 0 is in MIG mode
    assert code == 1


def test_whole_gpu_request_on_an_all_mig_machine_explains_why(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = _a100_80gb_profile()
    profile["devices"] = profile["devices"][:1]
    path = tmp_path / "one-mig-gpu.json"
    path.write_text(json.dumps(profile))
    tasks = tmp_path / "whole_task.py"
    tasks.write_text(
        "from podplan import task, Resources\nfrom podplan.accelerators import A100_80GB\n"
        "@task(accelerator=A100_80GB, requests=Resources(gpu=1))\ndef whole() -> None: ...\n"
    )
    _, out, _ = run_cli(capsys, monkeypatch, str(path), "gpus", "--for", str(tasks), "--json")
    (task,) = json.loads(out)["tasks"]
    assert task["placement"]["level"] == "none"
    assert "every GPU here is in MIG mode" in task["placement"]["message"]


def test_overrides_node_uses_the_merged_declaration(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples" / "overrides.py"
    _, out, _ = run_cli(capsys, monkeypatch, "dgx-a100-mig", "gpus", "--for", str(examples), "--json")
    tasks = {t["task"]: t["placement"] for t in json.loads(out)["tasks"]}
    large = tasks["overrides.embed_large"]
    assert large["level"] == "exact" and large["requested"] == "nvidia-tesla-a100 3g.20gb x1"
    assert "assuming 1 GPU" not in large["message"]  # the GPU count comes from the task
    assert tasks["overrides.embed"]["requested"] == "nvidia-tesla-t4 x1"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["gpus", "--for", "/nonexistent/tasks.py"], "no such file"),
        (["gpus", "--for", "nonexistent_module_xyz"], "no module named"),
    ],
)
def test_gpus_bad_target_is_a_usage_error(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run_cli(capsys, monkeypatch, "t4", *args)
    assert code == 2 and words in err and "Traceback" not in err


def test_bad_policy_environment_is_a_usage_error(
    tasks_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODPLAN_LOCAL_GPU", "sometimes")
    code, _, err = run_cli(capsys, monkeypatch, "t4", "gpus", "--for", str(tasks_file))
    assert code == 2 and "PODPLAN_LOCAL_GPU must be one of strict, warn, cpu, off" in err
