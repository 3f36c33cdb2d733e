"""Markdown files: headings, emphasis, links and pipe tables reduced to plain lines.

Each source line stays one line with its own line number, as in a text file,
so a paragraph wrapped over several lines reads as the text reader's output
does.  ATX headings lose their `#`, setext underlines and thematic breaks are
dropped, `**bold**`, `` `code` ``, links and backslash escapes give their
words, and a pipe table (a row of cells, then a `---|---` separator line)
becomes one line per row with cells joined by tabs; `<br>` inside a cell is
a space.  List marks are kept ("- ", "+ ", "1. "), a `*` bullet reads as "-".
"""
from __future__ import annotations

from pathlib import Path

import regex as re

from ..read import RawDocument, ReadError
from ..textnorm import strip_markup
from .encodings import EncodingError, decode_bytes
from .lines import LineBuilder, clean_text

_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_SETEXT = re.compile(r"^\s{0,3}=+\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_STAR_BULLET = re.compile(r"^(\s*)\*\s+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_CODE = re.compile(r"`([^`]*)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_CELL_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def read_markdown(path: Path) -> RawDocument:
    """Read a `.md` file into lines (see the module docstring)."""
    try:
        text, warnings = decode_bytes(path.read_bytes())
    except EncodingError as exc:
        raise ReadError(f"{path}: {exc}") from exc
    builder = LineBuilder()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and "|" in lines[i] and _TABLE_SEPARATOR.match(lines[i + 1]):
            i = _table(lines, i, builder)
            continue
        line = lines[i]
        i += 1
        if _FENCE.match(line) or _RULE.match(line) or _SETEXT.match(line) or not line.strip():
            builder.blank()
            continue
        builder.add(_inline(_block_text(line)), lineno=i)
    return builder.document(path, "md", warnings)


def _block_text(line: str) -> str:
    """A line without its block markup: heading marks, quote marks; a `*` bullet as "-"."""
    line = _QUOTE.sub("", line)
    heading = _HEADING.match(line)
    if heading:
        return heading.group(1)
    return _STAR_BULLET.sub(r"\1- ", line)


def _inline(text: str) -> str:
    """Inline markup to its words: images dropped, links and code kept as text, escapes undone."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = strip_markup(text)
    return clean_text(_ESCAPE.sub(r"\1", text))


def _table(lines: list[str], start: int, builder: LineBuilder) -> int:
    """Emit the pipe table starting at `start` (header, separator, rows); return the index after it."""
    builder.add_row(_cells(lines[start]), lineno=start + 1)
    i = start + 2
    while i < len(lines) and "|" in lines[i] and lines[i].strip():
        builder.add_row(_cells(lines[i]), lineno=i + 1)
        i += 1
    return i


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    # a <br> inside a cell keeps its line break for `cell_text` (units listed one a line)
    return ["\n".join(_inline(part) for part in _CELL_BREAK.split(cell)) for cell in _CELL_SPLIT.split(row)]
