"""A parsed model of ``src/podplan`` for the repository-standards tests.

Everything here reads source with :mod:`ast` and never imports podplan modules, so the checks
stay fast and see code that is not executed on import (function-level imports, unused branches).
"""

from __future__ import annotations

import ast
import builtins
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
PACKAGE = "podplan"

#: where an import statement runs: on module import, inside a function (lazy), or never
Context = Literal["module", "function", "type_checking"]

#: decorators that make a method a property (excluded from the docstring rule)
PROPERTY_DECORATORS = frozenset({"property", "cached_property", "setter", "getter", "deleter"})


@dataclass(frozen=True)
class Module:
    """One source file of the package."""

    name: str
    path: Path
    source: str
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        """Whether this is a package ``__init__.py``."""
        return self.path.name == "__init__.py"

    @property
    def package(self) -> str:
        """The package that relative imports in this module resolve against."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def rel(self) -> str:
        """The path relative to the repository root (``src/podplan/errors.py``)."""
        return self.path.relative_to(REPO).as_posix()

    @property
    def is_private(self) -> bool:
        """Whether any component of the dotted name below ``podplan`` starts with ``_``."""
        return any(part.startswith("_") for part in self.name.split(".")[1:])

    @property
    def line_count(self) -> int:
        """Physical lines in the file."""
        return len(self.source.splitlines())

    def at(self, line: int) -> str:
        """``src/podplan/x.py:12`` — a location for failure messages."""
        return f"{self.rel}:{line}"


@functools.cache
def modules() -> tuple[Module, ...]:
    """Every ``.py`` file under ``src/podplan``, sorted by dotted name."""
    found = []
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        source = path.read_text(encoding="utf-8")
        found.append(Module(".".join(parts), path, source, ast.parse(source, filename=str(path))))
    return tuple(sorted(found, key=lambda m: m.name))


@functools.cache
def module_names() -> frozenset[str]:
    """The dotted names of every podplan module and package."""
    return frozenset(m.name for m in modules())


def by_name(name: str) -> Module:
    """The module called ``name``."""
    return next(m for m in modules() if m.name == name)


# --- imports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One imported module (``from a import b, c`` gives one per name that is a module)."""

    module: Module
    target: str
    name: str | None
    line: int
    context: Context
    dynamic: bool = False

    @property
    def where(self) -> str:
        """``src/podplan/x.py:12``."""
        return self.module.at(self.line)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _resolve_from(module: Module, node: ast.ImportFrom) -> str:
    base = node.module or ""
    if node.level:
        parts = module.package.split(".")
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, base] if base else parts)
    return base


def _dynamic_target(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def _imports_of(module: Module, node: ast.AST, context: Context) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        ctx = context
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            ctx = "function"
        elif isinstance(child, ast.If) and context == "module" and _is_type_checking(child.test):
            for stmt in child.body:
                yield from _imports_of(module, ast.Module(body=[stmt], type_ignores=[]), "type_checking")
            for stmt in child.orelse:
                yield from _imports_of(module, ast.Module(body=[stmt], type_ignores=[]), context)
            continue
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield Import(module, alias.name, None, child.lineno, ctx)
        elif isinstance(child, ast.ImportFrom):
            base = _resolve_from(module, child)
            for alias in child.names:
                full = f"{base}.{alias.name}"
                target = full if full in module_names() else base
                yield Import(module, target, alias.name, child.lineno, ctx)
        elif isinstance(child, ast.Call):
            dynamic = _dynamic_target(child)
            if dynamic is not None:
                yield Import(module, dynamic, None, child.lineno, ctx, dynamic=True)
        yield from _imports_of(module, child, ctx)


def _string_value(expr: ast.expr, aliases: dict[str, str]) -> str | None:
    """A string literal, or an f-string over names bound to ``__name__`` (``f"{_PKG}.model"``)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if not isinstance(expr, ast.JoinedStr):
        return None
    out = []
    for part in expr.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            out.append(part.value)
        elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
            if part.value.id not in aliases:
                return None
            out.append(aliases[part.value.id])
        else:
            return None
    return "".join(out)


def _lazy_exports_of(module: Module) -> Iterator[Import]:
    """The modules a package's ``_EXPORTS`` map (``name → module``, resolved on first attribute
    access by ``podplan._lazy``) points at: imports in all but syntax."""
    aliases = {"__name__": module.name}
    for stmt in module.tree.body:
        targets: list[ast.expr]
        value: ast.expr | None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        else:
            continue
        for target in targets:
            if not isinstance(target, ast.Name) or value is None:
                continue
            if isinstance(value, ast.Name) and value.id == "__name__":
                aliases[target.id] = module.name
            elif target.id == "_EXPORTS" and isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                    resolved = _string_value(item, aliases)
                    if resolved is not None:
                        yield Import(module, resolved, name, item.lineno, "function", dynamic=True)


def module_imports(module: Module) -> tuple[Import, ...]:
    """The imports of one module (statements, ``import_module`` literals, lazy exports)."""
    return (*_imports_of(module, module.tree, "module"), *_lazy_exports_of(module))


@functools.cache
def imports() -> tuple[Import, ...]:
    """Every import in the package: statements at any depth, ``import_module("literal")`` calls
    and the entries of lazy-export maps (``_EXPORTS``), the last two marked ``dynamic``."""
    return tuple(imp for module in modules() for imp in module_imports(module))


def top_package(dotted: str) -> str:
    """``"google"`` for ``"google.protobuf.json_format"``."""
    return dotted.split(".", 1)[0]


def matches(dotted: str, prefix: str) -> bool:
    """Whether ``dotted`` is ``prefix`` or inside it (``a.b.c`` is inside ``a.b``)."""
    return dotted == prefix or dotted.startswith(prefix + ".")


# --- public definitions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A public module, class, function or method."""

    module: Module
    qualname: str
    kind: Literal["module", "class", "function", "method"]
    node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
    line: int

    @property
    def where(self) -> str:
        """``src/podplan/x.py:12``."""
        return self.module.at(self.line)

    @property
    def docstring(self) -> str:
        """The docstring, stripped (empty when there is none)."""
        return (ast.get_docstring(self.node) or "").strip()


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _runtime_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module or class body, looking into ``if``/``try``/``with`` blocks that run
    on import (not ``if TYPE_CHECKING:`` bodies, which never run)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            if not _is_type_checking(stmt.test):
                yield from _runtime_statements(stmt.body)
            yield from _runtime_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                yield from _runtime_statements(block)
            for handler in stmt.handlers:
                yield from _runtime_statements(handler.body)
        elif isinstance(stmt, ast.With):
            yield from _runtime_statements(stmt.body)
        else:
            yield stmt


def _class_members(module: Module, cls: ast.ClassDef, prefix: str) -> Iterator[Definition]:
    for stmt in _runtime_statements(cls.body):
        if isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
            qual = f"{prefix}.{stmt.name}"
            yield Definition(module, qual, "class", stmt, stmt.lineno)
            yield from _class_members(module, stmt, qual)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not stmt.name.startswith("_"):
            decorators = _decorator_names(stmt)
            if decorators & PROPERTY_DECORATORS or "overload" in decorators:
                continue
            yield Definition(module, f"{prefix}.{stmt.name}", "method", stmt, stmt.lineno)


def public_definitions(module: Module) -> Iterator[Definition]:
    """The module itself, then its public classes (with their public methods and nested classes)
    and functions. ``@overload`` stubs and properties are not definitions of their own."""
    yield Definition(module, module.name, "module", module.tree, 1)
    for stmt in _runtime_statements(module.tree.body):
        if isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
            yield Definition(module, stmt.name, "class", stmt, stmt.lineno)
            yield from _class_members(module, stmt, stmt.name)
        elif (
            isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not stmt.name.startswith("_")
            and "overload" not in _decorator_names(stmt)
        ):
            yield Definition(module, stmt.name, "function", stmt, stmt.lineno)


# --- exception classes ---------------------------------------------------------------------------

#: names of the builtin exception classes (``ValueError``, ``UserWarning`` …)
BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)

#: external base classes that are exceptions although their name does not say so
_EXCEPTION_SUFFIXES = ("Error", "Exception", "Warning", "Exit", "Interrupt")


def _alias_table(module: Module) -> dict[str, str]:
    """Local name → dotted origin for every import in the module (any depth)."""
    table: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                table[bound] = alias.name if alias.asname else bound
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, node)
            for alias in node.names:
                table[alias.asname or alias.name] = f"{base}.{alias.name}"
    return table


def _dotted(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        inner = _dotted(expr.value)
        return f"{inner}.{expr.attr}" if inner else None
    if isinstance(expr, ast.Subscript):  # Generic[T] and friends
        return _dotted(expr.value)
    return None


@dataclass(frozen=True)
class ClassInfo:
    """A class statement anywhere in the package, with its bases resolved to dotted names."""

    module: Module
    name: str
    line: int
    bases: tuple[str, ...]

    @property
    def qualified(self) -> str:
        """``podplan.errors.QuantityError``."""
        return f"{self.module.name}.{self.name}"


@functools.cache
def classes() -> tuple[ClassInfo, ...]:
    """Every ``class`` statement in the package (nested and function-local ones included)."""
    found = []
    for module in modules():
        aliases = _alias_table(module)
        local = {n.name for n in ast.walk(module.tree) if isinstance(n, ast.ClassDef)}
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = []
            for base in node.bases:
                dotted = _dotted(base)
                if dotted is None:
                    continue
                head, _, rest = dotted.partition(".")
                if head in aliases:
                    dotted = aliases[head] + (f".{rest}" if rest else "")
                elif head in local:
                    dotted = f"{module.name}.{dotted}"
                bases.append(dotted)
            found.append(ClassInfo(module, node.name, node.lineno, tuple(bases)))
    return tuple(found)


@functools.cache
def exception_classes() -> tuple[ClassInfo, ...]:
    """The classes that derive from ``BaseException``, decided from their bases (a fixpoint over
    podplan's own classes; builtin names; external names ending in ``Error``/``Exception``/…)."""
    known: set[str] = set()
    every = classes()
    changed = True
    while changed:
        changed = False
        for info in every:
            if info.qualified in known:
                continue
            for base in info.bases:
                last = base.rsplit(".", 1)[-1]
                podplan_base = base.startswith(PACKAGE + ".")
                if (
                    base in known
                    or (base in BUILTIN_EXCEPTIONS or base.removeprefix("builtins.") in BUILTIN_EXCEPTIONS)
                    or (not podplan_base and last.endswith(_EXCEPTION_SUFFIXES))
                ):
                    known.add(info.qualified)
                    changed = True
                    break
    return tuple(info for info in every if info.qualified in known)
