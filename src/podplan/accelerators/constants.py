"""Every accelerator constant of ``flytekit.extras.accelerators`` 1.16, same device strings.

``A100``, ``A100_80GB`` and the TPUs carry their partitions as attributes, as in flytekit
(``A100.partition_1g_5gb``, ``V5P.slice_2x2x1``). podplan adds the MIG profiles that flytekit
omits (``A100.partition_1g_10gb`` and the ``+me`` media-extension profiles, spelled ``_me``).
The module constants themselves (``A100``) are in the *plain* state: device only on the wire.
"""

from __future__ import annotations

from typing import ClassVar

from podplan.accelerators.base import GPUAccelerator, MultiInstanceGPUAccelerator, TPUAccelerator

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
    "T4",
    "V5E",
    "V5P",
    "V6E",
    "V100",
]

#: NVIDIA A10G (AWS g5)
A10G = GPUAccelerator("nvidia-a10g")
#: NVIDIA L4
L4 = GPUAccelerator("nvidia-l4")
#: NVIDIA L4 with virtual workstation licensing (GCE ``nvidia-l4-vws``)
L4_VWS = GPUAccelerator("nvidia-l4-vws")
#: NVIDIA L40S
L40S = GPUAccelerator("nvidia-l40s")
#: NVIDIA Tesla K80
K80 = GPUAccelerator("nvidia-tesla-k80")
#: NVIDIA Tesla M60
M60 = GPUAccelerator("nvidia-tesla-m60")
#: NVIDIA Tesla P4
P4 = GPUAccelerator("nvidia-tesla-p4")
#: NVIDIA Tesla P100
P100 = GPUAccelerator("nvidia-tesla-p100")
#: NVIDIA Tesla T4
T4 = GPUAccelerator("nvidia-tesla-t4")
#: NVIDIA Tesla V100
V100 = GPUAccelerator("nvidia-tesla-v100")
#: NVIDIA H100 (flytekit ≥ 1.16 spells it ``nvidia-h100``; GKE uses ``nvidia-h100-80gb``)
H100 = GPUAccelerator("nvidia-h100")
#: NVIDIA H200 (GKE uses ``nvidia-h200-141gb``)
H200 = GPUAccelerator("nvidia-h200")
#: NVIDIA RTX PRO 6000 Blackwell
RTX_PRO_6000 = GPUAccelerator("nvidia-rtx-pro-6000")


def _attach(cls: type[MultiInstanceGPUAccelerator], device: str, prefix: str, sizes: tuple[str, ...]) -> None:
    """Set ``<prefix><size with '.'/'+' as '_'>`` class attributes, each a partitioned instance."""
    for size in sizes:
        attr = prefix + size.replace(".", "_").replace("+", "_")
        setattr(cls, attr, cls._trusted(device, size))


class _A100(MultiInstanceGPUAccelerator):
    """NVIDIA A100 40GB, device ``nvidia-tesla-a100``, with its MIG profiles as attributes."""

    __slots__ = ()
    partition_1g_5gb: ClassVar[_A100]
    partition_1g_5gb_me: ClassVar[_A100]
    partition_1g_10gb: ClassVar[_A100]
    partition_2g_10gb: ClassVar[_A100]
    partition_3g_20gb: ClassVar[_A100]
    partition_4g_20gb: ClassVar[_A100]
    partition_7g_40gb: ClassVar[_A100]


_attach(
    _A100,
    "nvidia-tesla-a100",
    "partition_",
    ("1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"),
)


class _A100_80GB(MultiInstanceGPUAccelerator):
    """NVIDIA A100 80GB, device ``nvidia-a100-80gb``, with its MIG profiles as attributes."""

    __slots__ = ()
    partition_1g_10gb: ClassVar[_A100_80GB]
    partition_1g_10gb_me: ClassVar[_A100_80GB]
    partition_1g_20gb: ClassVar[_A100_80GB]
    partition_2g_20gb: ClassVar[_A100_80GB]
    partition_3g_40gb: ClassVar[_A100_80GB]
    partition_4g_40gb: ClassVar[_A100_80GB]
    partition_7g_80gb: ClassVar[_A100_80GB]


_attach(
    _A100_80GB,
    "nvidia-a100-80gb",
    "partition_",
    ("1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"),
)

_TPU_2D = ("1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16")
_TPU_V5P = (
    "2x2x1",
    "2x2x2",
    "2x4x4",
    "4x4x4",
    "4x4x8",
    "4x8x8",
    "8x8x8",
    "8x8x16",
    "8x16x16",
    "16x16x16",
    "16x16x24",
)


class _V5E(TPUAccelerator):
    """Google Cloud TPU v5e (``tpu-v5-lite-podslice``), slice topologies as attributes."""

    __slots__ = ()
    slice_1x1: ClassVar[_V5E]
    slice_2x2: ClassVar[_V5E]
    slice_2x4: ClassVar[_V5E]
    slice_4x4: ClassVar[_V5E]
    slice_4x8: ClassVar[_V5E]
    slice_8x8: ClassVar[_V5E]
    slice_8x16: ClassVar[_V5E]
    slice_16x16: ClassVar[_V5E]


_attach(_V5E, "tpu-v5-lite-podslice", "slice_", _TPU_2D)


class _V5P(TPUAccelerator):
    """Google Cloud TPU v5p (``tpu-v5p-slice``), slice topologies as attributes."""

    __slots__ = ()
    slice_2x2x1: ClassVar[_V5P]
    slice_2x2x2: ClassVar[_V5P]
    slice_2x4x4: ClassVar[_V5P]
    slice_4x4x4: ClassVar[_V5P]
    slice_4x4x8: ClassVar[_V5P]
    slice_4x8x8: ClassVar[_V5P]
    slice_8x8x8: ClassVar[_V5P]
    slice_8x8x16: ClassVar[_V5P]
    slice_8x16x16: ClassVar[_V5P]
    slice_16x16x16: ClassVar[_V5P]
    slice_16x16x24: ClassVar[_V5P]


_attach(_V5P, "tpu-v5p-slice", "slice_", _TPU_V5P)


class _V6E(TPUAccelerator):
    """Google Cloud TPU v6e Trillium (``tpu-v6e-slice``), slice topologies as attributes."""

    __slots__ = ()
    slice_1x1: ClassVar[_V6E]
    slice_2x2: ClassVar[_V6E]
    slice_2x4: ClassVar[_V6E]
    slice_4x4: ClassVar[_V6E]
    slice_4x8: ClassVar[_V6E]
    slice_8x8: ClassVar[_V6E]
    slice_8x16: ClassVar[_V6E]
    slice_16x16: ClassVar[_V6E]


_attach(_V6E, "tpu-v6e-slice", "slice_", _TPU_2D)

#: NVIDIA A100 40GB (MIG-capable)
A100 = _A100._trusted("nvidia-tesla-a100")
#: NVIDIA A100 80GB (MIG-capable)
A100_80GB = _A100_80GB._trusted("nvidia-a100-80gb")
#: Google Cloud TPU v5e
V5E = _V5E._trusted("tpu-v5-lite-podslice")
#: Google Cloud TPU v5p
V5P = _V5P._trusted("tpu-v5p-slice")
#: Google Cloud TPU v6e
V6E = _V6E._trusted("tpu-v6e-slice")
