"""Table tests from ``specs/ecosystem-and-demand.md`` §2.2, §4 and §5 against the catalog data.

§5: every MIG table (profiles, max instances, memory per profile), the ``+me`` rule, NVIDIA's
"all-<profile>" and balanced layouts; §4.1 extended resource names; §4.2 node-label keys and values
per platform; §2.2 Flyte 2 names and TPU topologies; one catalog-entry test per flytekit constant.
"""

from __future__ import annotations

import pytest

import podplan.accelerators as pa
from podplan.accelerators import catalog
from podplan.errors import AcceleratorError

GIB = 1 << 30


def _mig7(
    one: int, two_slice: int, two: int, three: int, four: int, seven: int
) -> dict[str, tuple[int, int]]:
    return {
        f"1g.{one}gb": (7, one),
        f"1g.{one}gb+me": (1, one),
        f"1g.{two_slice}gb": (4, two_slice),
        f"2g.{two}gb": (3, two),
        f"3g.{three}gb": (2, three),
        f"4g.{four}gb": (1, four),
        f"7g.{seven}gb": (1, seven),
    }


#: §5, verbatim: model → {profile: (max instances on one GPU, memory GB of the profile)}
MIG_TABLES: dict[str, dict[str, tuple[int, int]]] = {
    "A30": {
        "1g.6gb": (4, 6),
        "1g.6gb+me": (1, 6),
        "2g.12gb": (2, 12),
        "2g.12gb+me": (1, 12),
        "4g.24gb": (1, 24),
    },
    "A100": {
        "1g.5gb": (7, 5),
        "1g.5gb+me": (1, 5),
        "1g.10gb": (4, 10),
        "2g.10gb": (3, 10),
        "3g.20gb": (2, 20),
        "4g.20gb": (1, 20),
        "7g.40gb": (1, 40),
    },
    "A100_80GB": _mig7(10, 20, 20, 40, 40, 80),
    "H100": _mig7(10, 20, 20, 40, 40, 80),
    "H100_NVL": _mig7(12, 24, 24, 47, 47, 94),
    "H100_96GB": _mig7(12, 24, 24, 48, 48, 96),
    "GH200": _mig7(12, 24, 24, 48, 48, 96),
    "H20": _mig7(12, 24, 24, 48, 48, 96),
    "H200": _mig7(18, 35, 35, 71, 71, 141),
    "GH200_144GB": _mig7(18, 36, 36, 72, 72, 144),
    "B200": _mig7(23, 45, 45, 90, 90, 180),
    "GB200": _mig7(23, 47, 47, 93, 93, 186),
    "B300": _mig7(34, 67, 67, 135, 135, 269),
    "GB300": _mig7(35, 70, 70, 139, 139, 278),
    "RTX_PRO_6000": {
        "1g.24gb": (4, 24),
        "1g.24gb+gfx": (4, 24),
        "1g.24gb-me": (4, 24),
        "1g.24gb+me.all": (1, 24),
        "2g.48gb": (2, 48),
        "2g.48gb+gfx": (2, 48),
        "2g.48gb-me": (2, 48),
        "2g.48gb+me.all": (1, 48),
        "4g.96gb": (1, 96),
        "4g.96gb+gfx": (1, 96),
    },
}
FOUR_SLICE = {"A30", "RTX_PRO_6000"}


@pytest.mark.parametrize("model", sorted(MIG_TABLES))
def test_mig_table_is_exactly_the_spec(model: str) -> None:
    m = catalog.get_model(model)
    assert {name: (p.max_instances, p.memory_gb) for name, p in m.mig_profiles.items()} == MIG_TABLES[model]
    assert m.mig_compute_slices == (4 if model in FOUR_SLICE else 7)


def test_only_the_spec_models_are_mig_capable() -> None:
    assert {m.name for m in catalog.all_models() if m.mig_capable} == set(MIG_TABLES)


def _profile_rows() -> list[tuple[str, str, int, int]]:
    return [(m, p, n, gb) for m, table in MIG_TABLES.items() for p, (n, gb) in table.items()]


@pytest.mark.parametrize(("model", "profile", "count", "gb"), _profile_rows())
def test_each_profile_record(model: str, profile: str, count: int, gb: int) -> None:
    m = catalog.get_model(model)
    prof = m.mig_profiles[profile]
    assert prof.memory_bytes == gb * GIB
    assert prof.compute_slices == int(profile.split("g.")[0])
    # the mixed-strategy extended resource; the device plugin turns "+" into "." (spec §1.5)
    assert prof.resource_name == "nvidia.com/mig-" + profile.replace("+", ".")
    assert prof.media_extensions == ("+me" in profile)
    # NVIDIA mig-parted's "all-<profile>: N": N instances fit on one GPU, N + 1 do not
    assert m.fits_layout([profile] * count)
    assert not m.fits_layout([profile] * (count + 1))
    # partitioning the model with the profile is accepted; the accelerator carries it verbatim
    assert pa.MultiInstanceGPUAccelerator(m.device).partitioned(profile).partition_size == profile


@pytest.mark.parametrize(
    ("model", "layout", "fits"),
    [  # mig-parted "balanced" layouts and the one-+me rule (§5)
        ("A100", ["1g.5gb", "1g.5gb", "2g.10gb", "3g.20gb"], True),
        ("H100", ["1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb"], True),
        ("B200", ["1g.23gb", "1g.23gb", "2g.45gb", "3g.90gb"], True),
        ("H100_NVL", ["1g.12gb", "1g.12gb", "2g.24gb", "3g.47gb"], True),
        ("A100", ["1g.5gb+me", "1g.5gb+me"], False),
        ("A30", ["1g.6gb+me", "2g.12gb+me"], False),
        ("A30", ["1g.6gb", "1g.6gb", "2g.12gb"], True),
        ("A100", ["4g.20gb", "3g.20gb"], True),
        ("A100", ["4g.20gb", "4g.20gb"], False),
        ("A100", ["7g.40gb", "1g.5gb"], False),
        ("H200", ["3g.71gb", "2g.35gb", "1g.18gb", "1g.18gb"], True),  # the h200-mig fake profile
        ("A100", ["3g.20gb", "2g.10gb", "2g.10gb"], True),  # the dgx-a100-mig GPU 1 layout
    ],
)
def test_layouts(model: str, layout: list[str], fits: bool) -> None:
    assert catalog.get_model(model).fits_layout(layout) is fits


@pytest.mark.parametrize(
    ("model", "profile"),
    [("A100", "3g.40gb"), ("A100_80GB", "1g.5gb"), ("H100", "1g.12gb"), ("A30", "7g.24gb"), ("T4", "1g.5gb")],
)
def test_a_profile_the_model_lacks_is_an_error_naming_the_valid_ones(model: str, profile: str) -> None:
    m = catalog.get_model(model)
    with pytest.raises(AcceleratorError) as info:
        pa.MultiInstanceGPUAccelerator(m.device).partitioned(profile)
    text = str(info.value)
    assert profile in text
    for valid in list(m.mig_profiles)[:3]:
        assert valid in text
    if not m.mig_capable:
        assert "not MIG-capable" in text
    # the documented escape hatch
    assert (
        pa.MultiInstanceGPUAccelerator(m.device).partitioned(profile, strict=False).partition_size == profile
    )


# --- §4.1 extended resource names ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "resource", "extra"),
    [
        ("MI300X", "amd.com/gpu", ()),
        ("Gaudi2", "habana.ai/gaudi", ()),
        ("Trn2", "aws.amazon.com/neuron", ("aws.amazon.com/neuroncore", "aws.amazon.com/neurondevice")),
        ("Inf2", "aws.amazon.com/neuron", ("aws.amazon.com/neuroncore", "aws.amazon.com/neurondevice")),
        ("GPU_MAX_1550", "gpu.intel.com/i915", ("gpu.intel.com/xe",)),
    ],
)
def test_device_class_resource_names(name: str, resource: str, extra: tuple[str, ...]) -> None:
    dc = catalog.get_device_class(name)
    assert (dc.resource_name, dc.extra_resource_names) == (resource, extra)


def test_gpu_and_tpu_resource_names() -> None:
    assert all(s.resource_name == "nvidia.com/gpu" for n, s in catalog.LABEL_SCHEMES.items() if n != "flyte2")
    assert {t.resource_name for t in catalog.all_tpus()} == {"google.com/tpu"}


# --- §4.2 node-label keys and values ----------------------------------------------------------
@pytest.mark.parametrize(
    ("scheme", "label", "partition", "count", "memory"),
    [
        ("flytekit", "k8s.amazonaws.com/accelerator", "k8s.amazonaws.com/gpu-partition-size", None, None),
        (
            "gke",
            "cloud.google.com/gke-accelerator",
            "cloud.google.com/gke-gpu-partition-size",
            "cloud.google.com/gke-accelerator-count",
            None,
        ),
        ("eks", "k8s.amazonaws.com/accelerator", "k8s.amazonaws.com/gpu-partition-size", None, None),
        (
            "karpenter",
            "karpenter.k8s.aws/instance-gpu-name",
            None,
            "karpenter.k8s.aws/instance-gpu-count",
            "karpenter.k8s.aws/instance-gpu-memory",
        ),
        (
            "eks-auto",
            "eks.amazonaws.com/instance-gpu-name",
            None,
            None,
            "eks.amazonaws.com/instance-gpu-memory",
        ),
        ("gfd", "nvidia.com/gpu.product", None, "nvidia.com/gpu.count", "nvidia.com/gpu.memory"),
    ],
)
def test_label_scheme_keys(
    scheme: str, label: str, partition: str | None, count: str | None, memory: str | None
) -> None:
    s = catalog.LABEL_SCHEMES[scheme]
    assert (s.label_key, s.partition_key, s.count_key, s.memory_key) == (label, partition, count, memory)


LABELS = [
    # GKE cloud.google.com/gke-accelerator (the §4.2 list)
    ("T4", "gke", "nvidia-tesla-t4"),
    ("V100", "gke", "nvidia-tesla-v100"),
    ("A100", "gke", "nvidia-tesla-a100"),
    ("A100_80GB", "gke", "nvidia-a100-80gb"),
    ("L4", "gke", "nvidia-l4"),
    ("H100", "gke", "nvidia-h100-80gb"),
    ("H100", "gke", "nvidia-h100-mega-80gb"),
    ("H200", "gke", "nvidia-h200-141gb"),
    ("B200", "gke", "nvidia-b200"),
    ("GB200", "gke", "nvidia-gb200"),
    ("P100", "gke", "nvidia-tesla-p100"),
    ("P4", "gke", "nvidia-tesla-p4"),
    ("K80", "gke", "nvidia-tesla-k80"),
    ("RTX_PRO_6000", "gke", "nvidia-rtx-pro-6000"),
    # EKS convention (k8s.amazonaws.com/accelerator) = the flytekit device string
    ("V100", "eks", "nvidia-tesla-v100"),
    ("T4", "eks", "nvidia-tesla-t4"),
    # EKS Auto Mode and Karpenter instance-gpu-name
    ("T4", "eks-auto", "t4"),
    ("A100", "eks-auto", "a100"),
    ("H200", "eks-auto", "h200"),
    ("B200", "eks-auto", "b200"),
    ("T4", "karpenter", "t4"),
    ("A10G", "karpenter", "a10g"),
    ("L40S", "karpenter", "l40s"),
    # GPU Feature Discovery nvidia.com/gpu.product, with and without the driver's NVIDIA prefix
    ("H100", "gfd", "NVIDIA-H100-80GB-HBM3"),
    ("A100", "gfd", "A100-SXM4-40GB"),
    ("A100", "gfd", "NVIDIA-A100-SXM4-40GB"),
    ("A100_80GB", "gfd", "NVIDIA-A100-SXM4-80GB"),
    ("T4", "gfd", "Tesla-T4"),
    ("T4", "gfd", "NVIDIA-Tesla-T4"),
    # Flyte 2 SDK device names
    ("A100_80GB", "flyte2", "A100 80G"),
    ("L40S", "flyte2", "L40s"),
    ("RTX_PRO_6000", "flyte2", "RTX PRO 6000"),
    ("GB10", "flyte2", "GB10"),
]


@pytest.mark.parametrize(("model", "scheme", "value"), LABELS)
def test_label_values(model: str, scheme: str, value: str) -> None:
    assert value in catalog.get_model(model).label_values(scheme)


@pytest.mark.parametrize(("model", "scheme"), [("L40S", "gke"), ("A10G", "gke"), ("RTX_4090", "gke")])
def test_aws_only_and_consumer_gpus_have_no_gke_label(model: str, scheme: str) -> None:
    assert catalog.get_model(model).label_values(scheme) == ()


@pytest.mark.parametrize(
    ("value", "model"),
    [
        ("NVIDIA-A100-SXM4-80GB-MIG-3g.40gb", "A100_80GB"),  # MIG single strategy
        ("A100-SXM4-40GB-MIG-1g.5gb", "A100"),
        ("Tesla-T4-SHARED", "T4"),  # time-slicing
        ("NVIDIA-H100-80GB-HBM3", "H100"),
        ("nvidia-h100-mega-80gb", "H100"),
        ("h200", "H200"),
        ("A100 80G", "A100_80GB"),
    ],
)
def test_label_values_resolve_to_their_model(value: str, model: str) -> None:
    assert catalog.get_model(value).name == model


# --- §2.2 Flyte 2 catalog: TPUs and other device classes ----------------------------------------
@pytest.mark.parametrize(
    ("tpu", "device", "topologies"),
    [
        (
            "V5P",
            "tpu-v5p-slice",
            "2x2x1 2x2x2 2x4x4 4x4x4 4x4x8 4x8x8 8x8x8 8x8x16 8x16x16 16x16x16 16x16x24",
        ),
        ("V6E", "tpu-v6e-slice", "1x1 2x2 2x4 4x4 4x8 8x8 8x16 16x16"),
        ("V5E", "tpu-v5-lite-podslice", "1x1 2x2 2x4 4x4 4x8 8x8 8x16 16x16"),
    ],
)
def test_tpu_topologies(tpu: str, device: str, topologies: str) -> None:
    t = catalog.get_tpu(tpu)
    assert t.device == device
    assert t.topology_names == tuple(topologies.split())
    assert (t.accelerator_label_key, t.topology_label_key) == (
        "cloud.google.com/gke-tpu-accelerator",
        "cloud.google.com/gke-tpu-topology",
    )


@pytest.mark.parametrize(
    "name",
    [
        "Inf1", "Inf2", "Trn1", "Trn1n", "Trn2", "Trn2u",
        "MI100", "MI210", "MI250", "MI250X", "MI300A", "MI300X", "MI325X", "MI350X", "MI355X",
        "Gaudi1",
    ],
)  # fmt: skip
def test_flyte2_device_classes_are_catalogued(name: str) -> None:
    assert catalog.get_device_class(name).flyte2_name == name


# --- one catalog-entry test per flytekit 1.16 constant -------------------------------------------
GPU_CONSTANTS = {
    "A10G": ("nvidia-a10g", "A10G", "ampere", 24),
    "L4": ("nvidia-l4", "L4", "ada-lovelace", 24),
    "L4_VWS": ("nvidia-l4-vws", "L4_VWS", "ada-lovelace", 24),
    "L40S": ("nvidia-l40s", "L40S", "ada-lovelace", 48),
    "K80": ("nvidia-tesla-k80", "K80", "kepler", 12),
    "M60": ("nvidia-tesla-m60", "M60", "maxwell", 8),
    "P4": ("nvidia-tesla-p4", "P4", "pascal", 8),
    "P100": ("nvidia-tesla-p100", "P100", "pascal", 16),
    "T4": ("nvidia-tesla-t4", "T4", "turing", 16),
    "V100": ("nvidia-tesla-v100", "V100", "volta", 16),
    "H100": ("nvidia-h100", "H100", "hopper", 80),
    "H200": ("nvidia-h200", "H200", "hopper", 141),
    "RTX_PRO_6000": ("nvidia-rtx-pro-6000", "RTX_PRO_6000", "blackwell", 96),
    "A100": ("nvidia-tesla-a100", "A100", "ampere", 40),
    "A100_80GB": ("nvidia-a100-80gb", "A100_80GB", "ampere", 80),
}
TPU_CONSTANTS = {"V5E": "tpu-v5-lite-podslice", "V5P": "tpu-v5p-slice", "V6E": "tpu-v6e-slice"}


@pytest.mark.parametrize("constant", sorted(GPU_CONSTANTS))
def test_flytekit_gpu_constant_catalog_entry(constant: str) -> None:
    device, model_name, arch, gib = GPU_CONSTANTS[constant]
    const = getattr(pa, constant)
    assert const.device == device
    model = catalog.get_model(device)
    assert (model.name, model.architecture, model.memory_gib, model.vendor) == (
        model_name,
        arch,
        gib,
        "nvidia",
    )
    assert model.flytekit_constant == constant
    assert model.label_value("flytekit") == device
    assert catalog.get_model(constant) is model
    if isinstance(const, pa.MultiInstanceGPUAccelerator) or not model.mig_capable:
        assert model.accelerator() is const
    else:  # flytekit's H100/H200/RTX_PRO_6000 are plain GPUs; the catalog knows their MIG profiles
        acc = model.accelerator()
        assert isinstance(acc, pa.MultiInstanceGPUAccelerator)
        assert acc == const  # the same wire message: device only
    # flytekit makes a constant partitionable only for MIG-capable models
    assert model.mig_capable or not isinstance(const, pa.MultiInstanceGPUAccelerator)


@pytest.mark.parametrize("constant", ["A100", "A100_80GB"])
def test_flytekit_partition_attributes_are_catalog_profiles(constant: str) -> None:
    const = getattr(pa, constant)
    model = catalog.get_model(const.device)
    names = [a for a in dir(type(const)) if a.startswith("partition_") and a != "partition_size"]
    assert len(names) >= 5
    for attr in names:
        part = getattr(const, attr)
        assert part.device == const.device
        assert part.partition_size in model.mig_profiles
        assert attr == "partition_" + part.partition_size.replace(".", "_").replace("+", "_")


@pytest.mark.parametrize("constant", sorted(TPU_CONSTANTS))
def test_flytekit_tpu_constant_catalog_entry(constant: str) -> None:
    const = getattr(pa, constant)
    tpu = catalog.get_tpu(TPU_CONSTANTS[constant])
    assert const.device == tpu.device == TPU_CONSTANTS[constant]
    assert tpu.flytekit_constant == constant
    slices = [a for a in dir(type(const)) if a.startswith("slice_") and getattr(const, a) is not None]
    assert slices
    for attr in slices:
        assert getattr(const, attr).partition_size in tpu.topology_names


# --- `podplan catalog`: suggestions, the JSON schema, every flytekit constant ------------------
@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("h1OO", "'H100'"),  # look-alike characters
        ("A10O", "'A100'"),
        ("nvidia-tesla-a10O", "'nvidia-tesla-a100'"),  # a device string
        ("v5pp", "'V5P'"),
        ("mi300", "'MI300X'"),  # case does not hide a close name
        ("gaudi", "'Gaudi"),
        ("H200X", "'H200'"),
    ],
)
def test_catalog_cli_unknown_name_suggests(
    name: str, suggestion: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from podplan.cli.main import main

    assert main(["catalog", name]) == 2
    err = capsys.readouterr().err
    assert f"unknown accelerator {name!r}; did you mean " in err
    assert suggestion in err.split("did you mean", 1)[1].split("?")[0]
    assert "Traceback" not in err


def test_catalog_cli_unknown_name_without_anything_close(capsys: pytest.CaptureFixture[str]) -> None:
    from podplan.cli.main import main

    assert main(["catalog", "--json", "xyzzy"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "unknown accelerator 'xyzzy' (see `podplan catalog` for the list)" in err


GPU_KEYS = {
    "kind", "name", "display_name", "device", "vendor", "architecture", "family", "memory_bytes",
    "compute_capability", "flytekit_constant", "nvml_names", "labels", "mig_capable",
    "mig_compute_slices", "mig_profiles", "notes",
}  # fmt: skip
PROFILE_KEYS = {
    "name", "max_instances", "memory_bytes", "compute_slices", "memory_slices", "placements",
    "attributes", "resource_name",
}  # fmt: skip
TPU_KEYS = {
    "kind", "name", "display_name", "device", "vendor", "flytekit_constant", "resource_name",
    "memory_bytes_per_chip", "labels", "topologies",
}  # fmt: skip
DEVICE_KEYS = {
    "kind", "name", "display_name", "vendor", "device_kind", "resource_name", "extra_resource_names",
    "memory_bytes", "cores_per_device", "flyte2_name", "product_label_key",
}  # fmt: skip
SCHEME_KEYS = {"label_key", "partition_key", "count_key", "memory_key", "resource_name", "description"}


def test_catalog_cli_json_schema_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from podplan.cli.main import main

    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"gpus", "tpus", "device_classes", "label_schemes"}
    assert len(data["gpus"]) == len(catalog.all_models())
    for gpu in data["gpus"]:
        assert set(gpu) == GPU_KEYS and gpu["kind"] == "gpu"
        assert isinstance(gpu["memory_bytes"], int)
        for prof in gpu["mig_profiles"]:
            assert set(prof) == PROFILE_KEYS
    assert all(set(t) == TPU_KEYS and t["kind"] == "tpu" for t in data["tpus"])
    assert all(set(d) == DEVICE_KEYS and d["kind"] == "device-class" for d in data["device_classes"])
    assert all(set(s) == SCHEME_KEYS for s in data["label_schemes"].values())
    a100 = next(g for g in data["gpus"] if g["name"] == "A100")
    me = next(p for p in a100["mig_profiles"] if p["name"] == "1g.5gb+me")
    assert (me["resource_name"], me["attributes"]) == ("nvidia.com/mig-1g.5gb.me", ["+me"])


@pytest.mark.parametrize("constant", sorted(GPU_CONSTANTS) + sorted(TPU_CONSTANTS))
def test_catalog_cli_shows_each_flytekit_constant(constant: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from podplan.cli.main import main

    assert main(["catalog", constant, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    device = GPU_CONSTANTS[constant][0] if constant in GPU_CONSTANTS else TPU_CONSTANTS[constant]
    assert (record["name"], record["device"], record["flytekit_constant"]) == (constant, device, constant)
    assert main(["catalog", device]) == 0  # the device string names the same record
    assert f"podplan.accelerators.{constant}" in capsys.readouterr().out
