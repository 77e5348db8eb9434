"""Functions with the same signatures used by podplan and flytekit interface tests (no decorators)."""

# ruff: noqa: UP007, UP045  (the typing spellings are under test)
from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from typing import Any, NamedTuple, Optional


@dataclasses.dataclass
class Inner:
    """An inner record."""

    x: int
    y: list[str]


@dataclasses.dataclass
class Record:
    a: int
    b: float = 1.0
    c: Optional[str] = None
    inner: Optional[Inner] = None
    d: dict[str, int] = dataclasses.field(default_factory=dict)
    e: datetime.datetime = datetime.datetime(2020, 1, 1)
    f: datetime.timedelta = datetime.timedelta(seconds=3)
    g: bool = True
    h: bytes = b"hi"
    nested: list[Inner] = dataclasses.field(default_factory=list)
    untyped: dict = None  # type: ignore[assignment]
    anything: Any = None
    u: typing.Union[int, str] = 1


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Pair(NamedTuple):
    left: int
    right: str


def simple(a: int) -> int:
    return a


def scalars(a: int, b: float, c: str, d: bool, e: datetime.datetime, f: datetime.timedelta) -> str:
    return c


def with_defaults(a: int, b: str = "x", c: Optional[list[float]] = None) -> dict[str, int]:
    """Short.

    :param a: the a
    :return: out
    """
    return {}


def containers(
    a: list[int], b: dict[str, float], c: dict[int, str], d: dict, e: list[dict[str, list[bool]]]
) -> list[list[int]]:
    return []


def unions(a: typing.Union[int, str], b: int | None, c: Optional[Record] = None) -> Optional[Color]:
    return None


def records(r: Record, rs: list[Record], m: dict[str, Inner]) -> Record:
    return r


def pickles(a: bytes, b: Any) -> bytes:
    return a


def no_output(a: int) -> None:
    print(a)


def two_outputs(a: int) -> tuple[int, str]:
    return a, "x"


def named(a: int) -> Pair:
    return Pair(a, "x")


def google(a: int, b: str) -> int:
    """Add things.

    Longer text.

    Args:
        a (int): the a
            continued
        b: the b

    Returns:
        int: the result
    """
    return a


def numpy_style(a: int) -> Pair:
    """Summary.

    Parameters
    ----------
    a : int
        the a

    Returns
    -------
    left : int
        first
    right : str
        second
    """
    return Pair(a, "x")


def enums(c: Color = Color.RED) -> Color:
    return c


DIFFERENTIAL = [
    simple,
    scalars,
    with_defaults,
    containers,
    unions,
    records,
    pickles,
    no_output,
    two_outputs,
    named,
    google,
    numpy_style,
    enums,
]
