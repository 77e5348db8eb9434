"""Suffix tables of the Kubernetes quantity grammar (``k8s.io/apimachinery`` ``suffix.go``).

A suffix selects a base (10 or 2), an exponent and the *format* a quantity remembers for printing:

* decimal SI — ``n u m "" k M G T P E`` (powers of 1000),
* binary SI — ``Ki Mi Gi Ti Pi Ei`` (powers of 1024),
* decimal exponent — ``e<int>`` / ``E<int>`` (any power of ten; ``E`` alone is exa).
"""

from __future__ import annotations

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"
FORMATS = (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT)

NANO = 10**9
"""Every quantity is an exact integer number of nano-units (Go rounds finer values up)."""

MAX_INT64 = 2**63 - 1
MAX_BINARY_NANOS = MAX_INT64 * NANO
"""Go caps a binary-SI quantity at 2^63-1 when parsing (``"9Ei"`` parses as 2^63-1)."""

# suffix -> (base, exponent, format)
SUFFIXES: dict[str, tuple[int, int, str]] = {
    "n": (10, -9, DECIMAL_SI),
    "u": (10, -6, DECIMAL_SI),
    "m": (10, -3, DECIMAL_SI),
    "": (10, 0, DECIMAL_SI),
    "k": (10, 3, DECIMAL_SI),
    "M": (10, 6, DECIMAL_SI),
    "G": (10, 9, DECIMAL_SI),
    "T": (10, 12, DECIMAL_SI),
    "P": (10, 15, DECIMAL_SI),
    "E": (10, 18, DECIMAL_SI),
    "Ki": (2, 10, BINARY_SI),
    "Mi": (2, 20, BINARY_SI),
    "Gi": (2, 30, BINARY_SI),
    "Ti": (2, 40, BINARY_SI),
    "Pi": (2, 50, BINARY_SI),
    "Ei": (2, 60, BINARY_SI),
}

# Fast paths: suffix -> (nanos per unit, format, bound, echo modulus, exponent, is binary).
# Go keeps a parsed value in int64 form (and may echo the input string) only while the digits,
# leading zeros stripped, stay below ``bound``: at most 18 digits for decimal suffixes, and
# ``15 - digits - int(exp*0.3) - 1 >= 0`` for binary ones. Go echoes the input when the integer
# mantissa is not a multiple of the echo modulus (8 for binary, 1000 for decimal suffixes).
FAST_MULTIPLIERS: dict[str, tuple[int, str, int, int, int, bool]] = {
    suffix: (
        (10 ** (exp + 9)) if base == 10 else (NANO << exp),
        fmt,
        10**18 if base == 10 else (10 ** (14 - (exp * 3) // 10) if exp <= 40 else 0),
        1000 if base == 10 else 8,
        exp,
        base == 2,
    )
    for suffix, (base, exp, fmt) in SUFFIXES.items()
}
NO_FAST_PATH: tuple[int, str, int, int, int, bool] = (0, DECIMAL_SI, 0, 1, 0, False)

POW10: tuple[int, ...] = tuple(10**i for i in range(64))

DECIMAL_SUFFIX_BY_EXPONENT: dict[int, str] = {
    exp: suffix for suffix, (base, exp, _fmt) in SUFFIXES.items() if base == 10
}
BINARY_SUFFIX_BY_POWER: tuple[str, ...] = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

INT32_SPAN = 2**32


def int32_wrap(value: int) -> int:
    """Truncate ``value`` to a signed 32-bit integer, as Go's ``int32(x)`` conversion does."""
    return (value + 2**31) % INT32_SPAN - 2**31


def format_canonical(nanos: int, fmt: str) -> str:
    """Return apimachinery's canonical ``Quantity.String()`` for ``nanos`` in format ``fmt``.

    Binary SI prints the largest power of 1024 that keeps an integer mantissa; a value in
    (-1024, 1024) or with a fractional part falls back to decimal SI. Decimal formats print the
    largest power of 1000 that keeps an integer mantissa; decimal SI beyond ``E`` (10^18)
    falls back to exponent notation (``1e21``), as current apimachinery does.
    """
    if nanos == 0:
        return "0"
    sign = "-" if nanos < 0 else ""
    a = -nanos if nanos < 0 else nanos
    if fmt == BINARY_SI:
        if a < 1024 * NANO or a % NANO:
            fmt = DECIMAL_SI
        else:
            a //= NANO
            power = 0
            while a >= 1024 and not a & 1023:
                a >>= 10
                power += 1
            if power > 6:  # beyond Ei (only reachable by arithmetic): keep Ei, scale the mantissa
                a <<= 10 * (power - 6)
                power = 6
            return f"{sign}{a}{BINARY_SUFFIX_BY_POWER[power]}"
    exp = -9
    while not a % 1000:
        a //= 1000
        exp += 3
    if fmt == DECIMAL_SI:
        suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exp)
        if suffix is None:
            suffix = f"e{exp}"
    else:
        suffix = f"e{exp}" if exp else ""
    return f"{sign}{a}{suffix}"
