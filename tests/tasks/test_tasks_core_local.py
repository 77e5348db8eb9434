"""Local execution: input/output checks, environment restore, the GPU hook, async tasks."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from podplan.accelerators import A100, T4
from podplan.resources import Resources
from podplan.tasks import AsyncPythonFunctionTask, PythonFunctionTask, task
from podplan.tasks.local import set_local_gpu_hook

KEY = "PODPLAN_C2_TEST_VAR"


@pytest.fixture
def gpu_calls() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    @contextlib.contextmanager
    def hook(**kwargs: Any) -> Iterator[None]:
        calls.append(dict(kwargs, phase="enter"))
        os.environ["CUDA_VISIBLE_DEVICES"] = "fake"
        try:
            yield
        finally:
            os.environ.pop("CUDA_VISIBLE_DEVICES", None)
            calls.append({"phase": "exit"})

    previous = set_local_gpu_hook(hook)
    yield calls
    set_local_gpu_hook(previous)


def test_call_binds_and_checks(gpu_calls: list) -> None:
    @task
    def add(a: int, b: int = 2) -> int:
        return a + b

    assert isinstance(add, PythonFunctionTask)
    assert add(1) == 3 and add(a=1, b=5) == 6 and add(1, 5) == 6
    assert add.__name__ == "add" and add.__wrapped__ is not None
    with pytest.raises(TypeError):
        add("x")
    assert gpu_calls == []  # no accelerator, no GPU: the hook is not entered


def test_environment_applied_and_restored() -> None:
    os.environ[KEY] = "before"

    @task(environment={KEY: "during", KEY + "_NEW": "x"})
    def read() -> str:
        return os.environ[KEY] + os.environ[KEY + "_NEW"]

    try:
        assert read() == "duringx"
        assert os.environ[KEY] == "before" and KEY + "_NEW" not in os.environ
    finally:
        os.environ.pop(KEY, None)


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_environment_restored_on_failure(exc: BaseException) -> None:
    os.environ.pop(KEY, None)

    @task(environment={KEY: "during"})
    def fail() -> None:
        assert os.environ[KEY] == "during"
        raise exc

    with pytest.raises(type(exc)):
        fail()
    assert KEY not in os.environ


def test_gpu_hook_for_accelerator_tasks(gpu_calls: list) -> None:
    @task(accelerator=A100.partition_1g_5gb, resources=Resources(gpu=1))
    def train() -> str:
        return os.environ["CUDA_VISIBLE_DEVICES"]

    assert train() == "fake"
    assert gpu_calls[0]["accelerator"] == A100.partition_1g_5gb
    assert str(gpu_calls[0]["gpu"]) == "1"
    assert gpu_calls[0]["task_name"] == train.name and gpu_calls[-1] == {"phase": "exit"}
    assert "CUDA_VISIBLE_DEVICES" not in os.environ


def test_gpu_hook_for_gpu_only_and_node_overrides(gpu_calls: list) -> None:
    @task(limits=Resources(gpu=2))
    def gpu_only() -> int:
        return 1

    gpu_only()
    assert gpu_calls[0]["accelerator"] is None and str(gpu_calls[0]["gpu"]) == "2"
    gpu_calls.clear()
    gpu_only.with_overrides(accelerator=T4)()
    assert gpu_calls[0]["accelerator"] == T4


def test_task_policy_attribute_is_forwarded(gpu_calls: list) -> None:
    @task(accelerator=T4)
    def run() -> None:
        return None

    run.local_gpu_policy = "cpu"  # type: ignore[attr-defined]
    run()
    assert gpu_calls[0]["task_policy"] == "cpu"


def test_async_task_outside_and_inside_loop() -> None:
    @task(environment={KEY: "async"})
    async def double(x: int) -> int:
        await asyncio.sleep(0)
        return 2 * x + (os.environ[KEY] == "async")

    assert isinstance(double, AsyncPythonFunctionTask)
    assert double(x=2) == 5

    async def main() -> int:
        return await double(x=3)

    assert asyncio.run(main()) == 7
    assert KEY not in os.environ


def test_dispatch_hooks_are_called_in_order() -> None:
    seen: list[str] = []

    class Traced(PythonFunctionTask):
        def pre_execute(self, user_params: Any) -> Any:
            seen.append("pre")
            return user_params

        def post_execute(self, user_params: Any, rval: Any) -> Any:
            seen.append("post")
            return rval + 1

    def f(a: int) -> int:
        seen.append("run")
        return a

    tk = Traced(None, f)
    assert tk(a=1) == 2 and seen == ["pre", "run", "post"]
    assert tk.get_input_types() == {"a": int}
    assert tk.get_type_for_input_var("a", 1) is int and tk.get_type_for_output_var("o0", 1) is int
    with pytest.raises(KeyError):
        tk.get_type_for_input_var("zzz", 1)
