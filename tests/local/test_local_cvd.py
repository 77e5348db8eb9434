"""CUDA_VISIBLE_DEVICES parsing (spec §2.1): indices, UUIDs, prefixes, MIG, legacy MIG, strtoul."""

from __future__ import annotations

import pytest

from podplan.accelerators.local.cvd import Candidate, format_visible, parse_visible

G0 = "GPU-8932f937-d72c-4106-c12f-20bd9faed9f6"
G1 = "GPU-2ceff3df-1111-2222-3333-444455556666"
G2 = "GPU-2cef0000-aaaa-bbbb-cccc-ddddeeeeffff"
M0 = "MIG-d9a47cfb-d1f2-d08c-b40e-0812b597ae69"
LEGACY = f"MIG-{G1}/1/0"

CANDIDATES = [
    Candidate(key=0, ids=(G0,), index=0),
    Candidate(key=1, ids=(G1,), index=1),
    Candidate(key=2, ids=(G2,), index=2),
    Candidate(key="m0", ids=(M0,)),
    Candidate(key="m1", ids=("MIG-aaaa0000-0000-0000-0000-000000000000", LEGACY)),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", []),
        ("  ", []),
        ("NoDevFiles", []),
        ("0", [0]),
        ("2,0", [2, 0]),
        ("0,2,-1,1", [0, 2]),  # an invalid index ends the list
        ("0, 1, 2, -1, 3", [0, 1, 2]),
        ("0, 1, 2, 1", []),  # duplicates: nothing visible
        ("0,0", []),
        ("1gpu2,2ampere", [1, 2]),  # strtoul: leading digits only
        ("16", []),  # out of range
        ("5,0", []),
        (G0, [0]),
        ("GPU-8932f937", [0]),  # abbreviated UUID
        ("GPU-2cef", []),  # ambiguous prefix (G1, G2): invalid -> stops
        (f"{G1},GPU-2cef", [1]),
        (M0, ["m0"]),
        ("MIG-d9a47cfb", ["m0"]),
        (LEGACY, ["m1"]),
        (f"{M0},{G0}", ["m0", 0]),
        ("GPU-ffffffff", []),
        ("abc,0", []),
    ],
)
def test_parse_visible(value: str | None, expected: list[object] | None) -> None:
    assert parse_visible(value, CANDIDATES) == expected


def test_format_visible_joins_in_order() -> None:
    assert format_visible([M0]) == M0
    assert format_visible([G1, G0]) == f"{G1},{G0}"
