"""Every name of the seed (``specs/seed-flytekit.core.task.md``): it exists, its signature is
compatible with the documented one, and it behaves as documented on a simple task.

The expected signatures are written out below as data (parameter name, kind, default), taken
from the seed and, where the seed leaves the default out, from flytekit 1.16 (the differential
test ``test_differential_seed_signatures.py`` checks the same table against flytekit's objects).

Compatible means: the seed's parameters come first, in order, with the same names and kinds;
where the seed has a default podplan has the same one; podplan may give a default to a parameter
the seed requires (``settings=None``: more calls work, none breaks) and may add optional
parameters after them.
"""

from __future__ import annotations

import datetime
import inspect
import os
import typing
from typing import Any
from unittest import mock

import pytest

import podplan
from podplan import Echo, ReferenceTask, Resources, TaskPlugins, eager, reference_task, task
from podplan.accelerators import A100
from podplan.errors import (
    PluginError,
    ReferenceExecutionError,
    TaskLocationError,
    TaskTypeError,
    TypeTransformerError,
    UnknownArgumentError,
)
from podplan.tasks import (
    DeckField,
    ExecutionBehavior,
    ExecutionMode,
    ExecutionState,
    PodTemplate,
    PythonFunctionTask,
    SerializationSettings,
    TaskMetadata,
    TaskNode,
)
from seed_names import (
    REFERENCE_METHODS,
    REFERENCE_PROPERTIES,
    SEED_FUNCTIONS,
    SEED_METHODS,
    SEED_PROPERTIES,
    TASK_PLUGINS_METHODS,
)

REQ = inspect.Parameter.empty  # "no default": the argument is required
POK = inspect.Parameter.POSITIONAL_OR_KEYWORD
VAR = inspect.Parameter.VAR_POSITIONAL
VKW = inspect.Parameter.VAR_KEYWORD

Spec = list[tuple[str, Any, Any]]  # (name, kind, default)

ALL_DECKS = (
    DeckField.SOURCE_CODE,
    DeckField.DEPENDENCIES,
    DeckField.TIMELINE,
    DeckField.INPUT,
    DeckField.OUTPUT,
)

# --- the seed's module-level functions -------------------------------------------------------------

FUNCTIONS: dict[str, Spec] = {
    "decorate_function": [("fn", POK, REQ)],
    "eager": [("_fn", POK, None), ("args", VAR, REQ), ("kwargs", VKW, REQ)],
    "reference_task": [
        ("project", POK, REQ),
        ("domain", POK, REQ),
        ("name", POK, REQ),
        ("version", POK, REQ),
    ],
    "task": [
        ("_task_function", POK, None),
        ("task_config", POK, None),
        ("cache", POK, False),
        ("retries", POK, 0),
        ("interruptible", POK, None),
        ("deprecated", POK, ""),
        ("timeout", POK, 0),
        ("container_image", POK, None),
        ("environment", POK, None),
        ("requests", POK, None),
        ("limits", POK, None),
        ("secret_requests", POK, None),
        ("execution_mode", POK, ExecutionBehavior.DEFAULT),
        ("node_dependency_hints", POK, None),
        ("task_resolver", POK, None),
        ("docs", POK, None),
        ("disable_deck", POK, None),
        ("enable_deck", POK, None),
        ("deck_fields", POK, ALL_DECKS),
        ("pod_template", POK, None),
        ("pod_template_name", POK, None),
        ("accelerator", POK, None),
        ("pickle_untyped", POK, False),
        ("shared_memory", POK, None),
        ("resources", POK, None),
        ("labels", POK, None),
        ("annotations", POK, None),
        ("kwargs", VKW, REQ),
    ],
}

# --- the seed's classes: constructors, methods, properties ---------------------------------------

SETTINGS: Spec = [("settings", POK, REQ)]
CTX_ARGS: Spec = [("ctx", POK, REQ), ("args", VAR, REQ), ("kwargs", VKW, REQ)]
CTX_LITERALS: Spec = [("ctx", POK, REQ), ("input_literal_map", POK, REQ)]

TASK_METHODS: dict[str, Spec] = {
    "compile": CTX_ARGS,
    "construct_node_metadata": [],
    "dispatch_execute": CTX_LITERALS,
    "execute": [("kwargs", VKW, REQ)],
    "find_lhs": [],
    "get_config": SETTINGS,
    "get_container": SETTINGS,
    "get_custom": SETTINGS,
    "get_extended_resources": SETTINGS,
    "get_input_types": [],
    "get_k8s_pod": SETTINGS,
    "get_sql": SETTINGS,
    "get_type_for_input_var": [("k", POK, REQ), ("v", POK, REQ)],
    "get_type_for_output_var": [("k", POK, REQ), ("v", POK, REQ)],
    "local_execute": [("ctx", POK, REQ), ("kwargs", VKW, REQ)],
    "local_execution_mode": [],
    "post_execute": [("user_params", POK, REQ), ("rval", POK, REQ)],
    "pre_execute": [("user_params", POK, REQ)],
    "sandbox_execute": CTX_LITERALS,
}

TASK_PROPERTIES = SEED_PROPERTIES

CLASSES: dict[str, dict[str, Any]] = {
    "Echo": {
        "init": [("name", POK, REQ), ("inputs", POK, None), ("kwargs", VKW, REQ)],
        "methods": TASK_METHODS,
        "properties": TASK_PROPERTIES,
    },
    "ReferenceTask": {
        "init": [
            ("project", POK, REQ),
            ("domain", POK, REQ),
            ("name", POK, REQ),
            ("version", POK, REQ),
            ("inputs", POK, REQ),
            ("outputs", POK, REQ),
        ],
        "methods": {**TASK_METHODS, "unwrap_literal_map_and_execute": CTX_LITERALS},
        "properties": [*TASK_PROPERTIES, *REFERENCE_PROPERTIES],
    },
}

PLUGIN_METHODS: dict[str, Spec] = {
    "find_pythontask_plugin": [("plugin_config_type", POK, REQ)],
    "register_pythontask_plugin": [("plugin_config_type", POK, REQ), ("plugin", POK, REQ)],
}


def _params(fn: Any, drop_self: bool) -> list[inspect.Parameter]:
    params = list(inspect.signature(fn).parameters.values())
    return params[1:] if drop_self else params


def assert_compatible(fn: Any, expected: Spec, *, drop_self: bool = False) -> None:
    """``fn``'s signature accepts every call the expected (seed) signature accepts."""
    actual = _params(fn, drop_self)
    assert len(actual) >= len(expected), (fn, [p.name for p in actual])
    for param, (name, kind, default) in zip(actual, expected, strict=False):
        assert (param.name, param.kind) == (name, kind), (fn, param, name, kind)
        if default is not REQ:
            assert param.default == default, (fn, name, param.default, default)
    for extra in actual[len(expected) :]:
        assert extra.kind in (VAR, VKW) or extra.default is not REQ, (fn, "required extra parameter", extra)


def test_compatibility_rule_rejects_what_it_should():
    def renamed(settings_: Any) -> None: ...

    def required_extra(settings: Any, more: Any) -> None: ...

    def other_default(settings: Any = 1) -> None: ...

    for fn in (renamed, required_extra):
        with pytest.raises(AssertionError):
            assert_compatible(fn, SETTINGS)
    with pytest.raises(AssertionError):
        assert_compatible(other_default, [("settings", POK, None)])
    assert_compatible(other_default, SETTINGS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_signature(name):
    fn = getattr(podplan, name)
    assert fn is getattr(podplan.tasks, name)
    assert callable(fn) and fn.__doc__
    assert_compatible(fn, FUNCTIONS[name])
    assert len(_params(fn, False)) == len(FUNCTIONS[name])  # nothing more, nothing less


def test_task_parameters_exactly_the_seed_order():
    assert [p.name for p in _params(task, False)] == [n for n, _, _ in FUNCTIONS["task"]]


@pytest.mark.parametrize("cls_name", sorted(CLASSES))
def test_class_constructor(cls_name):
    cls = getattr(podplan, cls_name)
    assert cls is getattr(podplan.tasks, cls_name) and cls.__doc__
    assert_compatible(cls.__init__, CLASSES[cls_name]["init"], drop_self=True)


METHOD_CASES = [(c, m) for c in sorted(CLASSES) for m in sorted(CLASSES[c]["methods"])]


@pytest.mark.parametrize(("cls_name", "method"), METHOD_CASES)
def test_class_method_signature(cls_name, method):
    cls = getattr(podplan, cls_name)
    fn = inspect.getattr_static(cls, method, None)
    assert fn is not None, f"{cls_name}.{method} is missing"
    assert callable(fn) and getattr(cls, method).__doc__, f"{cls_name}.{method} has no docstring"
    assert_compatible(fn, CLASSES[cls_name]["methods"][method], drop_self=True)


PROPERTY_CASES = [(c, p) for c in sorted(CLASSES) for p in CLASSES[c]["properties"]]


@pytest.mark.parametrize(("cls_name", "prop"), PROPERTY_CASES)
def test_class_property(cls_name, prop):
    attr = inspect.getattr_static(getattr(podplan, cls_name), prop, None)
    assert isinstance(attr, property), f"{cls_name}.{prop} is not a property"
    assert attr.__doc__


@pytest.mark.parametrize("method", sorted(PLUGIN_METHODS))
def test_task_plugins_classmethods(method):
    assert isinstance(inspect.getattr_static(TaskPlugins, method), classmethod)
    assert_compatible(getattr(TaskPlugins, method), PLUGIN_METHODS[method])


def test_module_variables():
    assert podplan.FLYTE_ENABLE_VSCODE_KEY == podplan.tasks.FLYTE_ENABLE_VSCODE_KEY == "_F_E_VS"
    assert isinstance(podplan.tasks.T, typing.TypeVar) and podplan.tasks.T.__name__ == "T"
    assert isinstance(podplan.tasks.FuncOut, typing.TypeVar) and podplan.tasks.FuncOut.__name__ == "FuncOut"
    assert isinstance(podplan.tasks.P, typing.ParamSpec) and podplan.tasks.P.__name__ == "P"


# --- behaviour: one simple task of each kind, defined at module level -----------------------------


@task(retries=2, interruptible=True, timeout=30, environment={"SEED_SURFACE_ENV": "on"})
def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b + (1000 if os.environ.get("SEED_SURFACE_ENV") == "on" else 0)


echo = Echo(name="seed.echo", inputs={"a": int, "b": str}, environment={"SEED_SURFACE_ENV": "echo"})
echo1 = Echo(name="seed_echo1", inputs={"a": int})
ref = ReferenceTask("proj", "dom", "remote.tasks.square", "v1", inputs={"x": int}, outputs={"o0": int})


@reference_task(project="proj", domain="dom", name="remote.tasks.pair", version="v2")
def pair(x: int) -> tuple[int, str]: ...


def test_echo_properties():
    assert echo.name == "seed.echo"
    assert echo.task_type == "echo" and echo.task_type_version == 0
    assert echo.task_config is None and echo.docs is None and echo.security_context is None
    assert echo.enable_deck is False and echo.deck_fields == []
    with pytest.warns(DeprecationWarning, match="use `enable_deck` instead"):
        assert echo.disable_deck is True
    assert echo.environment == {"SEED_SURFACE_ENV": "echo"}
    assert isinstance(echo.metadata, TaskMetadata) and echo.metadata.retries == 0
    assert echo.python_interface is echo.interface
    assert dict(echo.python_interface.outputs) == {"o0": int, "o1": str}
    # flytekit's TrackedInstance: the module that created it and the variable that holds it
    assert echo.instantiated_in == __name__
    assert echo.lhs == echo.find_lhs() == "echo"
    assert echo.location == f"{__name__}.echo"


def test_reference_properties():
    assert ref.task_type == "python-task" and ref.name == "remote.tasks.square"
    assert (ref.reference.project, ref.reference.version) == ("proj", "v1")
    assert ref.id.resource_type == "TASK" and ref.id.name == "remote.tasks.square"
    assert ref.lhs == "ref" and ref.location == f"{__name__}.ref"
    assert pair.lhs == "pair" and pair.instantiated_in == __name__
    assert isinstance(ref.metadata, TaskMetadata)  # flytekit raises AttributeError (bug §9.15)


def test_function_task_properties():
    assert add.name == f"{__name__}.add" and add.task_type == "python-task"
    assert add.instantiated_in == __name__ and add.lhs == add.find_lhs() == "add"
    assert add.location == add.name
    assert add.docs is not None and add.docs.short_description == "Add two numbers."
    assert add.environment == {"SEED_SURFACE_ENV": "on"}
    assert add.execution_mode is ExecutionBehavior.DEFAULT
    assert add.task_resolver is None and add.node_dependency_hints == () and add.pickle_untyped is False


def test_find_lhs_of_a_task_not_held_by_a_module_variable():
    local_echo = Echo(name="local", inputs={"a": int})  # created inside a function
    with pytest.raises(TaskLocationError, match="local") as info:
        local_echo.find_lhs()
    assert isinstance(info.value, LookupError)
    with pytest.raises(TaskLocationError):
        _ = local_echo.location


def test_construct_node_metadata():
    from flyteidl.core import literals_pb2, workflow_pb2

    pb = add.construct_node_metadata()
    assert isinstance(pb, workflow_pb2.NodeMetadata)
    assert pb.name == "add" and pb.interruptible is True
    assert pb.retries == literals_pb2.RetryStrategy(retries=2)
    assert pb.timeout.ToTimedelta() == datetime.timedelta(seconds=30)
    assert echo.construct_node_metadata() == workflow_pb2.NodeMetadata(
        name="echo", retries=literals_pb2.RetryStrategy()
    )
    assert ref.construct_node_metadata().name == "square"


def test_compile_checks_inputs_and_returns_a_node():
    from podplan import serialize

    node = add.compile(None, a=1)
    assert isinstance(node, TaskNode) and node.task is add
    assert serialize.task_node(node).metadata == add.construct_node_metadata()
    assert echo.compile(None, 1, "x").task is echo
    assert ref.compile(None, x=3).task is ref
    with pytest.raises(TypeError):
        add.compile(None, b=2)  # a is missing
    with pytest.raises(TypeTransformerError):
        add.compile(None, a="one")


def test_execute_and_dispatch_execute():
    assert add.execute(a=1, b=2) == 3  # execute: the function, no environment
    assert echo.execute(a=1, b="x") == (1, "x")
    assert echo1.execute(a=5) == 5
    assert add.dispatch_execute(None, {"a": 1, "b": 2}) == 3
    assert echo.dispatch_execute(None, {"a": 1, "b": "x"}) == (1, "x")
    with pytest.raises(TypeTransformerError):
        echo1.dispatch_execute(None, {"a": "not an int"})  # outputs checked against the interface
    literal_map = mock.Mock(spec=["literals"], literals={})
    with pytest.raises(TaskTypeError, match="Python values"):
        add.dispatch_execute(None, literal_map)


def test_local_and_sandbox_execute_apply_the_environment():
    assert "SEED_SURFACE_ENV" not in os.environ
    assert add.local_execute(None, a=1, b=1) == 1002
    assert add.sandbox_execute(None, {"a": 1}) == 1002  # the default of b is filled in
    assert add(a=1) == 1002
    assert "SEED_SURFACE_ENV" not in os.environ
    assert echo.local_execute(None, a=2, b="y") == (2, "y")
    assert add.local_execute(None, a=1) == 1002  # the default of b is filled in
    with pytest.raises(TypeTransformerError):
        add.local_execute(None, a="x")  # inputs are checked, as flytekit's type engine does
    with pytest.raises(TypeTransformerError):
        add.sandbox_execute(None, {"a": "x"})
    with pytest.raises(ReferenceExecutionError):
        ref.sandbox_execute(None, {"x": 2})


def test_local_execution_mode():
    assert add.local_execution_mode() is ExecutionMode.LOCAL_TASK_EXECUTION
    assert echo.local_execution_mode() is ExecutionState.Mode.LOCAL_TASK_EXECUTION
    assert ref.local_execution_mode().value == 3

    @eager
    async def wf(x: int) -> int:
        return x

    assert wf.local_execution_mode() is ExecutionMode.EAGER_LOCAL_EXECUTION


def test_pre_and_post_execute_are_identities_by_default():
    params = object()
    for t in (add, echo, ref):
        assert t.pre_execute(params) is params
        assert t.pre_execute(None) is None
        assert t.post_execute(params, 42) == 42


def test_serialization_hooks():
    from flyteidl.core import tasks_pb2

    settings = SerializationSettings.default()
    container = add.get_container(settings)
    assert isinstance(container, tasks_pb2.Container)
    assert container.image == add.get_image(settings) == settings.image_config.default_image.full
    assert list(container.args) == add.get_command(settings) == add.get_default_command(settings)
    assert add.get_config(settings) == {} and add.get_custom(settings) is None
    assert add.get_sql(settings) is None and add.get_k8s_pod(settings) is None
    assert add.get_extended_resources(settings) is None
    for t in (echo, ref):
        assert t.get_container(settings) is None and t.get_k8s_pod(settings) is None
        assert t.get_config(settings) is None and t.get_custom(settings) is None
        assert t.get_sql(settings) is None and t.get_extended_resources(settings) is None


def test_serialization_hooks_of_a_gpu_pod_template_task():
    from kubernetes.client import V1Container, V1PodSpec

    @task(
        resources=Resources(gpu=1),
        accelerator=A100,
        shared_memory=True,
        pod_template=PodTemplate(
            pod_spec=V1PodSpec(containers=[V1Container(name="side")]), primary_container_name="main"
        ),
    )
    def gpu() -> None: ...

    ext = gpu.get_extended_resources(None)
    assert ext.gpu_accelerator.device == "nvidia-tesla-a100" and ext.shared_memory.mount_path == "/dev/shm"
    assert gpu.get_container(None) is None
    pod = gpu.get_k8s_pod(None)
    assert [c["name"] for c in pod.pod_spec["containers"]] == ["side", "main"]
    assert gpu.get_config(None) == {"primary_container_name": "main"}


def test_input_and_output_types():
    assert add.get_input_types() == {"a": int, "b": int}
    assert echo.get_input_types() == {"a": int, "b": str}
    assert ref.get_input_types() == {"x": int}
    assert add.get_type_for_input_var("b", 1) is int
    assert add.python_interface.inputs_with_defaults == {"a": (int, None), "b": (int, 1)}
    assert add.python_interface.default_inputs_as_kwargs == {"b": 1}
    assert add.python_interface.output_names == ["o0"] and echo1.python_interface.output_names == ["o0"]
    assert Echo(name="none").python_interface.output_names is None
    assert add.metadata.retry_strategy.retries == 2
    assert add.get_type_for_output_var("o0", 1) is int
    assert echo.get_type_for_output_var("o1", None) is str
    for getter in (add.get_type_for_input_var, add.get_type_for_output_var, ref.get_type_for_input_var):
        with pytest.raises(KeyError, match="zz"):
            getter("zz", None)


def test_unwrap_literal_map_and_execute():
    with pytest.raises(ReferenceExecutionError, match="cannot be run locally"):
        ref.unwrap_literal_map_and_execute(None, {"x": 2})
    with mock.patch.object(ref, "execute", return_value=4) as execute:
        assert ref.unwrap_literal_map_and_execute(None, {"x": 2}) == {"o0": 4}
        assert ref(x=2) == 4
    execute.assert_called_with(x=2)
    with mock.patch.object(pair, "execute", return_value=(1, "a")):
        assert pair.unwrap_literal_map_and_execute(None, {"x": 1}) == {"o0": 1, "o1": "a"}  # two outputs
        assert pair(x=1) == (1, "a")
    with mock.patch.object(ref, "execute", return_value=(4, 5)), pytest.raises(AssertionError, match="tuple"):
        ref.unwrap_literal_map_and_execute(None, {"x": 2})
    with mock.patch.object(ref, "execute", return_value="four"), pytest.raises(TypeTransformerError):
        ref.unwrap_literal_map_and_execute(None, {"x": 2})


def test_task_plugins_behaviour():
    class Cfg:
        pass

    class CfgTask(PythonFunctionTask):
        pass

    assert TaskPlugins.find_pythontask_plugin(Cfg) is PythonFunctionTask
    TaskPlugins.register_pythontask_plugin(Cfg, CfgTask)
    try:
        TaskPlugins.register_pythontask_plugin(Cfg, CfgTask)  # the same pair again: no-op
        assert TaskPlugins.find_pythontask_plugin(Cfg) is CfgTask
        with pytest.raises(PluginError, match="collides"):
            TaskPlugins.register_pythontask_plugin(Cfg, PythonFunctionTask)

        @task(task_config=Cfg())
        def uses(x: int) -> int:
            return x

        assert type(uses) is CfgTask and isinstance(uses.task_config, Cfg)
    finally:
        TaskPlugins.unregister_pythontask_plugin(Cfg)


def test_eager_signature_behaviour():
    async def body(x: int) -> int:
        return x

    factory = eager(retries=1)
    assert callable(factory) and not isinstance(factory, PythonFunctionTask)
    assert factory(body).metadata.retries == 1
    assert eager(body).metadata.is_eager is True
    with pytest.raises(UnknownArgumentError, match="positional"):
        eager(body, 1)


def test_decorate_function_and_reference_task_behaviour(monkeypatch):
    def fn(x: int) -> int:
        return x

    monkeypatch.delenv("_F_E_VS", raising=False)
    assert podplan.decorate_function(fn) is fn
    monkeypatch.setenv("_F_E_VS", "true")
    wrapped = podplan.decorate_function(fn)
    assert wrapped is not fn and wrapped(3) == 3
    decorator = reference_task("p", "d", "n", "v")
    assert callable(decorator) and isinstance(decorator(fn), ReferenceTask)


def test_task_defaults_as_documented():
    @task
    def plain(x: int) -> int:
        return x

    meta = plain.metadata
    assert (meta.cache, meta.retries, meta.interruptible, meta.deprecated) == (False, 0, None, "")
    assert meta.timeout in (None, datetime.timedelta(0))
    assert plain.environment == {} and plain.resources is None and plain.accelerator is None
    assert plain.pod_template is None and plain.pod_template_name is None and plain.shared_memory is None
    assert plain.security_context is None and plain.enable_deck is False and plain.deck_fields == []
    assert (meta.labels, meta.annotations) == (None, None)


def test_async_task_dispatch_execute_on_python_values():
    import asyncio

    @task
    async def double(x: int) -> int:
        return 2 * x

    assert asyncio.run(double.dispatch_execute(None, {"x": 4})) == 8
    assert double.sandbox_execute(None, {"x": 5}) == 10  # asyncio.run outside an event loop
    with pytest.raises(TaskTypeError, match="Python values"):
        asyncio.run(double.dispatch_execute(None, mock.Mock(spec=["literals"])))


def test_signature_tables_cover_exactly_the_seed_names() -> None:
    """The signature data above and the shared name list (``tests/seed_names.py``) agree."""
    assert sorted(TASK_METHODS) == sorted(SEED_METHODS)
    assert sorted(FUNCTIONS) == sorted(SEED_FUNCTIONS)
    assert sorted(CLASSES["ReferenceTask"]["methods"]) == sorted([*SEED_METHODS, *REFERENCE_METHODS])
    assert sorted(PLUGIN_METHODS) == sorted(TASK_PLUGINS_METHODS)
