"""Properties of the matcher and the CUDA_VISIBLE_DEVICES parser over generated inputs."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

import podplan.accelerators as acc
from podplan.accelerators.local import detect, match, request_for
from podplan.accelerators.local.cvd import Candidate, parse_visible
from podplan.accelerators.local.model import Inventory
from podplan.testing import FakeNVML, profile_names

ACCELERATORS = [
    None,
    acc.A100,
    acc.A100_80GB,
    acc.A100.partition_1g_5gb,
    acc.A100.partition_3g_20gb,
    acc.A100.partition_7g_40gb,
    acc.A100_80GB.partition_1g_10gb,
    acc.H100,
    acc.H200,
    acc.MultiInstanceGPUAccelerator("nvidia-h200", "1g.18gb"),
    acc.L4,
    acc.T4,
    acc.A10G,
    acc.V100,
    "nvidia-h100-80gb",
    "nvidia-geforce-rtx-4090",
    "vendor-unknown-gpu",
]


@cache
def inventory(profile: str, visible: str | None) -> Inventory:
    env = {} if visible is None else {"CUDA_VISIBLE_DEVICES": visible}
    return detect(FakeNVML(profile), environ=env)


@given(
    profile=st.sampled_from(profile_names()),
    accelerator=st.sampled_from(ACCELERATORS),
    count=st.integers(0, 9),
    visible=st.sampled_from([None, "", "0", "1,2", "2,0", "7"]),
)
def test_placements_are_sound(profile: str, accelerator: object, count: int, visible: str | None) -> None:
    inv = inventory(profile, visible)
    request = request_for(accelerator, count)
    placement = match(request, inv)
    known_gpus = {g.uuid: g for g in inv.devices if not g.mig_enabled}
    known_migs = {m.cuda_id for g in inv.devices for m in g.mig}
    if not placement.placed:
        assert placement.cuda_visible_devices == "" and placement.uuids == ()
        return
    assert request is not None
    ids = placement.cuda_visible_devices.split(",")
    assert tuple(ids) == placement.uuids
    assert len(set(ids)) == len(ids)
    if placement.mig:
        assert len(ids) == 1 and ids[0] in known_migs  # one MIG device, never mixed
        assert request.count == 1
    else:
        assert set(ids) <= set(known_gpus)  # only visible, non-MIG GPUs
        assert len(ids) == request.count
        need = request.memory_bytes
        if request.partition:  # a whole GPU standing in for a slice needs the slice's memory
            need = placement.gpu_memory_limit_bytes
            assert need is not None and placement.level == "substitute"
        if need is not None and placement.level != "exact":
            assert all(known_gpus[i].memory_bytes >= 0.9 * need for i in ids)


UUIDS = [f"GPU-{i:08x}-0000-0000-0000-000000000000" for i in range(4)]
CANDIDATES = [Candidate(key=i, ids=(u,), index=i) for i, u in enumerate(UUIDS)]
TOKENS = st.sampled_from(
    ["0", "1", "2", "3", "9", "-1", "x", " 1", "2gpu", *UUIDS, "GPU-00000001", "GPU-0000"]
)


@given(st.lists(TOKENS, max_size=6))
def test_visible_devices_parse_to_distinct_known_keys(tokens: list[str]) -> None:
    keys = parse_visible(",".join(tokens), CANDIDATES)
    assert keys is not None
    assert len(set(keys)) == len(keys)
    assert set(keys) <= {c.key for c in CANDIDATES}
    assert len(keys) <= len(tokens)
