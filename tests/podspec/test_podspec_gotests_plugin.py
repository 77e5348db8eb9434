# ruff: noqa: E501  (case ids are the Go test names, kept whole)
"""flyteplugins v1.16.8 pod-plugin and pod-template Go tests, restated as table tests.

Sources: ``flyteplugins/go/tasks/plugins/k8s/pod/container_test.go`` and ``sidecar_test.go``
(``BuildResource`` / ``BuildIdentityResource`` for container, K8sPod and sidecar v0/v1/v2 tasks)
and ``pluginmachinery/flytek8s/pod_helper_test.go`` (``TestGetPodTemplate``,
``TestMergeWithBasePodTemplate``, ``TestMergePodSpecs`` / ``TestMergeBasePodSpecsOntoTemplate``,
``TestPodTemplateOverride``). The Go tests read the plugin's output before propeller's
``addObjectMetadata``; podplan's pod includes that step, so label/annotation expectations are
checked as subsets (the extra keys are the execution labels, e.g. ``node-id``).

Not expressible through a preview (so not ported): ``TestAddPreferredNodeSelectorRequirements`` (no
configuration reaches it from a pod task), the *assign* resource-customization mode, ``ToK8sPodSpec``'s
``AddTolerationsForExtendedResources`` (other plugins only; its absence for pod tasks is tested),
exact mocked paths (``test-data-reference``) and generated names without the attempt suffix, the
pod-status tests (``DemystifyPending``/``DemystifySuccess``/``DemystifyFailure``, task phases) and
CoPilot containers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flyteidl.core import tasks_pb2
from google.protobuf import struct_pb2

from podplan.errors import PodBuildError
from podplan.podspec import build_pod_from_template
from podplan.podspec.builder import build_pod_dict
from podplan.podspec.platform import Platform
from podplan.podspec.render import pod_to_k8s_json

TOL_GPU = {"key": "flyte/gpu", "value": "dedicated", "operator": "Equal", "effect": "NoSchedule"}
TOL_EPH = {"key": "ephemeral-storage", "value": "dedicated", "operator": "Exists", "effect": "NoSchedule"}
OWN_TOL = {"key": "my toleration key", "value": "my toleration value"}
SIDECAR_CFG = {
    "resource-tolerations": {"storage": [TOL_EPH], "nvidia.com/gpu": [TOL_GPU]},
    "default-cpus": "1024m",
    "default-memory": "1024Mi",
}


def zero(k8s: dict[str, Any] | None = None, **sections: Any) -> Platform:
    return Platform.for_go_tests(k8s or {}, base="zero", **sections)


def raw(template: Any, platform: Any, **kwargs: Any) -> dict[str, Any]:
    """Kubernetes JSON of the pod without the schema check (zero configs rename ``gpu`` to ``""``)."""
    return pod_to_k8s_json(build_pod_dict(template, platform, **kwargs).pod)


def struct(obj: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(json.loads(json.dumps(obj)))
    return s


def go_pod_spec() -> dict[str, Any]:
    """The sidecar tests' pod spec: primary with cpu/memory/gpu, a GPU sidecar, a volume, a toleration."""
    return {
        "containers": [
            {
                "name": "primary container",
                "args": ["pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}"],
                "resources": {
                    "limits": {"cpu": "2", "memory": "200Mi", "gpu": "1"},
                    "requests": {"cpu": "1", "memory": "100Mi", "gpu": "1"},
                },
                "volumeMounts": [{"name": "volume mount", "mountPath": "/mnt"}],
            },
            {
                "name": "secondary container",
                "resources": {"limits": {"gpu": "2"}, "requests": {"gpu": "2"}},
            },
        ],
        "volumes": [{"name": "dshm"}],
        "tolerations": [OWN_TOL],
    }


def sidecar(
    version: int, pod_spec: dict[str, Any] | None, primary: str | None = "primary container", **kw: Any
) -> Any:
    t = tasks_pb2.TaskTemplate(type="sidecar", task_type_version=version)
    if primary is not None and version > 0:
        t.config["primary_container_name"] = primary
    if version == 0:
        job: dict[str, Any] = {"podSpec": pod_spec, "primaryContainerName": primary}
        job.update(kw)
        t.custom.CopyFrom(struct(job))
    elif version == 1:
        if pod_spec is not None:
            t.custom.CopyFrom(struct(pod_spec))
    else:
        t.k8s_pod.SetInParent()
        if pod_spec is not None:
            t.k8s_pod.pod_spec.CopyFrom(struct(pod_spec))
        for k, v in kw.get("labels", {}).items():
            t.k8s_pod.metadata.labels[k] = v
        for k, v in kw.get("annotations", {}).items():
            t.k8s_pod.metadata.annotations[k] = v
    return t


SIDECAR_OVERRIDE = {"cpu": "2048m", "ephemeral_storage": "100M", "gpu": "1"}


def _check_sidecar_pod(pod: dict[str, Any], gpu_name: str | None) -> None:
    s = pod["spec"]
    assert [v["name"] for v in s["volumes"]] == ["dshm"]
    primary = s["containers"][0]
    assert [m["name"] for m in primary["volumeMounts"]] == ["volume mount"]
    # checkTolerations: exactly the user's toleration and the GPU resource toleration
    assert len(s["tolerations"]) == 2 and OWN_TOL in s["tolerations"] and TOL_GPU in s["tolerations"]
    req, lim = primary["resources"]["requests"], primary["resources"]["limits"]
    assert (req["cpu"], req["memory"]) == ("1", "100Mi")
    assert (lim["cpu"], lim["memory"], lim["ephemeral-storage"]) == ("2048m", "200Mi", "100M")
    if gpu_name is not None:
        assert req[gpu_name] == lim[gpu_name] == "1"


def test_build_sidecar_resource_task_type_2(pb) -> None:
    """TestBuildSidecarResource_TaskType2."""
    task = sidecar(2, go_pod_spec(), labels={"label": "foo"}, annotations={"anno": "bar"})
    plat = zero({**SIDECAR_CFG, "gpu-resource-name": "nvidia.com/gpu"}, platform_resources={})
    pod = pb.build(task, plat, overrides=pb.overrides(limits=SIDECAR_OVERRIDE))
    assert pod["metadata"]["annotations"] == {"primary_container_name": "primary container", "anno": "bar"}
    assert pod["metadata"]["labels"]["label"] == "foo"
    _check_sidecar_pod(pod, "nvidia.com/gpu")
    second = pod["spec"]["containers"][1]["resources"]
    assert second["requests"]["nvidia.com/gpu"] == second["limits"]["nvidia.com/gpu"] == "2"


def test_build_sidecar_resource_task_type_2_invalid_spec() -> None:
    """TestBuildSidecarResource_TaskType2_Invalid_Spec: a K8sPod without a pod spec."""
    task = sidecar(2, None, labels={"label": "foo"})
    with pytest.raises(
        PodBuildError, match="should specify their target as a K8sPod with a defined pod spec"
    ):
        build_pod_dict(task, zero())
    bare = tasks_pb2.TaskTemplate(type="sidecar", task_type_version=2)
    bare.config["primary_container_name"] = "p"
    with pytest.raises(PodBuildError, match="defined pod spec"):
        build_pod_dict(bare, zero())


def test_build_sidecar_resource_task_type_1() -> None:
    """TestBuildSidecarResource_TaskType1: zero config, so ``gpu`` is renamed to the empty name."""
    task = sidecar(1, go_pod_spec())
    pod = raw(task, zero(SIDECAR_CFG, platform_resources={}), overrides=_override(SIDECAR_OVERRIDE))
    assert pod["metadata"]["annotations"] == {"primary_container_name": "primary container"}
    assert set(pod["metadata"]["labels"]) <= {
        "node-id",
        "task-name",
        "interruptible",
        "execution-id",
        "project",
        "domain",
        "workflow-name",
        "shard-key",
    }
    _check_sidecar_pod(pod, None)
    primary = pod["spec"]["containers"][0]["resources"]
    # the override's GPU is hard-wired to nvidia.com/gpu; with an empty gpu-resource-name it is
    # merged as a limit only and never defaulted (spec §9.4)
    assert primary["limits"]["nvidia.com/gpu"] == "1" and "nvidia.com/gpu" not in primary["requests"]
    assert primary["requests"][""] == primary["limits"][""] == "1"


def _override(limits: dict[str, str]) -> Any:
    from flyteidl.core import workflow_pb2

    idl = {"cpu": 1, "gpu": 2, "memory": 3, "ephemeral_storage": 5}
    o = workflow_pb2.TaskNodeOverrides()
    for k, v in limits.items():
        o.resources.limits.add(name=idl[k], value=v)
    return o


@pytest.mark.parametrize(
    ("case", "config", "message"),
    [
        (
            "TestBuildSideResource_TaskType1_InvalidSpec/empty config",
            {},
            r"config needs to be non-empty and include missing \[primary_container_name\] key",
        ),
        (
            "TestBuildSideResource_TaskType1_InvalidSpec/config without the key",
            {"foo": "bar"},
            r"config missing \[primary_container_name\] key in \[map\[foo:bar\]\]",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_build_sidecar_resource_task_type_1_invalid_spec(case, config, message) -> None:
    spec = {"containers": [{"name": "primary container"}, {"name": "secondary container"}]}
    task = sidecar(1, spec, primary=None)
    for k, v in config.items():
        task.config[k] = v
    with pytest.raises(PodBuildError, match=message):
        build_pod_dict(task, zero(SIDECAR_CFG))


def test_k8s_pod_target_without_primary_key() -> None:
    """BuildRawPod: a K8sPod target whose config lacks primary_container_name."""
    task = tasks_pb2.TaskTemplate(type="python-task", task_type_version=2)
    task.k8s_pod.pod_spec.CopyFrom(struct({"containers": [{"name": "a"}]}))
    with pytest.raises(PodBuildError, match=r"config missing \[primary_container_name\] key in \[map\[\]\]"):
        build_pod_dict(task, zero())


def test_build_sidecar_resource_legacy_v0(pb) -> None:
    """TestBuildSidecarResource (v0 sidecarJob): primary without resources gets override + config defaults."""
    spec = go_pod_spec()
    del spec["containers"][0]["resources"]
    spec["containers"] = spec["containers"][:1]
    spec["containers"][0]["name"] = "a container"
    task = sidecar(0, spec, primary="a container", annotations={"a1": "a1"}, labels={"b1": "b1"})
    plat = zero(SIDECAR_CFG, platform_resources={}, execution={"service_account": "service-account"})
    pod = pb.build(task, plat, overrides=pb.overrides(limits=SIDECAR_OVERRIDE))
    assert pod["metadata"]["annotations"] == {"primary_container_name": "a container", "a1": "a1"}
    assert pod["metadata"]["labels"]["b1"] == "b1"
    assert pod["spec"]["serviceAccountName"] == "service-account"
    assert len(pod["spec"]["tolerations"]) == 2
    req, lim = pb.resources(pod)
    assert (req["cpu"], req["memory"], lim["cpu"], lim["memory"]) == ("2048m", "1Gi", "2048m", "1Gi")
    assert lim["ephemeral-storage"] == "100M"


def test_build_sidecar_missing_annotations_and_labels(pb) -> None:
    """TestBuildSidecarReosurceMissingAnnotationsAndLabels: only the primary_container_name annotation."""
    task = sidecar(0, {"containers": [{"name": "PrimaryContainer"}]}, primary="PrimaryContainer")
    pod = raw(task, zero(), overrides=_override(SIDECAR_OVERRIDE))
    assert pod["metadata"]["annotations"] == {"primary_container_name": "PrimaryContainer"}
    assert "b1" not in pod["metadata"].get("labels", {})


def test_build_sidecar_missing_primary() -> None:
    """TestBuildSidecarResourceMissingPrimary: BadTaskSpecification."""
    task = sidecar(0, {"containers": [{"name": "SecondaryContainer"}]}, primary="PrimaryContainer")
    with pytest.raises(PodBuildError, match=r"primary container \[PrimaryContainer\] not defined"):
        build_pod_dict(task, zero())


GPU_CFG = {
    "gpu-device-node-label": "gpu-node-label",
    "gpu-partition-size-node-label": "gpu-partition-size",
    "gpu-resource-name": "nvidia.com/gpu",
}
T4 = (
    {"key": "gpu-node-label", "operator": "In", "values": ["nvidia-tesla-t4"]},
    {"key": "gpu-node-label", "value": "nvidia-tesla-t4", "operator": "Equal", "effect": "NoSchedule"},
)
A100 = (
    {"key": "gpu-node-label", "operator": "In", "values": ["nvidia-tesla-a100"]},
    {"key": "gpu-node-label", "value": "nvidia-tesla-a100", "operator": "Equal", "effect": "NoSchedule"},
)
PART = (
    {"key": "gpu-partition-size", "operator": "In", "values": ["1g.5gb"]},
    {"key": "gpu-partition-size", "value": "1g.5gb", "operator": "Equal", "effect": "NoSchedule"},
)


@pytest.mark.parametrize("version", [0, 1, 2], ids=["v0", "v1", "v2"])
@pytest.mark.parametrize(
    ("case", "override", "terms", "tolerations"),
    [
        ("without overrides", False, [[T4[0]]], [T4[1]]),
        ("with overrides", True, [[A100[0], PART[0]]], [A100[1], PART[1]]),
    ],
    ids=[
        "TestBuildSidecarResource_ExtendedResources/without overrides",
        "TestBuildSidecarResource_ExtendedResources/with overrides",
    ],
)
def test_build_sidecar_resource_extended_resources(pb, version, case, override, terms, tolerations) -> None:
    task = sidecar(version, {"containers": [{"name": "primary container"}]})
    task.extended_resources.gpu_accelerator.CopyFrom(pb.accelerator("nvidia-tesla-t4"))
    accel = pb.accelerator("nvidia-tesla-a100", partition="1g.5gb") if override else None
    pod = pb.build(task, zero(GPU_CFG), overrides=pb.overrides(limits={"gpu": "1"}, accel=accel))
    assert pb.required_terms(pod) == terms, case
    assert pod["spec"]["tolerations"] == tolerations, case


@pytest.mark.parametrize(
    ("case", "override", "terms", "tolerations"),
    [
        (
            "TestContainerTaskExecutor_BuildResource_ExtendedResources/without overrides",
            False,
            [[T4[0]]],
            [T4[1]],
        ),
        (
            "TestContainerTaskExecutor_BuildResource_ExtendedResources/with overrides",
            True,
            [[A100[0], PART[0]]],
            [A100[1], PART[1]],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_container_build_resource_extended_resources(pb, case, override, terms, tolerations) -> None:
    task = pb.container_task(accel=pb.accelerator("nvidia-tesla-t4"))
    accel = pb.accelerator("nvidia-tesla-a100", partition="1g.5gb") if override else None
    pod = pb.build(task, zero(GPU_CFG), overrides=pb.overrides(limits={"gpu": "1"}, accel=accel))
    assert pb.required_terms(pod) == terms, case
    assert pod["spec"]["tolerations"] == tolerations, case


# -- container_test.go ----------------------------------------------------------------------------


def test_container_build_identity_resource(pb) -> None:
    """TestContainerTaskExecutor_BuildIdentityResource: a v1 Pod object."""
    from kubernetes.client import V1Pod

    pod = build_pod_from_template(pb.container_task(), zero())
    assert isinstance(pod, V1Pod)
    assert (pod.kind, pod.api_version) == ("Pod", "v1")


def _go_container_task(pb: Any) -> Any:
    task = pb.container_task(args=["{{.Input}}"])
    task.container.command.append("command")
    return task


@pytest.mark.parametrize(
    ("case", "workflow_sa", "run_as", "expected"),
    [
        (
            "TestContainerTaskExecutor_BuildResource/BuildResource",
            "service-account",
            "security-context-service-account",
            "service-account",
        ),
        (
            "TestContainerTaskExecutor_BuildResource/BuildResource_SecurityContext",
            "",
            "security-context-service-account",
            "security-context-service-account",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_container_build_resource(pb, case, workflow_sa, run_as, expected) -> None:
    task = _go_container_task(pb)
    task.security_context.run_as.k8s_service_account = run_as
    plat = zero(platform_resources={}, execution={"service_account": workflow_sa})
    pod = pb.build(task, plat, overrides=pb.overrides(limits={"cpu": "1024m"}))
    c = pb.container(pod)
    assert c["resources"]["limits"]["cpu"] == "1024m"
    assert "ephemeral-storage" not in c["resources"]["limits"]
    assert c["command"] == ["command"]
    assert len(c["args"]) == 1 and c["args"][0].endswith("/inputs.pb")
    assert pod["spec"]["serviceAccountName"] == expected, case


def test_container_build_resource_pod_template(pb) -> None:
    """TestContainerTaskExecutor_BuildResource/BuildResource_PodTemplate: K8sPod target, init container rendered too."""
    spec = {
        "initContainers": [{"name": "test-image", "command": ["command"], "args": ["{{.Input}}"]}],
        "containers": [{"name": "test-image", "command": ["command"], "args": ["{{.Input}}"]}],
        "serviceAccountName": "test-service-account",
    }
    task = pb.pod_task(spec, primary="test-image")
    plat = zero(platform_resources={}, execution={"service_account": "service-account"})
    pod = pb.build(task, plat, overrides=pb.overrides(limits={"cpu": "1024m"}))
    main, init = pod["spec"]["containers"][0], pod["spec"]["initContainers"][0]
    assert main["resources"]["limits"]["cpu"] == "1024m"
    assert init["resources"]["limits"]["cpu"] == "1024m"  # init containers get the override too (merge mode)
    for c in (main, init):
        assert c["command"] == ["command"]
        assert c["args"][0].endswith("/inputs.pb")
    assert pod["spec"]["serviceAccountName"] == "test-service-account"


@pytest.mark.parametrize(
    ("case", "image_override", "expected"),
    [
        ("TestContainerTaskExecutor_BuildResource_ContainerImage/without overrides", "", "registry/image:v1"),
        ("TestContainerTaskExecutor_BuildResource_ContainerImage/with overrides", "test-image", "test-image"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_container_build_resource_container_image(pb, case, image_override, expected) -> None:
    o = pb.overrides(limits={"gpu": "1"}, image=image_override)
    pod = pb.build(pb.container_task(), zero(), overrides=o)
    assert pb.container(pod)["image"] == expected, case


def test_container_image_override_only_touches_primary(pb) -> None:
    s = {
        "containers": [{"name": "primary", "image": "a"}, {"name": "side", "image": "b"}],
        "initContainers": [{"name": "i", "image": "c"}],
    }
    pod = pb.build(pb.pod_task(s), zero(), overrides=pb.overrides(image="new"))
    assert [c["image"] for c in pod["spec"]["containers"]] == ["new", "b"]
    assert pod["spec"]["initContainers"][0]["image"] == "c"


def test_primary_container_name_annotation_rules(pb) -> None:
    """The annotation is added for sidecar tasks or single-container pods, never for raw-container tasks."""
    one = {"containers": [{"name": "p", "image": "i"}]}
    two = {"containers": [{"name": "p", "image": "i"}, {"name": "q", "image": "i"}]}
    assert pb.build(pb.pod_task(one, "p"), zero())["metadata"]["annotations"]["primary_container_name"] == "p"
    assert "primary_container_name" not in pb.build(pb.pod_task(two, "p"), zero())["metadata"].get(
        "annotations", {}
    )
    assert (
        pb.build(pb.pod_task(two, "p", task_type="sidecar"), zero())["metadata"]["annotations"][
            "primary_container_name"
        ]
        == "p"
    )
    raw_task = pb.container_task()
    raw_task.type = "raw-container"
    assert "primary_container_name" not in pb.build(raw_task, zero())["metadata"].get("annotations", {})


def test_container_name_falls_back_when_not_dns1123(pb) -> None:
    """A generated name like ``my_project:my_domain:my_name`` is not a DNS-1123 label: Go picks a random name.

    podplan picks ``primary`` (documented deterministic choice) and keeps the pod valid.
    """
    from podplan.podspec.source import is_dns1123_label

    pod = pb.build(pb.container_task(), zero(execution={"name": "My_Exec"}))
    name = pb.container(pod)["name"]
    assert is_dns1123_label(name) and name == "primary"
    assert pod["metadata"]["annotations"]["primary_container_name"] == "primary"


# -- TestGetPodTemplate / TestMergeWithBasePodTemplate / TestMergePodSpecs ------------------------


def _pt(name: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    tpl: dict[str, Any] = {"spec": spec}
    if labels:
        tpl["metadata"] = {"labels": labels}
    return {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": name, "namespace": "bar"},
        "template": tpl,
    }


MARK = {"containers": [{"name": "default", "terminationMessagePath": "/dev/from-template"}]}


@pytest.mark.parametrize(
    ("case", "templates", "default_name", "task_name", "outcome"),
    [
        ("TestGetPodTemplate/PodTemplateDoesNotExist", {}, "", "", None),
        (
            "TestGetPodTemplate/PodTemplateFromTaskTemplateNameExists",
            {"foo": _pt("foo", MARK)},
            "",
            "foo",
            "/dev/from-template",
        ),
        ("TestGetPodTemplate/PodTemplateFromTaskTemplateNameDoesNotExist", {}, "", "foo", PodBuildError),
        (
            "TestGetPodTemplate/PodTemplateFromDefaultPodTemplate",
            {"foo": _pt("foo", MARK)},
            "foo",
            "",
            "/dev/from-template",
        ),
        ("default-pod-template-name that does not exist is ignored", {}, "foo", "", None),
        (
            "task pod_template_name wins over the default",
            {"foo": _pt("foo", MARK), "bar": _pt("bar", {})},
            "bar",
            "foo",
            "/dev/from-template",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_get_pod_template(pb, case, templates, default_name, task_name, outcome) -> None:
    plat = zero({"default-pod-template-name": default_name}, pod_templates=templates)
    task = pb.pod_task({"containers": [{"name": "primary", "image": "i"}]}, pod_template_name=task_name)
    if outcome is PodBuildError:
        with pytest.raises(PodBuildError, match="PodTemplate 'foo' does not exist"):
            pb.build(task, plat)
        return
    path = pb.container(pb.build(task, plat)).get("terminationMessagePath")
    assert path == outcome, case


def test_merge_with_base_pod_template_does_not_exist(pb) -> None:
    """TestMergeWithBasePodTemplate/BasePodTemplateDoesNotExist: the pod is unchanged."""
    spec = {"containers": [{"name": "foo", "image": "i"}, {"name": "bar", "image": "i"}]}
    pod = pb.build(pb.pod_task(spec, "foo", labels={"fooKey": "barValue"}), zero())
    assert [c["name"] for c in pod["spec"]["containers"]] == ["foo", "bar"]
    assert "terminationMessagePath" not in pod["spec"]["containers"][0]
    assert pod["metadata"]["labels"]["fooKey"] == "barValue"


def test_merge_with_base_pod_template_exists(pb) -> None:
    """TestMergeWithBasePodTemplate/BasePodTemplateExists: primary template fields + template labels, task labels win."""
    tpl = _pt(
        "fooTemplate",
        {
            "containers": [{"name": "primary", "terminationMessagePath": "/dev/primary-termination-log"}],
            "initContainers": [
                {"name": "primary-init", "terminationMessagePath": "/dev/primary-init-termination-log"}
            ],
        },
        labels={"fooKey": "bazValue", "barKey": "bazValue"},
    )
    spec = {"containers": [{"name": "foo", "image": "i"}, {"name": "bar", "image": "i"}]}
    task = pb.pod_task(spec, "foo", labels={"fooKey": "barValue"}, pod_template_name="fooTemplate")
    pod = pb.build(task, zero(pod_templates={"fooTemplate": tpl}))
    c = pod["spec"]["containers"]
    assert c[0]["name"] == "foo" and c[0]["terminationMessagePath"] == "/dev/primary-termination-log"
    assert "terminationMessagePath" not in c[1]  # primary template applies to the primary only
    assert pod["metadata"]["labels"]["fooKey"] == "barValue"
    assert pod["metadata"]["labels"]["barKey"] == "bazValue"


def test_merge_pod_specs(pb) -> None:
    """TestMergePodSpecs: template-only fields kept, task fields win, maps unioned, slices appended, containers by role."""
    tpl = _pt(
        "t",
        {
            "containers": [
                {"name": "default", "terminationMessagePath": "/dev/default-termination-log"},
                {"name": "primary", "terminationMessagePath": "/dev/primary-termination-log"},
            ],
            "hostNetwork": True,
            "nodeSelector": {"foo": "bar"},
            "schedulerName": "defaultScheduler",
            "tolerations": [{"key": "foo"}],
        },
    )
    spec = {
        "containers": [
            {"name": "primary", "image": "i", "volumeMounts": [{"name": "nccl", "mountPath": "abc"}]},
            {"name": "bar", "image": "i"},
        ],
        "nodeSelector": {"baz": "bar"},
        "priority": 1,
        "schedulerName": "overrideScheduler",
        "tolerations": [{"key": "bar"}, {"key": "baz"}],
    }
    pod = pb.build(pb.pod_task(spec, pod_template_name="t"), zero(pod_templates={"t": tpl}))
    s = pod["spec"]
    assert s["hostNetwork"] is True
    assert s["priority"] == 1
    assert s["schedulerName"] == "overrideScheduler"
    assert s["nodeSelector"] == {"foo": "bar", "baz": "bar"}
    assert [t["key"] for t in s["tolerations"]] == ["foo", "bar", "baz"]
    primary, other = s["containers"]
    assert (
        primary["name"] == "primary" and primary["terminationMessagePath"] == "/dev/primary-termination-log"
    )
    assert len(primary["volumeMounts"]) == 1
    assert other["name"] == "bar" and other["terminationMessagePath"] == "/dev/default-termination-log"


MERGE_CASES = [
    (
        "TestMergeBasePodSpecsOntoTemplate/scheduler name: task wins",
        {"schedulerName": "templateScheduler"},
        {"schedulerName": "baseScheduler"},
        lambda s: s["schedulerName"] == "baseScheduler",
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/default container applies to every task container",
        {"containers": [{"name": "default", "terminationMessagePath": "/dev/template-termination-log"}]},
        {},
        lambda s: (
            [c.get("terminationMessagePath") for c in s["containers"]]
            == ["/dev/template-termination-log"] * 2
        ),
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/primary template env reaches the primary",
        {"containers": [{"name": "primary", "env": [{"name": "FOO", "value": "BAR"}]}]},
        {},
        lambda s: (
            s["containers"][0]["env"][0] == {"name": "FOO", "value": "BAR"}
            and all(e["name"] != "FOO" for e in s["containers"][1]["env"])
        ),
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/template and base with no matching containers",
        {"containers": [{"name": "not-matching", "image": "never"}]},
        {},
        lambda s: (
            [c["name"] for c in s["containers"]] == ["task-1", "task-2"]
            and all(c["image"] == "task-image" for c in s["containers"])
        ),
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/same-name template container applies to a non-primary container",
        {"containers": [{"name": "task-2", "workingDir": "/w"}, {"name": "task-1", "workingDir": "/never"}]},
        {},
        lambda s: s["containers"][1].get("workingDir") == "/w" and "workingDir" not in s["containers"][0],
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/template command and args are prepended",
        {"containers": [{"name": "primary", "args": ["--from-template"]}]},
        {},
        lambda s: s["containers"][0]["args"] == ["--from-template", "run"],
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/task restartPolicy replaces the template's",
        {"restartPolicy": "Always"},
        {},
        lambda s: s["restartPolicy"] == "Never",
    ),
    (
        "TestMergeBasePodSpecsOntoTemplate/false task value never clears a template true",
        {"hostNetwork": True},
        {"hostNetwork": False},
        lambda s: s["hostNetwork"] is True,
    ),
]


@pytest.mark.parametrize(
    ("case", "template", "task_fields", "check"), MERGE_CASES, ids=[c[0] for c in MERGE_CASES]
)
def test_merge_base_pod_spec_onto_template(pb, case, template, task_fields, check) -> None:
    spec = {
        "containers": [
            {"name": "task-1", "image": "task-image", "args": ["run"]},
            {"name": "task-2", "image": "task-image"},
        ],
        **task_fields,
    }
    plat = zero(pod_templates={"t": _pt("t", template)})
    pod = pb.build(pb.pod_task(spec, primary="task-1", pod_template_name="t"), plat)
    assert check(pod["spec"]), case


def test_template_init_containers_by_role(pb) -> None:
    """default-init applies to every init container; template resources fill missing keys (primary-init → default-init)."""
    tpl = _pt(
        "t",
        {
            "containers": [{"name": "primary", "image": "x"}],
            "initContainers": [
                {
                    "name": "default-init",
                    "terminationMessagePath": "/dev/init",
                    "resources": {"requests": {"cpu": "250m"}},
                }
            ],
        },
    )
    spec = {
        "containers": [{"name": "primary", "image": "i"}],
        "initContainers": [{"name": "setup", "image": "i"}],
    }
    pod = pb.build(
        pb.pod_task(spec, pod_template_name="t"), zero(pod_templates={"t": tpl}, platform_resources={})
    )
    init = pod["spec"]["initContainers"][0]
    assert init["terminationMessagePath"] == "/dev/init"
    assert init["resources"]["requests"]["cpu"] == init["resources"]["limits"]["cpu"] == "250m"


def test_template_resources_leak_into_sidecars(pb) -> None:
    """Resource lookup is (exact name → primary → default) for every container (spec §9.14)."""
    tpl = _pt(
        "t",
        {
            "containers": [
                {
                    "name": "primary",
                    "resources": {"requests": {"memory": "64Mi"}, "limits": {"memory": "192Mi"}},
                }
            ]
        },
    )
    spec = {
        "containers": [
            {"name": "p", "image": "i"},
            {"name": "side", "image": "i", "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}},
        ]
    }
    plat = zero(pod_templates={"t": tpl}, platform_resources={"limits": {"cpu": "500m"}})
    pod = pb.build(pb.pod_task(spec, "p", pod_template_name="t"), plat)
    req, lim = pb.resources(pod, "side")
    assert (req["cpu"], lim["cpu"], req["memory"], lim["memory"]) == ("500m", "500m", "64Mi", "192Mi")


def test_pod_template_override_replaces_task_pod(pb) -> None:
    """TestPodTemplateOverride: the node's pod template replaces the task spec; its metadata is applied."""
    o = pb.overrides(
        pod_template=({"containers": [{"name": "foo", "image": "foo:latest"}]}, "foo"),
        labels={"l": "a"},
        annotations={"a": "b"},
    )
    pod = pb.build(
        pb.pod_task({"containers": [{"name": "primary", "image": "task"}]}, labels={"l": "task"}),
        zero(),
        overrides=o,
    )
    assert [(c["name"], c["image"]) for c in pod["spec"]["containers"]] == [("foo", "foo:latest")]
    assert pod["metadata"]["labels"]["l"] == "a" and pod["metadata"]["annotations"]["a"] == "b"
