"""A CPU task that may run on spot/preemptible nodes (``interruptible=True``)."""

from __future__ import annotations

from podplan import Resources, task


@task(interruptible=True, retries=3, resources=Resources(cpu=("500m", "1"), mem="1Gi"))
def count_words(text: str) -> int:
    """Count the words of ``text``; retried if the spot node goes away."""
    return len(text.split())
