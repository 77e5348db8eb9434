"""Lazily resolved package exports (PEP 562), shared by every podplan package ``__init__``.

A package maps each public name to the module that defines it; the module is imported on first
access only, so ``import podplan`` and the CLI do not pay for protobuf, kubernetes or numpy.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of ``package`` for ``exports`` (name → module).

    A resolved name is cached on the package, so the import machinery runs once per name.
    """
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(exports))

    return __getattr__, __dir__
