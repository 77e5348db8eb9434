"""The seed surface against flytekit 1.16's own ``flytekit.core.task`` objects.

Signatures: every function, constructor and method the seed lists is compared with
``inspect.signature`` of flytekit's object — same parameter names, kinds and order, same defaults
where flytekit has one; podplan may default a parameter flytekit requires and may add optional
parameters (documented in docs/tasks.md). Behaviour: the same module-level definitions, imported
under each SDK, answer the seed's methods and properties alike (flytekit-only types are
compared through their flyteidl form).
"""

from __future__ import annotations

import enum
import inspect
import warnings
from typing import Any

import differential_harness as h
import flytekit.core.task as ft
import pytest

import podplan
import podplan.tasks
from seed_names import (
    REFERENCE_METHODS,
    REFERENCE_PROPERTIES,
    SEED_FUNCTIONS,
    SEED_METHODS,
    SEED_PROPERTIES,
    TASK_PLUGINS_METHODS,
)

CLASS_MEMBERS = {
    "Echo": (SEED_METHODS, SEED_PROPERTIES),
    "ReferenceTask": ([*SEED_METHODS, *REFERENCE_METHODS], [*SEED_PROPERTIES, *REFERENCE_PROPERTIES]),
    "TaskPlugins": (TASK_PLUGINS_METHODS, []),
}


def _params(fn: Any, drop_self: bool) -> list[inspect.Parameter]:
    params = list(inspect.signature(fn).parameters.values())
    return params[1:] if drop_self else params


def _default(value: Any) -> Any:
    """A default comparable across SDKs: enum members (each SDK has its own class) by name and value."""
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.name, value.value)
    if isinstance(value, tuple):
        return tuple(_default(v) for v in value)
    return value


def assert_compatible_with_flytekit(pp_fn: Any, fk_fn: Any, *, drop_self: bool = False) -> None:
    """podplan accepts every call flytekit's signature accepts, with the same defaults."""
    fk, pp = _params(fk_fn, drop_self), _params(pp_fn, drop_self)
    assert len(pp) >= len(fk), ([p.name for p in fk], [p.name for p in pp])
    for f, p in zip(fk, pp, strict=False):
        assert (p.name, p.kind) == (f.name, f.kind), (pp_fn, f, p)
        if f.default is not inspect.Parameter.empty:
            assert _default(p.default) == _default(f.default), (pp_fn, f.name, f.default, p.default)
    for extra in pp[len(fk) :]:
        assert extra.default is not inspect.Parameter.empty or extra.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ), (pp_fn, extra)


@pytest.mark.parametrize("name", SEED_FUNCTIONS)
def test_function_signature_matches_flytekit(name: str) -> None:
    assert_compatible_with_flytekit(getattr(podplan, name), getattr(ft, name))
    # module functions: exactly flytekit's parameters
    assert [p.name for p in _params(getattr(podplan, name), False)] == [
        p.name for p in _params(getattr(ft, name), False)
    ]


@pytest.mark.parametrize("cls_name", sorted(CLASS_MEMBERS))
def test_class_surface_matches_flytekit(cls_name: str) -> None:
    fk_cls, pp_cls = getattr(ft, cls_name), getattr(podplan, cls_name)
    if cls_name != "TaskPlugins":
        assert_compatible_with_flytekit(pp_cls.__init__, fk_cls.__init__, drop_self=True)
    methods, properties = CLASS_MEMBERS[cls_name]
    for method in methods:
        fk_attr, pp_attr = inspect.getattr_static(fk_cls, method), inspect.getattr_static(pp_cls, method)
        assert type(pp_attr) is type(fk_attr) or (callable(pp_attr) and callable(fk_attr)), method
        drop_self = not isinstance(fk_attr, classmethod)
        assert_compatible_with_flytekit(getattr(pp_cls, method), getattr(fk_cls, method), drop_self=drop_self)
    for prop in properties:
        assert isinstance(inspect.getattr_static(fk_cls, prop), property), prop  # the seed is right
        assert isinstance(inspect.getattr_static(pp_cls, prop), property), prop


def test_every_public_flytekit_member_of_the_seed_classes_exists() -> None:
    for cls_name in ("Echo", "ReferenceTask"):
        fk_names = {n for n in dir(getattr(ft, cls_name)) if not n.startswith("_")}
        missing = fk_names - set(dir(getattr(podplan, cls_name)))
        assert not missing, (cls_name, missing)


def test_module_variables_match_flytekit() -> None:
    assert podplan.FLYTE_ENABLE_VSCODE_KEY == ft.FLYTE_ENABLE_VSCODE_KEY
    for name in ("T", "P", "FuncOut"):
        fk_var, pp_var = getattr(ft, name), getattr(podplan.tasks, name)
        assert type(pp_var) is type(fk_var) and pp_var.__name__ == fk_var.__name__


def test_execution_modes_match_flytekit() -> None:
    from flytekit.core.context_manager import ExecutionState

    assert [(m.name, m.value) for m in podplan.tasks.ExecutionMode] == [
        (m.name, m.value) for m in ExecutionState.Mode
    ]


# --- behaviour on the same definitions -------------------------------------------------------------

SOURCE = """
@task(retries=2, interruptible=True, timeout=30, environment={"K": "v"})
def add(a: int, b: int = 1) -> int:
    '''Add two numbers.'''
    return a + b


@task(enable_deck=True, deck_fields=(DeckField.SOURCE_CODE, DeckField.TIMELINE))
def decks(x: str) -> typing.Tuple[int, str]:
    return 1, x


echo = Echo(name="seed_echo", inputs={"a": int, "b": str})
ref = ReferenceTask("proj", "dom", "remote.square", "v1", inputs={"x": int}, outputs={"o0": int})


@eager
async def wf(x: int) -> int:
    return add(a=x)
"""

IMPORTS = {
    "flytekit": "from flytekit.core.task import ReferenceTask\n",
    "podplan": "from podplan import ReferenceTask\n",
}


@pytest.fixture(scope="module")
def modules() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fk = h.load(IMPORTS["flytekit"] + SOURCE, "flytekit", "seed_surface")
        pp = h.load(IMPORTS["podplan"] + SOURCE, "podplan", "seed_surface")
    return fk, pp


def _same_module(fk_value: str, pp_value: str, fk_mod: Any, pp_mod: Any) -> None:
    assert pp_value.replace(pp_mod.__name__, "<m>") == fk_value.replace(fk_mod.__name__, "<m>")


@pytest.mark.parametrize("var", ["add", "decks", "echo"])
def test_properties_match_flytekit(modules: tuple[Any, Any], var: str) -> None:
    fk_mod, pp_mod = modules
    fk, pp = getattr(fk_mod, var), getattr(pp_mod, var)
    for prop in ("task_type", "task_type_version", "task_config", "environment", "enable_deck"):
        assert getattr(pp, prop) == getattr(fk, prop), prop
    with pytest.warns(DeprecationWarning) as fk_warning:
        fk_disable = fk.disable_deck
    with pytest.warns(DeprecationWarning) as pp_warning:
        assert pp.disable_deck == fk_disable
    assert str(pp_warning[0].message) == str(fk_warning[0].message)
    assert pp.deck_fields == fk.deck_fields and type(pp.deck_fields) is type(fk.deck_fields)
    assert pp.security_context is None and fk.security_context is None
    assert pp.lhs == fk.lhs == pp.find_lhs() == fk.find_lhs() == var
    _same_module(fk.instantiated_in, pp.instantiated_in, fk_mod, pp_mod)
    _same_module(fk.location, pp.location, fk_mod, pp_mod)
    _same_module(fk.name, pp.name, fk_mod, pp_mod)
    assert (
        pp.metadata.retries == fk.metadata.retries and pp.metadata.interruptible == fk.metadata.interruptible
    )


@pytest.mark.parametrize("var", ["add", "decks", "echo", "ref", "wf"])
def test_methods_match_flytekit(modules: tuple[Any, Any], var: str) -> None:
    fk_mod, pp_mod = modules
    fk, pp = getattr(fk_mod, var), getattr(pp_mod, var)
    assert pp.construct_node_metadata() == fk.construct_node_metadata().to_flyte_idl()
    assert pp.local_execution_mode().value == fk.local_execution_mode().value
    assert pp.pre_execute(None) is fk.pre_execute(None) is None
    assert pp.post_execute(None, 7) == fk.post_execute(None, 7) == 7
    fk_settings, pp_settings = h.flytekit_settings(), h.podplan_settings()
    for hook in ("get_config", "get_custom", "get_sql"):
        assert getattr(pp, hook)(pp_settings) == getattr(fk, hook)(fk_settings), hook
    if var == "ref":  # flytekit's ReferenceTask has no interface attributes (bug §9.15)
        with pytest.raises(NotImplementedError) as fk_err:
            fk.execute(x=1)
        with pytest.raises(NotImplementedError) as pp_err:
            pp.execute(x=1)
        assert str(pp_err.value) == str(fk_err.value)
        return
    assert pp.get_input_types() == fk.get_input_types()
    fk_if, pp_if = fk.python_interface, pp.python_interface
    assert pp_if.inputs_with_defaults == fk_if.inputs_with_defaults
    assert pp_if.default_inputs_as_kwargs == fk_if.default_inputs_as_kwargs
    assert pp_if.output_names == fk_if.output_names
    assert pp.metadata.retry_strategy == fk.metadata.retry_strategy.to_flyte_idl()
    for name in fk.get_input_types():
        assert pp.get_type_for_input_var(name, None) == fk.get_type_for_input_var(name, None)
    for name in fk.python_interface.outputs:
        assert pp.get_type_for_output_var(name, None) == fk.get_type_for_output_var(name, None)
    for getter in ("get_type_for_input_var", "get_type_for_output_var"):
        with pytest.raises(KeyError):
            getattr(fk, getter)("nope", None)
        with pytest.raises(KeyError):
            getattr(pp, getter)("nope", None)


def test_execute_matches_flytekit(modules: tuple[Any, Any]) -> None:
    fk_mod, pp_mod = modules
    assert pp_mod.add.execute(a=1, b=2) == fk_mod.add.execute(a=1, b=2) == 3
    assert pp_mod.echo.execute(a=1, b="x") == fk_mod.echo.execute(a=1, b="x") == (1, "x")
    assert pp_mod.echo(a=1, b="x") == fk_mod.echo(a=1, b="x")
    assert pp_mod.add(a=4) == fk_mod.add(a=4) == 5


def test_container_hooks_match_flytekit(modules: tuple[Any, Any]) -> None:
    fk_mod, pp_mod = modules
    fk_settings, pp_settings = h.flytekit_settings(), h.podplan_settings()
    fk, pp = fk_mod.add, pp_mod.add
    assert pp.get_image(pp_settings) == fk.get_image(fk_settings)
    fk_command = [a.replace(fk_mod.__name__, "<m>") for a in fk.get_command(fk_settings)]
    assert [a.replace(pp_mod.__name__, "<m>") for a in pp.get_command(pp_settings)] == fk_command
    assert [a.replace(pp_mod.__name__, "<m>") for a in pp.get_default_command(pp_settings)] == fk_command
    assert pp.get_k8s_pod(pp_settings) is None and fk.get_k8s_pod(fk_settings) is None
    assert pp.get_extended_resources(pp_settings) is None and fk.get_extended_resources(fk_settings) is None
    assert pp_mod.echo.get_container(pp_settings) is None and fk_mod.echo.get_container(fk_settings) is None
