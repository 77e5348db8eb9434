"""``podplan catalog``: table, detail, JSON, colour rules, errors."""

from __future__ import annotations

import io
import json

import pytest

from podplan.cli import catalog as catalog_cli
from podplan.cli.main import build_parser, main

ANSI = "\033["


def test_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DEVICE", "VENDOR", "ARCH", "MEMORY", "MIG", "FLYTEKIT"]
    row = next(line for line in lines if line.startswith("A100_80GB "))
    assert row.split() == [
        "A100_80GB",
        "nvidia-a100-80gb",
        "nvidia",
        "ampere",
        "80",
        "GiB",
        "yes",
        "A100_80GB",
    ]
    t4 = next(line for line in lines if line.startswith("T4 "))
    assert t4.split()[-2:] == ["no", "T4"]
    # columns are aligned: DEVICE starts at the same offset on every GPU row
    offset = lines[0].index("DEVICE")
    assert all(line[offset - 2 : offset] == "  " for line in lines[1:10])
    assert "tpu-v5p-slice" in out and "amd.com/gpu" in out and "habana.ai/gaudi" in out
    assert ANSI not in out  # capsys is not a terminal


def test_detail_of_a100(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "A100"]) == 0
    out = capsys.readouterr().out
    assert "nvidia-tesla-a100" in out
    assert "cloud.google.com/gke-accelerator" in out
    assert "NVIDIA-A100-SXM4-40GB" in out
    profiles = [
        line.split()
        for line in out.splitlines()
        if line.strip().startswith(("1g.", "2g.", "3g.", "4g.", "7g."))
    ]
    assert [p[0] for p in profiles] == [
        "1g.5gb",
        "1g.5gb+me",
        "1g.10gb",
        "2g.10gb",
        "3g.20gb",
        "4g.20gb",
        "7g.40gb",
    ]
    assert profiles[0][1] == "7" and profiles[0][-1] == "nvidia.com/mig-1g.5gb"


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["nvidia-a100-80gb"], "A100_80GB"),
        (["A100", "80G"], "A100_80GB"),
        (["nvidia-h100-80gb"], "H100"),
        (["NVIDIA L4"], "L4"),
        (["NVIDIA-A100-SXM4-80GB"], "A100_80GB"),
    ],
)
def test_detail_accepts_device_and_label_values(
    argv: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "--json", *argv]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == name and data["kind"] == "gpu"


def test_detail_non_mig(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "T4"]) == 0
    assert "none (not MIG-capable)" in capsys.readouterr().out


def test_detail_tpu_and_device_class(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "V5P"]) == 0
    out = capsys.readouterr().out
    assert "16x16x24" in out and "6144" in out and "cloud.google.com/gke-tpu-topology" in out
    assert main(["catalog", "Trn1"]) == 0
    out = capsys.readouterr().out
    assert "aws.amazon.com/neuron" in out and "aws.amazon.com/neuroncore" in out


def test_json_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"gpus", "tpus", "device_classes", "label_schemes"}
    a100 = next(g for g in data["gpus"] if g["name"] == "A100")
    assert a100["device"] == "nvidia-tesla-a100" and a100["memory_bytes"] == 40 << 30
    assert {p["name"]: p["max_instances"] for p in a100["mig_profiles"]}["1g.5gb"] == 7
    assert a100["labels"]["gke"] == ["nvidia-tesla-a100"]
    assert data["label_schemes"]["gke"]["label_key"] == "cloud.google.com/gke-accelerator"
    assert [t["device"] for t in data["tpus"]] == ["tpu-v5-lite-podslice", "tpu-v5p-slice", "tpu-v6e-slice"]
    assert any(d["resource_name"] == "habana.ai/gaudi" for d in data["device_classes"])


def test_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json", "--mig"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gpus"] and all(g["mig_capable"] for g in data["gpus"])
    assert data["tpus"] == [] and data["device_classes"] == []
    assert main(["catalog", "--json", "--vendor", "amd"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gpus"] == [] and data["tpus"] == []
    assert {d["vendor"] for d in data["device_classes"]} == {"amd"}
    assert main(["catalog", "--vendor", "google"]) == 0
    out = capsys.readouterr().out
    assert "tpu-v6e-slice" in out and "nvidia-tesla-t4" not in out


def test_unknown_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "A1000X"]) == 2
    err = capsys.readouterr().err
    assert "unknown accelerator 'A1000X'" in err


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(argv: list[str], stream: io.StringIO) -> str:
    args = build_parser().parse_args(["catalog", *argv])
    assert catalog_cli.run(args, out=stream) == 0
    return stream.getvalue()


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert ANSI in _run(["A100"], _TTY())
    assert ANSI not in _run(["A100"], io.StringIO())
    assert ANSI not in _run(["--color", "never"], _TTY())
    assert ANSI in _run(["--color", "always"], io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in _run(["A100"], _TTY())
    # JSON never carries colour
    monkeypatch.delenv("NO_COLOR")
    json.loads(_run(["--json", "A100"], _TTY()))


def test_help_lists_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["catalog", "--help"])
    assert "--json" in capsys.readouterr().out
