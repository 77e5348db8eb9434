"""Benchmark: task → V1Pod → dict for a GPU task (accelerator, shared memory, interruptible).

Every stage runs on *distinct* tasks (different names, hence different templates, args, labels
and env values), each seen exactly once, so nothing keyed by the task can help; what is shared
between tasks is what a real run of different tasks shares too (the platform, the resource
spelling, the execution). The stages run interleaved in ``ROUNDS`` rounds of ``N`` fresh tasks
each, and each line is the median over all ``N * ROUNDS`` tasks:

- ``serialize``: podplan task → flyteidl TaskTemplate (``podplan.serialize``);
- ``build``: TaskTemplate → pod as Kubernetes JSON (the backend's steps, ``build_pod_dict``);
- ``V1Pod.to_dict()``: of a built pod (the lazy V1Pod converts its JSON on demand);
- ``Kubernetes JSON``: of a built pod (``pod_to_k8s_json``: empty fields pruned);
- ``task → V1Pod → to_dict()``: ``build_pod(task).to_dict()``, the target of issue 4;
- ``task → V1Pod → Kubernetes JSON``: ``pod_to_k8s_json(build_pod(task))``;
- for reference: the same pod JSON → fully materialized kubernetes models → ``to_dict()``, and
  the kubernetes client's own deserializer building the V1Pod from JSON.

Target (issue 4): ≤ 100 µs per task (median) for task → V1Pod → dict.
Run: ``python benchmarks/bench_pod.py [N] [ROUNDS]`` (default 300 x 3).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

TARGET_US = 100.0
_SERIAL = itertools.count()


def _tasks(n: int, prefix: str = "train") -> list[Any]:
    """``n`` distinct GPU tasks (A100 1g.5gb, 2Gi shared memory, interruptible)."""
    from podplan import Resources, task
    from podplan.accelerators import A100

    out = []
    for _ in range(n):

        def fn(x: int) -> int:
            return x

        fn.__name__ = fn.__qualname__ = f"{prefix}_{next(_SERIAL)}"
        out.append(
            task(
                resources=Resources(cpu=("2", "4"), mem="8Gi", gpu=1),
                accelerator=A100.partition_1g_5gb,
                shared_memory="2Gi",
                interruptible=True,
            )(fn)
        )
    return out


def _times_us(items: list[Any], stage: Callable[[Any], Any]) -> list[float]:
    """Wall time of ``stage(item)`` for each item, in µs (garbage collector paused)."""
    out = []
    clock = time.perf_counter_ns
    gc.disable()
    try:
        for item in items:
            t0 = clock()
            stage(item)
            out.append((clock() - t0) / 1000)
    finally:
        gc.enable()
    return out


def _stages() -> list[tuple[str, Callable[[int], list[Any]], Callable[[Any], Any]]]:
    """(name, make N distinct inputs, the measured call) for every stage."""
    from kubernetes.client import ApiClient

    from podplan import serialize
    from podplan.podspec import build_pod
    from podplan.podspec.builder import build_pod_dict
    from podplan.podspec.convert import to_pod
    from podplan.podspec.render import pod_to_k8s_json

    def templates(n: int) -> list[Any]:
        return [serialize.task_template(t) for t in _tasks(n)]

    def raw_pods(n: int) -> list[Any]:
        return [build_pod_dict(t).pod for t in templates(n)]

    def lazy_pods(n: int) -> list[Any]:
        return [build_pod(t) for t in _tasks(n)]

    class _Response:
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = json.dumps(data)

    client = ApiClient()
    return [
        ("serialize (task → TaskTemplate)", _tasks, serialize.task_template),
        ("build (TaskTemplate → pod JSON)", templates, build_pod_dict),
        ("V1Pod.to_dict() of a built pod", lazy_pods, lambda p: p.to_dict()),
        ("Kubernetes JSON of a built pod", lazy_pods, pod_to_k8s_json),
        ("task → V1Pod → to_dict()", _tasks, lambda t: build_pod(t).to_dict()),
        ("task → V1Pod → Kubernetes JSON", _tasks, lambda t: pod_to_k8s_json(build_pod(t))),
        ("reference: JSON → eager V1Pod → to_dict()", raw_pods, lambda r: to_pod(r, lazy=False).to_dict()),
        (
            "reference: ApiClient.deserialize(JSON)",
            lambda n: [_Response(r) for r in raw_pods(n)],
            lambda r: client.deserialize(r, "V1Pod"),
        ),
    ]


def main(argv: list[str]) -> int:
    """Run the benchmark and print one line per stage, then the target verdicts."""
    n = int(argv[1]) if len(argv) > 1 else 300
    rounds = int(argv[2]) if len(argv) > 2 else 3
    from podplan.podspec import build_pod
    from podplan.podspec.convert import from_model

    warm = build_pod(_tasks(1, "warm")[0])  # imports and type tables (no per-task cache)
    assert warm.to_dict()["kind"] == "Pod" and from_model(warm)["kind"] == "Pod"
    stages = _stages()
    samples: dict[str, list[float]] = {name: [] for name, _, _ in stages}
    for _ in range(rounds):
        for name, make, stage in stages:
            samples[name] += _times_us(make(n), stage)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"bench_pod: {n} x {rounds} distinct GPU tasks (A100 1g.5gb, shared memory 2Gi, interruptible), "
        f"default platform; Python {platform.python_version()}, {os.cpu_count()} CPUs, load {load:.2f}"
    )
    width = max(map(len, samples))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, values in samples.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"  {name.ljust(width)}  {medians[name]:7.1f} µs median  ({p90:7.1f} µs p90)")
    for name in ("task → V1Pod → to_dict()", "task → V1Pod → Kubernetes JSON"):
        us = medians[name]
        verdict = "met" if us <= TARGET_US else "NOT met"
        print(
            f"  target ≤ {TARGET_US:.0f} µs ({name}): {verdict} ({us:.1f} µs, {TARGET_US / us:.2f}x headroom)"
        )
    ref = medians["reference: ApiClient.deserialize(JSON)"]
    ours = medians["V1Pod.to_dict() of a built pod"]
    print(f"  lazy V1Pod + to_dict vs kubernetes' deserializer alone: {ref / ours:.1f}x less")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
