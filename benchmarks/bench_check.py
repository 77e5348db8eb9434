"""Benchmarks of ``podplan check``.

1. fit + rules: 10,000 tasks (pods shaped like the backend's output) x 200 node pools, timed from
   ready pods to the finished report (imports, pod building and cluster loading excluded).
   Target: <= 1 s on a 2-core machine.
2. end to end: ``podplan check`` on a generated module of 10,000 tasks against the same 200 pools,
   timed as a subprocess (interpreter start, imports, task discovery, serialization, pod building,
   fit, rules, JSON output). Target: <= 10 s.

Run: ``python benchmarks/bench_check.py [--tasks N] [--pools M] [--skip-e2e]``.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = ["xlarge", "2xlarge", "4xlarge", "8xlarge"]
GPU_MODELS = [
    ("T4", "nvidia-tesla-t4", None),
    ("L4", "nvidia-l4", None),
    ("A10G", "nvidia-a10g", None),
    ("A100", "nvidia-tesla-a100", "1g.5gb"),
    ("A100", "nvidia-tesla-a100", "3g.20gb"),
    ("A100_80GB", "nvidia-a100-80gb", None),
    ("H100", "nvidia-h100", None),
]


def pool_document(n: int, seed: int = 7) -> dict[str, Any]:
    """``n`` node pools: CPU pools (on-demand and spot) and GPU pools with taints and MIG."""
    rng = random.Random(seed)
    pools: list[dict[str, Any]] = []
    for i in range(n):
        kind = rng.random()
        pool: dict[str, Any] = {
            "name": f"pool-{i:03d}",
            "instance_type": f"m{rng.randint(5, 7)}.{rng.choice(SIZES)}",
            "count": rng.randint(0, 5),
            "allocatable": {
                "cpu": str(rng.choice([4, 8, 16, 32, 64, 96])),
                "memory": f"{rng.choice([16, 32, 64, 128, 512])}Gi",
                "pods": 110,
            },
            "price_per_hour": round(rng.uniform(0.1, 40.0), 3),
        }
        if rng.random() < 0.3:
            pool["labels"] = {"eks.amazonaws.com/capacityType": "SPOT"}
            pool["taints"] = ["flyte.org/interruptible=true:NoSchedule"]
        if kind < 0.4:
            model, device, partition = rng.choice(GPU_MODELS)
            gpu: dict[str, Any] = {"model": model, "count": rng.choice([1, 4, 8])}
            taints = pool.setdefault("taints", [])
            taints += ["nvidia.com/gpu=true:NoSchedule", f"k8s.amazonaws.com/accelerator={device}:NoSchedule"]
            if partition:
                gpu["mig"] = {"strategy": "single", "profile": partition}
                taints.append(f"k8s.amazonaws.com/gpu-partition-size={partition}:NoSchedule")
            pool["gpu"] = gpu
        pools.append(pool)
    return {"pools": pools}


def task_shapes(seed: int = 11) -> list[dict[str, Any]]:
    """Parameters of generated tasks: CPU/memory sizes, GPUs, accelerators, interruptible."""
    rng = random.Random(seed)
    shapes = []
    for _ in range(200):
        shape: dict[str, Any] = {
            "cpu": rng.choice(["250m", "500m", "1", "2", "4", "8", "16"]),
            "mem": rng.choice(["256Mi", "512Mi", "1Gi", "2Gi", "8Gi", "32Gi", "2048"]),
            "interruptible": rng.random() < 0.3,
        }
        if rng.random() < 0.35:
            _model, device, partition = rng.choice(GPU_MODELS)
            shape["gpu"] = rng.choice([1, 1, 2, 8])
            shape["device"] = device
            shape["partition"] = partition if rng.random() < 0.7 else None
        shapes.append(shape)
    return shapes


def backend_pod(shape: dict[str, Any], name: str) -> dict[str, Any]:
    """A pod shaped like the backend's output for a task of this shape (default platform keys)."""
    res = {"cpu": shape["cpu"], "memory": shape["mem"]}
    spec: dict[str, Any] = {"restartPolicy": "Never", "affinity": {}}
    tolerations: list[dict[str, str]] = []
    if "gpu" in shape:
        res["nvidia.com/gpu"] = str(shape["gpu"])
        exprs = [{"key": "k8s.amazonaws.com/accelerator", "operator": "In", "values": [shape["device"]]}]
        tolerations.append(
            {
                "key": "k8s.amazonaws.com/accelerator",
                "operator": "Equal",
                "value": shape["device"],
                "effect": "NoSchedule",
            }
        )
        if shape["partition"]:
            exprs.append(
                {
                    "key": "k8s.amazonaws.com/gpu-partition-size",
                    "operator": "In",
                    "values": [shape["partition"]],
                }
            )
            tolerations.append(
                {
                    "key": "k8s.amazonaws.com/gpu-partition-size",
                    "operator": "Equal",
                    "value": shape["partition"],
                    "effect": "NoSchedule",
                }
            )
        tolerations.append({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"})
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": exprs}]
                }
            }
        }
    if shape["interruptible"]:
        tolerations.append(
            {"key": "flyte.org/interruptible", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
        )
    spec["containers"] = [
        {"name": name, "image": "python:3.11", "resources": {"requests": dict(res), "limits": dict(res)}}
    ]
    spec["tolerations"] = tolerations
    labels = {"interruptible": "true" if shape["interruptible"] else "false"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}, "spec": spec}


def bench_fit_rules(n_tasks: int, n_pools: int) -> float:
    from podplan.planning.cluster import cluster_from_data
    from podplan.planning.engine import check
    from podplan.planning.inputs import AcceleratorRequest, TaskInput

    cluster = cluster_from_data(pool_document(n_pools))
    shapes = task_shapes()
    inputs = []
    for i in range(n_tasks):
        shape = shapes[i % len(shapes)]
        acc = AcceleratorRequest(shape["device"], shape.get("partition")) if "device" in shape else None
        # the preview names the primary container after the execution and node ("preview-n0-0")
        inputs.append(TaskInput(f"bench.t{i}", backend_pod(shape, "preview-n0-0"), accelerator=acc))
    check(inputs[:50], cluster=cluster)  # warm the lazy imports, not the caches of the timed run
    for t in inputs[:50]:
        t.admission = None
        t._requirements = None
    start = time.perf_counter()
    report = check(inputs, cluster=cluster)
    elapsed = time.perf_counter() - start
    print(
        f"fit + rules: {n_tasks} tasks x {n_pools} pools: {elapsed:.3f} s "
        f"({len(report.findings)} findings, {report.summary()['unschedulable']} unschedulable); "
        f"target 1 s: ratio {elapsed / 1.0:.2f}"
    )
    return elapsed


MODULE_HEAD = "from podplan import Resources, task\nfrom podplan.accelerators import GPUAccelerator\n\n"


def generate_module(path: Path, n_tasks: int) -> None:
    shapes = task_shapes()
    lines = [MODULE_HEAD]
    for i in range(n_tasks):
        s = shapes[i % len(shapes)]
        args = [
            f"resources=Resources(cpu={s['cpu']!r}, mem={s['mem']!r}"
            + (f", gpu={s['gpu']}" if "gpu" in s else "")
            + ")"
        ]
        if "device" in s:
            acc = f"GPUAccelerator({s['device']!r})"
            args.append(f"accelerator={acc}")
        if s["interruptible"]:
            args.append("interruptible=True")
        lines.append(f"@task({', '.join(args)})\ndef t{i}(x: int) -> int:\n    return x\n\n")
    path.write_text("".join(lines))


def bench_end_to_end(n_tasks: int, n_pools: int) -> float:
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate_module(folder / "bench_tasks.py", n_tasks)
        (folder / "pools.yaml").write_text(yaml.safe_dump(pool_document(n_pools)))
        cmd = [
            sys.executable,
            "-m",
            "podplan",
            "check",
            "bench_tasks.py",
            "--cluster",
            "pools.yaml",
            "--format",
            "json",
            "-o",
            "report.json",
            "--fail-on",
            "never",
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stderr[-2000:])
            raise SystemExit(f"podplan check exited {proc.returncode}")
        size = (folder / "report.json").stat().st_size
    print(
        f"end to end: podplan check on {n_tasks} tasks x {n_pools} pools: {elapsed:.2f} s "
        f"(report {size / 1e6:.1f} MB); target 10 s: ratio {elapsed / 10.0:.2f}"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--pools", type=int, default=200)
    parser.add_argument("--skip-e2e", action="store_true")
    args = parser.parse_args()
    bench_fit_rules(args.tasks, args.pools)
    if not args.skip_e2e:
        bench_end_to_end(args.tasks, args.pools)


if __name__ == "__main__":
    main()
