"""``PythonFunctionTask`` and ``AsyncPythonFunctionTask``: tasks that run a Python function.

Everything the decorator accepts is validated in the constructor (DESIGN D3/D5): resources are
parsed into a :class:`~podplan.resources.ResourceSpec`, the accelerator and shared memory are
checked, the pod template, secrets, image and environment are validated. The task never changes
after construction; serialization lives in :mod:`podplan.tasks.container` and
:mod:`podplan.serialize`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import inspect
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from podplan.errors import TaskDefinitionError, TaskTypeError
from podplan.tasks.base import PythonTask, native_inputs
from podplan.tasks.interface import Interface
from podplan.tasks.memo import memo, memo_identity
from podplan.tasks.metadata import DEFAULT_DECK_FIELDS, DeckField, Documentation, TaskMetadata
from podplan.tasks.secrets import SecurityContext, check_secret_requests
from podplan.tasks.settings import check_container_image

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2

    from podplan.resources import Resources, ResourceSpec
    from podplan.tasks.pod_template import PodTemplate
    from podplan.tasks.settings import SerializationSettings

#: the resolver flytekit's entrypoint uses to load a task inside the container
DEFAULT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"

_HINTS_MSG = (
    "node_dependency_hints should only be used on dynamic tasks. On static tasks and workflows its "
    "redundant because flyte can find the node dependencies automatically"
)


class ExecutionBehavior(enum.Enum):
    """How a function task runs (flytekit's ``PythonFunctionTask.ExecutionBehavior``)."""

    DEFAULT = 1
    DYNAMIC = 2
    EAGER = 3


_Mode = ExecutionBehavior


def task_module_name(fn: Callable[..., Any]) -> str:
    """The module a task function lives in; ``__main__`` is replaced by the script's file name."""
    module = getattr(fn, "__module__", None) or ""
    if module == "__main__":
        path = inspect.getsourcefile(fn) or ""
        module = os.path.splitext(os.path.basename(path))[0] or "__main__"
    return module


_RESOURCES: dict[Any, Any] = {}
_CONTAINER_MODULE: list[Any] = []
_ACCELERATORS: dict[Any, Any] = {}
_SHARED_MEMORY: dict[Any, Any] = {}


def _container_module() -> Any:
    """:mod:`podplan.tasks.container`, imported once (it is only needed to serialize)."""
    if not _CONTAINER_MODULE:
        from podplan.tasks import container

        _CONTAINER_MODULE.append(container)
    return _CONTAINER_MODULE[0]


def _task_resources(requests: Any, limits: Any, resources: Any) -> ResourceSpec | None:
    """Validated :class:`ResourceSpec` of the decorator arguments (memoized per value)."""

    if requests is None and limits is None and resources is None:
        return None
    # Resources compare by class and value, so a plain tuple is a sound key
    key = (requests, limits, resources)
    try:
        return _RESOURCES[key]
    except (KeyError, TypeError):  # a miss, or an unhashable (invalid) argument
        pass
    from podplan.resources import resolve_task_resources
    from podplan.tasks.container import check_request_limit_sides

    check_request_limit_sides(requests, limits, TaskTypeError)
    spec = resolve_task_resources(requests=requests, limits=limits, resources=resources)
    if len(_RESOURCES) < 4096:
        _RESOURCES[key] = spec
    return spec


def _accelerator(value: Any) -> Any:
    """The validated accelerator (memoized on the identity of shared constants)."""
    if value is None:
        return None
    entry = _ACCELERATORS.get(id(value))
    if entry is not None and entry[0] is value:
        return entry[1]

    def build() -> Any:
        from podplan.accelerators.base import as_accelerator

        return as_accelerator(value)

    return memo_identity(_ACCELERATORS, value, build)


def _shared_memory(value: Any) -> Any:
    """The validated shared-memory value (memoized per type and value)."""
    if value is None:
        return None

    def build() -> Any:
        from podplan.accelerators.extended import normalize_shared_memory

        return normalize_shared_memory(value)

    return memo(_SHARED_MEMORY, (type(value), value), build)


class PythonFunctionTask(PythonTask):
    """A task whose body is a Python function (the class ``@task`` builds by default)."""

    ExecutionBehavior = ExecutionBehavior
    #: a function task is located by its function, not by the frame that created it
    _track_instantiation = False

    def __init__(
        self,
        task_config: Any,
        task_function: Callable[..., Any],
        task_type: str = "python-task",
        ignore_input_vars: Iterable[str] | None = None,
        execution_mode: _Mode = _Mode.DEFAULT,
        task_resolver: Any = None,
        node_dependency_hints: Iterable[Any] | None = None,
        pickle_untyped: bool = False,
        *,
        container_image: Any = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        resources: Resources | None = None,
        accelerator: Any = None,
        shared_memory: Any = None,
        pod_template: PodTemplate | None = None,
        pod_template_name: str | None = None,
        secret_requests: Iterable[Any] | None = None,
        environment: Mapping[str, str] | None = None,
        metadata: TaskMetadata | None = None,
        docs: Documentation | None = None,
        disable_deck: bool | None = None,
        enable_deck: bool | None = None,
        deck_fields: Iterable[DeckField] | None = DEFAULT_DECK_FIELDS,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        interface: Any = None,
        name: str | None = None,
        task_type_version: int = 0,
        **kwargs: Any,
    ) -> None:
        if not callable(task_function):
            raise TaskTypeError(f"task_function={task_function!r} is invalid: expected a function")
        if not isinstance(execution_mode, ExecutionBehavior):
            raise TaskTypeError(
                f"execution_mode={execution_mode!r} is invalid: expected PythonFunctionTask.ExecutionBehavior"
            )
        if not isinstance(pickle_untyped, bool):
            raise TaskTypeError(f"pickle_untyped={pickle_untyped!r} is invalid: expected True or False")
        hints = list(node_dependency_hints) if node_dependency_hints is not None else []
        if hints and execution_mode != ExecutionBehavior.DYNAMIC:
            raise TaskDefinitionError(_HINTS_MSG)
        if task_resolver is not None and not isinstance(getattr(task_resolver, "location", None), str):
            raise TaskTypeError(
                f"task_resolver={task_resolver!r} is invalid: expected a resolver with a 'location' str"
            )
        if interface is None:
            interface = Interface.from_function(task_function, pickle_untyped=pickle_untyped)
        meta = metadata if metadata is not None else TaskMetadata()
        if not isinstance(meta, TaskMetadata):
            raise TaskTypeError(f"metadata={meta!r} is invalid: expected a podplan TaskMetadata")
        if pod_template_name is not None and not isinstance(pod_template_name, str):
            raise TaskTypeError(f"pod_template_name={pod_template_name!r} is invalid: expected a str")
        changes: dict[str, Any] = {}
        if meta.pod_template_name != pod_template_name:
            changes["pod_template_name"] = pod_template_name
        if labels is not None:
            changes["labels"] = labels
        if annotations is not None:
            changes["annotations"] = annotations
        if changes:
            meta = dataclasses.replace(meta, **changes)
        secrets = check_secret_requests(secret_requests)
        super().__init__(
            task_type=task_type,
            name=name or f"{task_module_name(task_function)}.{task_function.__name__}",
            task_config=task_config,
            interface=interface,
            environment=environment,
            disable_deck=disable_deck,
            enable_deck=enable_deck,
            deck_fields=deck_fields,
            metadata=meta,
            task_type_version=task_type_version,
            security_ctx=SecurityContext(secrets) if secrets else None,
            docs=docs,
            **kwargs,
        )
        self._task_function = task_function
        self._execution_mode = execution_mode
        self._task_resolver = task_resolver
        self._node_dependency_hints = tuple(hints)
        self._pickle_untyped = pickle_untyped
        self._ignore_input_vars = tuple(ignore_input_vars or ())
        self.container_image = check_container_image(container_image)
        self.resources: ResourceSpec | None = _task_resources(requests, limits, resources)
        self.accelerator = _accelerator(accelerator)
        self.shared_memory = _shared_memory(shared_memory)
        if pod_template is not None:
            from podplan.tasks.pod_template import PodTemplate

            if not isinstance(pod_template, PodTemplate):
                raise TaskTypeError(
                    f"pod_template={pod_template!r} is invalid: expected a podplan PodTemplate"
                )
        self.pod_template = pod_template
        self.pod_template_name = pod_template_name

    # --- properties ----------------------------------------------------------------------------

    @property
    def docs(self) -> Documentation | None:
        """Explicit ``docs``, else documentation built from the function's docstring (lazily)."""
        if self._docs is None and self._task_function.__doc__:
            self._docs = Documentation.from_docstring(self._task_function.__doc__)
        return self._docs

    @property
    def instantiated_in(self) -> str:
        """The module of the task function (``__main__`` is named after the script file)."""
        return self._name.rpartition(".")[0]

    @property
    def lhs(self) -> str:
        """The function's name: the entrypoint loads the task as ``<module>.<lhs>``."""
        return self._name.rpartition(".")[2]

    @property
    def location(self) -> str:
        """``<module>.<function name>``, the task's name."""
        return self._name

    def find_lhs(self) -> str:
        """Same as :attr:`lhs` (no module scan is needed for a function task)."""
        return self.lhs

    @property
    def task_function(self) -> Callable[..., Any]:
        """The decorated function."""
        return self._task_function

    @property
    def execution_mode(self) -> _Mode:
        """DEFAULT, DYNAMIC or EAGER."""
        return self._execution_mode

    @property
    def task_resolver(self) -> Any:
        """The custom task resolver, or ``None`` for flytekit's default resolver."""
        return self._task_resolver

    @property
    def node_dependency_hints(self) -> tuple[Any, ...]:
        """Entities a dynamic task depends on."""
        return self._node_dependency_hints

    @property
    def pickle_untyped(self) -> bool:
        """True when untyped inputs/outputs are accepted (as pickles)."""
        return self._pickle_untyped

    @property
    def gpu(self) -> Any:
        """The task's GPU count as a ``Quantity`` (limit, else request), or ``None``."""
        spec = self.resources
        if spec is None:
            return None
        limit = getattr(spec.limits, "gpu", None) if spec.limits is not None else None
        request = getattr(spec.requests, "gpu", None) if spec.requests is not None else None
        return limit if limit is not None else request

    # --- serialization -------------------------------------------------------------------------

    def container_args(self, settings: SerializationSettings) -> list[str]:
        """The container args: flytekit's entrypoint loading this task (fast-register aware)."""
        from podplan.tasks.container import container_args

        return container_args(self, settings)

    def get_default_command(self, settings: SerializationSettings | None = None) -> list[str]:
        """flytekit's entrypoint command for this task (``pyflyte-execute … task-name <fn>``)."""
        from podplan.tasks.container import resolve_settings

        return self.container_args(resolve_settings(settings))

    def get_command(self, settings: SerializationSettings | None = None) -> list[str]:
        """The container command (args) of the task; podplan has no ``set_command_fn``, so it is
        always :meth:`get_default_command`."""
        return self.get_default_command(settings)

    def get_image(self, settings: SerializationSettings | None = None) -> str:
        """The container image of the task, image templates resolved against ``settings``."""
        from podplan.tasks import idl_cache
        from podplan.tasks.container import resolve_settings

        return str(idl_cache.image(self.container_image, resolve_settings(settings).image_config))

    def get_container(self, settings: SerializationSettings | None = None) -> tasks_pb2.Container | None:
        """The task container, or ``None`` when a pod template carries it (see ``get_k8s_pod``)."""
        if self.pod_template is not None:
            return None
        return _container_module().build_container(self, settings)

    def get_k8s_pod(self, settings: SerializationSettings | None = None) -> tasks_pb2.K8sPod | None:
        """The pod (from the pod template, primary container filled in), or ``None``."""
        if self.pod_template is None:
            return None
        from podplan.tasks.container import build_container, resolve_settings
        from podplan.tasks.pod_template import k8s_pod_from_template

        settings = resolve_settings(settings)
        return k8s_pod_from_template(
            self.pod_template, build_container(self, settings), settings.image_config, with_name=False
        )

    def get_config(self, settings: SerializationSettings | None = None) -> dict[str, str] | None:
        """``{"primary_container_name": …}`` with a pod template, else ``{}``."""
        if self.pod_template is not None:
            return {"primary_container_name": self.pod_template.primary_container_name}
        return {}

    def get_extended_resources(
        self, settings: SerializationSettings | None = None
    ) -> tasks_pb2.ExtendedResources | None:
        """Accelerator and shared memory as flyteidl ``ExtendedResources`` (or ``None``)."""
        if self.accelerator is None and self.shared_memory is None:
            return None
        from podplan.accelerators.extended import construct_extended_resources

        return construct_extended_resources(accelerator=self.accelerator, shared_memory=self.shared_memory)

    # --- execution -----------------------------------------------------------------------------

    def execute(self, **kwargs: Any) -> Any:
        """Call the function with native inputs."""
        return self._task_function(**kwargs)


class AsyncPythonFunctionTask(PythonFunctionTask):
    """A task whose function is ``async def``.

    Called outside an event loop it runs with :func:`asyncio.run`; inside a running loop the call
    returns an awaitable. The environment and GPU placement hold for the whole coroutine.
    """

    async def _run(self, inputs: dict[str, Any], accelerator: Any, resources: Any) -> Any:
        from podplan.tasks.local import task_run_context

        with task_run_context(self, accelerator=accelerator, resources=resources):
            return await self.dispatch_execute(None, inputs)

    async def dispatch_execute(self, ctx: Any, input_literal_map: Mapping[str, Any]) -> Any:
        """``pre_execute`` → ``await execute`` → ``post_execute``; outputs are checked."""
        params = self.pre_execute(ctx)
        rval = await self.execute(**native_inputs(input_literal_map))
        rval = self.post_execute(params, rval)
        return self.python_interface.check_outputs(rval)

    def _local_call(self, inputs: dict[str, Any], *, accelerator: Any = None, resources: Any = None) -> Any:
        """``asyncio.run`` outside an event loop; an awaitable inside a running one."""
        coro = self._run(inputs, accelerator, resources)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro)
        return coro
