"""Plan tables inside extracted text: find them and rebuild their rows.

Plans keep their tasks in a table (TT | Nội dung công việc | Thời gian |
Đơn vị chủ trì | Đơn vị phối hợp | Kết quả, in any order and wording) and
their appendix targets in tables (STT | Chỉ tiêu | Chỉ tiêu năm 2025).  Text
extractors hand such tables over in two shapes, and both are rebuilt here:

* split rows (DOCX/HTML converters write tabs, Markdown writes pipes): one
  line per row.  A row cut by a page break comes back as a second line with
  an empty TT cell after a blank line; it is merged into the row above, cell
  by cell.
* wrapped (PDF read column by column): each cell's text wrapped over several
  short lines, one cell after another.  Cell boundaries are found again from
  the words each column's cells open with (unit names, time words, numbers),
  the extra blank line converters leave at a cell's end, lines that leave a
  phrase open (a trailing comma, preposition or position title cannot end a
  cell) and each column's width (learned from a first reading of the table).
  Each split of a row's lines into cells is scored and the best one wins.
  A group row's text spans the merged columns and is told by its width.  The
  pieces that finish a row's cells after a page break are put back into the
  cells they finish.

Only the structure is rebuilt: cells keep the document's words (NFC, single
spaces, list marks and ';' kept for the unit splitter), and blank cells stay
blank, since filling vertically merged cells is the caller's job.  All
vocabulary lives in `rules/tables.yaml`.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex as re

from . import rules
from .model import Line, Table, TableRow
from .read import split_pages
from .textnorm import canon, fold, squeeze

LABEL = "label"
PERIOD = "when:"  # a time column's sub-column for one period, ticked per row: "when:Quý I"
OTHER = "other"  # a column the header names in words the rules do not know
FREE = "free"  # the class of a role whose cells may open with any word
ROW_WORDS = ("text", "metric")  # the roles that hold a row's own words

# How many lines a wrapped header may be spread over.
_MAX_HEADER_LINES = 24


# ---------------------------------------------------------------------------
# Rules


@dataclass(frozen=True)
class _Rules:
    """`rules/tables.yaml`, compiled once."""

    columns: list[tuple[str, re.Pattern]]
    modifier: re.Pattern
    glue: re.Pattern
    min_roles: int
    role_class: dict[str, str]
    cell_starts: dict[str, re.Pattern]
    open_end: re.Pattern
    deadline_piece: re.Pattern
    unit_needs_level: re.Pattern
    level_word: re.Pattern
    bare_url: re.Pattern
    free_start: re.Pattern
    width: dict[str, float]
    decoration_cell: re.Pattern
    label_alone: re.Pattern
    label_with_text: re.Pattern
    letters: list[str]
    max_skip: int
    dash: re.Pattern
    headings: list[re.Pattern]
    closings: list[re.Pattern]
    caps_title_words: int
    scores: dict[str, float]
    spanning_ratio: float
    spanning_share: float
    value_tail: re.Pattern
    period_column: re.Pattern
    list_roles: frozenset[str]


def _word_end(pattern: str) -> str:
    return f"(?:{pattern})(?![\\p{{L}}\\p{{N}}])"


@functools.cache
def table_rules() -> _Rules:
    """The compiled table rules."""
    data = rules.load("tables")
    header = data["header"]
    mark = data["list_mark"]
    cont = data["continuation"]
    labels = data["labels"]
    return _Rules(
        columns=[(role, re.compile(_word_end(p))) for role, pats in header["columns"].items() for p in pats],
        modifier=re.compile(_word_end(header["modifiers"])),
        glue=re.compile(header["glue"]),
        min_roles=header["min_roles"],
        role_class=data["role_class"],
        cell_starts={cls: re.compile(f"^\\s*(?:{mark})?(?:{'|'.join(_word_end(w) for w in words)})")
                     for cls, words in data["cell_starts"].items()},
        open_end=re.compile(f"(?:^|\\s)(?:{'|'.join(re.escape(w) for w in data['open_words'])})$"),
        deadline_piece=re.compile(cont["deadline"]),
        unit_needs_level=re.compile(cont["unit_needs_level"]),
        level_word=re.compile(cont["level_word"]),
        bare_url=re.compile(data["bare_url"]),
        free_start=re.compile(data["free_start"]),
        width=data["width"],
        decoration_cell=re.compile(data["decoration_cell"]),
        label_alone=re.compile(labels["alone"]),
        label_with_text=re.compile(labels["with_text"]),
        letters=labels["letters"],
        max_skip=labels["max_skip"],
        dash=re.compile(labels["dash"]),
        headings=[re.compile(p) for p in data["table_end"]["headings"]],
        closings=[re.compile(p) for p in data["table_end"]["closings"]],
        caps_title_words=data["caps_title_words"],
        scores=data["scores"],
        spanning_ratio=data["spanning_ratio"],
        spanning_share=data["spanning_share"],
        value_tail=re.compile(data["value_tail"], re.IGNORECASE),
        period_column=re.compile(data["period_columns"]["header"]),
        list_roles=frozenset(data["repeated_columns"]["list"]),
    )


# ---------------------------------------------------------------------------
# Headers


@dataclass(frozen=True)
class _Header:
    """Where a table's header lies in the lines and what its columns hold."""

    start: int
    end: int  # index after the header's last line
    roles: tuple[str, ...]
    split: bool  # one line per row (tabs or pipes), else wrapped column by column


def header_roles(text: str) -> list[str] | None:
    """The column roles a header text names, in order; None when a word is not header vocabulary.

    The longest column phrase wins at each position, so "Chỉ tiêu năm 2025"
    is one value column.  A role named twice in a row ("Nội dung công việc /
    nhiệm vụ", "Kết quả / Sản phẩm") is one column.
    """
    r = table_rules()
    folded = fold(text)
    roles: list[str] = []
    pos = r.glue.match(folded).end()
    while pos < len(folded):
        role, end = max(((role, m.end()) for role, rx in r.columns if (m := rx.match(folded, pos))),
                        key=lambda found: found[1], default=(None, pos))
        if role is None:
            modifier = r.modifier.match(folded, pos)
            if not modifier:
                return None
            end = modifier.end()
        elif not roles or roles[-1] != role:
            roles.append(role)
        pos = r.glue.match(folded, end).end()
    return roles


def _is_header(roles: list[str] | None) -> bool:
    """A header names the row label or enough roles, and the column holding the row's words."""
    if not roles:
        return False
    named = set(roles) - {OTHER}
    enough = LABEL in named or len(named) >= table_rules().min_roles
    return enough and len(named) >= 2 and bool(named & set(ROW_WORDS))


def cells_of(text: str) -> list[str] | None:
    """The cells of a split-row line (tabs, or Markdown pipes), as written; None for any other line."""
    if "\t" in text:
        return text.split("\t")
    stripped = text.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        return stripped.strip("|").split("|")
    if stripped.count(" | ") >= 2:
        # a legal portal's text copy writes a row as "TT | Nội dung | Đơn vị chủ trì |",
        # with no pipe before its first cell
        return stripped.rstrip("|").split("|")
    return None


def _split_roles(cells: list[str]) -> list[str] | None:
    """One role per cell ('other' for an empty or unknown cell); None unless it reads as a header row."""
    roles = []
    unknown = 0
    for cell in cells:
        found = header_roles(cell) if cell.strip() else None
        unknown += bool(cell.strip()) and not found
        roles.append(found[0] if found else OTHER)
    return roles if unknown * 3 <= len(cells) and set(roles) != {OTHER} else None


def _split_header(lines: list[Line], i: int) -> _Header | None:
    """A header on one split line; a second header line (sub-columns of a merged cell) refines it."""
    roles = _split_roles(cells_of(lines[i].text) or [])
    if not _is_header(roles):
        return None
    end = i + 1
    below = cells_of(lines[end].text) if end < len(lines) else None
    sub = _sub_roles(cells_of(lines[i].text) or [], roles, below) if below else None
    if sub:
        width = max(len(roles), len(sub))
        padded = zip(roles + [OTHER] * (width - len(roles)), sub + [OTHER] * (width - len(sub)))
        roles = [low if low != OTHER else high for high, low in padded]
        end += 1
    elif "text" in roles and "deadline" not in roles:
        # a plan table without a time column whose columns are periods ("| Năm 2025 | Năm 2026 |",
        # "| Quý I | Quý II |") ticks the periods each task runs in
        top = cells_of(lines[i].text) or []
        period = table_rules().period_column
        roles = [PERIOD + squeeze(cell) if cell.strip() and period.fullmatch(fold(squeeze(cell))) else role
                 for role, cell in zip(roles, top)] + roles[len(top):]
    return _Header(i, end, tuple(roles), split=True)


def _sub_roles(top: list[str], roles: list[str], below: list[str]) -> list[str] | None:
    """The roles of a second header line, or None when it is no header line.

    Under a time column merged across several ("Thời gian thực hiện" over
    "Quý I | Quý II | Quý III | Quý IV", "Tiến độ" over "Năm 2025 | Năm 2026")
    each sub-column is one period, ticked in the rows that run in it: its
    role is `when:` and the period's words.
    """
    r = table_rules()
    sub: list[str] = []
    governing = OTHER
    for n, cell in enumerate(below):
        if n < len(top) and top[n].strip():
            governing = roles[n]
        text = squeeze(cell)
        if not text:
            sub.append(OTHER)
        elif governing == "deadline" and r.period_column.fullmatch(fold(text)):
            sub.append(PERIOD + text)
        else:
            found = header_roles(text)
            if not found:
                return None
            sub.append(found[0])
    return sub if set(sub) - {OTHER} else None


def _wrapped_header(lines: list[Line], i: int) -> _Header | None:
    """A header wrapped over lines ("TT Nội dung công việc / Đơn vị / chủ trì / ..."): the longest that parses."""
    best: _Header | None = None
    for end in range(i + 1, min(len(lines), i + _MAX_HEADER_LINES) + 1):
        if cells_of(lines[end - 1].text) is not None:
            break
        roles = header_roles(" ".join(ln.text for ln in lines[i:end]))
        # a header opens with its label or row-words column: "CHỈ TIÊU NĂM 2025" above
        # "STT Chỉ tiêu ..." is the appendix's title, not a value column
        if _is_header(roles) and roles[0] in (LABEL, *ROW_WORDS):
            best = _Header(i, end, tuple(roles), split=False)
    return best


def _header_at(lines: list[Line], i: int) -> _Header | None:
    """The table header that starts at line `i`, if any."""
    if cells_of(lines[i].text) is not None:
        return _split_header(lines, i)
    folded = fold(lines[i].text)
    if not any(rx.match(folded) for _, rx in table_rules().columns):
        return None
    return _wrapped_header(lines, i)


def _is_decoration(cells: list[str]) -> bool:
    """A row that only numbers the columns ("(1) (2) (3) ...") or rules off a Markdown header ("|---|")."""
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) >= 2 and all(table_rules().decoration_cell.fullmatch(c) for c in filled)


# ---------------------------------------------------------------------------
# Labels and cells


def clean_label(cell: str) -> str | None:
    """The TT cell as a label ('I', '2.1', 'a', '(1)', '-'); None when empty."""
    label = squeeze(cell).rstrip(". ")
    if label.endswith(")") and not label.startswith("("):
        label = label[:-1].rstrip()
    if label and table_rules().dash.fullmatch(label):
        return "-"
    return label or None


def split_label(text: str) -> tuple[str, str | None] | None:
    """A wrapped table's label line: (label, the text after it) or None when the line is no label."""
    r = table_rules()
    if m := r.label_alone.match(text):
        return clean_label(m.group("label")), None
    if m := r.label_with_text.match(text):
        return m.group("label"), m.group("rest")
    return None


class _LabelSequence:
    """Labels seen so far in a table, to tell a row label from a stray number or letter in a cell.

    A label counts on from the last one of its kind (a skip of `max_skip` is
    allowed) or starts its kind again at one of its first values; dotted
    numbers ('2.1') and dashes are always accepted.
    """

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    @staticmethod
    def _kind_and_value(label: str) -> tuple[str, int] | None:
        letters = table_rules().letters
        if label.isdigit():
            return "number", int(label)
        if label in letters:
            return "letter", letters.index(label) + 1
        if re.fullmatch(r"[IVX]+", label):
            return "roman", _roman(label)
        return None

    def accept(self, label: str) -> bool:
        found = self._kind_and_value(label)
        if found is None:
            return True
        kind, value = found
        step = table_rules().max_skip + 1
        previous = self.last.get(kind)
        ok = value <= step or (previous is not None and previous < value <= previous + step)
        if ok:
            self.last[kind] = value
        return ok


def _roman(label: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for ch, nxt in zip(label, label[1:] + " "):
        total += -values[ch] if values.get(nxt, 0) > values[ch] else values[ch]
    return total


@functools.lru_cache(maxsize=8192)
def cell_class(text: str) -> str | None:
    """The class of cell ('unit', 'time', 'value') a line opens by its first words; None for other words."""
    text = canon(text)
    return next((cls for cls, rx in table_rules().cell_starts.items() if rx.match(text)), None)


def _role_class(role: str) -> str:
    return table_rules().role_class.get(role, FREE)


def _row_words_role(roles: tuple[str, ...] | list[str]) -> str:
    return next(role for role in roles if role in ROW_WORDS)


def _take_dash(label: str | None, cells: dict[str, str], first: str) -> str | None:
    """A row without a TT label whose text opens with '- ' is a '-' row; the mark leaves the text."""
    dashed = table_rules().dash.match(cells.get(first, ""))
    if label is not None or not dashed:
        return label
    cells[first] = cells[first][dashed.end():]
    return "-"


# ---------------------------------------------------------------------------
# Split-row tables (tabs, pipes)


def _split_rows(lines: list[Line], header: _Header) -> tuple[int, list[TableRow]]:
    """Rows of a table written one line per row, and the index after its last line."""
    rows: list[TableRow] = []
    first = _row_words_role(header.roles)
    i = header.end
    while i < len(lines) and (cells := cells_of(lines[i].text) or _merged_row(lines, i)) is not None:
        line = lines[i]
        if _closes(line):
            break
        repeated = _split_header(lines, i)
        if repeated and repeated.roles == header.roles:
            i = repeated.end  # the header printed again on a new page
            continue
        i += 1
        if _is_decoration(cells):
            continue
        texts = _row_texts(header.roles, cells)
        label, words = _tt_cell(texts.pop(LABEL, ""))
        if words:
            texts[first] = squeeze(f"{words} {texts.get(first, '')}")
        named = {role: text for role, text in texts.items() if text and role != OTHER}
        dashed = table_rules().dash.match(named.get(first, ""))
        if label is None and rows and not dashed and (line.blank_before or line.page_start):
            _extend_row(rows[-1], named, line)
            continue
        label = _take_dash(label, named, first)
        label, group = _label_in_text(label, named, first, LABEL not in header.roles)
        rows.append(TableRow(label, named, line.page, line.lineno, line.lineno, group=group))
    return i, rows


def _label_in_text(label: str | None, cells: dict[str, str], first: str,
                   no_label_column: bool) -> tuple[str | None, bool]:
    """A row with an empty TT cell that holds only its words may be a group row: its label
    written in the text cell ("| | I. CÔNG TÁC TUYÊN TRUYỀN | | |") leaves the text, and
    words in capitals without a label ("| | CÔNG TÁC TIẾP DÂN | | |") head a group of their own.
    A table without a TT column numbers its rows in the text cell ("1. Kiện toàn ...").

    Returns the row's label and whether it is an unlabelled group row.
    """
    if label is not None or (set(cells) != {first} and not no_label_column) or first not in cells:
        return label, False
    text = cells[first]
    m = table_rules().label_with_text.match(text)
    if m and re.match(r"\s*\S+?[.)]\s", text):
        cells[first] = m.group("rest")
        return clean_label(m.group("label")), False
    if set(cells) != {first}:
        return label, False
    words = re.findall(r"\p{L}+", text)
    return None, len(words) >= 2 and all(w.isupper() for w in words)


def _row_texts(roles: tuple[str, ...], cells: list[str]) -> dict[str, str]:
    """A split row's cells by role; two columns of one role give one cell.

    Unit and value columns join as a list ("Năm 2025 | Năm 2026" of a targets
    table: "90; 95", one target each), other columns as words.
    """
    texts: dict[str, str] = {}
    for role, cell in zip(roles, cells):
        text = squeeze(cell)
        if role in texts and role != OTHER:
            glue = "; " if role in table_rules().list_roles else " "
            texts[role] = glue.join(filter(None, [texts[role], text]))
        else:
            texts[role] = text
    return texts


def _merged_row(lines: list[Line], i: int) -> list[str] | None:
    """A labelled line between two rows of a split table: a row whose cells are all merged into one.

    Its trailing tabs are lost when a converter trims the line ("II. NHIỆM VỤ
    KHÁC" across the whole table).
    """
    following = i + 1 < len(lines) and cells_of(lines[i + 1].text) is not None
    if following and split_label(lines[i].text) and not _split_header(lines, i + 1):
        return [lines[i].text]
    return None


def _tt_cell(cell: str) -> tuple[str | None, str]:
    """A split row's TT cell: its label, and the words of a group row written across the TT column.

    A group row often spans the whole table ("I. CÔNG TÁC CHỈ ĐẠO" in one
    merged cell); its words then sit in the TT cell and belong to the text.
    """
    r = table_rules()
    if not cell or r.label_alone.match(cell):
        return clean_label(cell), ""
    if m := r.label_with_text.match(cell):
        return clean_label(m.group("label")), m.group("rest")
    return None, cell


def _extend_row(row: TableRow, cells: dict[str, str], line: Line) -> None:
    """Merge a page-break continuation into the row above, cell by cell."""
    for role, text in cells.items():
        row.cells[role] = squeeze(f"{row.cells.get(role, '')} {text}")
    row.line_end = line.lineno


# ---------------------------------------------------------------------------
# Wrapped tables: where they end, and their rows as label chunks


@dataclass
class _Chunk:
    """A label line and the lines up to the next label: one row, or a group row and an unlabeled row."""

    label: str | None
    first: Line
    lines: list[Line]


def _closes(line: Line) -> bool:
    """An appendix title, the distribution list, the signature block or an article: no table goes on."""
    return any(rx.match(line.text) for rx in table_rules().closings)


def _ends_wrapped(line: Line, own_style: list[re.Pattern]) -> bool:
    """Prose resumes after a wrapped table: a closing, a numbered heading, a title in capitals."""
    r = table_rules()
    if _closes(line) or any(rx.match(line.text) for rx in r.headings if rx not in own_style):
        return True
    words = re.findall(r"\p{L}+", line.text)
    if _caps_group_row(line.text):
        return False
    return len(words) >= r.caps_title_words and all(w.isupper() for w in words)


def _caps_group_row(text: str) -> bool:
    """A group row written in capitals after its label, no dot between ("I HẠ TẦNG SỐ",
    "A NHIỆM VỤ CHUNG"): a row of the table, not a title after it.  ("II. TỔ CHỨC
    THỰC HIỆN", with its dot, is a heading: the heading patterns tell.)"""
    m = table_rules().label_with_text.match(text)
    return bool(m) and not re.match(r"\s*\S+[.)]", text)


def _wrapped_chunks(lines: list[Line], header: _Header, stop: int) -> tuple[int, list[_Chunk]]:
    """Split a wrapped table's body at its label lines, up to `stop` or where prose resumes.

    An end pattern that the body's first line matches is the table's own row
    style ("1. Công tác chỉ đạo"), not the end of the table.
    """
    r = table_rules()
    body = lines[header.end:stop]
    own_style = [rx for rx in r.headings if body and rx.match(body[0].text) and split_label(body[0].text)]
    sequence = _LabelSequence()
    chunks: list[_Chunk] = []
    i = header.end
    while i < stop:
        line = lines[i]
        again = _header_at(lines, i) if i > header.end else None
        if again and again.roles == header.roles:
            i = again.end  # the header printed again on a new page
            continue
        if again or _ends_wrapped(line, own_style):
            break
        i += 1
        if _is_decoration(line.text.split()):
            continue
        found = split_label(line.text)
        if found and sequence.accept(found[0]):
            label, rest = found
            chunks.append(_Chunk(label, line, [dataclasses.replace(line, text=rest)] if rest else []))
        elif chunks:
            chunks[-1].lines.append(line)
        else:
            chunks.append(_Chunk(None, line, [line]))
    return i, chunks


def _spanning_width(chunks: list[_Chunk]) -> float:
    """The length above which a line spans several columns (infinite when no line does).

    Column lines wrap at their column's width; a group row's text, or prose
    after the table, runs much wider.  Such lines are a few outliers: the
    widest lines, cut from the rest by a jump of `spanning_ratio` in length.
    """
    r = table_rules()
    lengths = sorted((len(ln.text.strip()) for chunk in chunks for ln in chunk.lines), reverse=True)
    for k in range(1, int(r.spanning_share * len(lengths)) + 1):
        if lengths[k - 1] > r.spanning_ratio * lengths[k]:
            return r.spanning_ratio * lengths[k]
    return math.inf


def _group_split(chunk: _Chunk, spanning: float) -> int:
    """How many of a chunk's lines are a group row's text spanning the merged columns (0: no group row).

    A group row's text runs wider than any column; its last wrapped line may be
    short but goes on in lower case.  What follows it is a row of its own,
    without a label.
    """
    n = 0
    while n < len(chunk.lines) and len(chunk.lines[n].text.strip()) > spanning:
        n += 1
    if n and n < len(chunk.lines) and chunk.lines[n].text.strip()[:1].islower():
        n += 1
    return n


def _stray_wide_line(chunks: list[_Chunk], spanning: float) -> Line | None:
    """The first line as wide as prose that is no group row's text: the table ended before it.

    Lines after a page break are exempt: converters may re-wrap a continued cell.
    """
    for chunk in chunks:
        grouped = _group_split(chunk, spanning)
        for line in chunk.lines[grouped:]:
            if len(line.text.strip()) > spanning and not line.page_start:
                return line
    return None


# ---------------------------------------------------------------------------
# Wrapped tables: one row's lines into cells


@dataclass(frozen=True)
class _Layout:
    """What a wrapped table's rows are read with.

    `columns` are the roles after the label, in header order; `spanning` the
    length above which a line spans columns (a group row's text); `widths` how
    long a line each column lets through (learned from the table itself).
    """

    columns: list[str]
    spanning: float
    widths: dict[str, float]


def _leaves_open(prev: Line, prev_cls: str, cls: str) -> bool:
    """Whether a cell of class `prev_cls` cannot end at `prev` before a line opening a `cls` phrase.

    A trailing preposition, article, position title or dash never ends a
    cell; a trailing ',' or ';' keeps a list of the same kind going ("Phòng A;
    / Phòng B" is one cell), and a trailing ',' keeps a sentence going.
    """
    text = prev.text.rstrip()
    if _ends_open_phrase(text):
        return True
    if text.endswith((",", ";")) and prev_cls == cls:
        return True
    # a comma goes on with a sentence, or with a unit's name ("Phòng Kinh tế," /
    # "Hạ tầng và Đô thị") when the next line opens no cell of its own vocabulary
    return text.endswith(",") and (prev_cls == FREE or (prev_cls == "unit" and cls == FREE))


@functools.lru_cache(maxsize=8192)
def _ends_open_phrase(text: str) -> bool:
    """The line ends with a dash or a word that cannot end a phrase (`open_words`)."""
    return text.endswith(("-", "–")) or bool(table_rules().open_end.search(fold(text)))


def _too_wide(line: Line, role: str, layout: _Layout) -> bool:
    """The line is longer than the column `role` lets a line be."""
    return len(line.text.strip()) > layout.widths.get(role, math.inf)


def _boundary_score(prev: Line, line: Line, prev_role: str, role: str, layout: _Layout) -> float:
    """The score of a cell of `role` opening at `line`, the cell of `prev_role` having ended at `prev`.

    A unit, time or value cell opens only with its vocabulary.  A free-text
    cell (an output, a note) opens with a capitalised word, at a small cost,
    and at a larger one where the line reads like another column's cell.
    """
    r = table_rules()
    scores = r.scores
    cls = _role_class(role)
    opens = cell_class(line.text)
    if cls == FREE:
        if not r.free_start.match(line.text):
            return -math.inf
        score = scores["free_start"] + (scores["free_start_like_other"] if opens else 0.0)
    elif opens != cls:
        return -math.inf
    else:
        score = 0.0
    if line.blank_before >= 2:
        score += scores["blank_boundary"]
    if _leaves_open(prev, _role_class(prev_role), opens or FREE):
        score += scores["open_boundary"]
    if _too_wide(line, role, layout):
        score += scores["too_wide"]
    return score


def _inside_score(line: Line, role: str, layout: _Layout) -> float:
    """The score of `line` going on with the cell of `role` above it."""
    scores = table_rules().scores
    score = scores["blank_inside"] if line.blank_before >= 2 else 0.0
    opens = cell_class(line.text)
    if opens and opens != _role_class(role):
        score += scores["other_start_inside"]
    if _too_wide(line, role, layout):
        score += scores["too_wide"]
    return score


def _segment(lines: list[Line], layout: _Layout) -> dict[str, list[Line]]:
    """Split a row's lines into cells, in column order, by the best-scoring split.

    The first line opens the first column; each later line either goes on with
    the current cell or opens a later column's cell (columns in between stay
    empty, at a cost).
    """
    if not lines:
        return {}
    columns = layout.columns
    empty = table_rules().scores["empty_cell"]
    n, m = len(lines), len(columns)
    best = [[-math.inf] * m for _ in range(n)]
    came_from = [[0] * m for _ in range(n)]
    best[0][0] = 0.0
    for i in range(1, n):
        for c in range(m):
            best[i][c] = best[i - 1][c] + _inside_score(lines[i], columns[c], layout)
            came_from[i][c] = c
            for p in range(c):
                if best[i - 1][p] == -math.inf:
                    continue
                score = best[i - 1][p] + empty * (c - p - 1)
                score += _boundary_score(lines[i - 1], lines[i], columns[p], columns[c], layout)
                if score > best[i][c]:
                    best[i][c], came_from[i][c] = score, p
    column = max(range(m), key=lambda c: best[n - 1][c] + empty * (m - 1 - c))
    assignment = [column]
    for i in range(n - 1, 0, -1):
        assignment.append(came_from[i][assignment[-1]])
    cells: dict[str, list[Line]] = {}
    for line, c in zip(lines, reversed(assignment)):
        cells.setdefault(columns[c], []).append(line)
    return cells


def _claiming_unit(text: str, cells: dict[str, list[Line]]) -> str | None:
    """The unit cell left ending in a word that needs a level ("... thuộc UBND"), when `text` opens with one."""
    r = table_rules()
    if not r.level_word.match(text):
        return None
    return next((role for role, lines in cells.items()
                 if _role_class(role) == "unit" and r.unit_needs_level.search(canon(lines[-1].text))), None)


def _piece_role(line: Line, cells: dict[str, list[Line]], columns: list[str]) -> str:
    """Which cell the first piece after a page break finishes.

    An open text cell claims it first; then a piece that reads like the rest
    of a time phrase goes to the time cell; a level word to the unit cell that
    needs it; a piece that opens a missing cell fills it; anything else goes
    on with the row's own words.
    """
    first = columns[0]
    text = canon(line.text)
    if first in cells and _leaves_open(cells[first][-1], FREE, FREE):
        return first
    if "deadline" in cells and table_rules().deadline_piece.match(text):
        return "deadline"
    if claimed := _claiming_unit(text, cells):
        return claimed
    cls = cell_class(text)
    missing = [role for role in columns if role not in cells and _role_class(role) == cls]
    return missing[0] if missing else first


def _finish_cells(cells: dict[str, list[Line]], pieces: list[Line], columns: list[str]) -> None:
    """Put the lines after a page break back into the cells they finish.

    A piece goes on until a line opens a later column's cell or a level word
    finishes a unit cell that needs one.
    """
    current: str | None = None
    for line in pieces:
        if current is None:
            role = _piece_role(line, cells, columns)
        else:
            role = _claiming_unit(canon(line.text), cells) or current
            cls = cell_class(line.text)
            later = [c for c in columns[columns.index(current) + 1:] if cls and _role_class(c) == cls]
            if role == current and later and not _leaves_open(cells[current][-1], _role_class(current), cls or FREE):
                role = later[0]
        cells.setdefault(role, []).append(line)
        current = role


def _row_cells(lines: list[Line], layout: _Layout) -> dict[str, list[Line]]:
    """A row's cells: its lines before a page break split in column order, the rest put back."""
    cut = next((k for k, ln in enumerate(lines) if k and ln.page_start), len(lines))
    cells = _segment(lines[:cut], layout)
    _finish_cells(cells, lines[cut:], layout.columns)
    return cells


_RowCells = tuple[str | None, Line, dict[str, list[Line]]]  # label, first line, cells


def _chunk_cells(chunk: _Chunk, layout: _Layout) -> list[_RowCells]:
    """A chunk's rows: a group row (its text spanning the columns) and the row after it, or one row.

    A label with nothing after it (a column number printed on its own line) gives no row.
    """
    if not chunk.lines:
        return []
    n = _group_split(chunk, layout.spanning)
    if n and n < len(chunk.lines) and cell_class(chunk.lines[n].text):
        # what follows opens a unit, time or value cell: the wide lines were the row's own
        # words in a table whose other columns are narrow, not a group row over a row of its own
        n = 0
    if not n:
        return [(chunk.label, chunk.first, _row_cells(chunk.lines, layout))]
    group, rest = chunk.lines[:n], chunk.lines[n:]
    rows = [(chunk.label, chunk.first, {layout.columns[0]: group})]
    if rest:
        rows.append((None, rest[0], _row_cells(rest, layout)))
    return rows


def _column_widths(chunks: list[_Chunk], layout: _Layout) -> dict[str, float]:
    """How long a line each column lets through, from a first reading of the rows without widths.

    A column wraps its cells at its own width: the 90th percentile of its
    lines' lengths, with some tolerance, for columns with enough lines to tell.
    """
    r = table_rules()
    lengths: dict[str, list[int]] = {}
    for chunk in chunks:
        for _, _, cells in _chunk_cells(chunk, layout):
            for role, lines in cells.items():
                lengths.setdefault(role, []).extend(len(ln.text.strip()) for ln in lines if not ln.page_start)
    widths = {}
    for role, found in lengths.items():
        if len(found) >= r.width["min_lines"]:
            found.sort()
            widths[role] = found[int(0.9 * (len(found) - 1))] * r.width["tolerance"] + r.width["slack"]
    return widths


def _cell_texts(cells: dict[str, list[Line]], columns: list[str]) -> dict[str, str]:
    """Cell lines joined; bare web addresses dropped from every cell but the row's own words."""
    url = table_rules().bare_url
    texts = {}
    for role in columns:
        kept = [ln.text for ln in cells.get(role, []) if role == columns[0] or not url.match(ln.text)]
        if kept:
            texts[role] = _unwrap(kept)
    return texts


def _unwrap(parts: list[str]) -> str:
    """Wrapped lines as one text: joined by a space, except after a hyphen inside a word ("QĐ-" / "TTg")."""
    text = ""
    for part in parts:
        part = squeeze(part)
        glue = "" if re.search(r"\w[-–]$", text) else " "
        text = f"{text}{glue}{part}" if text else part
    return text


def _split_value_tail(texts: dict[str, str], columns: list[str]) -> None:
    """An indicator written with its value at the end ("... giải quyết TTHC 80%") gives the value cell."""
    first = columns[0]
    if "value" not in columns or "value" in texts or first not in texts:
        return
    if m := table_rules().value_tail.search(texts[first]):
        head = texts[first][:m.start()].strip()
        if head:
            texts[first], texts["value"] = head, m.group(0)


def _make_row(found: _RowCells, columns: list[str]) -> TableRow:
    label, first, cells = found
    texts = _cell_texts(cells, columns)
    _split_value_tail(texts, columns)
    label = _take_dash(label, texts, columns[0])
    last = max((ln.lineno for lines in cells.values() for ln in lines), default=first.lineno)
    return TableRow(label, texts, first.page, first.lineno, max(last, first.lineno))


def _wrapped_rows(lines: list[Line], header: _Header) -> tuple[int, list[TableRow]]:
    """Rows of a table wrapped column by column, and the index after its last line.

    The rows are read twice: once to learn each column's width, once with it.
    """
    end, chunks = _wrapped_chunks(lines, header, len(lines))
    spanning = _spanning_width(chunks)
    if stray := _stray_wide_line(chunks, spanning):
        end, chunks = _wrapped_chunks(lines, header, lines.index(stray, header.end))
    first_reading = _Layout([role for role in header.roles if role != LABEL], spanning, {})
    layout = dataclasses.replace(first_reading, widths=_column_widths(chunks, first_reading))
    rows = [_make_row(found, layout.columns) for chunk in chunks for found in _chunk_cells(chunk, layout)]
    return end, rows


# ---------------------------------------------------------------------------
# Public API


def find_tables(lines: list[Line]) -> list[tuple[int, int, Table]]:
    """Every plan or targets table in `lines`: (index of its header's first line, index after its last line, table).

    A table opens at a header that names its columns and closes where prose
    resumes: a line that is not split into cells, for a split-row table; a
    heading, appendix title, signature block or a line as wide as prose, for a
    wrapped one.  Rows come in order, group rows included.
    """
    found = []
    i = 0
    while i < len(lines):
        header = _header_at(lines, i)
        if header is None:
            i += 1
            continue
        end, rows = (_split_rows if header.split else _wrapped_rows)(lines, header)
        if rows:
            found.append((i, end, _table(lines, header, end, rows)))
        i = max(end, header.end)
    return found


def _table(lines: list[Line], header: _Header, end: int, rows: list[TableRow]) -> Table:
    roles = list(header.roles)
    kind = "targets" if "metric" in roles and "text" not in roles else "plan"
    if kind == "targets" and "measure" not in roles and "%" in " ".join(ln.text for ln in lines[header.start:header.end]):
        # the header gives the values' unit ("Chỉ tiêu năm 2025 (%)"): the rows' bare numbers are percentages
        for row in rows:
            if row.cells.get("value"):
                row.cells.setdefault("measure", "%")
    first = lines[header.start]
    return Table(kind=kind, roles=roles, rows=rows, page=first.page, line_start=first.lineno,
                 line_end=lines[end - 1].lineno)


# ---------------------------------------------------------------------------
# Rule examples


def _lines_of(text: str) -> list[Line]:
    """Example text into lines, as the reader turns a file into lines."""
    return split_pages(text)[0]


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """The examples of rules/tables.yaml, checked by the test suite."""
    examples = rules.load("tables")["examples"]
    for case in examples["header"]:
        header = _header_at(_lines_of(case["input"]), 0)
        yield f"tables.header.{case['id']}", case["expected"], list(header.roles) if header else None
    for n, case in enumerate(examples["cell_start"]):
        yield f"tables.cell_start[{n}]", case["expected"], cell_class(case["input"])
    for n, case in enumerate(examples["label"]):
        found = split_label(case["input"])
        yield f"tables.label[{n}]", case["expected"], list(found) if found else None
    for case in examples["table"]:
        tables = find_tables(_lines_of(case["input"]))
        actual = [{"label": row.label, "cells": row.cells} for _, _, table in tables for row in table.rows]
        yield f"tables.table.{case['id']}", case["expected"], actual
