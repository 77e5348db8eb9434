"""Shared flyteidl messages for serialization, built once per value (imported lazily).

Serializing many tasks repeats the same pieces: equal ``TaskMetadata``, equal resources, the same
accelerator and shared memory, the same interface types, the same image. Each builder here
memoizes the protobuf message per *value* (all keys are immutable podplan values, D4) and returns
the shared message. Callers must treat the result as read-only: they pass it to a message
constructor or ``CopyFrom`` (both copy), never mutate it. Public ``to_idl()`` methods hand out
copies; :mod:`podplan.serialize` uses the shared messages directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2
from google.protobuf import wrappers_pb2

from podplan.tasks.memo import MAX_ENTRIES, memo, typed_key

if TYPE_CHECKING:
    from podplan.resources import ResourceSpec
    from podplan.tasks.interface import Interface
    from podplan.tasks.metadata import TaskMetadata
    from podplan.tasks.settings import ImageConfig, SerializationSettings

_METADATA: dict[Any, tasks_pb2.TaskMetadata] = {}
_LITERAL_TYPES: dict[Any, types_pb2.LiteralType] = {}
_INTERFACES: dict[Any, interface_pb2.TypedInterface] = {}
_RESOURCES: dict[Any, Any] = {}
_EXTENDED: dict[Any, Any] = {}
_IMAGES: dict[Any, tuple[Any, str]] = {}
_EMPTY_RESOURCES = tasks_pb2.Resources()
Container = tasks_pb2.Container
_TASK = identifier_pb2.TASK
_RUNTIME: list[tasks_pb2.RuntimeMetadata] = []


def runtime_metadata() -> tasks_pb2.RuntimeMetadata:
    """``{type: FLYTE_SDK, version: podplan.__version__, flavor: "python"}`` (shared)."""
    if not _RUNTIME:
        from podplan import __version__

        _RUNTIME.append(
            tasks_pb2.RuntimeMetadata(
                type=tasks_pb2.RuntimeMetadata.FLYTE_SDK, version=__version__, flavor="python"
            )
        )
    return _RUNTIME[0]


def _build_metadata(meta: TaskMetadata) -> tasks_pb2.TaskMetadata:
    pb = tasks_pb2.TaskMetadata(
        discoverable=meta.cache,
        runtime=runtime_metadata(),
        retries=literals_pb2.RetryStrategy(retries=meta.retries),
        discovery_version=meta.cache_version,
        deprecated_error_message=meta.deprecated,
        cache_serializable=meta.cache_serialize,
        pod_template_name=meta.pod_template_name or "",
        cache_ignore_input_vars=list(meta.cache_ignore_input_vars),
        is_eager=meta.is_eager,
        generates_deck=wrappers_pb2.BoolValue(value=meta.generates_deck),
        metadata=tasks_pb2.K8sObjectMetadata(labels=meta.labels or {}, annotations=meta.annotations or {}),
    )
    if meta.timeout:
        pb.timeout.FromTimedelta(meta.timeout)
    if meta.interruptible is not None:
        pb.interruptible = meta.interruptible
    return pb


def metadata_pb(meta: TaskMetadata) -> tasks_pb2.TaskMetadata:
    """The shared ``TaskMetadata`` message of ``meta`` (read-only; kept on the instance too)."""
    pb: tasks_pb2.TaskMetadata | None = meta.__dict__.get("_idl_pb")
    if pb is None:
        pb = memo(_METADATA, meta, lambda: _build_metadata(meta))
        object.__setattr__(meta, "_idl_pb", pb)
    return pb


def literal_type_pb(tp: Any) -> types_pb2.LiteralType:
    """The shared ``LiteralType`` of a type hint (read-only)."""

    def build() -> types_pb2.LiteralType:
        from podplan.tasks.literals import to_literal_type

        return to_literal_type(tp)

    return memo(_LITERAL_TYPES, tp, build)


def interface_pb(interface: Interface) -> interface_pb2.TypedInterface:
    """The shared ``TypedInterface`` of ``interface`` (read-only), memoized per value."""
    in_desc = interface.input_descriptions
    out_desc = interface.output_descriptions
    key = (
        tuple(interface.inputs.items()),
        tuple(interface.outputs.items()),
        tuple(in_desc.items()),
        tuple(out_desc.items()),
    )

    def build() -> interface_pb2.TypedInterface:
        pb = interface_pb2.TypedInterface()
        for target, variables, desc in (
            (pb.inputs, interface.inputs, in_desc),
            (pb.outputs, interface.outputs, out_desc),
        ):
            target.SetInParent()
            for name, tp in variables.items():
                var = target.variables[name]
                var.type.CopyFrom(literal_type_pb(tp))
                var.description = desc[name]
        return pb

    return memo(_INTERFACES, key, build)


def resources_pb(spec: ResourceSpec | None) -> tasks_pb2.Resources:
    """The shared container ``Resources`` of ``spec`` (empty message for ``None``)."""
    if spec is None:
        return _EMPTY_RESOURCES
    entry = _RESOURCES.get(id(spec))
    if entry is not None and entry[0] is spec:
        return entry[1]

    def build() -> tasks_pb2.Resources:
        from podplan.resources import to_idl_resources

        return to_idl_resources(spec)

    pb = memo(_RESOURCES, spec, build)
    if len(_RESOURCES) < MAX_ENTRIES:
        _RESOURCES[id(spec)] = (spec, pb)
    return pb


def extended_pb(accelerator: Any, shared_memory: Any) -> tasks_pb2.ExtendedResources | None:
    """The shared ``ExtendedResources`` of an accelerator and a shared-memory value, or ``None``."""
    if accelerator is None and shared_memory is None:
        return None
    ids = (id(accelerator), id(shared_memory))
    entry = _EXTENDED.get(ids)
    if entry is not None and entry[0] is accelerator and entry[1] is shared_memory:
        return entry[2]

    def build() -> tasks_pb2.ExtendedResources | None:
        from podplan.accelerators.extended import construct_extended_resources

        return construct_extended_resources(accelerator=accelerator, shared_memory=shared_memory)

    pb = memo(_EXTENDED, typed_key(accelerator, shared_memory), build)
    if len(_EXTENDED) < MAX_ENTRIES:
        _EXTENDED[ids] = (accelerator, shared_memory, pb)
    return pb


def image(img: Any, image_config: ImageConfig) -> str:
    """``get_registerable_container_image`` memoized for ``None`` and str images."""
    key = (img, id(image_config))
    try:
        entry = _IMAGES.get(key)
    except TypeError:  # an unhashable ImageSpec-like object
        entry = None
    if entry is not None and entry[0] is image_config:
        return entry[1]
    from podplan.tasks.settings import get_registerable_container_image

    value = get_registerable_container_image(img, image_config)
    if (img is None or isinstance(img, str)) and len(_IMAGES) < MAX_ENTRIES:
        _IMAGES[key] = (image_config, value)
    return value


def identifier_pb(name: str, settings: SerializationSettings) -> identifier_pb2.Identifier:
    """The task ``Identifier`` of ``name`` under ``settings``."""
    return identifier_pb2.Identifier(
        resource_type=_TASK,
        project=settings.project or "",
        domain=settings.domain or "",
        name=name,
        version=settings.version or "",
    )


def env_pb(env: dict[str, str]) -> list[literals_pb2.KeyValuePair]:
    """Container env entries in the dict's order."""
    return [literals_pb2.KeyValuePair(key=k, value=v) for k, v in env.items()]
