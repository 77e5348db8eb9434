"""Small CI profile of benchmarks/fuzz_resources.py: only podplan errors escape (issue item 9)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from podplan.errors import PodplanError

_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz_resources.py"


def _load():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("podplan_fuzz_resources", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fuzz_small_profile() -> None:
    fuzz = _load()
    fuzz.build(300, 0)()


def test_fuzz_cli_reports_examples(capsys: pytest.CaptureFixture[str]) -> None:
    fuzz = _load()
    assert fuzz.main(["--examples", "20", "--seed", "3"]) == 0
    assert "20 examples" in capsys.readouterr().out


def test_hostile_values_raise_podplan_errors() -> None:
    fuzz = _load()
    from podplan.resources import Quantity, Resources

    for value in (fuzz.Hostile("x"), fuzz.HostileList([1, 2]), fuzz.IndexOnly(10**5000)):
        with pytest.raises(PodplanError):
            Quantity(value)
    assert Quantity(fuzz.HostileStr("1")) == Quantity(fuzz.HostileInt(1)) == Quantity(1)
    assert Quantity(fuzz.IndexOnly(3)) == Quantity(3)
    with pytest.raises(PodplanError):
        Resources(cpu=fuzz.HostileList([1, 2]))
    # subclasses of str/int are read with the base-class methods
    assert Resources(cpu=fuzz.HostileStr("1"), mem=fuzz.HostileInt(2)) == Resources(cpu="1", mem=2)
