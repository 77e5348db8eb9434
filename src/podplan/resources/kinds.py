"""The kinds a :class:`~podplan.resources.Quantity` carries, and the tables of its fast paths.

A quantity is an integer mantissa and a *kind* ``(format, Go's inf.Dec flag, the spelling Go
echoes or None, scale)``: its value is the mantissa times the scale, in nano-units, as Go's
``int64Amount{value, scale}``. Kinds without a spelling are shared tuples, so comparing two
quantities of one kind compares mantissas, and no multiplication happens while parsing.
"""

from __future__ import annotations

from podplan.resources.suffixes import (
    BINARY_SI,
    BINARY_SUFFIX_BY_POWER,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    DECIMAL_SUFFIX_BY_EXPONENT,
    FAST_MULTIPLIERS,
    NANO,
    POW10,
)

__all__ = [
    "BINARY_MARK",
    "DEC_BINARY",
    "DEC_DECIMAL",
    "DSI",
    "FAST_BINARY",
    "FAST_BY_LAST",
    "KINDS",
    "FastInfo",
    "Kind",
    "format_scaled",
]

Kind = tuple[str, bool, str | None, int]
"""(format, Go holds the value as ``inf.Dec``, the spelling ``String()`` echoes or None, scale):
the value is the mantissa times the scale, in nano-units (Go's ``int64Amount{value, scale}``)."""

# The kinds of scale 1 without an echoed spelling, shared by every quantity of that format and form.
KINDS: dict[tuple[str, bool], Kind] = {
    (fmt, dec): (fmt, dec, None, 1)
    for fmt in (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT)
    for dec in (False, True)
}
DSI = KINDS[DECIMAL_SI, False]
DEC_BINARY = KINDS[BINARY_SI, True]
DEC_DECIMAL = KINDS[DECIMAL_SI, True]

# Fast-path tables, keyed by the last character (and, after an "i", the one before it):
# (kind, bound, slice end of the digits, fraction kinds). The kind's scale is the suffix's nanos
# per unit. Go keeps a parsed integer in int64 form only while the digits stay below the bound
# (see suffixes.FAST_MULTIPLIERS); at or above it the value is exact but never echoed
# (_long_integer). A bound of 0 (Pi, Ei) sends everything to the slower paths.
# fractions[d] is the kind of "<digits>.<d digits><suffix>" (its scale: the nanos of one unit of
# the last digit), or None where parse_quantity must decide (spellings Go may echo, values below
# a nano-unit). A binary fraction's kind has Go's inf.Dec flag set; the value is then capped.
FastInfo = tuple[Kind, int, int | None, tuple[Kind | None, ...]]


def _fraction_kinds(fmt: str, exp: int, binary: bool) -> tuple[Kind | None, ...]:
    if binary:
        # "1.Gi" (no fraction digits) is Go's int64 path, which may echo it: not here
        return tuple((fmt, True, None, (1 << exp) * POW10[9 - d]) if 0 < d <= 9 else None for d in range(19))
    return tuple(
        (fmt, False, None, POW10[exp + 9 - d]) if d % 3 and d <= exp + 9 else None for d in range(19)
    )


FAST_BY_LAST: dict[str, FastInfo] = {}
FAST_BINARY: dict[str, FastInfo] = {}
for _suffix, (_mult, _fmt, _bound, _mod, _exp, _binary) in FAST_MULTIPLIERS.items():
    _info = ((_fmt, False, None, _mult), _bound, -len(_suffix) or None, _fraction_kinds(_fmt, _exp, _binary))
    if _binary:
        FAST_BINARY[_suffix[0]] = _info
    elif _suffix:
        FAST_BY_LAST[_suffix] = _info
    else:
        FAST_BY_LAST.update(dict.fromkeys("0123456789", _info))
BINARY_MARK: FastInfo = (DSI, 0, None, ())  # marker: look at the character before the "i"
FAST_BY_LAST["i"] = BINARY_MARK


# Scales of the fast-path kinds -> their unit: a power of ten (decimal SI, in units of 10^-9 ...
# 10^18, fractions included) or of 1024 (binary SI, Ki ... Ti).
_DECIMAL_UNIT: dict[int, int] = {POW10[e + 9]: e for e in range(-9, 19)}
_BINARY_UNIT: dict[int, int] = {NANO << (10 * p): p for p in range(1, 7)}


def format_scaled(m: int, fmt: str, scale: int) -> str:
    """``format_canonical(m * scale, fmt)`` for a positive mantissa of a fast-path kind."""
    if fmt == BINARY_SI:
        p = _BINARY_UNIT[scale]  # the value is m * 1024^p, p >= 1: never below 1024, never fractional
        while not m & 1023 and p < 6:
            m >>= 10
            p += 1
        return f"{m}{BINARY_SUFFIX_BY_POWER[p]}"
    e = _DECIMAL_UNIT[scale]  # the value is m * 10^e
    r = e % 3
    if r:
        m *= POW10[r]
        e -= r
    while not m % 1000:
        m //= 1000
        e += 3
    suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(e)
    return f"{m}{suffix if suffix is not None else f'e{e}'}"
