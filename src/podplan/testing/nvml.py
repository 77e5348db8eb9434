"""The fake NVML for tests: :class:`FakeNVML` and the :func:`fake_nvml` context manager.

The fake itself lives in :mod:`podplan.accelerators.local.fake`, beside the NVML boundary that
``PODPLAN_FAKE_NVML`` swaps at run time; this module is its public home for test code.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from podplan.accelerators.local.backend import use_backend
from podplan.accelerators.local.fake import PROFILE_DIR, FakeHandle, FakeNVML, load_profile, profile_names

__all__ = ["PROFILE_DIR", "FakeHandle", "FakeNVML", "fake_nvml", "load_profile", "profile_names"]


@contextlib.contextmanager
def fake_nvml(
    profile: str | Path | Mapping[str, Any] | FakeNVML = "dgx-a100-mig", *, patch_pynvml: bool = False
) -> Iterator[FakeNVML]:
    """Install a :class:`FakeNVML` as podplan's NVML backend for the duration of the block.

    ``detect()``, local task execution and the CLI functions then see the profile's machine.
    ``patch_pynvml=True`` also puts the fake in ``sys.modules["pynvml"]`` for third-party code.
    """
    fake = profile if isinstance(profile, FakeNVML) else FakeNVML(profile)
    saved = sys.modules.get("pynvml")
    with use_backend(fake):
        if patch_pynvml:
            sys.modules["pynvml"] = fake  # type: ignore[assignment]
        try:
            yield fake
        finally:
            if patch_pynvml:
                if saved is None:
                    sys.modules.pop("pynvml", None)
                else:
                    sys.modules["pynvml"] = saved
