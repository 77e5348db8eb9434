"""Label schemes, Google TPUs and non-NVIDIA device classes of the catalog.

Sources: ../shared/specs/ecosystem-and-demand.md §2.2 (Flyte 2 device catalog) and §4 (resource
names and node labels).
"""

from __future__ import annotations

from types import MappingProxyType

from podplan.accelerators._models import DeviceClass, LabelScheme, TPUTopology, TPUType

_GIB = 1 << 30

#: scheme name → how that platform labels GPU nodes; used by presets, pool expansion and checks
LABEL_SCHEMES = MappingProxyType(
    {
        "flytekit": LabelScheme(
            name="flytekit",
            description="Flyte backend defaults (plugins.k8s gpu-device-node-label); values are flytekit "
            "device strings",
            label_key="k8s.amazonaws.com/accelerator",
            partition_key="k8s.amazonaws.com/gpu-partition-size",
        ),
        "gke": LabelScheme(
            name="gke",
            description="Google Kubernetes Engine (Compute Engine accelerator type names)",
            label_key="cloud.google.com/gke-accelerator",
            partition_key="cloud.google.com/gke-gpu-partition-size",
            count_key="cloud.google.com/gke-accelerator-count",
        ),
        "eks": LabelScheme(
            name="eks",
            description="EKS / cluster-autoscaler convention (not applied by AWS automatically)",
            label_key="k8s.amazonaws.com/accelerator",
            partition_key="k8s.amazonaws.com/gpu-partition-size",
        ),
        "karpenter": LabelScheme(
            name="karpenter",
            description="Karpenter on AWS (well-known labels, lower-case GPU name)",
            label_key="karpenter.k8s.aws/instance-gpu-name",
            count_key="karpenter.k8s.aws/instance-gpu-count",
            memory_key="karpenter.k8s.aws/instance-gpu-memory",
        ),
        "eks-auto": LabelScheme(
            name="eks-auto",
            description="EKS Auto Mode",
            label_key="eks.amazonaws.com/instance-gpu-name",
            memory_key="eks.amazonaws.com/instance-gpu-memory",
        ),
        "gfd": LabelScheme(
            name="gfd",
            description="NVIDIA GPU Feature Discovery (sanitised NVML name; MIG single strategy appends "
            "-MIG-<profile>)",
            label_key="nvidia.com/gpu.product",
            count_key="nvidia.com/gpu.count",
            memory_key="nvidia.com/gpu.memory",
        ),
        "flyte2": LabelScheme(
            name="flyte2",
            description="Flyte 2 SDK device names (flyte.GPU(device=...)); not a node label",
            label_key=None,
        ),
    }
)


def _tpu_topologies(
    names: tuple[str, ...], single_host_max: int, chips_per_host: int
) -> tuple[TPUTopology, ...]:
    out = []
    for name in names:
        chips = 1
        for dim in name.split("x"):
            chips *= int(dim)
        hosts = 1 if chips <= single_host_max else chips // chips_per_host
        out.append(TPUTopology(name=name, chips=chips, hosts=hosts))
    return tuple(out)


_TPU_2D = ("1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16")
_TPU_3D = (
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

TPU_TYPES: tuple[TPUType, ...] = (
    TPUType(
        name="V5E",
        display_name="Cloud TPU v5e",
        device="tpu-v5-lite-podslice",
        chips_per_host=4,
        memory_bytes_per_chip=16 * _GIB,
        topologies=_tpu_topologies(_TPU_2D, single_host_max=8, chips_per_host=4),
        flytekit_constant="V5E",
        flyte2_name="V5E",
    ),
    TPUType(
        name="V5P",
        display_name="Cloud TPU v5p",
        device="tpu-v5p-slice",
        chips_per_host=4,
        memory_bytes_per_chip=95 * _GIB,
        topologies=_tpu_topologies(_TPU_3D, single_host_max=4, chips_per_host=4),
        flytekit_constant="V5P",
        flyte2_name="V5P",
    ),
    TPUType(
        name="V6E",
        display_name="Cloud TPU v6e (Trillium)",
        device="tpu-v6e-slice",
        chips_per_host=4,
        memory_bytes_per_chip=32 * _GIB,
        topologies=_tpu_topologies(_TPU_2D, single_host_max=8, chips_per_host=4),
        flytekit_constant="V6E",
        flyte2_name="V6E",
    ),
)


def _amd(name: str, gib: int) -> DeviceClass:
    return DeviceClass(
        name=name,
        display_name=f"AMD Instinct {name}",
        vendor="amd",
        kind="gpu",
        resource_name="amd.com/gpu",
        memory_bytes=gib * _GIB,
        flyte2_name=name,
        product_label_key="amd.com/gpu.product-name",
    )


def _neuron(name: str, display: str, gib: int, cores: int) -> DeviceClass:
    return DeviceClass(
        name=name,
        display_name=display,
        vendor="aws",
        kind="neuron",
        resource_name="aws.amazon.com/neuron",
        memory_bytes=gib * _GIB,
        extra_resource_names=("aws.amazon.com/neuroncore", "aws.amazon.com/neurondevice"),
        cores_per_device=cores,
        flyte2_name=name,
    )


def _gaudi(name: str, gib: int) -> DeviceClass:
    return DeviceClass(
        name=name,
        display_name=f"Intel Gaudi {name[-1]}" if name[-1].isdigit() else name,
        vendor="intel",
        kind="gaudi",
        resource_name="habana.ai/gaudi",
        memory_bytes=gib * _GIB,
        flyte2_name=name if name == "Gaudi1" else None,
    )


DEVICE_CLASSES: tuple[DeviceClass, ...] = (
    _amd("MI100", 32),
    _amd("MI210", 64),
    _amd("MI250", 128),
    _amd("MI250X", 128),
    _amd("MI300A", 128),
    _amd("MI300X", 192),
    _amd("MI325X", 256),
    _amd("MI350X", 288),
    _amd("MI355X", 288),
    _neuron("Inf1", "AWS Inferentia", 8, 4),
    _neuron("Inf2", "AWS Inferentia2", 32, 2),
    _neuron("Trn1", "AWS Trainium", 32, 2),
    _neuron("Trn1n", "AWS Trainium (Trn1n, more network bandwidth)", 32, 2),
    _neuron("Trn2", "AWS Trainium2", 96, 8),
    _neuron("Trn2u", "AWS Trainium2 UltraServer", 96, 8),
    _gaudi("Gaudi1", 32),
    _gaudi("Gaudi2", 96),
    _gaudi("Gaudi3", 128),
    DeviceClass(
        name="GPU_MAX_1550",
        display_name="Intel Data Center GPU Max 1550",
        vendor="intel",
        kind="gpu",
        resource_name="gpu.intel.com/i915",
        memory_bytes=128 * _GIB,
        extra_resource_names=("gpu.intel.com/xe",),
        product_label_key="gpu.intel.com/product",
        notes="gpu.intel.com/xe with the Xe kernel driver",
    ),
)
