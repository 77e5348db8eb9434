"""The fake-NVML profile format: loading, validating, naming NVML errors.

A profile is a JSON table of one machine as NVML reports it (the shape
:class:`podplan.testing.FakeNVML` replays and :func:`~podplan.accelerators.local.dump.dump_profile`
records). Built-in profiles live in ``podplan/testing/profiles/``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from podplan.errors import GPUProfileError

__all__ = ["PROFILE_DIR", "error_class", "load_profile", "profile_names"]

PROFILE_DIR = Path(__file__).resolve().parents[2] / "testing" / "profiles"


def profile_names() -> list[str]:
    """The names of the built-in profiles (``dgx-a100-mig``, ``h100-sxm``, ``no-driver`` …)."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json"))


def load_profile(profile: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """Return a profile as a dict: a built-in name, a path to a JSON file, or a mapping."""
    if isinstance(profile, Mapping):
        data: Any = json.loads(json.dumps(profile))
    else:
        text = str(profile)
        path = PROFILE_DIR / f"{text}.json" if text in profile_names() else Path(text)
        if not path.is_file():
            raise GPUProfileError(
                f"GPU profile {text!r} is neither a built-in profile ({', '.join(profile_names())}) "
                "nor a JSON file"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GPUProfileError(f"GPU profile {str(path)!r} is not readable JSON: {exc}") from None
    _validate(data)
    return data


def _validate(data: Any) -> None:
    if not isinstance(data, dict):
        raise GPUProfileError(f"GPU profile must be a JSON object, got {type(data).__name__}")
    devices = data.get("devices", [])
    if not isinstance(devices, list):
        raise GPUProfileError("GPU profile key 'devices' must be a list")
    for i, dev in enumerate(devices):
        for key in ("name", "uuid", "memory"):
            if not isinstance(dev, dict) or key not in dev:
                raise GPUProfileError(f"GPU profile devices[{i}] lacks the key {key!r}")
        for j, mig in enumerate(dev.get("mig_devices") or []):
            if "slot" not in mig or ("error" not in mig and "uuid" not in mig):
                raise GPUProfileError(
                    f"GPU profile devices[{i}].mig_devices[{j}] needs 'slot' and either 'uuid' or 'error'"
                )


def error_class(nv: Any, spec: Any) -> type[BaseException]:
    """``"NoPermission"``, ``"NVMLError_NoPermission"``, ``"NVML_ERROR_NO_PERMISSION"``, ``4``, a
    class or an instance → the exception class to raise."""
    if isinstance(spec, BaseException):
        return type(spec)
    if isinstance(spec, type) and issubclass(spec, BaseException):
        return spec
    if isinstance(spec, int) and not isinstance(spec, bool):
        return nv.nvmlExceptionClass(spec)
    if isinstance(spec, str):
        if spec == "LibraryMismatch":
            return nv.NVMLLibraryMismatchError
        if spec.startswith("NVML_ERROR_"):
            return nv.nvmlExceptionClass(getattr(nv, spec))
        cls = getattr(nv, spec if spec.startswith("NVMLError_") else f"NVMLError_{spec}", None)
        if isinstance(cls, type):
            return cls
    raise GPUProfileError(f"unknown NVML error {spec!r}; use e.g. 'NoPermission', 'NotFound' or a code")
