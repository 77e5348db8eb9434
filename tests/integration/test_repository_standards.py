"""The developer guide's standards, checked mechanically over ``src/podplan``.

1. no source file over 600 lines;
2. a docstring on every public module, class, function and method;
3. imports point down the pipeline only (the layer table below);
4. heavy dependencies stay out of ``import podplan``, the packages and the CLI parser;
5. exception classes live in ``podplan.errors`` and pair ``PodplanError`` with a builtin;
6. no ``print`` in library code, no bare ``except:``.

Source is read with :mod:`ast` (``standards_source``), so lazy imports inside functions are
seen and nothing heavy is imported. ``PENDING_*`` allowlists hold known violations in code other
people are still editing; each entry must still be a violation (a fixed one fails the test until
it is removed), and every list should end up empty.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable

import pytest
from standards_source import (
    PACKAGE,
    SRC,
    Import,
    Module,
    by_name,
    classes,
    exception_classes,
    imports,
    matches,
    module_imports,
    module_names,
    modules,
    public_definitions,
)

MAX_LINES = 600

#: the pipeline, bottom to top: a module may import its own layer and the layers below it.
#: The most specific (longest) prefix decides a module's layer.
LAYERS: dict[str, int] = {
    "podplan.errors": 0,
    "podplan._lazy": 0,
    "podplan._environ": 0,
    "podplan.resources": 1,
    "podplan.accelerators": 2,
    "podplan.tasks": 3,
    "podplan.serialize": 3,  # task → TaskTemplate, beside the task classes it reads
    "podplan.podspec": 4,
    "podplan.planning": 5,
    "podplan.cli": 6,
    "podplan.testing": 6,
    "podplan.__main__": 6,
    "podplan": 6,  # the facade ``podplan/__init__.py`` re-exports every layer
}
LAYER_NAMES = {0: "errors/_lazy/_environ", 1: "resources", 2: "accelerators", 3: "tasks"}
LAYER_NAMES |= {4: "podspec", 5: "planning", 6: "cli/testing"}

#: ``from podplan import __version__`` reads a constant of the root package, which is always
#: imported first anyway; any layer may do it.
ROOT_CONSTANTS = frozenset({"__version__"})

#: packages above the rest of their layer: reached only lazily (inside functions) from outside,
#: except by themselves and by the top layer. ``accelerators.local`` loads NVML and runs tasks
#: in child processes; ``podplan.tasks`` calls it only when a task runs locally.
LAZY_ONLY = ("podplan.accelerators.local",)

#: heavy third-party packages that must load only when used (flytekit: optional, for discovery)
HEAVY_MODULES = (
    "google.protobuf",
    "flyteidl",
    "kubernetes",
    "numpy",
    "pynvml",
    "pydantic",
    "yaml",
    "flytekit",
)

#: modules that must stay light: every package ``__init__``, the bottom layer and the CLI parser
LIGHT_ROOTS = (
    "podplan",
    "podplan.errors",
    "podplan.resources",
    "podplan.accelerators",
    "podplan.accelerators.local",
    "podplan.tasks",
    "podplan.podspec",
    "podplan.planning",
    "podplan.testing",
    "podplan.cli",
    "podplan.cli.main",
)

# --- known violations in code being edited by others (the coordinator empties these) ---------

#: rule 1 — ``src/...`` paths over MAX_LINES
PENDING_SIZE: frozenset[str] = frozenset()

#: rule 2 — ``module:qualname`` without a docstring
PENDING_DOCSTRINGS: frozenset[str] = frozenset()

#: rule 3 — ``importer -> imported`` back edges, and lazy-only packages imported eagerly
PENDING_LAYERS: frozenset[str] = frozenset()
PENDING_LAZY_ONLY: frozenset[str] = frozenset()

#: rule 4 — light modules that import a heavy package at module level (``module -> package``)
PENDING_HEAVY: frozenset[str] = frozenset()

#: rule 5 — ``module:Class`` exception classes defined outside ``podplan.errors``
PENDING_EXCEPTIONS: frozenset[str] = frozenset()

#: rule 6 — ``module:function`` holding a ``print(`` call or a bare ``except:``
PENDING_PRINT: frozenset[str] = frozenset()
PENDING_BARE_EXCEPT: frozenset[str] = frozenset()


def _report(rule: str, found: dict[str, str], pending: frozenset[str]) -> None:
    """Fail with every new violation (key → message) and every stale allowlist entry."""
    new = {key: msg for key, msg in found.items() if key not in pending}
    stale = sorted(pending - set(found))
    lines = [f"  {msg}" for _, msg in sorted(new.items())]
    lines += [f"  {key}: fixed — remove it from the PENDING list of {rule}" for key in stale]
    if lines:
        head = f"{rule}: {len(new)} violation(s), {len(stale)} stale allowlist entr(ies)"
        pytest.fail("\n".join([head, *lines]), pytrace=False)


def test_the_source_model_sees_the_package() -> None:
    names = module_names()
    assert {"podplan", "podplan.errors", "podplan.cli.main", "podplan.tasks"} <= names
    assert all(matches(n, PACKAGE) for n in names)
    assert len(imports()) > 100  # the walker reaches function-level imports too
    assert any(i.context == "function" for i in imports())
    assert any(i.context == "type_checking" for i in imports())
    exported = {i.target for i in imports() if i.dynamic and i.module.name == "podplan.accelerators.local"}
    assert "podplan.accelerators.local.detect" in exported  # f"{_PKG}.detect" in its _EXPORTS
    assert all(name in module_names() for name in exported)


# --- 1. file size -------------------------------------------------------------------------------


def test_no_source_file_is_over_600_lines() -> None:
    found = {
        m.rel: f"{m.rel}: {m.line_count} lines (limit {MAX_LINES}): split it into modules with one purpose"
        for m in modules()
        if m.line_count > MAX_LINES
    }
    for path in SRC.rglob("*.py"):  # also files outside the package, if any appear
        rel = f"src/{path.relative_to(SRC).as_posix()}"
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            found.setdefault(rel, f"{rel}: {count} lines (limit {MAX_LINES})")
    _report("file size", found, PENDING_SIZE)


# --- 2. docstrings ------------------------------------------------------------------------------


def test_every_public_name_has_a_docstring() -> None:
    found = {}
    for module in modules():
        for definition in public_definitions(module):
            if definition.docstring:
                continue
            key = f"{module.name}:{definition.qualname}" if definition.kind != "module" else module.name
            found[key] = f"{definition.where}: {definition.kind} {definition.qualname} has no docstring"
    _report("docstrings", found, PENDING_DOCSTRINGS)


def test_docstring_walker_excludes_private_names_properties_and_overloads() -> None:
    tree = ast.parse(
        "class A:\n"
        "    @property\n    def p(self): pass\n"
        "    @p.setter\n    def p(self, v): pass\n"
        "    def __eq__(self, o): pass\n"
        "    def _private(self): pass\n"
        "    def public(self): pass\n"
        "class _B:\n    def hidden(self): pass\n"
        "from typing import overload\n"
        "@overload\ndef f(x: int) -> int: ...\n"
        "def f(x): pass\n"
        "if TYPE_CHECKING:\n    def typing_only(): pass\n"
    )
    module = Module("podplan.example", SRC / "podplan" / "example.py", "", tree)
    names = [d.qualname for d in public_definitions(module)]
    assert names == ["podplan.example", "A", "A.public", "f"]


# --- 3. import direction -------------------------------------------------------------------------


def layer_of(dotted: str) -> int:
    """The layer of a podplan module (the longest matching prefix of ``LAYERS``)."""
    best = max((p for p in LAYERS if matches(dotted, p)), key=len)
    return LAYERS[best]


def _is_back_edge(imp: Import) -> bool:
    if not matches(imp.target, PACKAGE):
        return False
    if imp.target == PACKAGE and imp.name in ROOT_CONSTANTS:
        return False
    return layer_of(imp.target) > layer_of(imp.module.name)


def _podplan_imports() -> Iterable[Import]:
    return (i for i in imports() if matches(i.target, PACKAGE))


def test_import_walker_sees_every_kind_of_import() -> None:
    source = (
        "from __future__ import annotations\n"
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "from podplan import errors, __version__\n"
        "from . import catalog\n"
        "from .local import detect as d\n"
        "if TYPE_CHECKING:\n    from podplan.tasks.base import PythonTask\n"
        "else:\n    import numpy\n"
        "class C:\n    import json\n"
        "def f():\n    import yaml\n    return importlib.import_module('podplan.planning')\n"
        "_PKG = __name__\n"
        "_EXPORTS: dict[str, str] = {'A': f'{_PKG}.constants', 'B': 'podplan.podspec'}\n"
    )
    module = Module(
        "podplan.accelerators", SRC / "podplan/accelerators/__init__.py", source, ast.parse(source)
    )
    seen = {(i.target, i.context, i.dynamic) for i in module_imports(module)}
    assert seen >= {
        ("podplan.errors", "module", False),
        ("podplan", "module", False),  # __version__ is a constant, not a module
        ("podplan.accelerators.catalog", "module", False),
        ("podplan.accelerators.local.detect", "module", False),
        ("podplan.tasks.base", "type_checking", False),
        ("numpy", "module", False),  # the else branch of TYPE_CHECKING runs
        ("json", "module", False),  # class bodies run on import
        ("yaml", "function", False),
        ("podplan.planning", "function", True),
        ("podplan.accelerators.constants", "function", True),
        ("podplan.podspec", "function", True),
    }, seen


def test_every_module_has_a_layer() -> None:
    assert all(layer_of(name) is not None for name in module_names())
    assert layer_of("podplan.accelerators.local.detect") == 2
    assert layer_of("podplan.tasks.node") == 3
    assert layer_of("podplan") == 6


def test_imports_point_down_the_pipeline() -> None:
    found = {}
    for imp in _podplan_imports():
        if _is_back_edge(imp):
            low, high = layer_of(imp.module.name), layer_of(imp.target)
            found[f"{imp.module.name} -> {imp.target}"] = (
                f"{imp.where}: {imp.module.name} ({LAYER_NAMES[low]}) imports {imp.target} "
                f"({LAYER_NAMES[high]}, a higher layer; {imp.context}-level"
                f"{', lazy export or import_module' if imp.dynamic else ''})"
            )
    _report("import direction", found, PENDING_LAYERS)


def test_lazy_only_packages_are_imported_inside_functions() -> None:
    found = {}
    for imp in _podplan_imports():
        for package in LAZY_ONLY:
            inside = matches(imp.module.name, package) or layer_of(imp.module.name) == max(LAYERS.values())
            if matches(imp.target, package) and not inside and imp.context == "module":
                found[f"{imp.module.name} -> {imp.target}"] = (
                    f"{imp.where}: {imp.module.name} imports {imp.target} at module level; "
                    f"{package} may only be imported inside the functions that need it"
                )
    _report("lazy-only packages", found, PENDING_LAZY_ONLY)


def test_lower_accelerator_modules_do_not_reach_up_into_local() -> None:
    offenders = [
        f"{i.where}: {i.module.name} imports {i.target}"
        for i in _podplan_imports()
        if matches(i.module.name, "podplan.accelerators")
        and not matches(i.module.name, "podplan.accelerators.local")
        and matches(i.target, "podplan.accelerators.local")
    ]
    assert not offenders, "catalog/classes/extended sit below accelerators.local:\n" + "\n".join(offenders)


# --- 4. heavy imports -----------------------------------------------------------------------------


def _eager_heavy_chains() -> dict[str, str]:
    """Module → why importing it loads a heavy package: its own module-level heavy import, or a
    module-level import of a podplan module that does (the first link of the chain)."""
    why: dict[str, str] = {}
    eager = [i for i in imports() if i.context == "module"]
    for imp in eager:
        if any(matches(imp.target, heavy) for heavy in HEAVY_MODULES) and imp.module.name not in why:
            why[imp.module.name] = f"{imp.where} imports {imp.target}"
    changed = True
    while changed:
        changed = False
        for imp in eager:
            if imp.module.name in why:
                continue
            # importing a.b.c also runs the __init__ of a and a.b
            parts = imp.target.split(".")
            loaded = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
            for target in loaded:
                if target in why:
                    why[imp.module.name] = f"{imp.where} imports {target} ({why[target]})"
                    changed = True
                    break
    return why


def test_light_modules_import_no_heavy_package_at_module_level() -> None:
    chains = _eager_heavy_chains()
    light = list(LIGHT_ROOTS) + [f"podplan.cli.{name}" for name in _cli_commands()]
    found = {
        f"{name} -> heavy": f"{name} must stay light, but {chains[name]}" for name in light if name in chains
    }
    _report("heavy imports (static)", found, PENDING_HEAVY)


def _cli_commands() -> tuple[str, ...]:
    tree = by_name("podplan.cli.main").tree
    for node in ast.walk(tree):
        if not isinstance(node, ast.AnnAssign) or node.value is None:
            continue
        if isinstance(node.target, ast.Name) and node.target.id == "COMMANDS":
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("podplan.cli.main.COMMANDS not found")


_PROBE = """
import sys
import {modules}
{extra}
print(' '.join(sorted(sys.modules)))
"""


def _probe(extra: str = "") -> list[str]:
    """The heavy packages loaded in a fresh interpreter after importing the light roots and
    running ``extra``."""
    code = _PROBE.format(modules=", ".join(LIGHT_ROOTS), extra=extra)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    return sorted(name for name in HEAVY_MODULES if any(matches(m, name) for m in loaded))


def test_importing_the_packages_loads_no_heavy_module() -> None:
    loaded = _probe()
    assert not loaded, f"importing {', '.join(LIGHT_ROOTS)} loaded {loaded}; import them inside functions"


def test_building_the_cli_parser_loads_no_heavy_module() -> None:
    loaded = _probe("import podplan.cli.main\npodplan.cli.main.build_parser()")
    assert not loaded, f"podplan.cli.main.build_parser() loaded {loaded}; command modules must import lazily"


# --- 5. exceptions ----------------------------------------------------------------------------------


def test_exception_classes_are_defined_only_in_podplan_errors() -> None:
    found = {
        f"{info.module.name}:{info.name}": (
            f"{info.module.at(info.line)}: exception class {info.name} is defined outside podplan.errors; "
            "move it there (subclassing PodplanError and the builtin flytekit raises)"
        )
        for info in exception_classes()
        if info.module.name != "podplan.errors"
    }
    _report("exception classes", found, PENDING_EXCEPTIONS)


def test_the_exception_detector_sees_errors_py() -> None:
    in_errors = {i.name for i in exception_classes() if i.module.name == "podplan.errors"}
    declared = {i.name for i in classes() if i.module.name == "podplan.errors"}
    assert "PodplanError" in in_errors
    assert in_errors == declared


def test_every_podplan_error_pairs_with_a_builtin() -> None:
    import podplan.errors as errors

    problems = []
    for name, cls in sorted(vars(errors).items()):
        defined_here = isinstance(cls, type) and cls.__module__ == errors.__name__
        if not (defined_here and issubclass(cls, BaseException)):
            continue
        if cls is errors.PodplanError:
            continue
        pairs = [
            b
            for b in cls.__mro__
            if b.__module__ == "builtins" and b not in (BaseException, Exception, object)
        ]
        if not issubclass(cls, errors.PodplanError):
            problems.append(f"{name} does not subclass PodplanError")
        if not pairs and not issubclass(cls, Warning):
            problems.append(f"{name} subclasses no builtin besides Exception (add the one flytekit raises)")
    assert not problems, "podplan.errors:\n  " + "\n  ".join(problems)


# --- 6. print and bare except ---------------------------------------------------------------------


def _enclosing(module: Module) -> Iterable[tuple[str, ast.AST]]:
    """Every node with the qualified name of the function or class around it (``<module>``)."""

    def walk(node: ast.AST, scope: str) -> Iterable[tuple[str, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = child.name if scope == "<module>" else f"{scope}.{child.name}"
            yield inner, child
            yield from walk(child, inner)

    return walk(module.tree, "<module>")


def _is_cli(module: Module) -> bool:
    return matches(module.name, "podplan.cli") or module.name == "podplan.__main__"


def test_library_code_does_not_print() -> None:
    found = {}
    for module in modules():
        if _is_cli(module):
            continue
        for scope, node in _enclosing(module):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                found[f"{module.name}:{scope}"] = (
                    f"{module.at(node.lineno)}: print() in {scope} of library code; return the text, "
                    "raise, or warn (printing belongs to podplan.cli)"
                )
    _report("print", found, PENDING_PRINT)


def test_no_bare_except() -> None:
    found = {}
    for module in modules():
        for scope, node in _enclosing(module):
            if isinstance(node, ast.ExceptHandler) and node.type is None:
                found[f"{module.name}:{scope}"] = (
                    f"{module.at(node.lineno)}: bare 'except:' in {scope}; name the exceptions "
                    "(BaseException if it must catch KeyboardInterrupt too)"
                )
    _report("bare except", found, PENDING_BARE_EXCEPT)
