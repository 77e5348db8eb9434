"""Naming rules: MIG profile names (go-nvlib half-up), NVML names → families and catalog models."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podplan.accelerators.local.names import (
    MIB,
    canonical,
    family_of,
    mig_memory_gb,
    mig_profile_name,
    normalize_name,
    parse_mig_profile,
    split_mig_name,
)

# spec §1.5: (parent total MiB, g, c, memorySizeMB) -> profile name
PROFILE_VECTORS = [
    (40960, 1, 1, 4864, "1g.5gb"),  # naive MB//1024 gives 1g.4gb
    (40960, 2, 2, 9856, "2g.10gb"),
    (40960, 3, 3, 19968, "3g.20gb"),
    (40960, 7, 7, 40192, "7g.40gb"),
    (40536, 1, 1, 4864, "1g.5gb"),  # older drivers report 40536 MiB
    (81920, 1, 1, 9856, "1g.10gb"),
    (81920, 2, 2, 19968, "2g.20gb"),
    (81920, 3, 3, 40192, "3g.40gb"),
    (81920, 7, 7, 80896, "7g.80gb"),
    (81559, 1, 1, 9984, "1g.10gb"),  # H100 80GB HBM3
    (81559, 1, 1, 20096, "1g.20gb"),
    (81559, 2, 2, 20096, "2g.20gb"),
    (81559, 3, 3, 40448, "3g.40gb"),
    (81559, 7, 7, 81152, "7g.80gb"),
    (143771, 3, 3, 69632, "3g.71gb"),  # Python's round() gives 3g.70gb (banker's rounding of 70.5)
    (143771, 4, 4, 69632, "4g.71gb"),
    (143771, 1, 1, 16640, "1g.18gb"),
    (143771, 2, 2, 34560, "2g.35gb"),
    (143771, 7, 7, 143360, "7g.141gb"),
    (40960, 3, 1, 19968, "1c.3g.20gb"),  # compute instance smaller than its GPU instance
    (40960, 2, 1, 9856, "1c.2g.10gb"),
]


@pytest.mark.parametrize(("parent_mib", "g", "c", "mb", "expected"), PROFILE_VECTORS)
def test_mig_profile_name_matches_go_nvlib(parent_mib: int, g: int, c: int, mb: int, expected: str) -> None:
    assert mig_profile_name(g, c, mb, parent_mib * MIB) == expected


def test_h200_half_rounds_up_where_python_round_does_not() -> None:
    assert mig_memory_gb(69632, 143771 * MIB) == 71
    assert round(70.5) == 70  # the pitfall the go-nvlib rule avoids


@given(
    parent_mib=st.integers(min_value=1024, max_value=300_000),
    frac=st.fractions(min_value=0, max_value=1),
)
def test_mig_memory_is_an_eighth_of_the_rounded_up_total(parent_mib: int, frac: object) -> None:
    mb = int(parent_mib * frac)  # type: ignore[operator]
    gb = mig_memory_gb(mb, parent_mib * MIB)
    total_gib = math.ceil(parent_mib / 1024)
    eighths = [math.floor(k * total_gib / 8 + 0.5) for k in range(0, 9)]
    assert gb in eighths
    assert gb <= total_gib


@given(st.integers(1, 300_000), st.integers(0, 300_000), st.integers(0, 300_000))
def test_mig_memory_is_monotonic(parent_mib: int, a: int, b: int) -> None:
    lo, hi = sorted((min(a, parent_mib), min(b, parent_mib)))
    assert mig_memory_gb(lo, parent_mib * MIB) <= mig_memory_gb(hi, parent_mib * MIB)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("1g.5gb", (1, 1, 5, "")),
        ("1c.3g.20gb", (3, 1, 20, "")),
        ("1g.10gb+me", (1, 1, 10, "+me")),
        ("1g.24gb-me", (1, 1, 24, "-me")),
        ("7g.141gb", (7, 7, 141, "")),
    ],
)
def test_parse_mig_profile(text: str, parsed: tuple[int, int, int, str]) -> None:
    p = parse_mig_profile(text)
    assert p is not None
    assert (p.gpu_slices, p.compute_slices, p.memory_gb, p.attrs) == parsed
    assert p.name == text


@pytest.mark.parametrize("text", ["", "1g", "5gb", "2x4", "g.5gb", "1g.5"])
def test_parse_mig_profile_rejects_non_profiles(text: str) -> None:
    assert parse_mig_profile(text) is None


@pytest.mark.parametrize(
    ("name", "parent", "profile"),
    [
        ("NVIDIA A100-SXM4-40GB MIG 1g.5gb", "NVIDIA A100-SXM4-40GB", "1g.5gb"),
        ("A100-SXM4-40GB MIG 3g.20gb", "A100-SXM4-40GB", "3g.20gb"),
        ("NVIDIA H200 MIG 3g.71gb", "NVIDIA H200", "3g.71gb"),
        ("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3", None),
    ],
)
def test_split_mig_name(name: str, parent: str, profile: str | None) -> None:
    assert split_mig_name(name) == (parent, profile)


# spec §4.1: real NVML names -> family
FAMILY_VECTORS = [
    ("NVIDIA A100-SXM4-40GB", "A100"),
    ("A100-SXM4-40GB", "A100"),
    ("NVIDIA A100-SXM4-80GB", "A100"),
    ("NVIDIA A100 80GB PCIe", "A100"),
    ("NVIDIA A100-PCIE-40GB", "A100"),
    ("NVIDIA A30-PCIE-24GB", "A30"),
    ("NVIDIA H100 80GB HBM3", "H100"),
    ("NVIDIA H100 PCIe", "H100"),
    ("NVIDIA H100 NVL", "H100"),
    ("NVIDIA H200", "H200"),
    ("NVIDIA GH200 480GB", "GH200"),
    ("NVIDIA B200", "B200"),
    ("NVIDIA GB200", "GB200"),
    ("Tesla T4", "T4"),
    ("Tesla V100-SXM2-16GB", "V100"),
    ("Tesla P100-PCIE-16GB", "P100"),
    ("Tesla P4", "P4"),
    ("Tesla K80", "K80"),
    ("NVIDIA A10G", "A10G"),
    ("NVIDIA A10", "A10"),
    ("NVIDIA L4", "L4"),
    ("NVIDIA L40S", "L40S"),
    ("NVIDIA GeForce RTX 4090", "RTX 4090"),
    ("NVIDIA GeForce RTX 5090", "RTX 5090"),
    ("NVIDIA RTX PRO 6000 Blackwell Server Edition", "RTX PRO 6000"),
    ("NVIDIA RTX A6000", "RTX A6000"),
    ("NVIDIA A100-SXM4-40GB MIG 1g.5gb", "A100"),
    ("nvidia-tesla-a100", "A100"),
    ("nvidia-a100-80gb", "A100"),
    ("nvidia-h100-mega-80gb", "H100"),
    ("nvidia-l4", "L4"),
    ("nvidia-tesla-t4", "T4"),
    ("Matrox G200eW", None),
]


@pytest.mark.parametrize(("name", "family"), FAMILY_VECTORS)
def test_family_of(name: str, family: str | None) -> None:
    assert family_of(name) == family


def test_normalize_name() -> None:
    assert normalize_name("NVIDIA A100-SXM4-80GB") == "A100 SXM4 80GB"
    assert normalize_name("nvidia-tesla-a100") == "A100"
    assert normalize_name("NVIDIA A100-SXM4-40GB MIG 1g.5gb") == "A100 SXM4 40GB"


# NVML name + memory -> catalog model and Flyte device string
CANONICAL_VECTORS = [
    ("NVIDIA A100-SXM4-80GB", 81920, "A100_80GB", "nvidia-a100-80gb"),
    ("NVIDIA A100 80GB PCIe", 81920, "A100_80GB", "nvidia-a100-80gb"),
    ("NVIDIA A100-SXM4-40GB", 40960, "A100", "nvidia-tesla-a100"),
    ("A100-SXM4-40GB", 40536, "A100", "nvidia-tesla-a100"),
    ("NVIDIA H100 80GB HBM3", 81559, "H100", "nvidia-h100"),
    ("NVIDIA H200", 143771, "H200", "nvidia-h200"),
    ("NVIDIA L4", 23034, "L4", "nvidia-l4"),
    ("NVIDIA L40S", 46068, "L40S", "nvidia-l40s"),
    ("Tesla T4", 15360, "T4", "nvidia-tesla-t4"),
    ("NVIDIA A10G", 23028, "A10G", "nvidia-a10g"),
    ("NVIDIA A100-SXM4-80GB MIG 1g.10gb", 81920, "A100_80GB", "nvidia-a100-80gb"),
]


@pytest.mark.parametrize(("name", "mib", "model", "device"), CANONICAL_VECTORS)
def test_canonical_catalog_model(name: str, mib: int, model: str, device: str) -> None:
    c = canonical(name, mib * MIB)
    assert (c.model, c.device) == (model, device)


def test_canonical_unknown_gpu_keeps_family_only() -> None:
    c = canonical("NVIDIA Quantum Z9", 1024 * MIB)
    assert (c.model, c.device) == (None, None)
