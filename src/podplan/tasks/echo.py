"""``Echo``: a task whose outputs are its inputs, run by the backend's echo plugin (no pod)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podplan.tasks.base import PythonTask
from podplan.tasks.interface import Interface, output_names

__all__ = ["Echo"]


class Echo(PythonTask):
    """A task that returns its inputs (flytekit's ``Echo``; task type ``"echo"``).

    Inputs ``{"a": int, "b": str}`` give outputs ``o0: int, o1: str``. The template has no
    container, pod or extended resources; enable the ``echo`` plugin in propeller's
    ``task-plugins.enabled-plugins`` to run it. Unlike flytekit, keyword arguments that do not
    apply (``requests=``, ``accelerator=`` …) are rejected instead of silently ignored (D5);
    ``metadata=``, ``environment=`` and the deck flags are accepted.
    """

    def __init__(self, name: str, inputs: Mapping[str, type] | None = None, **kwargs: Any) -> None:
        ins = dict(inputs or {})
        outs = dict(zip(output_names(len(ins)), ins.values(), strict=True))
        super().__init__(task_type="echo", name=name, interface=Interface(ins, outs), **kwargs)

    def execute(self, **kwargs: Any) -> Any:
        """Return the inputs: the single value, or a tuple of values (``()`` for none)."""
        values = tuple(kwargs.values())
        return values[0] if len(values) == 1 else values
