"""TaskPlugins (spec §7, vectors 105-106)."""

from __future__ import annotations

import pytest

from podplan import TaskPlugins
from podplan.errors import PluginCompatibilityError, PluginError
from podplan.tasks.function_task import AsyncPythonFunctionTask, PythonFunctionTask


class ConfC:
    pass


class PluginP(PythonFunctionTask):
    pass


class PluginQ(PythonFunctionTask):
    pass


class AsyncPlugin(AsyncPythonFunctionTask):
    pass


@pytest.fixture(autouse=True)
def _clean_registry():
    yield
    TaskPlugins.unregister_pythontask_plugin(ConfC)


def test_register_same_pair_twice_then_collision():
    TaskPlugins.register_pythontask_plugin(ConfC, PluginP)
    TaskPlugins.register_pythontask_plugin(ConfC, PluginP)
    assert TaskPlugins.find_pythontask_plugin(ConfC) is PluginP
    with pytest.raises(PluginError) as info:
        TaskPlugins.register_pythontask_plugin(ConfC, PluginQ)
    assert isinstance(info.value, TypeError)
    assert str(info.value) == (
        f"Requesting to register plugin {PluginQ} - collides with existing plugin {PluginP} for type {ConfC}"
    )


def test_find_unknown_is_python_function_task():
    class Unknown:
        pass

    assert TaskPlugins.find_pythontask_plugin(Unknown) is PythonFunctionTask


def test_plugin_for_sync_and_async():
    def f(a: int) -> int:
        return a

    async def g(a: int) -> int:
        return a

    assert TaskPlugins.plugin_for(None, f) is PythonFunctionTask
    assert TaskPlugins.plugin_for(None, g) is AsyncPythonFunctionTask
    TaskPlugins.register_pythontask_plugin(ConfC, PluginP)
    assert TaskPlugins.plugin_for(ConfC(), f) is PluginP
    with pytest.raises(PluginCompatibilityError) as info:
        TaskPlugins.plugin_for(ConfC(), g)
    assert isinstance(info.value, AssertionError)
    assert str(info.value) == f"Task plugin {PluginP} is not compatible with async functions"


def test_async_plugin_accepted_for_async_function():
    async def g(a: int) -> int:
        return a

    TaskPlugins.register_pythontask_plugin(ConfC, AsyncPlugin)
    assert TaskPlugins.plugin_for(ConfC(), g) is AsyncPlugin


@pytest.mark.parametrize(("cfg", "plugin"), [("notatype", PluginP), (ConfC, object), (ConfC, "x")])
def test_invalid_registrations_rejected(cfg, plugin):
    with pytest.raises(PluginError):
        TaskPlugins.register_pythontask_plugin(cfg, plugin)
