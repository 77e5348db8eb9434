# ruff: noqa: E501  (case ids are the Go test names, kept whole)
"""flyteplugins v1.16.8 Go tests of the resource rules, restated as table tests.

Source files (under ``flyteplugins/go/tasks/pluginmachinery/flytek8s/``): ``container_helper_test.go``
(``TestAssignResource``, ``TestValidateResource``, ``TestApplyResourceOverrides_*``,
``TestSanitizeGPUResourceRequirements``, ``TestMergeResources_*``,
``TestAddFlyteCustomizationsToContainer*``, ``TestToK8sContainer``). Each case id names the Go
test and subtest it restates. The primitives are checked directly (``podplan.resources``) and
through a built pod (the primary container of a pod task runs ``ApplyResourceOverrides`` in merge
mode; a sidecar runs it in ensure-in-range mode). Go unit tests run with an empty platform object
and a config replaced by a struct literal: ``Platform.for_go_tests(base="zero")``.
"""

from __future__ import annotations

from typing import Any

import pytest

from podplan.podspec.builder import build_pod_dict
from podplan.podspec.platform import Platform
from podplan.podspec.render import pod_to_k8s_json
from podplan.resources import Quantity, adjust_or_default, ensure_in_range


def _q(v: str | None) -> Quantity | None:
    return None if v is None else Quantity(v)


def _s(q: Quantity | None) -> str | None:
    return None if q is None else str(q)


def zero(k8s: dict[str, Any] | None = None, platform_resources: dict[str, Any] | None = None) -> Platform:
    return Platform.for_go_tests(k8s or {}, base="zero", platform_resources=platform_resources)


def gpu_cfg() -> dict[str, Any]:
    return {"gpu-resource-name": "nvidia.com/gpu"}


def spec(*containers: dict[str, Any]) -> dict[str, Any]:
    return {"containers": list(containers)}


def ctr(name: str = "primary", requests: dict | None = None, limits: dict | None = None) -> dict[str, Any]:
    res: dict[str, Any] = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return {"name": name, "image": "img", "resources": res}


def build_raw(template: Any, platform: Any, **kwargs: Any) -> dict[str, Any]:
    """The pod as Kubernetes JSON, without the schema check (for Go zero-config oddities)."""
    return pod_to_k8s_json(build_pod_dict(template, platform, **kwargs).pod)


# -- TestAssignResource: AdjustOrDefaultResource(request, limit, platformDefault, platformLimit) ----

ASSIGN = [
    ("TestAssignResource/Leave valid requests and limits unchanged", "1", "2", "10", "20", "1", "2"),
    ("TestAssignResource/Assign unset Request from Limit", None, "2", "10", "20", "2", "2"),
    ("TestAssignResource/Assign unset Limit from Request", "2", None, "10", "20", "2", "2"),
    ("TestAssignResource/Assign from platform defaults", None, None, "10", "20", "10", "10"),
    ("TestAssignResource/Adjust Limit when Request > Limit", "10", "2", "10", "20", "2", "2"),
    ("TestAssignResource/Adjust Limit > platformLimit", "1", "40", "10", "20", "1", "20"),
    ("TestAssignResource/Adjust Request, Limit > platformLimit", "40", "50", "10", "20", "20", "20"),
]


@pytest.mark.parametrize(
    ("case", "req", "lim", "pdef", "plim", "exp_req", "exp_lim"), ASSIGN, ids=[c[0] for c in ASSIGN]
)
def test_assign_resource_primitive(case, req, lim, pdef, plim, exp_req, exp_lim) -> None:
    r, lim_out = adjust_or_default(_q(req), _q(lim), _q(pdef), _q(plim))
    assert (_s(r), _s(lim_out)) == (exp_req, exp_lim), case


@pytest.mark.parametrize(
    ("case", "req", "lim", "pdef", "plim", "exp_req", "exp_lim"), ASSIGN, ids=[c[0] for c in ASSIGN]
)
def test_assign_resource_through_primary_container(pb, case, req, lim, pdef, plim, exp_req, exp_lim) -> None:
    requests = {"cpu": req} if req else None
    limits = {"cpu": lim} if lim else None
    plat = zero(platform_resources={"requests": {"cpu": pdef}, "limits": {"cpu": plim}})
    pod = pb.build(pb.pod_task(spec(ctr("primary", requests, limits))), plat)
    r, lim_out = pb.resources(pod, "primary")
    assert (r["cpu"], lim_out["cpu"]) == (exp_req, exp_lim), case


def test_assign_resource_zero_quantity_means_unset() -> None:
    # the Go test passes resource.MustParse("0") for "unset"
    r, lim = adjust_or_default(Quantity("0"), Quantity("2"), Quantity("10"), Quantity("20"))
    assert (str(r), str(lim)) == ("2", "2")


# -- TestValidateResource: ensureResourceRange(request, limit, platformLimit) ----------------------

VALIDATE = [
    ("TestValidateResource/adjust when Request > Limit", "4", "3", "5", "3", "3"),
    ("TestValidateResource/adjust when Request > platformLimit", "6", "5", "5", "5", "5"),
    ("TestValidateResource/adjust when Limit > platformLimit", "4", "6", "5", "4", "5"),
    ("TestValidateResource/nothing to do", "1", "2", "5", "1", "2"),
]


@pytest.mark.parametrize(
    ("case", "req", "lim", "plim", "exp_req", "exp_lim"), VALIDATE, ids=[c[0] for c in VALIDATE]
)
def test_validate_resource_primitive(case, req, lim, plim, exp_req, exp_lim) -> None:
    r, lim_out = ensure_in_range(_q(req), _q(lim), _q(plim))
    assert (_s(r), _s(lim_out)) == (exp_req, exp_lim), case


@pytest.mark.parametrize(
    ("case", "req", "lim", "plim", "exp_req", "exp_lim"), VALIDATE, ids=[c[0] for c in VALIDATE]
)
def test_validate_resource_through_sidecar(pb, case, req, lim, plim, exp_req, exp_lim) -> None:
    # a non-primary container is resolved in ensure-in-range mode (clamp only)
    task = pb.pod_task(spec(ctr("primary"), ctr("side", {"cpu": req}, {"cpu": lim})))
    pod = pb.build(task, zero(platform_resources={"limits": {"cpu": plim}}))
    r, lim_out = pb.resources(pod, "side")
    assert (r["cpu"], lim_out["cpu"]) == (exp_req, exp_lim), case


def test_validate_resource_unset_sides_stay_unset() -> None:
    # zero means unset: nothing is clamped against a missing side or a missing platform limit
    assert ensure_in_range(None, None, Quantity("5")) == (None, None)
    assert ensure_in_range(Quantity("6"), None, None) == (Quantity("6"), None)
    r, lim = ensure_in_range(Quantity("6"), None, Quantity("5"))
    assert (str(r), lim) == ("5", None)


# -- TestApplyResourceOverrides_* (merge mode on the primary container) -----------------------------

OVERRIDES = [
    # (case, resource, requests, limits, platform, expected request, expected limit)
    ("TestApplyResourceOverrides_OverrideCpu/request only", "cpu", "1", None, ("3", "10"), "1", "1"),
    ("TestApplyResourceOverrides_OverrideCpu/request and limit", "cpu", "1", "2", ("3", "10"), "1", "2"),
    ("TestApplyResourceOverrides_OverrideCpu/limit only", "cpu", None, "2", ("3", "10"), "2", "2"),
    ("TestApplyResourceOverrides_OverrideMemory/request only", "memory", "1", None, ("3", "10"), "1", "1"),
    (
        "TestApplyResourceOverrides_OverrideMemory/request and limit",
        "memory",
        "1",
        "2",
        ("3", "10"),
        "1",
        "2",
    ),
    ("TestApplyResourceOverrides_OverrideMemory/limit only", "memory", None, "2", ("3", "10"), "2", "2"),
    (
        "TestApplyResourceOverrides_OverrideEphemeralStorage/request only",
        "ephemeral-storage",
        "1",
        None,
        None,
        "1",
        "1",
    ),
    (
        "TestApplyResourceOverrides_OverrideEphemeralStorage/request and limit",
        "ephemeral-storage",
        "1",
        "2",
        None,
        "1",
        "2",
    ),
    (
        "TestApplyResourceOverrides_OverrideEphemeralStorage/limit only",
        "ephemeral-storage",
        None,
        "2",
        None,
        "2",
        "2",
    ),
    ("TestApplyResourceOverrides_OverrideGpu/request only", "nvidia.com/gpu", "1", None, None, "1", "1"),
    ("TestApplyResourceOverrides_OverrideGpu/limit only", "nvidia.com/gpu", None, "1", None, "1", "1"),
]


@pytest.mark.parametrize(
    ("case", "name", "req", "lim", "platform", "exp_req", "exp_lim"), OVERRIDES, ids=[c[0] for c in OVERRIDES]
)
def test_apply_resource_overrides(pb, case, name, req, lim, platform, exp_req, exp_lim) -> None:
    requests = {name: req} if req else None
    limits = {name: lim} if lim else None
    pr = {} if platform is None else {"requests": {name: platform[0]}, "limits": {name: platform[1]}}
    pod = pb.build(pb.pod_task(spec(ctr("primary", requests, limits))), zero(gpu_cfg(), pr))
    r, lim_out = pb.resources(pod)
    assert (r[name], lim_out[name]) == (exp_req, exp_lim), case


def test_apply_resource_overrides_remove_storage(pb) -> None:
    """TestApplyResourceOverrides_RemoveStorage: the limits gain cpu from its request; nothing else changes."""
    task = pb.pod_task(
        spec(
            ctr(
                "primary",
                {"memory": "1", "cpu": "1", "ephemeral-storage": "1"},
                {"memory": "1", "ephemeral-storage": "1"},
            )
        )
    )
    r, lim = pb.resources(pb.build(task, zero(platform_resources={})))
    assert r == lim == {"memory": "1", "cpu": "1", "ephemeral-storage": "1"}


def test_apply_resource_overrides_empty_platform_uses_config_defaults(pb) -> None:
    """Empty platform object: cpu/memory defaults come from default-cpus/default-memory (zero config: 0)."""
    pod = pb.build(pb.pod_task(spec(ctr("primary"))), zero(platform_resources={}))
    r, lim = pb.resources(pod)
    assert r == lim == {"cpu": "0", "memory": "0"}
    pod = pb.build(
        pb.pod_task(spec(ctr("primary"))),
        zero({"default-cpus": "1024m", "default-memory": "1024Mi"}, platform_resources={}),
    )
    r, lim = pb.resources(pod)
    assert r == lim == {"cpu": "1024m", "memory": "1Gi"}


def test_sanitize_gpu_resource_requirements(pb) -> None:
    """TestSanitizeGPUResourceRequirements: a request keyed ``gpu`` becomes ``nvidia.com/gpu``."""
    pod = pb.build(pb.pod_task(spec(ctr("primary", {"gpu": "4"}))), zero(gpu_cfg(), {}))
    r, lim = pb.resources(pod)
    assert r["nvidia.com/gpu"] == "4" and "gpu" not in r and "gpu" not in lim


def test_sanitize_gpu_with_custom_resource_name(pb) -> None:
    """The rename target is gpu-resource-name, not a hard-wired name."""
    pod = pb.build(
        pb.pod_task(spec(ctr("primary", {"gpu": "2"}, {"gpu": "2"}))),
        zero({"gpu-resource-name": "amd.com/gpu"}, {}),
    )
    r, lim = pb.resources(pod)
    assert r["amd.com/gpu"] == lim["amd.com/gpu"] == "2"
    assert "nvidia.com/gpu" not in r


def test_sanitize_gpu_zero_config_renames_to_empty_name(pb) -> None:
    """Zero config: gpu-resource-name is empty, so ``gpu`` is renamed to ``""`` (TestBuildSidecarResource_TaskType1)."""
    pod = build_raw(
        pb.pod_task(spec(ctr("primary", {"gpu": "1"}, {"gpu": "1"}))), zero(platform_resources={})
    )
    res = pod["spec"]["containers"][0]["resources"]
    assert res["requests"][""] == res["limits"][""] == "1"
    assert "gpu" not in res["requests"]


# -- TestMergeResources_* (override resources merged into the primary container) ------------------

ONES = {"memory": "1", "cpu": "1", "ephemeral-storage": "1"}
IDL_ONES = {"memory": "1", "cpu": "1", "ephemeral_storage": "1"}


@pytest.mark.parametrize(
    ("case", "container", "override", "exp_req", "exp_lim"),
    [
        (
            "TestMergeResources_EmptyIn",
            (
                {"memory": "1", "cpu": "1", "ephemeral-storage": "1"},
                {"memory": "1", "ephemeral-storage": "1"},
            ),
            (None, None),
            ONES,
            ONES,  # then ApplyResourceOverrides copies the cpu request into the limits
        ),
        (
            "TestMergeResources_EmptyOut",
            (None, None),
            (IDL_ONES, {"memory": "1", "ephemeral_storage": "1"}),
            ONES,
            ONES,
        ),
        ("TestMergeResources_PartialRequirements", (None, ONES), (IDL_ONES, None), ONES, ONES),
        (
            "TestMergeResources_PartialResourceKeys",
            ({"cpu": "1"}, {"memory": "1", "ephemeral-storage": "1"}),
            ({"memory": "1", "ephemeral_storage": "1"}, {"cpu": "1"}),
            ONES,
            ONES,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_merge_resources(pb, case, container, override, exp_req, exp_lim) -> None:
    task = pb.pod_task(spec(ctr("primary", container[0], container[1])))
    o = pb.overrides(override[0], override[1]) if override != (None, None) else None
    pod = pb.build(task, zero(platform_resources={}), overrides=o)
    r, lim = pb.resources(pod)
    assert (r, lim) == (exp_req, exp_lim), case


def test_merge_resources_override_limit_does_not_touch_request(pb) -> None:
    """MergeResources is per side: an override limit leaves the container's own request."""
    task = pb.pod_task(spec(ctr("primary", {"cpu": "1"}, {"cpu": "2"})))
    pod = pb.build(task, zero(platform_resources={}), overrides=pb.overrides(limits={"cpu": "4"}))
    r, lim = pb.resources(pod)
    assert (r["cpu"], lim["cpu"]) == ("1", "4")


# -- TestAddFlyteCustomizationsToContainer* -----------------------------------------------------------


def test_add_flyte_customizations_to_container(pb) -> None:
    """TestAddFlyteCustomizationsToContainer: templated command/args; override storage gives 3 keys each side."""
    c = {"name": "primary", "image": "img", "command": ["{{ .Input }}"], "args": ["{{ .OutputPrefix }}"]}
    o = pb.overrides({"ephemeral_storage": "1024Mi"}, {"ephemeral_storage": "2048Mi"})
    pod = pb.build(pb.pod_task(spec(c)), zero(platform_resources={}), overrides=o)
    out = pb.container(pod)
    assert out["command"][0].endswith("/inputs.pb") and "{{" not in out["command"][0]
    assert "{{" not in out["args"][0]
    r, lim = pb.resources(pod)
    assert len(r) == 3 and len(lim) == 3
    assert (r["ephemeral-storage"], lim["ephemeral-storage"]) == ("1Gi", "2Gi")


CUSTOMIZE = [
    (
        "TestAddFlyteCustomizationsToContainer_Resources/merge requests/limits for pod tasks - primary container",
        ({"cpu": "1"}, {"cpu": "10"}),
        ({"memory": "2"}, None),
        {"requests": {"memory": "2"}, "limits": {"memory": "20"}},
        {"cpu": ("1", "10"), "memory": ("2", "2")},
    ),
    (
        # the Go subtest reuses the container the previous subtest mutated (cpu 1/10, memory 2/2)
        "TestAddFlyteCustomizationsToContainer_Resources/enforce merge requests/limits for pod tasks - values from task overrides",
        ({"cpu": "1", "memory": "2"}, {"cpu": "10", "memory": "2"}),
        ({"memory": "2"}, {"memory": "200"}),
        {"requests": {"memory": "2"}, "limits": {"memory": "20"}},
        {"cpu": ("1", "10"), "memory": ("2", "20")},
    ),
    (
        "TestAddFlyteCustomizationsToContainer_Resources/enforce requests/limits for pod tasks - values from container",
        ({"cpu": "100"}, {"cpu": "100"}),
        (None, None),
        {"requests": {"cpu": "1", "memory": "2"}, "limits": {"cpu": "10", "memory": "20"}},
        {"cpu": ("10", "10"), "memory": ("2", "2")},
    ),
]


@pytest.mark.parametrize(
    ("case", "container", "override", "platform", "expected"), CUSTOMIZE, ids=[c[0] for c in CUSTOMIZE]
)
def test_add_flyte_customizations_resources(pb, case, container, override, platform, expected) -> None:
    task = pb.pod_task(spec(ctr("primary", *container)))
    o = pb.overrides(*override) if override != (None, None) else None
    pod = pb.build(task, zero(platform_resources=platform), overrides=o)
    r, lim = pb.resources(pod)
    for name, (er, el) in expected.items():
        assert (r[name], lim[name]) == (er, el), (case, name)


def test_add_flyte_customizations_gpu_override_with_pod_template(pb) -> None:
    """…_Resources/ensure gpu resource overriding works for tasks with pod templates."""
    task = pb.pod_task(spec(ctr("primary", {"gpu": "2"}, {"gpu": "2"})))
    o = pb.overrides({"gpu": "4"}, {"gpu": "4"})
    pod = pb.build(task, zero(gpu_cfg(), {}), overrides=o)
    r, lim = pb.resources(pod)
    assert r["nvidia.com/gpu"] == lim["nvidia.com/gpu"] == "4"


def test_add_flyte_customizations_validate_existing_resources(pb) -> None:
    """TestAddFlyteCustomizationsToContainer_ValidateExistingResources: a sidecar is clamped, not defaulted."""
    task = pb.pod_task(spec(ctr("primary"), ctr("side", {"cpu": "100"}, {"cpu": "200"})))
    plat = zero(
        platform_resources={"requests": {"cpu": "1", "memory": "2"}, "limits": {"cpu": "10", "memory": "20"}}
    )
    r, lim = pb.resources(pb.build(task, plat), "side")
    assert (r["cpu"], lim["cpu"]) == ("10", "10")
    assert r["memory"] == lim["memory"] == "0"  # no default for a sidecar, explicit zero written


def test_sidecar_override_resources_are_not_applied(pb) -> None:
    """Ensure-in-range mode: node override resources reach the primary container only."""
    task = pb.pod_task(spec(ctr("primary"), ctr("side", {"cpu": "1"}, {"cpu": "1"})))
    pod = pb.build(task, zero(platform_resources={}), overrides=pb.overrides(limits={"cpu": "3"}))
    assert pb.resources(pod, "side")[1]["cpu"] == "1"
    assert pb.resources(pod, "primary")[1]["cpu"] == "3"


def test_to_k8s_container(pb) -> None:
    """TestToK8sContainer: image, args, command and env copied; DNS-1123 name; default security context."""
    from podplan.podspec.source import is_dns1123_label

    task = pb.container_task(args=["arg1", "arg2", "arg3"], env={"k": "v"})
    task.container.image = "myimage"
    task.container.command.extend(["com1", "com2", "com3"])
    plat = Platform.for_go_tests(
        {"default-security-context": {"allowPrivilegeEscalation": False}},
        base="defaults",
        execution={"envs": {"foo": "bar"}},
    )
    o = pb.overrides(limits={"ephemeral_storage": "1024Mi"})
    c = pb.container(pb.build(task, plat, overrides=o))
    assert c["image"] == "myimage"
    assert c["args"] == ["arg1", "arg2", "arg3"]
    assert c["command"] == ["com1", "com2", "com3"]
    env = [(e["name"], e.get("value")) for e in c["env"]]
    assert env[0] == ("k", "v")
    assert ("foo", "bar") in env and env.index(("foo", "bar")) > 0
    assert is_dns1123_label(c["name"])
    assert c["securityContext"] == {"allowPrivilegeEscalation": False}
    assert c["resources"]["limits"]["ephemeral-storage"] == "1Gi"
