"""Load one definition under flytekit and under podplan *with the same module name*, and build pods.

The preview of a flytekit task must equal the preview of the same task written with podplan,
byte for byte — task names, labels and container args included. The template harness
(:mod:`differential_harness`) gives the two modules different names; here each SDK's copy is
written to its own folder under one shared module name and imported in turn, so the two task
objects carry identical names (``<module>.t``) and no renaming is needed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import sys
import tempfile
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
