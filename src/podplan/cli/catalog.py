"""``podplan catalog``: the accelerator catalog as a table, one model in detail, or JSON.

``podplan catalog`` lists every GPU model, TPU type and other device class;
``podplan catalog A100`` (a name, device string, node-label value or NVML name) shows one model's
node-label values per scheme and its MIG profiles; ``--json`` prints the same data for machines.
Colour is used only when stdout is a terminal and ``NO_COLOR`` is unset (or ``--color always``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from podplan.accelerators.catalog import DeviceClass, GPUModel, TPUType

_VENDORS = ("nvidia", "google", "amd", "aws", "intel")


def register(subparsers: Any) -> None:
    """Add the ``catalog`` sub-command."""
    parser = subparsers.add_parser(
        "catalog",
        help="list accelerators: GPU models, MIG profiles, TPU slices, node labels",
        description="Show the accelerator catalog. With NAME (a model name, device string, node-label "
        "value or NVML name), show that model's node-label values and MIG profiles.",
    )
    parser.add_argument(
        "name", nargs="*", metavar="NAME", help="e.g. A100, nvidia-h100-80gb, 'NVIDIA L4', A100 80G, V5P"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--vendor", choices=_VENDORS, help="only accelerators of this vendor")
    parser.add_argument("--mig", action="store_true", help="only MIG-capable GPU models")
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour output (default: auto)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Execute ``podplan catalog``; return the exit code."""
    stream = out if out is not None else sys.stdout
    try:
        return _run(args, stream)
    except BrokenPipeError:  # `podplan catalog | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace, stream: IO[str]) -> int:
    from podplan.accelerators import catalog

    style = _Style(_use_color(args.color, stream))
    name = " ".join(args.name).strip()
    if name:
        record = catalog.lookup(name)
        if args.json:
            _dump(_record_json(record), stream)
        else:
            _show_record(record, style, stream)
        return 0
    gpus = [m for m in catalog.all_models() if (not args.mig or m.mig_capable)]
    tpus = [] if args.mig else list(catalog.all_tpus())
    others = [] if args.mig else list(catalog.all_device_classes())
    if args.vendor:
        gpus = [m for m in gpus if m.vendor == args.vendor]
        tpus = tpus if args.vendor == "google" else []
        others = [d for d in others if d.vendor == args.vendor]
    if args.json:
        _dump(
            {
                "gpus": [_model_json(m) for m in gpus],
                "tpus": [_tpu_json(t) for t in tpus],
                "device_classes": [_device_json(d) for d in others],
                "label_schemes": {n: _scheme_json(s) for n, s in catalog.LABEL_SCHEMES.items()},
            },
            stream,
        )
        return 0
    _show_list(gpus, tpus, others, style, stream)
    return 0


# --- output helpers -------------------------------------------------------------------------------


def _use_color(mode: str, stream: IO[str]) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Style:
    """ANSI styling that degrades to plain text."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def green(self, text: str) -> str:
        return self._wrap("32", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], style: _Style, stream: IO[str], indent: str = ""
) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str], fmt: Any = None) -> str:
        parts = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            text = cell if i == len(cells) - 1 else cell.ljust(width)
            parts.append(fmt(text) if fmt else text)
        return (indent + "  ".join(parts)).rstrip()

    stream.write(line(headers, style.bold) + "\n")
    if style.color:
        stream.write(indent + style.dim("  ".join("─" * w for w in widths)) + "\n")
    for row in rows:
        stream.write(line(row) + "\n")


def _gib(n: int | None) -> str:
    if n is None:
        return "-"
    gib = n / (1 << 30)
    return f"{gib:.0f} GiB" if gib == int(gib) else f"{gib:.1f} GiB"


def _dump(data: object, stream: IO[str]) -> None:
    json.dump(data, stream, indent=2)
    stream.write("\n")


def _show_list(
    gpus: Sequence[GPUModel],
    tpus: Sequence[TPUType],
    others: Sequence[DeviceClass],
    style: _Style,
    stream: IO[str],
) -> None:
    if gpus:
        rows = [
            [
                m.name,
                m.device,
                m.vendor,
                m.architecture,
                _gib(m.memory_bytes),
                style.green("yes") if m.mig_capable else "no",
                m.flytekit_constant or "-",
            ]
            for m in gpus
        ]
        _table(["NAME", "DEVICE", "VENDOR", "ARCH", "MEMORY", "MIG", "FLYTEKIT"], rows, style, stream)
    if tpus:
        stream.write("\n")
        rows = [
            [t.name, t.device, "google", _gib(t.memory_bytes_per_chip) + "/chip", str(len(t.topologies)),
             t.resource_name]
            for t in tpus
        ]  # fmt: skip
        _table(["TPU", "DEVICE", "VENDOR", "MEMORY", "SLICES", "RESOURCE"], rows, style, stream)
    if others:
        stream.write("\n")
        rows = [[d.name, d.display_name, d.vendor, _gib(d.memory_bytes), d.resource_name] for d in others]
        _table(["DEVICE CLASS", "PRODUCT", "VENDOR", "MEMORY", "RESOURCE"], rows, style, stream)
    if not (gpus or tpus or others):
        stream.write("no accelerators match\n")


def _show_record(record: GPUModel | TPUType | DeviceClass, style: _Style, stream: IO[str]) -> None:
    from podplan.accelerators.catalog import LABEL_SCHEMES, GPUModel, TPUType

    if isinstance(record, GPUModel):
        m = record
        cc = ".".join(map(str, m.compute_capability)) if m.compute_capability else "-"
        facts = [
            ("model", f"{m.name} ({m.display_name})"),
            ("device", m.device),
            ("vendor", m.vendor),
            ("architecture", f"{m.architecture} (compute capability {cc})"),
            ("memory", _gib(m.memory_bytes) + " (nominal)"),
            ("flytekit", f"podplan.accelerators.{m.flytekit_constant}" if m.flytekit_constant else "-"),
            ("nvml names", ", ".join(m.nvml_names) or "-"),
        ]
        if m.notes:
            facts.append(("notes", m.notes))
        _facts(facts, style, stream)
        stream.write("\n" + style.bold("node labels") + "\n")
        rows = []
        for name, scheme in LABEL_SCHEMES.items():
            values = m.label_values(name)
            if values:
                rows.append([name, scheme.label_key or "(SDK name)", ", ".join(values)])
        _table(["SCHEME", "LABEL KEY", "VALUES"], rows, style, stream, indent="  ")
        stream.write("\n")
        if not m.mig_capable:
            stream.write(style.bold("MIG profiles") + ": none (not MIG-capable)\n")
            return
        stream.write(style.bold("MIG profiles") + f" ({m.mig_compute_slices} compute slices)\n")
        rows = [
            [p.name, str(p.max_instances), _gib(p.memory_bytes), str(p.compute_slices), str(p.memory_slices),
             p.resource_name]
            for p in m.mig_profiles.values()
        ]  # fmt: skip
        headers = ["PROFILE", "MAX", "MEMORY", "COMPUTE", "MEM SLICES", "RESOURCE (mixed strategy)"]
        _table(headers, rows, style, stream, indent="  ")
        return
    if isinstance(record, TPUType):
        t = record
        _facts(
            [
                ("tpu", f"{t.name} ({t.display_name})"),
                ("device", t.device),
                ("flytekit", f"podplan.accelerators.{t.flytekit_constant}" if t.flytekit_constant else "-"),
                ("resource", t.resource_name),
                ("node labels", f"{t.accelerator_label_key}={t.device}, {t.topology_label_key}=<topology>"),
                ("memory", _gib(t.memory_bytes_per_chip) + " per chip"),
            ],
            style,
            stream,
        )
        stream.write("\n" + style.bold("slice topologies") + "\n")
        rows = [[s.name, str(s.chips), str(s.hosts)] for s in t.topologies]
        _table(["TOPOLOGY", "CHIPS", "HOSTS"], rows, style, stream, indent="  ")
        return
    d = record
    facts = [
        ("device class", f"{d.name} ({d.display_name})"),
        ("vendor", d.vendor),
        ("kind", d.kind),
        ("resource", d.resource_name),
        ("also", ", ".join(d.extra_resource_names) or "-"),
        ("memory", _gib(d.memory_bytes)),
    ]
    if d.cores_per_device:
        facts.append(("cores/device", str(d.cores_per_device)))
    if d.product_label_key:
        facts.append(("product label", d.product_label_key))
    if d.flyte2_name:
        facts.append(("flyte 2", d.flyte2_name))
    if d.notes:
        facts.append(("notes", d.notes))
    _facts(facts, style, stream)


def _facts(facts: Sequence[tuple[str, str]], style: _Style, stream: IO[str]) -> None:
    width = max(len(k) for k, _ in facts)
    for key, value in facts:
        stream.write(f"{style.cyan(key.ljust(width))}  {value}\n")


# --- JSON ----------------------------------------------------------------------------------------


def _model_json(m: GPUModel) -> dict[str, Any]:
    return {
        "kind": "gpu",
        "name": m.name,
        "display_name": m.display_name,
        "device": m.device,
        "vendor": m.vendor,
        "architecture": m.architecture,
        "family": m.family,
        "memory_bytes": m.memory_bytes,
        "compute_capability": ".".join(map(str, m.compute_capability)) if m.compute_capability else None,
        "flytekit_constant": m.flytekit_constant,
        "nvml_names": list(m.nvml_names),
        "labels": {k: list(v) for k, v in m.labels.items()},
        "mig_capable": m.mig_capable,
        "mig_compute_slices": m.mig_compute_slices if m.mig_capable else None,
        "mig_profiles": [
            {
                "name": p.name,
                "max_instances": p.max_instances,
                "memory_bytes": p.memory_bytes,
                "compute_slices": p.compute_slices,
                "memory_slices": p.memory_slices,
                "placements": list(p.placements),
                "attributes": list(p.attributes),
                "resource_name": p.resource_name,
            }
            for p in m.mig_profiles.values()
        ],
        "notes": m.notes,
    }


def _tpu_json(t: TPUType) -> dict[str, Any]:
    return {
        "kind": "tpu",
        "name": t.name,
        "display_name": t.display_name,
        "device": t.device,
        "vendor": "google",
        "flytekit_constant": t.flytekit_constant,
        "resource_name": t.resource_name,
        "memory_bytes_per_chip": t.memory_bytes_per_chip,
        "labels": {"accelerator": t.accelerator_label_key, "topology": t.topology_label_key},
        "topologies": [{"name": s.name, "chips": s.chips, "hosts": s.hosts} for s in t.topologies],
    }


def _device_json(d: DeviceClass) -> dict[str, Any]:
    return {
        "kind": "device-class",
        "name": d.name,
        "display_name": d.display_name,
        "vendor": d.vendor,
        "device_kind": d.kind,
        "resource_name": d.resource_name,
        "extra_resource_names": list(d.extra_resource_names),
        "memory_bytes": d.memory_bytes,
        "cores_per_device": d.cores_per_device,
        "flyte2_name": d.flyte2_name,
        "product_label_key": d.product_label_key,
    }


def _scheme_json(s: Any) -> dict[str, Any]:
    return {
        "label_key": s.label_key,
        "partition_key": s.partition_key,
        "count_key": s.count_key,
        "memory_key": s.memory_key,
        "resource_name": s.resource_name,
        "description": s.description,
    }


def _record_json(record: GPUModel | TPUType | DeviceClass) -> dict[str, Any]:
    from podplan.accelerators.catalog import GPUModel, TPUType

    if isinstance(record, GPUModel):
        return _model_json(record)
    if isinstance(record, TPUType):
        return _tpu_json(record)
    return _device_json(record)
