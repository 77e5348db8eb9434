"""``podplan platform``: the platform file's JSON Schema, presets, and checking/showing a platform.

- ``podplan platform schema``: the JSON Schema of the platform file (Flyte's own YAML keys);
- ``podplan platform presets``: the built-in presets;
- ``podplan platform show [FILE|PRESET]``: the effective platform (defaults filled in) as YAML;
- ``podplan platform check FILE``: validate a platform file (exit 0 valid, 2 invalid).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``platform`` sub-command."""
    parser = subparsers.add_parser(
        "platform",
        help="platform configuration: JSON Schema, presets, show, check",
        description="Work with podplan platform files (the Flyte backend configuration that shapes pods).",
    )
    sub = parser.add_subparsers(dest="platform_command", metavar="ACTION")
    sub.add_parser("schema", help="print the JSON Schema of the platform file")
    sub.add_parser("presets", help="list the built-in presets")
    show = sub.add_parser("show", help="print the effective platform as YAML")
    show.add_argument("platform", nargs="?", metavar="FILE|PRESET")
    check = sub.add_parser("check", help="validate a platform file")
    check.add_argument("platform", metavar="FILE|PRESET")
    parser.set_defaults(func=run, _parser=parser)


def run(args: argparse.Namespace) -> int:
    """Dispatch the ``platform`` actions."""
    action = getattr(args, "platform_command", None)
    if action == "schema":
        from podplan.podspec.platform import platform_schema

        sys.stdout.write(json.dumps(platform_schema(), indent=2) + "\n")
        return 0
    if action == "presets":
        from podplan.podspec.presets import PRESET_DIR, preset_names

        for name in preset_names():
            print(f"{name:16s} {_summary((PRESET_DIR / f'{name}.yaml').read_text())}")
        return 0
    if action in ("show", "check"):
        from podplan.podspec.loading import load_platform

        platform = load_platform(args.platform)
        if action == "check":
            print(f"{args.platform}: valid")
            return 0
        import yaml

        data = platform.model_dump(by_alias=True, exclude_none=True, mode="json")
        sys.stdout.write(yaml.safe_dump(data, sort_keys=False))
        return 0
    args._parser.print_help()
    return 2


def _summary(text: str) -> str:
    """The first sentence of a preset file's leading comment block."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    comment = " ".join(lines)
    end = comment.find(". ")
    return comment if end < 0 else comment[: end + 1]
