"""FakeNVML behaves like pynvml: real exception classes and structs, NVML's quirks, injection."""

from __future__ import annotations

import ctypes
import json
from pathlib import Path

import pynvml
import pytest

from podplan.errors import GPUProfileError
from podplan.testing import FakeNVML, load_profile, profile_names

BUILTIN = [
    "dgx-a100-mig",
    "driver-not-loaded",
    "h100-sxm",
    "h200-mig",
    "l4-workstation",
    "legacy-mig-driver",
    "no-driver",
    "no-permission",
    "rtx4090",
    "t4",
]


def test_builtin_profile_names_are_the_contract() -> None:
    assert profile_names() == BUILTIN


def test_calls_before_init_raise_uninitialized() -> None:
    nv = FakeNVML("t4")
    with pytest.raises(pynvml.NVMLError_Uninitialized):
        nv.nvmlDeviceGetCount()
    with pytest.raises(pynvml.NVMLError_Uninitialized):
        nv.nvmlShutdown()


def test_init_is_reference_counted() -> None:
    nv = FakeNVML("t4")
    nv.nvmlInit()
    nv.nvmlInit()
    nv.nvmlShutdown()
    assert nv.nvmlDeviceGetCount() == 1
    nv.nvmlShutdown()
    assert not nv.initialized
    with pytest.raises(pynvml.NVMLError_Uninitialized):
        nv.nvmlDeviceGetCount()


@pytest.mark.parametrize(
    ("profile", "error", "code"),
    [
        ("no-driver", pynvml.NVMLError_LibraryNotFound, 12),
        ("driver-not-loaded", pynvml.NVMLError_DriverNotLoaded, 9),
    ],
)
def test_init_failures_raise_real_classes_and_leave_nvml_uninitialised(
    profile: str, error: type[Exception], code: int
) -> None:
    nv = FakeNVML(profile)
    with pytest.raises(error) as info:
        nv.nvmlInit()
    assert info.value.value == code  # type: ignore[attr-defined]
    assert isinstance(info.value, pynvml.NVMLError)
    with pytest.raises(pynvml.NVMLError_Uninitialized):
        nv.nvmlShutdown()  # as the real library after a failed init


def test_exception_classes_and_constants_come_from_pynvml() -> None:
    nv = FakeNVML("t4")
    assert nv.NVMLError_NotFound is pynvml.NVMLError_NotFound
    assert nv.NVML_DEVICE_MIG_ENABLE == 1
    assert nv.nvmlMemory_v2 == pynvml.nvmlMemory_v2


def test_structs_are_pynvml_structs_with_string_fields() -> None:
    nv = FakeNVML("dgx-a100-mig")
    nv.nvmlInit()
    h = nv.nvmlDeviceGetHandleByIndex(0)
    pci = nv.nvmlDeviceGetPciInfo(h)
    assert isinstance(pci, pynvml.nvmlPciInfo_t)
    assert pci.busId == "00000000:07:00.0"
    assert pci.busIdLegacy == "0000:07:00.0"
    assert pci.pciDeviceId == 0x20B010DE
    mem = nv.nvmlDeviceGetMemoryInfo(h)
    assert isinstance(mem, pynvml.c_nvmlMemory_t)
    assert mem.total == 40960 << 20
    v2 = nv.nvmlDeviceGetMemoryInfo(h, version=pynvml.nvmlMemory_v2)
    assert isinstance(v2, pynvml.c_nvmlMemory_v2_t)
    assert nv.nvmlDeviceGetCudaComputeCapability(h) == (8, 0)
    nv.nvmlShutdown()


def test_v1_memory_used_includes_reserved() -> None:
    nv = FakeNVML("rtx4090")
    nv.nvmlInit()
    h = nv.nvmlDeviceGetHandleByIndex(0)
    v1 = nv.nvmlDeviceGetMemoryInfo(h)
    v2 = nv.nvmlDeviceGetMemoryInfo(h, version=pynvml.nvmlMemory_v2)
    assert v1.used == v2.used + v2.reserved
    assert v2.reserved == 349 << 20


def test_mig_quirks() -> None:
    nv = FakeNVML("dgx-a100-mig")
    nv.nvmlInit()
    parent = nv.nvmlDeviceGetHandleByIndex(1)
    assert nv.nvmlDeviceGetMigMode(parent) == [1, 1]
    assert nv.nvmlDeviceGetMaxMigDeviceCount(parent) == 7
    with pytest.raises(pynvml.NVMLError_NotFound):
        nv.nvmlDeviceGetMigDeviceHandleByIndex(parent, 1)  # sparse slot
    with pytest.raises(pynvml.NVMLError_InvalidArgument):
        nv.nvmlDeviceGetMigDeviceHandleByIndex(parent, 4)
    mig = nv.nvmlDeviceGetMigDeviceHandleByIndex(parent, 0)
    flag = nv.nvmlDeviceIsMigDeviceHandle(mig)
    assert isinstance(flag, ctypes.c_uint)
    assert bool(flag) and flag != 1  # the raw c_uint: == 1 is always False
    assert not bool(nv.nvmlDeviceIsMigDeviceHandle(parent))
    assert nv.nvmlDeviceGetDeviceHandleFromMigDeviceHandle(mig) is parent
    assert nv.nvmlDeviceGetName(mig) == "NVIDIA A100-SXM4-40GB MIG 3g.20gb"
    attrs = nv.nvmlDeviceGetAttributes(mig)
    assert isinstance(attrs, pynvml.c_nvmlDeviceAttributes)
    assert (attrs.gpuInstanceSliceCount, attrs.computeInstanceSliceCount, attrs.memorySizeMB) == (3, 3, 19968)
    with pytest.raises(pynvml.NVMLError_NotSupported):
        nv.nvmlDeviceGetUtilizationRates(mig)  # utilisation is not supported on MIG
    with pytest.raises(pynvml.NVMLError_NotSupported):
        nv.nvmlDeviceGetAttributes(parent)  # only MIG handles
    assert nv.nvmlDeviceGetHandleByUUID(nv.nvmlDeviceGetUUID(mig)) is mig


def test_mig_mode_not_supported_on_l4() -> None:
    nv = FakeNVML("l4-workstation")
    nv.nvmlInit()
    h = nv.nvmlDeviceGetHandleByIndex(0)
    with pytest.raises(pynvml.NVMLError_NotSupported):
        nv.nvmlDeviceGetMigMode(h)
    with pytest.raises(pynvml.NVMLError_NotSupported):
        nv.nvmlDeviceGetMaxMigDeviceCount(h)


def test_legacy_driver_lacks_new_symbols() -> None:
    nv = FakeNVML("legacy-mig-driver")
    nv.nvmlInit()
    h = nv.nvmlDeviceGetHandleByIndex(0)
    with pytest.raises(pynvml.NVMLError_FunctionNotFound):
        nv.nvmlDeviceGetMemoryInfo(h, version=pynvml.nvmlMemory_v2)
    assert nv.nvmlDeviceGetMemoryInfo(h).total == 40536 << 20
    with pytest.raises(pynvml.NVMLLibraryMismatchError):
        nv.nvmlDeviceGetComputeRunningProcesses(h)  # unversioned wrapper over a missing _v3
    mig = nv.nvmlDeviceGetMigDeviceHandleByIndex(h, 0)
    assert nv.nvmlDeviceGetUUID(mig).startswith("MIG-GPU-")
    with pytest.raises(pynvml.NVMLError_FunctionNotFound):
        nv.nvmlDeviceGetAttributes(mig)


def test_no_permission_device_is_counted_but_cannot_be_opened() -> None:
    nv = FakeNVML("no-permission")
    nv.nvmlInit()
    assert nv.nvmlDeviceGetCount() == 4
    with pytest.raises(pynvml.NVMLError_NoPermission):
        nv.nvmlDeviceGetHandleByIndex(2)
    with pytest.raises(pynvml.NVMLError_InvalidArgument):
        nv.nvmlDeviceGetHandleByIndex(4)


def test_unmodelled_functions_raise_function_not_found() -> None:
    nv = FakeNVML("t4")
    nv.nvmlInit()
    with pytest.raises(pynvml.NVMLError_FunctionNotFound):
        nv.nvmlDeviceGetTotalEnergyConsumption(nv.nvmlDeviceGetHandleByIndex(0))


def test_error_injection_per_device_and_count() -> None:
    nv = FakeNVML("h100-sxm")
    nv.fail("nvmlDeviceGetUtilizationRates", "GpuIsLost", device=1, times=2)
    nv.fail("nvmlDeviceGetName", pynvml.NVML_ERROR_UNKNOWN, device="GPU-nope")
    nv.nvmlInit()
    h0, h1 = nv.nvmlDeviceGetHandleByIndex(0), nv.nvmlDeviceGetHandleByIndex(1)
    assert nv.nvmlDeviceGetUtilizationRates(h0).gpu == 0
    for _ in range(2):
        with pytest.raises(pynvml.NVMLError_GpuIsLost):
            nv.nvmlDeviceGetUtilizationRates(h1)
    assert nv.nvmlDeviceGetUtilizationRates(h1).gpu == 0  # injected twice only
    assert nv.nvmlDeviceGetName(h0) == "NVIDIA H100 80GB HBM3"
    nv.fail("nvmlDeviceGetCount", pynvml.NVMLError_Unknown)
    with pytest.raises(pynvml.NVMLError_Unknown):
        nv.nvmlDeviceGetCount()
    nv.clear_failures()
    assert nv.nvmlDeviceGetCount() == 8


def test_unknown_injected_error_name_is_rejected() -> None:
    with pytest.raises(GPUProfileError, match="unknown NVML error"):
        FakeNVML("t4").fail("nvmlInit", "Kaboom")


def test_time_series_advance_per_read_then_repeat_last() -> None:
    nv = FakeNVML("l4-workstation")
    nv.set_series(0, memory_used=[1, 2, 3], gpu_util=[10, None, 90])
    nv.nvmlInit()
    h = nv.nvmlDeviceGetHandleByIndex(0)
    used = [nv.nvmlDeviceGetMemoryInfo(h, version=pynvml.nvmlMemory_v2).used for _ in range(4)]
    assert used == [1, 2, 3, 3]
    assert nv.nvmlDeviceGetUtilizationRates(h).gpu == 10
    with pytest.raises(pynvml.NVMLError_NotSupported):
        nv.nvmlDeviceGetUtilizationRates(h)
    assert nv.nvmlDeviceGetUtilizationRates(h).gpu == 90


def test_process_series_returns_friendly_objects() -> None:
    nv = FakeNVML("t4")
    nv.set_series(0, processes=[[{"pid": 42, "used_memory": 1 << 30}], [{"pid": 42, "used_memory": None}]])
    nv.nvmlInit()
    h = nv.nvmlDeviceGetHandleByIndex(0)
    first = nv.nvmlDeviceGetComputeRunningProcesses(h)
    assert (first[0].pid, first[0].usedGpuMemory) == (42, 1 << 30)
    assert nv.nvmlDeviceGetComputeRunningProcesses(h)[0].usedGpuMemory is None


def test_load_profile_from_path_and_mapping(tmp_path: Path) -> None:
    data = load_profile("t4")
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    assert load_profile(path) == data
    assert load_profile(str(path)) == data
    assert FakeNVML(data).profile == data


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("no-such-profile", "neither a built-in profile"),
        ({"devices": {}}, "'devices' must be a list"),
        ({"devices": [{"name": "x", "uuid": "GPU-1"}]}, r"devices\[0\] lacks the key 'memory'"),
        (
            {"devices": [{"name": "x", "uuid": "GPU-1", "memory": {}, "mig_devices": [{"slot": 0}]}]},
            "needs 'slot'",
        ),
    ],
)
def test_bad_profiles_raise_profile_errors(profile: object, message: str) -> None:
    with pytest.raises(GPUProfileError, match=message):
        load_profile(profile)  # type: ignore[arg-type]


def test_bad_json_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(GPUProfileError, match="not readable JSON"):
        load_profile(bad)
