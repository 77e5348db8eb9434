"""Process-environment helpers shared by local task execution and local GPU placement."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator


@contextlib.contextmanager
def environ_restored(keys: Iterable[str]) -> Iterator[None]:
    """Snapshot ``keys`` of ``os.environ`` and restore them exactly on exit — also on exceptions
    and ``KeyboardInterrupt``: a key that was unset is removed again, any other gets its value
    back, whatever the block did to it."""
    saved = {key: os.environ.get(key) for key in keys}
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
