"""flytekit spec §8 vectors 47-57 and 74 (pod templates, image templating) as table tests."""

from __future__ import annotations

import copy

import pytest
from google.protobuf.json_format import MessageToDict
from kubernetes.client import V1Container, V1EnvVar, V1PodSpec, V1ResourceRequirements, V1Volume

from podplan import serialize
from podplan.errors import PodplanError
from podplan.resources import Resources
from podplan.tasks import Image, ImageConfig, PodTemplate, SerializationSettings, TaskMetadata, task
from podplan.tasks.settings import get_registerable_container_image

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


def args_of(tk: object) -> list[str]:
    return tk.container_args(SS)  # type: ignore[attr-defined]


def full_template() -> PodTemplate:
    return PodTemplate(
        primary_container_name="primary",
        labels={"lKeyA": "lValA"},
        annotations={"aKeyA": "aValA"},
        pod_spec=V1PodSpec(
            containers=[
                V1Container(name="notPrimary"),
                V1Container(
                    name="primary",
                    image="repo/primaryImage:0.0.0",
                    command=["placeholderCommand"],
                    args=["placeholderArgs"],
                    resources=V1ResourceRequirements(limits={"cpu": "999", "gpu": "999"}),
                    env=[V1EnvVar(name="eKeyC", value="eValC"), V1EnvVar(name="eKeyD", value="eValD")],
                ),
            ],
            volumes=[V1Volume(name="volume")],
        ),
    )


def test_v47_48_full_pod_template() -> None:
    pt = full_template()
    before = copy.deepcopy(pt.pod_spec)
    tk = task(
        container_image="repo/image:0.0.0",
        requests=Resources(cpu="3", gpu="1"),
        limits=Resources(cpu="6", gpu="2"),
        environment={"eKeyA": "eValA", "eKeyB": "vKeyB"},
        pod_template=pt,
        pod_template_name="podTemplateA",
    )(t)
    settings = SerializationSettings(image_config=SS.image_config, env={"FOO": "bar"})
    d = tmpl(tk, settings)
    assert "container" not in d and tk.get_container(settings) is None
    assert d["config"] == {"primary_container_name": "primary"}
    assert d["metadata"]["podTemplateName"] == "podTemplateA"
    pod = d["k8sPod"]
    assert pod["metadata"] == {"labels": {"lKeyA": "lValA"}, "annotations": {"aKeyA": "aValA"}}
    assert "primaryContainerName" not in pod  # as flytekit at task level (§9.7)
    spec = pod["podSpec"]
    assert spec["containers"][0] == {"name": "notPrimary", "image": "asdf/fdsa:123"}  # 48
    primary = spec["containers"][1]
    assert primary["image"] == "repo/primaryImage:0.0.0"
    assert primary["command"] == [] and primary["args"] == args_of(tk)
    assert primary["resources"] == {"requests": {"cpu": "3", "gpu": "1"}, "limits": {"cpu": "6", "gpu": "2"}}
    assert [e["name"] for e in primary["env"]] == ["FOO", "eKeyA", "eKeyB", "eKeyC", "eKeyD"]
    assert spec["volumes"] == [{"name": "volume"}]
    assert pt.pod_spec == before  # 56: never mutated


def test_v47_supplied_metadata_keeps_retries_name_overwritten() -> None:
    from podplan.tasks.function_task import PythonFunctionTask

    tk = PythonFunctionTask(
        None,
        t,
        metadata=TaskMetadata(pod_template_name="podTemplateB", retries=3),
        pod_template_name="podTemplateA",
    )
    assert tk.metadata.retries == 3 and tk.metadata.pod_template_name == "podTemplateA"


def test_v49_minimum_pod_template() -> None:
    pt = PodTemplate(
        primary_container_name="primary", labels={"lKeyA": "lValA"}, annotations={"aKeyA": "aValA"}
    )
    tk = task(container_image="repo/image:0.0.0", pod_template=pt)(t)
    d = tmpl(tk)
    c = d["k8sPod"]["podSpec"]["containers"][0]
    assert (c["name"], c["image"], c["command"], c["args"]) == (
        "primary",
        "repo/image:0.0.0",
        [],
        args_of(tk),
    )
    assert d["config"] == {"primary_container_name": "primary"}


def test_v50_empty_template_plus_resources() -> None:
    tk = task(
        pod_template=PodTemplate(),
        requests=Resources(cpu="1", gpu="1", ephemeral_storage="1Gi"),
        limits=Resources(mem="2Gi"),
        environment={"A": "1"},
    )(t)
    spec = tmpl(tk)["k8sPod"]["podSpec"]
    assert spec == {
        "containers": [
            {
                "name": "primary",
                "image": "asdf/fdsa:123",
                "command": [],
                "args": args_of(tk),
                "env": [{"name": "A", "value": "1"}],
                "resources": {
                    "limits": {"memory": "2Gi"},
                    "requests": {"cpu": "1", "gpu": "1", "ephemeral-storage": "1Gi"},
                },
            }
        ]
    }


def _pt_with_resources() -> PodTemplate:
    return PodTemplate(
        pod_spec=V1PodSpec(
            containers=[
                V1Container(
                    name="primary",
                    resources=V1ResourceRequirements(limits={"cpu": "9"}, requests={"memory": "5Gi"}),
                )
            ]
        )
    )


def test_v51_task_resources_replace_template_resources() -> None:
    with_res = tmpl(task(pod_template=_pt_with_resources(), requests=Resources(cpu="1"))(t))
    assert with_res["k8sPod"]["podSpec"]["containers"][0]["resources"] == {
        "limits": {},
        "requests": {"cpu": "1"},
    }
    without = tmpl(task(pod_template=_pt_with_resources())(t))
    assert without["k8sPod"]["podSpec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "9"},
        "requests": {"memory": "5Gi"},
    }


def test_v52_env_order_task_then_template() -> None:
    pt = PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="primary", env=[V1EnvVar("E", "pt")])]))
    env = tmpl(task(pod_template=pt, environment={"E": "task"})(t))["k8sPod"]["podSpec"]["containers"][0][
        "env"
    ]
    assert env == [{"name": "E", "value": "task"}, {"name": "E", "value": "pt"}]


def test_v53_template_image_beats_container_image() -> None:
    pt = PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="primary", image="my/img:1")]))
    assert (
        tmpl(task(pod_template=pt, container_image="foo/bar:baz")(t))["k8sPod"]["podSpec"]["containers"][0][
            "image"
        ]
        == "my/img:1"
    )
    assert (
        tmpl(task(pod_template=PodTemplate(), container_image="foo/bar:baz")(t))["k8sPod"]["podSpec"][
            "containers"
        ][0]["image"]
        == "foo/bar:baz"
    )


def test_v54_numbers_become_canonical_strings() -> None:
    # deviation (D3): flytekit writes JSON numbers (1.0, 1024.0) into the pod spec
    tk = task(pod_template=PodTemplate(), requests=Resources(cpu=1, mem=1024), limits=Resources(cpu=0.5))(t)
    # request > limit is kept here: the preview/check report it (D6)
    r = tmpl(tk)["k8sPod"]["podSpec"]["containers"][0]["resources"]
    assert r == {"limits": {"cpu": "500m"}, "requests": {"cpu": "1", "memory": "1024"}}
    pt = PodTemplate(
        pod_spec={
            "containers": [{"name": "side", "resources": {"limits": {"memory": 1073741824, "cpu": 0.25}}}]
        }
    )
    side = tmpl(task(pod_template=pt)(t))["k8sPod"]["podSpec"]["containers"][0]
    assert side["resources"] == {"limits": {"memory": "1073741824", "cpu": "250m"}}


@pytest.mark.parametrize("name", ["", None])
def test_v55_primary_name_required(name: object) -> None:
    with pytest.raises(AssertionError, match="A primary container name cannot be undefined"):
        PodTemplate(primary_container_name=name)  # type: ignore[arg-type]


def test_v56_no_mutation_and_equality() -> None:
    pt = PodTemplate(labels={"lKeyA": "lValA", "lKeyB": "lValB"})
    tk = task(pod_template=pt, requests=Resources(cpu="1"))(t)
    tk.get_k8s_pod(SS)
    assert pt == PodTemplate(labels={"lKeyA": "lValA", "lKeyB": "lValB"})
    assert pt.pod_spec is None


def test_v57_version_hash() -> None:
    assert PodTemplate().version_hash() == PodTemplate().version_hash()
    a = PodTemplate(
        labels={"a": "1", "b": "2"}, pod_spec=V1PodSpec(containers=[], node_selector={"x": "1", "y": "2"})
    )
    b = PodTemplate(
        labels={"b": "2", "a": "1"}, pod_spec=V1PodSpec(containers=[], node_selector={"y": "2", "x": "1"})
    )
    assert a.version_hash() == b.version_hash() and a == b and hash(a) == hash(b)
    variants = [
        PodTemplate(primary_container_name="other"),
        PodTemplate(labels={"a": "1"}),
        PodTemplate(annotations={"a": "1"}),
        PodTemplate(pod_spec=V1PodSpec(containers=[], restart_policy="Never")),
        PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="c1"), V1Container(name="c2")])),
        PodTemplate(pod_spec=V1PodSpec(containers=[V1Container(name="c2"), V1Container(name="c1")])),
    ]
    hashes = {v.version_hash() for v in variants} | {PodTemplate().version_hash()}
    assert len(hashes) == len(variants) + 1


def test_pod_spec_dict_equals_model() -> None:
    as_dict = PodTemplate(
        pod_spec={"containers": [{"name": "primary", "image": "x/y:1"}], "restartPolicy": "Never"}
    )
    as_model = PodTemplate(
        pod_spec=V1PodSpec(containers=[V1Container(name="primary", image="x/y:1")], restart_policy="Never")
    )
    assert tmpl(task(pod_template=as_dict)(t))["k8sPod"] == tmpl(task(pod_template=as_model)(t))["k8sPod"]


@pytest.mark.parametrize(
    "spec",
    [
        {"containers": [{"name": "primary", "resources": {"limits": {"memory": "1GB"}}}]},
        {"containers": [{"name": "primary", "resources": {"limitz": {"memory": "1Gi"}}}]},
        {"containers": "primary"},
        42,
    ],
)
def test_pod_template_validated_at_construction(spec: object) -> None:
    with pytest.raises(PodplanError):
        PodTemplate(pod_spec=spec)


# --- 74: image templating ---------------------------------------------------------------------

CFG = ImageConfig(
    default_image=Image("default", "xyz.com/abc", "tag1"),
    images=(
        Image("other", "xyz.com/other", "tag-other"),
        Image("other-2", "xyz.com/other2", digest="sha256:26c6"),
    ),
)


@pytest.mark.parametrize(
    ("img", "expected"),
    [
        ("abc:{{.image.default.version}}", "abc:tag1"),
        ("{{.image.other.fqn}}:{{.image.default.version}}", "xyz.com/other:tag1"),
        ("{{.images.other.fqn}}", "xyz.com/other"),
        ("{{.image.default}}", "xyz.com/abc:tag1"),
        ("{{ .image.other.fqn }}:v", "xyz.com/other:v"),
        ("{{.image.other-2.fqn}}:{{.image.other-2.version}}", "xyz.com/other2@sha256:26c6"),
        ("plain/image:1", "plain/image:1"),
        ("{{image.default.fqn}}", "{{image.default.fqn}}"),
        ("{{.IMAGE.default.FQN}}", "xyz.com/abc"),  # deviation (§9.20): flytekit asserts on FQN
        (None, "xyz.com/abc:tag1"),
        ("", "xyz.com/abc:tag1"),
    ],
)
def test_v74_image_templating(img: str | None, expected: str) -> None:
    assert get_registerable_container_image(img, CFG) == expected


def test_v74_image_errors() -> None:
    with pytest.raises(AssertionError, match="Image Config with name missing not found"):
        get_registerable_container_image("{{.image.missing.fqn}}", CFG)
    with pytest.raises(AssertionError, match="Only fqn and version are supported"):
        get_registerable_container_image("{{.image.default.tag}}", CFG)
    with pytest.raises(ValueError, match="An image is required"):
        get_registerable_container_image("", ImageConfig())


def test_image_parsing_and_default_settings() -> None:
    assert Image.look_up_image_info("x", "reg/repo:1.0") == Image("x", "reg/repo", "1.0")
    assert Image.look_up_image_info("x", "reg:5000/repo@sha256:ab").digest == "sha256:ab"
    with pytest.raises(AssertionError):
        Image.look_up_image_info("x", "reg:5000/repo")
    with pytest.raises(ValueError):
        Image("x", "f", tag="a", digest="b")
    d = SerializationSettings.default()
    assert (d.project, d.domain, d.version) == ("flytesnacks", "development", "local")
    assert d.image_config.default_image is not None
    assert d.image_config.default_image.full.startswith("cr.flyte.org/flyteorg/flytekit:py3.")
