"""Cluster loaders: ``kubectl get nodes -o json`` grouping and naming, the pool YAML and its schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from planning_testlib import FIXTURES

from podplan.errors import ClusterError
from podplan.planning.cluster import Taint, cluster_from_data, cluster_from_nodelist, load_cluster
from podplan.planning.poolfile import pool_file_schema


def nodelist(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_planning_eks_nodes_grouped_and_named() -> None:
    cluster = load_cluster(FIXTURES / "eks-nodes.json")
    assert cluster.names == [
        "m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-general]",
        "m5.2xlarge[eks.amazonaws.com/nodegroup=cpu-spot]",
        "p3.8xlarge",
        "g5.xlarge",
        "p4d.24xlarge",
    ]
    general, spot, v100, a10g, a100 = cluster.pools
    assert (general.count, spot.count, v100.count, a10g.count, a100.count) == (2, 2, 1, 2, 1)
    assert spot.is_spot and not general.is_spot
    assert spot.taints == (Taint("flyte.org/interruptible", "true", "NoSchedule"),)
    assert a100.mig_strategy == "single"
    assert a100.allocatable["nvidia.com/gpu"] == "56"
    # per-node labels are kept aside, not in the pool's labels
    assert "kubernetes.io/hostname" not in general.labels
    assert general.varying_labels["topology.kubernetes.io/zone"] == ("us-east-1a", "us-east-1b")
    assert general.labels["topology.kubernetes.io/region"] == "us-east-1"  # uniform: kept


def test_planning_gke_nodes_named_by_instance_type() -> None:
    cluster = load_cluster(FIXTURES / "gke-nodes.json")
    assert sorted(cluster.names) == ["a2-highgpu-1g", "a3-highgpu-8g", "e2-standard-8", "g2-standard-8"]
    assert cluster.pool("g2-standard-8").is_spot
    assert cluster.pool("e2-standard-8").count == 2
    assert cluster.label_values("cloud.google.com/gke-accelerator") == {
        "nvidia-tesla-a100",
        "nvidia-l4",
        "nvidia-h100-80gb",
    }


def test_planning_pool_label_names_pools() -> None:
    cluster = load_cluster(FIXTURES / "eks-nodes.json", pool_label="eks.amazonaws.com/nodegroup")
    assert cluster.names == ["cpu-general", "cpu-spot", "gpu-v100", "gpu-a10g", "gpu-a100-mig"]


def test_planning_pool_label_missing_falls_back_to_instance_type() -> None:
    cluster = load_cluster(FIXTURES / "gke-nodes.json", pool_label="no/such-label")
    assert "e2-standard-8" in cluster.names


def test_planning_allocatable_is_the_minimum_over_nodes() -> None:
    data = nodelist("gke-nodes.json")
    data["items"][1]["status"]["allocatable"]["memory"] = "29000000Ki"
    pool = cluster_from_nodelist(data).pool("e2-standard-8")
    assert pool.allocatable["memory"] == "29000000Ki"
    assert pool.count == 2


def test_planning_nodes_differing_only_in_taints_get_numbered() -> None:
    data = nodelist("gke-nodes.json")
    # a hand-added taint splits the group (a cordoned node does not: test_planning_cordoned.py)
    data["items"][1]["spec"]["taints"] = [{"key": "dedicated", "value": "ml", "effect": "NoSchedule"}]
    cluster = cluster_from_nodelist(data)
    names = [n for n in cluster.names if n.startswith("e2-standard-8")]
    assert names == ["e2-standard-8", "e2-standard-8#2"]
    tainted = cluster.pool("e2-standard-8#2")
    assert Taint("dedicated", "ml", "NoSchedule") in tainted.taints


def test_planning_nodes_without_instance_type() -> None:
    data = {
        "kind": "NodeList",
        "items": [{"metadata": {"name": "kind-worker"}, "status": {"allocatable": {"cpu": "4"}}}],
    }
    cluster = cluster_from_nodelist(data)
    assert cluster.names == ["nodes"]
    assert cluster.pools[0].node_names == ("kind-worker",)


def test_planning_single_node_object_is_accepted() -> None:
    node = nodelist("gke-nodes.json")["items"][0]
    assert cluster_from_data(node).names == ["e2-standard-8"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"kind": "NodeList", "items": "x"}, "items"),
        ({"kind": "NodeList", "items": [1]}, r"items\[0\]"),
        (
            {"kind": "NodeList", "items": [{"spec": {"taints": [{"key": "k", "effect": "Sometimes"}]}}]},
            r"items\[0\].spec.taints\[0\]: .*effect",
        ),
        ({"foo": 1}, "neither a NodeList"),
        ([1, 2], "expected a NodeList"),
    ],
)
def test_planning_bad_node_lists(doc: Any, message: str) -> None:
    with pytest.raises(ClusterError, match=message):
        cluster_from_data(doc, source="nodes.json")


def test_planning_pool_yaml_expansion() -> None:
    cluster = load_cluster(FIXTURES / "pools.yaml")
    assert cluster.names == ["cpu-ondemand", "cpu-spot", "a100-mixed", "h100-mig", "l4"]
    mixed = cluster.pool("a100-mixed")
    assert mixed.mig_strategy == "mixed"
    assert {k: v for k, v in mixed.allocatable.items() if k.startswith("nvidia.com")} == {
        "nvidia.com/mig-1g.5gb": "16",
        "nvidia.com/mig-2g.10gb": "8",
        "nvidia.com/mig-3g.20gb": "8",
    }
    assert mixed.labels["nvidia.com/mig.strategy"] == "mixed"
    assert mixed.labels["nvidia.com/mig-1g.5gb.count"] == "16"
    assert mixed.labels["k8s.amazonaws.com/accelerator"] == "nvidia-tesla-a100"
    single = cluster.pool("h100-mig")
    assert single.allocatable["nvidia.com/gpu"] == "56"  # 8 GPUs x 7 slices
    assert single.labels["nvidia.com/gpu.product"].endswith("-MIG-1g.10gb")
    assert single.labels["k8s.amazonaws.com/gpu-partition-size"] == "1g.10gb"
    l4 = cluster.pool("l4")
    assert (l4.count, l4.min_count, l4.max_count) == (0, 0, 10) and l4.schedulable
    assert cluster.pool("cpu-spot").is_spot
    assert cluster.pool("cpu-ondemand").price_per_hour == 0.768


def test_planning_pool_yaml_gke_scheme() -> None:
    doc = {
        "pools": [
            {
                "name": "a100",
                "gpu": {
                    "model": "A100",
                    "count": 1,
                    "labels": ["gke"],
                    "mig": {"strategy": "single", "profile": "1g.5gb"},
                },
            }
        ]
    }
    pool = cluster_from_data(doc).pool("a100")
    assert pool.labels == {
        "cloud.google.com/gke-accelerator": "nvidia-tesla-a100",
        "cloud.google.com/gke-accelerator-count": "1",
        "cloud.google.com/gke-gpu-partition-size": "1g.5gb",
    }
    assert pool.allocatable["nvidia.com/gpu"] == "7"


def test_planning_explicit_values_win_over_gpu_expansion() -> None:
    doc = {
        "pools": [
            {
                "name": "g",
                "labels": {"k8s.amazonaws.com/accelerator": "custom"},
                "allocatable": {"nvidia.com/gpu": 2},
                "gpu": {"model": "T4", "count": 4},
            }
        ]
    }
    pool = cluster_from_data(doc).pool("g")
    assert pool.labels["k8s.amazonaws.com/accelerator"] == "custom"
    assert pool.allocatable["nvidia.com/gpu"] == "2"


@pytest.mark.parametrize(
    ("pool", "message"),
    [
        ({"name": "x", "gpu": {"model": "Z9000"}}, "not in the GPU catalog"),
        (
            {"name": "x", "gpu": {"model": "T4", "mig": {"strategy": "single", "profile": "1g.5gb"}}},
            "does not support MIG",
        ),
        (
            {"name": "x", "gpu": {"model": "A100", "mig": {"strategy": "single", "profile": "1g.10gb+xx"}}},
            "not offered",
        ),
        (
            {
                "name": "x",
                "gpu": {
                    "model": "A100",
                    "mig": {"strategy": "single", "layout": {"1g.5gb": 1, "2g.10gb": 1}},
                },
            },
            "single",
        ),
        (
            {"name": "x", "gpu": {"model": "A100", "mig": {"strategy": "mixed", "layout": {"3g.20gb": 3}}}},
            "does not fit",
        ),
        ({"name": "x", "gpu": {"model": "A100", "mig": {"strategy": "mixed"}}}, "profile"),
        ({"name": "x", "allocatable": {"memory": "12GB"}}, "allocatable.memory"),
        ({"name": "x", "taints": ["oops"]}, "taints"),
        ({"name": "x", "autoscaling": {"min": 3, "max": 1}}, "autoscaling.min"),
        ({"name": "x", "colour": "blue"}, r"pools\[0\].colour"),
        ({"name": "x", "count": -1}, r"pools\[0\].count"),
    ],
)
def test_planning_pool_yaml_errors(pool: dict[str, Any], message: str) -> None:
    with pytest.raises(ClusterError, match=message):
        cluster_from_data({"pools": [pool]}, source="pools.yaml")


def test_planning_duplicate_pool_names() -> None:
    with pytest.raises(ClusterError, match="used twice"):
        cluster_from_data({"pools": [{"name": "a"}, {"name": "a"}]})


def test_planning_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    bad = tmp_path / "pools.yaml"
    bad.write_text("pools:\n  - name: a\n    labels: {x: [\n")
    with pytest.raises(ClusterError, match=r"pools.yaml:\d+:\d+: invalid YAML"):
        load_cluster(bad)


def test_planning_missing_file() -> None:
    with pytest.raises(ClusterError, match="cannot read"):
        load_cluster("/nonexistent/pools.yaml")


def test_planning_pool_schema_validates_fixture() -> None:
    schema = pool_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = yaml.safe_load((FIXTURES / "pools.yaml").read_text())
    jsonschema.validate(doc, schema)
    bad = copy.deepcopy(doc)
    bad["pools"][0]["unknown"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = copy.deepcopy(doc)
    bad["pools"][2]["gpu"]["mig"]["strategy"] = "none"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
