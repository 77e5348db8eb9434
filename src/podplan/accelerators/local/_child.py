"""Bootstrap of an isolated task process (``python -m podplan.accelerators.local._child PAYLOAD``).

Applies the placement environment and CPU affinity first — before any user code, so before CUDA
initialises — then runs the callable or loads the target task, and writes
``(ok, value_or_exception, type name, message, traceback)`` to the result file.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from pathlib import Path
from typing import Any


def _call(payload: Any) -> Any:
    kind = payload[0]
    if kind == "call":
        _, func, args, kwargs = payload
        return func(*args, **kwargs)
    _, target, task_name, kwargs = payload
    from podplan.accelerators.local.targets import load_tasks, select_task

    task = select_task(load_tasks(target), task_name, target)
    return task(**kwargs)


def run_payload(header: dict[str, Any], payload: Any) -> int:
    """Run one payload in this (child) process; return the exit code."""
    os.environ.update(header.get("env") or {})
    cpus = header.get("cpus")
    if cpus and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, cpus)
        except OSError as exc:
            print(f"podplan: CPU affinity {cpus} not applied: {exc}", file=sys.stderr)
    sys.path[:] = [p for p in header.get("sys_path", sys.path)]
    try:
        if isinstance(payload, bytes):
            payload = pickle.loads(payload)
        out: tuple[Any, ...] = (True, _call(payload), None, None, None)
    except BaseException as exc:
        out = (False, exc, type(exc).__qualname__, str(exc), traceback.format_exc())
    try:
        data = pickle.dumps(out)
    except Exception as exc:
        ok, value, name, message, trace = out
        if ok:
            out = (False, None, "PicklingError", f"the task's return value cannot be sent back: {exc}", "")
        else:
            out = (False, None, name or type(value).__qualname__, message, trace)
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
