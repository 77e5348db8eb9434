"""A task whose pod Kubernetes rejects: a GPU request below its limit (docs/preview.md).

Flyte's backend keeps the two values as written; the API server requires request == limit for
extended resources such as ``nvidia.com/gpu``.
"""

from __future__ import annotations

from podplan import Resources, task
from podplan.accelerators import T4


@task(requests=Resources(gpu=1), limits=Resources(gpu=2), accelerator=T4)
def gpu_mismatch(x: int) -> int:
    """Return ``x``."""
    return x
