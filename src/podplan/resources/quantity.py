"""Exact Kubernetes quantities with the semantics of apimachinery's ``resource.Quantity``.

A :class:`Quantity` is an exact integer mantissa and a shared *kind* (see
:mod:`podplan.resources.kinds`): the format remembered from the suffix, Go's internal form, the
spelling Go would echo verbatim from ``String()`` (only where Go does so) and the scale that turns
the mantissa into nano-units (Go rounds any finer value away from zero when parsing, so nothing is
lost). The canonical string is computed when ``str()`` asks for it.

Parsing follows ``ParseQuantity``: integer and fraction fast paths for the common spellings
(``"500m"``, ``"1Gi"``, ``"2"``, ``"1.5Gi"``; a table look-up on the last character, one slice,
one ``int()``), inlined in ``Quantity.__init__``, and an exact general path (regular expression +
Python integers) for the rest. No floats are used.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any, Union

from podplan.errors import PodplanError, QuantityError, QuantityTypeError
from podplan.resources.hints import hint, safe_repr, short_repr
from podplan.resources.kinds import BINARY_MARK as _BINARY
from podplan.resources.kinds import DEC_BINARY as _DEC_BINARY
from podplan.resources.kinds import DEC_DECIMAL as _DEC_DECIMAL
from podplan.resources.kinds import DSI as _DSI
from podplan.resources.kinds import FAST_BINARY as _FAST_BINARY
from podplan.resources.kinds import FAST_BY_LAST as _FAST_BY_LAST
from podplan.resources.kinds import KINDS as _KINDS
from podplan.resources.kinds import Kind
from podplan.resources.kinds import format_scaled as _format_scaled
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

    # Two slots, filled once: a mantissa and a shared kind tuple whose scale turns it into
    # nano-units ("1536Mi" is 1536 x 2^20 * 10^9), like Go's int64Amount. An __init__ with the
    # default allocator is much cheaper to call than a Python-level __new__.
    __slots__ = ("_k", "_m")

    _m: int  # the mantissa: the value is _m * _k[3] nano-units
    _k: Kind

    def __init__(self, value: QuantityLike) -> None:
        """Parse or convert ``value`` (see the class docstring)."""
        if type(value) is str:
            # The fast paths, inlined (see _FAST_BY_LAST): "500m", "1Gi", "2", "1.5Gi", "0.25".
            try:
                info = _FAST_BY_LAST[value[-1]]
                if info is _BINARY:
                    info = _FAST_BINARY[value[-2]]
            except LookupError:  # "", or not a table suffix: the general path explains
                info = None
            if info is not None:
                kind, bound, cut, fractions = info
                body = value[:cut]
                if body.isdigit():
                    # A leading zero takes the general path: Go echoes such a spelling.
                    if body >= "1" and body.isascii():
                        try:
                            v = int(body)
                        except ValueError:  # more digits than int() converts
                            v = bound
                        if v < bound:
                            self._m = v
                            self._k = kind
                            return
                elif bound:  # a fraction; the spellings Go echoes take parse_quantity
                    digits = body.replace(".", "", 1)
                    # len(body) <= 18: at most 17 digits (Go counts a missing whole part as "0")
                    if digits.isdigit() and digits.isascii() and len(body) <= 18:
                        fraction = fractions[len(digits) - body.index(".")]
                        if fraction is not None:
                            v = int(digits)
                            if fraction[1]:  # binary: Go's exact inf.Dec path, capped at 2^63-1
                                v *= fraction[3]
                                if v > MAX_BINARY_NANOS:
                                    v = MAX_BINARY_NANOS
                                fraction = _DEC_BINARY if v >= NANO or not v else _DEC_DECIMAL
                            self._m = v
                            self._k = fraction
                            return
            q = parse_quantity(value)
        elif isinstance(value, Quantity):
            q = value
        else:
            try:
                q = _convert(value)
            except PodplanError:
                raise
            except Exception as exc:  # a hostile subclass (__str__, __index__ ... raising)
                raise QuantityTypeError(
                    f"invalid quantity {safe_repr(value)}: cannot read a {type(value).__name__} "
                    f"as a number ({type(exc).__name__})"
                ) from None
        self._m = q._m
        self._k = q._k

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
        return self._k[0]

    @property
    def nanos(self) -> int:
        """The exact value in nano-units (every quantity is a whole number of them)."""
        return self._m * self._k[3]

    @property
    def _n(self) -> int:
        """The exact value in nano-units (internal spelling of :attr:`nanos`)."""
        return self._m * self._k[3]

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
        return not self._m

    def value(self) -> int:
        """Go's ``Value()``: the value rounded up to an integer (away from zero, see docs)."""
        return _scaled(self._n, NANO, self._k[1])

    def milli_value(self) -> int:
        """Go's ``MilliValue()``: the value in thousandths, rounded up like :meth:`value`."""
        return _scaled(self._n, 10**6, self._k[1])

    # --- text -----------------------------------------------------------------------------------

    def __str__(self) -> str:
        fmt, _dec, text, scale = self._k
        if text is None:
            m = self._m
            if scale != 1 and m > 0:  # a fast-path parse: its unit is known, start from it
                return _format_scaled(m, fmt, scale)
            n = m * scale
            cache = _STR_CACHE[fmt]
            text = cache.get(n)
            if text is None:
                text = format_canonical(n, fmt)
                if len(cache) >= _STR_CACHE_SIZE:
                    cache.clear()
                cache[n] = text
        return text

    def canonical(self) -> str:
        """The fully canonical spelling, even where Go would echo the input (``"1.500"`` → ``"1500m"``)."""
        fmt, _dec, _text, scale = self._k
        m = self._m
        if scale != 1 and m > 0:
            return _format_scaled(m, fmt, scale)
        return format_canonical(m * scale, fmt)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    # --- comparison and arithmetic ----------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            if self._k is other._k:  # the common case: one shared kind, compare mantissas
                return self._m == other._m
            return self._m * self._k[3] == other._m * other._k[3]
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self._m * self._k[3] != other._m * other._k[3]
        return NotImplemented

    def __lt__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._m * self._k[3] < other._m * other._k[3]
        return NotImplemented

    def __le__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._m * self._k[3] <= other._m * other._k[3]
        return NotImplemented

    def __gt__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._m * self._k[3] > other._m * other._k[3]
        return NotImplemented

    def __ge__(self, other: Quantity) -> bool:
        if isinstance(other, Quantity):
            return self._m * self._k[3] >= other._m * other._k[3]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._m * self._k[3])

    def __bool__(self) -> bool:
        return self._m != 0

    def __float__(self) -> float:
        return self._n / NANO

    def __add__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        n = self._n + other._n
        return _make(n, (self._k if self._m else other._k)[0], None, _dec_result(self, other, n))

    def __sub__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        n = self._n - other._n
        return _make(n, (self._k if self._m else other._k)[0], None, _dec_result(self, other, n))

    def __neg__(self) -> Quantity:
        fmt, dec, _text, scale = self._k
        return _make(-self._m * scale, fmt, None, dec)

    def __pos__(self) -> Quantity:
        return self

    def __abs__(self) -> Quantity:
        return self if self._m >= 0 else -self

    def __copy__(self) -> Quantity:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Quantity:
        return self

    def __reduce__(self) -> tuple[Any, tuple[int, str, str | None, bool]]:
        fmt, dec, text, scale = self._k
        return (_restore, (self._m * scale, fmt, text, dec))


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
    return _with_kind(v * NANO, _DSI if _MIN_INT64 <= v <= MAX_INT64 else _DEC_DECIMAL)


def _with_kind(n: int, kind: Kind) -> Quantity:
    q = _new(Quantity)
    q._m = n
    q._k = kind
    return q


def _make(n: int, fmt: str, text: str | None, dec: bool) -> Quantity:
    return _with_kind(n, _KINDS[fmt, dec] if text is None else (fmt, dec, text, 1))


def _restore(n: int, fmt: str, text: str | None, dec: bool) -> Quantity:
    """Unpickle a :class:`Quantity`."""
    return _make(n, fmt, text, dec)


_ZERO = _with_kind(0, _DSI)


def parse_quantity(text: str) -> Quantity:
    """Parse ``text`` with Kubernetes' ``ParseQuantity`` grammar into an exact :class:`Quantity`.

    Same as ``Quantity(text)`` for a ``str``; raises :class:`~podplan.errors.QuantityError`
    (:class:`~podplan.errors.QuantityTypeError` for anything but a ``str``).
    """
    # Fast path: ASCII digits followed by a table suffix ("500m", "1Gi", "2"). A leading zero
    # takes the general path, which reproduces Go echoing such input verbatim.
    if type(text) is not str:
        if not isinstance(text, str):
            raise QuantityTypeError(
                f"invalid quantity {safe_repr(text)}: parse_quantity expects a str, got {type(text).__name__}"
            )
        text = str.__str__(text)
    try:
        info = _FAST_BY_LAST[text[-1]]
        if info is _BINARY:
            info = _FAST_BINARY[text[-2]]
    except LookupError:
        info = None
    if info is None:  # outside the handler: a QuantityError must not chain a KeyError
        return _parse_general(text, keep=True)
    kind, bound, cut, _fractions = info
    body = text[:cut]
    if body.isdigit():
        if body >= "1" and body.isascii():
            try:
                v = int(body)
            except ValueError:  # more digits than int() converts: the general path explains
                return _parse_general(text, keep=True)
            if v < bound:
                q = _new(Quantity)
                q._m = v  # str() is the (zero-free) input, recomputed canonically
                q._k = kind
                return q
            return _long_integer(v, text[len(body) :])
    elif bound:
        fraction = _parse_fraction(text, body, text[len(body) :])
        if fraction is not None:
            return fraction
    return _parse_general(text, keep=True)


def _dec_result(a: Quantity, b: Quantity, n: int) -> bool:
    # Go keeps int64 form while both operands have it and the result fits.
    return a._k[1] or b._k[1] or not -MAX_INT64 * NANO <= n <= MAX_INT64 * NANO


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


def _long_integer(v: int, suffix: str) -> Quantity:
    """Digits beyond Go's int64 fast path: exact, never echoed, binary capped at 2^63-1."""
    if v >= _TOO_MANY_DIGITS:
        raise QuantityError(f"invalid quantity: more than {_MAX_DIGITS} digits")
    mult, fmt, _bound, _mod, _exp, binary = FAST_MULTIPLIERS[suffix]
    n = v * mult
    if binary and n > MAX_BINARY_NANOS:
        n = MAX_BINARY_NANOS
    return _make(n, fmt, None, True)


def _parse_fraction(text: str, body: str, suffix: str) -> Quantity | None:
    """Fast path for ``<digits>.<digits><table suffix>``; None sends ``text`` to the general path."""
    whole, _, frac = body.partition(".")
    digits = whole + frac
    # Go's int64 path takes at most 18 digits, counting a missing whole part as "0"
    if not digits.isdigit() or not digits.isascii() or len(digits) + (not whole) > 18:
        return None
    lden = len(frac)
    _mult, fmt, _bound, _mod, exp, binary = FAST_MULTIPLIERS[suffix]
    if binary:  # binary with a fraction: Go's exact inf.Dec path, rounded up to nano-units
        if not 0 < lden <= 9:  # "1.Gi" has no fraction digits: Go's int64 path (and echo)
            return None
        n = (int(digits) << exp) * POW10[9 - lden]
        if n > MAX_BINARY_NANOS:
            n = MAX_BINARY_NANOS
        return _with_kind(n, _DEC_BINARY if n >= NANO or not n else _DEC_DECIMAL)
    power = exp + 9 - lden
    if power < 0:
        return None
    if not lden % 3:  # Go echoes the input when it already looks canonical
        shifted = (whole.lstrip("0") or "0") + frac
        if shifted[0] != "0" and not shifted.endswith("000"):
            return _make(int(digits) * POW10[power], fmt, text, False)
    return _with_kind(int(digits) * POW10[power], _KINDS[fmt, False])


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
    return _with_kind(q._n, _KINDS[DECIMAL_SI, q._k[1]])
