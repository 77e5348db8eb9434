"""Accelerators: flytekit's accelerator classes and constants (immutable), the catalog, extended resources.

``import podplan.accelerators`` is cheap: protobuf/flyteidl load inside ``to_flyte_idl()`` and
``construct_extended_resources()``; the catalog (``podplan.accelerators.catalog``) loads on first
use. ``podplan.accelerators.local`` (NVML detection and placement) is a separate subpackage that
this module does not import.
"""

from __future__ import annotations

from podplan.accelerators.base import (
    UNSET,
    BaseAccelerator,
    GPUAccelerator,
    MultiInstanceGPUAccelerator,
    TPUAccelerator,
    accelerator_from_idl,
    as_accelerator,
    validate_device,
)
from podplan.accelerators.constants import (
    A10G,
    A100,
    A100_80GB,
    H100,
    H200,
    K80,
    L4,
    L4_VWS,
    L40S,
    M60,
    P4,
    P100,
    RTX_PRO_6000,
    T4,
    V5E,
    V5P,
    V6E,
    V100,
)
from podplan.accelerators.extended import (
    SHARED_MEMORY_MOUNT_NAME,
    SHARED_MEMORY_MOUNT_PATH,
    construct_extended_resources,
    normalize_shared_memory,
)

__all__ = [
    "A10G",
    "A100",
    "A100_80GB",
    "H100",
    "H200",
    "K80",
    "L4",
    "L4_VWS",
    "L40S",
    "M60",
    "P4",
    "P100",
    "RTX_PRO_6000",
    "SHARED_MEMORY_MOUNT_NAME",
    "SHARED_MEMORY_MOUNT_PATH",
    "T4",
    "UNSET",
    "V5E",
    "V5P",
    "V6E",
    "V100",
    "BaseAccelerator",
    "GPUAccelerator",
    "MultiInstanceGPUAccelerator",
    "TPUAccelerator",
    "accelerator_from_idl",
    "as_accelerator",
    "construct_extended_resources",
    "normalize_shared_memory",
    "validate_device",
]
