"""``Secret`` requests and the task's security context."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from podplan.errors import TaskDefinitionError, TaskTypeError
from podplan.tasks.validation import check_env_var_name

if TYPE_CHECKING:
    from flyteidl.core import security_pb2


@dataclasses.dataclass(frozen=True)
class Secret:
    """A secret the task needs at run time (flytekit's ``Secret``); its value is never read.

    ``group`` is required (as in flytekit outside a running task); ``env_var`` must match
    ``^[A-Z_][A-Z0-9_]*$``.
    """

    class MountType(enum.IntEnum):
        """How the secret is exposed to the task (``flyteidl.core.Secret.MountType``)."""

        ANY = 0
        ENV_VAR = 1
        FILE = 2

    group: str | None = None
    key: str | None = None
    group_version: str | None = None
    mount_requirement: Secret.MountType = MountType.ANY
    env_var: str | None = None

    def __post_init__(self) -> None:
        for name in ("group", "key", "group_version", "env_var"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TaskTypeError(f"Secret {name}={value!r} is invalid: expected a str")
        if not self.group:
            raise TaskDefinitionError("Group is a required parameter (Secret group=None)")
        try:
            mount = Secret.MountType(self.mount_requirement)
        except ValueError:
            raise TaskDefinitionError(
                f"Secret mount_requirement={self.mount_requirement!r} is invalid: "
                "expected Secret.MountType.ANY, ENV_VAR or FILE"
            ) from None
        object.__setattr__(self, "mount_requirement", mount)
        if self.env_var is not None:
            check_env_var_name(self.env_var)

    def to_idl(self) -> security_pb2.Secret:
        """The flyteidl ``Secret`` message."""
        from flyteidl.core import security_pb2

        return security_pb2.Secret(
            group=self.group or "",
            key=self.key or "",
            group_version=self.group_version or "",
            mount_requirement=int(self.mount_requirement),
            env_var=self.env_var or "",
        )


@dataclasses.dataclass(frozen=True)
class SecurityContext:
    """The secrets a task requests (flyteidl ``SecurityContext``)."""

    secrets: tuple[Secret, ...] = ()

    def to_idl(self) -> security_pb2.SecurityContext:
        """The flyteidl ``SecurityContext`` message."""
        from flyteidl.core import security_pb2

        return security_pb2.SecurityContext(secrets=[s.to_idl() for s in self.secrets])


def check_secret_requests(value: Any) -> tuple[Secret, ...]:
    """Validate ``secret_requests``: an iterable of :class:`Secret` (flytekit raises AssertionError)."""
    from podplan.errors import SecretRequestError

    if value is None:
        return ()
    if isinstance(value, (str, bytes, Secret)) or not isinstance(value, Iterable):
        raise SecretRequestError(f"secret_requests={value!r} is invalid: expected a list of podplan.Secret")
    out = []
    for s in value:
        if not isinstance(s, Secret):
            raise SecretRequestError(
                f"Secret {s} should be of type podplan.Secret (flytekit.Secret), received {type(s)}"
            )
        out.append(s)
    return tuple(out)
