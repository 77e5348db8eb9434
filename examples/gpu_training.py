"""A GPU training task on an A100 MIG slice (1g.5gb) with shared memory for data loaders.

Preview the pod Flyte would create:  podplan preview examples/gpu_training.py:train
"""

from __future__ import annotations

from podplan import Resources, task
from podplan.accelerators import A100


@task(
    resources=Resources(cpu=("2", "4"), mem=("8Gi", "8Gi"), gpu=1),
    accelerator=A100.partition_1g_5gb,
    shared_memory="2Gi",
    retries=2,
    timeout=3600,
    environment={"PYTHONUNBUFFERED": "1"},
)
def train(epochs: int = 1, lr: float = 0.01) -> float:
    """Train a tiny model and return its final loss (pure Python, so it runs anywhere)."""
    loss = 1.0
    for _ in range(epochs):
        loss *= 1.0 - lr
    return loss
