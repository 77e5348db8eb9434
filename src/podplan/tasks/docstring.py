"""Parse a function docstring into a summary and per-input / per-output descriptions.

flytekit reads descriptions with the ``docstring_parser`` package (style AUTO: ReST, Google,
numpydoc and epydoc are tried and the parse with the most entries wins, ReST on ties). podplan
implements the same rules for ReST, Google and numpydoc without the dependency, so that the
``description`` of each interface variable matches flytekit's. Epydoc (``@param``) is not
supported; such docstrings fall back to the variable names, like an undocumented function.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_REST_PARAM_KEYS = frozenset({"param", "parameter", "arg", "argument", "attribute", "key", "keyword"})
_REST_RETURN_KEYS = frozenset({"return", "returns", "yield", "yields"})
_GOOGLE_PARAM_TITLES = frozenset(
    {"args", "arguments", "parameters", "params", "attributes", "keyword args", "keyword arguments"}
)
_GOOGLE_RETURN_TITLES = frozenset({"returns", "return", "yields", "yield"})
_GOOGLE_OTHER_TITLES = frozenset(
    {"raises", "exceptions", "except", "exception", "example", "examples", "note", "notes", "warning"}
)
_NUMPY_PARAM_TITLES = frozenset(
    {"parameters", "params", "arguments", "args", "attributes", "other parameters", "receives"}
)
_NUMPY_RETURN_TITLES = frozenset({"returns", "yields"})


@dataclass(frozen=True)
class ParsedDocstring:
    """The parts of a docstring that Flyte uses."""

    short_description: str | None = None
    long_description: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    #: return name (``None`` when the style does not name returns) -> description
    returns: dict[str | None, str] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        """How many parameter / return entries were found (AUTO style picks the largest)."""
        return len(self.params) + len(self.returns)


def parse_docstring(text: str | None) -> ParsedDocstring:
    """Parse ``text`` as ReST, Google and numpydoc; keep the parse with the most entries."""
    if not text or not text.strip():
        return ParsedDocstring()
    cached = _PARSED.get(text)
    if cached is not None:
        return cached
    if ":" not in text and "---" not in text:
        # no ReST field, Google section title or numpydoc underline: only a description
        parsed = ParsedDocstring(*_split_summary(inspect.cleandoc(text)))
    else:
        parsed = _parse_auto(text)
    if len(_PARSED) < 4096:
        _PARSED[text] = parsed
    return parsed


_PARSED: dict[str, ParsedDocstring] = {}


def _parse_auto(text: str) -> ParsedDocstring:
    candidates = [_parse_rest(text), _parse_google(text), _parse_numpy(text)]
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate.entries > best.entries:
            best = candidate
    return best


def _split_summary(desc_chunk: str) -> tuple[str | None, str | None]:
    parts = desc_chunk.split("\n", 1)
    short = parts[0] or None
    long = (parts[1].strip() or None) if len(parts) > 1 else None
    return short, long


def _clean_desc(desc: str) -> str:
    desc = desc.strip()
    if "\n" in desc:
        first, rest = desc.split("\n", 1)
        desc = first + "\n" + inspect.cleandoc(rest)
    return desc


def _parse_rest(text: str) -> ParsedDocstring:
    text = inspect.cleandoc(text)
    match = re.search("^:", text, flags=re.M)
    desc_chunk, meta_chunk = (text[: match.start()], text[match.start() :]) if match else (text, "")
    short, long = _split_summary(desc_chunk)
    params: dict[str, str] = {}
    returns: dict[str | None, str] = {}
    for chunk_match in re.finditer(r"(^:.*?)(?=^:|\Z)", meta_chunk, flags=re.S | re.M):
        chunk = chunk_match.group(0)
        if ":" not in chunk.lstrip(":"):
            return ParsedDocstring(short, long)  # docstring_parser raises: this style loses
        args_chunk, desc = chunk.lstrip(":").split(":", 1)
        args = args_chunk.split()
        if not args:
            continue
        desc = _clean_desc(desc)
        if args[0] in _REST_PARAM_KEYS and len(args) in (2, 3):
            params[args[-1]] = desc
        elif args[0] in _REST_RETURN_KEYS and len(args) in (1, 2):
            returns[None] = desc
    return ParsedDocstring(short, long, params, returns)


def _google_sections(lines: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Split cleaned lines into the description and ``(title, body lines)`` sections."""
    titles = _GOOGLE_PARAM_TITLES | _GOOGLE_RETURN_TITLES | _GOOGLE_OTHER_TITLES
    desc: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        stripped = line.strip()
        if not line.startswith((" ", "\t")) and stripped.endswith(":") and stripped[:-1].lower() in titles:
            sections.append((stripped[:-1].lower(), []))
        elif sections:
            sections[-1][1].append(line)
        else:
            desc.append(line)
    return desc, sections


def _google_items(body: list[str]) -> list[tuple[str, str]]:
    """``name (type): desc`` items of a Google section body, continuation lines joined."""
    body_text = inspect.cleandoc("\n".join(body))
    items: list[tuple[str, list[str]]] = []
    for line in body_text.splitlines():
        if line and not line.startswith((" ", "\t")):
            head, _, rest = line.partition(":")
            items.append((head.strip(), [rest.strip()] if rest.strip() else []))
        elif items and line.strip():
            items[-1][1].append(line.strip())
    return [(head, "\n".join(parts)) for head, parts in items]


def _parse_google(text: str) -> ParsedDocstring:
    lines = inspect.cleandoc(text).splitlines()
    desc_lines, sections = _google_sections(lines)
    short, long = _split_summary("\n".join(desc_lines))
    params: dict[str, str] = {}
    returns: dict[str | None, str] = {}
    for title, body in sections:
        if title in _GOOGLE_PARAM_TITLES:
            for head, desc in _google_items(body):
                params[head.split("(")[0].strip()] = desc
        elif title in _GOOGLE_RETURN_TITLES:
            body_text = inspect.cleandoc("\n".join(body))
            first, _, rest = body_text.partition("\n")
            head, sep, tail = first.partition(":")
            # "int: the result" names a type; a bare sentence is the whole description
            if sep and " " not in head.strip():
                first = tail.strip()
            returns[None] = (first + ("\n" + inspect.cleandoc(rest) if rest.strip() else "")).strip()
    return ParsedDocstring(short, long, params, returns)


def _parse_numpy(text: str) -> ParsedDocstring:
    lines = inspect.cleandoc(text).splitlines()
    desc_lines: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.strip() and underline and set(underline) == {"-"} and not line.startswith(" "):
            sections.append((line.strip().lower(), []))
            i += 2
            continue
        (sections[-1][1] if sections else desc_lines).append(line)
        i += 1
    short, long = _split_summary("\n".join(desc_lines))
    params: dict[str, str] = {}
    returns: dict[str | None, str] = {}
    for title, body in sections:
        if title not in _NUMPY_PARAM_TITLES | _NUMPY_RETURN_TITLES:
            continue
        items: list[tuple[str, list[str]]] = []
        for raw in body:
            if raw and not raw.startswith((" ", "\t")):
                items.append((raw.strip(), []))
            elif items and raw.strip():
                items[-1][1].append(raw.strip())
        for head, desc_parts in items:
            desc = "\n".join(desc_parts)
            name, has_type, _ = head.partition(":")
            if title in _NUMPY_RETURN_TITLES:
                returns[name.strip() if has_type else None] = desc
            else:
                for one in name.split(","):
                    params[one.strip()] = desc
    return ParsedDocstring(short, long, params, returns)
