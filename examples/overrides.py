"""``with_overrides``: reuse one task with node-level resources, accelerator and retries.

Each call returns an immutable ``TaskNode``; chained calls merge (nothing is silently reset).
"""

from __future__ import annotations

from podplan import Resources, task
from podplan.accelerators import A100, T4


@task(resources=Resources(cpu="1", mem="4Gi", gpu=1), accelerator=T4)
def embed(batch: int) -> int:
    """Embed a batch of documents (returns the batch size)."""
    return batch


#: the same task on a larger slice, with more memory and retries
embed_large = embed.with_overrides(
    accelerator=A100.partition_3g_20gb,
    limits=Resources(mem="16Gi"),
).with_overrides(retries=3, node_name="embed-large")
