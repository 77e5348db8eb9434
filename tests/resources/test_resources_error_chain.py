"""A rejected quantity raises one clean QuantityError: no internal exception shows in its traceback."""

from __future__ import annotations

import traceback

import pytest

from podplan.errors import QuantityError
from podplan.resources import Quantity, Resources, parse_quantity


@pytest.mark.parametrize("text", ["1GB", "1.5gib", "", " 1", "1e", "abc", "1Pi5", "--1", "1..5", "5B"])
@pytest.mark.parametrize("parse", [Quantity, parse_quantity])
def test_invalid_quantity_has_no_chained_exception(parse: object, text: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse(text)  # type: ignore[operator]
    assert info.value.__context__ is None
    assert info.value.__cause__ is None
    assert repr(text) in str(info.value)
    assert "During handling" not in _shown(info.value)


def test_invalid_resource_field_has_no_chained_exception() -> None:
    with pytest.raises(QuantityError) as info:
        Resources(mem="1GB")
    shown = _shown(info.value)
    assert "During handling" not in shown and "direct cause" not in shown
    assert "Resources.mem: invalid quantity '1GB': did you mean 1G or 1Gi?" in shown


def _shown(exc: BaseException) -> str:
    """The traceback text Python prints for ``exc`` (chained exceptions included)."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
