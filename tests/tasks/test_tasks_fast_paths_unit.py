"""The fast paths of decoration and serialization give exactly the slow paths' results.

Also: fixes to the first version (plugin/async AssertionError, reference tasks in templates and
nodes).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import sys
import typing

import pytest

from podplan import PodTemplate, ReferenceTask, Resources, Secret, serialize, task
from podplan.accelerators import A100, T4
from podplan.errors import InterfaceError, PluginCompatibilityError, SerializationError
from podplan.resources import ResourceSpec
from podplan.serialize import _general_template, _modules
from podplan.tasks import FastSerializationSettings, ImageConfig, SerializationSettings, TaskPlugins
from podplan.tasks.function_task import PythonFunctionTask
from podplan.tasks.interface import Interface
from podplan.tasks.signature import fast_parameters, fast_type_hints, has_return_value


@dataclasses.dataclass
class Point:
    """A dataclass input."""

    x: int
    y: float = 0.0


def f_plain(a: int, b: str = "x", *, c: float = 1.5) -> int:
    return a


def f_strings(a: int, b: list[Point], c: typing.Optional[dict[str, int]] = None) -> float:  # noqa: UP045
    return 1.0


def f_forward(a: Later) -> int:  # resolved at decoration time, after Later exists
    return 1


class Later:
    """Defined after ``f_forward``."""


@pytest.mark.parametrize("fn", [f_plain, f_strings, f_forward])
def test_fast_hints_and_parameters_match_typing_and_inspect(fn: typing.Any) -> None:
    import inspect

    fast = fast_type_hints(fn)  # this module's annotations are strings (future import)
    if sys.version_info < (3, 11):  # 3.10's get_type_hints adds Optional for None defaults
        assert fast is None, "3.10 must always take get_type_hints' path"
    else:
        assert fast is not None
        assert fast == typing.get_type_hints(fn, include_extras=True)
    names, defaults = fast_parameters(fn)  # type: ignore[misc]
    sig = inspect.signature(fn)
    assert names == list(sig.parameters)
    assert defaults == {k: p.default for k, p in sig.parameters.items() if p.default is not p.empty}


def test_quoted_annotations_fall_back_to_get_type_hints() -> None:
    def fn(a: "list[Point]") -> int:  # noqa: UP037 - doubly stringified by the future import
        return 1

    assert fast_type_hints(fn) is None
    assert Interface.from_function(fn).inputs == {"a": list[Point]}


def _returns_none_explicitly() -> int:
    return None  # type: ignore[return-value]


def _no_return() -> int:  # type: ignore[empty-body]
    pass


def _raises() -> int:
    raise ValueError("never returns")


def _generator() -> typing.Iterator[int]:
    yield 1


def _nested_only() -> int:  # type: ignore[empty-body]
    def inner() -> int:
        return 1


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (f_plain, True),
        (_returns_none_explicitly, True),  # flytekit accepts any line with "return"
        (_no_return, False),
        (_raises, True),
        (_generator, True),
        (_nested_only, False),
    ],
)
def test_return_value_check(fn: typing.Any, expected: bool) -> None:
    assert has_return_value(fn) is expected


def test_missing_return_still_fails_at_decoration() -> None:
    with pytest.raises(InterfaceError, match="must return a value"):
        task(_no_return)


def test_shared_memory_true_and_one_byte_do_not_alias() -> None:
    def one() -> None: ...

    def two() -> None: ...

    a = task(shared_memory=True)(one)
    b = task(shared_memory=1)(two)
    assert a.shared_memory is True
    assert str(b.shared_memory) == "1"
    ta, tb = serialize.task_template(a), serialize.task_template(b)
    assert ta.extended_resources.shared_memory.size_limit == ""
    assert tb.extended_resources.shared_memory.size_limit == "1"


def _variants() -> list[tuple[dict[str, typing.Any], SerializationSettings]]:
    default = SerializationSettings.default()
    custom = SerializationSettings(
        image_config=ImageConfig.from_images("repo/img:1", {"gpu": "repo/gpu:2"}),
        project="p",
        domain="d",
        version="v",
        env={"B": "settings", "C": "3"},
        default_resources=ResourceSpec(requests=Resources(cpu="7"), limits=Resources(mem="3Gi")),
        fast_serialization_settings=FastSerializationSettings(enabled=True, destination_dir="/root"),
    )
    kwargs: list[dict[str, typing.Any]] = [
        {},
        {"requests": Resources(cpu="1", mem="2Gi", gpu="1"), "accelerator": A100.partition_1g_5gb},
        {
            "resources": Resources(cpu=("1", "2")),
            "shared_memory": "2Gi",
            "environment": {"B": "task", "A": "1"},
        },
        {
            "container_image": "repo/x:{{.image.default.version}}",
            "accelerator": T4,
            "retries": 3,
            "timeout": 60,
        },
        {"cache": True, "cache_version": "v1", "interruptible": True, "labels": {"team": "ml"}},
        {"enable_deck": True, "deprecated": "old", "pod_template_name": "tpl"},
    ]
    return [(k, s) for k in kwargs for s in (default, custom)]


@pytest.mark.parametrize(("kwargs", "settings"), _variants())
def test_prototype_path_equals_general_path(
    kwargs: dict[str, typing.Any], settings: SerializationSettings
) -> None:
    def first(a: int) -> int:
        return a

    def second(a: int) -> int:
        return a + 1

    for fn in (first, second):  # the second hits the prototype of the first
        t = task(**kwargs)(fn)
        fast = serialize.task_template(t, settings)
        slow = _general_template(t, settings, _modules())
        assert fast == slow
        assert fast.id.name == t.name
        assert list(fast.container.args[-4:]) == ["task-module", t.instantiated_in, "task-name", fn.__name__]


def test_templates_are_independent_copies() -> None:
    def fn(a: int) -> int:
        return a

    t = task(requests=Resources(cpu="1"), accelerator=T4)(fn)
    first = serialize.task_template(t)
    first.metadata.retries.retries = 9
    first.container.resources.requests[0].value = "99"
    first.extended_resources.gpu_accelerator.device = "changed"
    first.interface.inputs.variables["a"].description = "changed"
    again = serialize.task_template(t)
    assert again.metadata.retries.retries == 0
    assert again.container.resources.requests[0].value == "1"
    assert again.extended_resources.gpu_accelerator.device == "nvidia-tesla-t4"
    assert again.interface.inputs.variables["a"].description == "a"
    md = t.metadata.to_idl()
    md.retries.retries = 5
    assert t.metadata.to_idl().retries.retries == 0


def test_general_path_for_pod_templates_and_secrets() -> None:
    def fn(a: int) -> int:
        return a

    t = task(pod_template=PodTemplate(), secret_requests=[Secret(group="g", key="k")])(fn)
    pb = serialize.task_template(t)
    assert not pb.HasField("container")
    assert pb.k8s_pod.pod_spec["containers"][0]["name"] == "primary"
    assert pb.security_context.secrets[0].group == "g"


# --- fixes to the first version ------------------------------------------------------------------


class _Config:
    """A plugin config type."""


class _SyncPlugin(PythonFunctionTask):
    """A plugin that cannot run coroutines."""


def test_async_function_with_sync_plugin_is_an_assertion_error() -> None:
    TaskPlugins.register_pythontask_plugin(_Config, _SyncPlugin)

    async def fn(a: int) -> int:
        return a

    with pytest.raises(AssertionError, match="not compatible with async functions") as info:
        task(task_config=_Config())(fn)
    assert isinstance(info.value, PluginCompatibilityError)


def test_async_task_returns_a_coroutine_inside_a_running_loop() -> None:
    @task
    async def double(a: int) -> int:
        await asyncio.sleep(0)
        return 2 * a

    assert double(a=2) == 4  # no loop: run to completion

    async def main() -> int:
        pending = double(a=5)
        assert asyncio.iscoroutine(pending)
        return await pending  # type: ignore[no-any-return]

    assert asyncio.run(main()) == 10


def test_reference_task_has_no_template_and_nodes_use_its_id() -> None:
    from flyteidl.core import identifier_pb2

    rt = ReferenceTask("media", "stg", "some.name", "cafe", inputs={"in1": str}, outputs={})
    with pytest.raises(SerializationError, match="reference task") as info:
        serialize.task_template(rt)
    assert isinstance(info.value, ValueError)
    node = rt.with_overrides(retries=3, interruptible=True, requests=Resources(cpu="2"))
    pb = serialize.task_node(node)
    assert pb.task_node.reference_id == identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="media", domain="stg", name="some.name", version="cafe"
    )
    assert pb.metadata.retries.retries == 3 and pb.metadata.interruptible is True
    # D5: the override is kept (flytekit drops it silently, vector 99)
    assert [(e.name, e.value) for e in pb.task_node.overrides.resources.requests] == [(1, "2")]
    with pytest.raises(SerializationError, match="pod_template"):
        serialize.task_node(rt.with_overrides(pod_template=PodTemplate()))


def test_timeout_int_and_timedelta_share_one_metadata_value() -> None:
    def a() -> None: ...

    def b() -> None: ...

    ta = task(timeout=60)(a)
    tb = task(timeout=datetime.timedelta(minutes=1))(b)
    assert ta.metadata == tb.metadata
    assert serialize.task_template(ta).metadata == serialize.task_template(tb).metadata
