"""Plain, immutable records of what the detector found: :class:`Inventory`, :class:`GpuInfo`,
:class:`MigInfo`. No NVML here; the matcher and the CLI work on these only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = ["STATUSES", "GpuInfo", "Inventory", "MigInfo", "Status"]

Status = Literal["ok", "no-driver", "driver-not-loaded", "no-permission", "error"]
#: every detector status, as printed by ``podplan gpus --json``
STATUSES: Final[tuple[str, ...]] = ("ok", "no-driver", "driver-not-loaded", "no-permission", "error")


@dataclass(frozen=True)
class MigInfo:
    """One MIG device (a compute instance inside a GPU instance) of a MIG-enabled GPU.

    ``uuid`` is what NVML reports (``MIG-…`` on R470+, ``MIG-GPU-<uuid>/<gi>/<ci>`` before);
    ``cuda_id`` is the string to put in ``CUDA_VISIBLE_DEVICES`` for this driver.
    """

    index: int
    uuid: str
    cuda_id: str
    name: str
    profile: str
    memory_bytes: int
    gpu_instance_id: int | None = None
    compute_instance_id: int | None = None
    gpu_slices: int | None = None
    compute_slices: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``mig`` entry of ``podplan gpus --json``."""
        return {
            "index": self.index,
            "uuid": self.uuid,
            "profile": self.profile,
            "memory_bytes": self.memory_bytes,
            "name": self.name,
            "gpu_instance_id": self.gpu_instance_id,
            "compute_instance_id": self.compute_instance_id,
        }


@dataclass(frozen=True)
class GpuInfo:
    """One physical GPU. ``index`` is the NVML index (PCI bus order), not a CUDA ordinal."""

    index: int
    uuid: str
    name: str
    memory_bytes: int
    pci_bus_id: str | None = None
    compute_capability: tuple[int, int] | None = None
    architecture: int | None = None
    family: str | None = None
    model: str | None = None
    device: str | None = None
    mig_enabled: bool = False
    mig_pending: bool = False
    mig: tuple[MigInfo, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``devices`` entry of ``podplan gpus --json``."""
        cc = self.compute_capability
        return {
            "index": self.index,
            "uuid": self.uuid,
            "name": self.name,
            "model": self.model,
            "device": self.device,
            "memory_bytes": self.memory_bytes,
            "pci_bus_id": self.pci_bus_id,
            "compute_capability": f"{cc[0]}.{cc[1]}" if cc else None,
            "mig_enabled": self.mig_enabled,
            "mig": [m.to_json() for m in self.mig],
        }


@dataclass(frozen=True)
class Inventory:
    """What the detector saw. ``devices`` lists the GPUs this process may use (an inherited
    ``CUDA_VISIBLE_DEVICES`` is honoured); ``status``/``reason`` say why it may be empty."""

    status: Status
    reason: str
    devices: tuple[GpuInfo, ...] = ()
    driver_version: str | None = None
    cuda_driver_version: int | None = None
    visible_devices: str | None = None
    diagnostics: tuple[str, ...] = field(default=())

    @property
    def usable(self) -> bool:
        """True when at least one GPU or MIG device can be used."""
        return bool(self.devices)

    def to_json(self) -> dict[str, Any]:
        """The object ``podplan gpus --json`` prints."""
        return {
            "status": self.status,
            "reason": self.reason,
            "devices": [d.to_json() for d in self.devices],
            "driver_version": self.driver_version,
            "cuda_driver_version": self.cuda_driver_version,
            "cuda_visible_devices": self.visible_devices,
            "diagnostics": list(self.diagnostics),
        }
