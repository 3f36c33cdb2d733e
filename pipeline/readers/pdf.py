"""PDF files through pdfplumber: text lines in reading order and ruled tables as tab-separated rows.

What a page gives and what the pipeline needs differ in a few ways, each
handled here:

* Ruled tables are found from their lines (pdfplumber's table finder) and
  become one line per row, cells joined by tabs; a merged cell fills its
  first grid position and leaves the others empty, the way text extractions
  of DOCX tables show them.  A table that runs on over a page break is one
  table: the header row repeated on the next page is dropped.  A row cut by
  the page break comes back as a row with an empty number cell at the top of
  the next page, as in text extractions; the table parser merges it.
* Text outside tables is grouped into visual lines, and the lines of one
  paragraph are joined again: a line that runs to the right margin goes on
  in the next when that one is not indented as a first line and no
  paragraph spacing separates them.  A wrapped line that happens to begin
  with "- " or "Phụ lục" is then not taken for a list item or a heading.
  Side-by-side blocks (the issuing body beside the national motto, the
  recipients beside the signature) are read column by column, left first.
* Page numbers and running headers or footers are removed; a word a soft
  hyphen broke at a line end is joined, as is a document number broken
  after its slash or hyphen.
* A page without a text layer (a scan) is read by OCR (`ocr.py`).
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
import regex as re
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException
from rapidfuzz import fuzz

from ..read import RawDocument, ReadError
from . import ocr
from .encodings import encoding_rules, is_page_number, join_lines, list_mark, repair_lines
from .lines import LineBuilder, clean_text

# Words further apart than this many font sizes start a new block (a column).
_COLUMN_GAP = 1.5
# A right-hand column starts at least this far (a share of the text width) from the left edge.
_COLUMN_MIN_OFFSET = 0.3
# Lines further apart than this many line heights are not one side-by-side block.
_BLOCK_GAP = 1.6
# A gap above a line of more than this many line heights is a paragraph break.
_PARAGRAPH_GAP = 0.8
# Space between words, in font sizes (for "would the next word have fitted on this line?").
_WORD_SPACE = 0.25
# Two rows this similar (0-100) are the same row read twice: a table header repeated on a new page.
_SAME_ROW = 90
# A page with fewer characters than this has no text layer worth reading.
_MIN_TEXT_CHARS = 10
_DIGITS = re.compile(r"\d+")


@dataclass
class _Item:
    """One line of a page: text, or a table row (`cells`).  Items are read in `order`."""

    top: float
    bottom: float
    text: str = ""
    cells: list[str] | None = None
    table: int | None = None  # which table of its page a row belongs to
    order: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    size: float = 0.0
    in_column: bool = False  # part of a side-by-side block: never joined to another line
    next_x: float | None = None  # where the paragraph's wrapped lines start, once one has joined
    first_word: float = 0.0  # width of the line's first word

    @property
    def is_row(self) -> bool:
        return self.cells is not None


@dataclass
class _Page:
    number: int
    height: float
    items: list[_Item] = field(default_factory=list)
    scanned: bool = False


def read_pdf(path: Path) -> RawDocument:
    """Read a `.pdf` file into lines with their page numbers (see the module docstring)."""
    try:
        with pdfplumber.open(path) as pdf:
            pages = [_read_page(page) for page in pdf.pages]
            warnings = _ocr_scanned(path, pdf.pages, pages)
    except PdfminerException as exc:
        raise _unreadable(path, exc.args[0] if exc.args else exc) from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError) as exc:
        raise _unreadable(path, exc) from exc
    warnings += _repair_encoding(pages)
    _drop_furniture(pages)
    _join_tables(pages)
    _join_paragraphs(pages)
    return _build(pages).document(path, "pdf", warnings, repair=False)


def _unreadable(path: Path, cause: BaseException) -> ReadError:
    """Say why pdfminer gave up in words an analyst can act on (pdfplumber wraps its errors)."""
    if isinstance(cause, PDFPasswordIncorrect):
        return ReadError(f"{path}: the PDF is encrypted and opens only with its password; "
                         "ask the sender for an unprotected copy")
    return ReadError(f"{path}: not a readable PDF file, damaged or truncated ({type(cause).__name__}: {cause})")


# ---------------------------------------------------------------------------
# One page


def _read_page(page: Any) -> _Page:
    out = _Page(number=page.page_number, height=float(page.height))
    if len("".join(ch["text"] for ch in page.chars).strip()) < _MIN_TEXT_CHARS:
        out.scanned = bool(page.images)
        return out
    tables = _tables(page)
    out.items = [_Item(row.bbox[1], row.bbox[3], cells=[_cell_text(c) for c in cells], table=n, order=row.bbox[1])
                 for n, table in enumerate(tables) for row, cells in zip(table.rows, table.extract())]
    boxes = [t.bbox for t in tables]
    outside = page.filter(lambda obj: not any(_centre_inside(obj, box) for box in boxes))
    words = outside.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"])
    out.items += _line_items(_group_lines(words))
    out.items.sort(key=lambda item: item.order)
    return out


def _tables(page: Any, settings: dict | None = None) -> list[Any]:
    """Ruled tables of the page (a lone box is a frame, not a table)."""
    return [t for t in page.find_tables(settings or {}) if len(t.rows) > 1 or len(t.rows[0].cells) > 1]


def _cell_text(text: str | None) -> str:
    """A cell's visual lines joined as one paragraph, each line's bullet glyph read as its label."""
    joined = ""
    for line in (text or "").split("\n"):
        if line.strip():
            joined = join_lines(joined, list_mark(line.strip())) if joined else list_mark(line.strip())
    return clean_text(joined)


def _centre_inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
    y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# ---------------------------------------------------------------------------
# Visual lines and side-by-side columns


@dataclass
class _Word:
    x0: float
    x1: float
    text: str


@dataclass
class _VisualLine:
    """The words on one baseline band of a page, left to right."""

    top: float
    bottom: float
    size: float
    words: list[_Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def split_at(self, min_x: float) -> int | None:
        """Index of the first word after a wide gap that starts at `min_x` or further right."""
        for n in range(1, len(self.words)):
            word, before = self.words[n], self.words[n - 1]
            if word.x0 - before.x1 > _COLUMN_GAP * self.size and word.x0 >= min_x:
                return n
        return None


def _group_lines(words: list[dict]) -> list[_VisualLine]:
    """pdfplumber's words on the same baseline band, as lines."""
    groups: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if groups and abs(word["top"] - groups[-1][0]["top"]) <= 0.5 * word["size"]:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [_VisualLine(top=min(w["top"] for w in group), bottom=max(w["bottom"] for w in group),
                        size=statistics.median(w["size"] for w in group),
                        words=[_Word(w["x0"], w["x1"], w["text"]) for w in sorted(group, key=lambda w: w["x0"])])
            for group in groups]


def _line_items(lines: list[_VisualLine]) -> list[_Item]:
    """A page's visual lines as items, side-by-side blocks read column by column."""
    if not lines:
        return []
    left = min(line.words[0].x0 for line in lines)
    right = max(line.words[-1].x1 for line in lines)
    return _read_columns(lines, left + _COLUMN_MIN_OFFSET * (right - left))


@dataclass
class _ColumnBlock:
    """Side-by-side text: each line's words on the left and on the right of the column gap."""

    lines: list[_VisualLine] = field(default_factory=list)
    left: list[tuple[_VisualLine, str]] = field(default_factory=list)
    right: list[tuple[_VisualLine, str]] = field(default_factory=list)
    left_end: float = 0.0  # where the left column's text ends, at the furthest
    right_start: float = float("inf")  # where the right column's text starts, at the nearest
    split_lines: int = 0

    def take(self, line: _VisualLine, min_split: float) -> bool:
        """Add `line` if it continues the block: split at a wide gap, or wholly on one side."""
        if self.lines and line.top - self.lines[-1].bottom > _BLOCK_GAP * (line.bottom - line.top):
            return False
        n = line.split_at(min_split)
        if n is not None:
            self._add(line, line.words[:n], line.words[n:])
            self.split_lines += 1
        elif self.lines and line.words[-1].x1 < self.right_start - line.size:
            self._add(line, line.words, [])
        elif self.lines and line.words[0].x0 > self.left_end + line.size:
            self._add(line, [], line.words)
        else:
            return False
        return True

    def _add(self, line: _VisualLine, left: list[_Word], right: list[_Word]) -> None:
        self.lines.append(line)
        if left:
            self.left.append((line, " ".join(w.text for w in left)))
            self.left_end = max(self.left_end, left[-1].x1)
        if right:
            self.right.append((line, " ".join(w.text for w in right)))
            self.right_start = min(self.right_start, right[0].x0)

    def items(self) -> list[_Item]:
        """Left column first, then right; all keep the block's place on the page."""
        start = self.lines[0].top
        return [_Item(line.top, line.bottom, list_mark(text), order=start + n * 1e-6, in_column=True)
                for n, (line, text) in enumerate(self.left + self.right)]


def _read_columns(lines: list[_VisualLine], min_split: float) -> list[_Item]:
    """Lines in order; a side-by-side block gives its left column's lines, then its right column's.

    A block starts at a line with a wide gap before a word right of
    `min_split` (a column, not the gap after "Số:") and goes on over the
    lines close below it that split at such a gap or lie wholly on one side.
    It must have two lines with both columns: a lone "ngày ... tháng ...
    năm" with its day and month left blank has wide gaps too.
    """
    items: list[_Item] = []
    i = 0
    while i < len(lines):
        block = _ColumnBlock()
        if lines[i].split_at(min_split) is not None:
            for line in lines[i:]:
                if not block.take(line, min_split):
                    break
        if block.split_lines >= 2:
            items += block.items()
            i += len(block.lines)
            continue
        line = lines[i]
        first = line.words[0]
        items.append(_Item(line.top, line.bottom, list_mark(line.text), order=line.top, x0=first.x0,
                           x1=line.words[-1].x1, size=line.size, first_word=first.x1 - first.x0))
        i += 1
    return items


# ---------------------------------------------------------------------------
# Scanned pages


def _ocr_scanned(path: Path, pdf_pages: list[Any], pages: list[_Page]) -> list[str]:
    """OCR the pages without a text layer; the document must not come back empty."""
    scanned = [page.number for page in pages if page.scanned]
    has_text = any(page.items for page in pages)
    if not scanned:
        if not has_text:
            raise ReadError(f"{path}: the PDF holds no text and no page images")
        return []
    listed = ", ".join(map(str, scanned))
    if not ocr.available():
        if not has_text:
            raise ReadError(f"{path}: scanned PDF without a text layer; {ocr.INSTALL_HINT}")
        return [f"pages {listed} are scanned images and were skipped; {ocr.INSTALL_HINT}"]
    for number, scan in ocr.ocr_pages(path, scanned, lambda n, rulings: _grid(pdf_pages[n - 1], rulings)):
        pages[number - 1].items = _scanned_items(scan)
    return [f"pages {listed} read by OCR (Tesseract, Vietnamese)"]


def _grid(page: Any, rulings: list[dict]) -> ocr.Grid:
    """The tables a scanned page's ruling lines draw, as rows of cell boxes (None where merged)."""
    verticals = [r for r in rulings if r["height"]]
    horizontals = [r for r in rulings if r["width"]]
    if len(verticals) < 2 or len(horizontals) < 2:
        return []
    tables = _tables(page, {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                            "explicit_vertical_lines": verticals, "explicit_horizontal_lines": horizontals})
    return [[list(row.cells) for row in table.rows] for table in tables]


def _ocr_line(words: list[ocr.OcrWord]) -> _VisualLine:
    """A line Tesseract read, as a visual line; its height stands in for the font size."""
    top, bottom = min(w.top for w in words), max(w.bottom for w in words)
    return _VisualLine(top=top, bottom=bottom, size=bottom - top,
                       words=[_Word(w.x0, w.x1, w.text) for w in sorted(words, key=lambda w: w.x0)])


def _scanned_items(scan: ocr.OcrPage) -> list[_Item]:
    """A scanned page's items: its ruled tables' rows, then its text lines."""
    items = [_Item(row.top, row.bottom, cells=[_cell_text(cell) for cell in row.cells], table=n, order=row.top)
             for n, table in enumerate(scan.tables) for row in table]
    items += _line_items([_ocr_line(line) for line in scan.lines])
    return sorted(items, key=lambda item: item.order)


# ---------------------------------------------------------------------------
# The whole document


def _repair_encoding(pages: list[_Page]) -> list[str]:
    """Convert text in a legacy encoding (a PDF set in TCVN3 or VNI fonts), deciding once for the document."""
    pieces = [text for page in pages for item in page.items for text in (item.cells or [item.text])]
    repaired, warnings = repair_lines(pieces)
    if warnings:
        it = iter(repaired)
        for page in pages:
            for item in page.items:
                if item.is_row:
                    item.cells = [next(it) for _ in item.cells]
                else:
                    item.text = next(it)
    return warnings


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.split())).casefold()


def _drop_furniture(pages: list[_Page]) -> None:
    """Remove page numbers and running headers/footers: text lines in the top or bottom margin
    that are a page number, or that repeat (digits aside) on most pages."""
    r = encoding_rules()

    def in_margin(page: _Page, item: _Item) -> bool:
        return not item.is_row and (
            item.bottom < r.furniture_margin * page.height or item.top > (1 - r.furniture_margin) * page.height)

    repeats = Counter(key for page in pages
                      for key in {_furniture_key(i.text) for i in page.items if in_margin(page, i)})
    threshold = max(2, r.furniture_repeat * len(pages))
    for page in pages:
        page.items = [item for item in page.items
                      if not (in_margin(page, item) and (is_page_number(item.text)
                                                         or repeats[_furniture_key(item.text)] >= threshold))]


def _join_tables(pages: list[_Page]) -> None:
    """A table that goes on at the top of the next page is the same table: drop its repeated header."""
    open_header: list[str] | None = None  # header row of the table the previous page ended in
    for page in pages:
        first = page.items[0] if page.items else None
        continued = open_header is not None and first is not None and first.is_row \
            and len(first.cells) == len(open_header)
        headers: dict[int | None, list[str]] = {}
        for item in page.items:
            if item.is_row and item.table not in headers:
                headers[item.table] = open_header if continued and item is first else item.cells
        if continued and _same_row(first.cells, open_header):
            page.items.pop(0)
        last = page.items[-1] if page.items else None
        open_header = headers.get(last.table) if last is not None and last.is_row else None


def _same_row(cells: list[str], other: list[str]) -> bool:
    """True for the same row read twice (a repeated header; OCR may misread a letter or a space)."""
    return fuzz.ratio(_row_key(cells), _row_key(other)) >= _SAME_ROW


def _row_key(cells: list[str]) -> str:
    return "|".join("".join(ch for ch in cell.casefold() if ch.isalnum()) for cell in cells)


@dataclass
class _Margins:
    """Where a page's text lines start and where its longest lines end."""

    left: float
    right: float

    @classmethod
    def of(cls, page: _Page) -> _Margins:
        lines = [item for item in page.items if not item.is_row and not item.in_column]
        if not lines:
            return cls(0.0, 0.0)
        return cls(min(item.x0 for item in lines), max(item.x1 for item in lines))


def _join_paragraphs(pages: list[_Page]) -> None:
    """Join the visual lines of each paragraph, also over a page break (see the module docstring)."""
    paragraph: _Item | None = None  # the text line a following line may continue
    margins = _Margins(0.0, 0.0)  # of the paragraph's page
    for page in pages:
        page_margins = _Margins.of(page)
        kept: list[_Item] = []
        for item in page.items:
            if paragraph is not None and _continues(paragraph, item, margins, page_start=not kept):
                paragraph.text = join_lines(paragraph.text, item.text)
                paragraph.next_x = item.x0
                paragraph.x1, paragraph.bottom = item.x1, item.bottom
                continue
            kept.append(item)
            paragraph = None if item.is_row or item.in_column else item
            margins = page_margins
        page.items = kept


def _continues(paragraph: _Item, item: _Item, margins: _Margins, page_start: bool) -> bool:
    """True when `item` is the next visual line of `paragraph`.

    The paragraph's last line must be full (the next line's first word would
    not have fitted after it, justified or ragged), and `item` must
    start where wrapped lines start: left of an indented first line, or
    where the paragraph's earlier wrapped lines or (for an unindented first
    line) the margin are.  Within a page there must be no paragraph spacing;
    over a page break the line must go on in lower case.
    """
    if item.is_row or item.in_column or not item.text:
        return False
    tolerance = 0.5 * max(paragraph.size, item.size, 1.0)
    if paragraph.x1 + _WORD_SPACE * paragraph.size + item.first_word < margins.right - tolerance:
        return False
    if paragraph.next_x is not None:
        wrapped = abs(item.x0 - paragraph.next_x) <= tolerance
    else:
        unindented = paragraph.x0 <= margins.left + tolerance
        wrapped = item.x0 < paragraph.x0 - tolerance or (unindented and abs(item.x0 - paragraph.x0) <= tolerance)
    if page_start:
        return wrapped and item.text[:1].islower()
    return wrapped and item.top - paragraph.bottom <= _PARAGRAPH_GAP * (item.bottom - item.top)


def _build(pages: list[_Page]) -> LineBuilder:
    """Pages to lines: page numbers, page starts, a blank line at a paragraph gap."""
    builder = LineBuilder()
    for n, page in enumerate(pages):
        if n:
            builder.new_page()
        previous: _Item | None = None
        for item in page.items:
            if item.is_row:
                builder.add_row(item.cells)
            else:
                if previous is not None and not previous.is_row and \
                        item.top - previous.bottom > _PARAGRAPH_GAP * (item.bottom - item.top):
                    builder.blank()
                builder.add(item.text)
            previous = item
    return builder
