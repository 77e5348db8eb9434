"""Find tasks in files, modules, packages and directories named by the user (CLI targets).

Targets:

* ``path/to/file.py:name`` / ``package.module:name`` — one object (a task or a task node);
* ``path/to/file.py`` / ``package.module`` — every task in that module;
* ``path/to/dir`` / ``package`` — every task in every module below it (recursively).

User code is imported only when the user names it (DESIGN D10). A file inside a package (folders
with ``__init__.py``) is imported under its dotted package name with the package root on
``sys.path``; a loose file is imported under its stem with its folder on ``sys.path`` — the
same module names flytekit uses, so task names (``module.function``) agree. Objects found are
podplan tasks and task nodes, and flytekit tasks when the user's module imported flytekit
(detected through ``sys.modules``; podplan never imports flytekit itself), converted with
:func:`podplan.tasks.flytekit_compat.from_flytekit`.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import os
import sys
import types
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podplan.errors import PodplanError, TargetError

#: set by ``discover_tasks(keep_invalid=True)`` for the duration of one discovery
_KEEP_INVALID: ContextVar[bool] = ContextVar("podplan_keep_invalid_tasks", default=False)

__all__ = ["DiscoveredTask", "discover_tasks", "is_task", "load_target"]

#: folders never descended into when a directory is scanned
SKIP_DIRS = frozenset(
    {"__pycache__", "node_modules", "site-packages", "venv", ".venv", "build", "dist", ".git", ".tox"}
)
#: modules this process imported from user files: name -> resolved source path
_LOADED_FROM_FILES: dict[str, Path] = {}


@dataclass(frozen=True)
class DiscoveredTask:
    """A task found in a module: ``qualified_name`` is ``"<module>.<attribute>"``."""

    qualified_name: str
    task: Any
    source_file: str | None
    #: why the task could not be read (a flytekit task with a value podplan rejects); only with
    #: ``discover_tasks(..., keep_invalid=True)``, and then ``task`` is the original object
    error: PodplanError | None = None


# --- what counts as a task ------------------------------------------------------------------


def _flytekit_task_class() -> type | None:
    module = sys.modules.get("flytekit.core.base_task")
    return getattr(module, "PythonTask", None) if module is not None else None


def _is_podplan_entity(obj: Any) -> bool:
    base = sys.modules.get("podplan.tasks.base")
    if base is not None and isinstance(obj, base.PythonTask):
        return True
    node = sys.modules.get("podplan.tasks.node")
    return node is not None and isinstance(obj, getattr(node, "TaskNode", ()))


def is_flytekit_task(obj: Any) -> bool:
    """True for a flytekit task object (without importing flytekit)."""
    cls = _flytekit_task_class()
    return cls is not None and isinstance(obj, cls)


def is_task(obj: Any) -> bool:
    """True for a podplan task or task node, or a flytekit task."""
    return _is_podplan_entity(obj) or is_flytekit_task(obj)


def _to_podplan(obj: Any, where: str) -> Any:
    if _is_podplan_entity(obj):
        return obj
    from podplan.tasks.flytekit_compat import from_flytekit

    try:
        return from_flytekit(obj)
    except TargetError:
        raise
    except Exception as exc:
        raise TargetError(f"{where}: cannot read the flytekit task: {exc}") from exc


def _entry(qualified_name: str, obj: Any, where: str, source: str | None) -> DiscoveredTask:
    """One discovered task; with ``keep_invalid`` a flytekit task podplan rejects is kept with
    its error instead of aborting the whole discovery."""
    try:
        return DiscoveredTask(qualified_name, _to_podplan(obj, where), source)
    except TargetError as exc:
        if not _KEEP_INVALID.get():
            raise
        cause = exc.__cause__
        return DiscoveredTask(qualified_name, obj, source, cause if isinstance(cause, PodplanError) else exc)


def _home_module(obj: Any) -> str | None:
    """Where ``obj`` was defined: its function's module, else the module that created it
    (``instantiated_in`` — Echo and reference tasks of both SDKs); ``None`` when unknown."""
    fn = getattr(obj, "task_function", None) or getattr(obj, "_task_function", None)
    module = getattr(fn, "__module__", None)
    if isinstance(module, str):
        return module
    try:
        created = getattr(obj, "instantiated_in", None)
    except Exception:  # a flytekit property may raise before tracking completed
        return None
    return created if isinstance(created, str) and created and created != "__main__" else None


def _defined_elsewhere(obj: Any, module: types.ModuleType) -> bool:
    """True when ``obj`` is a re-export: its home module is another module that holds it too
    (a task built by a factory in another module belongs to the module that assigns it)."""
    home = _home_module(obj)
    if home is None or home == module.__name__:
        return False
    home_module = sys.modules.get(home)
    return home_module is not None and any(v is obj for v in vars(home_module).values())


# --- importing --------------------------------------------------------------------------------


def _package_root_and_name(path: Path) -> tuple[Path, str]:
    """For ``a/b/c.py`` where ``a`` and ``b`` are packages: (parent of ``a``, ``"a.b.c"``)."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts)


def _import_file(path: Path, target: str) -> types.ModuleType:
    path = path.resolve()
    root, name = _package_root_and_name(path)
    if not name:
        raise TargetError(f"{target}: cannot derive a module name for {path}")
    existing = sys.modules.get(name)
    if existing is not None:
        existing_file = getattr(existing, "__file__", None)
        if existing_file and Path(existing_file).resolve() == path:
            return existing
        if name not in _LOADED_FROM_FILES:
            raise TargetError(
                f"{target}: its module name {name!r} is already taken by {existing_file or 'a builtin'}; "
                "rename the file"
            )
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[loaded]
    root_str = str(root)
    if root_str not in sys.path:
        sys.path.insert(0, root_str)
    try:
        if "." in name:
            module = importlib.import_module(name)
        else:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise TargetError(f"{target}: {path} is not an importable Python file")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(name, None)
                raise
    except TargetError:
        raise
    except Exception as exc:
        raise TargetError(f"{target}: importing {path} failed: {type(exc).__name__}: {exc}") from exc
    _LOADED_FROM_FILES[name] = path
    return module


def _import_module(name: str, target: str) -> types.ModuleType:
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise TargetError(
                f"{target}: no module named {exc.name!r} (neither a file nor an importable module)"
            ) from exc
        raise TargetError(f"{target}: importing {name} failed: ModuleNotFoundError: {exc}") from exc
    except Exception as exc:
        raise TargetError(f"{target}: importing {name} failed: {type(exc).__name__}: {exc}") from exc


def _module_files(folder: Path) -> list[Path]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        files.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
    return files


def _package_modules(package: types.ModuleType) -> list[str]:
    import pkgutil

    names = [package.__name__]
    search = getattr(package, "__path__", None)
    if search is not None:
        for info in sorted(pkgutil.walk_packages(search, package.__name__ + "."), key=lambda i: i.name):
            names.append(info.name)
    return names


# --- collecting tasks -------------------------------------------------------------------------


def _module_entities(module: types.ModuleType) -> list[tuple[str, Any]]:
    """Tasks in ``module`` in definition order, skipping ones imported from elsewhere."""
    found = []
    for attr, obj in list(vars(module).items()):
        if attr.startswith("__") or not is_task(obj) or _defined_elsewhere(obj, module):
            continue
        found.append((attr, obj))
    return found


def _source(module: types.ModuleType) -> str | None:
    file = getattr(module, "__file__", None)
    return str(file) if file else None


def _discovered(module: types.ModuleType, target: str, seen: set[int] | None = None) -> list[DiscoveredTask]:
    """Tasks of ``module``; an object already in ``seen`` (found in an earlier module) is skipped."""
    out = []
    for attr, obj in _module_entities(module):
        if seen is not None:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
        out.append(_entry(f"{module.__name__}.{attr}", obj, f"{target}: {attr}", _source(module)))
    return out


def _describe(obj: Any) -> str:
    if isinstance(obj, types.FunctionType):
        return "a function, not a task (decorate it with @task)"
    return f"a {type(obj).__name__}, not a task"


def _select(module: types.ModuleType, attr: str, target: str, where: str) -> DiscoveredTask:
    tasks = [name for name, _ in _module_entities(module)]
    if not hasattr(module, attr):
        listing = ", ".join(tasks) if tasks else "none"
        message = f"no task named {attr!r} in {where}; tasks there: {listing}"
        close = difflib.get_close_matches(attr, tasks, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
        raise TargetError(message)
    obj = getattr(module, attr)
    if not is_task(obj):
        listing = ", ".join(tasks) if tasks else "none"
        raise TargetError(f"{attr!r} in {where} is {_describe(obj)}; tasks there: {listing}")
    return _entry(f"{module.__name__}.{attr}", obj, target, _source(module))


def _load(target: str, seen: set[int] | None = None) -> list[DiscoveredTask]:
    if not isinstance(target, str) or not target.strip():
        raise TargetError(f"target {target!r} is empty: expected file.py[:task] or package.module[:task]")
    spec, sep, attr = target.rpartition(":") if _has_attr_suffix(target) else (target, "", "")
    if sep and not attr.isidentifier():
        raise TargetError(f"{target}: {attr!r} is not a valid task name")
    path = Path(spec)
    looks_like_path = spec.endswith(".py") or os.sep in spec or "/" in spec or path.exists()
    if looks_like_path:
        if not path.exists():
            raise TargetError(f"{target}: no such file or directory: {spec}")
        if path.is_dir():
            if attr:
                raise TargetError(f"{target}: a directory cannot be combined with ':{attr}'")
            files = _module_files(path)
            if not files:
                raise TargetError(f"{target}: no Python files in directory {spec}")
            result: list[DiscoveredTask] = []
            for file in files:
                if not file.stat().st_size:
                    continue
                result.extend(_discovered(_import_file(file, target), target, seen))
            return result
        if path.suffix != ".py":
            raise TargetError(f"{target}: {spec} is not a Python file (.py)")
        module = _import_file(path, target)
        if attr:
            return [_select(module, attr, target, spec)]
        return _discovered(module, target, seen)
    module = _import_module(spec, target)
    if attr:
        return [_select(module, attr, target, spec)]
    if hasattr(module, "__path__"):
        out: list[DiscoveredTask] = []
        for name in _package_modules(module):
            out.extend(_discovered(_import_module(name, target), target, seen))
        return out
    return _discovered(module, target, seen)


def _has_attr_suffix(target: str) -> bool:
    head, sep, tail = target.rpartition(":")
    # "C:\\x.py" (a Windows drive) has no attribute part
    return bool(sep) and bool(head) and not (len(head) == 1 and tail.startswith(("\\", "/")))


def load_target(target: str) -> list[Any]:
    """The task objects named by ``target`` (see the module doc); raises ``TargetError``.

    A file, module, package or directory without tasks is an error naming what was searched.
    """
    found = _load(target, set())
    if not found:
        raise TargetError(f"no tasks found in {target}")
    return [d.task for d in found]


def discover_tasks(paths: Any, *, keep_invalid: bool = False) -> list[DiscoveredTask]:
    """Every task under ``paths`` (targets as for :func:`load_target`), deterministic order.

    ``keep_invalid=True`` (used by ``podplan check``) keeps a flytekit task whose values podplan
    rejects, with the error in :attr:`DiscoveredTask.error`, instead of raising ``TargetError``.

    Order: targets in the given order; inside a directory or package, modules sorted by path;
    inside a module, definition order. A task object reachable from several modules (re-exported
    by an import) is listed once, under the first module that has it.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    seen: set[str] = set()
    objects: set[int] = set()
    out: list[DiscoveredTask] = []
    token = _KEEP_INVALID.set(keep_invalid)
    try:
        for target in paths:
            for item in _load(os.fspath(target), objects):
                if item.qualified_name not in seen:
                    seen.add(item.qualified_name)
                    out.append(item)
    finally:
        _KEEP_INVALID.reset(token)
    return out
