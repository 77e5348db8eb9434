"""Task definitions accepted by both flytekit 1.16 and podplan (source text, imports excluded).

Each case defines a task named ``t``. ``d2`` lists the fields given as a *scalar* in
``resources=``: flytekit sets only the request, podplan the request and the limit (decision D2,
docs/tasks.md); the comparison expects exactly that difference. ``env`` is the
``SerializationSettings.env`` used for both SDKs, ``defaults`` its ``default_resources``.
"""

from __future__ import annotations

import dataclasses

import flytekit.extras.accelerators as _fk_accelerators


@dataclasses.dataclass(frozen=True)
class Case:
    """One definition: ``id``, ``source``, D2 scalar fields, settings env."""

    id: str
    source: str
    d2: tuple[str, ...] = ()
    env: dict[str, str] | None = None
    #: ``SerializationSettings.default_resources`` as (requests, limits) keyword dicts
    defaults: tuple[dict[str, str], dict[str, str]] | None = None


def _t(decorator_args: str, signature: str = "a: int) -> int", body: str = "return a") -> str:
    return f"@task({decorator_args})\ndef t({signature}:\n    {body}\n"


HAND_WRITTEN: list[Case] = [
    # --- resources ---------------------------------------------------------------------------
    Case("bare", "@task\ndef t(a: int) -> int:\n    return a\n"),
    Case("empty_parens", _t("")),
    Case("requests_only", _t('requests=Resources(cpu="1", mem="2Gi")')),
    Case("limits_only", _t('limits=Resources(cpu="2", mem="4Gi", gpu="1")')),
    Case(
        "requests_and_limits",
        _t(
            'requests=Resources(cpu="1", mem="1Gi", ephemeral_storage="10Gi"), '
            'limits=Resources(cpu="2", mem="2Gi")'
        ),
    ),
    Case(
        "millicores_and_fractions",
        _t('requests=Resources(cpu="500m", mem="1536Mi"), limits=Resources(cpu="1.5")'),
    ),
    Case(
        "non_canonical_strings",
        _t('requests=Resources(cpu="1000m", mem="1024Mi"), limits=Resources(mem="0.5Gi")'),
    ),
    Case("resources_pairs", _t('resources=Resources(cpu=("1", "2"), mem=("1Gi", "2Gi"))')),
    Case("resources_list_pairs", _t('resources=Resources(cpu=["1", "2"], ephemeral_storage=["1Gi", "5Gi"])')),
    Case("resources_scalar_d2", _t('resources=Resources(cpu="1", mem="1Gi")'), d2=("cpu", "mem")),
    Case(
        "resources_mixed_d2",
        _t('resources=Resources(cpu=("1", "2"), mem="4Gi", gpu="1")'),
        d2=("mem", "gpu"),
    ),
    Case("gpu_request_limit", _t('requests=Resources(gpu="2"), limits=Resources(gpu="2")')),
    # --- accelerators and shared memory ------------------------------------------------------
    Case(
        "mig_shm_training",
        _t(
            'requests=Resources(cpu="4", mem="16Gi", gpu="1"), '
            'limits=Resources(cpu="8", mem="16Gi", gpu="1"), '
            'accelerator=A100.partition_1g_5gb, shared_memory="2Gi"'
        ),
    ),
    Case("shm_true", _t('limits=Resources(gpu="1"), accelerator=T4, shared_memory=True')),
    Case("shm_1gi", _t('shared_memory="1Gi"')),
    Case("shm_non_canonical", _t('shared_memory="2048Mi"')),
    Case("accelerator_unpartitioned", _t("accelerator=A100_80GB.unpartitioned")),
    Case("tpu", _t("accelerator=V5E")),
    # --- pod templates -----------------------------------------------------------------------
    Case("pod_template_empty", _t("pod_template=PodTemplate()")),
    Case(
        "pod_template_with_resources",
        _t(
            'pod_template=PodTemplate(), requests=Resources(cpu="1", gpu="1", ephemeral_storage="1Gi"), '
            'limits=Resources(mem="2Gi"), environment={"A": "1"}'
        ),
    ),
    Case(
        "pod_template_sidecar",
        """\
TEMPLATE = PodTemplate(
    primary_container_name="main",
    labels={"team": "ml"},
    annotations={"owner": "alice"},
    pod_spec=V1PodSpec(
        containers=[
            V1Container(name="main", env=[V1EnvVar(name="MY_KEY", value="MY_VALUE")]),
            V1Container(name="sidecar", image="busybox:1.36", args=["sleep", "infinity"]),
        ],
        tolerations=[V1Toleration(key="gpu", operator="Exists", effect="NoSchedule")],
        node_selector={"pool": "gpu"},
    ),
)


@task(pod_template=TEMPLATE, environment={"TASK": "1"})
def t(a: int) -> int:
    return a
""",
    ),
    Case(
        "pod_template_own_resources_kept",
        """\
SPEC = V1PodSpec(containers=[V1Container(
    name="primary",
    resources=V1ResourceRequirements(requests={"cpu": "2", "memory": "5Gi"}, limits={"cpu": "4"}),
)])


@task(pod_template=PodTemplate(pod_spec=SPEC))
def t(a: int) -> int:
    return a
""",
    ),
    Case(
        "pod_template_resources_replaced",
        """\
SPEC = V1PodSpec(containers=[V1Container(
    name="primary",
    resources=V1ResourceRequirements(requests={"memory": "5Gi"}, limits={"cpu": "9"}),
)])


@task(pod_template=PodTemplate(pod_spec=SPEC), requests=Resources(cpu="1"))
def t(a: int) -> int:
    return a
""",
    ),
    Case(
        "pod_template_image_and_volumes",
        """\
SPEC = V1PodSpec(
    containers=[V1Container(
        name="primary",
        image="repo/custom:3",
        volume_mounts=[V1VolumeMount(name="data", mount_path="/data")],
    )],
    volumes=[V1Volume(name="data", empty_dir={})],
)


@task(pod_template=PodTemplate(pod_spec=SPEC), container_image="repo/ignored:1", accelerator=T4)
def t(a: int) -> int:
    return a
""",
    ),
    Case("pod_template_name", _t('pod_template_name="gpu-template"')),
    # --- environment, secrets, images --------------------------------------------------------
    Case("environment", _t('environment={"B": "task", "A": "1"}'), env={"B": "settings", "C": "3"}),
    Case("settings_env_only", _t(""), env={"X": "1"}),
    Case(
        "secrets_all_mount_types",
        _t(
            'secret_requests=[Secret(group="g", key="k"), '
            'Secret(group="g2", key="k2", mount_requirement=Secret.MountType.ENV_VAR, env_var="MY_VAR"), '
            'Secret(group="g3", group_version="v2", mount_requirement=Secret.MountType.FILE)]'
        ),
    ),
    Case("image_plain", _t('container_image="repo/custom:7"')),
    Case("image_template_name", _t('container_image="{{.image.gpu}}"')),
    Case("image_template_fqn_version", _t('container_image="{{.image.gpu.fqn}}:{{.image.default.version}}"')),
    Case("image_template_digest", _t('container_image="{{.image.digest.fqn}}:{{.image.digest.version}}"')),
    Case("image_template_images_spaces", _t('container_image="{{ .images.gpu.fqn }}:latest"')),
    # --- metadata ----------------------------------------------------------------------------
    Case("cache_bool_version", _t('cache=True, cache_version="1.0"')),
    Case("cache_deprecated_kwargs", _t('cache=True, cache_version="2", cache_serialize=True')),
    Case(
        "cache_object",
        _t('cache=Cache(version="v3", serialize=True, ignored_inputs=("a",))', "a: int, b: int) -> int"),
    ),
    Case("cache_ignore_input_vars", _t('cache=True, cache_version="1", cache_ignore_input_vars=("a",)')),
    Case("cache_false_with_version", _t('cache=False, cache_version="1.0"')),
    Case("retries_timeout_int", _t("retries=3, timeout=3600")),
    Case("timeout_timedelta", _t("timeout=timedelta(minutes=1, microseconds=500)")),
    Case("interruptible_true", _t("interruptible=True")),
    Case("interruptible_false", _t("interruptible=False, retries=1")),
    Case("deprecated", _t('deprecated="use t2 instead"')),
    Case(
        "labels_annotations",
        _t('labels={"team": "ml", "tier": "gold"}, annotations={"example.com/owner": "bob"}'),
    ),
    Case("enable_deck", _t("enable_deck=True")),
    Case("disable_deck_false", _t("disable_deck=False")),
    Case(
        "enable_deck_fields", _t("enable_deck=True, deck_fields=(DeckField.SOURCE_CODE, DeckField.TIMELINE)")
    ),
    Case(
        "docs",
        _t('docs=Documentation(short_description="short", long_description=Description(value="long"))'),
    ),
    Case(
        "spot_everything",
        _t(
            "interruptible=True, retries=5, timeout=timedelta(hours=2), "
            'requests=Resources(cpu="2", mem="4Gi"), '
            'environment={"MODE": "spot"}, labels={"spot": "yes"}'
        ),
    ),
    # --- interfaces --------------------------------------------------------------------------
    Case(
        "interface_scalars",
        _t("", "a: int, b: float, c: str, d: bool, e: datetime, f: timedelta) -> str", "return c"),
    ),
    Case(
        "interface_collections",
        _t(
            "",
            "a: List[int], b: Dict[str, float], c: list[list[str]], d: dict[str, list[int]]) -> List[str]",
            "return []",
        ),
    ),
    Case(
        "interface_optional_defaults",
        _t("", "a: Optional[int] = None, b: str = 'x', c: float = 1.5) -> Optional[str]", "return None"),
    ),
    Case("interface_no_inputs_no_outputs", "@task\ndef t():\n    print('hi')\n"),
    Case("interface_tuple_outputs", _t("", "a: int) -> typing.Tuple[int, str]", 'return a, "x"')),
    Case(
        "interface_named_tuple",
        """\
class Out(NamedTuple):
    total: int
    label: str


@task
def t(a: int) -> Out:
    return Out(a, "x")
""",
    ),
    Case(
        "interface_dataclass",
        """\
@dataclass
class Point:
    x: int
    y: float = 0.0
    tags: List[str] = field(default_factory=list)


@task
def t(p: Point) -> Point:
    return p
""",
    ),
    Case(
        "interface_enum_union",
        """\
class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@task
def t(c: Color, u: Union[int, str]) -> Color:
    return c
""",
    ),
    Case(
        "interface_docstring_descriptions",
        '''\
@task
def t(a: int, b: str) -> int:
    """Do things.

    More words.

    :param a: the first input
    :param b: the second input
    :return: the answer
    """
    return a
''',
    ),
    Case(
        "interface_google_docstring",
        '''\
@task
def t(a: int) -> int:
    """Summary.

    Args:
        a: the input

    Returns:
        the output
    """
    return a
''',
    ),
    Case("interface_untyped_dict", _t("", "a: dict) -> dict", "return a")),
    Case("interface_pickle_untyped", _t("pickle_untyped=True", "a, b: int)", "return a")),
    Case("interface_date_bytes", _t("", "a: date, b: bytes) -> bytes", "return b")),
    Case(
        "interface_nested_dataclass",
        """\
@dataclass
class Inner:
    name: str
    weight: Optional[float] = None


@dataclass
class Outer:
    inner: Inner
    items: Dict[str, Inner]


@task
def t(o: Outer, many: List[Inner]) -> Dict[str, Outer]:
    return {}
""",
    ),
    # --- registration-time defaults (spec §2.2) ----------------------------------------------
    Case("default_resources_apply", _t(""), defaults=({"cpu": "7"}, {"mem": "3Gi"})),
    Case(
        "default_resources_ignored",
        _t('requests=Resources(cpu="1")'),
        defaults=({"cpu": "7"}, {"mem": "3Gi"}),
    ),
    # --- other task kinds --------------------------------------------------------------------
    Case("echo", 't = Echo(name="echo", inputs={"a": int, "b": str})\n'),
    Case(
        "eager",
        '@eager(requests=Resources(cpu="1"))\nasync def t(a: int) -> int:\n    return a\n',
    ),
]


def accelerator_cases() -> list[Case]:
    """One task per flytekit accelerator constant and per MIG partition / unpartitioned view."""
    cases = []
    for name in sorted(dir(_fk_accelerators)):
        value = getattr(_fk_accelerators, name)
        if not isinstance(value, _fk_accelerators.BaseAccelerator):
            continue
        cases.append(Case(f"acc_{name}", _t(f'limits=Resources(gpu="1"), accelerator={name}')))
        for attr in sorted(dir(value)):
            if attr.startswith("partition_") or attr == "unpartitioned":
                cases.append(Case(f"acc_{name}_{attr}", _t(f"accelerator={name}.{attr}")))
    return cases


CASES: list[Case] = HAND_WRITTEN + accelerator_cases()
