"""Load the tasks a CLI target names (``file.py:task``, ``package.module`` …) for the commands.

Shared by ``podplan gpus --for`` and ``podplan run``; :class:`TargetCall` lets an isolated child
process (:func:`podplan.accelerators.local.run_isolated`) load the target itself. This module is
above :mod:`podplan.tasks` in the pipeline, so :mod:`podplan.accelerators.local` never has to
import the task layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TargetCall", "load_named_tasks", "load_tasks", "select_task"]


def load_tasks(target: str) -> list[Any]:
    """The tasks (and task nodes) named by a CLI target (``file.py:task``, ``package.module`` …)."""
    from podplan.tasks.discovery import load_target

    return list(load_target(target))


def load_named_tasks(target: str) -> list[tuple[str, Any]]:
    """``(qualified name, task)`` for every task or task node of a CLI target: the name is
    ``<module>.<attribute>``, so a ``with_overrides`` node is told apart from its task."""
    from podplan.errors import TargetError
    from podplan.tasks.discovery import discover_tasks

    found = discover_tasks([target])
    if not found:
        raise TargetError(f"no tasks found in {target}")
    return [(d.qualified_name, d.task) for d in found]


def select_task(tasks: list[Any], wanted: str | None, target: str) -> Any:
    """The one task to run: ``wanted`` by (short or qualified) name, or the only task."""
    from podplan.errors import TargetError

    if wanted:
        for task in tasks:
            name = str(getattr(task, "name", ""))
            if wanted in (name, name.rsplit(".", 1)[-1]):
                return task
        raise TargetError(f"no task named {wanted!r} in {target}; found: {', '.join(_names(tasks))}")
    if len(tasks) != 1:
        raise TargetError(
            f"{target} holds {len(tasks)} tasks ({', '.join(_names(tasks))}); name one as {target}:<task>"
        )
    return tasks[0]


def _names(tasks: list[Any]) -> list[str]:
    return [str(getattr(t, "name", t)) for t in tasks]


@dataclass(frozen=True)
class TargetCall:
    """Call ``task_name`` of a CLI target (the only task when ``None``) with keyword inputs.

    It pickles as two strings, so ``run_isolated(TargetCall("file.py:train"), kwargs=…)`` starts a
    fresh interpreter that loads the target itself: nothing needs to pickle but the inputs.
    """

    target: str
    task_name: str | None = None

    def __call__(self, **inputs: Any) -> Any:
        """Load the target, select the task and run it with ``inputs``."""
        return select_task(load_tasks(self.target), self.task_name, self.target)(**inputs)
