"""HTML pages saved from legal portals: paragraphs, lists and tables, without the site around them.

A portal page holds the plan between navigation, search boxes and footers;
those elements (`nav`, `header`, `footer`, `aside`, `form`, scripts, hidden
elements) are skipped.  Every block element (`p`, `div`, `h1`..`h6`, `li`,
`<br>`-separated lines) gives one line; list items get the label a browser
draws ("- ", "1. ", "a. ").  A data table (it draws borders, or has three or
more columns) becomes one line per row with cells joined by tabs on the
table's grid: a `colspan` fills its first column, a `rowspan` leaves the rows
below empty.  A borderless narrow table is page layout (the issuing body
beside the national motto) and is read cell by cell as paragraphs.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import regex as re
from lxml import etree

from ..read import RawDocument, ReadError
from .encodings import EncodingError, decode_bytes, repair_text
from .lines import LineBuilder, cell_text, clean_text
from .numbering import format_number

_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "select",
         "iframe", "svg", "template", "head", "title", "object", "canvas"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "section", "article",
           "main", "center", "dd", "dt", "address", "figure", "figcaption", "hr", "ul", "ol", "dl", "body",
           "tr", "td", "th", "caption"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BORDER_STYLE = re.compile(r"border(?:-\w+)?\s*:\s*(?!none|0\b|hidden)", re.IGNORECASE)
_OL_FORMATS = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
# Tables with fewer columns and no borders are page layout.
_LAYOUT_MAX_COLUMNS = 2


def read_html(path: Path) -> RawDocument:
    """Read an `.html` / `.htm` file into lines (see the module docstring)."""
    text, warnings = _decode(path)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text) or "<html></html>")
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable HTML file ({exc})") from exc
    walker = _Walker()
    walker.block(root)
    return walker.builder.document(path, "html", warnings)


def _decode(path: Path) -> tuple[str, list[str]]:
    """The page's text: by its declared charset, else as a text file is decoded."""
    data = path.read_bytes()
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"))
            return repair_text(text.lstrip("\ufeff"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_bytes(data)
    except EncodingError as exc:
        raise ReadError(f"{path}: {exc}") from exc


def _tag(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _skipped(element: Any) -> bool:
    return (_tag(element) in _SKIP or element.get("hidden") is not None
            or bool(_HIDDEN_STYLE.search(element.get("style") or "")))


class _Walker:
    """Walks the page in document order, collecting the current line's inline text."""

    def __init__(self) -> None:
        self.builder = LineBuilder()
        self._parts: list[str] = []
        self._label = ""  # a list item's label, for the first text inside the item

    def flush(self) -> None:
        text = clean_text("".join(self._parts))
        self._parts = []
        if text:
            self.builder.add(self._label + text)
            self._label = ""

    def block(self, element: Any, label: str = "") -> None:
        """A block element: its own line(s), started after the text before it."""
        self.flush()
        self._label = label or self._label
        self.inline_children(element)
        self.flush()

    def inline_children(self, element: Any) -> None:
        if element.text:
            self._parts.append(element.text)
        for child in element:
            self.node(child)
            if child.tail:
                self._parts.append(child.tail)

    def node(self, element: Any) -> None:
        tag = _tag(element)
        if not tag or _skipped(element):
            return
        if tag == "br":
            self.flush()
        elif tag == "table":
            self.flush()
            self.table(element)
        elif tag in ("ul", "ol"):
            self.flush()
            for child, label in _list_items(element):
                self.block(child, label)
        elif tag in _BLOCKS:
            self.block(element)
        else:
            self.inline_children(element)

    def table(self, table: Any) -> None:
        rows = list(_rows(table))
        grid = list(_grid(rows))
        width = max((len(r) for r in grid), default=0)
        if width <= _LAYOUT_MAX_COLUMNS and not _draws_borders(table):
            for tr in rows:
                for cell in _cells(tr):
                    self.block(cell)
            return
        for cells in grid:
            self.builder.add_row(cells)


def _list_items(element: Any) -> Iterator[tuple[Any, str]]:
    """A list's items with the label a browser draws: "- " for bullets, "1. ", "a. " for numbers."""
    ordered = _tag(element) == "ol"
    fmt = _OL_FORMATS.get(element.get("type") or "1", "decimal")
    number = int(element.get("start") or 1)
    for child in element:
        if _tag(child) != "li" or _skipped(child):
            continue
        if child.get("value", "").isdigit():
            number = int(child.get("value"))
        yield child, (f"{format_number(number, fmt)}. " if ordered else "- ")
        number += 1


def _rows(table: Any) -> Iterator[Any]:
    """The table's own rows (inside thead/tbody/tfoot too), not those of nested tables."""
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child if _tag(tr) == "tr")


def _cells(tr: Any) -> Iterator[Any]:
    return (cell for cell in tr if _tag(cell) in ("td", "th") and not _skipped(cell))


def _span(cell: Any, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return max(1, int(value)) if value.isdigit() else 1


def _grid(rows: list[Any]) -> Iterator[list[str]]:
    """Row cell texts on the table's grid: colspans padded, cells under a rowspan empty."""
    covered: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in rows:
        cells: list[str] = []

        def fill_covered() -> None:
            while covered.get(len(cells), 0) > 0:
                covered[len(cells)] -= 1
                cells.append("")

        for cell in _cells(tr):
            fill_covered()
            column, colspan, rowspan = len(cells), _span(cell, "colspan"), _span(cell, "rowspan")
            cells.append(_cell_text(cell))
            cells.extend([""] * (colspan - 1))
            for c in range(column, column + colspan):
                if rowspan > 1:
                    covered[c] = rowspan - 1
        fill_covered()
        yield cells


def _cell_text(cell: Any) -> str:
    """A cell's text with its block and line breaks as spaces (units listed one a line as a
    '; ' list); list items keep their labels."""
    walker = _Walker()
    walker.block(cell)
    return cell_text("\n".join(line.text.replace("\t", " ") for line in walker.builder.lines))


def _draws_borders(table: Any) -> bool:
    border = (table.get("border") or "").strip()
    if border and border != "0":
        return True
    styled = [table.get("style") or ""] + [c.get("style") or "" for tr in _rows(table) for c in _cells(tr)]
    return any(_BORDER_STYLE.search(style) for style in styled)
