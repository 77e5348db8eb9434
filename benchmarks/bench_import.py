"""Import-time benchmark: ``import podplan`` and ``podplan --help`` must stay light.

Runs ``python -X importtime -c "import podplan"`` several times in fresh interpreters and
prints the median cumulative import time of the ``podplan`` package (target < 150 ms), and the
median wall time of ``podplan --help`` against ``python -c pass`` as the floor.

    python benchmarks/bench_import.py [--runs 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

TARGET_MS = 150.0


def podplan_import_ms() -> float:
    """Cumulative microseconds of the top-level ``podplan`` import, in milliseconds."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import podplan"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*podplan$", line)
        if match:
            return int(match.group(1)) / 1000.0
    raise RuntimeError("podplan not found in -X importtime output")


def wall_ms(argv: list[str]) -> float:
    """Wall time of one command in milliseconds."""
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000.0


def main() -> None:
    """Print the medians and whether the import target is met."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    imports = [podplan_import_ms() for _ in range(args.runs)]
    floor = [wall_ms([sys.executable, "-c", "pass"]) for _ in range(args.runs)]
    help_ = [wall_ms([sys.executable, "-m", "podplan", "--help"]) for _ in range(args.runs)]
    median_import = statistics.median(imports)
    print(
        f"import podplan (cumulative, -X importtime): median {median_import:.1f} ms "
        f"over {args.runs} runs; target < {TARGET_MS:.0f} ms: "
        f"{'met' if median_import < TARGET_MS else 'NOT met'}"
    )
    print(f"python -c pass:          median {statistics.median(floor):.1f} ms")
    print(
        f"python -m podplan --help: median {statistics.median(help_):.1f} ms "
        f"({statistics.median(help_) / statistics.median(floor):.2f}x the bare interpreter)"
    )


if __name__ == "__main__":
    main()
