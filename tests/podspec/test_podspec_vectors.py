"""The backend spec's §8 vectors (flyteplugins v1.16.8 Go tests), reproduced through Platform + build.

Each test names its vector number and Go test. Go unit tests that replace the whole config start
from zero values (``Platform.for_go_tests(base="zero")``); ``testdata`` vectors use the Go repo's
``flytek8s/testdata/config.yaml`` (reproduced in ``TESTDATA``).
"""

from __future__ import annotations

import pytest

from podplan.errors import PodBuildError
from podplan.podspec.platform import Platform

TESTDATA = {
    "scheduler-name": "flyte-scheduler",
    "default-cpus": "1024m",
    "default-memory": "1024Mi",
    "default-annotations": [{"annotationKey1": "annotationValue1"}, {"annotationKey2": "annotationValue2"}],
    "default-labels": [{"label1": "labelValue1"}, {"label2": "labelValue2"}],
    "resource-tolerations": {
        "nvidia.com/gpu": {
            "key": "flyte/gpu",
            "value": "dedicated",
            "operator": "Equal",
            "effect": "NoSchedule",
        },
        "storage": [
            {"key": "storage", "value": "special", "operator": "Equal", "effect": "PreferNoSchedule"}
        ],
    },
    "interruptible-node-selector": [{"x/interruptible": "true"}],
    "interruptible-tolerations": [
        {"key": "x/flyte", "value": "interruptible", "operator": "Equal", "effect": "NoSchedule"}
    ],
    "interruptible-node-selector-requirement": {
        "key": "x/interruptible",
        "operator": "In",
        "values": ["true"],
    },
    "non-interruptible-node-selector-requirement": {"key": "x/interruptible", "operator": "DoesNotExist"},
    "default-env-vars": [{"AWS_METADATA_SERVICE_TIMEOUT": 5}, {"FLYTE_AWS_ACCESS_KEY_ID": "minio"}],
    "default-node-selector": {"user": "default"},
    "default-pod-security-context": {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000},
    "default-security-context": {"allowPrivilegeEscalation": False},
}


def zero(k8s: dict | None = None, platform_resources: dict | None = None, **sections: object) -> Platform:
    return Platform.for_go_tests(k8s or {}, base="zero", platform_resources=platform_resources, **sections)


def defaults(k8s: dict | None = None, platform_resources: dict | None = None) -> Platform:
    return Platform.for_go_tests(k8s or {}, base="defaults", platform_resources=platform_resources)


def _testdata(**extra: object) -> Platform:
    return defaults({**TESTDATA, **extra})


def one_container(requests: dict | None = None, limits: dict | None = None, **extra: object) -> dict:
    res: dict = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return {"containers": [{"name": "primary", "image": "img", "resources": res, **extra}]}


# -- §2.3 ApplyResourceOverrides through the primary container (merge mode) -------------------


@pytest.mark.parametrize(
    ("vector", "requests", "limits", "platform_resources", "expected"),
    [
        # 6: TestApplyResourceOverrides_OverrideCpu — request only
        (6, {"cpu": "1"}, None, {"requests": {"cpu": "3"}, "limits": {"cpu": "10"}}, ("1", "1")),
        # 7: same test — limit only
        (7, None, {"cpu": "2"}, {"requests": {"cpu": "3"}, "limits": {"cpu": "10"}}, ("2", "2")),
        # 14: TestAddFlyteCustomizationsToContainer_Resources/values from container (clamped)
        (
            14,
            {"cpu": "100"},
            {"cpu": "100"},
            {"requests": {"cpu": "1"}, "limits": {"cpu": "10"}},
            ("10", "10"),
        ),
        # 2.2 table: nothing set -> platform default for both, never the platform limit
        (0, None, None, {"requests": {"cpu": "10"}, "limits": {"cpu": "20"}}, ("10", "10")),
    ],
)
def test_vectors_cpu_merge_mode(pb, vector, requests, limits, platform_resources, expected) -> None:
    pod = pb.build(pb.pod_task(one_container(requests, limits)), zero(platform_resources=platform_resources))
    req, lim = pb.resources(pod, "primary")
    assert (req["cpu"], lim["cpu"]) == expected, vector


def test_vector_8_ephemeral_storage_limit_from_request(pb) -> None:
    pod = pb.build(pb.pod_task(one_container({"ephemeral-storage": "1"})), zero())
    req, lim = pb.resources(pod)
    assert req["ephemeral-storage"] == lim["ephemeral-storage"] == "1"


def test_vector_9_remove_storage_limits_gain_cpu(pb) -> None:
    spec = one_container(
        {"memory": "1", "cpu": "1", "ephemeral-storage": "1"}, {"memory": "1", "ephemeral-storage": "1"}
    )
    pod = pb.build(pb.pod_task(spec), zero(platform_resources={}))
    req, lim = pb.resources(pod)
    assert req == lim == {"memory": "1", "cpu": "1", "ephemeral-storage": "1"}


def test_vector_10_gpu_request_only(pb) -> None:
    pod = pb.build(pb.pod_task(one_container({"nvidia.com/gpu": "1"})), defaults(platform_resources={}))
    req, lim = pb.resources(pod)
    assert req["nvidia.com/gpu"] == "1"
    assert lim["nvidia.com/gpu"] == "1"  # derived: limit copied from the request


def test_vector_11_gpu_key_is_renamed(pb) -> None:
    pod = pb.build(pb.pod_task(one_container({"gpu": "4"}, {"gpu": "4"})), defaults(platform_resources={}))
    req, lim = pb.resources(pod)
    assert req["nvidia.com/gpu"] == "4" and "gpu" not in req and "gpu" not in lim


def test_vector_12_override_request_and_platform_memory(pb) -> None:
    task = pb.pod_task(one_container({"cpu": "1"}, {"cpu": "10"}))
    plat = zero(platform_resources={"requests": {"memory": "2"}, "limits": {"memory": "20"}})
    pod = pb.build(task, plat, overrides=pb.overrides(requests={"memory": "2"}))
    req, lim = pb.resources(pod)
    assert (req["cpu"], lim["cpu"], req["memory"], lim["memory"]) == ("1", "10", "2", "2")


def test_vector_13_override_limit_clamped_by_platform(pb) -> None:
    task = pb.pod_task(one_container({"cpu": "1", "memory": "2"}, {"cpu": "10", "memory": "2"}))
    plat = zero(platform_resources={"limits": {"memory": "20"}})
    pod = pb.build(task, plat, overrides=pb.overrides({"memory": "2"}, {"memory": "200"}))
    req, lim = pb.resources(pod)
    assert (req["memory"], lim["memory"]) == ("2", "20")


def test_vector_15_override_gpu_replaces_renamed_gpu(pb) -> None:
    task = pb.pod_task(one_container({"gpu": "2"}, {"gpu": "2"}))
    plat = defaults(platform_resources={})
    pod = pb.build(task, plat, overrides=pb.overrides({"gpu": "4"}, {"gpu": "4"}))
    req, lim = pb.resources(pod)
    assert req["nvidia.com/gpu"] == lim["nvidia.com/gpu"] == "4"


def test_vector_16_secondary_container_only_clamped_with_explicit_zeros(pb) -> None:
    spec = {
        "containers": [
            {"name": "primary", "image": "img"},
            {
                "name": "side",
                "image": "img",
                "resources": {"requests": {"cpu": "100"}, "limits": {"cpu": "200"}},
            },
        ]
    }
    pod = pb.build(pb.pod_task(spec), zero(platform_resources={"limits": {"cpu": "10"}}))
    req, lim = pb.resources(pod, "side")
    assert (req["cpu"], lim["cpu"]) == ("10", "10")
    assert req["memory"] == lim["memory"] == "0"  # derived: explicit zero entries (spec §9.2)


# -- §2.4 / §6.2 pod-template resources ---------------------------------------------------------


def _template(containers: list[dict], **spec: object) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": "base"},
        "template": {"spec": {"containers": containers, **spec}},
    }


def test_vector_17_override_container_template_priority(pb) -> None:
    base = _template(
        [
            {
                "name": "primary",
                "image": "tmpl",
                "resources": {
                    "requests": {"cpu": "50m", "ephemeral-storage": "1Gi"},
                    "limits": {"cpu": "150m", "ephemeral-storage": "2Gi"},
                },
            }
        ]
    )
    plat = zero(platform_resources={}, pod_templates={"base": base})
    task = pb.pod_task(one_container({"memory": "128Mi"}, {"memory": "256Mi"}), pod_template_name="base")
    pod = pb.build(task, plat, overrides=pb.overrides({"memory": "512Mi"}, {"memory": "1Gi"}))
    req, lim = pb.resources(pod)
    assert (req["memory"], lim["memory"]) == ("512Mi", "1Gi")
    assert (req["cpu"], lim["cpu"]) == ("50m", "150m")
    assert (req["ephemeral-storage"], lim["ephemeral-storage"]) == ("1Gi", "2Gi")


def test_vector_18_secondary_template_fill_and_clamp(pb) -> None:
    base = _template(
        [{"name": "default", "resources": {"requests": {"memory": "64Mi"}, "limits": {"memory": "192Mi"}}}]
    )
    plat = zero(platform_resources={"limits": {"cpu": "500m"}}, pod_templates={"base": base})
    spec = {
        "containers": [
            {"name": "primary", "image": "img"},
            {"name": "side", "image": "img", "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}},
        ]
    }
    pod = pb.build(pb.pod_task(spec, pod_template_name="base"), plat)
    req, lim = pb.resources(pod, "side")
    assert (req["cpu"], lim["cpu"], req["memory"], lim["memory"]) == ("500m", "500m", "64Mi", "192Mi")


# -- §7 environment ------------------------------------------------------------------------------


def test_vector_20_console_url_env(pb) -> None:
    plat = Platform.from_dict({"execution": {"console_url": "scheme://host/path////", "name": "name"}})
    task = pb.container_task({"cpu": "1"}, config={"link_type": "vscode"})
    env = pb.container(pb.build(task, plat))["env"]
    names = [e["name"] for e in env]
    exec_vars = names[names.index("FLYTE_INTERNAL_EXECUTION_ID") :]
    assert len(exec_vars) == 9
    url = next(e["value"] for e in env if e["name"] == "FLYTE_EXECUTION_URL")
    assert exec_vars[4] == "FLYTE_EXECUTION_URL"
    assert (
        url == "scheme://host/path/projects/flytesnacks/domains/development/executions/name/nodeId/n0/nodes"
    )


def test_vector_21_offloading_env(pb) -> None:
    plat = Platform.from_dict(
        {
            "propeller": {
                "literal-offloading-config": {
                    "enabled": True,
                    "min-size-in-mb-for-offloading": 1,
                    "max-size-in-mb-for-offloading": 42,
                }
            }
        }
    )
    env = pb.container(pb.build(pb.container_task(env={"x": "y"}), plat))["env"]
    names = [e["name"] for e in env]
    assert names[0] == "x" and names[1] == "FLYTE_INTERNAL_EXECUTION_WORKFLOW"
    assert names[-2:] == ["_F_L_MIN_SIZE_MB", "_F_L_MAX_SIZE_MB"]
    assert [e["value"] for e in env[-2:]] == ["1", "42"]


# -- §2.3/§5 resource tolerations ----------------------------------------------------------------


def test_vector_22_resource_tolerations_for_gpu_and_storage(pb) -> None:
    tols = {
        "ephemeral-storage": [{"key": "storage", "operator": "Exists", "effect": "NoSchedule"}],
        "nvidia.com/gpu": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
    }
    task = pb.pod_task(one_container(None, {"nvidia.com/gpu": "1", "ephemeral-storage": "1Gi"}))
    pod = pb.build(task, defaults({"resource-tolerations": tols}, platform_resources={}))
    assert {t["key"] for t in pod["spec"]["tolerations"]} == {"storage", "gpu"}


# -- §3 accelerators ------------------------------------------------------------------------------

GPU_LABELS = {"gpu-device-node-label": "gpu-device", "gpu-partition-size-node-label": "gpu-partition-size"}


def test_vector_23_requirement_appended_to_existing_term(pb) -> None:
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "required", "operator": "In", "values": ["x"]}]}
                ]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 1,
                    "preference": {"matchExpressions": [{"key": "preferred", "operator": "Exists"}]},
                }
            ],
        }
    }
    plat = defaults(
        {
            "default-affinity": affinity,
            "interruptible-node-selector-requirement": {"key": "new", "operator": "Exists"},
        }
    )
    pod = pb.build(pb.container_task(), plat, interruptible=True)
    assert [[e["key"] for e in t] for t in pb.required_terms(pod)] == [["required", "new"]]
    preferred = pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred == affinity["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]


def test_vector_24_non_interruptible_requirement(pb) -> None:
    pod = pb.build(pb.container_task(), _testdata(), interruptible=False)
    assert pb.required_terms(pod) == [[{"key": "x/interruptible", "operator": "DoesNotExist"}]]


def test_vector_25_override_accelerator_wins_wholesale(pb) -> None:
    task = pb.container_task({"gpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100", partition="1g.5gb"))
    o = pb.overrides(accel=pb.accelerator("nvidia-tesla-a100", unpartitioned=True))
    pod = pb.build(task, defaults(GPU_LABELS), overrides=o)
    assert pb.required_terms(pod) == [
        [
            {"key": "gpu-device", "operator": "In", "values": ["nvidia-tesla-a100"]},
            {"key": "gpu-partition-size", "operator": "DoesNotExist"},
        ]
    ]


def test_vector_26_accelerator_without_gpu_limit_is_ignored(pb) -> None:
    task = pb.container_task({"cpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100"))
    pod = pb.build(task, defaults(GPU_LABELS))
    assert pod["spec"]["affinity"] == {}  # UpdatePod's empty affinity (spec §9.17), no GPU terms
    assert "tolerations" not in pod["spec"]


def test_vector_27_device_and_partition(pb) -> None:
    task = pb.container_task({"gpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100", partition="1g.5gb"))
    pod = pb.build(task, defaults(GPU_LABELS))
    assert pb.required_terms(pod) == [
        [
            {"key": "gpu-device", "operator": "In", "values": ["nvidia-tesla-a100"]},
            {"key": "gpu-partition-size", "operator": "In", "values": ["1g.5gb"]},
        ]
    ]
    assert pod["spec"]["tolerations"] == [
        {"key": "gpu-device", "value": "nvidia-tesla-a100", "operator": "Equal", "effect": "NoSchedule"},
        {"key": "gpu-partition-size", "value": "1g.5gb", "operator": "Equal", "effect": "NoSchedule"},
    ]


def test_vector_28_unpartitioned(pb) -> None:
    task = pb.container_task({"gpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100", unpartitioned=True))
    pod = pb.build(task, defaults(GPU_LABELS))
    assert pb.required_terms(pod)[0][1] == {"key": "gpu-partition-size", "operator": "DoesNotExist"}
    assert [t["key"] for t in pod["spec"]["tolerations"]] == ["gpu-device"]


def test_vector_29_unpartitioned_custom_requirement_and_toleration(pb) -> None:
    cfg = {
        **GPU_LABELS,
        "gpu-unpartitioned-node-selector-requirement": {
            "key": "gpu-unpartitioned",
            "operator": "In",
            "values": ["true"],
        },
        "gpu-unpartitioned-toleration": {
            "key": "gpu-unpartitioned",
            "value": "true",
            "operator": "Equal",
            "effect": "NoSchedule",
        },
    }
    task = pb.container_task({"gpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100", unpartitioned=True))
    pod = pb.build(task, defaults(cfg))
    assert [e["key"] for e in pb.required_terms(pod)[0]] == ["gpu-device", "gpu-unpartitioned"]
    assert [t["key"] for t in pod["spec"]["tolerations"]] == ["gpu-device", "gpu-unpartitioned"]


def test_vector_36_override_accelerator_and_gpu_limit(pb) -> None:
    task = pb.container_task(accel=pb.accelerator("nvidia-tesla-t4"))
    o = pb.overrides(limits={"gpu": "1"}, accel=pb.accelerator("nvidia-tesla-a100", partition="1g.5gb"))
    pod = pb.build(task, defaults(GPU_LABELS, platform_resources={}), overrides=o)
    assert [e["values"] for e in pb.required_terms(pod)[0]] == [["nvidia-tesla-a100"], ["1g.5gb"]]
    assert len(pod["spec"]["tolerations"]) == 2


# -- §5 interruptible / UpdatePod -------------------------------------------------------------------


def test_vector_30_update_pod_interruptible_testdata(pb) -> None:
    spec = one_container({"cpu": "1"}, nodeSelector=None)
    spec["nodeSelector"] = {"user": "also configured"}
    spec["tolerations"] = [{"key": "my-toleration", "operator": "Exists"}]
    plat = _testdata()
    plat = plat.model_copy(
        update={"execution": plat.execution.model_copy(update={"service_account": "service-account"})}
    )
    pod = pb.build(pb.pod_task(spec), plat, interruptible=True)
    s = pod["spec"]
    assert s["restartPolicy"] == "Never"
    assert s["serviceAccountName"] == "service-account"
    assert s["schedulerName"] == "flyte-scheduler"
    assert s["nodeSelector"] == {"user": "also configured", "x/interruptible": "true"}
    assert [t["key"] for t in s["tolerations"]] == ["x/flyte", "my-toleration"]
    assert pb.required_terms(pod) == [[{"key": "x/interruptible", "operator": "In", "values": ["true"]}]]
    assert s["securityContext"] == {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000}
    assert pb.container(pod)["securityContext"] == {"allowPrivilegeEscalation": False}


def test_vector_31_default_affinity_is_copied_not_mutated(pb) -> None:
    term = {"key": "default node affinity", "operator": "In", "values": ["exists"]}
    cfg = {
        "default-affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [term]}]
                }
            }
        },
        "interruptible-node-selector-requirement": {
            "key": "x/interruptible",
            "operator": "In",
            "values": ["true"],
        },
    }
    plat = defaults(cfg)
    for _ in range(3):  # stable over repeated builds: the config's affinity is deep-copied
        pod = pb.build(pb.container_task(), plat, interruptible=True)
        assert [e["key"] for e in pb.required_terms(pod)[0]] == ["default node affinity", "x/interruptible"]


def test_vector_32_interruptible_with_override_resources(pb) -> None:
    o = pb.overrides(limits={"cpu": "1024m", "ephemeral_storage": "100M", "gpu": "1"})
    pod = pb.build(pb.container_task(), _testdata(), overrides=o, interruptible=True)
    tols = pod["spec"]["tolerations"]
    assert len(tols) == 2 and tols[1]["key"] == "x/flyte"
    assert tols[0]["key"] == "flyte/gpu"
    assert len(pod["spec"]["nodeSelector"]) == 2
    assert pb.required_terms(pod) == [[{"key": "x/interruptible", "operator": "In", "values": ["true"]}]]


def test_vector_33_default_selector_and_scheduler(pb) -> None:
    pod = pb.build(
        pb.container_task(),
        zero({"default-node-selector": {"nodeId": "123"}, "scheduler-name": "myScheduler"}),
    )
    assert pod["spec"]["nodeSelector"] == {"nodeId": "123"}
    assert pod["spec"]["schedulerName"] == "myScheduler"
    assert "securityContext" not in pod["spec"]


def test_vector_34_host_networking_explicitly_disabled(pb) -> None:
    pod = pb.build(pb.container_task(), defaults({"enable-host-networking-pod": False}))
    assert pod["spec"]["hostNetwork"] is False


# -- §6 pod templates -----------------------------------------------------------------------------


def test_vector_35_node_pod_template_override(pb) -> None:
    o = pb.overrides(
        pod_template=({"containers": [{"name": "foo", "image": "foo:latest"}]}, "foo"),
        labels={"l": "a"},
        annotations={"a": "b"},
    )
    pod = pb.build(pb.container_task({"cpu": "1"}), overrides=o)
    c = pb.container(pod)
    assert (c["name"], c["image"]) == ("foo", "foo:latest")
    assert pod["metadata"]["labels"]["l"] == "a"
    assert pod["metadata"]["annotations"]["a"] == "b"


def test_vector_37_base_template_labels_and_primary_paths(pb) -> None:
    base = {
        "kind": "PodTemplate",
        "metadata": {"name": "base"},
        "template": {
            "metadata": {"labels": {"fooKey": "bazValue", "barKey": "bazValue"}},
            "spec": {
                "containers": [{"name": "primary", "terminationMessagePath": "/dev/primary-termination-log"}],
                "initContainers": [
                    {"name": "primary-init", "terminationMessagePath": "/dev/primary-init-termination-log"}
                ],
            },
        },
    }
    plat = Platform.from_dict(
        {"plugins": {"k8s": {"default-pod-template-name": "base"}}, "pod_templates": {"base": base}}
    )
    task = pb.pod_task(
        {"containers": [{"name": "primary", "image": "task-image"}]}, labels={"fooKey": "barValue"}
    )
    pod = pb.build(task, plat)
    assert pb.container(pod)["terminationMessagePath"] == "/dev/primary-termination-log"
    assert pb.container(pod)["image"] == "task-image"
    assert pod["metadata"]["labels"]["fooKey"] == "barValue"
    assert pod["metadata"]["labels"]["barKey"] == "bazValue"


def test_vector_38_39_template_containers_match_by_role(pb) -> None:
    base = _template(
        [
            {"name": "primary", "terminationMessagePath": "/dev/primary"},
            {"name": "not-matching", "image": "never"},
        ]
    )
    plat = Platform.from_dict({"pod_templates": {"base": base}})
    spec = {
        "containers": [{"name": "task-1", "image": "task-image"}, {"name": "task-2", "image": "task-image"}]
    }
    pod = pb.build(pb.pod_task(spec, primary="task-1", pod_template_name="base"), plat)
    names = [c["name"] for c in pod["spec"]["containers"]]
    assert names == ["task-1", "task-2"]  # template containers never appear themselves
    assert pb.container(pod, "task-1")["terminationMessagePath"] == "/dev/primary"
    assert "terminationMessagePath" not in pb.container(pod, "task-2")
    assert pb.container(pod, "task-1")["image"] == "task-image"


def test_vector_43_missing_named_pod_template(pb) -> None:
    with pytest.raises(PodBuildError, match="PodTemplate 'foo' does not exist"):
        pb.build(pb.container_task(pod_template_name="foo"))


def test_missing_default_pod_template_is_silently_ignored(pb) -> None:
    plat = Platform.from_dict({"plugins": {"k8s": {"default-pod-template-name": "absent"}}})
    pod = pb.build(pb.container_task(), plat)
    assert pod["spec"]["containers"][0]["image"] == "registry/image:v1"


# -- §4 shared memory -----------------------------------------------------------------------------


def test_vector_41_shared_memory_without_size(pb) -> None:
    pod = pb.build(pb.container_task(shm=pb.shared_memory()))
    assert pod["spec"]["volumes"] == [
        {"name": "flyte-shared-memory", "emptyDir": {"medium": "Memory", "sizeLimit": "0"}}
    ]
    assert pb.container(pod)["volumeMounts"] == [{"name": "flyte-shared-memory", "mountPath": "/dev/shm"}]


def test_vector_42_shared_memory_path_already_mounted(pb) -> None:
    spec = one_container(volumeMounts=[{"name": "other", "mountPath": "/dev/shm"}])
    spec["volumes"] = [{"name": "other", "emptyDir": {}}]
    with pytest.raises(PodBuildError, match="/dev/shm is already mounted"):
        pb.build(pb.pod_task(spec, shm=pb.shared_memory("1Gi")))


def test_shared_memory_volume_name_taken(pb) -> None:
    spec = one_container()
    spec["volumes"] = [{"name": "flyte-shared-memory", "emptyDir": {}}]
    with pytest.raises(PodBuildError, match="already named flyte-shared-memory in pod spec"):
        pb.build(pb.pod_task(spec, shm=pb.shared_memory("1Gi")))


# -- sidecar plugin, service account, metadata ----------------------------------------------------

SIDECAR_CFG = {
    "default-cpus": "1024m",
    "default-memory": "1024Mi",
    "gpu-resource-name": "nvidia.com/gpu",
    "resource-tolerations": {
        "nvidia.com/gpu": [
            {"key": "flyte/gpu", "value": "dedicated", "operator": "Equal", "effect": "NoSchedule"}
        ],
        "ephemeral-storage": [
            {"key": "ephemeral-storage", "value": "dedicated", "operator": "Equal", "effect": "NoSchedule"}
        ],
    },
}
SIDECAR_OVERRIDE = {"cpu": "2048m", "ephemeral_storage": "100M", "gpu": "1"}


def test_vector_44_sidecar_task_type_2(pb) -> None:
    spec = {
        "containers": [
            {
                "name": "primary",
                "image": "img",
                "resources": {
                    "requests": {"cpu": "1", "memory": "100Mi", "gpu": "1"},
                    "limits": {"cpu": "2", "memory": "200Mi", "gpu": "1"},
                },
            },
            {
                "name": "secondary",
                "image": "img",
                "resources": {"requests": {"gpu": "2"}, "limits": {"gpu": "2"}},
            },
        ]
    }
    task = pb.pod_task(
        spec, labels={"label": "foo"}, annotations={"anno": "bar"}, task_type="sidecar", version=2
    )
    pod = pb.build(task, zero(SIDECAR_CFG), overrides=pb.overrides(limits=SIDECAR_OVERRIDE))
    assert pod["metadata"]["annotations"]["primary_container_name"] == "primary"
    assert pod["metadata"]["annotations"]["anno"] == "bar"
    assert pod["metadata"]["labels"]["label"] == "foo"
    req, lim = pb.resources(pod, "primary")
    assert (req["cpu"], lim["cpu"], req["memory"], lim["memory"]) == ("1", "2048m", "100Mi", "200Mi")
    assert lim["ephemeral-storage"] == "100M"
    assert req["nvidia.com/gpu"] == lim["nvidia.com/gpu"] == "1"
    req2, lim2 = pb.resources(pod, "secondary")
    assert req2["nvidia.com/gpu"] == lim2["nvidia.com/gpu"] == "2"
    assert len(pod["spec"]["tolerations"]) == 2


def test_vector_45_legacy_sidecar_primary_without_resources(pb) -> None:
    from flyteidl.core import identifier_pb2, tasks_pb2
    from google.protobuf import struct_pb2

    custom = struct_pb2.Struct()
    custom.update(
        {"podSpec": {"containers": [{"name": "primary", "image": "img"}]}, "primaryContainerName": "primary"}
    )
    task = tasks_pb2.TaskTemplate(
        id=identifier_pb2.Identifier(name="sidecar"), type="sidecar", task_type_version=0, custom=custom
    )
    plat = zero(SIDECAR_CFG, execution={"service_account": "service-account"})
    pod = pb.build(task, plat, overrides=pb.overrides(limits=SIDECAR_OVERRIDE))
    req, lim = pb.resources(pod, "primary")
    assert req["cpu"] == lim["cpu"] == "2048m"
    assert req["memory"] == lim["memory"] == "1Gi"
    assert lim["ephemeral-storage"] == "100M"
    assert pod["spec"]["serviceAccountName"] == "service-account"


def test_vector_46_security_context_service_account(pb) -> None:
    task = pb.container_task()
    task.security_context.run_as.k8s_service_account = "security-context-service-account"
    pod = pb.build(task, Platform.from_dict({"execution": {"service_account": ""}}))
    assert pod["spec"]["serviceAccountName"] == "security-context-service-account"


def test_vector_47_execution_labels_win_over_task_metadata(pb) -> None:
    task = pb.container_task()
    task.metadata.metadata.labels["l1"] = "task"
    task.metadata.metadata.annotations["aKey"] = "task"
    plat = Platform.from_dict({"execution": {"labels": {"l1": "exec"}, "annotations": {"aKey": "exec"}}})
    pod = pb.build(task, plat)
    assert pod["metadata"]["labels"]["l1"] == "exec"
    assert pod["metadata"]["annotations"]["aKey"] == "exec"
    assert pod["metadata"]["annotations"]["cluster-autoscaler.kubernetes.io/safe-to-evict"] == "false"


# -- §1.0 flyteadmin defaults (container tasks) -----------------------------------------------------


def test_vector_49_admin_set_defaults_injects_gpu_and_storage(pb) -> None:
    plat = Platform.from_dict(
        {
            "task_resources": {
                "defaults": {"cpu": "200m", "gpu": "4", "memory": "200Gi", "ephemeralStorage": "500Mi"},
                "limits": {},
            }
        }
    )
    pod = pb.build(pb.container_task({"cpu": "250m"}), plat)
    req, lim = pb.resources(pod)
    expected = {"cpu": "250m", "memory": "200Gi", "ephemeral-storage": "500Mi", "nvidia.com/gpu": "4"}
    assert req == lim == expected


def test_vector_50_admin_limits_alone_do_not_inject(pb) -> None:
    plat = Platform.from_dict(
        {
            "task_resources": {
                "defaults": {"cpu": "1", "memory": "1Gi"},
                "limits": {"gpu": "2", "ephemeralStorage": "1Gi"},
            }
        }
    )
    req, lim = pb.resources(pb.build(pb.container_task(), plat))
    assert set(req) == set(lim) == {"cpu", "memory"}


@pytest.mark.parametrize(
    ("requests", "limits", "overrides", "expected_req", "expected_lim"),
    [
        # spec §2.6 worked examples, production mode (admin built-in numbers)
        (
            {"cpu": "500m", "memory": "300Mi"},
            {"memory": "600Mi"},
            None,
            {"cpu": "500m", "memory": "300Mi"},
            {"cpu": "500m", "memory": "600Mi"},
        ),
        (
            {"cpu": "500m", "memory": "300Mi"},
            {"memory": "600Mi"},
            {"cpu": "4"},
            {"cpu": "500m", "memory": "300Mi"},
            {"cpu": "2", "memory": "600Mi"},
        ),
        (None, None, None, {"cpu": "2", "memory": "200Mi"}, {"cpu": "2", "memory": "200Mi"}),
        (
            {"gpu": "1"},
            None,
            None,
            {"cpu": "2", "memory": "200Mi", "nvidia.com/gpu": "1"},
            {"cpu": "2", "memory": "200Mi", "nvidia.com/gpu": "1"},
        ),
        (
            {"ephemeral_storage": "10Gi"},
            None,
            None,
            {"cpu": "2", "memory": "200Mi", "ephemeral-storage": "10Gi"},
            {"cpu": "2", "memory": "200Mi", "ephemeral-storage": "10Gi"},
        ),
    ],
)
def test_worked_examples_production_mode(pb, requests, limits, overrides, expected_req, expected_lim) -> None:
    o = pb.overrides(limits=overrides) if overrides else None
    req, lim = pb.resources(pb.build(pb.container_task(requests, limits), overrides=o))
    assert (req, lim) == (expected_req, expected_lim)


# -- §7.2 command/args templating ---------------------------------------------------------------


def test_templating_placeholders_case_and_attempts(pb) -> None:
    args = [
        "{{ .Input }}",
        "{{$inputPrefix}}",
        "{{.OutputPrefix}}",
        "{{.rawOutputDataPrefix}}",
        "{{.checkpointOutputPrefix}}",
        "{{.prevCheckpointPrefix}}",
        "{{.perRetryUniqueKey}}",
        "{{.Namespace}}",
        "{{.Inputs.x}}",
        "{{.unknown}}",
    ]
    plat = Platform.from_dict({"execution": {"name": "abc", "namespace": "ns"}})
    first = pb.container(pb.build(pb.container_task(args=args), plat))["args"]
    data = "s3://my-s3-bucket/metadata/propeller/flytesnacks-development-abc/n0/data"
    assert first[:3] == [f"{data}/inputs.pb", data, f"{data}/0"]
    assert first[3].startswith("s3://my-s3-bucket/data/") and first[3].endswith("/abc-n0-0")
    assert first[4] == first[3] + "/_flytecheckpoints"
    assert first[5] == '""'  # no previous attempt
    assert first[6] == "abc_n0_0"
    assert first[7] == "ns"
    assert first[8:] == ["{{.Inputs.x}}", "{{.unknown}}"]  # left as written
    second = pb.container(pb.build(pb.container_task(args=args), plat, attempt=1))["args"]
    assert second[2] == f"{data}/1"
    assert second[5] == first[4]  # the previous attempt's checkpoint directory


def test_generated_name_is_hashed_when_long(pb) -> None:
    plat = Platform.from_dict({"execution": {"name": "x" * 60}})
    pod = pb.build(pb.container_task(), plat)
    name = pod["metadata"]["name"]
    assert len(name) == 8 and name.startswith("f")
    assert pb.container(pod)["name"] == name
