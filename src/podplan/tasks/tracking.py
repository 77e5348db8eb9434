"""Where a task was created and which variable holds it (flytekit's ``TrackedInstance``).

flytekit records, for every task object, the module whose top-level code created it
(``instantiated_in``) and finds the module variable bound to it on demand (``find_lhs``); the two
give the task's ``location`` (``module.variable``). podplan does the same for tasks that are not
function tasks (``Echo``, ``ReferenceTask``, user subclasses of ``PythonTask``); function tasks
are located by their function (module and ``__name__``), which costs nothing at decoration.

Also here: :class:`ExecutionState` with its ``Mode`` enum, the values ``local_execution_mode()``
returns (flytekit's ``ExecutionState.Mode``, same names and numbers).
"""

from __future__ import annotations

import enum
import os
import sys
from typing import Any

__all__ = ["ExecutionMode", "ExecutionState", "caller_module", "find_module_variable"]


class ExecutionMode(enum.Enum):
    """How a task is being executed (flytekit's ``ExecutionState.Mode``, same values)."""

    TASK_EXECUTION = 1
    LOCAL_WORKFLOW_EXECUTION = 2
    LOCAL_TASK_EXECUTION = 3
    DYNAMIC_TASK_EXECUTION = 4
    EAGER_EXECUTION = 5
    EAGER_LOCAL_EXECUTION = 6
    LOCAL_DYNAMIC_TASK_EXECUTION = 7


class ExecutionState:
    """Namespace mirroring flytekit's ``ExecutionState``: ``ExecutionState.Mode.LOCAL_TASK_EXECUTION``.

    podplan has no Flyte execution context; only the ``Mode`` enum is provided.
    """

    Mode = ExecutionMode


def caller_module(depth: int = 2) -> tuple[str | None, bool]:
    """The module whose top-level code is running the caller: ``(name, from_main)``.

    Walks up from the caller's caller (``depth`` frames up) to the first module-level frame, as
    flytekit does. A script run as ``__main__`` is named after its file (as function tasks are,
    see ``task_module_name``) and ``from_main`` is true; an interactive session gives ``None``.
    """
    frame: Any = sys._getframe(depth)
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            module_globals = frame.f_globals
            name = module_globals.get("__name__")
            if name != "__main__":
                return name, False
            path = module_globals.get("__file__")
            if not path:
                return None, True
            return os.path.splitext(os.path.basename(path))[0], True
        frame = frame.f_back
    return None, False


def find_module_variable(obj: object, module_name: str | None, from_main: bool) -> str | None:
    """The first (alphabetical, as flytekit's ``dir()`` scan) variable of the module bound to ``obj``.

    Only modules already imported are searched (nothing is imported, D10): the named module, and
    ``__main__`` for objects created by a script.
    """
    candidates = []
    if module_name:
        candidates.append(sys.modules.get(module_name))
    if from_main:
        candidates.append(sys.modules.get("__main__"))
    for module in candidates:
        if module is None:
            continue
        names = [k for k, v in list(vars(module).items()) if v is obj]
        if names:
            return min(names)
    return None
