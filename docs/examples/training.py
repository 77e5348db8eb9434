"""Three training-pipeline tasks, used by docs/check.md (`podplan check` against a GPU cluster)."""

from __future__ import annotations

from podplan import Resources, task
from podplan.accelerators import A100, MultiInstanceGPUAccelerator

H100_1G_10GB = MultiInstanceGPUAccelerator("nvidia-h100", "1g.10gb")  # flytekit's H100 has no partitions


@task(resources=Resources(cpu="2", mem="8Gi"))
def prepare(rows: int) -> int:
    """Clean the raw data (CPU only)."""
    return rows


@task(resources=Resources(cpu="8", mem="64Gi", gpu=1), accelerator=H100_1G_10GB)
def finetune(epochs: int) -> float:
    """Fine-tune on one H100 MIG slice."""
    return 1.0 / (1 + epochs)


@task(resources=Resources(cpu="4", mem="16Gi", gpu=1), accelerator=A100.partition_1g_5gb)
def embed(batch: int) -> int:
    """Embed a batch on an A100 1g.5gb slice."""
    return batch
