"""``PythonTask``: the base of every podplan task (flytekit's ``PythonTask`` surface).

A task is a value built once at decoration time: every argument is validated there, and
serialization (:mod:`podplan.serialize`) never mutates it. Local execution works on Python
values (not Flyte literal maps): inputs are bound and checked against the interface, the
task's environment is applied for the call, and accelerator tasks go through the local-GPU hook
(:mod:`podplan.tasks.local`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from podplan.errors import (
    TaskDefinitionError,
    TaskLocationError,
    TaskTypeError,
    TaskVariableError,
    UnknownArgumentError,
)
from podplan.tasks.metadata import (
    DEFAULT_DECK_FIELDS,
    DeckField,
    Documentation,
    TaskMetadata,
    check_metadata,
)
from podplan.tasks.secrets import SecurityContext
from podplan.tasks.tracking import ExecutionMode, caller_module, find_module_variable
from podplan.tasks.validation import check_environment

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2, workflow_pb2

    from podplan.resources import ResourceSpec
    from podplan.tasks.interface import Interface
    from podplan.tasks.node import TaskNode
    from podplan.tasks.pod_template import PodTemplate
    from podplan.tasks.settings import SerializationSettings

__all__ = ["PythonTask", "TaskMetadata", "native_inputs", "resolve_deck_flags"]


def native_inputs(input_literal_map: Any) -> dict[str, Any]:
    """The ``{name: value}`` dict of an input mapping; a Flyte ``LiteralMap`` is refused clearly."""
    if isinstance(input_literal_map, Mapping):
        return dict(input_literal_map)
    if input_literal_map is None:
        return {}
    raise TaskTypeError(
        f"input_literal_map={type(input_literal_map).__name__} is invalid: podplan executes tasks on "
        "Python values, so pass a mapping of input names to values (a Flyte LiteralMap needs flytekit's "
        "type engine)"
    )


def resolve_deck_flags(
    disable_deck: Any, enable_deck: Any, deck_fields: Any
) -> tuple[bool, tuple[DeckField, ...]]:
    """flytekit's deck rules (spec §5.10), with every value validated.

    Returns ``(enable_deck, deck_fields)``; fields are kept only when decks are enabled.
    """
    if disable_deck is None and enable_deck is None and deck_fields is DEFAULT_DECK_FIELDS:
        return False, ()  # @task's defaults: decks off
    for name, value in (("disable_deck", disable_deck), ("enable_deck", enable_deck)):
        if value is not None and not isinstance(value, bool):
            raise TaskTypeError(f"{name}={value!r} is invalid: expected True, False or None")
    if disable_deck is not None and enable_deck is not None:
        raise TaskDefinitionError("only one of [disable_deck, enable_deck] can be set")
    if disable_deck is not None:
        warnings.warn(
            "disable_deck was deprecated in 1.10.0, please use enable_deck instead",
            FutureWarning,
            stacklevel=4,
        )
    if enable_deck is not None:
        enabled = enable_deck
    else:
        enabled = not disable_deck if disable_deck is not None else False
    fields: tuple[DeckField, ...] = ()
    if deck_fields is not None:
        if isinstance(deck_fields, (str, bytes)) or not isinstance(deck_fields, Iterable):
            raise TaskTypeError(f"deck_fields={deck_fields!r} is invalid: expected a tuple of DeckField")
        checked = []
        for deck in deck_fields:
            if not isinstance(deck, DeckField):
                valid = {d.value for d in DeckField}
                raise TaskDefinitionError(
                    f"Element {deck} from deck_fields param is not a valid deck field. "
                    f"Please use one of {valid}"
                )
            checked.append(deck)
        fields = tuple(checked)
    return enabled, (fields if enabled else ())


class PythonTask:
    """A task with a Python-native interface (flytekit's ``PythonTask``).

    Subclasses implement :meth:`execute`. Attributes read by lower layers (pod preview, checks)
    are ``name``, ``resources``, ``accelerator``, ``shared_memory``, ``metadata``,
    ``pod_template`` and ``environment``; the base class has no resources, accelerator, shared
    memory or pod template.
    """

    #: what the lower layers read; subclasses with a container override these
    resources: ResourceSpec | None = None
    accelerator: Any = None
    shared_memory: Any = None
    pod_template: PodTemplate | None = None
    pod_template_name: str | None = None
    container_image: Any = None
    #: record the creating module (flytekit's ``TrackedInstance``); function tasks use their function
    _track_instantiation: ClassVar[bool] = True
    _instantiated_in: str | None = None
    _from_main: bool = False
    _lhs: str | None = None

    def __init__(
        self,
        task_type: str,
        name: str,
        task_config: Any = None,
        interface: Interface | None = None,
        environment: Mapping[str, str] | None = None,
        disable_deck: bool | None = None,
        enable_deck: bool | None = None,
        deck_fields: Iterable[DeckField] | None = DEFAULT_DECK_FIELDS,
        metadata: TaskMetadata | None = None,
        task_type_version: int = 0,
        security_ctx: SecurityContext | None = None,
        docs: Documentation | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise UnknownArgumentError(
                f"Unrecognized argument(s) for {type(self).__name__}: {sorted(kwargs)}"
            )
        if not isinstance(task_type, str) or not task_type:
            raise TaskTypeError(f"task_type={task_type!r} is invalid: expected a non-empty str")
        if not isinstance(name, str) or not name:
            raise TaskTypeError(f"name={name!r} is invalid: expected a non-empty str")
        if isinstance(task_type_version, bool) or not isinstance(task_type_version, int):
            raise TaskTypeError(f"task_type_version={task_type_version!r} is invalid: expected an int")
        if security_ctx is not None and not isinstance(security_ctx, SecurityContext):
            raise TaskTypeError(f"security_ctx={security_ctx!r} is invalid: expected a SecurityContext")
        if docs is not None and not isinstance(docs, Documentation):
            raise TaskTypeError(f"docs={docs!r} is invalid: expected a podplan Documentation")
        if interface is None:
            from podplan.tasks.interface import Interface

            interface = Interface()
        self._task_type = task_type
        self._name = name
        self._task_config = task_config
        self._interface = interface
        self._environment = check_environment(environment)
        enabled, fields = resolve_deck_flags(disable_deck, enable_deck, deck_fields)
        self._enable_deck = enabled
        self._disable_deck = not enabled
        self._deck_fields = fields
        meta = TaskMetadata() if metadata is None else check_metadata(metadata)
        if enabled and not meta.generates_deck:
            import dataclasses

            meta = dataclasses.replace(meta, generates_deck=True)
        self._metadata = meta
        self._task_type_version = task_type_version
        self._security_ctx = security_ctx
        self._docs = docs
        if self._track_instantiation:
            self._instantiated_in, self._from_main = caller_module(2)

    # --- properties of the seed --------------------------------------------------------------

    @property
    def name(self) -> str:
        """The task's fully qualified name (``module.function`` for function tasks)."""
        return self._name

    @property
    def task_type(self) -> str:
        """The Flyte task type (``"python-task"`` for function tasks)."""
        return self._task_type

    @property
    def task_type_version(self) -> int:
        """The task type version (0 unless a plugin says otherwise)."""
        return self._task_type_version

    @property
    def task_config(self) -> Any:
        """The user-specified plugin configuration, or ``None``."""
        return self._task_config

    @property
    def metadata(self) -> TaskMetadata:
        """The validated :class:`TaskMetadata`."""
        return self._metadata

    @property
    def environment(self) -> dict[str, str]:
        """Environment variables set for the task's execution (a copy)."""
        return dict(self._environment)

    @property
    def docs(self) -> Documentation | None:
        """The task documentation, if any."""
        return self._docs

    @property
    def python_interface(self) -> Interface:
        """The task's Python interface (inputs, defaults, outputs)."""
        return self._interface

    @property
    def interface(self) -> Interface:
        """Same as :attr:`python_interface`; ``interface.to_idl()`` gives the flyteidl form."""
        return self._interface

    @property
    def security_context(self) -> SecurityContext | None:
        """The requested secrets, or ``None`` when the task requests none."""
        return self._security_ctx

    @property
    def enable_deck(self) -> bool:
        """True when the task renders decks."""
        return self._enable_deck

    @property
    def disable_deck(self) -> bool:
        """True when the task renders no decks; deprecated, so reading it warns (as flytekit's)."""
        warnings.warn(
            "`disable_deck` is deprecated and will be removed in the future.\n"
            "Please use `enable_deck` instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._disable_deck

    @property
    def deck_fields(self) -> list[DeckField]:
        """The decks rendered when decks are enabled, else ``[]`` (a new list, as flytekit's)."""
        return list(self._deck_fields)

    @property
    def instantiated_in(self) -> str:
        """The module whose top-level code created the task ("" when unknown, e.g. a REPL)."""
        return self._instantiated_in or ""

    @property
    def lhs(self) -> str:
        """The module variable bound to the task (see :meth:`find_lhs`)."""
        return self.find_lhs()

    @property
    def location(self) -> str:
        """``<instantiated_in>.<lhs>``: where the task can be imported from."""
        return f"{self.instantiated_in}.{self.lhs}"

    def find_lhs(self) -> str:
        """The name of the module variable bound to this task (found once, then remembered).

        Raises :class:`~podplan.errors.TaskLocationError` (flytekit: ``FlyteSystemException``) when
        the creating module is unknown or no variable of it holds the task, e.g. a task created
        inside a function.
        """
        if self._lhs is not None:
            return self._lhs
        where = self._instantiated_in
        if not where and not self._from_main:
            raise TaskLocationError(
                f"{type(self).__name__} {self._name!r} was not created by a module's top-level code, "
                "so it has no module variable (lhs); define it at module level"
            )
        found = find_module_variable(self, where, self._from_main)
        if found is None:
            raise TaskLocationError(
                f"no variable of module {where or '__main__'!r} holds {type(self).__name__} "
                f"{self._name!r}; assign it to a module-level name"
            )
        self._lhs = found
        return found

    # --- serialization hooks (each returns a flyteidl message or None) -----------------------

    def get_container(self, settings: SerializationSettings | None = None) -> tasks_pb2.Container | None:
        """The container definition that runs the task on Flyte (none for the base class)."""
        return None

    def get_k8s_pod(self, settings: SerializationSettings | None = None) -> tasks_pb2.K8sPod | None:
        """The Kubernetes pod definition (only tasks with a pod template have one)."""
        return None

    def get_extended_resources(
        self, settings: SerializationSettings | None = None
    ) -> tasks_pb2.ExtendedResources | None:
        """Accelerator and shared memory (none for the base class)."""
        return None

    def get_config(self, settings: SerializationSettings | None = None) -> dict[str, str] | None:
        """The task's ``config`` map (plugin metadata), or ``None``."""
        return None

    def get_custom(self, settings: SerializationSettings | None = None) -> dict[str, Any] | None:
        """Plugin-specific custom data as a JSON-compatible dict, or ``None``."""
        return None

    def get_sql(self, settings: SerializationSettings | None = None) -> tasks_pb2.Sql | None:
        """The SQL definition of SQL tasks, or ``None``."""
        return None

    # --- interface helpers -------------------------------------------------------------------

    def get_input_types(self) -> dict[str, type]:
        """Input names → Python types."""
        return dict(self._interface.inputs)

    def get_type_for_input_var(self, k: str, v: Any = None) -> type:
        """The Python type of input ``k``."""
        try:
            return self._interface.inputs[k]
        except KeyError:
            raise TaskVariableError(
                f"task {self._name} has no input {k!r}; inputs: {list(self._interface.inputs)}"
            ) from None

    def get_type_for_output_var(self, k: str, v: Any = None) -> type:
        """The Python type of output ``k``."""
        try:
            return self._interface.outputs[k]
        except KeyError:
            raise TaskVariableError(
                f"task {self._name} has no output {k!r}; outputs: {list(self._interface.outputs)}"
            ) from None

    # --- workflow nodes ----------------------------------------------------------------------

    def compile(self, ctx: Any, *args: Any, **kwargs: Any) -> TaskNode:
        """The node that runs this task in a workflow, with the inputs checked against the interface.

        flytekit adds the node to the workflow being compiled (a ``FlyteContext``) and returns
        promises; podplan has no workflows, so it returns the :class:`~podplan.tasks.node.TaskNode`
        (``ctx`` is accepted and ignored; ``podplan.serialize.task_node`` gives its flyteidl form).
        """
        from podplan.tasks.node import TaskNode

        self._interface.bind_inputs(args, kwargs)
        return TaskNode(self)

    def construct_node_metadata(self) -> workflow_pb2.NodeMetadata:
        """The flyteidl ``NodeMetadata`` of a node running this task: short name, timeout,
        retries and interruptible from the task metadata."""
        from podplan.serialize import node_metadata
        from podplan.tasks.node import TaskNode

        return node_metadata(TaskNode(self))

    # --- execution ---------------------------------------------------------------------------

    def local_execution_mode(self) -> ExecutionMode:
        """``ExecutionMode.LOCAL_TASK_EXECUTION`` (flytekit's ``ExecutionState.Mode`` value)."""
        return ExecutionMode.LOCAL_TASK_EXECUTION

    def pre_execute(self, user_params: Any) -> Any:
        """Called before :meth:`execute`; returns the (possibly changed) user parameters."""
        return user_params

    def post_execute(self, user_params: Any, rval: Any) -> Any:
        """Called after :meth:`execute` with its return value; returns the final value."""
        return rval

    def execute(self, **kwargs: Any) -> Any:
        """Run the task body on native Python values (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement execute()")

    def dispatch_execute(self, ctx: Any, input_literal_map: Mapping[str, Any]) -> Any:
        """``pre_execute`` → ``execute`` → ``post_execute`` on native values; outputs are checked.

        podplan passes Python values, not Flyte literal maps (there is no type engine here):
        ``input_literal_map`` maps input names to values, and the result is the checked native
        output (a value, a named tuple for several outputs, ``None`` for none).
        """
        params = self.pre_execute(ctx)
        rval = self.execute(**native_inputs(input_literal_map))
        rval = self.post_execute(params, rval)
        return self._interface.check_outputs(rval)

    def sandbox_execute(self, ctx: Any, input_literal_map: Mapping[str, Any]) -> Any:
        """:meth:`dispatch_execute` inside a local run: inputs bound and checked against the
        interface (defaults filled in), the task environment applied, the local-GPU hook entered."""
        inputs = self._interface.bind_inputs((), native_inputs(input_literal_map))
        return self._local_call(inputs)

    def local_execute(self, ctx: Any = None, **kwargs: Any) -> Any:
        """Run the task locally inside its run context; inputs are checked (defaults filled in).

        flytekit returns promises; podplan returns the native outputs (``ctx`` is ignored).
        """
        return self._local_call(self._interface.bind_inputs((), kwargs))

    def _local_call(self, inputs: dict[str, Any], *, accelerator: Any = None, resources: Any = None) -> Any:
        """Run with the environment applied and, for GPU tasks, the local-GPU hook entered.

        ``accelerator``/``resources`` replace the task's own (used by node overrides).
        """
        from podplan.tasks.local import task_run_context

        with task_run_context(self, accelerator=accelerator, resources=resources):
            return self.dispatch_execute(None, inputs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the task locally: inputs are bound and checked against the interface."""
        inputs = self._interface.bind_inputs(args, kwargs)
        return self.local_execute(None, **inputs)

    def with_overrides(self, **overrides: Any) -> TaskNode:
        """A :class:`~podplan.tasks.node.TaskNode` of this task carrying the given overrides."""
        from podplan.tasks.node import TaskNode

        return TaskNode(self).with_overrides(**overrides)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self._name!r}, task_type={self._task_type!r})"
