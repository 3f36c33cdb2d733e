"""DOCX files: paragraphs and tables in document order, as Word displays them.

python-docx opens the package; the body is walked here directly, because the
text a reader needs is more than `paragraph.text`:

* automatic list numbering is written in front of the paragraph ("I. ",
  "a) ", "- "), since plans often never type their labels (`numbering.py`);
* a data table (one that draws borders, or has three columns or more)
  becomes one line per row, its cells joined by tabs on Word's grid: a cell
  spanning columns (gridSpan) fills the first and leaves the rest empty, a
  vertically merged continuation cell (vMerge) is empty, nested tables are
  flattened into their cell's text;
* a borderless table of one or two columns is page layout (the header with
  the issuing body beside the national motto, the signature block), so its
  cells are read as paragraphs, left cell before right, as a text
  extraction shows them;
* a manual line break (Shift+Enter, as in a "Nơi nhận" list typed in one
  paragraph) starts a new line with the paragraph's index;
* runs set in a legacy font (".VnTime", "VNI-Times") are converted to
  Unicode by that font; deleted, hidden and field-code text is left out, and
  so are headers, footers, footnotes and text boxes;
* page numbers follow Word's last rendering (`lastRenderedPageBreak`) when
  the file has it, else hard page and section breaks.

`Line.lineno` is the index of the paragraph or table row in document order.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import regex as re
from docx.opc.exceptions import PackageNotFoundError

from ..read import RawDocument, ReadError
from .encodings import font_encoding
from .lines import LineBuilder, cell_text, clean_text
from .numbering import Numbering
from .wordml import Styles, attr, child, has_visible_border, run_font, tag

# Inline elements whose runs are part of the paragraph's text.
_RUN_CONTAINERS = {tag(name) for name in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "moveTo",
                                          "dir", "bdo")}
_SDT = tag("sdt")
_P, _TBL, _TR, _TC, _R = tag("p"), tag("tbl"), tag("tr"), tag("tc"), tag("r")
_PAGE_BREAK = "\f"  # marks a page break inside collected paragraph text
_BREAKS = re.compile("([\f\n])")
# Tables with more columns than this hold data even when they draw no borders.
_LAYOUT_MAX_COLUMNS = 2


def read_docx(path: Path) -> RawDocument:
    """Read a `.docx` file into lines (see the module docstring)."""
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable DOCX file ({exc})") from exc
    return _DocxReader(document).read(path)


def _numbering_element(document: Any) -> Any | None:
    try:
        return document.part.numbering_part.element
    except (NotImplementedError, KeyError):
        return None


def _children(container: Any) -> Iterator[Any]:
    """Block, row or cell children, with content controls (`w:sdt`) unwrapped."""
    for element in container:
        if element.tag != _SDT:
            yield element
        elif (content := child(element, "sdtContent")) is not None:
            yield from _children(content)


def _runs(container: Any) -> Iterator[Any]:
    """The runs of a paragraph in reading order, inside links, insertions and controls; not deletions."""
    for element in container:
        if element.tag == _R:
            yield element
        elif element.tag in _RUN_CONTAINERS:
            yield from _runs(element)
        elif element.tag == _SDT and (content := child(element, "sdtContent")) is not None:
            yield from _runs(content)


def _rows(tbl: Any) -> Iterator[Any]:
    return (element for element in _children(tbl) if element.tag == _TR)


def _cells(tr: Any) -> Iterator[Any]:
    return (element for element in _children(tr) if element.tag == _TC)


def _pieces(text: str) -> Iterator[tuple[str, str]]:
    """A paragraph's text cut at its page and line breaks: (text, the break after it or "")."""
    parts = _BREAKS.split(text)
    for n in range(0, len(parts), 2):
        yield parts[n], parts[n + 1] if n + 1 < len(parts) else ""


def _is_hidden(rpr: Any) -> bool:
    vanish = child(rpr, "vanish")
    return vanish is not None and attr(vanish) not in ("0", "false")


class _DocxReader:
    """One pass over one document's body."""

    def __init__(self, document: Any) -> None:
        body = document.element.body
        self._body = body
        self._styles = Styles(document.styles.element)
        self._numbering = Numbering(_numbering_element(document), self._styles)
        self._rendered_pages = next(body.iter(tag("lastRenderedPageBreak")), None) is not None
        self._builder = LineBuilder()
        self._index = 0
        self._legacy: set[str] = set()

    def read(self, path: Path) -> RawDocument:
        self._blocks(self._body)
        warnings = [f"text in the legacy {name} encoding converted to Unicode (by its font)"
                    for name in sorted(self._legacy)]
        return self._builder.document(path, "docx", warnings, repair=not self._legacy)

    # -- blocks -------------------------------------------------------------

    def _blocks(self, container: Any) -> None:
        for element in _children(container):
            if element.tag == _P:
                self._paragraph(element)
            elif element.tag == _TBL:
                self._table(element)

    def _paragraph(self, p: Any) -> None:
        """A paragraph's lines (one, or one per manual line break), on the pages its breaks put them."""
        self._index += 1
        prefix, text = self._paragraph_parts(p)
        written = False
        for piece, separator in _pieces(text):
            words = clean_text(piece)
            if words:
                self._builder.add(("" if written else prefix) + words, self._index)
                written = True
            if separator == _PAGE_BREAK:
                self._builder.new_page()
        if not written:
            self._builder.blank()
        if self._ends_page(p):
            self._builder.new_page()

    def _ends_page(self, p: Any) -> bool:
        """A section break that starts the next section on a new page (hard breaks only)."""
        if self._rendered_pages:
            return False
        section = child(p, "pPr", "sectPr")
        return section is not None and attr(child(section, "type")) != "continuous"

    def _paragraph_parts(self, p: Any) -> tuple[str, str]:
        """(list label Word draws, or "", the runs' text with page breaks as `_PAGE_BREAK`)."""
        ppr = child(p, "pPr")
        paragraph_style = attr(child(ppr, "pStyle"))
        prefix = self._list_prefix(ppr, paragraph_style)
        parts = [self._run_text(run, paragraph_style) for run in _runs(p)]
        if not self._rendered_pages and child(ppr, "pageBreakBefore") is not None:
            parts.insert(0, _PAGE_BREAK)
        return prefix, "".join(parts)

    def _list_prefix(self, ppr: Any, paragraph_style: str | None) -> str:
        """The label Word draws for this paragraph, counted in document order; "" when not numbered."""
        num_pr = child(ppr, "numPr")
        num_id = attr(child(num_pr, "numId"))
        ilvl_text = attr(child(num_pr, "ilvl"))
        ilvl = int(ilvl_text) if ilvl_text is not None else None
        from_style = self._styles.numbering(paragraph_style)
        if num_id is None and from_style:
            num_id = from_style[0]
            if ilvl is None:
                ilvl = from_style[1] if from_style[1] is not None else \
                    self._numbering.level_of_style(num_id, from_style[2])
        if num_id in (None, "0"):
            return ""
        return self._numbering.prefix(num_id, ilvl or 0) or ""

    def _run_text(self, run: Any, paragraph_style: str | None) -> str:
        rpr = child(run, "rPr")
        if _is_hidden(rpr):
            return ""
        parts = []
        for item in run:
            name = item.tag[len(tag("")):]
            if name == "t":
                parts.append(item.text or "")
            elif name in ("tab", "ptab"):
                parts.append("\t")
            elif name == "br":
                parts.append(_PAGE_BREAK if attr(item, "type") == "page" and not self._rendered_pages else "\n")
            elif name == "cr":
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            elif name == "lastRenderedPageBreak":
                parts.append(_PAGE_BREAK)
        return self._decode(rpr, paragraph_style, "".join(parts))

    def _decode(self, rpr: Any, paragraph_style: str | None, text: str) -> str:
        """Run text in a legacy font converted to Unicode, by that font."""
        if not text.strip(_PAGE_BREAK + "\n\t "):
            return text
        font = run_font(rpr) or self._styles.font(attr(child(rpr, "rStyle")), paragraph_style)
        legacy = font_encoding(font)
        if legacy is None:
            return text
        encoding, capitals = legacy
        self._legacy.add(encoding.name)
        return encoding.convert(text, capitals)

    # -- tables -------------------------------------------------------------

    def _table(self, tbl: Any) -> None:
        if self._is_layout(tbl):
            for tr in _rows(tbl):
                for tc in _cells(tr):
                    self._blocks(tc)
            return
        for tr in _rows(tbl):
            self._index += 1
            self._builder.add_row(self._row_cells(tr), self._index, page_start=False)

    def _is_layout(self, tbl: Any) -> bool:
        """A borderless table of at most two columns places text on the page; it holds no data."""
        grid = child(tbl, "tblGrid")
        columns = len(grid.findall(tag("gridCol"))) if grid is not None else 0
        return columns <= _LAYOUT_MAX_COLUMNS and not self._draws_borders(tbl)

    def _draws_borders(self, tbl: Any) -> bool:
        """True for a data table: its own, its style's or a cell's borders draw lines."""
        tbl_pr = child(tbl, "tblPr")
        own = child(tbl_pr, "tblBorders")
        if own is not None:
            if has_visible_border(own):
                return True
        elif self._styles.table_borders(attr(child(tbl_pr, "tblStyle"))):
            return True
        return any(has_visible_border(child(tc, "tcPr", "tcBorders")) for tr in _rows(tbl) for tc in _cells(tr))

    def _row_cells(self, tr: Any) -> list[str]:
        """A row's cell texts on the table grid: spans padded with empty cells, merged continuations empty."""
        before = attr(child(tr, "trPr", "gridBefore"))
        cells = [""] * int(before or 0)
        for tc in _cells(tr):
            tc_pr = child(tc, "tcPr")
            span = int(attr(child(tc_pr, "gridSpan")) or 1)
            merge = child(tc_pr, "vMerge")
            continued = merge is not None and attr(merge) in (None, "continue")
            text = self._cell_text(tc)
            cells.append("" if continued else text)
            cells.extend([""] * (span - 1))
        return cells

    def _cell_text(self, tc: Any) -> str:
        """A cell's paragraphs (with their list labels) and nested tables, joined by spaces."""
        parts = []
        for element in _children(tc):
            if element.tag == _P:
                prefix, text = self._paragraph_parts(element)
                words = clean_text(text.replace(_PAGE_BREAK, ""))
                parts.append(prefix + words if words else "")
            elif element.tag == _TBL:
                parts.extend(" ".join(self._row_cells(tr)) for tr in _rows(element))
        return cell_text("\n".join(parts))
