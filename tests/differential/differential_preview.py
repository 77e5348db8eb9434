"""Load one definition under flytekit and under podplan *with the same module name*, and build pods.

The preview of a flytekit task must equal the preview of the same task written with podplan,
byte for byte — task names, labels and container args included. The template harness
(:mod:`differential_harness`) gives the two modules different names; here each SDK's copy is
written to its own folder under one shared module name and imported in turn, so the two task
objects carry identical names (``<module>.t``) and no renaming is needed.

Also here: pod builders that turn podplan errors into comparable values, a platform with a
base PodTemplate, the sources only flytekit can write, the CLI module and the CLI driver.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import differential_harness as h

_ROOT = Path(tempfile.mkdtemp(prefix="podplan-differential-preview-"))
_COUNTER = itertools.count()


def source_text(source: str, sdk: str) -> str:
    """The full module text of ``source`` under ``sdk``'s imports ("flytekit" or "podplan")."""
    imports = h.FLYTEKIT_IMPORTS if sdk == "flytekit" else h.PODPLAN_IMPORTS
    return h.COMMON_IMPORTS + imports + "\n" + source


def write_pair(source: str, case: str) -> tuple[str, Path, Path]:
    """Write ``source`` under both SDKs' imports: (module name, flytekit file, podplan file)."""
    name = f"dp_{case}_{next(_COUNTER)}".replace("-", "_")
    paths = []
    for sdk in ("flytekit", "podplan"):
        folder = _ROOT / sdk
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.py"
        path.write_text(source_text(source, sdk))
        paths.append(path)
    return name, paths[0], paths[1]


@contextlib.contextmanager
def current(module: Any) -> Iterator[Any]:
    """Make ``module`` the one ``sys.modules`` knows under its name for the duration (flytekit
    and podplan look a task's module up there while serializing)."""
    name = module.__name__
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        yield module
    finally:
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous


def _import(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with current(module), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # disable_deck warns in both SDKs
        spec.loader.exec_module(module)
    return module


def load_pair(source: str, case: str) -> tuple[Any, Any]:
    """(flytekit module, podplan module) of ``source``, both imported under one module name."""
    name, fk_path, pp_path = write_pair(source, case)
    return _import(name, fk_path), _import(name, pp_path)


def diff(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where two JSON-like values differ (for readable assertion messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            out += diff(a.get(key), b.get(key), f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += diff(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def load_sources(fk_source: str, pp_source: str, case: str) -> tuple[Any, Any]:
    """Like :func:`load_pair`, with a different body per SDK (workflow vs ``with_overrides``)."""
    name = f"dp_{case}_{next(_COUNTER)}".replace("-", "_")
    modules = []
    for sdk, source in (("flytekit", fk_source), ("podplan", pp_source)):
        folder = _ROOT / sdk
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.py"
        path.write_text(source_text(source, sdk))
        modules.append(_import(name, path))
    return modules[0], modules[1]


# --- pods ------------------------------------------------------------------------------------------


def outcome(module: Any, entity: Any, platform: Any = None, interruptible: bool | None = None) -> Any:
    """``build_pod(entity, …)`` as a dict, or ``("error", class name, message)`` for a podplan
    error — with ``module`` current in ``sys.modules`` (serializing looks the task's module up)."""
    from podplan.errors import PodplanError
    from podplan.podspec import build_pod

    with current(module):
        try:
            return build_pod(entity, platform, interruptible=interruptible).to_dict()
        except PodplanError as exc:
            return ("error", type(exc).__name__, str(exc))


def template_pod(template: Any, platform: Any, interruptible: bool | None = None, **node: Any) -> Any:
    """The pod the backend builds from a ``TaskTemplate`` (+ node overrides/metadata), as a dict."""
    from podplan.errors import PodplanError
    from podplan.podspec.api import build_pod_from_template

    try:
        return build_pod_from_template(template, platform, interruptible=interruptible, **node).to_dict()
    except PodplanError as exc:
        return ("error", type(exc).__name__, str(exc))


#: a platform with a base PodTemplate whose default container carries limits (spec §2.4 step 3:
#: the template fills resource keys the task's container lacks)
BASE_TEMPLATE_PLATFORM = {
    "plugins": {"k8s": {"default-pod-template-name": "base"}},
    "pod_templates": {
        "base": {
            "kind": "PodTemplate",
            "metadata": {"name": "base"},
            "template": {
                "spec": {
                    "containers": [
                        {"name": "default", "resources": {"limits": {"cpu": "4", "memory": "8Gi"}}}
                    ]
                }
            },
        }
    },
}


# --- sources (flytekit-only definitions, the CLI module, a mixed module) ---------------------------

_RESOLVER = """\
from flytekit.core.base_task import TaskResolverMixin


class MyResolver(TaskResolverMixin):
    @property
    def location(self):
        return f"{__name__}.my_resolver"

    def name(self):
        return "my"

    def load_task(self, loader_args):
        return t

    def loader_args(self, settings, task):
        return ["custom", task.name]

    def get_all_tasks(self):
        return [t]


my_resolver = MyResolver()


@task(task_resolver=my_resolver, requests=Resources(cpu="1"))
def t(a: int) -> int:
    return a
"""

FLYTEKIT_ONLY = {
    "dynamic": "from flytekit import dynamic\n\n\n"
    '@dynamic(requests=Resources(cpu="1"), environment={"E": "1"})\n'
    "def t(a: int) -> int:\n    return a\n",
    "image_spec": "from flytekit import ImageSpec\n\n\n"
    '@task(container_image=ImageSpec(name="my", registry="ghcr.io/me", packages=["numpy"]), '
    'accelerator=L4, limits=Resources(gpu="1"))\ndef t(a: int) -> int:\n    return a\n',
    "custom_resolver": _RESOLVER,
    "custom_accelerator": '@task(accelerator=GPUAccelerator("nvidia-custom-x"), limits=Resources(gpu="1"))\n'
    "def t(a: int) -> int:\n    return a\n",
    "eager_drops_interruptible": '@eager(requests=Resources(cpu="1"), retries=2, interruptible=True, '
    "accelerator=L4)\n"
    "async def t(a: int) -> int:\n    return a\n",
    "async_task": '@task(requests=Resources(gpu="1"), accelerator=T4, shared_memory=True)\n'
    "async def t(a: int) -> int:\n    return a\n",
}


CLI_MODULE = """\
SIDECAR = PodTemplate(
    primary_container_name="main",
    labels={"team": "ml"},
    pod_spec=V1PodSpec(containers=[
        V1Container(name="main"),
        V1Container(name="sidecar", image="busybox:1.36", args=["sleep", "infinity"]),
    ]),
)


@task(requests=Resources(cpu="4", mem="16Gi", gpu="1"), limits=Resources(cpu="8", mem="16Gi", gpu="1"),
      accelerator=A100.partition_1g_5gb, shared_memory="2Gi", environment={"MODE": "train"})
def train(a: int) -> int:
    return a


@task(interruptible=True, retries=3, timeout=timedelta(hours=1), requests=Resources(cpu="2", mem="4Gi"),
      labels={"spot": "yes"}, annotations={"example.com/owner": "bob"})
def spot(a: int) -> int:
    return a


@task(pod_template=SIDECAR, accelerator=T4, limits=Resources(gpu="1"), container_image="repo/custom:7")
def sidecar(a: int) -> int:
    return a


@task(secret_requests=[Secret(group="g", key="k")], accelerator=A100_80GB.unpartitioned,
      resources=Resources(gpu="1"), cache=Cache(version="v3"))
def secret_d2(a: int) -> int:
    return a
"""

MIXED = """\
import flytekit
from flytekit.extras.accelerators import A100 as FK_A100

import podplan
from podplan.accelerators import A100


@podplan.task(
    requests=podplan.Resources(cpu="2", gpu="1"), accelerator=A100.partition_2g_10gb, shared_memory="1Gi"
)
def pp_gpu(a: int) -> int:
    return a


@flytekit.task(
    requests=flytekit.Resources(cpu="2", gpu="1"), accelerator=FK_A100.partition_2g_10gb, shared_memory="1Gi"
)
def fk_gpu(a: int) -> int:
    return a


fk_echo = flytekit.core.task.Echo(name="fk_echo", inputs={"a": int})
pp_node = pp_gpu.with_overrides(interruptible=True)
"""


# --- the CLI -------------------------------------------------------------------------------------


def cli(path: Path, runs: list[tuple[str, list[str]]]) -> dict[str, str]:
    """stdout of ``podplan preview`` for each run, in one driver process (each run is a full
    ``podplan`` command line through the console entry point)."""
    driver = textwrap.dedent(
        """\
        import contextlib, io, json, sys
        from podplan.cli.main import main
        out = {}
        for name, argv in json.loads(sys.argv[1]):
            buf, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
                try:
                    code = main(argv)
                except SystemExit as exc:
                    code = exc.code
            out[name] = [code, buf.getvalue(), err.getvalue()]
        print(json.dumps(out))
        """
    )
    argvs = [(name, ["preview", str(path) + argv[0], *argv[1:]]) for name, argv in runs]
    proc = subprocess.run(
        [sys.executable, "-c", driver, json.dumps(argvs)],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=True,
        timeout=120,
    )
    return {k: v for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}
