"""flytekit spec §8 vectors 83-101 and the §6.4 interplay table for ``with_overrides``.

Map tasks (76-78) apply to a plain task node here. Deviations are marked with their decision.
"""

from __future__ import annotations

import datetime

import pytest
from google.protobuf.json_format import MessageToDict
from kubernetes.client import V1Container, V1EnvVar, V1PodSpec

from podplan import serialize
from podplan.accelerators import A100, T4
from podplan.errors import PodplanError, UnknownArgumentError
from podplan.resources import Resources
from podplan.tasks import Cache, Image, ImageConfig, PodTemplate, SerializationSettings, TaskNode, task

SS = SerializationSettings(
    project="proj",
    domain="dom",
    version="123",
    image_config=ImageConfig(default_image=Image(name="name", fqn="asdf/fdsa", tag="123")),
)


def t(a: int) -> int:
    return a


T1 = task(t)
T2 = task(timeout=100)(t)
TASK = task(
    requests=Resources(cpu="1"),
    limits=Resources(cpu="2"),
    accelerator=T4,
    shared_memory=True,
    interruptible=True,
    retries=2,
    timeout=10,
)(t)


def node(n: TaskNode) -> dict:
    return MessageToDict(serialize.task_node(n, SS))


def overrides(n: TaskNode) -> dict:
    return node(n)["taskNode"].get("overrides", {})


def entries(side: list[dict] | None) -> list[tuple[str, str]]:
    return [(e["name"], e["value"]) for e in side or []]


def test_v76_77_requests_and_limits() -> None:
    r = overrides(T1.with_overrides(requests=Resources(cpu="1", mem="100", ephemeral_storage="500Mi")))
    assert entries(r["resources"]["requests"]) == [
        ("CPU", "1"),
        ("MEMORY", "100"),
        ("EPHEMERAL_STORAGE", "500Mi"),
    ]
    assert "limits" not in r["resources"]
    r = overrides(T1.with_overrides(limits=Resources(cpu="2", mem="200", ephemeral_storage="1Gi")))
    assert "requests" not in r["resources"]
    assert entries(r["resources"]["limits"]) == [
        ("CPU", "2"),
        ("MEMORY", "200"),
        ("EPHEMERAL_STORAGE", "1Gi"),
    ]


def test_v78_79_resources_pairs_and_scalars() -> None:
    r = overrides(T1.with_overrides(resources=Resources(cpu=("1", "2"), mem="100")))["resources"]
    assert entries(r["requests"]) == [("CPU", "1"), ("MEMORY", "100")]
    # deviation (D2): the scalar mem is also the limit
    assert entries(r["limits"]) == [("CPU", "2"), ("MEMORY", "100")]


def test_v80_81_illegal_resources() -> None:
    with pytest.raises(ValueError, match="can not be used together"):
        T1.with_overrides(requests=Resources(cpu=1), resources=Resources(cpu=[1, 2]))
    with pytest.raises(AssertionError):
        T1.with_overrides(requests=Resources(cpu=1, mem=1.1))


def test_v83_timeout() -> None:
    assert node(T1.with_overrides(timeout=None))["metadata"].get("timeout") is None
    assert T1.with_overrides(timeout=None).timeout == datetime.timedelta(0)
    assert T1.with_overrides().timeout == datetime.timedelta(0)
    assert node(T2.with_overrides(timeout=10))["metadata"]["timeout"] == "10s"
    assert node(T2.with_overrides())["metadata"]["timeout"] == "100s"


def test_v84_bad_timeout() -> None:
    with pytest.raises(ValueError, match=r"datetime\.timedelta or int seconds"):
        T1.with_overrides(timeout="foo")


def test_v85_retries() -> None:
    assert node(T1.with_overrides(retries=None))["metadata"]["retries"] == {}
    assert node(T1.with_overrides(retries=3))["metadata"]["retries"] == {"retries": 3}
    with pytest.raises(ValueError):
        T1.with_overrides(retries=-1)


@pytest.mark.parametrize("value", [None, True, False])
def test_v86_interruptible(value: bool | None) -> None:
    assert node(T1.with_overrides(interruptible=value))["metadata"].get("interruptible") == value


def test_v87_name_and_node_name() -> None:
    d = node(T1.with_overrides(name="foo", node_name="t_1"))
    assert (d["metadata"]["name"], d["id"]) == ("foo", "t-1")
    assert T1.with_overrides(node_name="My_Node.X").id == "my-node-x"
    assert T1.with_overrides(node_name="fooBar_baz").id == "foo-bar-baz"
    long_id = T1.with_overrides(node_name="n" * 80).id
    assert len(long_id) <= 63 and long_id.endswith("nnn")


class DummyConfig:
    def __init__(self, name: str) -> None:
        self.name = name


def test_v88_task_config_does_not_mutate_the_task() -> None:
    base = task(t)
    n = base.with_overrides(task_config=DummyConfig("flyte"))
    assert n.task_config.name == "flyte"
    assert base.task_config is None  # deviation (§9.12): flytekit changes the task object
    cfg_task = task(task_config=None)(t)
    assert cfg_task.with_overrides(task_config=None).task_config is None


def test_v88_task_config_type_change() -> None:
    from podplan.tasks.function_task import PythonFunctionTask

    tk = PythonFunctionTask(DummyConfig("a"), t)
    with pytest.raises(ValueError, match="can't change the type of the task config"):
        tk.with_overrides(task_config="x")


def test_v89_container_image() -> None:
    n = T1.with_overrides(container_image="hello/world")
    assert n.container_image == "hello/world"
    assert overrides(n)["containerImage"] == "hello/world"


def test_v90_91_extended_resources() -> None:
    acc = TASK.with_overrides(accelerator=A100.partition_1g_5gb)
    assert overrides(acc)["extendedResources"] == {
        "gpuAccelerator": {"device": "nvidia-tesla-a100", "partitionSize": "1g.5gb"}
    }
    shm = TASK.with_overrides(shared_memory="128Mi")
    assert overrides(shm)["extendedResources"]["sharedMemory"]["sizeLimit"] == "128Mi"
    assert overrides(TASK.with_overrides(shared_memory=False)) == {}


def test_v92_cache_equivalence() -> None:
    a = T1.with_overrides(cache=True, cache_version="foo", cache_serialize=True)
    b = T1.with_overrides(cache=Cache(version="foo", serialize=True))
    md = node(a)["metadata"]
    assert (md["cacheable"], md["cacheVersion"], md["cacheSerializable"]) == (True, "foo", True)
    assert a == b and node(a) == node(b)


def test_v93_cache_without_version_is_derived() -> None:
    # deviation (documented): flytekit raises; podplan derives the version from the function
    md = node(T1.with_overrides(cache=True))["metadata"]
    assert md["cacheable"] is True and len(md["cacheVersion"]) == 64


def test_v94_chained_overrides_merge() -> None:
    n = T1.with_overrides(
        accelerator=A100, cache=True, cache_version="v1", requests=Resources(cpu="5")
    ).with_overrides(retries=1)
    d = node(n)
    assert entries(d["taskNode"]["overrides"]["resources"]["requests"]) == [("CPU", "5")]
    # deviation (D5): flytekit drops the accelerator and cacheable on the second call
    assert d["taskNode"]["overrides"]["extendedResources"] == {
        "gpuAccelerator": {"device": "nvidia-tesla-a100"}
    }
    assert (d["metadata"]["cacheable"], d["metadata"]["cacheVersion"]) == (True, "v1")
    assert d["metadata"]["retries"] == {"retries": 1}


def test_v94_resources_layer_field_by_field() -> None:
    n = T1.with_overrides(requests=Resources(cpu="1", mem="1Gi")).with_overrides(
        requests=Resources(cpu="2"), limits=Resources(mem="2Gi")
    )
    r = overrides(n)["resources"]
    assert entries(r["requests"]) == [("CPU", "2"), ("MEMORY", "1Gi")]
    assert entries(r["limits"]) == [("MEMORY", "2Gi")]


def test_v95_unknown_keyword_rejected() -> None:
    # deviation (D5): flytekit silently ignores it
    with pytest.raises(UnknownArgumentError, match="foo"):
        T1.with_overrides(foo="bar")


def test_v96_97_pod_template_override() -> None:
    pt = PodTemplate(
        primary_container_name="primary",
        labels={"lKeyA": "lValA"},
        annotations={"aKeyA": "aValA"},
        pod_spec=V1PodSpec(containers=[V1Container(name="primary", env=[V1EnvVar("MY_KEY", "MY_VALUE")])]),
    )
    d = node(T1.with_overrides(pod_template=pt))
    assert d["metadata"]["name"] == "t"
    pod = d["taskNode"]["overrides"]["podTemplate"]
    assert pod["primaryContainerName"] == "primary"
    assert pod["metadata"] == {"labels": {"lKeyA": "lValA"}, "annotations": {"aKeyA": "aValA"}}
    containers = pod["podSpec"]["containers"]
    assert len(containers) == 1 and containers[0]["env"] == [{"name": "MY_KEY", "value": "MY_VALUE"}]


def test_v98_pod_template_override_uses_task_resources() -> None:
    tk = task(requests=Resources(cpu="1"), limits=Resources(cpu="2"))(t)
    d = overrides(tk.with_overrides(requests=Resources(cpu="3"), pod_template=PodTemplate()))
    assert entries(d["resources"]["requests"]) == [("CPU", "3")]
    assert d["podTemplate"]["podSpec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "2"},
        "requests": {"cpu": "1"},
    }


def test_v100_efn_reserved() -> None:
    with pytest.raises(ValueError, match="Node efn is reserved"):
        T1.with_overrides(node_name="efn")


def test_v101_type_errors() -> None:
    with pytest.raises(AssertionError, match=r"Aliases should be specified as dict\[str, str\]"):
        T1.with_overrides(aliases=[("o0", "x")])
    with pytest.raises(AssertionError, match=r"requests should be specified as podplan\.Resources"):
        T1.with_overrides(requests={"cpu": "1"})
    with pytest.raises(PodplanError):
        T1.with_overrides(accelerator="nvidia-tesla-t4")
    with pytest.raises(PodplanError):
        T1.with_overrides(shared_memory=1.5)


INTERPLAY = [
    ({}, {"name": "t", "timeout": "10s", "retries": {"retries": 2}, "interruptible": True}, {}),
    ({"interruptible": False}, {"interruptible": False}, {}),
    ({"retries": 5}, {"retries": {"retries": 5}}, {}),
    ({"timeout": 20}, {"timeout": "20s"}, {}),
    ({"timeout": None}, {"timeout": None}, {}),
    ({"cache": False}, {"cacheable": False}, {}),
    ({"cache_version": "v9"}, {"cacheVersion": "v9"}, {}),
    (
        {"container_image": "{{.image.name.fqn}}:override"},
        {},
        {"containerImage": "{{.image.name.fqn}}:override"},
    ),
    (
        {"limits": Resources(cpu=8, gpu=2)},
        {},
        {"resources": {"limits": [{"name": "CPU", "value": "8"}, {"name": "GPU", "value": "2"}]}},
    ),
]


@pytest.mark.parametrize(("kwargs", "metadata", "expected_overrides"), INTERPLAY)
def test_interplay_table(kwargs: dict, metadata: dict, expected_overrides: dict) -> None:
    d = node(TASK.with_overrides(**kwargs))
    for key, value in metadata.items():
        assert d["metadata"].get(key) == value, key
    assert d["taskNode"].get("overrides", {}) == expected_overrides
    assert d["taskNode"]["referenceId"]["name"] == TASK.name
