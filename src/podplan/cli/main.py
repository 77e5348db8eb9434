"""Entry point of the ``podplan`` command: builds the parser from one module per command.

Each command lives in ``podplan.cli.<name>`` and defines ``register(subparsers)``, which adds
its sub-parser and sets ``func`` (a callable taking the parsed namespace and returning the exit
code). Command modules import heavy dependencies inside ``func`` only, so ``podplan --help``
stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from podplan import __version__
from podplan.errors import PodplanError

#: command modules, in the order ``--help`` lists them
COMMANDS: tuple[str, ...] = ("preview", "check", "gpus", "run", "catalog", "platform")

#: exit code for usage and configuration errors (argparse uses 2 as well)
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="podplan",
        description="Plan what a Flyte task needs from a Kubernetes cluster.",
    )
    parser.add_argument("--version", action="version", version=f"podplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"podplan.cli.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet in this checkout
            if exc.name != f"podplan.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(func(args))
    except PodplanError as exc:
        print(f"podplan {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `podplan … | head`: the reader left; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
