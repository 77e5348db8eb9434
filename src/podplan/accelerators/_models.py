"""Record types of the accelerator catalog (data lives in ``_nvidia_data`` and ``_other_data``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from podplan.accelerators.mig import MigProfile, fits_layout

if TYPE_CHECKING:  # pragma: no cover
    from podplan.accelerators.base import GPUAccelerator, MultiInstanceGPUAccelerator

__all__ = ["DeviceClass", "GPUModel", "LabelScheme", "TPUTopology", "TPUType"]


@dataclass(frozen=True)
class LabelScheme:
    """How one platform names accelerators: the node-label key(s) and the resource name."""

    name: str
    description: str
    label_key: str | None
    resource_name: str = "nvidia.com/gpu"
    partition_key: str | None = None
    count_key: str | None = None
    memory_key: str | None = None


@dataclass(frozen=True)
class GPUModel:
    """One GPU model: identity, hardware facts, names on every platform, MIG profiles.

    ``labels`` maps a scheme name of :data:`~podplan.accelerators.catalog.LABEL_SCHEMES` (plus
    ``"flytekit"`` and ``"flyte2"``) to the values that identify the model, the primary one
    first. ``memory_bytes`` is nominal (the marketed GB figure in GiB); NVML reports a little less.
    """

    name: str
    display_name: str
    device: str
    vendor: str
    architecture: str
    memory_bytes: int
    compute_capability: tuple[int, int] | None
    family: str
    nvml_names: tuple[str, ...]
    labels: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False
    )
    mig_profiles: Mapping[str, MigProfile] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False
    )
    mig_compute_slices: int = 7
    flytekit_constant: str | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""

    @property
    def mig_capable(self) -> bool:
        """True when the model supports Multi-Instance GPU."""
        return bool(self.mig_profiles)

    @property
    def memory_gib(self) -> int:
        """Nominal memory in GiB."""
        return self.memory_bytes >> 30

    def label_value(self, scheme: str) -> str | None:
        """The primary value of ``scheme`` for this model, or ``None`` when the scheme lacks it."""
        values = self.labels.get(scheme, ())
        return values[0] if values else None

    def label_values(self, scheme: str) -> tuple[str, ...]:
        """Every value of ``scheme`` that identifies this model (e.g. both GKE H100 values)."""
        return self.labels.get(scheme, ())

    def accelerator(self) -> GPUAccelerator | MultiInstanceGPUAccelerator:
        """The flytekit-style accelerator object for this model (MIG-capable → partitionable)."""
        from podplan.accelerators import constants
        from podplan.accelerators.base import GPUAccelerator, MultiInstanceGPUAccelerator

        if self.flytekit_constant is not None:
            const = getattr(constants, self.flytekit_constant)
            assert isinstance(const, (GPUAccelerator, MultiInstanceGPUAccelerator))
            if const.device == self.device and (
                self.mig_capable == isinstance(const, MultiInstanceGPUAccelerator)
            ):
                return const
        if self.mig_capable:
            return MultiInstanceGPUAccelerator(self.device)
        return GPUAccelerator(self.device)

    def fits_layout(self, layout: list[str] | tuple[str, ...]) -> bool:
        """Can these MIG profiles (repeats allowed) coexist on one GPU of this model?"""
        return fits_layout(self.mig_profiles, layout, total_compute=self.mig_compute_slices)


@dataclass(frozen=True)
class TPUTopology:
    """One TPU slice topology (``"2x4"``): its chips and whether it spans several hosts."""

    name: str
    chips: int
    hosts: int

    @property
    def dims(self) -> tuple[int, ...]:
        """The topology dimensions, e.g. ``(2, 4)``."""
        return tuple(int(d) for d in self.name.split("x"))


@dataclass(frozen=True)
class TPUType:
    """A Google Cloud TPU generation and the slice topologies GKE offers for it."""

    name: str
    display_name: str
    device: str
    chips_per_host: int
    memory_bytes_per_chip: int
    topologies: tuple[TPUTopology, ...]
    flytekit_constant: str | None = None
    flyte2_name: str | None = None
    resource_name: str = "google.com/tpu"
    accelerator_label_key: str = "cloud.google.com/gke-tpu-accelerator"
    topology_label_key: str = "cloud.google.com/gke-tpu-topology"

    @property
    def topology_names(self) -> tuple[str, ...]:
        """The topology strings, smallest first."""
        return tuple(t.name for t in self.topologies)

    def topology(self, name: str) -> TPUTopology | None:
        """The topology record named ``name``, or ``None``."""
        return next((t for t in self.topologies if t.name == name), None)


@dataclass(frozen=True)
class DeviceClass:
    """A non-NVIDIA accelerator (AMD Instinct, AWS Neuron, Intel Gaudi) and its Kubernetes names."""

    name: str
    display_name: str
    vendor: str
    kind: str
    resource_name: str
    memory_bytes: int | None = None
    extra_resource_names: tuple[str, ...] = ()
    cores_per_device: int | None = None
    flyte2_name: str | None = None
    product_label_key: str | None = None
    notes: str = ""
