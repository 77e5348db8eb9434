"""Table tests of Quantity against k8s.io/apimachinery ``resource.Quantity``.

The tables mirror apimachinery's ``quantity_test.go`` (TestQuantityParse with its "-" and "+"
variants and its invalid list, TestQuantityString, TestQuantityParseEmit, TestNewSet,
TestMilliNewSet, TestNewScaledSet) and add cases derived from ``ParseQuantity`` /
``CanonicalizeBytes`` / ``ScaledValue`` for the canonical string, ``Value()`` and ``MilliValue()``.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from podplan.errors import QuantityError
from podplan.resources import BINARY_SI, DECIMAL_EXPONENT, DECIMAL_SI, Quantity

DSI, BSI, DEX = DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT
MAX_ALLOWED = Fraction(2**63 - 1)


def dec(mantissa: int, exponent: int) -> Fraction:
    """apimachinery's decQuantity(mantissa, exponent): mantissa * 10^exponent."""
    return Fraction(mantissa) * Fraction(10) ** exponent


# TestQuantityParse: input -> (value, format)
PARSE = [
    ("0", dec(0, 0), DSI),
    ("0n", dec(0, 0), DSI),
    ("0u", dec(0, 0), DSI),
    ("0m", dec(0, 0), DSI),
    ("0Ki", dec(0, 0), BSI),
    ("0k", dec(0, 0), DSI),
    ("0Mi", dec(0, 0), BSI),
    ("0M", dec(0, 0), DSI),
    ("0Gi", dec(0, 0), BSI),
    ("0G", dec(0, 0), DSI),
    ("0Ti", dec(0, 0), BSI),
    ("0T", dec(0, 0), DSI),
    ("1", dec(1, 0), DSI),
    ("1Ki", dec(1024, 0), BSI),
    ("8Ki", dec(8 * 1024, 0), BSI),
    ("7Mi", dec(7 * 1024**2, 0), BSI),
    ("6Gi", dec(6 * 1024**3, 0), BSI),
    ("5Ti", dec(5 * 1024**4, 0), BSI),
    ("4Pi", dec(4 * 1024**5, 0), BSI),
    ("3Ei", dec(3 * 1024**6, 0), BSI),
    ("10Ti", dec(10 * 1024**4, 0), BSI),
    ("100Ti", dec(100 * 1024**4, 0), BSI),
    ("5n", dec(5, -9), DSI),
    ("4u", dec(4, -6), DSI),
    ("3m", dec(3, -3), DSI),
    ("9", dec(9, 0), DSI),
    ("8k", dec(8, 3), DSI),
    ("50k", dec(5, 4), DSI),
    ("7M", dec(7, 6), DSI),
    ("6G", dec(6, 9), DSI),
    ("5T", dec(5, 12), DSI),
    ("40T", dec(4, 13), DSI),
    ("300T", dec(3, 14), DSI),
    ("2P", dec(2, 15), DSI),
    ("1E", dec(1, 18), DSI),
    ("1E-3", dec(1, -3), DEX),
    ("1e3", dec(1, 3), DEX),
    ("1E6", dec(1, 6), DEX),
    ("1e9", dec(1, 9), DEX),
    ("1E12", dec(1, 12), DEX),
    ("1e15", dec(1, 15), DEX),
    ("1E18", dec(1, 18), DEX),
    ("1e14", dec(1, 14), DEX),
    ("1e13", dec(1, 13), DEX),
    ("100.035k", dec(100035, 0), DSI),
    ("0.001", dec(1, -3), DSI),
    ("0.0005k", dec(5, -1), DSI),
    ("0.005", dec(5, -3), DSI),
    ("0.05", dec(5, -2), DSI),
    ("0.5", dec(5, -1), DSI),
    ("0.00050k", dec(5, -1), DSI),
    ("0.00500", dec(5, -3), DSI),
    ("0.05000", dec(5, -2), DSI),
    ("0.50000", dec(5, -1), DSI),
    ("0.5e0", dec(5, -1), DEX),
    ("0.5e-1", dec(5, -2), DEX),
    ("0.5e-2", dec(5, -3), DEX),
    ("10.035M", dec(10035, 3), DSI),
    ("1.2e3", dec(12, 2), DEX),
    ("1.3E+6", dec(13, 5), DEX),
    ("1.40e9", dec(14, 8), DEX),
    ("1.53E12", dec(153, 10), DEX),
    ("1.6e15", dec(16, 14), DEX),
    ("1.7E18", dec(17, 17), DEX),
    ("9.01", dec(901, -2), DSI),
    ("8.1k", dec(81, 2), DSI),
    ("7.123456M", dec(7123456, 0), DSI),
    ("6.987654321G", dec(6987654321, 0), DSI),
    ("5.444T", dec(5444, 9), DSI),
    ("40.1T", dec(401, 11), DSI),
    ("300.2T", dec(3002, 11), DSI),
    ("2.5P", dec(25, 14), DSI),
    ("1.01E", dec(101, 16), DSI),
    ("3.001n", dec(4, -9), DSI),
    ("1.1E-9", dec(2, -9), DEX),
    ("0.0000000001", dec(1, -9), DSI),
    ("0.0000000005", dec(1, -9), DSI),
    ("0.00000000050", dec(1, -9), DSI),
    ("0.5e-9", dec(1, -9), DEX),
    ("0.9n", dec(1, -9), DSI),
    ("0.00000012345", dec(124, -9), DSI),
    ("0.00000012354", dec(124, -9), DSI),
    ("9Ei", MAX_ALLOWED, BSI),
    ("9223372036854775807Ki", MAX_ALLOWED, BSI),
    ("12E", dec(12, 18), DSI),
    ("100.035Ki", dec(10243584, -2), BSI),
    ("0.5Mi", dec(512 * 1024, 0), BSI),
    ("0.05Gi", dec(536870912, -1), BSI),
    ("0.025Ti", dec(274877906944, -1), BSI),
    ("0.000000000001Ki", dec(2, -9), DSI),
    (".001", dec(1, -3), DSI),
    (".0001k", dec(100, -3), DSI),
    ("1.", dec(1, 0), DSI),
    ("1.G", dec(1, 9), DSI),
]


@pytest.mark.parametrize(("text", "value", "fmt"), PARSE, ids=[p[0] for p in PARSE])
def test_parse(text: str, value: Fraction, fmt: str) -> None:
    q = Quantity(text)
    assert q.as_fraction() == value
    assert q.format == fmt


@pytest.mark.parametrize(("text", "value", "fmt"), PARSE, ids=["-" + p[0] for p in PARSE])
def test_parse_negative(text: str, value: Fraction, fmt: str) -> None:
    q = Quantity("-" + text)
    assert q.as_fraction() == -value
    assert q.format == fmt


@pytest.mark.parametrize(("text", "value", "fmt"), PARSE, ids=["+" + p[0] for p in PARSE])
def test_parse_explicit_plus(text: str, value: Fraction, fmt: str) -> None:
    q = Quantity("+" + text)
    assert q.as_fraction() == value
    assert q.format == fmt


INVALID = [
    # apimachinery's invalid list
    "1.1.M",
    "1+1.0M",
    "0.1mi",
    "0.1am",
    "aoeu",
    ".5i",
    "1i",
    "-3.01i",
    "-3.01e-",
    " 1",
    "1 ",
    # ParseQuantity("") and more the grammar rejects
    "",
    "1e",
    "1E+",
    "1e3e3",
    "1ee3",
    "abc",
    "1GB",
    "1gb",
    "1.5gib",
    "1gi",
    "1K",
    "1ki",
    "1KB",
    "1Mib",
    "1,5",
    "1_000",
    "\u0661",  # ARABIC-INDIC DIGIT ONE: only ASCII digits
    "1\u00b2",
    "1 Gi",
    "1Gi ",
    "1e99999999999999999999",  # exponent beyond int64 (strconv.ParseInt fails)
    "Pi",  # no digits on Go's inf.Dec path
    "Ei",
    ".Pi",
    "e-10",
    "-.e-20",
    "++1",
    "1-",
    "0x10",
    "inf",
    "NaN",
    "1.5.",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid(text: str) -> None:
    with pytest.raises(QuantityError) as info:
        Quantity(text)
    assert repr(text[:60]) in str(info.value)


# Quirks of Go's scanner that still parse (all zero): the digits may be missing.
@pytest.mark.parametrize("text", ["+", "-", ".", "-.", "e3", "Ki", "Ti", "m", "k", "E", "00", "-0", "0.0Pi"])
def test_go_accepts_digitless_zero(text: str) -> None:
    q = Quantity(text)
    assert q.is_zero() and str(q) == "0"


# TestQuantityString: (value, format) -> canonical string, and an alternate spelling that
# canonicalises to it.
STRING = [
    (dec(1024**3, 0), BSI, "1Gi", "1024Mi"),
    (dec(300 * 1024**2, 0), BSI, "300Mi", "307200Ki"),
    (dec(6 * 1024, 0), BSI, "6Ki", ""),
    (dec(1001 * 1024**3, 0), BSI, "1001Gi", "1025024Mi"),
    (dec(1024**4, 0), BSI, "1Ti", "1024Gi"),
    (dec(5, 0), BSI, "5", "5000m"),
    (dec(500, -3), BSI, "500m", "0.5"),
    (dec(1, 9), DSI, "1G", "1000M"),
    (dec(1000, 6), DSI, "1G", "0.001T"),
    (dec(1000000, 3), DSI, "1G", ""),
    (dec(1000000000, 0), DSI, "1G", ""),
    (dec(1, -3), DSI, "1m", "1000u"),
    (dec(80, -3), DSI, "80m", ""),
    (dec(1080, -3), DSI, "1080m", "1.08"),
    (dec(108, -2), DSI, "1080m", "1080000000n"),
    (dec(10800, -4), DSI, "1080m", ""),
    (dec(300, 6), DSI, "300M", ""),
    (dec(1, 12), DSI, "1T", ""),
    (dec(1, 18), DSI, "1E", ""),
    (dec(1, 21), DSI, "1e21", "1000E"),
    (dec(5, 21), DSI, "5e21", "5000E"),
    (dec(1, 24), DSI, "1e24", "1000000E"),
    (dec(1234567, 6), DSI, "1234567M", ""),
    (dec(1234567, -3), BSI, "1234567m", ""),
    (dec(3, 3), DSI, "3k", ""),
    (dec(1025, 0), BSI, "1025", ""),
    (dec(0, 0), DSI, "0", ""),
    (dec(0, 0), BSI, "0", ""),
    (dec(1, 9), DEX, "1e9", ".001e12"),
    (dec(1, -3), DEX, "1e-3", "0.001e0"),
    (dec(1, -9), DEX, "1e-9", "1000e-12"),
    (dec(80, -3), DEX, "80e-3", ""),
    (dec(300, 6), DEX, "300e6", ""),
    (dec(1, 12), DEX, "1e12", ""),
    (dec(1, 3), DEX, "1e3", ""),
    (dec(3, 3), DEX, "3e3", ""),
    (dec(0, 0), DEX, "0", "00"),
    (dec(1, -9), DSI, "1n", ""),
    (dec(80, -9), DSI, "80n", ""),
    (dec(1080, -9), DSI, "1080n", ""),
    (dec(108, -8), DSI, "1080n", ""),
    (dec(10800, -10), DSI, "1080n", ""),
    (dec(1, -6), DSI, "1u", ""),
    (dec(80, -6), DSI, "80u", ""),
    (dec(1080, -6), DSI, "1080u", ""),
]


@pytest.mark.parametrize(("value", "fmt", "expect", "alternate"), STRING, ids=[s[2] for s in STRING])
def test_string(value: Fraction, fmt: str, expect: str, alternate: str) -> None:
    nanos = value * 10**9
    assert nanos.denominator == 1
    q = Quantity.from_nanos(int(nanos), fmt)
    assert str(q) == expect
    assert str(Quantity(expect)) == expect  # parsing the canonical string keeps it
    if value:
        assert str(-q) == "-" + expect
    if alternate:
        alt = Quantity(alternate)
        assert alt == q
        assert str(alt) == expect


# TestQuantityParseEmit, and cases from the issue and the backend spec §2.7.
EMIT = [
    ("1Ki", "1Ki"),
    ("1Mi", "1Mi"),
    ("1Gi", "1Gi"),
    ("1024Mi", "1Gi"),
    ("1000M", "1G"),
    (".001Ki", "1024m"),
    (".000001Ki", "1024u"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
    ("1000m", "1"),
    ("1024m", "1024m"),
    ("1500m", "1500m"),
    ("0.5", "500m"),
    ("1536Mi", "1536Mi"),
    ("0.5Gi", "512Mi"),
    ("2048Mi", "2Gi"),
    ("100M", "100M"),
    ("1e3", "1e3"),
    ("1.5", "1500m"),
    ("12e6", "12e6"),
    ("1.5e3", "1500"),
    ("0.1Ki", "102400m"),
    ("1.5Ki", "1536"),
    ("1.5Gi", "1536Mi"),
    ("1.25Gi", "1280Mi"),
    ("0.05Gi", "53687091200m"),
    ("100.035Ki", "102435840m"),
    ("1023Ki", "1023Ki"),
    ("1025Ki", "1025Ki"),
    ("2048Ki", "2Mi"),
    ("1048576Ki", "1Gi"),
    ("1000Ki", "1000Ki"),
    ("1024", "1024"),
    ("1000", "1k"),
    ("1100", "1100"),
    ("123456", "123456"),
    ("1000000", "1M"),
    ("10G", "10G"),
    ("1000G", "1T"),
    ("0.1", "100m"),
    ("0.25", "250m"),
    ("0.001", "1m"),
    ("0.0001", "100u"),
    ("2.5", "2500m"),
    ("3.001n", "4n"),
    ("1.1E-9", "2e-9"),
    ("0.5e-9", "1e-9"),
    ("1e-20", "1e-9"),
    ("1.01E", "1010P"),
    ("1000E", "1e21"),
    ("12E", "12E"),
    ("9Ei", "9223372036854775807"),
    ("8Ei", "9223372036854775807"),
    ("4Ei", "4Ei"),
    ("1e0", "1e0"),
    ("10e-1", "1"),
    ("1E3", "1E3"),
    ("1e+3", "1e+3"),
    ("1e03", "1e03"),
    ("1.0e3", "1e3"),
    ("5e2", "500"),
    ("0.5e2", "50"),
    ("-1.5", "-1500m"),
    ("-1Gi", "-1Gi"),
    ("-1024Mi", "-1Gi"),
    ("-0.5Gi", "-512Mi"),
    ("-1000m", "-1"),
    ("-0", "0"),
    ("0.0", "0"),
    ("0Gi", "0"),
    ("0e3", "0"),
    # Go echoes a parsed string that already looks canonical (int64 fast path): leading zeros,
    # an explicit "+" and a fraction of 3k digits survive; a mantissa multiple of 1000 does not.
    ("+1", "+1"),
    ("01", "01"),
    ("0100m", "0100m"),
    ("+100m", "+100m"),
    ("1.500", "1.500"),
    ("1.", "1."),
    ("1.G", "1.G"),
    ("01Ki", "01Ki"),
    ("+1Mi", "+1Mi"),
    ("08Ki", "8Ki"),
    ("1.000", "1"),
    ("1.5000", "1500m"),
    ("012e6", "012e6"),
]


@pytest.mark.parametrize(("text", "expect"), EMIT, ids=[e[0] for e in EMIT])
def test_canonical_string(text: str, expect: str) -> None:
    q = Quantity(text)
    assert str(q) == expect
    assert Quantity(str(q)) == q
    assert str(Quantity(str(q))) == str(q)


# Value() and MilliValue(): ceil for positive values; negatives round away from zero in Go's
# int64 form but truncate-then-add-one in its inf.Dec form (a slow-path parse).
VALUES = [
    ("0", 0, 0),
    ("1", 1, 1000),
    ("1.5", 2, 1500),
    ("1001m", 2, 1001),
    ("999m", 1, 999),
    ("1n", 1, 1),
    ("1u", 1, 1),
    ("1500u", 1, 2),
    ("0.5", 1, 500),
    ("1Ki", 1024, 1024000),
    ("1Mi", 1048576, 1048576000),
    ("1.1Ki", 1127, 1126400),
    ("0.1Ki", 103, 102400),
    ("9.01", 10, 9010),
    ("100M", 100000000, 100000000000),
    ("1e3", 1000, 1000000),
    ("1E-3", 1, 1),
    ("0.00000012345", 1, 1),
    ("9Ei", 2**63 - 1, (2**63 - 1) * 1000),
    ("-1", -1, -1000),
    ("-1.5", -2, -1500),
    ("-9.01", -10, -9010),
    ("-1n", -1, -1),
    ("-1500u", -1, -2),
    ("-1Ki", -1024, -1024000),
    # inf.Dec form: trunc + 1 (Go's scaledValue fast path)
    ("-1.1Ki", -1125, -1126400),
    ("-0.1Ki", -101, -102400),
    ("-1e-20", 1, 1),
    ("-0.0000000001", 1, 1),
]


@pytest.mark.parametrize(("text", "value", "milli"), VALUES, ids=[v[0] for v in VALUES])
def test_value_and_milli_value(text: str, value: int, milli: int) -> None:
    q = Quantity(text)
    assert q.value() == value
    assert q.milli_value() == milli


# TestNewSet / TestMilliNewSet / TestNewScaledSet (NewQuantity et al.) via from_nanos.
@pytest.mark.parametrize(
    ("nanos", "fmt", "expect"),
    [
        (1 * 10**9, DSI, "1"),
        (1000 * 10**9, DSI, "1k"),
        (1234000 * 10**9, DSI, "1234k"),
        (1024 * 10**9, BSI, "1Ki"),
        (1000000 * 10**9, DEX, "1e6"),
        (1024 * 1024 * 10**9, BSI, "1Mi"),
        (1 * 10**6, DSI, "1m"),
        (1000 * 10**6, DSI, "1"),
        (1234000 * 10**6, DSI, "1234"),
        (1024 * 10**6, BSI, "1024m"),
        (1000000 * 10**6, DEX, "1e3"),
        (1024 * 1024 * 10**6, BSI, "1048576m"),
        (1, DSI, "1n"),
        (1000, DSI, "1u"),
        (10**3, DSI, "1u"),
        (10**6, DSI, "1m"),
        (0, DSI, "0"),
    ],
)
def test_new_set(nanos: int, fmt: str, expect: str) -> None:
    assert str(Quantity.from_nanos(nanos, fmt)) == expect


def test_cmp_table() -> None:
    # TestQuantityCmp
    assert Quantity("0") == Quantity("0")
    assert Quantity("100m") > Quantity("50m")
    assert Quantity("50m") < Quantity("100m")
    assert Quantity("10000T") > Quantity("100Gi")


def test_add_sub_keep_format_of_non_zero_operand() -> None:
    # TestQuantityAddZeroPreservesSuffix / TestQuantitySubZeroPreservesSuffix
    zero = Quantity("0")
    for text in ("100m", "1Gi"):
        q = Quantity(text)
        assert str(q + zero) == text
        assert str(zero + q) == text
        assert str(q - zero) == text
        assert str(zero - q) == str(-q) == "-" + text
    # TestAdd / TestSub formats
    assert (Quantity.from_nanos(10 * 10**9, BSI) + Quantity("1")).format == BSI
    assert str(Quantity("4Ei") + Quantity("4Ei")) == "8Ei"  # 2^63 by arithmetic, as Go prints it
