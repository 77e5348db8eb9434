# ruff: noqa: E501
"""flytekit spec §8 vectors for ``@task`` (26-29, 32, 35-75) as table tests.

Each deviation from flytekit 1.16 is marked with the DESIGN decision that justifies it.
"""

from __future__ import annotations

import datetime
import warnings

import pytest
from google.protobuf.json_format import MessageToDict

from podplan import serialize
from podplan.accelerators import A100, T4
from podplan.errors import PodplanError, UnknownArgumentError
from podplan.resources import Resources, ResourceSpec
from podplan.tasks import (
    Cache,
    DeckField,
    Image,
    ImageConfig,
    PodTemplate,
    Secret,
    SerializationSettings,
    TaskMetadata,
    task,
)

SS = SerializationSettings(
    project="proj",
    domain="dom",
    version="123",
    image_config=ImageConfig(default_image=Image(name="name", fqn="asdf/fdsa", tag="123")),
    env={},
)


def t(a: int) -> int:
    return a


def tmpl(tk: object, settings: SerializationSettings = SS) -> dict:
    return MessageToDict(serialize.task_template(tk, settings))


def entries(side: list[dict] | None) -> list[tuple[str, str]]:
    return [(e["name"], e["value"]) for e in side or []]


def res(tk: object, settings: SerializationSettings = SS) -> tuple[list, list]:
    r = tmpl(tk, settings)["container"].get("resources", {})
    return entries(r.get("requests")), entries(r.get("limits"))


# --- 26-29: accelerators ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acc", "expected"),
    [
        (T4, {"device": "nvidia-tesla-t4"}),  # 26
        (A100, {"device": "nvidia-tesla-a100"}),  # 27
        (A100.unpartitioned, {"device": "nvidia-tesla-a100", "unpartitioned": True}),  # 28
        (A100.partition_1g_5gb, {"device": "nvidia-tesla-a100", "partitionSize": "1g.5gb"}),  # 29
    ],
)
def test_v26_29_accelerator(acc: object, expected: dict) -> None:
    d = tmpl(task(accelerator=acc)(t))
    assert d["extendedResources"] == {"gpuAccelerator": expected}
    assert "resources" not in d["container"] or d["container"]["resources"] == {}


def test_v32_string_accelerator_rejected_at_decoration() -> None:
    # deviation (D3): flytekit decorates and fails at serialization with AttributeError
    with pytest.raises(PodplanError, match="T4"):
        task(accelerator="nvidia-tesla-t4")(t)


# --- 35-46: container resources ---------------------------------------------------------------


def test_v35_requests_limits_one_order() -> None:
    tk = task(
        requests=Resources(cpu="1", mem="2Gi", gpu="1", ephemeral_storage="10Gi"), limits=Resources(cpu="2")
    )(t)
    # deviation (one documented order CPU, GPU, MEMORY, EPHEMERAL_STORAGE; flytekit: EPHEMERAL first)
    assert res(tk) == (
        [("CPU", "1"), ("GPU", "1"), ("MEMORY", "2Gi"), ("EPHEMERAL_STORAGE", "10Gi")],
        [("CPU", "2")],
    )


def test_v36_resources_pairs() -> None:
    tk = task(resources=Resources(cpu=("1", "2"), mem=(1024, 2048), gpu=1))(t)
    assert tk.resources.requests.cpu == Resources(cpu="1").cpu
    assert tk.resources.limits.cpu == Resources(cpu="2").cpu
    assert tk.resources.requests.mem == Resources(mem=1024).mem
    assert tk.resources.limits.mem == Resources(mem=2048).mem
    # deviation (D2): the scalar gpu=1 is request *and* limit (flytekit: request only)
    assert tk.resources.limits.gpu == Resources(gpu=1).gpu


@pytest.mark.parametrize(
    "kwargs",
    [
        {"resources": Resources(cpu=("1", "2")), "limits": Resources(cpu=1)},  # 37
        {"resources": Resources(cpu="1"), "requests": Resources()},  # 38
    ],
)
def test_v37_38_resources_conflict(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="`resource` can not be used together with"):
        task(**kwargs)(t)


def test_v39_scalar_resources_set_request_and_limit() -> None:
    # deviation (D2): flytekit puts scalars in requests only
    tk = task(resources=Resources(cpu="1", mem="1Gi"))(t)
    assert res(tk) == ([("CPU", "1"), ("MEMORY", "1Gi")], [("CPU", "1"), ("MEMORY", "1Gi")])


def test_v40_unknown_keyword() -> None:
    with pytest.raises(UnknownArgumentError, match="template") as info:
        task(template="x")(t)
    assert isinstance(info.value, TypeError)


def test_v41_zero_values_are_kept_as_quantities() -> None:
    # deviation (D3): 0 and "0" are the same value; flytekit drops the int 0 and keeps "0"
    tk = task(requests=Resources(cpu="0", gpu=0), limits=Resources(cpu=0))(t)
    assert res(tk) == ([("CPU", "0"), ("GPU", "0")], [("CPU", "0")])


def test_v42_numbers_serialize_canonically() -> None:
    # deviation (D3): flytekit raises TypeError at to_flyte_idl for ints
    tk = task(requests=Resources(cpu=1, gpu=1, mem=1024))(t)
    assert res(tk) == ([("CPU", "1"), ("GPU", "1"), ("MEMORY", "1024")], [])
    tk2 = task(requests=Resources(cpu=0.5, mem="1024Mi"))(t)
    assert res(tk2)[0] == [("CPU", "500m"), ("MEMORY", "1Gi")]


def test_v43_pair_in_requests_rejected_at_decoration() -> None:
    # deviation (D3): flytekit fails only in get_container
    with pytest.raises(ValueError):
        task(requests=Resources(cpu=("1", "2")))(t)


def test_v44_default_resources_without_mutation() -> None:
    defaults = ResourceSpec(requests=Resources(cpu="7"), limits=Resources(mem="3Gi"))
    settings = SerializationSettings(image_config=SS.image_config, default_resources=defaults)
    plain = task(t)
    assert res(plain, settings) == ([("CPU", "7")], [("MEMORY", "3Gi")])
    assert plain.resources is None  # deviation (§9.8): flytekit stores the defaults on the task
    assert res(plain) == ([], [])
    own = task(requests=Resources(cpu="1"))(t)
    assert res(own, settings) == ([("CPU", "1")], [])


def test_v46_environment_merge() -> None:
    tk = task(environment={"HAM": "spam", "B": "task"})(t)
    with_env = SerializationSettings(image_config=SS.image_config, env={"FOO": "bar", "B": "settings"})
    env = tmpl(tk, with_env)["container"]["env"]
    assert env == [
        {"key": "FOO", "value": "bar"},
        {"key": "B", "value": "task"},
        {"key": "HAM", "value": "spam"},
    ]
    assert tmpl(tk)["container"]["env"] == [{"key": "HAM", "value": "spam"}, {"key": "B", "value": "task"}]


# --- 60-75: metadata and other parameters ------------------------------------------------------


def test_v60_default_metadata() -> None:
    tk = task(t)
    assert tk.metadata == TaskMetadata(timeout=datetime.timedelta(0))
    md = tmpl(tk)["metadata"]
    md.pop("runtime")
    assert md == {"retries": {}, "generatesDeck": False, "metadata": {}}


@pytest.mark.parametrize("value", [True, False])
def test_v61_interruptible(value: bool) -> None:
    assert tmpl(task(interruptible=value)(t))["metadata"]["interruptible"] is value


def test_v61_interruptible_validated() -> None:
    # deviation (§9.16): flytekit fails at proto conversion
    with pytest.raises(TypeError, match="interruptible"):
        task(interruptible="yes")(t)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30, "30s"),
        (datetime.timedelta(minutes=1, microseconds=500), "60.000500s"),
        (0, None),
        (datetime.timedelta(0), None),
    ],
)
def test_v62_timeout(value: object, expected: str | None) -> None:
    assert tmpl(task(timeout=value)(t))["metadata"].get("timeout") == expected


@pytest.mark.parametrize("value", [1.5, "10", True, -5, datetime.timedelta(seconds=-1)])
def test_v62_bad_timeout(value: object) -> None:
    # -5 and True: deviation (§9.16), flytekit accepts them
    with pytest.raises(ValueError, match="timeout"):
        task(timeout=value)(t)


def test_v63_retries() -> None:
    assert tmpl(task(retries=3)(t))["metadata"]["retries"] == {"retries": 3}
    with pytest.raises(ValueError, match="retries"):  # flytekit: only at serialization
        task(retries=-1)(t)


def test_v64_deprecated() -> None:
    assert tmpl(task(deprecated="use t2")(t))["metadata"]["deprecatedErrorMessage"] == "use t2"


def test_v65_cache_kwargs() -> None:
    tk = task(cache=True, cache_serialize=True, cache_version="1.0")(t)
    assert (tk.metadata.cache, tk.metadata.cache_serialize, tk.metadata.cache_version) == (True, True, "1.0")
    plain = task()(t)
    assert (plain.metadata.cache, plain.metadata.cache_serialize, plain.metadata.cache_version) == (
        False,
        False,
        "",
    )
    with pytest.raises(ValueError, match=r"Cache serialize is enabled ``cache_serialize=True``"):
        task(cache_serialize=True)(t)


def test_v65_cache_true_derives_a_version() -> None:
    # deviation (documented): flytekit raises "If version is not defined ..."
    a = task(cache=True)(t)
    assert a.metadata.cache and len(a.metadata.cache_version) == 64
    assert task(cache=True)(t).metadata.cache_version == a.metadata.cache_version

    def other(a: int) -> int:
        return a + 1

    assert task(cache=True)(other).metadata.cache_version != a.metadata.cache_version


def test_v66_cache_object() -> None:
    tk = task(cache=Cache(version="a-version", serialize=True))(t)
    d = tmpl(tk)["metadata"]
    assert (d["discoverable"], d["discoveryVersion"], d["cacheSerializable"]) == (True, "a-version", True)
    ign = task(cache=Cache(version="a-version", ignored_inputs=("a",)))(t)
    assert ign.metadata.cache_ignore_input_vars == ("a",)


class SaltCachePolicy:
    def get_version(self, salt: str, params: object) -> str:
        return salt


class ExceptionCachePolicy:
    def get_version(self, salt: str, params: object) -> str:
        raise RuntimeError("boom")


def test_v66_67_policies() -> None:
    wins = task(cache=Cache(version="version-overrides-policies", policies=SaltCachePolicy()))(t)
    assert wins.metadata.cache_version == "version-overrides-policies"
    empty = task(cache=Cache(policies=SaltCachePolicy()))(t)
    assert empty.metadata.cache_version == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    salted = task(cache=Cache(policies=SaltCachePolicy(), salt="a-sprinkle-of-salt"))(t)
    assert salted.metadata.cache_version == "348b4b8c52d8868e0c202ce4d26d59906c13716197b611a0a7a215074159df79"


@pytest.mark.parametrize(
    "extra", [{"cache_version": "x"}, {"cache_serialize": True}, {"cache_ignore_input_vars": ("a",)}]
)
def test_v68_cache_object_with_deprecated_kwargs(extra: dict) -> None:
    with pytest.raises(ValueError, match=r"deprecated\. Please use Cache object"):
        task(cache=Cache(version="a-version"), **extra)(t)


def test_v69_policy_exception() -> None:
    with pytest.raises(ValueError, match="Failed to generate version for cache policy"):
        task(cache=Cache(policies=ExceptionCachePolicy()))(t)


def test_v70_ignore_vars_without_cache() -> None:
    with pytest.raises(ValueError) as info:
        task(cache_ignore_input_vars=("a",))(t)
    assert str(info.value) == (
        "Cache ignore input vars are specified ``cache_ignore_input_vars=('a',)`` but ``cache`` is not enabled."
    )


def test_v71_labels_annotations() -> None:
    tk = task(labels={"lkey": "lval"}, annotations={"akey": "aval"})(t)
    assert tk.metadata.labels == {"lkey": "lval"} and tk.metadata.annotations == {"akey": "aval"}
    assert tmpl(tk)["metadata"]["metadata"] == {"labels": {"lkey": "lval"}, "annotations": {"akey": "aval"}}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"labels": {"bad key": "v"}},
        {"labels": {"k": "-starts-with-dash"}},
        {"labels": {"k": "x" * 64}},
        {"labels": {"UPPER.example.com/k": "v"}},
        {"annotations": {"": "v"}},
        {"labels": {"k": 1}},
    ],
)
def test_v71_kubernetes_rules(kwargs: dict) -> None:
    with pytest.raises(PodplanError):
        task(**kwargs)(t)


def test_v72_deck_flags() -> None:
    assert tmpl(task(enable_deck=True)(t))["metadata"]["generatesDeck"] is True
    assert tmpl(task(enable_deck=False)(t))["metadata"]["generatesDeck"] is False
    with pytest.raises(ValueError, match=r"only one of \[disable_deck, enable_deck\] can be set"):
        task(disable_deck=True, enable_deck=True)(t)
    with pytest.warns(FutureWarning, match="disable_deck was deprecated"):
        tk = task(disable_deck=False)(t)
    assert tk.enable_deck is True and tk.deck_fields == list(DeckField)  # a list, as flytekit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert task(t).deck_fields == []  # flytekit: [] when decks are off (spec §5.10)
    with pytest.raises(ValueError, match="not a valid deck field"):
        task(enable_deck=True, deck_fields=("Source Code",))(t)


def test_v73_secrets() -> None:
    with pytest.raises(AssertionError, match="Secret g should be of type"):
        task(secret_requests=["g"])(t)
    with pytest.raises(ValueError, match="Group is a required parameter"):
        Secret(key="k")
    with pytest.raises(ValueError, match="Invalid environment variable name: my-var"):
        Secret(group="g", env_var="my-var")
    tk = task(secret_requests=[Secret(group="g", key="k")])(t)
    assert tmpl(tk)["securityContext"] == {"secrets": [{"group": "g", "key": "k"}]}
    full = Secret(group="g", key="k", env_var="MY_VAR", mount_requirement=Secret.MountType.ENV_VAR)
    assert MessageToDict(full.to_idl()) == {
        "group": "g",
        "key": "k",
        "mountRequirement": "ENV_VAR",
        "envVar": "MY_VAR",
    }
    assert "securityContext" not in tmpl(task(secret_requests=[])(t))


def test_v75_node_dependency_hints() -> None:
    base = task(t)
    with pytest.raises(ValueError, match="node_dependency_hints should only be used on dynamic tasks"):
        task(node_dependency_hints=[base])(t)


def test_pod_template_name_goes_to_metadata() -> None:
    tk = task(pod_template_name="podTemplateA")(t)
    assert tmpl(tk)["metadata"]["podTemplateName"] == "podTemplateA"
    assert "container" in tmpl(tk)  # a name alone keeps the normal container


def test_v58_pod_template_with_shared_memory() -> None:
    tk = task(pod_template=PodTemplate(), shared_memory=True)(t)
    d = tmpl(tk)
    assert d["extendedResources"] == {
        "sharedMemory": {"mountPath": "/dev/shm", "mountName": "flyte-shared-memory"}
    }
    assert "volumes" not in d["k8sPod"]["podSpec"]
