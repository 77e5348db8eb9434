"""Exact Kubernetes quantities with the semantics of apimachinery's ``resource.Quantity``.

A :class:`Quantity` stores its value as an exact integer number of nano-units (Go rounds any finer
value away from zero when parsing, so nothing is lost), the *format* remembered from the suffix,
and enough of the original spelling to reproduce ``Quantity.String()`` byte for byte — including
Go's habit of returning a parsed string verbatim when it already looks canonical.

Parsing follows ``ParseQuantity``: an integer fast path for the common spellings (``"500m"``,
``"1Gi"``, ``"2"``) and an exact general path (regular expression + Python integers) for the rest.
No floats are used anywhere.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any, Union

from podplan.errors import PodplanError, QuantityError, QuantityTypeError
from podplan.resources.hints import hint, safe_repr, short_repr
from podplan.resources.suffixes import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    FAST_MULTIPLIERS,
    MAX_BINARY_NANOS,
    MAX_INT64,
    NANO,
    POW10,
    SUFFIXES,
    format_canonical,
    int32_wrap,
)

__all__ = ["Quantity", "QuantityLike", "parse_quantity"]

# Go's scanner (parseQuantityString) as one expression:
# sign, leading zeros, integer digits, optional "." fraction, suffix letters + optional signed digits.
_GRAMMAR = re.compile(r"([+-]?)(0*)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)\Z")
_EXPONENT_DIGITS = re.compile(r"[+-]?[0-9]+\Z")
_MAX_DIGITS = 4000  # longer mantissas are rejected (Python's int() refuses > 4300 digits)
_MAX_POWER = 10_000  # values of 10^10000 and beyond are rejected instead of exhausting memory
_MIN_INT64 = -(2**63)
_TOO_MANY_DIGITS = 10**_MAX_DIGITS
# Canonical strings of recently printed values, per format (bounded; cleared when full).
_STR_CACHE: dict[str, dict[int, str]] = {DECIMAL_SI: {}, BINARY_SI: {}, DECIMAL_EXPONENT: {}}
_STR_CACHE_SIZE = 4096

QuantityLike = Union["Quantity", str, int, float, Decimal, Fraction]
"""Anything :class:`Quantity` accepts."""

_new = object.__new__


def _invalid(text: str, reason: str | None = None) -> QuantityError:
    err = QuantityError(f"invalid quantity {short_repr(text)}: {reason or hint(text)}")
    err.value = text  # type: ignore[attr-defined]
    return err


class Quantity:
    """An exact Kubernetes quantity (``resource.Quantity``): ``Quantity("500m")``, ``Quantity(0.5)``.

    Accepts a ``str`` in the Kubernetes grammar, an ``int``, a ``float`` (read as its shortest
    decimal ``repr``: ``0.1`` is exactly one tenth), a ``Decimal``, a ``Fraction`` or another
    ``Quantity``. ``bool``, NaN, infinities and malformed strings raise
    :class:`~podplan.errors.QuantityError`. Numbers use the decimal SI format.

    ``str(q)`` is Go's ``Quantity.String()``; ``==``, ``<``, ``hash`` work on the exact value;
    ``+``/``-`` are exact. Instances are immutable.
    """

    __slots__ = ("_n",)

    _n: int  # exact value in nano-units
    _s: str | None = None  # a spelling Go echoes verbatim (only on the "spelled" variants)
    # The format and Go's internal form live on the class (see _CLASSES): one slot less to fill
    # makes parsing measurably faster. Use isinstance(), never type() is Quantity.
    _fmt: str = DECIMAL_SI
    _dec: bool = False  # Go holds the value as int64Amount (False) or inf.Dec (True)

    def __new__(cls, value: QuantityLike) -> Quantity:
        """Parse or convert ``value`` (see the class docstring)."""
        if type(value) is str:
            # The integer fast path of parse_quantity, inlined: "500m", "1Gi", "2".
            last = value[-1:]
            if last in _DIGITS:
                info = _FAST_PLAIN
                body = value
            elif last == "i":
                info = _FAST_GET(value[-2:], _NO_FAST)
                body = value[:-2]
            else:
                info = _FAST_GET(last, _NO_FAST)
                body = value[:-1]
            if body.isdigit() and body.isascii() and body[0] != "0" and len(body) < 19:
                v = int(body)
                if v < info[2]:
                    q = _new(info[1])
                    q._n = v * info[0]
                    return q
            return parse_quantity(value)
        if isinstance(value, Quantity):
            return value
        try:
            return _convert(value)
        except PodplanError:
            raise
        except Exception as exc:  # a hostile subclass (__str__, __index__ ... raising)
            raise QuantityTypeError(
                f"invalid quantity {safe_repr(value)}: cannot read a {type(value).__name__} "
                f"as a number ({type(exc).__name__})"
            ) from None

    # --- construction helpers -------------------------------------------------------------------

    @classmethod
    def zero(cls) -> Quantity:
        """The zero quantity (``"0"``, decimal SI)."""
        return _ZERO

    @classmethod
    def from_nanos(cls, nanos: int, format: str = DECIMAL_SI) -> Quantity:
        """A quantity of exactly ``nanos`` * 10^-9 in ``format`` (no string to remember)."""
        if format not in (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT):
            raise QuantityError(f"invalid quantity format {format!r}")
        n = int(nanos)
        if not -_TOO_MANY_DIGITS < n < _TOO_MANY_DIGITS:
            raise QuantityError(f"invalid quantity: more than {_MAX_DIGITS} digits")
        return _make(n, format, None, False)

    # --- accessors ------------------------------------------------------------------------------

    @property
    def format(self) -> str:
        """``"DecimalSI"``, ``"BinarySI"`` or ``"DecimalExponent"``: how ``str()`` prints the value."""
        return self._fmt

    @property
    def nanos(self) -> int:
        """The exact value in nano-units (every quantity is a whole number of them)."""
        return self._n

    def as_fraction(self) -> Fraction:
        """The exact value as a :class:`fractions.Fraction`."""
        return Fraction(self._n, NANO)

    def as_decimal(self) -> Decimal:
        """The exact value as a :class:`decimal.Decimal`."""
        return Decimal(self._n).scaleb(-9)

    def is_integer(self) -> bool:
        """True when the value is a whole number (``"2"``, ``"1000m"``, ``"1Gi"``)."""
        return not self._n % NANO

    def is_zero(self) -> bool:
        """True when the value is zero (Flyte's backend treats zero as unset)."""
        return not self._n

    def value(self) -> int:
        """Go's ``Value()``: the value rounded up to an integer (away from zero, see docs)."""
        return _scaled(self._n, NANO, self._dec)

    def milli_value(self) -> int:
        """Go's ``MilliValue()``: the value in thousandths, rounded up like :meth:`value`."""
        return _scaled(self._n, 10**6, self._dec)

    # --- text -----------------------------------------------------------------------------------

    def __str__(self) -> str:
        text = self._s
        if text is None:
            cache = _STR_CACHE[self._fmt]
            text = cache.get(self._n)
            if text is None:
                text = format_canonical(self._n, self._fmt)
                if len(cache) >= _STR_CACHE_SIZE:
                    cache.clear()
                cache[self._n] = text
        return text

    def canonical(self) -> str:
        """The fully canonical spelling, even where Go would echo the input (``"1.500"`` → ``"1500m"``)."""
        return format_canonical(self._n, self._fmt)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    # --- comparison and arithmetic ----------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self._n == other._n
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self._n != other._n
        return NotImplemented

    def __lt__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._n < other._n
        return NotImplemented

    def __le__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._n <= other._n
        return NotImplemented

    def __gt__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._n > other._n
        return NotImplemented

    def __ge__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._n >= other._n
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._n)

    def __bool__(self) -> bool:
        return self._n != 0

    def __float__(self) -> float:
        return self._n / NANO

    def __add__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        n = self._n + other._n
        return _make(n, self._fmt if self._n else other._fmt, None, _dec_result(self, other, n))

    def __sub__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        n = self._n - other._n
        return _make(n, self._fmt if self._n else other._fmt, None, _dec_result(self, other, n))

    def __neg__(self) -> Quantity:
        return _make(-self._n, self._fmt, None, self._dec)

    def __pos__(self) -> Quantity:
        return self

    def __abs__(self) -> Quantity:
        return self if self._n >= 0 else -self

    def __copy__(self) -> Quantity:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Quantity:
        return self

    def __reduce__(self) -> tuple[Any, tuple[int, str, str | None, bool]]:
        return (_restore, (self._n, self._fmt, self._s, self._dec))


def _variant(fmt: str, dec: bool, spelled: bool) -> type[Quantity]:
    name = ("_Dec" if dec else "_") + fmt + ("Spelled" if spelled else "")
    namespace = {"__slots__": ("_s",) if spelled else (), "_fmt": fmt, "_dec": dec, "__module__": __name__}
    return type(name, (Quantity,), namespace)


# (format, Go's inf.Dec form, echoes a spelling) -> class; the plain decimal SI one is Quantity.
_CLASSES: dict[tuple[str, bool, bool], type[Quantity]] = {
    (fmt, dec, spelled): Quantity
    if (fmt, dec, spelled) == (DECIMAL_SI, False, False)
    else _variant(fmt, dec, spelled)
    for fmt in (DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT)
    for dec in (False, True)
    for spelled in (False, True)
}


def _convert(value: object) -> Quantity:
    """Quantity from a non-``str`` value; base-class methods so subclasses cannot interfere."""
    if isinstance(value, bool):
        raise QuantityTypeError(
            f"invalid quantity {value!r}: a bool is not a quantity (write 1 or 0 if you mean a number)"
        )
    if isinstance(value, str):
        return parse_quantity(str.__str__(value))
    if isinstance(value, int):
        return _from_int(int.__int__(value))
    if isinstance(value, float):
        text = float.__repr__(value)
        if not math.isfinite(value):
            raise QuantityError(f"invalid quantity {text}: NaN and infinities are not quantities")
        return _from_decimal(Decimal(text))
    if isinstance(value, Decimal):
        if not Decimal.is_finite(value):
            raise QuantityError(
                f"invalid quantity {Decimal.__str__(value)}: NaN and infinities are not quantities"
            )
        return _from_decimal(value)
    if isinstance(value, Fraction):
        scaled = Fraction(value) * NANO
        n = math.ceil(scaled) if scaled >= 0 else -math.ceil(-scaled)
        return _make(n, DECIMAL_SI, None, False)
    index = getattr(type(value), "__index__", None)
    if index is not None and not isinstance(value, (bytes, bytearray)):  # numpy integers ...
        as_int = index(value)
        if type(as_int) is int:
            return _from_int(as_int)
    raise QuantityTypeError(
        f"invalid quantity {safe_repr(value)}: expected a str, int, float or Decimal, "
        f"got {type(value).__name__}"
    )


def _from_int(v: int) -> Quantity:
    if not -_TOO_MANY_DIGITS < v < _TOO_MANY_DIGITS:
        raise QuantityError(f"invalid quantity: an integer of more than {_MAX_DIGITS} digits")
    return _make(v * NANO, DECIMAL_SI, None, not _MIN_INT64 <= v <= MAX_INT64)


def _make(n: int, fmt: str, text: str | None, dec: bool) -> Quantity:
    if text is None:
        q = _new(_CLASSES[fmt, dec, False])
    else:
        q = _new(_CLASSES[fmt, dec, True])
        q._s = text  # type: ignore[misc]  # the spelled variants have an "_s" slot
    q._n = n
    return q


def _restore(n: int, fmt: str, text: str | None, dec: bool) -> Quantity:
    """Unpickle a :class:`Quantity`."""
    return _make(n, fmt, text, dec)


_ZERO = _make(0, DECIMAL_SI, None, False)
_DEC_BINARY = _CLASSES[BINARY_SI, True, False]
_DEC_DECIMAL = _CLASSES[DECIMAL_SI, True, False]
# suffix -> (nanos per unit, class, bound, exponent, is binary); see suffixes.FAST_MULTIPLIERS
_FAST: dict[str, tuple[int, type[Quantity], int, int, bool]] = {
    suffix: (mult, _CLASSES[fmt, False, False], bound, exp, binary)
    for suffix, (mult, fmt, bound, _mod, exp, binary) in FAST_MULTIPLIERS.items()
}
_FAST_GET = _FAST.get
_DIGITS = frozenset("0123456789")
_FAST_PLAIN = _FAST[""]
_NO_FAST = (0, Quantity, -1, 0, False)  # unknown suffix: bound -1


def parse_quantity(text: str) -> Quantity:
    """Parse ``text`` with Kubernetes' ``ParseQuantity`` grammar into an exact :class:`Quantity`.

    Same as ``Quantity(text)`` for a ``str``; raises :class:`~podplan.errors.QuantityError`.
    """
    if text:
        # Fast path: ASCII digits followed by a table suffix ("500m", "1Gi", "2"). A leading zero
        # takes the general path, which reproduces Go echoing such input verbatim.
        last = text[-1]
        if last in "0123456789":
            info = _FAST_PLAIN
            body = text
        elif last == "i":
            info = _FAST_GET(text[-2:], _NO_FAST)
            body = text[:-2]
        else:
            info = _FAST_GET(last, _NO_FAST)
            body = text[:-1]
        if body.isdigit():
            if body.isascii() and body[0] != "0":
                try:
                    v = int(body)
                except ValueError:  # more digits than int() converts: the general path explains
                    return _parse_general(text, keep=True)
                if v < info[2]:
                    q = _new(info[1])
                    q._n = v * info[0]  # str() is the (zero-free) input, recomputed canonically
                    return q
                if info[2] >= 0:
                    return _long_integer(v, info)
        elif info[2] > 0:
            fraction = _parse_fraction(text, body, info)
            if fraction is not None:
                return fraction
    return _parse_general(text, keep=True)


def _dec_result(a: Quantity, b: Quantity, n: int) -> bool:
    # Go keeps int64 form while both operands have it and the result fits.
    return a._dec or b._dec or not -MAX_INT64 * NANO <= n <= MAX_INT64 * NANO


def _scaled(n: int, unit: int, dec: bool) -> int:
    """``ceil``-like division of Go's ``ScaledValue``.

    Positive values round up. Negative values round away from zero in Go's int64 form; in its
    ``inf.Dec`` form (taken by slow-path parses such as ``"-1.1Ki"``) Go truncates and adds one.
    """
    q, r = divmod(n, unit)
    if not r:
        return q
    if n > 0:
        return q + 1
    if dec:
        return -((-n) // unit) + 1
    return q  # floor: away from zero for a negative value


def _long_integer(v: int, info: tuple[int, type[Quantity], int, int, bool]) -> Quantity:
    """Digits beyond Go's int64 fast path: exact, never echoed, binary capped at 2^63-1."""
    if v >= _TOO_MANY_DIGITS:
        raise QuantityError(f"invalid quantity: more than {_MAX_DIGITS} digits")
    n = v * info[0]
    cls = info[1]
    if info[4] and n > MAX_BINARY_NANOS:
        n = MAX_BINARY_NANOS
    return _make(n, cls._fmt, None, True)


def _parse_fraction(
    text: str, body: str, info: tuple[int, type[Quantity], int, int, bool]
) -> Quantity | None:
    """Fast path for ``<digits>.<digits><table suffix>``; None sends ``text`` to the general path."""
    whole, _, frac = body.partition(".")
    digits = whole + frac
    if not digits.isdigit() or not digits.isascii() or len(digits) > 18:
        return None
    lden = len(frac)
    if info[4]:  # binary with a fraction: Go's exact inf.Dec path, rounded up to nano-units
        if lden > 9:
            return None
        n = (int(digits) << info[3]) * POW10[9 - lden]
        if n > MAX_BINARY_NANOS:
            n = MAX_BINARY_NANOS
        q = _new(_DEC_BINARY if n >= NANO or not n else _DEC_DECIMAL)
        q._n = n
        return q
    power = info[3] + 9 - lden
    if power < 0:
        return None
    if not lden % 3:  # Go echoes the input when it already looks canonical
        shifted = (whole.lstrip("0") or "0") + frac
        if shifted[0] != "0" and not shifted.endswith("000"):
            return _make(int(digits) * POW10[power], info[1]._fmt, text, False)
    q = _new(info[1])
    q._n = int(digits) * POW10[power]
    return q


def _parse_general(s: str, keep: bool) -> Quantity:
    if not s:
        raise _invalid(s)
    m = _GRAMMAR.match(s)
    if m is None:
        raise _invalid(s)
    sign, zeros, num, den, suffix = m.groups("")
    info = SUFFIXES.get(suffix)
    if info is None:
        if len(suffix) > 1 and suffix[0] in "eE" and _EXPONENT_DIGITS.match(suffix, 1):
            digits = suffix[1:].lstrip("+-").lstrip("0")
            exponent = int(suffix[1:]) if len(digits) <= 19 else MAX_INT64 + 1
            if not _MIN_INT64 <= exponent <= MAX_INT64:
                raise _invalid(s, f"the exponent {suffix[1:]} is out of range")
            base, exp, fmt = 10, int32_wrap(exponent), DECIMAL_EXPONENT
        else:
            raise _invalid(s)
    else:
        base, exp, fmt = info
    lnum = len(num) or 1
    lden = len(den)
    # Go's int64 fast path: <= 18 digits at >= nano precision; binary: no fraction, few digits.
    fast = (
        (lnum + lden <= 18 and exp - lden >= -9) if base == 10 else (lden == 0 and lnum <= 14 - exp * 3 // 10)
    )
    if not fast and not (zeros or num or den):
        raise _invalid(s, "the number has no digits")
    if lnum + lden > _MAX_DIGITS:
        raise _invalid(s, f"more than {_MAX_DIGITS} digits")
    digits = num + den
    mantissa = int(digits) if digits else 0
    if base == 10:
        power = exp - lden + 9
    else:
        mantissa <<= exp
        power = 9 - lden
    if not mantissa:
        n = 0
    elif power >= 0:
        if power > _MAX_POWER:
            raise _invalid(s, "the value is too large (podplan accepts magnitudes below 1e10000)")
        n = mantissa * 10**power
    elif -power > len(str(mantissa)):
        n = 1  # below one nano-unit: Go rounds up to 1n
    else:
        n = -(-mantissa // 10**-power)
    if base == 2 and not fast:
        if n > MAX_BINARY_NANOS:
            n = MAX_BINARY_NANOS
        if 0 < n < NANO:
            fmt = DECIMAL_SI
    if sign == "-":
        n = -n
    text = None
    if fast and keep:  # Go echoes the input when it already looks canonical
        if base == 2:
            text = s if mantissa >> exp & 7 else None
        else:
            shifted = (num or "0") + den
            if (exp - lden) % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0":
                text = s
    return _make(n, fmt, text, not fast)


def _from_decimal(d: Decimal) -> Quantity:
    sign, digits, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    text = ("-" if sign else "") + "".join(map(str, digits)) + f"e{exponent}"
    q = _parse_general(text, keep=False)
    return _make(q._n, DECIMAL_SI, None, q._dec)
