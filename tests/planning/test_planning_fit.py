"""Pod requirements (init max rule, sidecars, defaulting) and the numpy fit engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planning_testlib import FIXTURES, container, expr, gpu_pod, pod, tol

from podplan.planning.cluster import Cluster, NodePool, Taint, load_cluster
from podplan.planning.fitting import fit
from podplan.planning.match import affinity_matches, selector_matches, untolerated_taints
from podplan.planning.pods import effective_requests, pod_requirements


def test_planning_init_containers_max_rule() -> None:
    spec = pod(
        containers=[container("a", {"cpu": "1", "memory": "1Gi"}), container("b", {"cpu": "500m"})],
        init=[container("i1", {"cpu": "2", "memory": "512Mi"}), container("i2", {"memory": "3Gi"})],
    )["spec"]
    reqs = effective_requests(spec)
    assert reqs["cpu"] == 2000  # max(1.5 sum, 2 init)
    assert reqs["memory"] == 3 * 2**30  # max(1Gi, 3Gi)


def test_planning_sidecar_init_containers_add_up() -> None:
    sidecar = container("proxy", {"cpu": "300m", "memory": "100Mi"}, restartPolicy="Always")
    spec = pod(
        containers=[container("main", {"cpu": "1", "memory": "1Gi"})],
        init=[sidecar, container("setup", {"cpu": "1500m"})],
    )["spec"]
    reqs = effective_requests(spec)
    # containers + sidecar = 1.3 CPU; the regular init container runs beside the sidecar: 1.8
    assert reqs["cpu"] == 1800
    assert reqs["memory"] == 2**30 + 100 * 2**20


def test_planning_request_defaults_from_limit_and_overhead() -> None:
    data = pod(containers=[container("m", limits={"cpu": "2", "nvidia.com/gpu": "1"}, requests={"cpu": "1"})])
    data["spec"]["overhead"] = {"cpu": "250m", "memory": "120Mi"}
    req = pod_requirements(data).request_map
    assert req == {"cpu": 1250, "nvidia.com/gpu": 1, "memory": 120 * 2**20, "pods": 1}


def test_planning_scheduler_units_round_up() -> None:
    req = pod_requirements(pod({"cpu": "100.5m", "memory": "1.5"})).request_map
    assert req["cpu"] == 101 and req["memory"] == 2


def test_planning_identical_pods_share_one_row() -> None:
    pods = [pod_requirements(pod({"cpu": "1"})) for _ in range(5)] + [pod_requirements(pod({"cpu": "2"}))]
    result = fit(pods, Cluster((NodePool("a", allocatable={"cpu": "4"}),)))
    assert len(result.distinct) == 2
    assert result.index.tolist() == [0, 0, 0, 0, 0, 1]
    assert result.pods_per_node[:, 0].tolist() == [4, 4, 4, 4, 4, 2]


def test_planning_pods_per_node_takes_the_tightest_resource() -> None:
    pool = NodePool("n", allocatable={"cpu": "16", "memory": "64Gi", "nvidia.com/gpu": "4", "pods": "3"})
    cluster = Cluster((pool,))
    cases = {
        "cpu": (pod({"cpu": "5"}), 3),
        "memory": (pod({"cpu": "1", "memory": "30Gi"}), 2),
        "gpu": (pod({"cpu": "1"}, {"nvidia.com/gpu": "3"}), 1),
        "max-pods": (pod({"cpu": "100m"}), 3),
        "no requests": (pod(), 3),
    }
    result = fit([pod_requirements(p) for p, _ in cases.values()], cluster)
    assert result.pods_per_node[:, 0].tolist() == [n for _, n in cases.values()]


def test_planning_eks_fixture_fits() -> None:
    cluster = load_cluster(FIXTURES / "eks-nodes.json")
    on_demand, spot, v100, _a10g, a100 = cluster.names
    pods = {
        "small cpu": pod({"cpu": "2", "memory": "4Gi"}, {"cpu": "2", "memory": "4Gi"}),
        "too big": pod({"cpu": "8", "memory": "4Gi"}),  # 8 CPU > 7910m allocatable
        "interruptible": pod(
            {"cpu": "1"}, tolerations=[tol("flyte.org/interruptible", "Equal", "true", "NoSchedule")]
        ),
        "v100 without gpu toleration": gpu_pod("nvidia-tesla-v100"),
        "v100": gpu_pod("nvidia-tesla-v100", "2", extra_tolerations=[tol("nvidia.com/gpu", "Exists")]),
        "a10g x2": gpu_pod("nvidia-a10g", "2", extra_tolerations=[tol("nvidia.com/gpu", "Exists")]),
        "a100 1g.5gb": gpu_pod(
            "nvidia-tesla-a100", "1", "1g.5gb", extra_tolerations=[tol("nvidia.com/gpu", "Exists")]
        ),
    }
    result = fit([pod_requirements(p) for p in pods.values()], cluster)
    fits = {name: result.fitting_pools(i) for i, name in enumerate(pods)}
    assert fits == {
        "small cpu": [on_demand],
        "too big": [],
        "interruptible": [on_demand, spot],
        "v100 without gpu toleration": [],
        "v100": [v100],
        "a10g x2": [],
        "a100 1g.5gb": [a100],
    }
    assert result.pods_per_node[list(pods).index("v100"), cluster.names.index(v100)] == 2
    assert result.pods_per_node[list(pods).index("a100 1g.5gb"), cluster.names.index(a100)] == 56


def test_planning_reasons_and_closest_pool() -> None:
    cluster = load_cluster(FIXTURES / "eks-nodes.json")
    p = gpu_pod("nvidia-a10g", "2", extra_tolerations=[tol("nvidia.com/gpu", "Exists")])
    result = fit([pod_requirements(p)], cluster)
    a10g = cluster.names.index("g5.xlarge")
    assert result.closest(0) == a10g
    reasons = result.reasons(0, a10g)
    assert [r.predicate for r in reasons] == ["resources"]
    assert "nvidia.com/gpu needs 2, node allocatable 1" in reasons[0].detail
    cpu = cluster.names.index("m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-general]")
    assert result.failed_predicates(0, cpu) == ["resources", "nodeAffinity"]


def test_planning_pool_without_nodes_fails_nodes_predicate() -> None:
    cluster = Cluster(
        (
            NodePool("gone", allocatable={"cpu": "8"}, count=0),
            NodePool("scales", allocatable={"cpu": "8"}, count=0, max_count=5),
        )
    )
    result = fit([pod_requirements(pod({"cpu": "1"}))], cluster)
    assert result.fitting_pools(0) == ["scales"]
    assert result.failed_predicates(0, 0) == ["nodes"]


def test_planning_missing_extended_resource_does_not_fit() -> None:
    cluster = Cluster((NodePool("cpu", allocatable={"cpu": "8", "memory": "32Gi"}),))
    result = fit([pod_requirements(pod({"cpu": "1"}, {"nvidia.com/gpu": "1"}))], cluster)
    assert result.fits.tolist() == [[False]]
    assert "nvidia.com/gpu needs 1, node allocatable 0" in result.reasons(0, 0)[0].detail


# --- property: the vectorized engine agrees with a direct evaluation ---------------------------

keys = st.sampled_from(["gpu", "zone", "tier"])
vals = st.sampled_from(["a", "b", "c"])
ops = st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"])


@st.composite
def pools(draw: st.DrawFn) -> NodePool:
    return NodePool(
        draw(st.text("xyz", min_size=1, max_size=4)),
        labels=draw(st.dictionaries(keys, vals, max_size=3)),
        taints=tuple(
            draw(
                st.lists(
                    st.builds(Taint, keys, vals, st.sampled_from(["NoSchedule", "NoExecute"])), max_size=2
                )
            )
        ),
        allocatable={"cpu": str(draw(st.integers(0, 8))), "memory": f"{draw(st.integers(0, 16))}Gi"},
    )


@st.composite
def pods(draw: st.DrawFn) -> dict:
    def requirement() -> dict:
        op = draw(ops)
        return expr(
            draw(keys), op, *(draw(st.lists(vals, min_size=1, max_size=2)) if op in ("In", "NotIn") else [])
        )

    terms = draw(
        st.none() | st.lists(st.lists(st.builds(requirement), min_size=1, max_size=2), min_size=1, max_size=2)
    )
    return pod(
        {"cpu": str(draw(st.integers(0, 9))), "memory": f"{draw(st.integers(0, 17))}Gi"},
        selector=draw(st.dictionaries(keys, vals, max_size=1)),
        terms=terms,
        tolerations=draw(st.lists(st.builds(lambda k, v: tol(k, "Equal", v), keys, vals), max_size=2)),
    )


@settings(max_examples=40)
@given(
    st.lists(pools(), min_size=1, max_size=4, unique_by=lambda p: p.name),
    st.lists(pods(), min_size=1, max_size=6),
)
def test_planning_vectorized_fit_matches_reference(pool_list: list[NodePool], pod_list: list[dict]) -> None:
    cluster = Cluster(tuple(pool_list))
    reqs = [pod_requirements(p) for p in pod_list]
    result = fit(reqs, cluster)
    expected = np.zeros((len(reqs), len(pool_list)), dtype=bool)
    for i, r in enumerate(reqs):
        need = r.request_map
        for j, p in enumerate(pool_list):
            alloc = {
                "cpu": int(p.allocatable["cpu"]) * 1000,
                "memory": int(p.allocatable["memory"][:-2]) * 2**30,
            }
            res_ok = all(need.get(k, 0) <= alloc[k] for k in ("cpu", "memory"))
            expected[i, j] = (
                res_ok
                and selector_matches(r.node_selector, p)
                and affinity_matches(r.affinity_terms, p)
                and not untolerated_taints(r.tolerations, p)
            )
    assert (result.fits == expected).all()


@pytest.mark.parametrize("n", [0, 1])
def test_planning_empty_inputs(n: int) -> None:
    cluster = Cluster(tuple(NodePool(f"p{i}", allocatable={"cpu": "1"}) for i in range(n)))
    result = fit([], cluster)
    assert result.fits.shape == (0, n)


def test_planning_extended_resource_toleration_on_gke() -> None:
    gke = load_cluster(FIXTURES / "gke-nodes.json")
    eks = load_cluster(FIXTURES / "eks-nodes.json")
    assert gke.extended_resource_toleration and not eks.extended_resource_toleration
    # GKE's admission adds {nvidia.com/gpu Exists NoSchedule}: past the nvidia.com/gpu=present taint
    gpu = pod_requirements(pod({"cpu": "1"}, {"nvidia.com/gpu": "1"}))
    result = fit([gpu, pod_requirements(pod({"cpu": "1"}))], gke)
    assert result.fitting_pools(0) == ["a2-highgpu-1g", "a3-highgpu-8g"]  # not the spot-tainted L4
    assert result.fitting_pools(1) == ["e2-standard-8"]
    assert (
        "cloud.google.com/gke-spot=true:NoSchedule"
        in result.reasons(0, gke.names.index("g2-standard-8"))[0].detail
    )
    # the same pod on EKS stays blocked by the GPU taint
    assert fit([gpu], eks).fitting_pools(0) == []


def test_planning_pool_file_extended_resource_toleration() -> None:
    from podplan.planning.cluster import cluster_from_data

    doc = {
        "extended_resource_toleration": True,
        "pools": [
            {
                "name": "g",
                "taints": ["nvidia.com/gpu=present:NoSchedule"],
                "allocatable": {"cpu": "4"},
                "gpu": {"model": "T4"},
            }
        ],
    }
    cluster = cluster_from_data(doc)
    assert fit([pod_requirements(pod({"cpu": "1"}, {"nvidia.com/gpu": "1"}))], cluster).fitting_pools(0) == [
        "g"
    ]
    doc["extended_resource_toleration"] = False
    assert (
        fit(
            [pod_requirements(pod({"cpu": "1"}, {"nvidia.com/gpu": "1"}))], cluster_from_data(doc)
        ).fitting_pools(0)
        == []
    )
