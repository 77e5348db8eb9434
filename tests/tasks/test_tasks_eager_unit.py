"""@eager (spec §7, vector 107)."""

from __future__ import annotations

import asyncio

import pytest

from podplan import Cache, Resources, eager, task
from podplan.errors import TaskTypeError
from podplan.tasks.eager_task import EagerAsyncPythonFunctionTask
from podplan.tasks.function_task import ExecutionBehavior


@task
def add_one(x: int) -> int:
    return x + 1


@task
def double(x: int) -> int:
    return x * 2


@eager
async def eager_workflow(x: int) -> int:
    out = add_one(x=x)
    return double(x=out)


@eager
async def outer(x: int) -> int:
    return await eager_workflow(x=x)


def test_runs_locally_with_asyncio_run():
    assert asyncio.run(eager_workflow(x=1)) == 4
    assert asyncio.run(outer(x=1)) == 4


def test_call_returns_a_coroutine_like_flytekit():
    coro = eager_workflow(x=1)
    assert asyncio.iscoroutine(coro)
    assert asyncio.run(coro) == 4


def test_inputs_checked_before_running():
    with pytest.raises(TypeError, match="input 'x'"):
        eager_workflow(x="one")


def test_vector_107_metadata_resources_decks():
    from podplan.serialize import task_template

    @eager(requests=Resources(cpu="1"), enable_deck=False)
    async def e(a: int) -> int:
        return a

    assert isinstance(e, EagerAsyncPythonFunctionTask)
    assert e.enable_deck is True
    assert e.metadata.is_eager is True
    tpl = task_template(e)
    assert tpl.metadata.is_eager is True
    assert tpl.metadata.generates_deck.value is True
    assert [(r.name, r.value) for r in tpl.container.resources.requests] == [(1, "1")]


def test_metadata_keywords_applied_deviation_d5():
    # flytekit drops cache=/retries= given to @eager (spec §9.11); podplan applies them (D5)
    @eager(cache=Cache(version="v"), retries=2, interruptible=True)
    async def e(a: int) -> int:
        return a

    assert e.metadata.cache is True and e.metadata.cache_version == "v"
    assert e.metadata.retries == 2 and e.metadata.interruptible is True


def test_execution_mode_and_sync_function_rejected():
    assert eager_workflow.execution_mode == ExecutionBehavior.EAGER
    with pytest.raises(TaskTypeError, match="async def"):

        @eager
        def not_async(a: int) -> int:
            return a
