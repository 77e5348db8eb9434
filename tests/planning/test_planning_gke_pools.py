"""GKE pool shorthand: GKE taints every GPU node pool and admits GPU pods past the taint."""

from __future__ import annotations

import pytest

from podplan.accelerators.mig import mig_resource_name
from podplan.planning.cluster import Taint
from podplan.planning.poolfile import GKE_GPU_TAINT, cluster_from_pool_document


def _doc(schemes: list[str], **pool: object) -> dict[str, object]:
    base: dict[str, object] = {"name": "p", "allocatable": {"cpu": "8", "memory": "32Gi"}}
    base.update(pool)
    return {"schemes": schemes, "pools": [base]}


def test_gke_gpu_pool_gets_the_gpu_taint_and_extended_resource_toleration() -> None:
    cluster = cluster_from_pool_document(_doc(["gke"], gpu={"model": "T4", "count": 1}))
    (pool,) = cluster.pools
    assert GKE_GPU_TAINT in pool.taints
    assert Taint("nvidia.com/gpu", "present", "NoSchedule") == GKE_GPU_TAINT
    assert cluster.extended_resource_toleration is True


def test_gke_cpu_pool_is_not_tainted() -> None:
    cluster = cluster_from_pool_document(_doc(["gke"]))
    assert cluster.pools[0].taints == ()


def test_explicit_gpu_taint_is_not_duplicated() -> None:
    doc = _doc(["gke"], gpu={"model": "T4", "count": 1}, taints=["nvidia.com/gpu=true:NoSchedule"])
    (pool,) = cluster_from_pool_document(doc).pools
    assert [t for t in pool.taints if t.key == "nvidia.com/gpu"] == [Taint("nvidia.com/gpu", "true")]


def test_eks_gpu_pool_is_not_tainted_implicitly() -> None:
    cluster = cluster_from_pool_document(_doc(["eks"], gpu={"model": "T4", "count": 1}))
    assert cluster.pools[0].taints == ()
    assert cluster.extended_resource_toleration is False


def test_extended_resource_toleration_can_be_turned_off_on_gke() -> None:
    doc = _doc(["gke"], gpu={"model": "T4", "count": 1})
    doc["extended_resource_toleration"] = False
    assert cluster_from_pool_document(doc).extended_resource_toleration is False


@pytest.mark.parametrize(
    ("profile", "resource"),
    [("1g.10gb", "nvidia.com/mig-1g.10gb"), ("1g.10gb+me", "nvidia.com/mig-1g.10gb.me")],
)
def test_mixed_strategy_resources_use_the_device_plugin_names(profile: str, resource: str) -> None:
    assert mig_resource_name(profile) == resource
    mig = {"strategy": "mixed", "layout": {profile: 1}}
    doc = _doc(["gfd"], gpu={"model": "A100_80GB", "count": 1, "mig": mig})
    (pool,) = cluster_from_pool_document(doc).pools
    assert pool.allocatable[resource] == "1"
    assert not any("+" in name for name in pool.allocatable)
