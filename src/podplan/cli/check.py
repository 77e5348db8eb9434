"""``podplan check``: validate every task in CI against the platform and the cluster's pools.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from typing import Any, TextIO

FAIL_ON = ("error", "warning", "info", "never")
#: report formats (``podplan.planning.report.FORMATS``; repeated here so ``--help`` stays fast)
FORMATS = ("text", "json", "junit", "sarif", "github")
#: tasks above which a progress bar is drawn (on a TTY only)
PROGRESS_THRESHOLD = 500


def register(subparsers: Any) -> None:
    """Add the ``check`` sub-command."""
    p = subparsers.add_parser(
        "check",
        help="validate tasks against the platform and the cluster's node pools",
        description=(
            "Find every task under PATHS (files, directories, modules, packages; 'file.py:task' for one), "
            "build the pod Flyte would create on the platform, and report what Kubernetes would reject "
            "or where it can never schedule. Exit 0 clean, 1 findings at or above --fail-on, 2 usage error."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, modules or packages")
    p.add_argument(
        "--platform", help="platform file (Flyte config keys) or preset name; default: stock Flyte"
    )
    p.add_argument(
        "--cluster",
        action="append",
        metavar="FILE",
        help="`kubectl get nodes -o json` output or a pool YAML; repeat to combine",
    )
    p.add_argument("--pool-label", metavar="KEY", help="node label that names pools in a node list")
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument(
        "--fail-on", choices=FAIL_ON, default="error", help="lowest severity that fails (default: error)"
    )
    p.add_argument("--select", action="append", metavar="CODES", help="only these codes/prefixes (PP4,PP201)")
    p.add_argument("--ignore", action="append", metavar="CODES", help="skip these codes/prefixes")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--no-progress", action="store_true", help="never draw the progress bar")
    p.add_argument(
        "--allow-no-tasks",
        action="store_true",
        help="exit 0 when PATHS hold no task (the pre-commit hook passes every changed file); "
        "default: a usage error (exit 2)",
    )
    p.set_defaults(func=run)


class Progress:
    """A one-line progress bar on stderr, drawn only on a TTY for long runs."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_THRESHOLD:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    """Execute ``podplan check``; return the exit code."""
    from podplan.errors import CheckOptionError
    from podplan.planning.cluster import load_cluster, merge_clusters
    from podplan.planning.collect import inputs_from_discovered
    from podplan.planning.engine import check
    from podplan.planning.findings import parse_codes, unknown_codes
    from podplan.planning.report import render
    from podplan.tasks.discovery import discover_tasks

    select, ignore = parse_codes(args.select), parse_codes(args.ignore)
    bad = unknown_codes(select + ignore)
    if bad:
        raise CheckOptionError(f"--select/--ignore: unknown rule code(s) {', '.join(bad)}; see docs/check.md")
    platform = _load_platform(args.platform)
    cluster = None
    if args.cluster:
        clusters = [load_cluster(path, pool_label=args.pool_label) for path in args.cluster]
        cluster = clusters[0] if len(clusters) == 1 else merge_clusters(clusters)
    bar = Progress(sys.stderr, not args.no_progress and sys.stderr.isatty())
    discovered = discover_tasks(args.paths, keep_invalid=True)
    if not discovered and not args.allow_no_tasks:
        raise CheckOptionError(
            f"no tasks found in {', '.join(args.paths)} (podplan @task, with_overrides nodes, or flytekit "
            "tasks); pass --allow-no-tasks to accept that"
        )
    gc.freeze()  # the tasks live until exit: keep the collector from rescanning them (large code bases)
    inputs = inputs_from_discovered(discovered, platform, progress=lambda d, t: bar("building", d, t))
    gc.freeze()
    for item in inputs:
        item.file = display_path(item.file)
    report = check(
        inputs,
        cluster=cluster,
        platform=platform,
        select=select,
        ignore=ignore,
        progress=lambda d, t: bar("checking", d, t),
    )
    text = render(report, args.format, args.fail_on)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise CheckOptionError(f"--output: cannot write {args.output!r} ({exc.strerror})") from None
    else:
        sys.stdout.write(text)
    return 1 if report.failed(args.fail_on) else 0


def display_path(path: str | None) -> str | None:
    """``path`` relative to the working directory when it lies below it (what SARIF and GitHub
    annotations expect), with ``/`` separators; otherwise unchanged."""
    if not path:
        return path
    here = os.getcwd()
    absolute = os.path.abspath(path)
    try:
        if os.path.commonpath([here, absolute]) != here:
            return path
    except ValueError:  # another drive on Windows
        return path
    return os.path.relpath(absolute, here).replace(os.sep, "/")


def _load_platform(value: str | None) -> Any:
    if value is None:
        return None
    from podplan.podspec import load_platform

    return load_platform(value)
