"""The same tasks written with flytekit (fk_*) and with podplan (pp_*)."""

from __future__ import annotations

import datetime

import flytekit
from flytekit.extras import accelerators as fk_acc

import podplan
from podplan import accelerators as pp_acc


def _body(a: int) -> int:
    return a


@flytekit.task(
    requests=flytekit.Resources(cpu="1", mem="2Gi"),
    limits=flytekit.Resources(cpu="2", mem="4Gi", gpu="1"),
    accelerator=fk_acc.A100.partition_1g_5gb,
    shared_memory="1Gi",
    interruptible=True,
    retries=3,
    timeout=datetime.timedelta(minutes=5),
    environment={"A": "b"},
    container_image="repo/img:tag",
    labels={"team": "ml"},
    annotations={"note": "x"},
    pod_template_name="base",
)
def fk_gpu(a: int) -> int:
    return a


@podplan.task(
    requests=podplan.Resources(cpu="1", mem="2Gi"),
    limits=podplan.Resources(cpu="2", mem="4Gi", gpu="1"),
    accelerator=pp_acc.A100.partition_1g_5gb,
    shared_memory="1Gi",
    interruptible=True,
    retries=3,
    timeout=datetime.timedelta(minutes=5),
    environment={"A": "b"},
    container_image="repo/img:tag",
    labels={"team": "ml"},
    annotations={"note": "x"},
    pod_template_name="base",
)
def pp_gpu(a: int) -> int:
    return a


@flytekit.task(cache=True, cache_version="v1", secret_requests=[flytekit.Secret(group="g", key="k")])
def fk_cached(a: int) -> int:
    return a


@podplan.task(cache=True, cache_version="v1", secret_requests=[podplan.Secret(group="g", key="k")])
def pp_cached(a: int) -> int:
    return a


@flytekit.task
def fk_plain(a: int) -> int:
    return a


@podplan.task
def pp_plain(a: int) -> int:
    return a


PAIRS = ["gpu", "cached", "plain"]


fk_echo = flytekit.core.task.Echo(name="compat_echo", inputs={"a": int})
fk_ref = flytekit.core.task.ReferenceTask(
    "p", "d", "remote.compat", "v1", inputs={"a": int}, outputs={"o0": int}
)
