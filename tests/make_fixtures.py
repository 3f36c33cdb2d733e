"""Build the reader fixtures from the five seed texts (run by hand; the output is committed).

    .venv/bin/python tests/make_fixtures.py

Needs LibreOffice (`soffice`, Debian package libreoffice-writer-nogui) for the
PDFs and poppler (`pdftoppm`, poppler-utils) for the scanned PDF; the tests
only read the committed files.  Each seed's text is parsed into paragraphs
and tables once, then written as real offices write it:

* `docx/`: Word documents with automatic list numbering for `I.`, `1.`,
  `a)`, `-`, `+` and `(1).` wherever Word's counters produce the seed's label
  (roman headings numbered through the Heading 1 style), typed labels where
  the author's numbering breaks the sequence, plan and target tables with
  merged cells (gridSpan group rows, vMerge for blank cells under a value),
  bullet lists inside unit cells, the issuing-body header and the signature
  as borderless layout tables, page numbers in the page header;
* `docx_tcvn3/`: the same documents typed in the legacy TCVN3 fonts
  (".VnTime", capitals in ".VnTimeH");
* `pdf/`: those DOCX files exported by LibreOffice, as offices export them;
* `scan/`: those PDFs as page images without a text layer, as a scanner makes them;
* `html/`: pages as legal portals publish them (paragraphs, bold titles,
  tables with colspan and rowspan, site navigation and footer around);
* `md/`: Markdown with headings, bold and pipe tables;
* `txt_tcvn3/`, `txt_vni/`, `txt_nfd/`, `txt_cp1258/`: the seed text in the
  legacy encodings, decomposed Unicode and Windows-1258.

Every fixture is named by its seed's stem so `score.py --match stem` pairs it
with the gold file.
"""
from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import docx
import regex as re
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.model import Line, Table  # noqa: E402
from pipeline.read import read  # noqa: E402
from pipeline.readers.encodings import encoding_rules  # noqa: E402
from pipeline.readers.numbering import format_number  # noqa: E402
from pipeline.structure import grammar  # noqa: E402
from pipeline.tables import find_tables  # noqa: E402

RAW = ROOT / "data" / "raw"
OUT = ROOT / "tests" / "fixtures"

# ---------------------------------------------------------------------------
# The document model the writers share


@dataclass
class Para:
    """A paragraph: its label (kept apart so Word can number it) and its words."""

    text: str
    label: str | None = None  # as the seed writes it: "I.", "1.", "a)", "-", "+", "(1)."
    kind: str | None = None   # roman, arabic, letter, dash, plus, paren, dotted
    tight: bool = False       # the seed wrote no space after the label ("I.MỤC ĐÍCH")
    center: bool = False
    bold: bool = False
    page_break: bool = False

    @property
    def full(self) -> str:
        """The paragraph as the seed types it, label included."""
        if not self.label:
            return self.text
        return f"{self.label}{'' if self.tight else ' '}{self.text}"


@dataclass
class Cell:
    """A table cell: its paragraphs, how many grid columns it spans, whether it merges with the cell above."""

    paragraphs: list[str]
    span: int = 1
    merge: str | None = None  # "restart" or "continue" (vertically merged)
    bullets: bool = False     # paragraphs are "- " list items


@dataclass
class Grid:
    """A table: data with a header row, or borderless page layout."""

    rows: list[list[Cell]]
    layout: bool = False  # borderless page layout (header block, signature)
    header_rows: int = 1


Block = Para | Grid


@dataclass
class Seed:
    """One seed file as blocks, named by its stem."""

    stem: str
    blocks: list[Block] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Parsing a seed's text into blocks

TITLE = re.compile(r"^\**\s*(KẾ HOẠCH|QUYẾT ĐỊNH)\b(?!\s*:)")
MOTTO = re.compile(r"CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI|Độc lập\s*-\s*Tự do")
DATE_LINE = re.compile(r"\bngày\b.*\btháng\b.*\bnăm\b")
BODY_START = re.compile(r"^(Căn cứ|Thực hiện|Theo đề nghị|Điều \d|QUYẾT ĐỊNH\s*:)")
RECIPIENTS = re.compile(r"^Nơi nhận", re.IGNORECASE)
APPENDIX = re.compile(r"^(Phụ lục|PHỤ LỤC)\b")
NAME = re.compile(r"^(\p{Lu}\p{Ll}+)(\s+\p{Lu}\p{Ll}+){1,4}$")
SIGN_TITLE = re.compile(r"^(TM\.|KT\.|Q\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|TRƯỞNG BAN|PHÓ TRƯỞNG BAN|GIÁM ĐỐC)")
GAP = re.compile(r"\s{3,}")
CAPS_LINE = re.compile(r"^[\p{Lu}\d\s,.:;()–-]+$")
LABEL_SPLIT = re.compile(r"^\s*(?P<label>(?:[IVX]+\.)|(?:\d{1,2}(?:\.\d{1,2})+\.?)|(?:\d{1,2}\.)|(?:[a-zđ]\))"
                         r"|(?:\(\d{1,2}\)\.?)|-|\+)(?P<space>\s*)(?P<rest>.*)$")


def marker_kind(label: str) -> str:
    """The numbering style of a seed's label: roman, arabic, letter, paren, dash, plus or dotted."""
    if label in ("-", "+"):
        return {"-": "dash", "+": "plus"}[label]
    if label.startswith("("):
        return "paren"
    if label.endswith(")"):
        return "letter"
    if re.match(r"^[IVX]+\.$", label):
        return "roman"
    if re.match(r"^\d{1,2}\.$", label):
        return "arabic"
    return "dotted"


def labelled(text: str) -> Para:
    """A paragraph whose text starts with a list label the structure grammar knows."""
    g = grammar()
    if g.marker(text) is None and not re.match(r"^\s*\+\s*\S", text):
        return Para(text=text.strip())
    m = LABEL_SPLIT.match(text)
    if not m or not m.group("rest"):
        return Para(text=text.strip())
    label = m.group("label")
    return Para(text=m.group("rest").strip(), label=label, kind=marker_kind(label), tight=not m.group("space"))


def starts_block(text: str) -> bool:
    """True for a line that opens a paragraph of its own: a label, a field line, a preamble clause, a heading."""
    g = grammar()
    stripped = text.strip()
    return bool(g.marker(stripped) or g.field_line(stripped) or re.match(r"^\+\s*\S", stripped)
                or BODY_START.match(stripped) or RECIPIENTS.match(stripped) or APPENDIX.match(stripped)
                or (CAPS_LINE.match(stripped) and len(stripped.split()) >= 2))


def wrap_width(lines: list[Line]) -> float | None:
    """The width a visually wrapped text wraps at, or None when lines are whole paragraphs."""
    lengths = sorted(len(line.text.strip()) for line in lines if "\t" not in line.text)
    if not lengths:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    return width if width <= 110 else None


def split_columns(lines: list[str]) -> tuple[list[str], list[str]]:
    """A header block's lines into the issuing body's column and the motto's column."""
    left, right = [], []
    for text in lines:
        parts = [p.strip() for p in GAP.split(text.strip()) if p.strip()]
        if len(parts) == 2 and (MOTTO.search(parts[1]) or DATE_LINE.search(parts[1])):
            left.append(parts[0])
            right.append(parts[1])
        elif MOTTO.search(text) or DATE_LINE.search(text):
            right.append(text.strip())
        else:
            left.append(text.strip())
    return left, right


def front_blocks(lines: list[str]) -> list[Block]:
    """The lines before the body: a header table (when the motto is there), then centred title lines."""
    title_at = next((i for i, t in enumerate(lines) if TITLE.match(t.strip())), len(lines))
    head, rest = lines[:title_at], lines[title_at:]
    blocks: list[Block] = []
    if any(MOTTO.search(t) for t in head):
        left, right = split_columns(head)
        blocks.append(Grid(rows=[[Cell(left), Cell(right)]], layout=True, header_rows=0))
    else:
        blocks += [Para(text=t.strip(), center=True) for t in head]
    for text in rest:
        clean = text.strip().strip("*").strip()
        blocks.append(Para(text=clean, center=True, bold=bool(TITLE.match(clean)) or clean.isupper()))
    return blocks


def signature_blocks(lines: list[str]) -> list[Block]:
    """'Nơi nhận' and its list on the left, the signer's title and name on the right."""
    split = next((i for i, t in enumerate(lines) if i and SIGN_TITLE.match(t.strip())), len(lines))
    left = [t.strip() for t in lines[:split]]
    right = [t.strip() for t in lines[split:]]
    return [Grid(rows=[[Cell(left), Cell(right)]], layout=True, header_rows=0)]


def body_paragraphs(lines: list[Line], width: float | None) -> list[Para]:
    """Wrapped lines joined into paragraphs: a line continues the one before when that one ran full width."""
    paras: list[list[str]] = []
    prev: str | None = None
    for line in lines:
        text = line.text.strip()
        full = width is not None and prev is not None and len(prev) >= 0.72 * width
        if paras and full and not starts_block(text):
            paras[-1].append(text)
        else:
            paras.append([text])
        prev = text
    return [labelled(" ".join(p)) for p in paras]


def seed_blocks(lines: list[Line]) -> list[Block]:
    """A seed's lines as blocks: front matter (header block, titles), body paragraphs, tables,
    the signature, each decision or plan of the file in turn (a page break before a later title)."""
    tables = {start: (end, table) for start, end, table in find_tables(lines)}
    width = wrap_width(lines)
    blocks: list[Block] = []
    state, pending = "front", []
    i = 0

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        if state == "front":
            blocks.extend(front_blocks([ln.text for ln in pending]))
        elif state == "sign":
            blocks.extend(signature_blocks([ln.text for ln in pending]))
        else:
            blocks.extend(body_paragraphs(pending, width))
        pending = []

    while i < len(lines):
        if i in tables:
            flush()
            end, table = tables[i]
            blocks.append(table_grid(lines[i], table))
            state = "body"
            i = end
            continue
        line = lines[i]
        text = line.text.strip()
        if state == "front" and (BODY_START.match(text) or labelled(text).label):
            flush()
            state = "body"
        elif state == "body" and RECIPIENTS.match(text):
            flush()
            state = "sign"
        elif state == "body" and APPENDIX.match(text):
            flush()
            state = "front"
        elif state == "sign" and pending and NAME.match(text):
            pending.append(line)
            flush()
            state = "front"
            i += 1
            continue
        if state == "front" and pending == [] and blocks and TITLE.match(text) and _after_signature(blocks):
            blocks.append(Para(text="", page_break=True))
        pending.append(line)
        i += 1
    flush()
    return [b for b in blocks if not (isinstance(b, Para) and not b.text and not b.page_break)]


def _after_signature(blocks: list[Block]) -> bool:
    return isinstance(blocks[-1], Grid) and blocks[-1].layout


# -- tables --------------------------------------------------------------

ROLE_TITLES = {"label": "TT", "text": "Nội dung công việc", "deadline": "Thời gian thực hiện",
               "lead": "Đơn vị chủ trì", "support": "Đơn vị phối hợp", "output": "Kết quả",
               "metric": "Chỉ tiêu", "value": "Chỉ tiêu năm 2025"}
UNIT_ROLES = ("lead", "support", "output")
BULLETS = re.compile(r"(?:^|\s)-\s+(?=\p{Lu})")


def header_titles(first: Line, table: Table) -> list[str]:
    """The table's header cells: as the seed wrote them in a tabbed header, else from the column roles."""
    if "\t" in first.text:
        cells = [c.strip() for c in first.text.split("\t")]
        if len(cells) == len(table.roles):
            return cells
    titles = [ROLE_TITLES.get(role, role) for role in table.roles]
    if table.kind == "targets":
        titles[0] = "STT"
    return titles


def bullet_cell(text: str) -> Cell:
    """A unit or result cell: "- A - B" becomes a list of two bullet paragraphs."""
    if not text.startswith("- "):
        return Cell([text])
    items = [p.strip() for p in BULLETS.split(text) if p.strip()]
    return Cell(items, bullets=True)


def table_grid(first: Line, table: Table) -> Grid:
    """A rebuilt table as a Word grid: group rows span the columns after their number, a blank cell
    under a value is a vertical merge, unit and result lists are bullet paragraphs."""
    roles = table.roles
    rows: list[list[Cell]] = [[Cell([t]) for t in header_titles(first, table)]]
    prev_group = True
    for row in table.rows:
        values = {role: row.cells.get(role, "") for role in roles}
        values["label"] = row.label or ""
        group = all(not values[r] for r in roles if r not in ("label", "text", "metric"))
        if group and table.kind == "plan":
            rows.append([Cell([values["label"]]), Cell([values.get("text", "")], span=len(roles) - 1)])
            prev_group = True
            continue
        cells = []
        for col, role in enumerate(roles):
            value = values[role]
            above = rows[-1][col] if not prev_group and col < len(rows[-1]) and len(rows[-1]) == len(roles) else None
            if not value and above is not None and role not in ("label", "text") and \
                    (above.merge or any(above.paragraphs)):
                cells.append(Cell([""], merge="continue"))
                if not above.merge:
                    above.merge = "restart"
            elif role in UNIT_ROLES:
                cells.append(bullet_cell(value))
            else:
                cells.append(Cell([value]))
        rows.append(cells)
        prev_group = False
    return Grid(rows=rows)


def load_seed(path: Path) -> Seed:
    lines = read(path).lines
    return Seed(stem=path.stem, blocks=seed_blocks(lines))


# ---------------------------------------------------------------------------
# DOCX


# Word's list levels for each label kind (one multi-level list, as plans are set up),
# the level's format and its text.  The paren level restarts only after levels 1-2,
# so "(1)." items keep counting across the "-" bullets between them.
LEVELS = {
    "roman": (0, "upperRoman", "%1."),
    "arabic": (1, "decimal", "%2."),
    "letter": (2, "lowerLetter", "%3)"),
    "dash": (3, "bullet", "\u2013"),
    "plus": (4, "bullet", "+"),
    "paren": (5, "decimal", "(%6)."),
}
OUTLINE, CELL_BULLETS = 10, 11


def numbering_xml() -> tuple[str, str]:
    """The outline list (all label kinds, one level each) and the bullet list used inside table cells."""
    levels = []
    for kind, (ilvl, fmt, text) in sorted(LEVELS.items(), key=lambda kv: kv[1][0]):
        restart = '<w:lvlRestart w:val="2"/>' if kind == "paren" else ""
        style = '<w:pStyle w:val="Heading1"/>' if kind == "roman" else ""
        levels.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{restart}{style}'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:suff w:val="space"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="567"/></w:pPr></w:lvl>')
    outline = (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{OUTLINE}">'
               f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>')
    bullets = (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{CELL_BULLETS}">'
               '<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
               '<w:numFmt w:val="bullet"/><w:lvlText w:val="-"/><w:lvlJc w:val="left"/><w:suff w:val="space"/>'
               '</w:lvl></w:abstractNum>')
    return outline, bullets


def column_widths(ncols: int, layout: bool, landscape: bool) -> list[float]:
    """Column widths (cm): the issuing body's column narrower than the motto's, a narrow number column,
    a wide task column."""
    if layout:
        return [7.0, 9.0][:ncols] + [16 / ncols] * max(0, ncols - 2)
    total = 25.5 if landscape else 16.0
    if ncols <= 2:
        return [total / ncols] * ncols
    rest = (total - 1.5 - (8.0 if landscape else 9.0)) / (ncols - 2)
    return [1.5, 8.0 if landscape else 9.0] + [rest] * (ncols - 2)


class WordCounters:
    """What Word's counters would show next, to decide whether a seed label can be automatic."""

    def __init__(self) -> None:
        self.counters: dict[int, int] = {}

    def predict(self, kind: str) -> str | None:
        if kind not in LEVELS or LEVELS[kind][1] == "bullet":
            return None
        ilvl, fmt, text = LEVELS[kind]
        value = self.counters.get(ilvl, 0) + 1
        return text.replace(f"%{ilvl + 1}", format_number(value, fmt))

    def use(self, kind: str) -> None:
        ilvl = LEVELS[kind][0]
        for higher in range(ilvl):  # Word counts a level not yet used at its start value
            self.counters.setdefault(higher, 1)
        self.counters[ilvl] = self.counters.get(ilvl, 0) + 1
        for deeper in list(self.counters):
            if deeper > ilvl and not (deeper == LEVELS["paren"][0] and ilvl >= 2):
                del self.counters[deeper]


def new_document() -> docx.Document:
    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:hAnsi"), "Times New Roman")
    heading = document.styles["Heading 1"]
    heading.font.size = Pt(13)
    heading.font.name = "Times New Roman"
    heading.font.color.rgb = None
    heading_ppr = heading.element.get_or_add_pPr()
    heading_ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{OUTLINE}"/></w:numPr>'))
    numbering = document.part.numbering_part.element
    outline, bullets = numbering_xml()
    first_num = numbering.find(qn("w:num"))
    for xml in (outline, bullets):
        element = parse_xml(xml)
        if first_num is not None:
            first_num.addprevious(element)
        else:
            numbering.append(element)
    for num_id in (OUTLINE, CELL_BULLETS):
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                                   f'<w:abstractNumId w:val="{num_id}"/></w:num>'))
    add_page_number(section)
    return document


def add_page_number(section) -> None:
    """A centred PAGE field in the page header, as Vietnamese administrative documents number pages."""
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r>'
                                  '</w:fldSimple>'))


class LegacyTyping:
    """Text typed in TCVN3 fonts: ".VnTime" for text, ".VnTimeH" for capitals TCVN3 cannot code."""

    def __init__(self) -> None:
        table = encoding_rules().legacy["tcvn3"].table
        self.code: dict[str, str] = {}
        for key, value in table.items():
            if len(value) == 1 and value.isalpha():
                self.code.setdefault(value, key)

    def runs(self, text: str) -> list[tuple[str, str]]:
        """(legacy text, font) pieces: capital tone letters go to a capitals-font run of their own."""
        pieces: list[tuple[str, str]] = []
        for ch in text:
            if ch in self.code:
                piece, font = self.code[ch], ".VnTime"
            elif ch.lower() in self.code:
                piece, font = self.code[ch.lower()], ".VnTimeH"
            else:
                piece, font = ch, ".VnTime"
            if pieces and pieces[-1][1] == font:
                pieces[-1] = (pieces[-1][0] + piece, font)
            else:
                pieces.append((piece, font))
        return pieces


class DocxWriter:
    """Writes a seed's blocks as a Word document (in TCVN3 fonts when `legacy`)."""

    def __init__(self, legacy: bool = False) -> None:
        self.document = new_document()
        self.counters = WordCounters()
        self.legacy = LegacyTyping() if legacy else None

    def write_text(self, paragraph, text: str, bold: bool = False, size: float | None = None) -> None:
        pieces = self.legacy.runs(text) if self.legacy else [(text, None)]
        for piece, font in pieces:
            run = paragraph.add_run(piece)
            run.bold = bold or None
            if size:
                run.font.size = Pt(size)
            if font:
                run.font.name = font
                run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:hAnsi"), font)

    def number(self, paragraph, kind: str, num_id: int = OUTLINE) -> None:
        """Number a paragraph automatically: roman headings through the Heading 1 style, others directly."""
        if kind == "roman":
            paragraph.style = self.document.styles["Heading 1"]
            return
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{LEVELS[kind][0]}"/><w:numId w:val="{num_id}"/></w:numPr>'))

    def paragraph(self, para: Para) -> None:
        paragraph = self.document.add_paragraph()
        if para.page_break:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
            return
        if para.center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        text = para.text
        automatic = para.kind in LEVELS and not para.tight and (
            LEVELS[para.kind][1] == "bullet" or self.counters.predict(para.kind) == para.label)
        if automatic:
            self.number(paragraph, para.kind)
            self.counters.use(para.kind)
        else:
            text = para.full
            if para.kind == "roman":  # a typed heading in the heading style: switch its numbering off
                paragraph.style = self.document.styles["Heading 1"]
                paragraph._p.get_or_add_pPr().append(
                    parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>'))
        self.write_text(paragraph, text, bold=para.bold or para.kind == "roman")

    def grid(self, grid: Grid) -> None:
        ncols = max(sum(c.span for c in row) for row in grid.rows)
        landscape = not grid.layout and ncols >= 5
        if landscape:  # wide plan tables get a landscape section, as offices set them
            self.section(landscape=True)
        table = self.document.add_table(rows=len(grid.rows), cols=ncols)
        if not grid.layout:
            table.style = self.document.styles["Table Grid"]
        self.set_widths(table, column_widths(ncols, grid.layout, landscape))
        for r, row in enumerate(grid.rows):
            col = 0
            for cell in row:
                target = table.cell(r, col)
                if cell.span > 1:
                    target = target.merge(table.cell(r, col + cell.span - 1))
                self.fill_cell(target, cell, bold=r < grid.header_rows, layout=grid.layout)
                if cell.merge:
                    tc_pr = target._tc.get_or_add_tcPr()
                    merge = parse_xml(f'<w:vMerge {nsdecls("w")} w:val="restart"/>' if cell.merge == "restart"
                                      else f'<w:vMerge {nsdecls("w")}/>')
                    tc_pr.append(merge)
                col += cell.span
        if grid.header_rows:
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
        if grid.layout:  # the header block and the signature are kept on one page
            for row in table.rows:
                row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        self.document.add_paragraph()
        if landscape:
            self.section(landscape=False)

    def section(self, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        long, short = Cm(29.7), Cm(21)
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        section.left_margin = Cm(2) if landscape else Cm(3)

    @staticmethod
    def set_widths(table, widths: list[float]) -> None:
        table.autofit = False
        for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
            grid_col.set(qn("w:w"), str(int(Cm(width).twips)))
        for n, column in enumerate(table.columns):
            for cell in column.cells:
                cell.width = Cm(widths[n])

    def fill_cell(self, target, cell: Cell, bold: bool, layout: bool) -> None:
        """A cell's paragraphs; layout cells (header block, signature) centred in 12 pt, as offices set them."""
        first = target.paragraphs[0]
        for n, text in enumerate(cell.paragraphs):
            paragraph = first if n == 0 else target.add_paragraph()
            if cell.bullets:
                self.number(paragraph, "dash", CELL_BULLETS)
                paragraph._p.pPr.numPr.find(qn("w:ilvl")).set(qn("w:val"), "0")
            if layout and not text.startswith(("-", "Nơi nhận")):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.write_text(paragraph, text, bold, size=12 if layout else None)

    def save(self, seed: Seed, path: Path) -> None:
        for block in seed.blocks:
            if isinstance(block, Grid):
                self.grid(block)
            else:
                self.paragraph(block)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.document.save(str(path))


# ---------------------------------------------------------------------------
# HTML and Markdown

HTML_HEAD = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>td {{ vertical-align: top; }}</style></head>
<body>
<nav><a href="/">Trang chủ</a> | <a href="/van-ban">Văn bản pháp luật</a> | <a href="/tim-kiem">Tìm kiếm</a></nav>
<div class="content">
"""
HTML_TAIL = """</div>
<footer><p>Cổng thông tin văn bản. Bản quyền thuộc cơ quan ban hành.</p></footer>
</body></html>
"""


def html_cell(cell: Cell, tag: str) -> str:
    attrs = f' colspan="{cell.span}"' if cell.span > 1 else ""
    inner = "".join(f"<p>{'- ' if cell.bullets else ''}{html.escape(p)}</p>" for p in cell.paragraphs)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def html_grid(grid: Grid) -> str:
    if grid.layout:
        cells = "".join(f'<td width="50%">{"<br>".join(html.escape(t) for t in cell.paragraphs)}</td>'
                        for cell in grid.rows[0])
        return f'<table width="100%"><tr>{cells}</tr></table>\n'
    out = ['<table border="1" cellspacing="0" cellpadding="4">']
    spans = rowspans(grid)
    for r, row in enumerate(grid.rows):
        tag = "th" if r < grid.header_rows else "td"
        cells = []
        for c, cell in enumerate(row):
            if cell.merge == "continue":
                continue
            text = html_cell(cell, tag)
            if spans.get((r, c), 1) > 1:
                text = text.replace(f"<{tag}", f'<{tag} rowspan="{spans[(r, c)]}"', 1)
            cells.append(text)
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out) + "\n"


def rowspans(grid: Grid) -> dict[tuple[int, int], int]:
    """(row, column) of each vertical-merge start -> how many rows it covers."""
    spans: dict[tuple[int, int], int] = {}
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell.merge == "restart":
                n = r + 1
                while n < len(grid.rows) and c < len(grid.rows[n]) and grid.rows[n][c].merge == "continue":
                    n += 1
                spans[(r, c)] = n - r
    return spans


def write_html(seed: Seed, path: Path) -> None:
    parts = [HTML_HEAD.format(title=seed.stem)]
    for block in seed.blocks:
        if isinstance(block, Grid):
            parts.append(html_grid(block))
        elif block.page_break:
            parts.append("<hr>\n")
        else:
            text = html.escape(block.full)
            if block.bold:
                text = f"<b>{text}</b>"
            align = ' align="center"' if block.center else ""
            parts.append(f"<p{align}>{text}</p>\n")
    parts.append(HTML_TAIL)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


def md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def write_markdown(seed: Seed, path: Path) -> None:
    out: list[str] = []
    for block in seed.blocks:
        if isinstance(block, Grid):
            if block.layout:
                for cell in block.rows[0]:
                    out.extend(cell.paragraphs)
                    out.append("")
                continue
            ncols = max(sum(c.span for c in row) for row in block.rows)
            for r, row in enumerate(block.rows):
                cells: list[str] = []
                for cell in row:
                    text = "" if cell.merge == "continue" else "<br>".join(
                        ("- " if cell.bullets else "") + md_escape(p) for p in cell.paragraphs)
                    cells += [text] + [""] * (cell.span - 1)
                cells += [""] * (ncols - len(cells))
                out.append("| " + " | ".join(cells) + " |")
                if r == 0:
                    out.append("|" + "---|" * ncols)
            out.append("")
        elif block.page_break:
            out += ["---", ""]
        elif block.kind == "roman":
            out += [f"## {block.full}", ""]
        elif block.bold:
            out += [f"**{block.full}**", ""]
        else:
            out += [block.full, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out), encoding="utf-8")


# ---------------------------------------------------------------------------
# PDF, scan and encodings


def export_pdf(docx_path: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice is needed for the PDF fixtures: apt-get install libreoffice-writer-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out_dir), str(docx_path)], check=True, capture_output=True)
    return out_dir / (docx_path.stem + ".pdf")


def make_scan(pdf_path: Path, out_path: Path, dpi: int = 200) -> None:
    """Pages rendered to black-and-white images (as office scanners deliver them, CCITT G4 in the PDF)
    and rebuilt into a PDF without a text layer."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf_path), f"{tmp}/page"], check=True)
        pages = [Image.open(p).convert("L").point(lambda v: 255 if v > 160 else 0).convert("1")
                 for p in sorted(Path(tmp).glob("page*.png"))]
        out_path.parent.mkdir(parents=True, exist_ok=True)
        pages[0].save(out_path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])


def to_tcvn3(text: str) -> bytes:
    """TCVN3 bytes, as a text file saved from a ".VnTime" document: a capital tone letter TCVN3 has
    no code for is written with its small letter's code (the capitals font is lost with the fonts)."""
    code = LegacyTyping().code
    return "".join(code.get(ch) or code.get(ch.lower()) or ch for ch in text).encode("cp1252", errors="replace")


def to_vni(text: str) -> bytes:
    """VNI bytes: each letter as its base letter and mark characters, read through Windows-1252."""
    inverse = {value: key for key, value in encoding_rules().legacy["vni"].table.items()}
    return "".join(inverse.get(ch, ch) for ch in text).encode("cp1252", errors="replace")


def to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps base letters with circumflex, breve and horn whole and the tone as a combining mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        shape = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
        out += (shape + "".join(tones)).encode("cp1258", errors="replace")
    return bytes(out)


def write_encodings(seed_path: Path) -> None:
    """The seed's text in TCVN3, VNI, NFD and Windows-1258."""
    text = unicodedata.normalize("NFC", seed_path.read_text(encoding="utf-8"))
    variants = {
        "txt_tcvn3": to_tcvn3(text),
        "txt_vni": to_vni(text),
        "txt_nfd": unicodedata.normalize("NFD", text).encode("utf-8"),
        "txt_cp1258": to_cp1258(text),
    }
    for folder, data in variants.items():
        path = OUT / folder / seed_path.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main() -> None:
    seeds = sorted(RAW.glob("*.txt"))
    for seed_path in seeds:
        seed = load_seed(seed_path)
        DocxWriter().save(seed, OUT / "docx" / f"{seed.stem}.docx")
        DocxWriter(legacy=True).save(seed, OUT / "docx_tcvn3" / f"{seed.stem}.docx")
        write_html(seed, OUT / "html" / f"{seed.stem}.html")
        write_markdown(seed, OUT / "md" / f"{seed.stem}.md")
        write_encodings(seed_path)
        export_pdf(OUT / "docx" / f"{seed.stem}.docx", OUT / "pdf")
        print(seed.stem, "done")
        make_scan(OUT / "pdf" / f"{seed.stem}.pdf", OUT / "scan" / f"{seed.stem}.pdf")


if __name__ == "__main__":
    main()
