"""Differential preview (issue 4): a task defined with flytekit previews as the same task in podplan.

Every definition of the template corpus (``differential_cases``) and every ``with_overrides`` case
(``test_differential_overrides``) is written once and imported under both SDKs *with the same
module name* (``differential_preview``), so names, labels and container args agree without any
renaming. For each, on the stock platform and the ``gke-gpu`` preset (``--interruptible`` for a
few), three pods must be identical (``V1Pod.to_dict()``):

1. ``build_pod(podplan task)``;
2. ``build_pod(from_flytekit(flytekit task))`` — what ``podplan preview`` shows for flytekit code;
3. the backend's view: the pod built from *flytekit's own* ``TaskTemplate`` (and node overrides).

Documented deviations (docs/tasks-advanced.md, "Previewing flytekit tasks"): a flytekit task
previews as flytekit's template, so D2 (a scalar in ``resources=`` is a request only in flytekit)
shows where the backend does not fill the limit from the request — a base PodTemplate with limits
under a pod-template task, a node override over a task limit — and flytekit's ``@eager`` drops
``interruptible``; chained flytekit overrides forget earlier ones (D5, spec §9.9).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import differential_cases as cases
import differential_harness as h
import differential_preview as dp
import pytest
import test_differential_overrides as overrides

from podplan.errors import FlytekitConversionWarning, TargetError
from podplan.podspec import build_pod
from podplan.tasks.flytekit_compat import from_flytekit

pytestmark = pytest.mark.flytekit

PLATFORMS = [None, "gke-gpu"]
#: cases also previewed with ``interruptible=True`` (the preview's --interruptible)
INTERRUPTIBLE = {
    "bare",
    "mig_shm_training",
    "shm_true",
    "interruptible_false",
    "spot_everything",
    "pod_template_sidecar",
    "acc_A100_partition_1g_5gb",
    "acc_V5E",
}


def _case(case_id: str) -> cases.Case:
    return next(c for c in cases.CASES if c.id == case_id)


@functools.cache
def _loaded(case_id: str) -> tuple[Any, Any, Any]:
    """(flytekit module, podplan module, converted task) for a corpus case (once per case)."""
    fk, pp = dp.load_pair(_case(case_id).source, case_id)
    with dp.current(fk):
        converted = from_flytekit(fk.t)
    return fk, pp, converted


@functools.cache
def _templates(case_id: str) -> tuple[Any, Any, Any]:
    """(podplan, converted, flytekit) TaskTemplates under the harness settings of the case."""
    case = _case(case_id)
    fk, pp, converted = _loaded(case_id)
    with dp.current(pp):
        pp_tpl = h.podplan_template(pp.t, case.env, case.defaults)
    with dp.current(fk):
        conv_tpl = h.podplan_template(converted, case.env, case.defaults)
        fk_tpl = h.flytekit_template(fk.t, case.env, case.defaults)
    return pp_tpl, conv_tpl, fk_tpl


def _modes(case_id: str) -> tuple[bool | None, ...]:
    return (None, True) if case_id in INTERRUPTIBLE else (None,)


def _assert_same(expected: Any, actual: Any, what: str) -> None:
    assert expected == actual, f"{what}: " + "; ".join(dp.diff(expected, actual)[:8])


# --- 1. tasks: build_pod of the podplan task == build_pod of the converted flytekit task ---------


@pytest.mark.parametrize("platform", PLATFORMS, ids=["stock", "gke-gpu"])
@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.id)
def test_task_preview_identical(case: cases.Case, platform: str | None) -> None:
    fk, pp, converted = _loaded(case.id)
    assert converted.name == pp.t.name
    for interruptible in _modes(case.id):
        ours = dp.outcome(pp, pp.t, platform, interruptible=interruptible)
        theirs = dp.outcome(fk, converted, platform, interruptible=interruptible)
        _assert_same(ours, theirs, f"{case.id} interruptible={interruptible}")


@pytest.mark.parametrize("platform", PLATFORMS, ids=["stock", "gke-gpu"])
@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.id)
def test_task_preview_equals_flytekit_template_pod(case: cases.Case, platform: str | None) -> None:
    """The backend sees flytekit's template: the pod built from it equals the converted task's
    pod and the podplan task's pod, under the case's serialization settings (named images)."""
    pp_tpl, conv_tpl, fk_tpl = _templates(case.id)
    for interruptible in _modes(case.id):
        backend = dp.template_pod(fk_tpl, platform, interruptible)
        _assert_same(backend, dp.template_pod(conv_tpl, platform, interruptible), f"{case.id} converted")
        # D2 never shows here: the backend fills an unset limit from the request (spec §2.2)
        _assert_same(backend, dp.template_pod(pp_tpl, platform, interruptible), f"{case.id} podplan")


_IDL_NAMES = {"cpu": "CPU", "mem": "MEMORY", "gpu": "GPU", "ephemeral_storage": "EPHEMERAL_STORAGE"}


@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.id)
def test_task_template_identical(case: cases.Case) -> None:
    """``podplan preview -o template`` of the converted task equals the podplan task's, except
    D2: a scalar in ``resources=`` is a request only on flytekit's side (its template's shape)."""
    pp_tpl, conv_tpl, _ = _templates(case.id)
    ours, theirs = h.as_dict(pp_tpl), h.as_dict(conv_tpl)
    if case.d2:
        limits = ours["container"]["resources"]["limits"]
        dropped = [e for e in limits if e["name"] in {_IDL_NAMES[f] for f in case.d2}]
        assert len(dropped) == len(case.d2)
        assert "limits" not in theirs["container"]["resources"] or all(
            e not in theirs["container"]["resources"]["limits"] for e in dropped
        )
        ours["container"]["resources"]["limits"] = [e for e in limits if e not in dropped]
        if not ours["container"]["resources"]["limits"]:
            del ours["container"]["resources"]["limits"]
    _assert_same(ours, theirs, case.id)


def test_the_corpus_builds_real_pods() -> None:
    """Not vacuous: nearly every case builds a pod (Echo has none; a named pod template needs a
    platform that has it), and the comparison catches a changed pod."""
    errors = []
    for case in cases.CASES:
        _, pp, _ = _loaded(case.id)
        result = dp.outcome(pp, pp.t)
        if isinstance(result, tuple):
            errors.append(case.id)
    assert set(errors) <= {"echo", "pod_template_name"} | {
        c.id for c in cases.CASES if "image_template" in c.id
    }
    fk, _, converted = _loaded("mig_shm_training")
    pod = dp.outcome(fk, converted, "gke-gpu")
    changed = json.loads(json.dumps(pod))
    changed["spec"]["containers"][0]["resources"]["limits"]["memory"] = "3Gi"
    with pytest.raises(AssertionError):
        _assert_same(pod, changed, "mutated")


def test_d2_shows_with_a_base_template_and_follows_flytekit() -> None:
    """D2 made visible: a pod-template task with ``resources=Resources(cpu="1")`` under a base
    PodTemplate whose container has ``limits.cpu: 4``. flytekit sends only the request, so the
    backend takes the template's limit (clamped to the platform's 2); podplan sends request and
    limit 1. The flytekit task previews as flytekit's template."""
    source = (
        '@task(pod_template=PodTemplate(), resources=Resources(cpu="1", mem="1Gi"))\n'
        "def t(a: int) -> int:\n    return a\n"
    )
    fk, pp = dp.load_pair(source, "d2_base")
    platform = dp.BASE_TEMPLATE_PLATFORM
    with dp.current(fk):
        converted = from_flytekit(fk.t)
        backend = dp.template_pod(h.flytekit_template(fk.t), platform)
    theirs = dp.outcome(fk, converted, platform)
    ours = dp.outcome(pp, pp.t, platform)
    _assert_same(backend, dp.template_pod(h.podplan_template(converted), platform), "template view")
    assert theirs["spec"]["containers"][0]["resources"] == {
        "claims": None,
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "1Gi"},
    }
    assert ours["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    ours["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "2"
    _assert_same(ours, theirs, "everything but the D2 limit")


# --- 2. with_overrides nodes ------------------------------------------------------------------------


_K8S_NAMES = {
    "cpu": "cpu",
    "mem": "memory",
    "gpu": "nvidia.com/gpu",
    "ephemeral_storage": "ephemeral-storage",
}


def _node_sources(task: str, expression: str) -> tuple[str, str]:
    fk = task + f"\n\n@workflow\ndef wf(a: int) -> int:\n    return t(a=a).with_overrides({expression})\n"
    return fk, task + f"\n\nnode = t.with_overrides({expression})\n"


@functools.cache
def _nodes(case_id: str, task: str, expression: str) -> tuple[Any, Any, Any, Any]:
    """(flytekit module, podplan module, converted node, flytekit's backend view pieces)."""
    fk, pp = dp.load_sources(*_node_sources(task, expression), f"node_{case_id}")
    with dp.current(fk):
        converted = from_flytekit(fk.wf.nodes[0])
        fk_node = h.flytekit_node(fk.wf)
        fk_tpl = h.flytekit_template(fk.t)
        conv_node = h.podplan_node(converted)
        conv_tpl = h.podplan_template(converted.task)
    backend = {
        "template": fk_tpl,
        "overrides": fk_node.task_node.overrides,
        "node_metadata": fk_node.metadata,
    }
    mine = {
        "template": conv_tpl,
        "overrides": conv_node.task_node.overrides,
        "node_metadata": conv_node.metadata,
    }
    return fk, pp, converted, (backend, mine)


def _node_pod(pieces: dict[str, Any], platform: Any, interruptible: bool | None = None) -> Any:
    return dp.template_pod(
        pieces["template"],
        platform,
        interruptible,
        overrides=pieces["overrides"],
        node_metadata=pieces["node_metadata"],
    )


@pytest.mark.parametrize("platform", PLATFORMS, ids=["stock", "gke-gpu"])
@pytest.mark.parametrize("case", overrides.OVERRIDE_CASES, ids=lambda c: c.id)
def test_node_preview_identical(case: Any, platform: str | None) -> None:
    fk, pp, converted, (backend, mine) = _nodes(case.id, case.task, case.overrides)
    assert converted.id == pp.node.id
    for interruptible in (
        (None, True) if case.id in {"none", "interruptible_false", "everything"} else (None,)
    ):
        ours = dp.outcome(pp, pp.node, platform, interruptible=interruptible)
        theirs = dp.outcome(fk, converted, platform, interruptible=interruptible)
        assert not isinstance(ours, tuple), ours
        for field in case.d2:  # D2: flytekit overrides the request only; the task's limit stays
            key = _K8S_NAMES[field]
            limits = ours["spec"]["containers"][0]["resources"]["limits"]
            assert limits[key] == ours["spec"]["containers"][0]["resources"]["requests"][key]
            limits[key] = theirs["spec"]["containers"][0]["resources"]["limits"][key]
        _assert_same(ours, theirs, f"{case.id} interruptible={interruptible}")
        _assert_same(
            _node_pod(backend, platform, interruptible), _node_pod(mine, platform, interruptible), "backend"
        )


def test_node_d2_over_a_task_limit_follows_flytekit() -> None:
    """An override ``resources=Resources(mem="100Mi")`` over a task limit of 1Gi: flytekit's node
    overrides only the request (the task's limit stays, spec §2.4 step 2), podplan's both (D2)."""
    task = '@task(limits=Resources(mem="1Gi"))\ndef t(a: int) -> int:\n    return a\n'
    fk, pp, converted, (backend, mine) = _nodes("d2_node", task, 'resources=Resources(mem="100Mi")')
    theirs = dp.outcome(fk, converted)
    _assert_same(_node_pod(backend, None), _node_pod(mine, None), "backend")
    assert theirs["spec"]["containers"][0]["resources"]["limits"]["memory"] == "1Gi"
    assert theirs["spec"]["containers"][0]["resources"]["requests"]["memory"] == "100Mi"
    ours = dp.outcome(pp, pp.node)
    assert ours["spec"]["containers"][0]["resources"]["limits"]["memory"] == "100Mi"


def test_chained_flytekit_overrides_preview_as_flytekit_d5() -> None:
    """flytekit forgets the accelerator of an earlier ``with_overrides`` call (spec §9.9); the
    converted node is flytekit's final state, so its pod has no GPU selector — as the backend's."""
    expression = 'accelerator=A100, limits=Resources(gpu="1")).with_overrides(retries=1'
    fk, pp, converted, (backend, mine) = _nodes("chained", overrides.TASK, expression)
    theirs = dp.outcome(fk, converted, "gke-gpu")
    _assert_same(_node_pod(backend, "gke-gpu"), _node_pod(mine, "gke-gpu"), "backend")
    ours = dp.outcome(pp, pp.node, "gke-gpu")
    assert "nvidia-tesla-a100" in json.dumps(ours) and "nvidia-tesla-a100" not in json.dumps(theirs)


# --- 3. definitions only flytekit can write: the converted task previews as flytekit's template --


@pytest.mark.parametrize("platform", PLATFORMS, ids=["stock", "gke-gpu"])
@pytest.mark.parametrize("case_id", sorted(dp.FLYTEKIT_ONLY))
def test_flytekit_only_definition_previews_as_flytekit_template(case_id: str, platform: str | None) -> None:
    fk, _ = dp.load_pair(dp.FLYTEKIT_ONLY[case_id], case_id)
    with dp.current(fk):
        converted = from_flytekit(fk.t)
        fk_tpl = h.flytekit_template(fk.t)
        conv_tpl = h.podplan_template(converted)
    for interruptible in (None, True):
        backend = dp.template_pod(fk_tpl, platform, interruptible)
        assert not isinstance(backend, tuple), backend
        _assert_same(backend, dp.template_pod(conv_tpl, platform, interruptible), case_id)


def test_converted_specials_carry_flytekit_values() -> None:
    """What the comparisons above rely on: each special value really is in the pod."""
    pods = {}
    for case_id in ("dynamic", "image_spec", "custom_resolver"):
        fk, _ = dp.load_pair(dp.FLYTEKIT_ONLY[case_id], case_id)
        with dp.current(fk):
            converted = from_flytekit(fk.t)
        pods[case_id] = dp.outcome(fk, converted)
    env = {e["name"] for e in pods["dynamic"]["spec"]["containers"][0]["env"]}
    assert "_F_SS_C" in env  # the serialization context a dynamic task needs at run time
    assert pods["image_spec"]["spec"]["containers"][0]["image"].startswith("ghcr.io/me/my:")
    args = pods["custom_resolver"]["spec"]["containers"][0]["args"]
    assert args[-2] == "custom" and args[-1].endswith(".t") and any(a.endswith(".my_resolver") for a in args)


def test_int_shared_memory_is_dropped_as_flytekit_does() -> None:
    """flytekit drops a non-str ``shared_memory`` from its template (spec §4): so does the
    conversion, with a FlytekitConversionWarning; the pod equals flytekit's template pod."""
    source = "@task(shared_memory=1073741824)\ndef t(a: int) -> int:\n    return a\n"
    fk, _ = dp.load_pair(source, "shm_int")
    with dp.current(fk), pytest.warns(FlytekitConversionWarning, match="shared_memory=1073741824"):
        converted = from_flytekit(fk.t)
    with dp.current(fk):
        backend = dp.template_pod(h.flytekit_template(fk.t), None)
        _assert_same(backend, dp.template_pod(h.podplan_template(converted), None), "int shared memory")
    theirs = dp.outcome(fk, converted)
    assert not theirs["spec"]["volumes"]


def test_plugin_task_types_are_refused() -> None:
    """A flytekit plugin class (task type other than python-task) is built by another backend
    plugin: refusing it beats previewing a wrong pod."""
    source = textwrap.dedent(
        """\
        from flytekit.core.python_function_task import PythonFunctionTask


        def f(a: int) -> int:
            return a


        t = PythonFunctionTask(task_config=None, task_function=f, task_type="pytorch")
        """
    )
    fk, _ = dp.load_pair(source, "plugin")
    with dp.current(fk), pytest.raises(TargetError, match="task type 'pytorch'"):
        from_flytekit(fk.t)


def test_docs_are_carried() -> None:
    fk, _ = dp.load_pair(_case("docs").source, "docs_carried")
    with dp.current(fk):
        converted = from_flytekit(fk.t)
    assert converted.docs.short_description == fk.t.docs.short_description == "short"
    assert converted.docs.long_description.value == fk.t.docs.long_description.value == "long"


# --- 4. the CLI: `podplan preview` prints the same bytes ------------------------------------------

CLI_RUNS = [
    ("all-yaml", [""]),
    ("all-gke-interruptible", ["", "--platform", "gke-gpu", "--interruptible"]),
    ("one-json", [":train", "-o", "json", "--platform", "gke-gpu"]),
    ("one-explain", [":sidecar", "--explain"]),
]


@functools.cache
def _cli_outputs() -> tuple[dict[str, Any], dict[str, Any]]:
    _, fk_path, pp_path = dp.write_pair(dp.CLI_MODULE, "cli")
    runs = [*CLI_RUNS, ("template", ["", "-o", "template"])]
    return dp.cli(fk_path, runs), dp.cli(pp_path, runs)


@pytest.mark.parametrize("run", [name for name, _ in CLI_RUNS])
def test_cli_preview_byte_identical(run: str) -> None:
    fk, pp = _cli_outputs()
    assert pp[run][0] == fk[run][0] == 0, (pp[run][2], fk[run][2])
    assert "kind: Pod" in pp[run][1] or '"kind": "Pod"' in pp[run][1]
    assert fk[run][1] == pp[run][1]


def test_console_script_prints_the_same_bytes() -> None:
    """The real ``podplan`` executable, one process per SDK, ``file.py:task`` targets."""
    _, fk_path, pp_path = dp.write_pair(dp.CLI_MODULE, "cli_script")
    script = Path(sys.executable).with_name("podplan")
    outputs = []
    for path in (fk_path, pp_path):
        proc = subprocess.run(
            [str(script), "preview", f"{path.name}:train", "--platform", "gke-gpu", "--interruptible"],
            capture_output=True,
            text=True,
            cwd=path.parent,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert "nvidia.com/gpu" in outputs[1] and "cloud.google.com/gke-spot" in outputs[1]
    assert outputs[0] == outputs[1]


def test_cli_template_identical_except_d2() -> None:
    """``-o template``: the same TaskTemplate JSON, except the documented D2 entry (the scalar
    ``resources=Resources(gpu="1")`` of ``secret_d2`` is a request only on flytekit's side)."""
    fk_out, pp_out = _cli_outputs()
    fk, pp = json.loads(fk_out["template"][1]), json.loads(pp_out["template"][1])
    assert [t["id"]["name"] for t in fk] == [t["id"]["name"] for t in pp]
    assert len(pp) == 4
    for fk_t, pp_t in zip(fk, pp, strict=True):
        if pp_t["id"]["name"].endswith(".secret_d2"):
            assert "limits" not in fk_t["container"]["resources"]
            assert pp_t["container"]["resources"]["limits"] == [{"name": "GPU", "value": "1"}]
            del pp_t["container"]["resources"]["limits"]
        _assert_same(fk_t, pp_t, pp_t["id"]["name"])


# --- 5. discovery ---------------------------------------------------------------------------------


def _run_python(code: str, cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=True, timeout=120
    )
    return proc.stdout


def test_discovering_podplan_modules_never_imports_flytekit(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "tasks.py").write_text(
        "from podplan import Resources, task\nfrom podplan.accelerators import T4\n\n\n"
        '@task(limits=Resources(gpu="1"), accelerator=T4)\ndef gpu(a: int) -> int:\n    return a\n'
    )
    (tmp_path / "pkg" / "plain.py").write_text("import json\n\nVALUE = json.dumps({})\n")
    code = textwrap.dedent(
        """\
        import contextlib, io, sys
        from podplan.tasks.discovery import discover_tasks
        from podplan.cli.main import main
        found = discover_tasks(["pkg"])
        with contextlib.redirect_stdout(io.StringIO()):
            main(["preview", "pkg/tasks.py:gpu"])
            main(["check", "pkg", "--format", "json"])
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "flytekit")
        print([d.qualified_name for d in found], loaded)
        """
    )
    assert _run_python(code, tmp_path).strip() == "['pkg.tasks.gpu'] []"


def test_discovering_a_flytekit_module_reads_flytekit_the_user_imported(tmp_path: Path) -> None:
    (tmp_path / "fk_tasks.py").write_text(
        "from flytekit import Resources, task\n\n\n"
        '@task(requests=Resources(cpu="1"))\ndef cpu(a: int) -> int:\n    return a\n'
    )
    code = textwrap.dedent(
        """\
        import sys
        assert "flytekit" not in sys.modules
        from podplan.tasks.discovery import discover_tasks
        found = discover_tasks(["fk_tasks.py"])
        print([d.qualified_name for d in found], type(found[0].task).__module__, "flytekit" in sys.modules)
        """
    )
    assert _run_python(code, tmp_path).strip() == "['fk_tasks.cpu'] podplan.tasks.function_task True"


def test_mixed_module_discovers_both_kinds(tmp_path: Path) -> None:
    from podplan.tasks import PythonTask, TaskNode
    from podplan.tasks.discovery import discover_tasks

    path = tmp_path / "mixed_podplan_flytekit.py"
    path.write_text(dp.MIXED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        found = discover_tasks([str(path)])
    names = [d.qualified_name.rpartition(".")[2] for d in found]
    assert names == ["pp_gpu", "fk_gpu", "fk_echo", "pp_node"]
    assert all(isinstance(d.task, (PythonTask, TaskNode)) for d in found)
    assert all(d.source_file == str(path) for d in found)
    pods = {
        n: build_pod(d.task, "gke-gpu").to_dict() for n, d in zip(names, found, strict=True) if n != "fk_echo"
    }
    renamed = json.loads(json.dumps(pods["fk_gpu"]).replace("fk-gpu", "pp-gpu").replace("fk_gpu", "pp_gpu"))
    _assert_same(pods["pp_gpu"], renamed, "twin tasks in one module")
    assert pods["pp_node"]["metadata"]["labels"]["interruptible"] == "true"


def test_reexported_tasks_of_both_sdks_belong_to_their_home_module(tmp_path: Path) -> None:
    """A module importing tasks (function tasks and Echo, either SDK) does not list them again;
    a task built by a factory elsewhere belongs to the module that assigns it."""
    from podplan.tasks.discovery import discover_tasks

    (tmp_path / "home_tasks_dp.py").write_text(
        textwrap.dedent(
            """\
            import flytekit
            import podplan
            from flytekit.core.task import Echo


            fk_echo = Echo(name="fk_echo", inputs={"a": int})
            pp_echo = podplan.Echo(name="pp_echo", inputs={"a": int})


            @flytekit.task
            def fk_t(a: int) -> int:
                return a


            def make_task():
                @podplan.task
                def made(a: int) -> int:
                    return a

                return made
            """
        )
    )
    (tmp_path / "user_tasks_dp.py").write_text(
        "from home_tasks_dp import fk_echo, pp_echo, fk_t, make_task\n\nfrom_factory = make_task()\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        home = discover_tasks([str(tmp_path / "home_tasks_dp.py")])
        user = discover_tasks([str(tmp_path / "user_tasks_dp.py")])
    assert [d.qualified_name for d in home] == [
        "home_tasks_dp.fk_echo",
        "home_tasks_dp.pp_echo",
        "home_tasks_dp.fk_t",
    ]
    assert [d.qualified_name for d in user] == ["user_tasks_dp.from_factory"]
