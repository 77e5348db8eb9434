"""``TaskNode``: a task plus node-level overrides (``task.with_overrides(...)``, spec §6).

A node is an immutable value. Each ``with_overrides`` call returns a new node whose overrides
are the earlier ones merged with the new ones (DESIGN D5): resources layer field by field and
side by side, and an argument that is not given (or ``None``) keeps its earlier value —
flytekit instead resets extended resources and ``cacheable`` on every call (spec §9.9).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from podplan.errors import OverrideError, OverrideTypeError, UnknownArgumentError
from podplan.tasks.validation import check_interruptible, check_retries, check_timeout, dnsify

if TYPE_CHECKING:
    from podplan.resources import ResourceSpec
    from podplan.tasks.base import PythonTask


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()

_CACHE_KWARGS = ("cache_serialize", "cache_version", "cache_ignore_input_vars")
_DEPRECATED_MSG = (
    "cache_serialize, cache_version, and cache_ignore_input_vars are deprecated. Please use Cache object"
)


@dataclasses.dataclass(frozen=True)
class TaskNode:
    """A node running ``task`` with overrides (what ``with_overrides`` returns).

    ``overrides`` maps each overridden field (``resources``, ``accelerator``, ``shared_memory``,
    ``interruptible``, ``retries``, ``timeout``, ``cacheable``, ``cache_version``,
    ``cache_serialize``, ``container_image``, ``pod_template``, ``name``, ``node_name``,
    ``task_config``, ``aliases``) to its validated value. Call it to run the task locally.
    """

    task: PythonTask
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def __hash__(self) -> int:
        return hash((id(self.task), tuple(sorted((k, repr(v)) for k, v in self.overrides.items()))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TaskNode):
            return NotImplemented
        return self.task is other.task and dict(self.overrides) == dict(other.overrides)

    # --- reading overrides --------------------------------------------------------------------

    def _get(self, key: str, default: Any = None) -> Any:
        return self.overrides.get(key, default)

    @property
    def resources(self) -> ResourceSpec | None:
        """The overridden resources (merged over all calls), or ``None``."""
        return self._get("resources")

    @property
    def accelerator(self) -> Any:
        """The overridden accelerator, or ``None``."""
        return self._get("accelerator")

    @property
    def shared_memory(self) -> Any:
        """The overridden shared memory (``True`` or a ``Quantity``), or ``None``."""
        return self._get("shared_memory")

    @property
    def container_image(self) -> str | None:
        """The overridden image (verbatim), or ``None``."""
        return self._get("container_image")

    @property
    def pod_template(self) -> Any:
        """The overridden pod template, or ``None``."""
        return self._get("pod_template")

    @property
    def task_config(self) -> Any:
        """The task config for this node (the override, else the task's)."""
        return self._get("task_config", self.task.task_config)

    @property
    def name(self) -> str:
        """Node metadata name: the override, else the last dotted segment of the task name."""
        return self._get("name") or self.task.name.rpartition(".")[2]

    @property
    def node_name(self) -> str | None:
        """The user-given node name, or ``None``."""
        return self._get("node_name")

    @property
    def id(self) -> str:
        """The node id: ``dnsify(node_name)``, else ``"n0"``."""
        node_name = self._get("node_name")
        return dnsify(node_name) if node_name else "n0"

    @property
    def interruptible(self) -> bool | None:
        """Effective interruptible flag (override, else the task's)."""
        return self._get("interruptible", self.task.metadata.interruptible)

    @property
    def retries(self) -> int:
        """Effective retries (override, else the task's)."""
        return int(self._get("retries", self.task.metadata.retries))

    @property
    def timeout(self) -> datetime.timedelta | None:
        """Effective timeout (override, else the task's)."""
        return self._get("timeout", self.task.metadata.timeout)

    @property
    def environment(self) -> dict[str, str]:
        """The task's environment (not overridable)."""
        return self.task.environment

    @property
    def metadata(self) -> Any:
        """The task's metadata (node-level values are the properties of this node)."""
        return self.task.metadata

    # --- building -----------------------------------------------------------------------------

    def with_overrides(
        self,
        node_name: str | None = None,
        aliases: dict[str, str] | None = None,
        requests: Any = None,
        limits: Any = None,
        timeout: Any = _UNSET,
        retries: int | None = None,
        interruptible: bool | None = None,
        name: str | None = None,
        task_config: Any = None,
        container_image: str | None = None,
        accelerator: Any = None,
        cache: Any = None,
        shared_memory: Any = None,
        pod_template: Any = None,
        resources: Any = None,
        **kwargs: Any,
    ) -> TaskNode:
        """A new node with these overrides merged over the current ones (D5); all validated."""
        unknown = sorted(k for k in kwargs if k not in _CACHE_KWARGS)
        if unknown:
            raise UnknownArgumentError(
                f"Unrecognized argument(s) for with_overrides: {unknown}; valid deprecated keywords "
                f"are {list(_CACHE_KWARGS)}"
            )
        new = dict(self.overrides)
        if node_name is not None:
            _check_str(node_name, "node_name")
            if dnsify(node_name) == "efn":
                raise OverrideError(f"node_name={node_name!r}: Node efn is reserved for the failure node")
            new["node_name"] = node_name
        if aliases is not None:
            if not isinstance(aliases, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
            ):
                raise OverrideTypeError("Aliases should be specified as dict[str, str]")
            new["aliases"] = {**new.get("aliases", {}), **aliases}
        spec = _resources(requests, limits, resources)
        if spec is not None:
            from podplan.resources import layer

            new["resources"] = layer(new["resources"], spec) if "resources" in new else spec
        if task_config is not None:
            current = self.task_config
            if current is not None and type(task_config) is not type(current):
                raise OverrideError(
                    f"task_config={task_config!r}: can't change the type of the task config "
                    f"(the task uses {type(current).__name__})"
                )
            new["task_config"] = task_config
        if container_image is not None:
            _check_str(container_image, "container_image")
            if container_image:
                new["container_image"] = container_image
        if accelerator is not None:
            from podplan.accelerators.base import as_accelerator

            new["accelerator"] = as_accelerator(accelerator)
        if shared_memory is not None:
            from podplan.accelerators.extended import normalize_shared_memory

            shm = normalize_shared_memory(shared_memory)
            if shm is not None:
                new["shared_memory"] = shm
        if timeout is not _UNSET:
            new["timeout"] = datetime.timedelta(0) if timeout is None else check_timeout(timeout)
        if retries is not None:
            new["retries"] = check_retries(retries)
        if interruptible is not None:
            new["interruptible"] = check_interruptible(interruptible)
        if name is not None:
            _check_str(name, "name")
            new["name"] = name
        self._cache(new, cache, kwargs)
        if pod_template is not None:
            from podplan.tasks.pod_template import PodTemplate

            if not isinstance(pod_template, PodTemplate):
                raise OverrideTypeError(f"pod_template={pod_template!r} should be a podplan PodTemplate")
            new["pod_template"] = pod_template
        return TaskNode(self.task, new)

    def _cache(self, new: dict[str, Any], cache: Any, kwargs: Mapping[str, Any]) -> None:
        from podplan.tasks.cache import Cache, VersionParameters

        version = kwargs.get("cache_version")
        serialize = kwargs.get("cache_serialize")
        if kwargs.get("cache_ignore_input_vars") is not None:
            raise OverrideError(
                "cache_ignore_input_vars cannot be overridden on a node: set it on the task "
                "(Cache(ignored_inputs=...))"
            )
        if version is not None:
            _check_str(version, "cache_version")
        if serialize is not None and not isinstance(serialize, bool):
            raise OverrideTypeError(f"cache_serialize={serialize!r} should be True or False")
        if cache is None:
            pass
        elif isinstance(cache, Cache):
            if version is not None or serialize is not None:
                raise OverrideError(_DEPRECATED_MSG)
            fn = getattr(self.task, "task_function", None)
            version = cache.get_version(VersionParameters(func=fn, interface=self.task.python_interface))
            serialize = cache.serialize
            new["cacheable"] = True
        elif isinstance(cache, bool):
            new["cacheable"] = cache
            if cache and version is None and not new.get("cache_version"):
                fn = getattr(self.task, "task_function", None)
                version = self.task.metadata.cache_version or Cache().get_version(
                    VersionParameters(func=fn, interface=self.task.python_interface)
                )
        else:
            raise OverrideTypeError(f"cache={cache!r} should be True, False or a podplan Cache")
        if version is not None:
            new["cache_version"] = version
        if serialize is not None:
            new["cache_serialize"] = serialize

    # --- local execution ----------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task locally; the node's accelerator/resources drive local GPU placement."""
        inputs = self.task.python_interface.bind_inputs(args, kwargs)
        resources = self.resources
        if resources is not None and self.task.resources is not None:
            from podplan.resources import layer

            resources = layer(self.task.resources, resources)
        return self.task._local_call(inputs, accelerator=self.accelerator, resources=resources)

    def __repr__(self) -> str:
        return f"TaskNode(task={self.task.name!r}, overrides={dict(self.overrides)!r})"


def _check_str(value: Any, field: str) -> None:
    if not isinstance(value, str):
        raise OverrideTypeError(f"{field}={value!r} should be a str")


def _resources(requests: Any, limits: Any, resources: Any) -> ResourceSpec | None:
    if requests is None and limits is None and resources is None:
        return None
    from podplan.resources import Resources, resolve_task_resources
    from podplan.tasks.container import check_request_limit_sides

    if resources is not None and not isinstance(resources, Resources):
        raise OverrideTypeError(f"resources should be specified as podplan.Resources, got {resources!r}")
    check_request_limit_sides(requests, limits, OverrideTypeError)
    return resolve_task_resources(requests=requests, limits=limits, resources=resources)
