"""Expand a pool's GPU shorthand into the node labels and extended resources a cluster exposes.

Per label scheme (``ecosystem-and-demand.md`` §4.2), for ``count`` GPUs of one model:

* ``gfd`` (NVIDIA GPU Feature Discovery): ``nvidia.com/gpu.product``, ``nvidia.com/gpu.count``,
  ``nvidia.com/gpu.memory`` (MiB), ``nvidia.com/gpu.family``, ``nvidia.com/gpu.present`` and
  ``nvidia.com/mig.strategy`` (``none``/``single``/``mixed``). Under ``single`` the product gets
  ``-MIG-<profile>`` appended and count/memory describe the MIG devices; under ``mixed`` each
  profile gets ``nvidia.com/mig-<profile>.count``.
* ``gke``: ``cloud.google.com/gke-accelerator``, ``cloud.google.com/gke-accelerator-count`` and,
  with MIG, ``cloud.google.com/gke-gpu-partition-size``.
* ``eks`` (the EKS/cluster-autoscaler convention and Flyte's default keys):
  ``k8s.amazonaws.com/accelerator`` with the flytekit device string and, with MIG,
  ``k8s.amazonaws.com/gpu-partition-size``.
* ``karpenter``: ``karpenter.k8s.aws/instance-gpu-name``, ``-count``, ``-manufacturer``, ``-memory``.
* ``eks-auto``: ``eks.amazonaws.com/instance-gpu-name``, ``eks.amazonaws.com/instance-gpu-memory``.

Resources: without MIG ``nvidia.com/gpu: count``; MIG ``single`` (one profile on every GPU)
``nvidia.com/gpu: count x instances``; MIG ``mixed`` ``nvidia.com/mig-<profile>: count x
instances`` per profile and no ``nvidia.com/gpu``. A layout instance count of 0 means "as many
as fit" (the profile's maximum). Layouts are validated against the catalog's placement rules.
"""

from __future__ import annotations

from typing import Any

from podplan.accelerators.mig import mig_resource_name
from podplan.errors import ClusterError, PodplanError
from podplan.planning.cluster import GPUShape

GPU_RESOURCE = "nvidia.com/gpu"


def find_model(name: str) -> Any | None:
    """The catalog's GPU model for a name, device string or alias, or ``None`` when unknown."""
    from podplan.accelerators import catalog

    try:
        return catalog.find_model(name)
    except (PodplanError, KeyError, ValueError):
        return None


def _value(model: Any, *schemes: str) -> str | None:
    for scheme in schemes:
        value = model.label_value(scheme)
        if value:
            return str(value)
    return None


def _gfd_product(model: Any) -> str:
    return _value(model, "gfd", "nvidia") or (
        model.nvml_names[0].replace(" ", "-") if model.nvml_names else model.name
    )


def gpu_node_features(
    shape: GPUShape, schemes: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str], GPUShape]:
    """Return ``(labels, resources, normalised shape)`` for a GPU shorthand.

    Raises :class:`ClusterError` for an unknown model, a MIG layout on a model without MIG, a
    profile the model does not offer, a ``single`` strategy with several profiles, or a layout
    that does not fit on one GPU.
    """
    model = find_model(shape.model)
    if model is None:
        raise ClusterError(f"model {shape.model!r} is not in the GPU catalog (see `podplan catalog`)")
    layout = dict(shape.mig_layout)
    if shape.mig_strategy != "none":
        if not model.mig_profiles:
            raise ClusterError(f"{model.name} does not support MIG; remove `mig`")
        for profile, n in list(layout.items()):
            record = model.mig_profiles.get(profile)
            if record is None:
                offered = ", ".join(model.mig_profiles)
                raise ClusterError(
                    f"MIG profile {profile!r} is not offered by {model.name}; offered: {offered}"
                )
            layout[profile] = n or record.max_instances
        if shape.mig_strategy == "single" and len(layout) != 1:
            raise ClusterError("the MIG `single` strategy needs one profile on every GPU; use `mixed`")
        instances = [p for p, n in layout.items() for _ in range(n)]
        if not model.fits_layout(instances):
            raise ClusterError(f"MIG layout {layout} does not fit on one {model.name}")
    shape = GPUShape(model.name, shape.count, shape.mig_strategy, layout)
    labels: dict[str, str] = {}
    resources: dict[str, str] = {}
    mem_mib = model.memory_bytes >> 20
    device = model.device
    single_profile = next(iter(layout)) if shape.mig_strategy == "single" else None
    if shape.mig_strategy == "mixed":
        for profile, n in layout.items():
            resources[mig_resource_name(profile)] = str(n * shape.count)
    else:
        per_gpu = layout[single_profile] if single_profile else 1
        resources[GPU_RESOURCE] = str(per_gpu * shape.count)
    for scheme in schemes:
        if scheme == "gfd":
            product = _gfd_product(model)
            labels["nvidia.com/gpu.present"] = "true"
            labels["nvidia.com/gpu.family"] = model.architecture
            labels["nvidia.com/mig.strategy"] = shape.mig_strategy
            if single_profile:
                record = model.mig_profiles[single_profile]
                labels["nvidia.com/gpu.product"] = f"{product}-MIG-{single_profile}"
                labels["nvidia.com/gpu.count"] = resources[GPU_RESOURCE]
                labels["nvidia.com/gpu.memory"] = str(record.memory_bytes >> 20)
            else:
                labels["nvidia.com/gpu.product"] = product
                labels["nvidia.com/gpu.count"] = str(shape.count)
                labels["nvidia.com/gpu.memory"] = str(mem_mib)
            if shape.mig_strategy == "mixed":
                for profile, n in layout.items():
                    labels[mig_resource_name(profile) + ".count"] = str(n * shape.count)
        elif scheme == "gke":
            labels["cloud.google.com/gke-accelerator"] = _value(model, "gke") or device
            labels["cloud.google.com/gke-accelerator-count"] = str(shape.count)
            if single_profile:
                labels["cloud.google.com/gke-gpu-partition-size"] = single_profile
        elif scheme == "eks":
            labels["k8s.amazonaws.com/accelerator"] = _value(model, "eks", "flytekit") or device
            if single_profile:
                labels["k8s.amazonaws.com/gpu-partition-size"] = single_profile
        elif scheme == "karpenter":
            labels["karpenter.k8s.aws/instance-gpu-name"] = _value(model, "karpenter") or model.name.lower()
            labels["karpenter.k8s.aws/instance-gpu-count"] = str(shape.count)
            labels["karpenter.k8s.aws/instance-gpu-manufacturer"] = "nvidia"
            labels["karpenter.k8s.aws/instance-gpu-memory"] = str(mem_mib)
        elif scheme == "eks-auto":
            labels["eks.amazonaws.com/instance-gpu-name"] = (
                _value(model, "eks-auto", "karpenter") or model.name.lower()
            )
            labels["eks.amazonaws.com/instance-gpu-memory"] = str(mem_mib)
        else:
            raise ClusterError(
                f"label scheme {scheme!r} is unknown; use gfd, gke, eks, karpenter or eks-auto"
            )
    return labels, resources, shape
