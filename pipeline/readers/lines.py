"""What every reader hands on: content lines in reading order, tables as tab-separated rows.

The later stages were written against plain text, so each reader reduces its
format to the same shape: one `Line` per paragraph (or visual line), a table
as one line per row with its cells joined by tabs, empty paragraphs counted
in `blank_before`, page breaks in `page` and `page_start`.  `LineBuilder`
keeps that bookkeeping in one place.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import regex as re

from ..model import Line
from ..read import RawDocument, ReadError
from ..textnorm import nfc
from .encodings import repair_lines

_SPACES = re.compile(r"[^\S\n]+")
_BREAKS = re.compile(r"\s*\n\s*")


def clean_text(text: str) -> str:
    """A paragraph's text on one line: NFC, tabs and runs of spaces as one space, ends trimmed."""
    return _SPACES.sub(" ", nfc(text).replace("\n", " ")).strip()


def cell_text(text: str) -> str:
    """A table cell's text: its paragraphs and line breaks joined by spaces (a cell holds no tab).

    A cell whose every paragraph (or line) names a unit ("Phòng Văn hóa - Xã hội" /
    "Đoàn Thanh niên xã") lists units one a paragraph: they are joined by "; ", as the
    unit splitter reads a list, not run together into one name.
    """
    parts = [clean_text(part) for part in _BREAKS.split(text.strip())]
    parts = [part for part in parts if part]
    if len(parts) >= 2 and _all_units(parts):
        return "; ".join(part.rstrip(" ;,.") for part in parts)
    return clean_text(_BREAKS.sub(" ", text))


def _all_units(parts: list[str]) -> bool:
    """Every part opens a unit name, and none leaves its name open ("Văn phòng HĐND và" / "UBND xã")."""
    from ..tables import _ends_open_phrase, cell_class  # imported here: tables builds on the readers' lines
    return (all(cell_class(part) == "unit" and not part.startswith(("-", "+", "•")) for part in parts)
            and not any(_ends_open_phrase(part) for part in parts[:-1]))


@dataclass
class LineBuilder:
    """Collects one document's lines in reading order.

    `lineno` defaults to the running index of the block (paragraph or table
    row) in the document, which is what DOCX and HTML lines point back to.
    """

    lines: list[Line] = field(default_factory=list)
    page: int = 1
    _blanks: int = 0
    _page_open: bool = True
    _blocks: int = 0

    def blank(self) -> None:
        """An empty paragraph: counted in the next line's `blank_before`."""
        self._blocks += 1
        self._blanks += 1

    def new_page(self) -> None:
        """Start a new page: the next line is its first."""
        self.page += 1
        self._page_open = True

    def add(self, text: str, lineno: int | None = None, page_start: bool = True) -> None:
        """Add one paragraph (already cleaned); empty text counts as a blank.

        `page_start=False` keeps a line from being marked the first of its
        page even when it is: a DOCX table row is never the rest of a row cut
        by the page break, which is what the table parser reads a page-start
        row with an empty number cell as.
        """
        self._blocks += 1
        if not text.strip():
            self._blanks += 1
            return
        self.lines.append(Line(text=text, page=self.page, lineno=lineno or self._blocks,
                               blank_before=self._blanks, page_start=self._page_open and page_start))
        self._blanks = 0
        self._page_open = False

    def add_row(self, cells: list[str], lineno: int | None = None, page_start: bool = True) -> None:
        """Add one table row: cells cleaned and joined by tabs; a row of empty cells is a blank."""
        texts = [cell_text(cell) for cell in cells]
        if any(texts):
            self.add("\t".join(texts), lineno, page_start)
        else:
            self.add("", lineno)

    def document(self, path: Path, source_format: str, warnings: list[str] | None = None,
                 repair: bool = True) -> RawDocument:
        """The finished document; raises `ReadError` when the file held no text.

        `repair` converts text in a legacy encoding (TCVN3, VNI) document-wide;
        a reader that already converted by font passes False.
        """
        warnings = list(warnings or [])
        lines = self.lines
        if repair and lines:
            texts, repaired = repair_lines([line.text for line in lines])
            lines = [dataclasses.replace(line, text=text) for text, line in zip(texts, lines)]
            warnings += repaired
        if not lines:
            raise ReadError(f"{path}: no text found in this {source_format.upper()} file")
        return RawDocument(lines=lines, n_pages=self.page, source_format=source_format, warnings=warnings)
