"""The objects that flow between stages.

read -> `Line`s (text with page and line number) -> normalize -> structure
(`Item` tree, `Table`s) -> extract (`Deadline`, `UnitRef`, `TargetHit`, ...)
-> write (rows of the Parquet tables).  Each object prints readably so a
user can debug a document stage by stage, as with pdfplumber's objects.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line of a document after reading: what every later stage points back to.

    `text` is NFC text with markup removed (tabs kept: they separate table
    cells); `page` is 1-based; `lineno` is the 1-based line of the source file
    (for DOCX, the paragraph or table index).  `blank_before` counts the empty
    or white-space-only source lines between this line and the previous
    content line: converters mark empty paragraphs and cell ends that way.
    `page_start` is true for the first content line of a page.
    """

    text: str
    page: int
    lineno: int
    blank_before: int = 0
    page_start: bool = False


@dataclass
class Deadline:
    """A parsed time phrase (SPEC "Deadlines")."""

    raw: str
    kind: str  # date, month, quarter, year, continuous, periodic, on_event, as_directed, relative
    period_start: dt.date | None = None
    due_date: dt.date | None = None
    recurrence: str | None = None  # monthly, quarterly, yearly


@dataclass
class UnitRef:
    """One unit named in a cell or phrase, with its canonical name."""

    raw: str
    name: str
    unit_type: str
    is_collective: bool


@dataclass
class TargetHit:
    """One percentage found in a sentence or table row."""

    value: float
    comparator: str  # >=, <=, =
    metric: str
    raw: str
    indicator: str | None = None


@dataclass
class TableRow:
    """One rebuilt row of a plan or targets table; `cells` maps a column role to its text."""

    label: str | None
    cells: dict[str, str]
    page: int
    line_start: int
    line_end: int
    group: bool = False  # a group row without a label ("CÔNG TÁC TIẾP DÂN" across the table)


@dataclass
class Table:
    """A table found in a document; `roles` names each column (text, deadline, lead, ...)."""

    kind: str  # "plan" or "targets"
    roles: list[str]
    rows: list[TableRow] = field(default_factory=list)
    page: int = 1
    line_start: int = 0
    line_end: int = 0
