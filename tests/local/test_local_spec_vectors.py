"""Table tests from ``specs/nvml-local-gpus.md``: every vector and table of the spec, one row each.

§1.5 MIG profile names (go-nvlib half-up rule, ``+me``, compute-instance names, memory rounding
per model, cross-checked against every MIG profile of the catalog); §2 ``CUDA_VISIBLE_DEVICES``;
§1.7 init exceptions → status; §1.8 pynvml quirks; §4.1 NVML names → catalog model; §4.3 the
canonical mapping, its memory predicates and word boundaries, and reverse parsing of requests.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Hashable
from typing import Any

import pynvml
import pytest

from podplan.accelerators import MultiInstanceGPUAccelerator, catalog
from podplan.accelerators.local import detect, match, request_for
from podplan.accelerators.local.cvd import Candidate, parse_visible
from podplan.accelerators.local.detect import normalize_bus_id
from podplan.accelerators.local.names import canonical, mig_memory_gb, mig_profile_name
from podplan.testing import FakeNVML, load_profile

MIB = 1 << 20
GIB = 1 << 30

# --- §1.5 rounding pitfalls: (parent total MiB, GI slices, CI slices, memorySizeMB, name) --------
ROUNDING = [
    # A100-40GB (40960 MiB), go-nvml mock/gpus/a100.go
    (40960, 1, 1, 4864, "1g.5gb"),
    (40960, 2, 2, 9856, "2g.10gb"),
    (40960, 3, 3, 19968, "3g.20gb"),
    (40960, 7, 7, 40192, "7g.40gb"),
    # A100-80GB (81920 MiB)
    (81920, 1, 1, 9856, "1g.10gb"),
    (81920, 2, 2, 19968, "2g.20gb"),
    (81920, 3, 3, 40192, "3g.40gb"),
    (81920, 7, 7, 80896, "7g.80gb"),
    # H100 80GB HBM3 (81559 MiB), nvidia-smi mig -lgip
    (81559, 1, 1, 9984, "1g.10gb"),
    (81559, 1, 1, 20096, "1g.20gb"),
    (81559, 2, 2, 20096, "2g.20gb"),
    (81559, 3, 3, 40448, "3g.40gb"),
    (81559, 7, 7, 81152, "7g.80gb"),
    # H200 (143771 MiB -> 141 GiB rounded up): a 4/8 fraction is 70.5 GB, half-up -> 71
    (143771, 3, 3, 69632, "3g.71gb"),
    (143771, 4, 4, 71424, "4g.71gb"),
    (143771, 1, 1, 16640, "1g.18gb"),
    (143771, 2, 2, 34560, "2g.35gb"),
    # compute instances smaller than their GPU instance: "<c>c.<g>g.<gb>gb"
    (40960, 3, 1, 19968, "1c.3g.20gb"),
    (40960, 3, 2, 19968, "2c.3g.20gb"),
    (40960, 2, 1, 9856, "1c.2g.10gb"),
    (40960, 7, 4, 40192, "4c.7g.40gb"),
    (143771, 3, 1, 69632, "1c.3g.71gb"),
]


@pytest.mark.parametrize(("parent_mib", "g", "c", "mb", "name"), ROUNDING)
def test_mig_profile_name_rounding_table(parent_mib: int, g: int, c: int, mb: int, name: str) -> None:
    assert mig_profile_name(g, c, mb, parent_mib * MIB) == name


def test_naive_and_python_round_are_wrong_where_the_spec_says() -> None:
    assert 4864 // 1024 == 4 and mig_memory_gb(4864, 40960 * MIB) == 5  # naive MB//1024 -> 1g.4gb
    half = 4 / 8 * math.ceil(143771 / 1024)  # 70.5
    assert round(half) == 70  # banker's rounding: 3g.70gb
    assert mig_memory_gb(69632, 143771 * MIB) == 71


@pytest.mark.parametrize(
    ("attrs", "name"),
    [("+me", "1g.10gb+me"), ("+me.all", "1g.10gb+me.all"), ("+gfx", "1g.10gb+gfx"), ("-me", "1g.10gb-me")],
)
def test_profile_attributes_are_appended(attrs: str, name: str) -> None:
    assert mig_profile_name(1, 1, 9856, 81920 * MIB, attrs) == name


#: NVML totals (MiB) where the spec records them; otherwise nominal GiB * 1024 - 300 (NVML reports
#: a little under the nominal figure, and the go-nvlib rule rounds the total up to whole GiB)
NVML_TOTAL_MIB = {"A100": 40960, "A100_80GB": 81920, "H100": 81559, "H200": 143771, "B200": 183359}


def _catalog_profile_rows() -> list[tuple[str, str, int, int, int]]:
    rows = []
    for model in catalog.all_models():
        total = NVML_TOTAL_MIB.get(model.name, model.memory_gib * 1024 - 300)
        grid = 8 if model.mig_compute_slices == 7 else model.mig_compute_slices
        for prof in model.mig_profiles.values():
            # NVML's slice memory sits a little under the exact fraction of the total
            mb = prof.memory_slices * total // grid - 256
            rows.append((model.name, prof.name, prof.compute_slices, mb, total))
    return rows


@pytest.mark.parametrize(("model", "profile", "g", "mb", "total_mib"), _catalog_profile_rows())
def test_every_catalog_profile_name_follows_the_go_nvlib_rule(
    model: str, profile: str, g: int, mb: int, total_mib: int
) -> None:
    """The catalog's MIG tables (ecosystem spec §5) agree with the names NVML devices get."""
    base, attrs = profile, ""
    for i, ch in enumerate(profile):
        if ch in "+-":
            base, attrs = profile[:i], profile[i:]
            break
    assert mig_profile_name(g, g, mb, total_mib * MIB, attrs) == profile, (model, base)


@pytest.mark.parametrize(
    ("model", "names"),
    [  # flyte-sdk src/flyte/_resources.py reference lists (spec §1.5)
        ("A100", ["1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"]),
        ("A100_80GB", ["1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]),
        ("H100", ["1g.10gb", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]),
        ("H200", ["1g.18gb", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb"]),
        ("B200", ["1g.23gb", "1g.45gb"]),
        ("GH200", ["1g.12gb", "2g.24gb", "3g.48gb"]),
        ("H100_NVL", ["1g.12gb", "2g.24gb"]),
    ],
)
def test_reference_profile_lists_are_in_the_catalog(model: str, names: list[str]) -> None:
    assert set(names) <= set(catalog.get_model(model).mig_profiles)


# --- §2.1 CUDA_VISIBLE_DEVICES ------------------------------------------------------------------
U0 = "GPU-8932f937-d72c-4106-c12f-20bd9faed9f6"
U1 = "GPU-1b2c3d4e-0000-1111-2222-333344445555"
U2 = "GPU-1b2c9999-0000-1111-2222-333344445555"
U3 = "GPU-77777777-0000-1111-2222-333344445555"
M0 = "MIG-d9a47cfb-d1f2-d08c-b40e-0812b597ae69"
LEGACY = f"MIG-{U0}/1/2"
CANDIDATES = [
    Candidate(key=0, ids=(U0,), index=0),
    Candidate(key=1, ids=(U1,), index=1),
    Candidate(key=2, ids=(U2,), index=2),
    Candidate(key=3, ids=(U3,), index=3),
    Candidate(key="mig", ids=(M0, LEGACY)),
]


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        (None, None),  # unset: every device
        ("", []),  # empty: no device
        ("NoDevFiles", []),
        ("0,2,-1,1", [0, 2]),  # an invalid index ends the list
        ("0, 1, 2, 1", []),  # a duplicate empties it
        ("0, 1, 2, -1, 3", [0, 1, 2]),
        ("0,0", []),
        ("16", []),  # out of range is invalid
        ("1gpu2,2ampere", [1, 2]),  # strtoul: leading digits only
        ("GPU-8932f937", [0]),  # a unique UUID prefix
        (U0, [0]),
        ("GPU-1b2c", []),  # an ambiguous prefix is invalid
        (f"3,{U1}", [3, 1]),
        (M0, ["mig"]),
        ("MIG-d9a47cfb", ["mig"]),
        (LEGACY, ["mig"]),  # R450/R460 MIG-<GPU-UUID>/<GI>/<CI>
        (f"2,{U0},{U0}", []),
        ("GPU-ffffffff", []),
    ],
)
def test_cuda_visible_devices_table(value: str | None, keys: list[Hashable] | None) -> None:
    assert parse_visible(value, CANDIDATES) == keys


@pytest.mark.parametrize(
    ("bus_id", "normalised"),
    [
        ("00000000:0A:00.0", "0000:0a:00.0"),  # go-nvlib TestGetPCIBusID
        ("00000001:0A:00.0", "0001:0a:00.0"),  # non-zero domains kept
        ("0000:0a:00.0", "0000:0a:00.0"),
        ("00000000:B7:00.0", "0000:b7:00.0"),
    ],
)
def test_pci_bus_id_normalisation(bus_id: str, normalised: str) -> None:
    assert normalize_bus_id(bus_id) == normalised


def _with_driver(profile: str, driver: str) -> dict[str, Any]:
    data = load_profile(profile)
    data["driver_version"] = driver
    return data


@pytest.mark.parametrize(
    ("driver", "legacy"),
    [("460.32.03", True), ("470.42.00", True), ("470.42.01", False), ("550.54.15", False)],
)
def test_legacy_mig_ids_below_driver_470_42_01(driver: str, legacy: bool) -> None:
    inv = detect(FakeNVML(_with_driver("h200-mig", driver)), environ={})
    gpu = inv.devices[0]
    mig = gpu.mig[0]
    expected = f"MIG-{gpu.uuid}/{mig.gpu_instance_id}/{mig.compute_instance_id}" if legacy else mig.uuid
    assert mig.cuda_id == expected
    placed = match(request_for(MultiInstanceGPUAccelerator("nvidia-h200", "3g.71gb"), 1), inv)
    assert placed.cuda_visible_devices == expected  # §2.6 rule 4: emit the form CUDA accepts


# --- §1.7 exceptions at init -> status; §1.8 quirks -----------------------------------------------
@pytest.mark.parametrize(
    ("error", "status", "words"),
    [
        ("LibraryNotFound", "no-driver", "libnvidia-ml.so.1"),
        ("DriverNotLoaded", "driver-not-loaded", "kernel module"),
        ("NoPermission", "no-permission", "permission"),
        ("LibRmVersionMismatch", "error", "different versions"),
        ("Unknown", "error", "NVML initialisation failed"),
    ],
)
def test_init_errors_become_a_status_and_a_reason(error: str, status: str, words: str) -> None:
    inv = detect(FakeNVML({"init_error": error, "devices": []}), environ={})
    assert (inv.status, inv.devices) == (status, ())
    assert words in inv.reason


def test_one_lost_gpu_is_left_out_and_named() -> None:
    fake = FakeNVML("h100-sxm").fail("nvmlDeviceGetName", "GpuIsLost", device=3)
    inv = detect(fake, environ={})
    assert inv.status == "ok"
    assert [g.index for g in inv.devices] == [0, 1, 2, 4, 5, 6, 7]
    assert "GPU 3 did not answer NVML" in inv.reason
    assert not fake.initialized  # shut down even after a per-device failure


def test_every_gpu_failing_is_an_error() -> None:
    fake = FakeNVML("l4-workstation").fail("nvmlDeviceGetUUID", "Unknown")
    inv = detect(fake, environ={})
    assert inv.status == "error" and inv.devices == ()


def test_pynvml_quirks_the_fake_reproduces() -> None:
    nv = FakeNVML("dgx-a100-mig")
    nv.nvmlInit()
    try:
        gpu0 = nv.nvmlDeviceGetHandleByIndex(0)
        mig = nv.nvmlDeviceGetMigDeviceHandleByIndex(gpu0, 0)
        flag = nv.nvmlDeviceIsMigDeviceHandle(mig)
        assert isinstance(flag, ctypes.c_uint) and bool(flag) and flag != 1  # raw c_uint
        with pytest.raises(pynvml.NVMLError_NotSupported):
            nv.nvmlDeviceGetUtilizationRates(mig)  # utilisation is not supported on MIG
        gpu1 = nv.nvmlDeviceGetHandleByIndex(1)
        with pytest.raises(pynvml.NVMLError_NotFound):
            nv.nvmlDeviceGetMigDeviceHandleByIndex(gpu1, 1)  # a sparse slot
        with pytest.raises(pynvml.NVMLError_InvalidArgument):
            nv.nvmlDeviceGetMigDeviceHandleByIndex(gpu1, 4)
    finally:
        nv.nvmlShutdown()
    with pytest.raises(pynvml.NVMLError) as info:
        nv.nvmlDeviceGetCount()
    assert info.value == pynvml.NVMLError(1)  # Uninitialized, compared by value
    with pytest.raises(TypeError):
        hash(info.value)  # NVMLError is unhashable: never a set member or a cache key
    assert pynvml.NVMLError_NotFound() == pynvml.NVMLError(6)


# --- §4.1 NVML names (+ NVML total) -> catalog model and Flyte device ---------------------------
NAMES = [
    ("NVIDIA A100-SXM4-40GB", 40960, "A100", "nvidia-tesla-a100"),
    ("A100-SXM4-40GB", 40536, "A100", "nvidia-tesla-a100"),  # older drivers: no NVIDIA prefix
    ("NVIDIA A100-SXM4-80GB", 81920, "A100_80GB", "nvidia-a100-80gb"),
    ("NVIDIA A100-PCIE-40GB", 40960, "A100", "nvidia-tesla-a100"),
    ("NVIDIA A100 80GB PCIe", 81920, "A100_80GB", "nvidia-a100-80gb"),
    ("NVIDIA A100-PCIE-80GB", 81920, "A100_80GB", "nvidia-a100-80gb"),  # go-nvml mock spelling
    ("NVIDIA A30-PCIE-24GB", 24576, "A30", "nvidia-a30"),
    ("NVIDIA H100 80GB HBM3", 81559, "H100", "nvidia-h100"),
    ("NVIDIA H100 PCIe", 81559, "H100", "nvidia-h100"),
    ("NVIDIA H100 NVL", 95830, "H100_NVL", "nvidia-h100-nvl"),
    ("NVIDIA H200", 143771, "H200", "nvidia-h200"),
    ("NVIDIA GH200 480GB", 97871, "GH200", "nvidia-gh200"),
    ("NVIDIA B200", 183359, "B200", "nvidia-b200"),
    ("NVIDIA GB200", 189471, "GB200", "nvidia-gb200"),
    ("NVIDIA B300", 275040, "B300", "nvidia-b300"),
    ("NVIDIA GB300", 284208, "GB300", "nvidia-gb300"),
    ("NVIDIA H20", 97871, "H20", "nvidia-h20"),
    ("Tesla T4", 15360, "T4", "nvidia-tesla-t4"),
    ("Tesla V100-SXM2-16GB", 16160, "V100", "nvidia-tesla-v100"),
    ("Tesla V100-PCIE-16GB", 16160, "V100", "nvidia-tesla-v100"),
    ("Tesla P100-PCIE-16GB", 16280, "P100", "nvidia-tesla-p100"),
    ("Tesla P4", 7611, "P4", "nvidia-tesla-p4"),
    ("Tesla K80", 11441, "K80", "nvidia-tesla-k80"),
    ("NVIDIA A10G", 23028, "A10G", "nvidia-a10g"),
    ("NVIDIA A10", 23028, "A10", "nvidia-a10"),
    ("NVIDIA L4", 23034, "L4", "nvidia-l4"),
    ("NVIDIA L40S", 46068, "L40S", "nvidia-l40s"),
    ("NVIDIA GeForce RTX 4090", 24564, "RTX_4090", "nvidia-geforce-rtx-4090"),
    ("NVIDIA GeForce RTX 5090", 32607, "RTX_5090", "nvidia-geforce-rtx-5090"),
    ("NVIDIA RTX PRO 6000 Blackwell Server Edition", 97887, "RTX_PRO_6000", "nvidia-rtx-pro-6000"),
    ("NVIDIA RTX A6000", 49140, "RTX_A6000", "nvidia-rtx-a6000"),
    ("NVIDIA A100-SXM4-40GB MIG 1g.5gb", 4864, "A100", "nvidia-tesla-a100"),  # a MIG handle
    ("NVIDIA A100-SXM4-40GB MIG 3g.20gb", 20096, "A100", "nvidia-tesla-a100"),
]


@pytest.mark.parametrize(("name", "mib", "model", "device"), NAMES)
def test_nvml_names_map_to_catalog_models(name: str, mib: int, model: str, device: str) -> None:
    canon = canonical(name, mib * MIB)
    assert (canon.model, canon.device) == (model, device)


# --- §4.3 memory predicates and word boundaries ----------------------------------------------
@pytest.mark.parametrize(
    ("name", "gib", "model"),
    [
        ("NVIDIA A100-PCIE", 80, "A100_80GB"),  # no size in the name: memory > 60 GiB -> 80GB
        ("NVIDIA A100-PCIE", 40, "A100"),
        ("NVIDIA H100", 94, "H100_NVL"),  # mem > 90 GiB -> the NVL variant
        ("NVIDIA H100", 80, "H100"),
        ("Tesla V100-SXM2", 32, "V100_32GB"),
        ("Tesla V100-SXM2-32GB", 32, "V100_32GB"),
        ("Tesla V100S-PCIE-32GB", 32, "V100_32GB"),
        ("NVIDIA GH200 480GB", 144, "GH200_144GB"),  # the 480GB is CPU memory; HBM decides
        ("NVIDIA L4", 22, "L4"),  # L4 never matches L40S / L40
        ("NVIDIA L40", 45, "L40"),
        ("NVIDIA L40S", 45, "L40S"),
        ("NVIDIA A10", 22, "A10"),  # A10 never matches A100 / A10G
        ("NVIDIA A10G", 22, "A10G"),
        ("NVIDIA T4G", 15, "T4"),  # T4G? (AWS g5g)
        ("NVIDIA A2", 15, "A2"),
        ("NVIDIA A40", 45, "A40"),
    ],
)
def test_canonical_rules_memory_predicates_and_word_boundaries(name: str, gib: int, model: str) -> None:
    assert canonical(name, gib * GIB).model == model


@pytest.mark.parametrize(
    ("name", "family"),
    [("NVIDIA GeForce RTX 3090", "RTX 3090"), ("Tesla P40", "P40"), ("NVIDIA A16", "A16")],
)
def test_uncatalogued_gpus_keep_their_family_only(name: str, family: str) -> None:
    canon = canonical(name, 24 * GIB)
    assert (canon.family, canon.model, canon.device) == (family, None, None)


@pytest.mark.parametrize(
    ("model", "flytekit", "gke"),
    [  # the §4.3 table: canonical -> Flyte (flytekit) device -> GKE label values
        ("A100", "nvidia-tesla-a100", ("nvidia-tesla-a100",)),
        ("A100_80GB", "nvidia-a100-80gb", ("nvidia-a100-80gb",)),
        ("H100", "nvidia-h100", ("nvidia-h100-80gb", "nvidia-h100-mega-80gb")),
        ("H200", "nvidia-h200", ("nvidia-h200-141gb",)),
        ("B200", None, ("nvidia-b200",)),
        ("L4", "nvidia-l4", ("nvidia-l4",)),
        ("L4_VWS", "nvidia-l4-vws", ("nvidia-l4-vws",)),
        ("L40S", "nvidia-l40s", ()),
        ("A10G", "nvidia-a10g", ()),
        ("T4", "nvidia-tesla-t4", ("nvidia-tesla-t4",)),
        ("V100", "nvidia-tesla-v100", ("nvidia-tesla-v100",)),
        ("P100", "nvidia-tesla-p100", ("nvidia-tesla-p100",)),
        ("P4", "nvidia-tesla-p4", ("nvidia-tesla-p4",)),
        ("K80", "nvidia-tesla-k80", ("nvidia-tesla-k80",)),
        ("M60", "nvidia-tesla-m60", ()),
        ("RTX_PRO_6000", "nvidia-rtx-pro-6000", ("nvidia-rtx-pro-6000",)),
    ],
)
def test_canonical_to_target_vocabularies(model: str, flytekit: str | None, gke: tuple[str, ...]) -> None:
    m = catalog.get_model(model)
    assert m.label_value("flytekit") == flytekit
    assert m.label_values("gke") == gke
    if flytekit is None:
        assert m.device == "nvidia-b200"  # pass-through device string in flytekit's style


@pytest.mark.parametrize(
    ("spelling", "model"),
    [  # §4.3 item 4: reverse parsing of request strings
        ("nvidia-tesla-a100", "A100"),
        ("a100", "A100"),
        ("A100 80G", "A100_80GB"),
        ("NVIDIA-A100-SXM4-80GB", "A100_80GB"),
        ("nvidia-h100-80gb", "H100"),
        ("nvidia-h100-mega-80gb", "H100"),
        ("nvidia-tesla-h100", "H100"),  # flytekit < 1.16 and Flyte 2
        ("nvidia-h200-141gb", "H200"),
        ("NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", "A100"),  # GFD single-strategy value
        ("Tesla-T4-SHARED", "T4"),  # GFD time-slicing value
        ("l40s", "L40S"),
    ],
)
def test_request_strings_parse_back_to_canonical(spelling: str, model: str) -> None:
    req = request_for(spelling, 1)
    assert req is not None and req.model == model


def test_unknown_request_string_never_crashes_and_keeps_its_family() -> None:
    req = request_for("nvidia-a100-sxm4-custom", 1)
    assert req is not None and (req.model, req.family) == (None, "A100")
    a100s = detect(FakeNVML("dgx-a100-mig"), environ={})
    assert match(req, a100s).level == "compatible"  # best effort: the same family
    h100s = detect(FakeNVML("h100-sxm"), environ={})
    assert match(req, h100s).level == "none"  # memory unknown: no substitute can be judged
    unknown = match(request_for("totally-unknown", 1), h100s)
    assert unknown.level == "none" and "not in podplan's catalog" in unknown.message


@pytest.mark.parametrize(
    ("constant", "device", "partition", "kind"),
    [
        ("A100.partition_1g_5gb", "nvidia-tesla-a100", "1g.5gb", "gpu"),
        ("A100_80GB.partition_3g_40gb", "nvidia-a100-80gb", "3g.40gb", "gpu"),
        ("A100.unpartitioned", "nvidia-tesla-a100", None, "gpu"),
        ("T4", "nvidia-tesla-t4", None, "gpu"),
        ("V5P.slice_2x2x1", "tpu-v5p-slice", "2x2x1", "tpu"),
    ],
)
def test_flytekit_accelerator_objects_are_requests_too(
    constant: str, device: str, partition: str | None, kind: str
) -> None:
    import flytekit.extras.accelerators as fk  # in the test extra: fail, never skip
    obj: Any = fk
    for part in constant.split("."):
        obj = getattr(obj, part)
    req = request_for(obj, 1)
    assert req is not None and (req.device, req.partition, req.kind) == (device, partition, kind)
