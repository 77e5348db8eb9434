"""Process-group helpers for the isolated runner (Linux ``/proc``; degrade gracefully elsewhere)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from typing import Final

__all__ = ["group_pids", "group_rss", "kill_group", "pick_cpus", "reap_group"]

_PAGE: Final = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _stat_fields(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read().decode(errors="replace")
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def group_pids(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (the isolated task and its children)."""
    out = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return [pgid]
    for entry in entries:
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields and len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
                out.append(int(entry))
    return out


def group_rss(pgid: int) -> int | None:
    """Resident memory of the whole process group in bytes (``None`` without ``/proc``)."""
    if not os.path.isdir("/proc"):
        return None
    total = 0
    for pid in group_pids(pgid):
        fields = _stat_fields(str(pid))
        if fields and len(fields) > 21:
            total += int(fields[21]) * _PAGE
    return total


def _group_alive(pgid: int, alive: Callable[[], bool]) -> bool:
    """True while the leader or any other live member of the group runs (``/proc`` permitting)."""
    leader = alive()
    if not os.path.isdir("/proc"):
        return leader
    return leader or bool(group_pids(pgid))


def kill_group(pgid: int, grace: float, alive: Callable[[], bool]) -> str:
    """SIGTERM the whole process group, wait up to ``grace`` seconds for *every* member (the task
    and the processes it started) to exit, then SIGKILL the group; return what was sent.

    ``alive`` is a callable returning True while the group leader has not exited (it also reaps
    the leader). A child that ignores SIGTERM is killed even when the leader has already exited.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _group_alive(pgid, alive):
            return "SIGTERM"
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    return f"SIGTERM, then SIGKILL after {grace:g}s"


def reap_group(pgid: int) -> int:
    """SIGKILL what is left of a finished task's process group (a pod's containers end with their
    main process); return how many processes were still running."""
    left = group_pids(pgid) if os.path.isdir("/proc") else []
    if left:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    return len(left)


def pick_cpus(cores: int) -> tuple[int, ...] | None:
    """The first ``cores`` CPUs this process may use (inside its cgroup cpuset), or ``None``
    where ``sched_setaffinity`` does not exist (macOS, Windows)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    return tuple(allowed[: max(1, min(cores, len(allowed)))])
