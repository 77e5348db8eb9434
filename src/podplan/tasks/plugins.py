"""``TaskPlugins``: the registry from a ``task_config`` type to a ``PythonFunctionTask`` subclass.

Semantics of flytekit 1.16 (spec §7): registering the same pair again is a no-op; a different
plugin for a registered config type raises ``PluginError`` (a ``TypeError``) with flytekit's
text; lookups are by exact type and fall back to ``PythonFunctionTask``. For ``async def``
functions :meth:`TaskPlugins.plugin_for` picks ``AsyncPythonFunctionTask`` by default and
refuses a plugin that is not an ``AsyncPythonFunctionTask`` (``PluginCompatibilityError``, an
``AssertionError`` as in flytekit).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from podplan.errors import PluginCompatibilityError, PluginError

__all__ = ["TaskPlugins"]


def _function_task_classes() -> tuple[type, type]:
    from podplan.tasks.function_task import AsyncPythonFunctionTask, PythonFunctionTask

    return PythonFunctionTask, AsyncPythonFunctionTask


class TaskPlugins:
    """Factory of task classes for ``@task(task_config=...)`` (flytekit's ``TaskPlugins``).

    Usage::

        TaskPlugins.register_pythontask_plugin(MyConfig, MyFunctionTask)
        # @task(task_config=MyConfig(...)) now builds MyFunctionTask(task_config, fn, ...)
    """

    _PYTHONFUNCTION_TASK_PLUGINS: ClassVar[dict[type, type]] = {}

    @classmethod
    def register_pythontask_plugin(cls, plugin_config_type: type, plugin: type) -> None:
        """Register ``plugin`` (a ``PythonFunctionTask`` subclass) for ``plugin_config_type``."""
        base, _ = _function_task_classes()
        if not isinstance(plugin_config_type, type):
            raise PluginError(f"plugin_config_type={plugin_config_type!r} is invalid: expected a class")
        if not (isinstance(plugin, type) and issubclass(plugin, base)):
            raise PluginError(f"plugin={plugin!r} is invalid: expected a subclass of PythonFunctionTask")
        found = cls._PYTHONFUNCTION_TASK_PLUGINS.get(plugin_config_type)
        if found is not None:
            if found is plugin:
                return
            raise PluginError(
                f"Requesting to register plugin {plugin} - collides with existing plugin {found} "
                f"for type {plugin_config_type}"
            )
        cls._PYTHONFUNCTION_TASK_PLUGINS[plugin_config_type] = plugin

    @classmethod
    def find_pythontask_plugin(cls, plugin_config_type: type) -> type:
        """The plugin registered for exactly ``plugin_config_type``, else ``PythonFunctionTask``."""
        base, _ = _function_task_classes()
        return cls._PYTHONFUNCTION_TASK_PLUGINS.get(plugin_config_type, base)

    @classmethod
    def plugin_for(cls, task_config: Any, fn: Any) -> type:
        """The task class ``@task(task_config=...)`` builds for ``fn`` (async rules included)."""
        base, async_base = _function_task_classes()
        plugin = cls.find_pythontask_plugin(type(task_config)) if task_config is not None else base
        if inspect.iscoroutinefunction(fn):
            if plugin is base:
                return async_base
            if not issubclass(plugin, async_base):
                raise PluginCompatibilityError(f"Task plugin {plugin} is not compatible with async functions")
        return plugin

    @classmethod
    def unregister_pythontask_plugin(cls, plugin_config_type: type) -> None:
        """Remove a registration (for tests and interactive sessions; not in flytekit)."""
        cls._PYTHONFUNCTION_TASK_PLUGINS.pop(plugin_config_type, None)
