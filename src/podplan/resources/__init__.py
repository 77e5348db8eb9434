"""Exact Kubernetes quantities, the resource model and its merge rules.

``import podplan.resources`` is cheap: flyteidl is imported only by the IDL converters, when
they are called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podplan.resources.merge import (
    RESOURCE_CONFLICT_MESSAGE,
    adjust_or_default,
    ensure_in_range,
    layer,
    resolve_task_resources,
)
from podplan.resources.model import RESOURCE_FIELDS, Resources, ResourceSpec, ResourceValue
from podplan.resources.quantity import Quantity, QuantityLike, parse_quantity
from podplan.resources.suffixes import BINARY_SI, DECIMAL_EXPONENT, DECIMAL_SI

if TYPE_CHECKING:  # pragma: no cover
    from podplan.resources.idl import (
        IDL_ORDER,
        K8S_RESOURCE_NAMES,
        from_idl_resources,
        to_idl_entries,
        to_idl_resources,
        to_k8s_resource_list,
    )

__all__ = [
    "BINARY_SI",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "IDL_ORDER",
    "K8S_RESOURCE_NAMES",
    "RESOURCE_CONFLICT_MESSAGE",
    "RESOURCE_FIELDS",
    "Quantity",
    "QuantityLike",
    "ResourceSpec",
    "ResourceValue",
    "Resources",
    "adjust_or_default",
    "ensure_in_range",
    "from_idl_resources",
    "layer",
    "parse_quantity",
    "resolve_task_resources",
    "to_idl_entries",
    "to_idl_resources",
    "to_k8s_resource_list",
]

_IDL_NAMES = {
    "IDL_ORDER",
    "K8S_RESOURCE_NAMES",
    "from_idl_resources",
    "to_idl_entries",
    "to_idl_resources",
    "to_k8s_resource_list",
}


def __getattr__(name: str) -> Any:
    """Load the IDL converters on first use (the submodule itself imports flyteidl lazily)."""
    if name in _IDL_NAMES:
        from podplan.resources import idl

        value = getattr(idl, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'podplan.resources' has no attribute {name!r}")
