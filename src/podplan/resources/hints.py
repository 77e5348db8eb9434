"""Error hints for malformed quantities: say what is wrong and suggest the likely fix."""

from __future__ import annotations

import re

__all__ = ["hint", "safe_repr", "short_repr"]

_GRAMMAR_START = re.compile(r"[+-]?[0-9]*(?:\.[0-9]*)?[eEinumkKMGTP]*[+-]?[0-9]*\Z")


def short_repr(text: str, limit: int = 60) -> str:
    """``repr`` of ``text``, shortened for error messages."""
    if len(text) > limit:
        return repr(text[:limit]) + f"... ({len(text)} characters)"
    return repr(text)


def safe_repr(value: object) -> str:
    """``repr`` of any value for an error message: shortened, and safe if ``__repr__`` raises."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not replace our error
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


_SI_LETTERS = {"k": "k", "K": "k", "m": "M", "M": "M", "g": "G", "G": "G", "t": "T", "T": "T"}
_SI_LETTERS.update({"p": "P", "P": "P", "e": "E", "E": "E"})
_BYTES_SUFFIX = re.compile(r"([+-]?[0-9.]*)\s*([kKmMgGtTpPeE])([iI]?)[bB]\Z")
_CASE_SUFFIX = re.compile(r"([+-]?[0-9.]*)\s*([kKmMgGtTpPeE])([iI])\Z")
_UPPER_K = re.compile(r"([+-]?[0-9.]*)K\Z")
_LOWER_SI = re.compile(r"([+-]?[0-9.]*)([gtp])\Z")

_GRAMMAR_HELP = (
    "a quantity is a number with an optional suffix: n u m k M G T P E (powers of 1000), "
    "Ki Mi Gi Ti Pi Ei (powers of 1024) or a decimal exponent such as e3"
)


def hint(text: str) -> str:
    """Explain why ``text`` is not a quantity, suggesting a fix where the mistake is recognisable."""
    if text == "":
        return "an empty string is not a quantity (use None to leave a resource unset)"
    stripped = text.strip()
    if stripped != text:
        return "remove the surrounding whitespace" + (
            f" ({stripped!r})" if stripped and _GRAMMAR_START.match(stripped) else ""
        )
    if not text.isascii():
        return "only ASCII digits, '.', a sign and a suffix are allowed; " + _GRAMMAR_HELP
    m = _BYTES_SUFFIX.match(text)
    if m:
        num, letter = m.group(1) or "1", _SI_LETTERS[m.group(2)]
        if m.group(3):
            return f"suffixes are case-sensitive and carry no 'B': did you mean {num}{letter.upper()}i?"
        return f"did you mean {num}{letter} or {num}{letter.upper()}i? (Kubernetes suffixes carry no 'B')"
    m = _CASE_SUFFIX.match(text)
    if m:
        num = m.group(1) or "1"
        return f"suffixes are case-sensitive: did you mean {num}{m.group(2).upper()}i?"
    m = _UPPER_K.match(text)
    if m:
        num = m.group(1) or "1"
        return f"suffixes are case-sensitive: did you mean {num}k (10^3) or {num}Ki (2^10)?"
    m = _LOWER_SI.match(text)
    if m:
        num, letter = m.group(1) or "1", m.group(2).upper()
        return f"suffixes are case-sensitive: did you mean {num}{letter} or {num}{letter}i?"
    if "," in text or "_" in text:
        return "write the number without separators, with '.' as the decimal point; " + _GRAMMAR_HELP
    if re.fullmatch(r"[+-]?[0-9.]*[eE][+-]?", text):
        return "an exponent needs digits, e.g. 1e3 or 5E-3"
    if text.count(".") > 1:
        return "a number has at most one '.'; " + _GRAMMAR_HELP
    return _GRAMMAR_HELP
