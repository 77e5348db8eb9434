# ruff: noqa: E501
"""The accelerator catalog: MIG tables, label values, lookups, NVML names, TPUs, other vendors."""

from __future__ import annotations

import pytest

import podplan.accelerators as pa
from podplan.accelerators import catalog
from podplan.accelerators.mig import parse_profile_name
from podplan.accelerators.naming import gfd_product, normalize_nvml_name
from podplan.errors import AcceleratorError

GIB = 1 << 30

# ecosystem-and-demand.md §5: profile → max instances, per model
MIG_TABLES: dict[str, dict[str, int]] = {
    "A30": {"1g.6gb": 4, "1g.6gb+me": 1, "2g.12gb": 2, "2g.12gb+me": 1, "4g.24gb": 1},
    "A100": {"1g.5gb": 7, "1g.5gb+me": 1, "1g.10gb": 4, "2g.10gb": 3, "3g.20gb": 2, "4g.20gb": 1, "7g.40gb": 1},
    "A100_80GB": {"1g.10gb": 7, "1g.10gb+me": 1, "1g.20gb": 4, "2g.20gb": 3, "3g.40gb": 2, "4g.40gb": 1,
                  "7g.80gb": 1},
    "H100": {"1g.10gb": 7, "1g.10gb+me": 1, "1g.20gb": 4, "2g.20gb": 3, "3g.40gb": 2, "4g.40gb": 1, "7g.80gb": 1},
    "H100_NVL": {"1g.12gb": 7, "1g.12gb+me": 1, "1g.24gb": 4, "2g.24gb": 3, "3g.47gb": 2, "4g.47gb": 1,
                 "7g.94gb": 1},
    "H100_96GB": {"1g.12gb": 7, "1g.12gb+me": 1, "1g.24gb": 4, "2g.24gb": 3, "3g.48gb": 2, "4g.48gb": 1,
                  "7g.96gb": 1},
    "GH200": {"1g.12gb": 7, "1g.12gb+me": 1, "1g.24gb": 4, "2g.24gb": 3, "3g.48gb": 2, "4g.48gb": 1, "7g.96gb": 1},
    "H200": {"1g.18gb": 7, "1g.18gb+me": 1, "1g.35gb": 4, "2g.35gb": 3, "3g.71gb": 2, "4g.71gb": 1,
             "7g.141gb": 1},
    "GH200_144GB": {"1g.18gb": 7, "1g.18gb+me": 1, "1g.36gb": 4, "2g.36gb": 3, "3g.72gb": 2, "4g.72gb": 1,
                    "7g.144gb": 1},
    "B200": {"1g.23gb": 7, "1g.23gb+me": 1, "1g.45gb": 4, "2g.45gb": 3, "3g.90gb": 2, "4g.90gb": 1,
             "7g.180gb": 1},
    "GB200": {"1g.23gb": 7, "1g.23gb+me": 1, "1g.47gb": 4, "2g.47gb": 3, "3g.93gb": 2, "4g.93gb": 1,
              "7g.186gb": 1},
    "B300": {"1g.34gb": 7, "1g.34gb+me": 1, "1g.67gb": 4, "2g.67gb": 3, "3g.135gb": 2, "4g.135gb": 1,
             "7g.269gb": 1},
    "GB300": {"1g.35gb": 7, "1g.35gb+me": 1, "1g.70gb": 4, "2g.70gb": 3, "3g.139gb": 2, "4g.139gb": 1,
              "7g.278gb": 1},
    "RTX_PRO_6000": {"1g.24gb": 4, "1g.24gb+gfx": 4, "1g.24gb-me": 4, "1g.24gb+me.all": 1, "2g.48gb": 2,
                     "2g.48gb+gfx": 2, "2g.48gb-me": 2, "2g.48gb+me.all": 1, "4g.96gb": 1, "4g.96gb+gfx": 1},
}  # fmt: skip


@pytest.mark.parametrize(("name", "table"), MIG_TABLES.items())
def test_mig_tables(name: str, table: dict[str, int]) -> None:
    model = catalog.get_model(name)
    assert {p: prof.max_instances for p, prof in model.mig_profiles.items()} == table
    assert model.mig_capable
    for prof in model.mig_profiles.values():
        compute, gb, _ = parse_profile_name(prof.name)
        assert prof.compute_slices == compute
        assert prof.memory_bytes == gb * GIB
        assert prof.resource_name == "nvidia.com/mig-" + prof.name.replace("+", ".")


def test_memory_slices_and_placements_of_a100() -> None:
    profs = catalog.get_model("A100").mig_profiles
    assert {n: (p.memory_slices, p.placements) for n, p in profs.items()} == {
        "1g.5gb": (1, (0, 1, 2, 3, 4, 5, 6)),
        "1g.5gb+me": (1, (0, 1, 2, 3, 4, 5, 6)),
        "1g.10gb": (2, (0, 2, 4, 6)),
        "2g.10gb": (2, (0, 2, 4)),
        "3g.20gb": (4, (0, 4)),
        "4g.20gb": (4, (0,)),
        "7g.40gb": (8, (0,)),
    }
    assert profs["1g.5gb+me"].media_extensions and not profs["1g.5gb"].media_extensions


@pytest.mark.parametrize(
    ("model", "layout", "fits"),
    [
        ("A100", ["7g.40gb"], True),
        ("A100", ["1g.5gb"] * 7, True),
        ("A100", ["1g.5gb"] * 8, False),
        ("A100", ["4g.20gb", "3g.20gb"], True),
        ("A100", ["3g.20gb", "3g.20gb"], True),
        ("A100", ["3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb"], True),  # mig-parted "balanced"
        ("A100", ["4g.20gb", "2g.10gb", "1g.5gb"], True),
        ("A100", ["4g.20gb", "4g.20gb"], False),
        ("A100", ["7g.40gb", "1g.5gb"], False),
        ("A100", ["2g.10gb"] * 3 + ["1g.5gb"], True),
        ("A100", ["1g.10gb"] * 4, True),
        ("A100", ["1g.10gb"] * 4 + ["1g.5gb"], False),
        ("A100", ["1g.5gb+me", "1g.5gb+me"], False),
        ("A100", ["3g.20gb", "4g.20gb", "1g.5gb"], False),
        ("H100", ["1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb"], True),
        ("B200", ["1g.23gb", "1g.23gb", "2g.45gb", "3g.90gb"], True),
        ("A30", ["2g.12gb", "2g.12gb"], True),
        ("A30", ["4g.24gb", "1g.6gb"], False),
        ("A30", ["1g.6gb"] * 4, True),
        ("RTX_PRO_6000", ["2g.48gb", "1g.24gb", "1g.24gb"], True),
        ("RTX_PRO_6000", ["4g.96gb", "1g.24gb"], False),
    ],
)
def test_fits_layout(model: str, layout: list[str], fits: bool) -> None:
    assert catalog.get_model(model).fits_layout(layout) is fits


def test_fits_layout_unknown_profile() -> None:
    with pytest.raises(AcceleratorError, match=r"1g\.5gb"):
        catalog.get_model("H100").fits_layout(["1g.5gb"])


@pytest.mark.parametrize("bad", ["", "1g", "g.5gb", "1g.5", "1g5gb", "MIG 1g.5gb", "1G.5GB", "1g.5gb+"])
def test_parse_profile_name_rejects(bad: str) -> None:
    with pytest.raises(AcceleratorError, match="MIG profile name"):
        parse_profile_name(bad)


def test_parse_profile_name_accepts_attributes() -> None:
    assert parse_profile_name("1g.24gb+me.all") == (1, 24, ("+me.all",))
    assert parse_profile_name("2g.48gb-me") == (2, 48, ("-me",))
    assert parse_profile_name("1c.3g.20gb") == (3, 20, ())


FLYTEKIT_CONSTANTS = ["A10G", "L4", "L4_VWS", "L40S", "K80", "M60", "P4", "P100", "T4", "V100", "H100", "H200",
                      "RTX_PRO_6000", "A100", "A100_80GB"]  # fmt: skip


@pytest.mark.parametrize("name", FLYTEKIT_CONSTANTS)
def test_every_flytekit_gpu_constant_has_a_model(name: str) -> None:
    const = getattr(pa, name)
    model = catalog.get_model(const.device)
    assert model.name == name
    assert model.flytekit_constant == name
    assert model.label_value("flytekit") == const.device
    assert model.accelerator() == const


def test_partition_attributes_match_catalog() -> None:
    for family in (pa.A100, pa.A100_80GB):
        attrs = {
            getattr(family, a).partition_size
            for a in dir(type(family))
            if a.startswith("partition_") and a != "partition_size"
        }
        assert attrs == set(catalog.get_model(family.device).mig_profiles)
    for tpu in (pa.V5E, pa.V5P, pa.V6E):
        attrs = {getattr(tpu, a).partition_size for a in dir(type(tpu)) if a.startswith("slice_")}
        assert attrs == set(catalog.get_tpu(tpu.device).topology_names)


def test_models_are_unique_and_complete() -> None:
    models = catalog.all_models()
    assert len({m.name for m in models}) == len(models)
    assert len({m.device for m in models}) == len(models)
    for m in models:
        assert m.vendor == "nvidia" and m.memory_bytes > 0 and m.architecture
        pa.GPUAccelerator(m.device)  # every device string is a valid label value
        assert m.label_value("eks") == m.device
    for name in ("A30", "A100", "A100_80GB", "H100", "H100_NVL", "H100_96GB", "H200", "GH200", "B200", "GB200",
                 "B300", "GB300", "RTX_PRO_6000", "T4", "L4", "A10G", "V100", "RTX_4090", "L40S"):  # fmt: skip
        assert catalog.get_model(name).name == name


# ecosystem §4.2 / nvml §4.2: label values per scheme
@pytest.mark.parametrize(
    ("model", "scheme", "value"),
    [
        ("T4", "gke", "nvidia-tesla-t4"),
        ("A100", "gke", "nvidia-tesla-a100"),
        ("A100_80GB", "gke", "nvidia-a100-80gb"),
        ("H100", "gke", "nvidia-h100-80gb"),
        ("H200", "gke", "nvidia-h200-141gb"),
        ("B200", "gke", "nvidia-b200"),
        ("GB200", "gke", "nvidia-gb200"),
        ("RTX_PRO_6000", "gke", "nvidia-rtx-pro-6000"),
        ("L4", "gke", "nvidia-l4"),
        ("T4", "karpenter", "t4"),
        ("A10G", "karpenter", "a10g"),
        ("L40S", "karpenter", "l40s"),
        ("H200", "eks-auto", "h200"),
        ("H100", "gfd", "NVIDIA-H100-80GB-HBM3"),
        ("A100_80GB", "gfd", "NVIDIA-A100-SXM4-80GB"),
        ("T4", "gfd", "Tesla-T4"),
        ("A100_80GB", "flyte2", "A100 80G"),
        ("L40S", "flyte2", "L40s"),
        ("RTX_PRO_6000", "flyte2", "RTX PRO 6000"),
        ("V100", "flytekit", "nvidia-tesla-v100"),
    ],
)
def test_label_values(model: str, scheme: str, value: str) -> None:
    m = catalog.get_model(model)
    assert value in m.label_values(scheme)
    assert catalog.get_model(value).name == model


def test_label_schemes() -> None:
    schemes = catalog.LABEL_SCHEMES
    assert schemes["gke"].label_key == "cloud.google.com/gke-accelerator"
    assert schemes["gke"].partition_key == "cloud.google.com/gke-gpu-partition-size"
    assert schemes["flytekit"].label_key == "k8s.amazonaws.com/accelerator"
    assert schemes["flytekit"].partition_key == "k8s.amazonaws.com/gpu-partition-size"
    assert schemes["karpenter"].label_key == "karpenter.k8s.aws/instance-gpu-name"
    assert schemes["eks-auto"].label_key == "eks.amazonaws.com/instance-gpu-name"
    assert schemes["gfd"].label_key == "nvidia.com/gpu.product"
    assert all(s.resource_name == "nvidia.com/gpu" for s in schemes.values())
    for model in catalog.all_models():
        assert set(model.labels) <= set(schemes)


@pytest.mark.parametrize(
    ("value", "model"),
    [
        ("A100", "A100"),
        ("a100", "A100"),  # Karpenter's a100 names both: the smaller variant wins
        ("A100-80GB", "A100_80GB"),
        ("a100_80gb", "A100_80GB"),
        ("nvidia-tesla-h100", "H100"),  # Flyte 2 / old flytekit spelling
        ("nvidia-h100-mega-80gb", "H100"),
        ("NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", "A100"),  # GFD single strategy
        ("A100-SXM4-40GB", "A100"),  # GFD, old driver
        ("Tesla-T4-SHARED", "T4"),  # GFD time-slicing
        ("NVIDIA-Tesla-T4", "T4"),
        ("NVIDIA H100 80GB HBM3", "H100"),
        ("NVIDIA RTX PRO 6000 Blackwell", "RTX_PRO_6000"),
    ],
)
def test_get_model_accepts_every_spelling(value: str, model: str) -> None:
    assert catalog.get_model(value).name == model


def test_get_model_unknown_suggests() -> None:
    with pytest.raises(AcceleratorError, match=r"unknown GPU model 'nvidia-tesla-t5'.*nvidia-tesla-t4"):
        catalog.get_model("nvidia-tesla-t5")
    assert catalog.find_model("nope") is None
    assert catalog.find_model("") is None


# nvml-local-gpus.md §4.1: NVML strings → model
NVML_VECTORS = [
    ("NVIDIA A100-SXM4-40GB", None, "A100"),
    ("A100-SXM4-40GB", None, "A100"),
    ("NVIDIA A100-SXM4-80GB", None, "A100_80GB"),
    ("NVIDIA A100-PCIE-40GB", None, "A100"),
    ("NVIDIA A100 80GB PCIe", None, "A100_80GB"),
    ("NVIDIA A100-PCIE-80GB", None, "A100_80GB"),
    ("NVIDIA A30", None, "A30"),
    ("NVIDIA A30-PCIE-24GB", None, "A30"),
    ("NVIDIA H100 80GB HBM3", None, "H100"),
    ("NVIDIA H100 PCIe", 81559 << 20, "H100"),
    ("NVIDIA H100 NVL", None, "H100_NVL"),
    ("NVIDIA H200", 143771 << 20, "H200"),
    ("NVIDIA GH200 480GB", 97871 << 20, "GH200"),
    ("NVIDIA GH200 480GB", 144 * GIB, "GH200_144GB"),
    ("NVIDIA B200", 183359 << 20, "B200"),
    ("NVIDIA GB200", None, "GB200"),
    ("NVIDIA B300", None, "B300"),
    ("NVIDIA GB300", None, "GB300"),
    ("NVIDIA H20", None, "H20"),
    ("Tesla T4", None, "T4"),
    ("Tesla V100-SXM2-16GB", None, "V100"),
    ("Tesla V100-PCIE-16GB", None, "V100"),
    ("Tesla V100-SXM2-32GB", None, "V100_32GB"),
    ("Tesla P100-PCIE-16GB", None, "P100"),
    ("Tesla P4", None, "P4"),
    ("Tesla K80", None, "K80"),
    ("NVIDIA A10G", None, "A10G"),
    ("NVIDIA A10", None, "A10"),
    ("NVIDIA L4", 23034 << 20, "L4"),
    ("NVIDIA L40S", 46068 << 20, "L40S"),
    ("NVIDIA GeForce RTX 4090", None, "RTX_4090"),
    ("NVIDIA GeForce RTX 5090", None, "RTX_5090"),
    ("NVIDIA RTX PRO 6000 Blackwell Server Edition", None, "RTX_PRO_6000"),
    ("NVIDIA RTX A6000", None, "RTX_A6000"),
    ("NVIDIA A100-SXM4-40GB MIG 1g.5gb", None, "A100"),
    ("NVIDIA A100-SXM4-40GB MIG 3g.20gb", 20096 << 20, "A100"),
    # not in the exact table: the ordered rules and memory decide
    ("NVIDIA A100-SXM4", 80 * GIB, "A100_80GB"),
    ("NVIDIA A100-SXM4", 40 * GIB, "A100"),
    ("NVIDIA A800-SXM4-80GB", None, "A100_80GB"),
    ("NVIDIA H100 SXM5", 80 * GIB, "H100"),
    ("NVIDIA H100 SXM5 NVL", None, "H100_NVL"),
    ("nvidia l40s", None, "L40S"),
    ("NVIDIA L40", None, "L40"),
    ("NVIDIA A100-SXM4-80GB", 40 * GIB, "A100"),  # memory contradicts the name: NVML memory wins
]


@pytest.mark.parametrize(("name", "memory", "model"), NVML_VECTORS)
def test_find_by_nvml_name(name: str, memory: int | None, model: str) -> None:
    found = catalog.find_by_nvml_name(name, memory)
    assert found is not None and found.name == model


@pytest.mark.parametrize(
    "name", ["", "AMD Instinct MI300X", "NVIDIA", "Tesla", "NVIDIA A1000 Laptop GPU x", "L4S"]
)
def test_find_by_nvml_name_unknown(name: str) -> None:
    assert catalog.find_by_nvml_name(name) is None


def test_word_boundaries() -> None:
    assert catalog.find_by_nvml_name("NVIDIA L4").name == "L4"  # type: ignore[union-attr]
    assert catalog.find_by_nvml_name("NVIDIA A10").name == "A10"  # type: ignore[union-attr]


def test_every_nvml_name_maps_back_to_its_model() -> None:
    for model in catalog.all_models():
        for name in model.nvml_names:
            assert catalog.find_by_nvml_name(name, model.memory_bytes) is model, name


def test_naming_helpers() -> None:
    assert normalize_nvml_name("NVIDIA A100-SXM4-80GB") == "A100 SXM4 80GB"
    assert normalize_nvml_name("Tesla V100-PCIE-16GB") == "V100 PCIE 16GB"
    assert normalize_nvml_name("NVIDIA GeForce RTX 4090") == "RTX 4090"
    assert normalize_nvml_name("NVIDIA A100-SXM4-40GB MIG 1g.5gb") == "A100 SXM4 40GB"
    assert gfd_product("NVIDIA H100 80GB HBM3") == "NVIDIA-H100-80GB-HBM3"
    assert gfd_product("NVIDIA A100 80GB PCIe") == "NVIDIA-A100-80GB-PCIe"
    assert gfd_product("NVIDIA RTX (PRO) 6000") == "NVIDIA-RTX-PRO-6000"


# --- TPUs and other vendors ---------------------------------------------------------------------


def test_tpus() -> None:
    v5p = catalog.get_tpu("tpu-v5p-slice")
    assert v5p is catalog.get_tpu("V5P")
    assert v5p.topology("2x2x1").chips == 4 and v5p.topology("2x2x1").hosts == 1  # type: ignore[union-attr]
    assert v5p.topology("16x16x24").chips == 6144  # type: ignore[union-attr]
    v5e = catalog.get_tpu("V5E")
    assert v5e.device == "tpu-v5-lite-podslice"
    assert v5e.topology("2x4").hosts == 1 and v5e.topology("4x4").hosts == 4  # type: ignore[union-attr]
    assert catalog.get_tpu("v6e").topology_names == (
        "1x1",
        "2x2",
        "2x4",
        "4x4",
        "4x8",
        "8x8",
        "8x16",
        "16x16",
    )
    assert all(t.resource_name == "google.com/tpu" for t in catalog.all_tpus())
    assert v5e.topology("3x3") is None
    with pytest.raises(AcceleratorError, match="tpu-v5p-slice"):
        catalog.get_tpu("v4")


@pytest.mark.parametrize(
    ("name", "resource", "vendor"),
    [
        ("MI210", "amd.com/gpu", "amd"),
        ("MI250X", "amd.com/gpu", "amd"),
        ("MI300X", "amd.com/gpu", "amd"),
        ("Trn1", "aws.amazon.com/neuron", "aws"),
        ("Inf2", "aws.amazon.com/neuron", "aws"),
        ("Gaudi2", "habana.ai/gaudi", "intel"),
    ],
)
def test_device_classes(name: str, resource: str, vendor: str) -> None:
    dc = catalog.get_device_class(name)
    assert dc.resource_name == resource and dc.vendor == vendor
    assert catalog.lookup(name) is dc


def test_neuron_core_resources() -> None:
    trn = catalog.get_device_class("trn2")
    assert "aws.amazon.com/neuroncore" in trn.extra_resource_names
    assert trn.cores_per_device == 8


def test_lookup_unknown() -> None:
    with pytest.raises(AcceleratorError, match="MI300X"):
        catalog.lookup("MI300")
    assert catalog.lookup("V5E") is catalog.get_tpu("V5E")


def test_valid_partitions() -> None:
    assert catalog.valid_partitions("nvidia-tesla-t4") == ()
    assert catalog.valid_partitions("unknown-gpu") is None
    assert "1g.10gb" in (catalog.valid_partitions("nvidia-h100-80gb") or ())
    assert catalog.valid_partitions("tpu-v5p-slice") == catalog.get_tpu("V5P").topology_names
    assert {m.name for m in catalog.models_with_profile("1g.10gb")} >= {"A100", "A100_80GB", "H100"}


def test_model_accelerator_for_models_without_constant() -> None:
    b200 = catalog.get_model("B200").accelerator()
    assert isinstance(b200, pa.MultiInstanceGPUAccelerator)
    assert b200.partitioned("1g.23gb").to_flyte_idl().partition_size == "1g.23gb"
    rtx = catalog.get_model("RTX_4090").accelerator()
    assert rtx == pa.GPUAccelerator("nvidia-geforce-rtx-4090")
    # flytekit's H100 constant is a plain GPUAccelerator; the model is MIG-capable
    h100 = catalog.get_model("H100").accelerator()
    assert isinstance(h100, pa.MultiInstanceGPUAccelerator) and h100 == pa.H100


def test_catalog_records_are_immutable() -> None:
    model = catalog.get_model("A100")
    with pytest.raises(AttributeError):
        model.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        model.mig_profiles["x"] = model.mig_profiles["1g.5gb"]  # type: ignore[index]
    assert hash(model) == hash(catalog.get_model("nvidia-tesla-a100"))
