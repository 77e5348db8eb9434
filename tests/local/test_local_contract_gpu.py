"""Contract tests on real hardware: detect() on the real NVML equals detect() on a FakeNVML fed by
`podplan gpus --dump` of the same machine. Skipped where no NVIDIA GPU and driver are present."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pynvml
import pytest

from podplan.accelerators.local import detect
from podplan.accelerators.local.dump import dump_profile
from podplan.accelerators.local.names import split_mig_name
from podplan.testing import FakeNVML


def _real_gpu_present() -> bool:
    inventory = detect(pynvml, environ={})
    return inventory.status == "ok" and bool(inventory.devices)


pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not _real_gpu_present(), reason="needs an NVIDIA GPU with a loaded driver"),
]


def test_detect_equals_the_fake_fed_by_a_dump() -> None:
    real = detect(pynvml, environ={})
    replay = detect(FakeNVML(dump_profile(pynvml)), environ={})
    assert replay == real


def test_mig_names_agree_with_the_computed_profiles() -> None:
    for gpu in detect(pynvml, environ={}).devices:
        for mig in gpu.mig:
            _, named = split_mig_name(mig.name)
            if named is not None:
                assert named.split("+")[0] == mig.profile, mig


def test_cli_dump_replays_to_the_same_json(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PODPLAN_FAKE_NVML"}
    dump = tmp_path / "this-machine.json"
    run = [sys.executable, "-m", "podplan", "gpus"]
    subprocess.run([*run, "--dump", "-o", str(dump)], check=True, env=env, timeout=60)
    real = json.loads(
        subprocess.run([*run, "--json"], check=True, env=env, capture_output=True, text=True).stdout
    )
    env["PODPLAN_FAKE_NVML"] = str(dump)
    fake = json.loads(
        subprocess.run([*run, "--json"], check=True, env=env, capture_output=True, text=True).stdout
    )
    assert fake["devices"] == real["devices"]
    assert fake["status"] == real["status"]
