"""``podplan run TARGET``: run one task locally, placed on a matching local GPU or MIG slice.

``--isolate`` runs it in a child process that emulates the pod: GPU placement set before CUDA
starts, CPU affinity for the CPU limit, a memory watchdog for the memory limit, the task timeout
killing the process group, and GPU sampling ending in a right-sizing line.

Exit codes: 0 success; 1 the task failed, timed out, was OOM-killed or could not be placed under
``--policy strict``; 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
import warnings
from typing import IO, Any

MIB = 1 << 20


def register(subparsers: Any) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="run a task locally on a matching GPU or MIG slice (--isolate emulates the pod's limits)",
        description="Run one task locally. The task's accelerator is placed on a matching local GPU "
        "or MIG device (CUDA_VISIBLE_DEVICES by UUID). --isolate runs it in a child process with the "
        "pod's CPU, memory and timeout limits emulated.",
    )
    parser.add_argument("target", metavar="TARGET", help="file.py:task or package.module:task")
    parser.add_argument("--isolate", action="store_true", help="run in an isolated child process")
    parser.add_argument("--policy", choices=("strict", "warn", "cpu", "off"), help="local GPU policy")
    parser.add_argument(
        "--input",
        "-i",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a task input (VALUE is JSON when it parses, else a string); repeatable",
    )
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="override the task's timeout (--isolate)"
    )
    parser.add_argument("--json", action="store_true", help="print the result and measurements as JSON")
    parser.set_defaults(func=run)


def _inputs(pairs: list[str], declared: Any = None) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` pairs: VALUE is JSON when it parses, else a string; an input declared
    ``str`` always takes the raw text (``-i tag=007`` stays ``"007"``)."""
    from podplan.errors import TargetError

    types = dict(declared) if declared else {}
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise TargetError(f"--input expects NAME=VALUE, got {pair!r}")
        if types.get(name) is str:
            out[name] = raw
            continue
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def _interface(task: Any) -> Any:
    inner = getattr(task, "task", None) if hasattr(task, "overrides") else None
    return getattr(inner if inner is not None else task, "python_interface", None)


def _check_inputs(task: Any, name: str, inputs: dict[str, Any], target: str) -> None:
    """Bind the inputs to the task's interface before running: a wrong, missing or ill-typed input
    is a usage error (exit 2), not a task failure."""
    from podplan.errors import PodplanError, TargetError

    bind = getattr(_interface(task), "bind_inputs", None)
    if bind is None:
        return
    try:
        bind((), dict(inputs))
    except (PodplanError, TypeError, ValueError) as exc:
        declared = getattr(_interface(task), "inputs", None) or {}
        listing = ", ".join(f"{k} ({getattr(t, '__name__', t)})" for k, t in dict(declared).items()) or "none"
        raise TargetError(
            f"{target}: bad inputs for task {name!r}: {exc} (its inputs: {listing}; pass -i NAME=VALUE)"
        ) from None


def _show(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _json_value(value: Any) -> Any:
    """The task's value as JSON data: itself when JSON can hold it, else its ``repr`` string."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def run(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Execute ``podplan run``; return the exit code."""
    from podplan.accelerators.local.targets import needs_of
    from podplan.cli.targets import load_tasks, select_task
    from podplan.errors import TargetError

    stream = out if out is not None else sys.stdout
    task = select_task(load_tasks(args.target), None, args.target)
    needs = needs_of(task)
    inputs = _inputs(args.input, getattr(_interface(task), "inputs", None))
    _check_inputs(task, needs.name, inputs, args.target)
    if args.timeout is not None and not args.isolate:
        raise TargetError("--timeout needs --isolate (only an isolated run can be killed)")
    if args.timeout is not None and args.timeout <= 0:
        raise TargetError(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
    with warnings.catch_warnings():
        _plain_gpu_warnings()
        return _execute(args, task, needs, inputs, stream)


def _plain_gpu_warnings() -> None:
    """Show ``LocalGPUWarning`` as one ``podplan run: warning: …`` line (no source location);
    other warnings keep Python's format. Call inside ``warnings.catch_warnings()``."""
    from podplan.errors import LocalGPUWarning

    shown = warnings.showwarning
    warnings.simplefilter("always", LocalGPUWarning)

    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        if isinstance(category, type) and issubclass(category, LocalGPUWarning):
            print(f"podplan run: warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def _execute(args: argparse.Namespace, task: Any, needs: Any, inputs: dict[str, Any], stream: IO[str]) -> int:
    from podplan.errors import LocalExecutionError, OOMKilledError, PlacementError, TaskTimeoutError

    try:
        if args.isolate:
            return _isolated(args, needs, inputs, stream)
        from podplan.accelerators.local.policy import gpu_policy

        if args.policy:
            with gpu_policy(args.policy):
                value = task(**inputs)
        else:
            value = task(**inputs)
    except (TaskTimeoutError, OOMKilledError, PlacementError, LocalExecutionError) as exc:
        print(f"podplan run: {type(exc).__name__}: {exc}", file=sys.stderr)
        _json_error(args, stream, needs.name, exc)
        return 1
    except Exception as exc:
        traceback.print_exc()
        print(f"podplan run: task {needs.name!r} failed", file=sys.stderr)
        _json_error(args, stream, needs.name, exc)
        return 1
    if args.json:
        stream.write(json.dumps({"task": needs.name, "value": _json_value(value)}) + "\n")
    else:
        stream.write(_show(value) + "\n")
    return 0


def _json_error(args: argparse.Namespace, stream: IO[str], name: str, exc: BaseException) -> None:
    """With ``--json``, a failed run still prints one JSON object: ``{"task", "error": {"type",
    "message"}}`` (``type`` is ``TaskTimeoutError``, ``OOMKilledError``, ``PlacementError`` … or the
    task's own exception class)."""
    if args.json:
        error = {"type": type(exc).__name__, "message": str(exc)}
        stream.write(json.dumps({"task": name, "error": error}) + "\n")


def _isolated(args: argparse.Namespace, needs: Any, inputs: dict[str, Any], stream: IO[str]) -> int:
    from podplan.accelerators.local.isolate import run_isolated
    from podplan.cli.targets import TargetCall

    result = run_isolated(
        TargetCall(args.target),  # the child selects the same single task from the target
        kwargs=inputs,
        task_name=needs.name,
        accelerator=needs.accelerator,
        gpu=needs.gpu,
        cpu=needs.cpu,
        memory=needs.memory,
        timeout=args.timeout if args.timeout is not None else needs.timeout,
        task_policy=needs.policy,
        policy=args.policy,
    )
    placement = result.placement
    if args.json:
        stream.write(
            json.dumps(
                {
                    "task": needs.name,
                    "value": _json_value(result.value),
                    "placement": placement.to_json() if placement else None,
                    "duration_s": round(result.duration_s, 3),
                    "peak_rss_bytes": result.peak_rss_bytes,
                    "peak_gpu_memory_bytes": result.peak_gpu_memory_bytes,
                    "peak_gpu_utilization": result.peak_gpu_utilization,
                    "cpus": list(result.cpus) if result.cpus else None,
                    "memory_mode": result.memory_mode,
                    "report": result.report,
                    "notes": list(result.notes),
                }
            )
            + "\n"
        )
        return 0
    stream.write(_show(result.value) + "\n")
    err = sys.stderr
    if placement is not None:
        print(f"placement: {placement.message}", file=err)
    rss = f"{result.peak_rss_bytes / MIB:.0f} MiB" if result.peak_rss_bytes is not None else "n/a"
    cpus = f", CPUs {','.join(map(str, result.cpus))}" if result.cpus else ""
    print(f"ran {result.duration_s:.2f}s, peak RSS {rss}{cpus}", file=err)
    print(result.report, file=err)
    for note in result.notes:
        print(f"note: {note}", file=err)
    return 0
