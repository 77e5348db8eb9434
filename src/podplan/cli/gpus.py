"""``podplan gpus``: local GPUs and MIG devices, where each task would be placed, profile dumps.

* ``podplan gpus [--json]`` — what NVML sees (status and reason when no GPU is usable);
* ``podplan gpus --for TARGET [--json] [--policy P]`` — the placement of every task of TARGET;
* ``podplan gpus --dump [-o FILE]`` — record this machine as a fake-NVML profile (replay it with
  ``PODPLAN_FAKE_NVML=FILE``).

Exit codes: 0; 1 with ``--policy strict`` when a task would be refused; 2 for usage errors (an
unknown target or ``PODPLAN_FAKE_NVML`` profile).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from typing import IO, Any

GIB = 1 << 30


def register(subparsers: Any) -> None:
    """Add the ``gpus`` sub-command."""
    parser = subparsers.add_parser(
        "gpus",
        help="local GPUs and MIG devices (NVML); where tasks would be placed",
        description="Detect local NVIDIA GPUs and MIG devices with NVML. With --for TARGET, show how "
        "each task would be placed. Set PODPLAN_FAKE_NVML=<profile|file.json> to use a recorded machine.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--for", dest="target", metavar="TARGET", help="file.py[:task] or package.module[:task]"
    )
    parser.add_argument(
        "--policy", choices=("strict", "warn", "cpu", "off"), help="local GPU policy to report"
    )
    parser.add_argument(
        "--dump", action="store_true", help="print this machine as a fake-NVML profile (JSON)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="with --dump: write the profile to FILE")
    parser.set_defaults(func=run)


def _action(placement: Any, policy: str) -> str:
    if policy == "off":
        return "not placed (policy off)"
    if placement.requested == "":
        return "no GPU requested"
    if placement.level in ("exact", "compatible"):
        return "pinned"
    if policy == "strict":
        return "refused (policy strict)"
    if placement.level == "substitute":
        return "pinned to a substitute"
    return "runs on CPU (GPUs hidden)" if policy == "cpu" else "runs unpinned"


def _tasks(target: str, inventory: Any, policy: str | None) -> list[dict[str, Any]]:
    from podplan.accelerators.local.match import match, request_for
    from podplan.accelerators.local.policy import resolve_policy
    from podplan.accelerators.local.targets import needs_of
    from podplan.cli.targets import load_named_tasks

    rows = []
    for qualified, task in load_named_tasks(target):
        needs = needs_of(task)
        placement = match(request_for(needs.accelerator, needs.gpu), inventory)
        chosen = resolve_policy(policy, needs.policy)
        rows.append(
            {
                "task": qualified,
                "placement": placement.to_json(),
                "policy": chosen,
                "action": _action(placement, chosen),
            }
        )
    return rows


def run(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Execute ``podplan gpus``; return the exit code."""
    stream = out if out is not None else sys.stdout
    if args.dump:
        from podplan.accelerators.local.dump import dump_profile

        text = json.dumps(dump_profile(), indent=1) + "\n"
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            stream.write(text)
        return 0
    from podplan.accelerators.local.detect import detect

    inventory = detect()
    data = inventory.to_json()
    if args.target:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data["tasks"] = _tasks(args.target, inventory, args.policy)
    if args.json:
        stream.write(json.dumps(data, indent=2) + "\n")
    else:
        _print_inventory(data, stream)
        if args.target:
            _print_tasks(data["tasks"], stream)
    refused = any(t["action"].startswith("refused") for t in data.get("tasks", []))
    return 1 if refused else 0


def _cuda(version: int | None) -> str:
    return f", CUDA {version // 1000}.{(version % 1000) // 10}" if version else ""


def _print_inventory(data: dict[str, Any], stream: IO[str]) -> None:
    driver = f"driver {data['driver_version']}" if data.get("driver_version") else ""
    extra = f" ({driver}{_cuda(data.get('cuda_driver_version'))})" if driver else ""
    stream.write(f"NVML: {data['status']} - {data['reason']}{extra}\n")
    if data["devices"]:
        rows = [("GPU", "NAME", "MODEL", "DEVICE", "MEMORY", "UUID")]
        for d in data["devices"]:
            rows.append(
                (
                    str(d["index"]),
                    d["name"],
                    d["model"] or "-",
                    d["device"] or "-",
                    f"{d['memory_bytes'] / GIB:.1f} GiB",
                    d["uuid"],
                )
            )
            for m in d["mig"]:
                rows.append(
                    (
                        "",
                        f"  MIG {m['profile']} (slot {m['index']})",
                        "",
                        "",
                        f"{m['memory_bytes'] / GIB:.1f} GiB",
                        m["uuid"],
                    )
                )
        _table(rows, stream)
    for note in data.get("diagnostics", []):
        stream.write(f"note: {note}\n")


def _print_tasks(tasks: list[dict[str, Any]], stream: IO[str]) -> None:
    stream.write("\n")
    rows = [("TASK", "LEVEL", "ACTION", "CUDA_VISIBLE_DEVICES")]
    for t in tasks:
        p = t["placement"]
        rows.append((t["task"], p["level"], t["action"], p["cuda_visible_devices"] or "-"))
    _table(rows, stream)
    for t in tasks:
        stream.write(f"{t['task']}: {t['placement']['message']}\n")


def _table(rows: Sequence[tuple[str, ...]], stream: IO[str]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        stream.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")
