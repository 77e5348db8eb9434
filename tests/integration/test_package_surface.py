"""The package surface: lazy exports resolve, stay light, and the CLI is wired."""

from __future__ import annotations

import subprocess
import sys

import pytest

import podplan
from podplan.cli.main import COMMANDS, build_parser

HEAVY = ("google.protobuf", "flyteidl", "kubernetes", "numpy", "pynvml", "pydantic", "yaml")


def test_import_podplan_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, podplan\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", [n for n in podplan.__all__ if n != "__version__"])
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(podplan, name)
    assert value is not None
    assert getattr(podplan, name) is value  # cached after the first lookup


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        podplan.no_such_name  # noqa: B018


def test_flytekit_contract_names_are_exported() -> None:
    for name in (
        "task", "Resources", "ResourceSpec", "PodTemplate", "Secret", "Cache", "Echo",
        "ReferenceTask", "reference_task", "TaskPlugins", "eager", "decorate_function",
        "SerializationSettings", "ImageConfig", "Image",
    ):
        assert name in podplan.__all__
    assert hasattr(podplan.Secret, "MountType")


def test_every_cli_command_is_registered() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(COMMANDS)  # type: ignore[union-attr]


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"podplan {podplan.__version__}"


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert sorted(podplan.__all__) == sorted(["__version__", *podplan._EXPORTS])


PACKAGES = (
    "podplan",
    "podplan.resources",
    "podplan.accelerators",
    "podplan.accelerators.local",
    "podplan.tasks",
    "podplan.podspec",
    "podplan.planning",
    "podplan.testing",
)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_export_is_shadowed_by_a_submodule(package: str) -> None:
    """Importing a submodule sets it as an attribute of its package; an exported function of the
    same name would then resolve to the module. Run in a fresh interpreter that imports every
    submodule first, then reads every export."""
    code = (
        "import importlib, pkgutil, types\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for info in pkgutil.iter_modules(pkg.__path__):\n"
        "    if not info.name.startswith('_') and info.name != 'pytest_plugin':\n"
        "        importlib.import_module(pkg.__name__ + '.' + info.name)\n"
        "names = list(getattr(pkg, '__all__', [])) + list(getattr(pkg, '_EXPORTS', {}))\n"
        "bad = [n for n in names if isinstance(getattr(pkg, n), types.ModuleType)]\n"
        "print(','.join(sorted(set(bad))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{package}: exports shadowed by submodules: {out.stdout.strip()}"
