"""The task container (flytekit spec §2.3): image, entrypoint args, resources and env."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podplan.errors import TaskDefinitionError

if TYPE_CHECKING:
    from flyteidl.core import tasks_pb2

    from podplan.resources import ResourceSpec
    from podplan.tasks.function_task import PythonFunctionTask
    from podplan.tasks.settings import SerializationSettings

_ENTRY_ARGS = (
    "pyflyte-execute",
    "--inputs",
    "{{.input}}",
    "--output-prefix",
    "{{.outputPrefix}}",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--resolver",
)


def resolve_settings(settings: SerializationSettings | None) -> SerializationSettings:
    """``settings`` or :meth:`SerializationSettings.default`."""
    if settings is None:
        from podplan.tasks.settings import SerializationSettings

        return SerializationSettings.default()
    return settings


def _is_empty(spec: ResourceSpec | None) -> bool:
    if spec is None:
        return True
    from podplan.resources import RESOURCE_FIELDS

    for side in (spec.requests, spec.limits):
        if side is not None and any(getattr(side, f) is not None for f in RESOURCE_FIELDS):
            return False
    return True


def check_request_limit_sides(requests: Any, limits: Any, error: type[Exception]) -> None:
    """``requests=``/``limits=`` must be ``Resources`` of scalars (a pair only makes sense in
    ``resources=``); flytekit reports this only when serializing."""
    from podplan.resources import RESOURCE_FIELDS, Resources

    for field, value in (("limits", limits), ("requests", requests)):
        if value is None:
            continue
        if not isinstance(value, Resources):
            raise error(f"{field} should be specified as podplan.Resources, got {value!r}")
        for name in RESOURCE_FIELDS:
            v = getattr(value, name)
            if isinstance(v, tuple):
                raise TaskDefinitionError(
                    f"{field}.{name}={tuple(str(q) for q in v)} can not be a list or tuple; "
                    "use resources=Resources(" + name + "=(request, limit)) for a pair"
                )


def effective_resources(task: Any, settings: SerializationSettings) -> ResourceSpec | None:
    """The task's resources, or ``settings.default_resources`` when the task sets none.

    Unlike flytekit, the task is never changed (spec §9.8).
    """
    spec = getattr(task, "resources", None)
    if settings.default_resources is not None and _is_empty(spec):
        return settings.default_resources
    return spec


def container_args(task: PythonFunctionTask, settings: SerializationSettings) -> list[str]:
    """flytekit's entrypoint args for ``task`` (``pyflyte-fast-execute`` prefix when fast)."""
    resolver = task.task_resolver
    if resolver is None:
        location = "flytekit.core.python_auto_container.default_task_resolver"
        loader = ["task-module", task.instantiated_in, "task-name", task.lhs]
    else:
        location = resolver.location
        loader = list(resolver.loader_args(settings, task))
    args = [*_ENTRY_ARGS, location, "--", *loader]
    fast = settings.fast_serialization_settings
    if fast is not None and fast.enabled:
        args = [
            "pyflyte-fast-execute",
            "--additional-distribution",
            fast.distribution_location or "{{ .remote_package_path }}",
            "--dest-dir",
            fast.destination_dir or "{{ .dest_dir }}",
            "--",
            *args,
        ]
    return args


def container_env(task: Any, settings: SerializationSettings) -> dict[str, str]:
    """Settings env updated with the task's environment (task wins; settings keys first)."""
    mode = getattr(task, "execution_mode", None)
    if mode is not None and mode.name in ("DYNAMIC", "EAGER"):
        settings = settings.with_serialized_context()  # as flytekit's translator does
    env = dict(settings.env or {})
    env.update(task.environment)
    return env


def build_container(task: PythonFunctionTask, settings: SerializationSettings | None) -> tasks_pb2.Container:
    """The flyteidl ``Container`` of ``task`` (resources in the one documented order)."""
    from podplan.tasks import idl_cache

    if settings is None:
        settings = resolve_settings(settings)
    spec = effective_resources(task, settings)
    return idl_cache.Container(
        image=idl_cache.image(task.container_image, settings.image_config),
        args=container_args(task, settings),
        resources=idl_cache.resources_pb(spec),
        env=idl_cache.env_pb(container_env(task, settings)),
    )
