"""The README's set-up commands stay true: the main job prints a schema-valid Pod."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Set up.*?```bash\n(.*?)```", text, re.S)
    assert block, "README has no set-up block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "podplan preview" in commands[0]
    assert "pytest" in commands[1]


def test_main_job_prints_a_schema_valid_pod() -> None:
    main_job = _readme_commands()[0].split("&&")[-1].strip()
    argv = shlex.split(main_job)
    assert argv[0] == "podplan"
    proc = subprocess.run(
        [sys.executable, "-m", "podplan", *argv[1:]], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    pod = yaml.safe_load(proc.stdout)
    assert pod["kind"] == "Pod" and pod["apiVersion"] == "v1"
    kubernetes_validate.validate(pod, "1.30", strict=True)
    limits = pod["spec"]["containers"][0]["resources"]["limits"]
    assert any(key.startswith("nvidia.com/") for key in limits)
