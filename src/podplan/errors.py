"""One exception hierarchy for podplan.

Every class derives from :class:`PodplanError` and *also* from the builtin exception that
flytekit raises in the same situation (DESIGN D1), so ``except ValueError`` keeps working for
code migrated from flytekit. Messages name the field, the value and what would be valid.

Modules add classes here (append only); nothing else in podplan defines exception types.
"""

from __future__ import annotations


class PodplanError(Exception):
    """Base class of every error podplan raises on purpose."""


# --- resources --------------------------------------------------------------------------------


class QuantityError(PodplanError, ValueError):
    """A value is not a valid Kubernetes quantity (``"1GB"``, ``"abc"``, NaN, ``True`` ...)."""


class ResourceTypeError(PodplanError, AssertionError, TypeError):
    """A ``Resources`` field has a type flytekit rejects (flytekit raises ``AssertionError``)."""


class ResourceValueError(PodplanError, ValueError):
    """A resource value is out of range: negative, a fractional GPU, request above limit."""


class ResourceConflictError(PodplanError, ValueError):
    """``resources=`` was combined with ``requests=``/``limits=`` (flytekit raises ``ValueError``)."""


class QuantityTypeError(QuantityError, TypeError):
    """``Quantity()`` got a value of a type that is not a quantity (``bool``, ``None``, a list ...)."""


class ResourceBoolError(ResourceTypeError, QuantityTypeError):
    """A ``Resources`` field is a ``bool``: flytekit accepts it as an int, podplan rejects it.

    It is an ``AssertionError`` (flytekit's type check), a ``TypeError`` and a ``ValueError``.
    """


# --- accelerators -----------------------------------------------------------------------------


class AcceleratorError(PodplanError, ValueError):
    """An accelerator, device string or MIG partition that is not valid."""


class AcceleratorTypeError(AcceleratorError, TypeError):
    """An accelerator argument has the wrong type (a string instead of an accelerator object ...)."""


class SharedMemoryError(PodplanError, ValueError):
    """``shared_memory`` is neither ``True`` nor a memory quantity."""


# --- tasks ------------------------------------------------------------------------------------


class TaskDefinitionError(PodplanError, ValueError):
    """A ``@task`` argument has an invalid value (flytekit raises ``ValueError``)."""


class TaskTypeError(PodplanError, TypeError):
    """A ``@task`` argument, input or output has the wrong type."""


class UnknownArgumentError(PodplanError, TypeError):
    """A keyword argument that the called API does not know (D5: nothing is silently ignored)."""


class InterfaceError(PodplanError, TypeError):
    """A function signature cannot become a typed Flyte interface."""


class TypeTransformerError(TaskTypeError, AssertionError, ValueError):
    """An input or output value does not match its declared type at a local call.

    flytekit raises ``TypeTransformerFailedError`` (a ``TypeError``, ``AssertionError`` and
    ``ValueError``) in the same case.
    """


class UnexpectedInputError(UnknownArgumentError, AssertionError):
    """A task was called with an input its interface does not have (flytekit: ``AssertionError``)."""


class OverrideTypeError(PodplanError, AssertionError, TypeError):
    """A ``with_overrides`` argument has the wrong type (flytekit raises ``AssertionError``)."""


class OverrideError(PodplanError, ValueError):
    """``with_overrides`` received an invalid value."""


class NoJSONSchemaError(PodplanError, TypeError):
    """A dataclass field type has no JSON schema; flytekit then leaves the schema metadata out.

    Used as an internal signal while a dataclass ``LiteralType`` is built; never escapes."""


class InteractiveDebugWarning(PodplanError, UserWarning):
    """Warning category: ``decorate_function`` could not open a debugger (stdin is no terminal)."""


class SerializationError(PodplanError, ValueError):
    """A task cannot be serialized to a Flyte task template."""


class SecretRequestError(PodplanError, AssertionError, TypeError):
    """A ``secret_requests`` element is not a ``Secret`` (flytekit raises ``AssertionError``)."""


class PodTemplateError(PodplanError, AssertionError, ValueError):
    """A ``PodTemplate`` is invalid (flytekit raises ``FlyteValidationException``, an AssertionError)."""


class ImageConfigError(PodplanError, AssertionError, ValueError):
    """A container-image template names an unknown image or attribute (flytekit: AssertionError)."""


class TaskVariableError(PodplanError, KeyError):
    """A task has no input or output variable of that name."""


class PluginError(PodplanError, TypeError):
    """A ``TaskPlugins`` registration collides or a task_config has no plugin."""


class PluginCompatibilityError(PluginError, AssertionError):
    """A registered task plugin cannot run an ``async def`` function (flytekit: ``AssertionError``)."""


class ReferenceExecutionError(PodplanError, NotImplementedError):
    """A reference task was called locally without being mocked (flytekit: ``NotImplementedError``)."""


class TaskLocationError(PodplanError, LookupError):
    """A task is bound to no module variable, so it has no ``lhs``/``location``.

    flytekit raises ``FlyteSystemException`` ("Error looking for LHS in <module>") in the same case.
    """


class LocalExecutionError(PodplanError, RuntimeError):
    """Running a task locally failed for a reason other than the task's own exception."""


# --- podspec ----------------------------------------------------------------------------------


class PlatformError(PodplanError, ValueError):
    """A platform configuration file or value is invalid (the message carries the key path)."""


class PodBuildError(PodplanError, ValueError):
    """A pod cannot be built from the task template on this platform."""


# --- planning ---------------------------------------------------------------------------------


class ClusterError(PodplanError, ValueError):
    """A node list or node-pool file is invalid (the message carries the location)."""


class NotSchedulableError(PodplanError, AssertionError):
    """Raised by ``podplan.testing.assert_schedulable`` when no pool can run the task."""


class CheckOptionError(PodplanError, ValueError):
    """A ``podplan check`` option is invalid (unknown rule code, unwritable output file)."""


# --- local GPUs -------------------------------------------------------------------------------


class LocalGPUError(PodplanError, RuntimeError):
    """Local GPU detection or placement failed."""


class PlacementError(LocalGPUError):
    """No local GPU matches the task's accelerator under a ``strict`` policy."""


class TaskTimeoutError(PodplanError, TimeoutError):
    """An isolated local run exceeded the task's timeout and was killed."""


class OOMKilledError(PodplanError, MemoryError):
    """An isolated local run exceeded the task's memory limit and was killed."""


class GPUProfileError(PodplanError, ValueError):
    """A fake-NVML GPU profile (``PODPLAN_FAKE_NVML``, ``load_profile``) is unknown or malformed."""


class LocalGPUPolicyError(PodplanError, ValueError):
    """A local GPU policy is not one of ``strict``, ``warn``, ``cpu``, ``off``."""


class LocalGPUWarning(PodplanError, UserWarning):
    """Warning category: a task runs on a substitute GPU, on CPU, or unpinned (policy ``warn``/``cpu``)."""


# --- CLI --------------------------------------------------------------------------------------


class TargetError(PodplanError, ValueError):
    """A CLI target (``file.py:task``, ``package.module``) cannot be loaded."""


class FlytekitConversionWarning(PodplanError, UserWarning):
    """Warning category: a flytekit task value that flytekit itself drops from its template
    (e.g. an int ``shared_memory``) is dropped from the converted task too."""
