# ruff: noqa: E501  (case ids are the Go test names, kept whole)
"""flyteplugins v1.16.8 Go tests of scheduling, accelerators, shared memory and env, as table tests.

Source: ``flyteplugins/go/tasks/pluginmachinery/flytek8s/pod_helper_test.go`` and
``k8s_resource_adds_test.go``. Each case id names the Go test (and subtest) it restates; inputs are
expressed through a flyteidl TaskTemplate (+ node overrides) and ``Platform.for_go_tests``.
Deterministic choices where Go's order is unspecified (resource tolerations, map-valued env
groups) are compared as sets, as the Go tests do.
"""

from __future__ import annotations

from typing import Any

import pytest

from podplan.errors import PodBuildError
from podplan.podspec.platform import Platform

TESTDATA: dict[str, Any] = {
    "scheduler-name": "flyte-scheduler",
    "default-cpus": "1024m",
    "default-memory": "1024Mi",
    "default-annotations": {"annotationKey1": "annotationValue1", "annotationKey2": "annotationValue2"},
    "default-labels": {"label1": "labelValue1", "label2": "labelValue2"},
    "resource-tolerations": {
        "nvidia.com/gpu": [
            {"key": "flyte/gpu", "value": "dedicated", "operator": "Equal", "effect": "NoSchedule"}
        ],
        "storage": [
            {"key": "storage", "value": "special", "operator": "Equal", "effect": "PreferNoSchedule"}
        ],
    },
    "interruptible-node-selector": {"x/interruptible": "true"},
    "interruptible-tolerations": [
        {"key": "x/flyte", "value": "interruptible", "operator": "Equal", "effect": "NoSchedule"}
    ],
    "interruptible-node-selector-requirement": {
        "key": "x/interruptible",
        "operator": "In",
        "values": ["true"],
    },
    "non-interruptible-node-selector-requirement": {"key": "x/interruptible", "operator": "DoesNotExist"},
    "default-env-vars": {"AWS_METADATA_SERVICE_TIMEOUT": "5", "FLYTE_AWS_ACCESS_KEY_ID": "minio"},
    "default-node-selector": {"user": "default"},
    "default-pod-security-context": {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000},
    "default-security-context": {"allowPrivilegeEscalation": False},
}

GPU_LABELS = {
    "gpu-resource-name": "nvidia.com/gpu",
    "gpu-device-node-label": "gpu-device",
    "gpu-partition-size-node-label": "gpu-partition-size",
}

TOL_GPU = {"key": "flyte/gpu", "value": "dedicated", "operator": "Equal", "effect": "NoSchedule"}
TOL_EPH = {"key": "ephemeral-storage", "value": "dedicated", "operator": "Exists", "effect": "NoSchedule"}


def zero(k8s: dict[str, Any] | None = None, **sections: Any) -> Platform:
    return Platform.for_go_tests(k8s or {}, base="zero", **sections)


def td(**sections: Any) -> Platform:
    return Platform.for_go_tests(TESTDATA, base="defaults", **sections)


def one(name: str = "primary", **fields: Any) -> dict[str, Any]:
    return {"containers": [{"name": name, "image": "img", **fields}]}


def gpu_limit_task(pb: Any, accel: Any = None) -> Any:
    return pb.pod_task(one(resources={"limits": {"nvidia.com/gpu": "1"}}), accel=accel)


# -- TestAddRequiredNodeSelectorRequirements ------------------------------------------------------

NEW = {"key": "new", "operator": "In", "values": ["new"]}


def test_add_required_requirements_with_empty_node_affinity(pb) -> None:
    """TestAddRequiredNodeSelectorRequirements/with empty node affinity: one new term."""
    pod = pb.build(pb.pod_task(one()), zero({"non-interruptible-node-selector-requirement": NEW}))
    assert pb.required_terms(pod) == [[NEW]]


def test_add_required_requirements_with_existing_node_affinity(pb) -> None:
    """…/with existing node affinity: appended to the existing term; preferred terms untouched."""
    required = {"key": "required", "operator": "In", "values": ["required"]}
    preferred = [
        {
            "weight": 1,
            "preference": {
                "matchExpressions": [{"key": "preferred", "operator": "In", "values": ["preferred"]}]
            },
        }
    ]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [required]}]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": preferred,
        }
    }
    pod = pb.build(
        pb.pod_task({**one(), "affinity": affinity}),
        zero({"non-interruptible-node-selector-requirement": NEW}),
    )
    assert pb.required_terms(pod) == [[required, NEW]]
    assert (
        pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        == preferred
    )


def test_add_required_requirements_to_every_or_term(pb) -> None:
    """The requirement is AND-ed into every OR-ed term (AddRequiredNodeSelectorRequirements)."""
    terms = [
        {"matchExpressions": [{"key": "a", "operator": "Exists"}]},
        {"matchExpressions": [{"key": "b", "operator": "Exists"}]},
    ]
    affinity = {
        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}
    }
    pod = pb.build(
        pb.pod_task({**one(), "affinity": affinity}),
        zero({"non-interruptible-node-selector-requirement": NEW}),
    )
    assert [[e["key"] for e in t] for t in pb.required_terms(pod)] == [["a", "new"], ["b", "new"]]


# -- TestApplyInterruptibleNodeAffinity (testdata config) -----------------------------------------

INTERRUPTIBLE_REQ = {"key": "x/interruptible", "operator": "In", "values": ["true"]}
NON_INTERRUPTIBLE_REQ = {"key": "x/interruptible", "operator": "DoesNotExist"}
EXISTING = {"key": "node selector requirement", "operator": "In", "values": ["exists"]}


@pytest.mark.parametrize(
    ("case", "interruptible", "existing", "expected"),
    [
        (
            "TestApplyInterruptibleNodeAffinity/WithInterruptibleNodeSelectorRequirement",
            True,
            None,
            [[INTERRUPTIBLE_REQ]],
        ),
        (
            "TestApplyInterruptibleNodeAffinity/WithNonInterruptibleNodeSelectorRequirement",
            False,
            None,
            [[NON_INTERRUPTIBLE_REQ]],
        ),
        (
            "TestApplyInterruptibleNodeAffinity/WithExistingAffinityWithInterruptibleNodeSelectorRequirement",
            True,
            EXISTING,
            [[EXISTING, INTERRUPTIBLE_REQ]],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_apply_interruptible_node_affinity(pb, case, interruptible, existing, expected) -> None:
    s = one()
    if existing:
        s["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [existing]}]
                }
            }
        }
    pod = pb.build(pb.pod_task(s), td(), interruptible=interruptible)
    assert pb.required_terms(pod) == expected, case


def test_interruptible_flag_from_task_metadata_and_label(pb) -> None:
    """The interruptible label and selectors follow the resolved flag (node > task metadata)."""
    pod = pb.build(pb.container_task(interruptible=True), td())
    assert pod["metadata"]["labels"]["interruptible"] == "true"
    assert pod["spec"]["nodeSelector"]["x/interruptible"] == "true"
    pod = pb.build(pb.container_task(interruptible=True), td(), interruptible=False)
    assert pod["metadata"]["labels"]["interruptible"] == "false"
    assert "x/interruptible" not in pod["spec"]["nodeSelector"]
    assert pb.required_terms(pod) == [[NON_INTERRUPTIBLE_REQ]]


# -- TestApplyExtendedResourcesOverrides / TestApplyGPUNodeSelectors ---------------------------------


def test_apply_extended_resources_overrides(pb) -> None:
    """TestApplyExtendedResourcesOverrides: the node override's accelerator replaces the task's wholesale."""
    t4 = pb.accelerator("nvidia-tesla-t4")
    a100_part = pb.accelerator("nvidia-tesla-a100", partition="1g.5gb")
    a100_unpart = pb.accelerator("nvidia-tesla-a100", unpartitioned=True)
    plat = zero(GPU_LABELS)
    # base and overrides are nil: no accelerator rule at all
    assert pb.required_terms(pb.build(gpu_limit_task(pb), plat)) == []
    # base is nil
    pod = pb.build(gpu_limit_task(pb), plat, overrides=pb.overrides(accel=t4))
    assert pb.required_terms(pod) == [
        [{"key": "gpu-device", "operator": "In", "values": ["nvidia-tesla-t4"]}]
    ]
    # overrides is nil
    pod = pb.build(gpu_limit_task(pb, t4), plat)
    assert pb.required_terms(pod) == [
        [{"key": "gpu-device", "operator": "In", "values": ["nvidia-tesla-t4"]}]
    ]
    # merging: unpartitioned override wins over the partitioned task accelerator
    pod = pb.build(gpu_limit_task(pb, a100_part), plat, overrides=pb.overrides(accel=a100_unpart))
    assert pb.required_terms(pod) == [
        [
            {"key": "gpu-device", "operator": "In", "values": ["nvidia-tesla-a100"]},
            {"key": "gpu-partition-size", "operator": "DoesNotExist"},
        ]
    ]


def _dev(device: str, key: str = "gpu-device") -> tuple[dict, dict]:
    return (
        {"key": key, "operator": "In", "values": [device]},
        {"key": key, "value": device, "operator": "Equal", "effect": "NoSchedule"},
    )


A100_REQ, A100_TOL = _dev("nvidia-tesla-a100")
PART_REQ = {"key": "gpu-partition-size", "operator": "In", "values": ["1g.5gb"]}
PART_TOL = {"key": "gpu-partition-size", "value": "1g.5gb", "operator": "Equal", "effect": "NoSchedule"}
UNPART_REQ = {"key": "gpu-unpartitioned", "operator": "In", "values": ["true"]}
UNPART_TOL = {"key": "gpu-unpartitioned", "value": "true", "operator": "Equal", "effect": "NoSchedule"}

GPU_SELECTORS = [
    ("TestApplyGPUNodeSelectors/with gpu device spec only", {}, None, None, [[A100_REQ]], [A100_TOL]),
    (
        "TestApplyGPUNodeSelectors/with gpu device and partition size spec",
        {},
        "1g.5gb",
        None,
        [[A100_REQ, PART_REQ]],
        [A100_TOL, PART_TOL],
    ),
    (
        "TestApplyGPUNodeSelectors/with unpartitioned gpu device spec",
        {},
        None,
        True,
        [[A100_REQ, {"key": "gpu-partition-size", "operator": "DoesNotExist"}]],
        [A100_TOL],
    ),
    (
        "TestApplyGPUNodeSelectors/with unpartitioned gpu device spec with custom node selector and toleration",
        {
            "gpu-unpartitioned-node-selector-requirement": UNPART_REQ,
            "gpu-unpartitioned-toleration": UNPART_TOL,
        },
        None,
        True,
        [[A100_REQ, UNPART_REQ]],
        [A100_TOL, UNPART_TOL],
    ),
    ("unpartitioned: false adds nothing for the partition", {}, None, False, [[A100_REQ]], [A100_TOL]),
]


@pytest.mark.parametrize(
    ("case", "extra", "partition", "unpartitioned", "terms", "tolerations"),
    GPU_SELECTORS,
    ids=[c[0] for c in GPU_SELECTORS],
)
def test_apply_gpu_node_selectors(pb, case, extra, partition, unpartitioned, terms, tolerations) -> None:
    accel = pb.accelerator("nvidia-tesla-a100", partition=partition, unpartitioned=unpartitioned)
    pod = pb.build(gpu_limit_task(pb, accel), zero({**GPU_LABELS, **extra}))
    assert pb.required_terms(pod) == terms, case
    assert pod["spec"]["tolerations"] == tolerations, case


def test_apply_gpu_node_selectors_without_gpu_resource(pb) -> None:
    """TestApplyGPUNodeSelectors/without gpu resource: no GPU limit, the accelerator is ignored."""
    pod = pb.build(pb.pod_task(one(), accel=pb.accelerator("nvidia-tesla-a100")), zero(GPU_LABELS))
    assert pod["spec"].get("affinity", {}) == {}
    assert not pod["spec"].get("tolerations")


def test_gpu_node_selectors_key_presence_in_limits(pb) -> None:
    """The rule looks for the *presence* of a gpu-resource-name limit in any regular container.

    A sidecar with only a GPU request gets an explicit ``"0"`` limit (ensure-in-range mode writes
    the key), which is enough to trigger the accelerator rule (derived from the Go code).
    """
    accel = pb.accelerator("nvidia-tesla-a100")
    s = {
        "containers": [
            {"name": "primary", "image": "i"},
            {"name": "s", "image": "i", "resources": {"requests": {"nvidia.com/gpu": "1"}}},
        ]
    }
    pod = pb.build(pb.pod_task(s, accel=accel), zero(GPU_LABELS))
    assert pb.resources(pod, "s")[1]["nvidia.com/gpu"] == "0"
    assert pb.required_terms(pod) == [[A100_REQ]]
    # a limit on another name than gpu-resource-name does not count
    s = one(resources={"limits": {"nvidia.com/gpu": "1"}})
    pod = pb.build(pb.pod_task(s, accel=accel), zero({**GPU_LABELS, "gpu-resource-name": "amd.com/gpu"}))
    assert pb.required_terms(pod) == []
    s = one(resources={"limits": {"amd.com/gpu": "1"}})
    pod = pb.build(pb.pod_task(s, accel=accel), zero({**GPU_LABELS, "gpu-resource-name": "amd.com/gpu"}))
    assert pb.required_terms(pod) == [[A100_REQ]]


def test_gpu_selectors_appended_after_interruptible_term(pb) -> None:
    """With an interruptible requirement, GPU expressions join the same term after it."""
    accel = pb.accelerator("nvidia-tesla-a100", partition="1g.5gb")
    cfg = {**GPU_LABELS, "interruptible-node-selector-requirement": INTERRUPTIBLE_REQ}
    pod = pb.build(gpu_limit_task(pb, accel), zero(cfg), interruptible=True)
    assert pb.required_terms(pod) == [[INTERRUPTIBLE_REQ, A100_REQ, PART_REQ]]


@pytest.mark.parametrize(
    ("case", "override_accel", "terms", "tolerations"),
    [
        (
            "TestToK8sPodExtendedResources/without overrides",
            None,
            [[_dev("nvidia-tesla-t4", "gpu-node-label")[0]]],
            [_dev("nvidia-tesla-t4", "gpu-node-label")[1]],
        ),
        (
            "TestToK8sPodExtendedResources/with overrides",
            ("nvidia-tesla-a100", "1g.5gb"),
            [[_dev("nvidia-tesla-a100", "gpu-node-label")[0], PART_REQ]],
            [_dev("nvidia-tesla-a100", "gpu-node-label")[1], PART_TOL],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_to_k8s_pod_extended_resources(pb, case, override_accel, terms, tolerations) -> None:
    """Container task + override GPU limit 1; task accelerator t4; optional override accelerator."""
    cfg = {
        "gpu-device-node-label": "gpu-node-label",
        "gpu-partition-size-node-label": "gpu-partition-size",
        "gpu-resource-name": "nvidia.com/gpu",
    }
    task = pb.container_task(accel=pb.accelerator("nvidia-tesla-t4"))
    accel = pb.accelerator(override_accel[0], partition=override_accel[1]) if override_accel else None
    pod = pb.build(task, zero(cfg), overrides=pb.overrides(limits={"gpu": "1"}, accel=accel))
    assert pb.required_terms(pod) == terms, case
    assert pod["spec"]["tolerations"] == tolerations, case


# -- UpdatePod / TestToK8sPod ----------------------------------------------------------------------


def test_update_pod_testdata(pb) -> None:
    """TestPodSetup/UpdatePod: restart policy, SA, scheduler, 2 tolerations, merged selector, one term."""
    s = one()
    s["tolerations"] = [{"key": "my toleration key", "value": "my toleration value"}]
    s["nodeSelector"] = {"user": "also configured"}
    plat = td(execution={"service_account": "service-account"})
    o = pb.overrides(
        {"cpu": "1024m", "ephemeral_storage": "100M"}, {"cpu": "1024m", "ephemeral_storage": "100M"}
    )
    pod = pb.build(pb.pod_task(s), plat, overrides=o, interruptible=True)
    sp = pod["spec"]
    assert sp["restartPolicy"] == "Never"
    assert sp["serviceAccountName"] == "service-account"
    assert sp["schedulerName"] == "flyte-scheduler"
    keys = sorted(t["key"] for t in sp["tolerations"])
    assert keys == ["my toleration key", "x/flyte"]
    assert sp["nodeSelector"] == {"x/interruptible": "true", "user": "also configured"}
    assert pb.required_terms(pod) == [[INTERRUPTIBLE_REQ]]


def test_to_k8s_pod_interruptible(pb) -> None:
    """TestPodSetup/ToK8sPodInterruptible: GPU resource toleration first, then the interruptible one."""
    o = pb.overrides(
        {"cpu": "1024m", "ephemeral_storage": "100M"},
        {"cpu": "1024m", "ephemeral_storage": "100M", "gpu": "1"},
    )
    pod = pb.build(pb.container_task(), td(), overrides=o, interruptible=True)
    tols = pod["spec"]["tolerations"]
    assert len(tols) == 2
    assert (tols[1]["key"], tols[1]["value"]) == ("x/flyte", "interruptible")
    assert len(pod["spec"]["nodeSelector"]) == 2 and pod["spec"]["nodeSelector"]["x/interruptible"] == "true"
    assert pb.required_terms(pod) == [[INTERRUPTIBLE_REQ]]


TOK8S_CFG = {
    "resource-tolerations": {"ephemeral-storage": [TOL_EPH], "nvidia.com/gpu": [TOL_GPU]},
    "default-cpus": "1024m",
    "default-memory": "1024Mi",
}


@pytest.mark.parametrize(
    ("case", "gpu", "expected"),
    [("TestToK8sPod/WithGPU", True, [TOL_EPH, TOL_GPU]), ("TestToK8sPod/NoGPU", False, [TOL_EPH])],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_to_k8s_pod_resource_tolerations(pb, case, gpu, expected) -> None:
    lim = {"cpu": "1024m", "ephemeral_storage": "100M", **({"gpu": "1"} if gpu else {})}
    o = pb.overrides({"cpu": "1024m", "ephemeral_storage": "100M"}, lim)
    pod = pb.build(pb.container_task(), zero(TOK8S_CFG), overrides=o, interruptible=True)
    tols = pod["spec"]["tolerations"]
    assert len(tols) == len(expected) and all(t in tols for t in expected), case
    # NoGPU also asserts the container is named after the generated name
    assert pb.container(pod)["name"] == pod["metadata"]["name"]


@pytest.mark.parametrize(
    ("case", "cfg", "check"),
    [
        (
            "TestToK8sPod/default-pod-sec-ctx",
            {"default-pod-security-context": {"runAsGroup": 1000}},
            lambda s: s["securityContext"]["runAsGroup"] == 1000,
        ),
        (
            "TestToK8sPod/enableHostNetwork",
            {"enable-host-networking-pod": True},
            lambda s: s["hostNetwork"] is True,
        ),
        (
            "TestToK8sPod/explicitDisableHostNetwork",
            {"enable-host-networking-pod": False},
            lambda s: s["hostNetwork"] is False,
        ),
        ("TestToK8sPod/skipSettingHostNetwork", {}, lambda s: not s.get("hostNetwork")),
        (
            "TestToK8sPod/Default toleration, selector, scheduler",
            {"default-node-selector": {"nodeId": "123"}, "scheduler-name": "myScheduler"},
            lambda s: (
                s["nodeSelector"] == {"nodeId": "123"}
                and s["schedulerName"] == "myScheduler"
                and "securityContext" not in s
            ),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_to_k8s_pod_pod_level_config(pb, case, cfg, check) -> None:
    pod = pb.build(pb.container_task(), zero(cfg))
    assert check(pod["spec"]), case


def test_to_k8s_pod_default_pod_dns_config(pb) -> None:
    """TestToK8sPod/default-pod-dns-config: copied as configured, option order kept."""
    dns = {
        "nameservers": ["8.8.8.8", "8.8.4.4"],
        "options": [
            {"name": "ndots", "value": "1"},
            {"name": "single-request-reopen"},
            {"name": "timeout", "value": "1"},
            {"name": "attempts", "value": "3"},
        ],
        "searches": ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
    }
    pod = pb.build(pb.container_task(), zero({"default-pod-dns-config": dns}))
    assert pod["spec"]["dnsConfig"] == dns
    # a pod that sets its own dnsConfig keeps it
    own = {"nameservers": ["1.1.1.1"]}
    pod = pb.build(pb.pod_task({**one(), "dnsConfig": own}), zero({"default-pod-dns-config": dns}))
    assert pod["spec"]["dnsConfig"] == own


def test_to_k8s_pod_environment_variables_unique(pb) -> None:
    """TestToK8sPod/environmentVariables: default-env-vars adds no duplicate names."""
    pod = pb.build(pb.container_task(), zero({"default-env-vars": {"foo": "bar"}}))
    for c in pod["spec"]["containers"]:
        names = [e["name"] for e in c["env"]]
        assert len(names) == len(set(names))
        assert {"name": "foo", "value": "bar"} in c["env"]


def test_image_pull_policy_applies_to_container_targets(pb) -> None:
    """Config image-pull-policy reaches container-target tasks."""
    for policy in ("Always", "IfNotPresent", "Never"):
        pod = pb.build(pb.container_task(), zero({"image-pull-policy": policy}))
        assert pb.container(pod)["imagePullPolicy"] == policy
    assert "imagePullPolicy" not in pb.container(pb.build(pb.container_task(), zero()))


# -- TestGetTolerationsForResources (k8s_resource_adds_test.go) ------------------------------------

BOTH = {"ephemeral-storage": [TOL_EPH], "nvidia.com/gpu": [TOL_GPU]}
TOLERATIONS = [
    (
        "TestGetTolerationsForResources/no-tolerations-limits",
        None,
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        {},
        [],
        [],
    ),
    (
        "TestGetTolerationsForResources/no-tolerations-req",
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        None,
        {},
        [],
        [],
    ),
    (
        "TestGetTolerationsForResources/no-tolerations-both",
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        {},
        [],
        [],
    ),
    (
        "TestGetTolerationsForResources/tolerations-limits",
        None,
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        BOTH,
        [],
        [TOL_EPH],
    ),
    (
        "TestGetTolerationsForResources/tolerations-req",
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        None,
        BOTH,
        [],
        [TOL_EPH],
    ),
    (
        "TestGetTolerationsForResources/tolerations-both",
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        BOTH,
        [],
        [TOL_EPH],
    ),
    (
        "TestGetTolerationsForResources/gpu limit",
        {"cpu": "1024m", "ephemeral-storage": "100M"},
        {"cpu": "1024m", "ephemeral-storage": "100M", "nvidia.com/gpu": "1"},
        BOTH,
        [],
        [TOL_EPH, TOL_GPU],
    ),
    ("TestGetTolerationsForResources/default-tolerations", None, None, {}, [TOL_EPH], [TOL_EPH]),
]


@pytest.mark.parametrize(
    ("case", "requests", "limits", "resource_tols", "default_tols", "expected"),
    TOLERATIONS,
    ids=[c[0] for c in TOLERATIONS],
)
def test_get_tolerations_for_resources(
    pb, case, requests, limits, resource_tols, default_tols, expected
) -> None:
    res: dict[str, Any] = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    cfg = {
        "resource-tolerations": resource_tols,
        "default-tolerations": default_tols,
        "gpu-resource-name": "nvidia.com/gpu",
    }
    pod = pb.build(pb.pod_task(one(resources=res)), zero(cfg, platform_resources={}), interruptible=True)
    tols = pod["spec"].get("tolerations") or []
    assert len(tols) == len(expected) and all(t in tols for t in expected), case


def test_resource_tolerations_include_zero_valued_entries(pb) -> None:
    """Resource names are collected from every regular container, zero entries included."""
    cfg = {"resource-tolerations": {"memory": [TOL_EPH]}}
    pod = pb.build(pb.pod_task(one()), zero(cfg, platform_resources={}))
    assert pod["spec"]["tolerations"] == [TOL_EPH]  # memory: "0" is still a key


def test_add_tolerations_for_extended_resources_has_no_effect_on_pod_tasks(pb) -> None:
    """TestAddTolerationsForExtendedResources runs only for ToK8sPodSpec plugins, never the pod plugin."""
    cfg = {
        "add-tolerations-for-extended-resources": ["nvidia.com/gpu", "foo/bar"],
        "gpu-resource-name": "nvidia.com/gpu",
    }
    s = one(
        resources={
            "requests": {"nvidia.com/gpu": "1", "foo/bar": "1"},
            "limits": {"nvidia.com/gpu": "1", "foo/bar": "1"},
        }
    )
    s["tolerations"] = [{"key": "foo", "operator": "Exists", "effect": "NoSchedule"}]
    pod = pb.build(pb.pod_task(s), zero(cfg, platform_resources={}))
    assert [t["key"] for t in pod["spec"]["tolerations"]] == ["foo"]


# -- shared memory (TestApplySharedMemory*, TestApplyExtendedResourcesOverridesSharedMemory) ----------


def test_apply_shared_memory_no_size_limit(pb) -> None:
    """TestApplySharedMemory/No size limit works: sizeLimit "0", mounted in the primary only."""
    s = {"containers": [{"name": "primary", "image": "i"}, {"name": "side", "image": "i"}]}
    pod = pb.build(pb.pod_task(s, shm=pb.shared_memory()), zero())
    assert pod["spec"]["volumes"] == [
        {"name": "flyte-shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "0"}}
    ]
    assert pb.container(pod, "primary")["volumeMounts"] == [
        {"name": "flyte-shared-memory", "mountPath": "/dev/shm"}
    ]
    assert "volumeMounts" not in pb.container(pod, "side")


def test_apply_shared_memory_with_size_limit(pb) -> None:
    """…/With size limit works: the size is the canonical quantity; memory resources untouched."""
    pod = pb.build(pb.pod_task(one(), shm=pb.shared_memory("2048Mi")), zero(platform_resources={}))
    assert pod["spec"]["volumes"][0]["emptyDir"] == {"medium": "Memory", "sizeLimit": "2Gi"}
    assert pb.resources(pod)[1]["memory"] == "0"


SHM_ERRORS = [
    ("TestApplySharedMemoryErrors/No mount name", one(), {"name": ""}, "mount name is not set"),
    ("TestApplySharedMemoryErrors/No mount path name", one(), {"path": ""}, "mount path is not set"),
    (
        "TestApplySharedMemoryErrors/Volume already exists in spec",
        {**one(), "volumes": [{"name": "flyte-shared-memory", "emptyDir": {}}]},
        {},
        "A volume is already named flyte-shared-memory in pod spec",
    ),
    (
        "TestApplySharedMemoryErrors/Volume already in container",
        one(volumeMounts=[{"name": "flyte-shared-memory", "mountPath": "/dev/shm"}]),
        {},
        "A volume is already named flyte-shared-memory in container",
    ),
    (
        "TestApplySharedMemoryErrors/Mount path already in container",
        one(volumeMounts=[{"name": "flyte-shared-memory-v2", "mountPath": "/dev/shm"}]),
        {},
        "/dev/shm is already mounted in container",
    ),
    ("TestApplySharedMemoryErrors/bad size limit", one(), {"size": "bad-name"}, "Unable to parse size limit"),
]


@pytest.mark.parametrize(("case", "pod_spec", "shm", "message"), SHM_ERRORS, ids=[c[0] for c in SHM_ERRORS])
def test_apply_shared_memory_errors(pb, case, pod_spec, shm, message) -> None:
    with pytest.raises(PodBuildError, match=message):
        pb.build(pb.pod_task(pod_spec, shm=pb.shared_memory(**shm)), zero())


@pytest.mark.parametrize(
    ("case", "task_name", "override_name", "expected"),
    [
        (
            "TestApplyExtendedResourcesOverridesSharedMemory/base is nil",
            None,
            "flyte-shared-memory",
            "flyte-shared-memory",
        ),
        (
            "TestApplyExtendedResourcesOverridesSharedMemory/overrides is nil",
            "flyte-shared-memory",
            None,
            "flyte-shared-memory",
        ),
        (
            "TestApplyExtendedResourcesOverridesSharedMemory/merging",
            "flyte-shared-memory",
            "flyte-shared-memory-v2",
            "flyte-shared-memory-v2",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_apply_extended_resources_overrides_shared_memory(
    pb, case, task_name, override_name, expected
) -> None:
    task = pb.pod_task(one(), shm=pb.shared_memory(name=task_name) if task_name else None)
    o = pb.overrides(shm=pb.shared_memory(name=override_name)) if override_name else None
    pod = pb.build(task, zero(), overrides=o)
    assert [v["name"] for v in pod["spec"]["volumes"]] == [expected], case


# -- TestDecorateEnvVars / TestGetExecutionEnvVars (k8s_resource_adds_test.go) ---------------------

FLYTE_VARS = [
    "FLYTE_INTERNAL_EXECUTION_WORKFLOW",
    "FLYTE_INTERNAL_EXECUTION_ID",
    "FLYTE_INTERNAL_EXECUTION_PROJECT",
    "FLYTE_INTERNAL_EXECUTION_DOMAIN",
    "FLYTE_ATTEMPT_NUMBER",
    "FLYTE_INTERNAL_TASK_PROJECT",
    "FLYTE_INTERNAL_TASK_DOMAIN",
    "FLYTE_INTERNAL_TASK_NAME",
    "FLYTE_INTERNAL_TASK_VERSION",
]


@pytest.mark.parametrize(
    ("case", "k8s", "execution", "extra"),
    [
        ("TestDecorateEnvVars/no-additional", {}, {}, []),
        ("TestDecorateEnvVars/with-additional", {"default-env-vars": {"k": "v"}}, {}, [("k", "v")]),
        (
            "TestDecorateEnvVars/from-env",
            {"default-env-vars-from-env": {"k": "value"}},
            {"environment_from_env": {"value": "v"}},
            [("k", "v")],
        ),
        ("TestDecorateEnvVars/from-execution-metadata", {}, {"envs": {"k": "v"}}, [("k", "v")]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_decorate_env_vars(pb, case, k8s, execution, extra) -> None:
    pod = pb.build(pb.pod_task(one(env=[{"name": "x", "value": "y"}])), zero(k8s, execution=execution))
    env = [(e["name"], e.get("value")) for e in pb.container(pod)["env"]]
    assert env[0] == ("x", "y"), case
    assert [n for n, _ in env[1:10]] == FLYTE_VARS, case
    assert env[10:] == extra, case


def test_decorate_env_vars_group_order(pb) -> None:
    """Execution envs, then default-env-vars, then default-env-vars-from-env; no de-duplication."""
    plat = zero(
        {"default-env-vars": {"b": "2", "a": "1"}, "default-env-vars-from-env": {"c": "SRC"}},
        execution={"envs": {"z": "9", "a": "0"}, "environment_from_env": {"SRC": "3"}},
    )
    env = [(e["name"], e["value"]) for e in pb.container(pb.build(pb.container_task(), plat))["env"]][9:]
    assert env == [("a", "0"), ("z", "9"), ("a", "1"), ("b", "2"), ("c", "3")]


def test_env_from_secrets_then_configmaps(pb) -> None:
    """default-env-from-secrets come before default-env-from-configmaps, all optional."""
    cfg = {"default-env-from-configmaps": ["cm1"], "default-env-from-secrets": ["s1", "s2"]}
    s = one(envFrom=[{"configMapRef": {"name": "own"}}])
    c = pb.container(pb.build(pb.pod_task(s), zero(cfg)))
    assert c["envFrom"] == [
        {"configMapRef": {"name": "own"}},
        {"secretRef": {"name": "s1", "optional": True}},
        {"secretRef": {"name": "s2", "optional": True}},
        {"configMapRef": {"name": "cm1", "optional": True}},
    ]


@pytest.mark.parametrize(
    ("case", "console_url", "link_type", "expected"),
    [
        (
            "TestAddFlyteCustomizationsToContainer_SetConsoleUrl/do not include console url and console url is not set",
            "",
            False,
            None,
        ),
        (
            "TestAddFlyteCustomizationsToContainer_SetConsoleUrl/include console url but console url is not set",
            "",
            True,
            None,
        ),
        (
            "TestAddFlyteCustomizationsToContainer_SetConsoleUrl/do not include console url but console url is set",
            "gopher://flyte:65535/console",
            False,
            None,
        ),
        (
            "TestAddFlyteCustomizationsToContainer_SetConsoleUrl/include console url and console url is set",
            "gopher://flyte:65535/console",
            True,
            "gopher://flyte:65535/console/projects/p2/domains/d2/executions/n2/nodeId/unique_node_id/nodes",
        ),
        (
            "TestGetExecutionEnvVars/with-console-url-ending-in-multiple-slashes",
            "scheme://host/path////",
            True,
            "scheme://host/path/projects/p2/domains/d2/executions/n2/nodeId/unique_node_id/nodes",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_console_url_env(pb, case, console_url, link_type, expected) -> None:
    ex = {
        "project": "p2",
        "domain": "d2",
        "name": "n2",
        "node_id": "unique_node_id",
        "console_url": console_url,
    }
    task = pb.container_task(config={"link_type": "vscode"} if link_type else None)
    env = {e["name"]: e["value"] for e in pb.container(pb.build(task, zero(execution=ex)))["env"]}
    assert env.get("FLYTE_EXECUTION_URL") == expected, case
    if expected:
        names = [e["name"] for e in pb.container(pb.build(task, zero(execution=ex)))["env"]]
        assert names.index("FLYTE_EXECUTION_URL") == names.index("FLYTE_ATTEMPT_NUMBER") + 1


def test_literal_offloading_env(pb) -> None:
    """TestDecorateEnvVars/no-additional-offloading-enabled: _F_L_MIN/MAX after the Flyte vars."""
    prop = {
        "literal-offloading-config": {
            "enabled": True,
            "min-size-in-mb-for-offloading": 1,
            "max-size-in-mb-for-offloading": 42,
        }
    }
    pod = pb.build(pb.pod_task(one(env=[{"name": "x", "value": "y"}])), zero(propeller=prop))
    env = [(e["name"], e["value"]) for e in pb.container(pod)["env"]]
    assert env[0] == ("x", "y")
    assert env[-2:] == [("_F_L_MIN_SIZE_MB", "1"), ("_F_L_MAX_SIZE_MB", "42")]
