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

from podplan.errors import ReferenceExecutionError, TaskTypeError, TypeTransformerError
from podplan.tasks.base import PythonTask, native_inputs
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

    def _execute_checked(self, inputs: dict[str, Any]) -> Any:
        """:meth:`execute` on ``inputs``; the result checked against the output interface."""
        rval = self.execute(**inputs)
        outputs = self.python_interface.outputs
        if len(outputs) == 1 and isinstance(rval, tuple):
            name, declared = next(iter(outputs.items()))
            if declared is not tuple and getattr(declared, "__origin__", None) is not tuple:
                raise TypeTransformerError(
                    f"Output({name}) in task{self.name} received a tuple {rval}, instead of {declared}"
                )
        return self.python_interface.check_outputs(rval)

    def unwrap_literal_map_and_execute(
        self, ctx: Any, input_literal_map: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run :meth:`execute` (mocked in tests) on the inputs; return ``{output name: value}``.

        flytekit converts a ``LiteralMap`` to Python values and back; podplan takes and returns
        Python values (``ctx`` is ignored). Outputs are checked against the interface; as in
        flytekit, a tuple for a single output that is not declared a tuple is an error.
        """
        checked = self._execute_checked(native_inputs(input_literal_map))
        names = list(self.python_interface.outputs)
        if not names:
            return {}
        if len(names) == 1:
            return {names[0]: checked}
        return dict(zip(names, checked, strict=True))

    def dispatch_execute(self, ctx: Any, input_literal_map: Mapping[str, Any]) -> Any:
        """``pre_execute`` → :meth:`execute` → ``post_execute``; native outputs, checked."""
        params = self.pre_execute(ctx)
        rval = self._execute_checked(native_inputs(input_literal_map))
        return self.post_execute(params, rval)

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
