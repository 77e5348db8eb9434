"""Reference tasks: pointers to tasks already registered on a Flyte installation.

The body of a ``@reference_task`` function never runs; only its signature is used, and it must
match the registered task's interface. Calling a reference task locally raises
``ReferenceExecutionError`` (a ``NotImplementedError``, flytekit's text) unless its ``execute``
is mocked, e.g. ``unittest.mock.patch.object(ref, "execute", return_value=...)``.

Serialization: a reference task has no task template of its own; Flyte stores a
``ReferenceTemplate(id, resource_type=TASK)`` for it and a node that uses it carries
``task_node.reference_id = id``. :attr:`ReferenceTask.id` gives that identifier and
:meth:`Identifier.to_flyte_idl` its ``flyteidl.core.identifier_pb2.Identifier``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from podplan.errors import ReferenceExecutionError, TaskTypeError
from podplan.tasks.base import PythonTask
from podplan.tasks.interface import Interface

if TYPE_CHECKING:
    from flyteidl.core import identifier_pb2

__all__ = ["Identifier", "ReferenceTask", "TaskReference", "reference_task"]

_NOT_LOCAL = "Remote reference entities cannot be run locally. You must mock this out."


@dataclasses.dataclass(frozen=True)
class Identifier:
    """A Flyte entity identifier (``resource_type`` is ``"TASK"`` for reference tasks)."""

    resource_type: str
    project: str
    domain: str
    name: str
    version: str

    def to_flyte_idl(self) -> identifier_pb2.Identifier:
        """The ``flyteidl.core.identifier_pb2.Identifier`` message."""
        from flyteidl.core import identifier_pb2

        return identifier_pb2.Identifier(
            resource_type=identifier_pb2.ResourceType.Value(self.resource_type),
            project=self.project,
            domain=self.domain,
            name=self.name,
            version=self.version,
        )


@dataclasses.dataclass(frozen=True)
class TaskReference:
    """Where a reference task lives: ``project``, ``domain``, ``name``, ``version``."""

    project: str
    domain: str
    name: str
    version: str

    @property
    def id(self) -> Identifier:
        """The task identifier."""
        return Identifier("TASK", self.project, self.domain, self.name, self.version)


class ReferenceTask(PythonTask):
    """A pointer to a registered task with the given interface (flytekit's ``ReferenceTask``).

    Deviation from flytekit: ``metadata`` is a default :class:`TaskMetadata` instead of raising
    ``AttributeError`` (flytekit bug §9.15).
    """

    def __init__(
        self,
        project: str,
        domain: str,
        name: str,
        version: str,
        inputs: Mapping[str, Any] | Interface,
        outputs: Mapping[str, Any] | None,
    ) -> None:
        """``inputs``/``outputs`` map names to types; an :class:`Interface` may replace both."""
        for field, value in (("project", project), ("domain", domain), ("name", name), ("version", version)):
            if not isinstance(value, str) or not value:
                raise TaskTypeError(f"reference {field}={value!r} is invalid: expected a non-empty str")
        interface: Interface
        if isinstance(inputs, Interface):
            interface = inputs
        else:
            interface = Interface(dict(inputs or {}), dict(outputs or {}))
        self._reference = TaskReference(project, domain, name, version)
        super().__init__(task_type="python-task", name=name, interface=interface)

    @property
    def reference(self) -> TaskReference:
        """The referenced task's project, domain, name and version."""
        return self._reference

    @property
    def id(self) -> Identifier:
        """``Identifier(TASK, project, domain, name, version)``."""
        return self._reference.id

    @property
    def task_resolver(self) -> None:
        """Reference tasks have no resolver (``None``, as in flytekit)."""
        return None

    def execute(self, **kwargs: Any) -> Any:
        """Always raises: the referenced task runs only on Flyte (mock this method in tests)."""
        raise ReferenceExecutionError(_NOT_LOCAL)

    def __repr__(self) -> str:
        r = self._reference
        return f"ReferenceTask({r.project}/{r.domain}/{r.name}@{r.version})"


def reference_task(
    project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], ReferenceTask]:
    """Decorator: a :class:`ReferenceTask` whose interface is the function's signature.

    The function body is never run (and needs no return statement).
    """

    def wrapper(fn: Callable[..., Any]) -> ReferenceTask:
        interface = Interface.from_function(fn, is_reference=True)
        ref = ReferenceTask(project, domain, name, version, interface, {})
        functools.update_wrapper(ref, fn, updated=())
        return ref

    return wrapper
