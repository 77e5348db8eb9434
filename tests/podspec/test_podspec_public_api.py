"""The podspec entry points ``planning`` uses: ``resolve_platform``, ``to_protobufs`` and
``build_result`` (pod as a Kubernetes JSON dict, primary container, interruptible decision)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import podplan.podspec as podspec
from podplan import Resources, task
from podplan.accelerators import GPUAccelerator
from podplan.errors import PlatformError, PodBuildError
from podplan.podspec import api
from podplan.podspec.builder import PodResult, default_platform
from podplan.podspec.convert import to_pod
from podplan.podspec.loading import load_platform

AMD: dict[str, Any] = {"plugins": {"k8s": {"gpu-resource-name": "amd.com/gpu"}}}


@task(resources=Resources(cpu="1", mem="1Gi", gpu=1), accelerator=GPUAccelerator("nvidia-tesla-t4"))
def api_gpu_task(x: int) -> int:
    """A GPU task."""
    return x


@task(resources=Resources(cpu="1", mem="1Gi"), interruptible=True, retries=3)
def api_spot_task(x: int) -> int:
    """An interruptible CPU task."""
    return x


def test_resolve_platform_none_is_the_shared_stock_platform() -> None:
    plat = podspec.resolve_platform()
    assert plat is default_platform()
    assert podspec.resolve_platform(None) is plat
    assert plat == podspec.Platform()


def test_resolve_platform_returns_a_platform_as_is() -> None:
    plat = podspec.Platform.from_dict(AMD)
    assert podspec.resolve_platform(plat) is plat


def test_resolve_platform_from_a_mapping() -> None:
    plat = podspec.resolve_platform(AMD)
    assert isinstance(plat, podspec.Platform)
    assert plat.plugins.k8s.gpu_resource_name == "amd.com/gpu"


@pytest.mark.parametrize("name", ["eks-gpu", "gke-gpu", "gfd", "flyte-defaults"])
def test_resolve_platform_from_a_preset(name: str) -> None:
    assert podspec.resolve_platform(name) == load_platform(name)


def test_resolve_platform_from_a_file_path_str_or_pathlike(tmp_path: Path) -> None:
    path = tmp_path / "platform.yaml"
    path.write_text("plugins:\n  k8s:\n    gpu-resource-name: amd.com/gpu\n")
    for spec in (str(path), path):
        assert podspec.resolve_platform(spec).plugins.k8s.gpu_resource_name == "amd.com/gpu"


def test_resolve_platform_unknown_preset_is_a_platform_error() -> None:
    with pytest.raises(PlatformError, match=r"unknown platform preset 'eks-gpuu'.*did you mean 'eks-gpu'"):
        podspec.resolve_platform("eks-gpuu")


@pytest.mark.parametrize("bad", [42, 1.5, ["eks-gpu"], object()])
def test_resolve_platform_rejects_other_types(bad: Any) -> None:
    with pytest.raises(PodBuildError, match=rf"platform must be a Platform, .*got {type(bad).__name__}"):
        podspec.resolve_platform(bad)


def test_old_private_helper_still_maps_none_to_none() -> None:
    assert api._platform(None) is None
    assert api._platform(AMD) == podspec.resolve_platform(AMD)


def test_build_result_gives_pod_dict_primary_and_interruptible() -> None:
    result = podspec.build_result(api_gpu_task, "eks-gpu")
    assert isinstance(result, podspec.PodResult)
    assert isinstance(result.pod, dict)
    containers = result.pod["spec"]["containers"]
    assert result.primary in [c["name"] for c in containers]
    assert containers[0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert result.interruptible is False
    assert to_pod(result.pod) == podspec.build_pod(api_gpu_task, "eks-gpu")


def test_build_result_applies_the_resolved_platform() -> None:
    stock = json.dumps(podspec.build_result(api_gpu_task).pod)
    eks = json.dumps(podspec.build_result(api_gpu_task, "eks-gpu").pod)
    assert "eks.amazonaws.com/capacityType" in eks  # the preset keeps tasks off spot nodes
    assert "eks.amazonaws.com/capacityType" not in stock


def test_build_result_interruptible_decision_and_override() -> None:
    assert podspec.build_result(api_spot_task).interruptible is True
    forced = podspec.build_result(api_gpu_task, interruptible=True)
    assert forced.interruptible is True
    assert forced.interruptible_reason


def test_build_result_accepts_the_to_protobufs_tuple_of_a_node() -> None:
    node = api_gpu_task.with_overrides(requests=Resources(cpu="500m"), interruptible=True)
    parts = podspec.to_protobufs(node)
    assert parts[1] is not None and parts[2] is not None
    from_tuple = podspec.build_result(parts, "eks-gpu")
    from_node = podspec.build_result(node, "eks-gpu")
    assert from_tuple.pod == from_node.pod
    assert from_tuple.interruptible is True
    assert from_tuple.pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "500m"


def test_to_protobufs_rejects_a_non_task() -> None:
    with pytest.raises(PodBuildError, match="cannot preview 'nope'"):
        podspec.to_protobufs("nope")


def test_public_names_are_exported_lazily() -> None:
    code = (
        "import sys, podplan.podspec as p\n"
        "assert 'podplan.podspec.api' not in sys.modules\n"
        "assert 'podplan.podspec.builder' not in sys.modules\n"
        "from podplan.podspec import api, builder\n"
        "assert p.resolve_platform is api.resolve_platform\n"
        "assert p.to_protobufs is api.to_protobufs\n"
        "assert p.build_result is api.build_result\n"
        "assert p.PodResult is builder.PodResult\n"
        "assert {'resolve_platform', 'to_protobufs', 'build_result', 'PodResult'} <= set(p.__all__)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert PodResult is podspec.PodResult
