"""Bootstrap of an isolated task process (``python -m podplan.accelerators.local._child PAYLOAD``).

Applies the placement environment and CPU affinity first — before any user code, so before CUDA
initialises — then runs the callable and writes
``(ok, value_or_exception, type name, message, traceback, notes)`` to the result file (``notes``:
what the child could not emulate, reported by the parent with the run's other notes).
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from pathlib import Path
from typing import Any


def _call(payload: Any) -> Any:
    _, func, args, kwargs = payload
    return func(*args, **kwargs)


def run_payload(header: dict[str, Any], payload: Any) -> int:
    """Run one payload in this (child) process; return the exit code."""
    os.environ.update(header.get("env") or {})
    notes: tuple[str, ...] = ()
    cpus = header.get("cpus")
    if cpus and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, cpus)
        except OSError as exc:
            why = f"CPU affinity {list(cpus)} could not be applied ({exc})"
            notes = (f"{why}; the CPU limit is not emulated",)
    sys.path[:] = [p for p in header.get("sys_path", sys.path)]
    try:
        if isinstance(payload, bytes):
            payload = pickle.loads(payload)
        out: tuple[Any, ...] = (True, _call(payload), None, None, None, notes)
    except BaseException as exc:
        out = (False, exc, type(exc).__qualname__, str(exc), traceback.format_exc(), notes)
    try:
        data = pickle.dumps(out)
    except Exception as exc:
        ok, value, name, message, trace, _ = out
        if ok:
            why = f"the task's return value cannot be sent back: {exc}"
            out = (False, None, "PicklingError", why, "", notes)
        else:
            out = (False, None, name or type(value).__qualname__, message, trace, notes)
        data = pickle.dumps(out)
    Path(header["result"]).write_bytes(data)
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


def main(argv: list[str]) -> int:
    """Entry point of the spawned child."""
    header, body = pickle.loads(Path(argv[1]).read_bytes())
    return run_payload(header, body)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
