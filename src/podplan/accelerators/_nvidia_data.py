"""NVIDIA GPU models of the catalog (sources: ../shared/specs/ecosystem-and-demand.md §4 and §5,
nvml-local-gpus.md §4). Order matters: for an ambiguous lookup the earlier model wins.

Device strings are flytekit's where flytekit has a constant; otherwise ``nvidia-<model>`` in the
same style (Flyte passes unknown strings through). MIG tables: profile → max instances.
"""

from __future__ import annotations

from types import MappingProxyType

from podplan.accelerators._models import GPUModel
from podplan.accelerators.mig import build_profiles
from podplan.accelerators.naming import gfd_variants

_GIB = 1 << 30


def _mig7(*sizes: str) -> tuple[tuple[str, int], ...]:
    """The standard 7-slice table from the memory figures of ``1g``, ``1g`` (2 memory slices), ``2g``,
    ``3g``, ``4g`` and ``7g``; ``1g+me`` shares the first figure."""
    one, two_slice, two, three, four, seven = sizes
    return (
        (f"1g.{one}gb", 7),
        (f"1g.{one}gb+me", 1),
        (f"1g.{two_slice}gb", 4),
        (f"2g.{two}gb", 3),
        (f"3g.{three}gb", 2),
        (f"4g.{four}gb", 1),
        (f"7g.{seven}gb", 1),
    )


_A30 = (("1g.6gb", 4), ("1g.6gb+me", 1), ("2g.12gb", 2), ("2g.12gb+me", 1), ("4g.24gb", 1))
_RTX_PRO_6000 = (
    ("1g.24gb", 4),
    ("1g.24gb+gfx", 4),
    ("1g.24gb-me", 4),
    ("1g.24gb+me.all", 1),
    ("2g.48gb", 2),
    ("2g.48gb+gfx", 2),
    ("2g.48gb-me", 2),
    ("2g.48gb+me.all", 1),
    ("4g.96gb", 1),
    ("4g.96gb+gfx", 1),
)
_H100_80 = _mig7("10", "20", "20", "40", "40", "80")
_H100_96 = _mig7("12", "24", "24", "48", "48", "96")


def _gpu(
    name: str,
    display: str,
    device: str,
    arch: str,
    gib: int,
    cc: tuple[int, int] | None,
    family: str,
    nvml: tuple[str, ...],
    *,
    gke: tuple[str, ...] = (),
    aws: tuple[str, ...] = (),
    flyte2: tuple[str, ...] = (),
    mig: tuple[tuple[str, int], ...] = (),
    mig_slices: int = 7,
    constant: str | None = None,
    aliases: tuple[str, ...] = (),
    notes: str = "",
) -> GPUModel:
    gfd: list[str] = []
    for n in nvml:
        for v in gfd_variants(n):
            if v not in gfd:
                gfd.append(v)
    labels: dict[str, tuple[str, ...]] = {
        "flytekit": (device,) if constant else (),
        "flyte2": flyte2,
        "gke": gke,
        "eks": (device,),
        "karpenter": aws,
        "eks-auto": aws,
        "gfd": tuple(gfd),
    }
    return GPUModel(
        name=name,
        display_name=display,
        device=device,
        vendor="nvidia",
        architecture=arch,
        memory_bytes=gib * _GIB,
        compute_capability=cc,
        family=family,
        nvml_names=nvml,
        labels=MappingProxyType({k: v for k, v in labels.items() if v}),
        mig_profiles=MappingProxyType(build_profiles(mig, total_compute=mig_slices)),
        mig_compute_slices=mig_slices,
        flytekit_constant=constant,
        aliases=aliases,
        notes=notes,
    )


# fmt: off
NVIDIA_MODELS: tuple[GPUModel, ...] = (
    _gpu("K80", "NVIDIA Tesla K80", "nvidia-tesla-k80", "kepler", 12, (3, 7), "K80", ("Tesla K80",),
         gke=("nvidia-tesla-k80",), aws=("k80",), flyte2=("K80",), constant="K80",
         notes="one K80 board carries two 12 GB GPUs; GKE deprecated it"),
    _gpu("M60", "NVIDIA Tesla M60", "nvidia-tesla-m60", "maxwell", 8, (5, 2), "M60", ("Tesla M60",),
         aws=("m60",), flyte2=("M60",), constant="M60"),
    _gpu("P4", "NVIDIA Tesla P4", "nvidia-tesla-p4", "pascal", 8, (6, 1), "P4", ("Tesla P4",),
         gke=("nvidia-tesla-p4",), flyte2=("P4",), constant="P4"),
    _gpu("P100", "NVIDIA Tesla P100", "nvidia-tesla-p100", "pascal", 16, (6, 0), "P100",
         ("Tesla P100-PCIE-16GB", "Tesla P100-SXM2-16GB"),
         gke=("nvidia-tesla-p100",), flyte2=("P100",), constant="P100"),
    _gpu("V100", "NVIDIA Tesla V100 16GB", "nvidia-tesla-v100", "volta", 16, (7, 0), "V100",
         ("Tesla V100-SXM2-16GB", "Tesla V100-PCIE-16GB"),
         gke=("nvidia-tesla-v100",), aws=("v100",), flyte2=("V100",), constant="V100"),
    _gpu("V100_32GB", "NVIDIA Tesla V100 32GB", "nvidia-v100-32gb", "volta", 32, (7, 0), "V100",
         ("Tesla V100-SXM2-32GB", "Tesla V100-PCIE-32GB", "Tesla V100S-PCIE-32GB"), aws=("v100",),
         notes="AWS p3dn; no flytekit constant (use GPUAccelerator('nvidia-v100-32gb') or V100)"),
    _gpu("T4", "NVIDIA Tesla T4", "nvidia-tesla-t4", "turing", 16, (7, 5), "T4", ("Tesla T4", "NVIDIA T4"),
         gke=("nvidia-tesla-t4",), aws=("t4",), flyte2=("T4",), constant="T4"),
    _gpu("A2", "NVIDIA A2", "nvidia-a2", "ampere", 16, (8, 6), "A2", ("NVIDIA A2",), flyte2=("A2",)),
    _gpu("A10", "NVIDIA A10", "nvidia-a10", "ampere", 24, (8, 6), "A10", ("NVIDIA A10",),
         aws=("a10",), flyte2=("A10",)),
    _gpu("A10G", "NVIDIA A10G", "nvidia-a10g", "ampere", 24, (8, 6), "A10G", ("NVIDIA A10G",),
         aws=("a10g",), flyte2=("A10G",), constant="A10G", notes="AWS g5 instances"),
    _gpu("A30", "NVIDIA A30", "nvidia-a30", "ampere", 24, (8, 0), "A30",
         ("NVIDIA A30", "NVIDIA A30-PCIE-24GB"), mig=_A30, mig_slices=4,
         notes="4 compute and 4 memory slices; NVML misreports A30 instance counts, table is static"),
    _gpu("A40", "NVIDIA A40", "nvidia-a40", "ampere", 48, (8, 6), "A40", ("NVIDIA A40",)),
    _gpu("A100", "NVIDIA A100 40GB", "nvidia-tesla-a100", "ampere", 40, (8, 0), "A100",
         ("NVIDIA A100-SXM4-40GB", "NVIDIA A100-PCIE-40GB"),
         gke=("nvidia-tesla-a100",), aws=("a100",), flyte2=("A100",), constant="A100",
         mig=(("1g.5gb", 7), ("1g.5gb+me", 1), ("1g.10gb", 4), ("2g.10gb", 3), ("3g.20gb", 2),
              ("4g.20gb", 1), ("7g.40gb", 1)),
         aliases=("A100-40GB", "A100 40G", "A800-40GB"),
         notes="1g.10gb needs NVML 12 drivers; flytekit and Flyte 2 omit it"),
    _gpu("A100_80GB", "NVIDIA A100 80GB", "nvidia-a100-80gb", "ampere", 80, (8, 0), "A100",
         ("NVIDIA A100-SXM4-80GB", "NVIDIA A100 80GB PCIe", "NVIDIA A100-PCIE-80GB"),
         gke=("nvidia-a100-80gb",), aws=("a100",), flyte2=("A100 80G",), constant="A100_80GB",
         mig=_mig7("10", "20", "20", "40", "40", "80"), aliases=("A100-80GB", "A800-80GB"),
         notes="some 535/545 drivers report 3g.39gb / 7g.79gb"),
    _gpu("L4", "NVIDIA L4", "nvidia-l4", "ada-lovelace", 24, (8, 9), "L4", ("NVIDIA L4",),
         gke=("nvidia-l4",), aws=("l4",), flyte2=("L4",), constant="L4"),
    _gpu("L4_VWS", "NVIDIA L4 (virtual workstation)", "nvidia-l4-vws", "ada-lovelace", 24, (8, 9), "L4", (),
         gke=("nvidia-l4-vws",), flyte2=("L4_VWS",), constant="L4_VWS",
         notes="the L4 with GRID licensing on GCE; NVML reports it as 'NVIDIA L4'"),
    _gpu("L40", "NVIDIA L40", "nvidia-l40", "ada-lovelace", 48, (8, 9), "L40", ("NVIDIA L40",)),
    _gpu("L40S", "NVIDIA L40S", "nvidia-l40s", "ada-lovelace", 48, (8, 9), "L40S", ("NVIDIA L40S",),
         aws=("l40s",), flyte2=("L40s",), constant="L40S", notes="AWS g6e instances"),
    _gpu("RTX_A6000", "NVIDIA RTX A6000", "nvidia-rtx-a6000", "ampere", 48, (8, 6), "RTX_A6000",
         ("NVIDIA RTX A6000",)),
    _gpu("RTX_6000_ADA", "NVIDIA RTX 6000 Ada Generation", "nvidia-rtx-6000-ada", "ada-lovelace", 48, (8, 9),
         "RTX_6000_ADA", ("NVIDIA RTX 6000 Ada Generation",)),
    _gpu("RTX_4090", "NVIDIA GeForce RTX 4090", "nvidia-geforce-rtx-4090", "ada-lovelace", 24, (8, 9),
         "RTX_4090", ("NVIDIA GeForce RTX 4090",)),
    _gpu("RTX_5090", "NVIDIA GeForce RTX 5090", "nvidia-geforce-rtx-5090", "blackwell", 32, (12, 0),
         "RTX_5090", ("NVIDIA GeForce RTX 5090",)),
    _gpu("H100", "NVIDIA H100 80GB", "nvidia-h100", "hopper", 80, (9, 0), "H100",
         ("NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe", "NVIDIA H800"),
         gke=("nvidia-h100-80gb", "nvidia-h100-mega-80gb"), aws=("h100",), flyte2=("H100",), constant="H100",
         mig=_H100_80, aliases=("H100-80GB", "H100 SXM", "nvidia-tesla-h100"),
         notes="flytekit < 1.16 and Flyte 2 use 'nvidia-tesla-h100'; GKE: A3 High / A3 Mega values"),
    _gpu("H100_NVL", "NVIDIA H100 NVL 94GB", "nvidia-h100-nvl", "hopper", 94, (9, 0), "H100",
         ("NVIDIA H100 NVL",), mig=_mig7("12", "24", "24", "47", "47", "94"), aliases=("H800 NVL",)),
    _gpu("H100_96GB", "NVIDIA H100 96GB", "nvidia-h100-96gb", "hopper", 96, (9, 0), "H100",
         ("NVIDIA H100 96GB HBM3",), mig=_H100_96, notes="NVML name not verified on hardware"),
    _gpu("H20", "NVIDIA H20", "nvidia-h20", "hopper", 96, (9, 0), "H20", ("NVIDIA H20",), mig=_H100_96),
    _gpu("H200", "NVIDIA H200 141GB", "nvidia-h200", "hopper", 141, (9, 0), "H200",
         ("NVIDIA H200", "NVIDIA H200 NVL"),
         gke=("nvidia-h200-141gb",), aws=("h200",), flyte2=("H200",), constant="H200",
         mig=_mig7("18", "35", "35", "71", "71", "141"), aliases=("H200-141GB", "nvidia-tesla-h200")),
    _gpu("GH200", "NVIDIA GH200 96GB", "nvidia-gh200", "hopper", 96, (9, 0), "GH200",
         ("NVIDIA GH200 480GB",), mig=_H100_96, notes="the 480GB in the NVML name is CPU memory"),
    _gpu("GH200_144GB", "NVIDIA GH200 144GB HBM3e", "nvidia-gh200-144gb", "hopper", 144, (9, 0), "GH200",
         ("NVIDIA GH200 144G HBM3e",), mig=_mig7("18", "36", "36", "72", "72", "144"),
         notes="NVML name not verified on hardware; matched by memory"),
    _gpu("B200", "NVIDIA B200", "nvidia-b200", "blackwell", 180, (10, 0), "B200", ("NVIDIA B200",),
         gke=("nvidia-b200",), aws=("b200",), flyte2=("B200",),
         mig=_mig7("23", "45", "45", "90", "90", "180")),
    _gpu("GB200", "NVIDIA GB200", "nvidia-gb200", "blackwell", 186, (10, 0), "GB200", ("NVIDIA GB200",),
         gke=("nvidia-gb200",), mig=_mig7("23", "47", "47", "93", "93", "186"),
         notes="mig-parted also lists 3g.95gb / 4g.95gb / 7g.189gb (another SKU, unverified)"),
    _gpu("B300", "NVIDIA B300", "nvidia-b300", "blackwell", 269, (10, 3), "B300", ("NVIDIA B300",),
         mig=_mig7("34", "67", "67", "135", "135", "269")),
    _gpu("GB300", "NVIDIA GB300", "nvidia-gb300", "blackwell", 278, (10, 3), "GB300", ("NVIDIA GB300",),
         mig=_mig7("35", "70", "70", "139", "139", "278")),
    _gpu("RTX_PRO_6000", "NVIDIA RTX PRO 6000 Blackwell", "nvidia-rtx-pro-6000", "blackwell", 96, (12, 0),
         "RTX_PRO_6000",
         ("NVIDIA RTX PRO 6000 Blackwell Server Edition", "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
          "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition"),
         gke=("nvidia-rtx-pro-6000",), flyte2=("RTX PRO 6000",), constant="RTX_PRO_6000",
         mig=_RTX_PRO_6000, mig_slices=4, notes="4-slice MIG with +gfx, -me and +me.all attributes"),
    _gpu("GB10", "NVIDIA GB10", "nvidia-gb10", "blackwell", 128, (12, 1), "GB10", ("NVIDIA GB10",),
         flyte2=("GB10",), notes="DGX Spark; memory is unified with the CPU"),
)
# fmt: on
