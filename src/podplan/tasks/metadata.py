"""``TaskMetadata`` (validated, immutable), deck fields and task documentation."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import TYPE_CHECKING, Any

from podplan.errors import TaskDefinitionError, TaskTypeError
from podplan.tasks.validation import (
    check_annotations,
    check_interruptible,
    check_labels,
    check_retries,
    check_timeout,
)

if TYPE_CHECKING:
    from flyteidl.core import literals_pb2, tasks_pb2


class DeckField(str, enum.Enum):
    """The decks a task can render (flytekit's ``DeckField``)."""

    SOURCE_CODE = "Source Code"
    DEPENDENCIES = "Dependencies"
    TIMELINE = "Timeline"
    INPUT = "Input"
    OUTPUT = "Output"


#: ``@task``'s default ``deck_fields``
DEFAULT_DECK_FIELDS: tuple[DeckField, ...] = (
    DeckField.SOURCE_CODE,
    DeckField.DEPENDENCIES,
    DeckField.TIMELINE,
    DeckField.INPUT,
    DeckField.OUTPUT,
)


@dataclasses.dataclass(frozen=True)
class Description:
    """A long description of a task (text or a link)."""

    value: str | None = None
    uri: str | None = None
    icon_link: str | None = None
    format: str = "rst"


@dataclasses.dataclass(frozen=True)
class Documentation:
    """Documentation of a task (``TaskSpec.docs`` in Flyte; not part of the task template)."""

    short_description: str | None = None
    long_description: Description | None = None
    source_code: str | None = None

    @classmethod
    def from_docstring(cls, docstring: str | None) -> Documentation | None:
        """Build documentation from a function docstring, as flytekit does: the summary and the
        long description of the parsed docstring (parameter and return sections excluded)."""
        if not docstring or not docstring.strip():
            return None
        from podplan.tasks.docstring import parse_docstring

        parsed = parse_docstring(docstring)
        long = (parsed.long_description or "").strip()
        return cls(
            short_description=parsed.short_description,
            long_description=Description(value=long) if long else None,
        )


@dataclasses.dataclass(frozen=True)
class TaskMetadata:
    """Metadata of a task, validated at construction (flytekit's ``TaskMetadata`` + checks).

    ``timeout`` is normalised to a ``timedelta`` (int seconds are accepted); ``retries`` is an
    int ≥ 0; ``interruptible`` is ``True``/``False``/``None``; labels and annotations follow
    Kubernetes' rules. Immutable: use :func:`dataclasses.replace` to derive a variant.
    """

    cache: bool = False
    cache_serialize: bool = False
    cache_version: str = ""
    cache_ignore_input_vars: tuple[str, ...] = ()
    interruptible: bool | None = None
    deprecated: str = ""
    retries: int = 0
    timeout: datetime.timedelta | None = None
    pod_template_name: str | None = None
    generates_deck: bool = False
    is_eager: bool = False
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "timeout", check_timeout(self.timeout))
        setattr_(self, "interruptible", check_interruptible(self.interruptible))
        setattr_(self, "retries", check_retries(self.retries))
        for name in ("cache", "cache_serialize", "generates_deck", "is_eager"):
            if not isinstance(getattr(self, name), bool):
                raise TaskTypeError(f"{name}={getattr(self, name)!r} is invalid: expected True or False")
        if self.cache_version is None:
            setattr_(self, "cache_version", "")
        if not isinstance(self.cache_version, str):
            raise TaskTypeError(f"cache_version={self.cache_version!r} is invalid: expected a str")
        ignored = self.cache_ignore_input_vars
        if isinstance(ignored, str):
            ignored = (ignored,)
        if ignored is None:
            ignored = ()
        if not all(isinstance(v, str) for v in ignored):
            raise TaskTypeError(
                f"cache_ignore_input_vars={ignored!r} is invalid: expected a tuple of input names"
            )
        setattr_(self, "cache_ignore_input_vars", tuple(ignored))
        if not isinstance(self.deprecated, str):
            raise TaskTypeError(f"deprecated={self.deprecated!r} is invalid: expected a str")
        if self.pod_template_name is not None and not isinstance(self.pod_template_name, str):
            raise TaskTypeError(f"pod_template_name={self.pod_template_name!r} is invalid: expected a str")
        setattr_(self, "labels", check_labels(self.labels))
        setattr_(self, "annotations", check_annotations(self.annotations))
        if self.cache and not self.cache_version:
            raise TaskDefinitionError("Caching is enabled ``cache=True`` but ``cache_version`` is not set.")
        if self.cache_serialize and not self.cache:
            raise TaskDefinitionError(
                "Cache serialize is enabled ``cache_serialize=True`` but ``cache`` is not enabled."
            )
        if self.cache_ignore_input_vars and not self.cache:
            raise TaskDefinitionError(
                "Cache ignore input vars are specified ``cache_ignore_input_vars="
                f"{self.cache_ignore_input_vars}`` but ``cache`` is not enabled."
            )

    def __hash__(self) -> int:
        cached: int | None = self.__dict__.get("_hash")
        if cached is not None:
            return cached
        items = []
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            items.append(tuple(sorted(v.items())) if isinstance(v, dict) else v)
        value = hash(tuple(items))
        object.__setattr__(self, "_hash", value)
        return value

    @property
    def retry_strategy(self) -> literals_pb2.RetryStrategy:
        """The flyteidl ``RetryStrategy`` of ``retries`` (flytekit returns its model of it)."""
        from flyteidl.core import literals_pb2

        return literals_pb2.RetryStrategy(retries=self.retries)

    def to_idl(self) -> tasks_pb2.TaskMetadata:
        """The flyteidl ``TaskMetadata`` message, as flytekit writes it (a fresh copy)."""
        from flyteidl.core import tasks_pb2

        from podplan.tasks.idl_cache import metadata_pb

        pb = tasks_pb2.TaskMetadata()
        pb.CopyFrom(metadata_pb(self))
        return pb


def check_metadata(value: Any) -> TaskMetadata:
    """Return ``value`` if it is a :class:`TaskMetadata`, else raise a typed error."""
    if not isinstance(value, TaskMetadata):
        raise TaskTypeError(f"metadata={value!r} is invalid: expected a podplan TaskMetadata")
    return value
