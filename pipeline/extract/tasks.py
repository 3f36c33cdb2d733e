"""Tasks: which items are tasks, and what each one says about who, when and what.

SPEC "What is a task": a leaf item of a `tasks` or `organization` section
(or of the part of a `targets` section that assigns work), and every leaf row
of a plan table.  For each task this module gathers, in order of precedence:

* units: field lines (or table cells), else a heading above that names a
  unit, else the doer the task's own text names;
* deadline: the time field (or cell), else a time phrase inside the lead
  field, else the first scheduling phrase of the task's text, else of the
  heading's lead-in sentence just above it;
* output: the `Sản phẩm` / `Kết quả` field or cell.

Field lines that follow only the last item of a group apply to the whole
group, and blank cells of a plan table take the value above them (SPEC
"Inheritance"); both are resolved here before the tasks are read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex as re

from ..model import Deadline, UnitRef
from ..structure import TABLE_PREFIX, Item, PlanTree, grammar, heading_of, holds_sections
from ..tables import PERIOD, cell_class
from ..textnorm import canon, nfc, squeeze
from .deadlines import find_deadline, parse_deadline
from .units import (doer_in_text, heading_unit, names_only_units, parse_lead_field, split_units,
                    support_in_text, unit_opens)

TABLE_FIELD_ROLES = ("deadline", "lead", "support", "output")


@dataclass
class TaskInfo:
    """One task as extracted, before it becomes rows of `tasks` and `task_units`."""

    item: Item
    text: str
    lead_raw: str | None = None
    support_raw: str | None = None
    deadline_raw: str | None = None
    output: str | None = None
    deadline: Deadline | None = None
    units: list[tuple[str, UnitRef]] = field(default_factory=list)  # (role, unit)

    @property
    def source(self) -> str:
        return "table" if self.item.row is not None else "prose"


def effective_kind(item: Item) -> str:
    """The kind that decides whether a leaf is a task.

    Inside a `targets` section a subsection may assign work ("2. Nhiệm vụ,
    giải pháp chủ yếu") or list targets ("1. Một số chỉ tiêu"); the nearest
    heading below the top section that names either decides.
    """
    if item.kind != "targets":
        return item.kind
    node = item.parent
    while node is not None and node.parent is not None and node.parent.parent is not None:
        kind = grammar().kind_of(heading_of(node))
        if kind in ("tasks", "targets"):
            return kind
        node = node.parent
    return item.kind


HEADING_LINE_WORDS = 8  # a heading line above a task's sentence is short
GOAL_KINDS = ("purpose", "requirements", "targets")
GOAL_HEADING_WORDS = 5


def is_goal_heading(node: Item) -> bool:
    """A sub-heading that introduces goals, not work: "1.1. Mục tiêu", "a) Yêu cầu:",
    "2. Chỉ tiêu cụ thể:" (its first line, up to a colon, opens with a goal keyword
    and is a heading's few words)."""
    first = node.words[0] if node.words else ""
    head = canon(first).split(":")[0].strip(" .")
    if not head or len(head.split()) > GOAL_HEADING_WORDS:
        return False
    # a heading stands over something: its own lines below, children, or a colon
    # ("a) Yêu cầu các phòng báo cáo." alone on its line is a task)
    heads_something = len([w for w in node.words if w.strip()]) > 1 or node.children or ":" in first
    return bool(heads_something) and grammar().kind_at_start(head) in GOAL_KINDS


def under_goal_heading(item: Item) -> bool:
    """The item is, or lies under, a goal sub-heading of its top section (CCHC plans
    split each area into "1.1. Mục tiêu" and "1.2. Nhiệm vụ")."""
    node: Item | None = item
    while node is not None and node.level > 1:
        if is_goal_heading(node):
            return True
        node = node.parent
    return False


def is_task(item: Item) -> bool:
    """SPEC "What is a task": a leaf row of a plan table, or a leaf item below a
    top section of kind tasks or organization (or the work part of targets),
    unless a goal sub-heading ("1.1. Mục tiêu") holds it."""
    if item.children:
        return False
    if item.row is not None:
        return item.table_kind == "plan"
    if item.parent is not None and item.parent.parent is not None and item.parent.parent.style == "root" \
            and holds_sections(item.parent):
        return False  # a section of a part is a top section of its own
    return (item.level > 1 and effective_kind(item) in ("tasks", "organization")
            and not under_goal_heading(item))


def spread_group_fields(tree: PlanTree) -> None:
    """Field lines after only the last item of a group apply to every item of it."""
    for parent in tree.items:
        children = parent.children
        if len(children) < 2 or not children[-1].fields:
            continue
        if any(node.fields for child in children[:-1] for node in child.walk()):
            continue
        for child in children[:-1]:
            for node in child.walk():
                if not node.children:
                    node.fields = {role: list(values) for role, values in children[-1].fields.items()}


def fill_merged_cells(tree: PlanTree) -> None:
    """A blank cell of a plan-table row takes the value of the row above (vertically merged cells).

    The fill runs down the leaf rows of one outer group of the table (the
    rows under one of its top group rows, "I", "A", or under one prose
    heading) and skips group rows, whose cells are blank by nature: a merged
    cell may run on past an inner group row ("3 | Đẩy mạnh ..." above rows
    3.1-3.9 and row 4) but the rows of group II never take the cells
    of group I.  A group row that fills a unit, time or output cell itself
    ("1 | Công tác chỉ đạo | Phòng Nội vụ | ...") gives it to the blank cells
    of its rows; a cell that says "the same as above" ("nt", "Như trên") takes
    the value above.  A blank support cell beside a lead cell that names its own
    partners stays blank.
    """
    for top in tree.root.children:
        above: dict[str, str] = {}
        outer: Item | None = None
        parent: Item | None = None
        for item in top.walk():
            if item.row is None or item.children:
                continue
            if _outer_group(item) is not outer:
                outer, above = _outer_group(item), {}
            if item.parent is not parent:
                parent = item.parent
                cells = parent.row.cells if parent is not None and parent.row is not None else {}
                above.update({role: value.strip() for role in TABLE_FIELD_ROLES
                              if (value := cells.get(role) or "").strip()})
            own_lead = (item.row.cells.get("lead") or "").strip()
            for role in TABLE_FIELD_ROLES:
                value = (item.row.cells.get(role) or "").strip()
                if value and not SAME_AS_ABOVE.fullmatch(value):
                    above[role] = value
                elif role in above and not (role == "support" and names_partners(own_lead)):
                    item.row.cells[role] = above[role]


def names_partners(lead_cell: str) -> bool:
    """A lead cell that names its own partners ("X chủ trì, phối hợp với Y"): the row's
    blank support cell is blank because the lead cell says it all, not merged from above."""
    return bool(lead_cell) and bool(parse_lead_field(lead_cell)[1])


# A cell that repeats the cell above in words: "nt", "-nt-", "Như trên", a ditto mark.
SAME_AS_ABOVE = re.compile(r"\s*[-(]?\s*(?:nt|như trên|\"|〃|”)\s*[-)]?\s*\.?\s*", re.IGNORECASE)


# A tick in a period sub-column ("x", "X", "✓", "+", "•").
TICK = re.compile(r"\s*[xX✓✔+•●*]\s*")


def ticked_periods(cells: dict[str, str]) -> str | None:
    """The time of a row that ticks period sub-columns ("Quý I | Quý II | ..."): its first
    ticked period to its last ("Quý III - Quý IV", "Năm 2025 - Năm 2027").  A cell that
    writes a time instead of a tick ("Tháng 9" under "Năm 2025") says it within the year."""
    ticked = []
    for role, value in cells.items():
        if not role.startswith(PERIOD) or not value.strip():
            continue
        period = role[len(PERIOD):]
        if not TICK.fullmatch(value) and cell_class(value) != "time":
            continue  # a figure under a year ("95%"), not a time
        ticked.append(period if TICK.fullmatch(value) or not re.fullmatch(r"(?:năm )?\d{4}", period, re.I)
                      else f"{value.strip()} năm {period.split()[-1]}")
    if not ticked:
        return None
    return ticked[0] if len(ticked) == 1 else f"{ticked[0]} - {ticked[-1]}"


def _outer_group(item: Item) -> Item | None:
    """The table's top group row the row lies under (None for a row under no group row)."""
    node, outer = item.parent, None
    while node is not None and node.row is not None:
        outer, node = node, node.parent
    return outer


def _clean_raw(text: str | None) -> str | None:
    if not text:
        return None
    text = squeeze(nfc(text)).rstrip(" .;")
    return text or None


def _heading_units(item: Item) -> tuple[list[UnitRef], list[UnitRef]] | None:
    node = item.parent
    while node is not None and node.style != "root":
        found = heading_unit(node.raw_text)
        if found:
            return found
        node = node.parent
    return None


# An assignment in brackets closing a task: "... (Văn phòng HĐND và UBND xã chủ trì;
# các công chức phối hợp)", "... (Công an xã thực hiện)".
BRACKETED_ASSIGNMENT = re.compile(r"\s*\((?P<body>[^()]*?(?:chủ trì|phối hợp|thực hiện|đầu mối)[^()]*)\)\s*(?P<end>[.;]?)\s*$",
                                  re.IGNORECASE)


def bracketed_assignment(text: str, level_word: str | None) -> tuple[str, str, str] | None:
    """(text without it, the bracket's words, "lead" or "support") when a task closes
    with a bracket that assigns it; "support" when the bracket names partners only
    ("(Công an xã phối hợp)")."""
    match = BRACKETED_ASSIGNMENT.search(text)
    if not match or not unit_opens(match["body"]):
        return None
    leads, supports = parse_lead_field(match["body"], level_word)
    if not (leads or supports):
        return None
    return text[:match.start()] + match["end"], match["body"], "lead" if leads else "support"


def _own_heading_unit(item: Item, level_word: str | None) -> tuple[list[UnitRef], list[UnitRef]] | None:
    """A leaf whose first line only names a unit, its duties on the lines below
    ("6. Trạm Y tế xã" / "Đẩy mạnh ..."): that unit leads it."""
    words = [w for w in item.words if w.strip()]
    if item.row is not None or len(words) < 2:
        return None
    # a heading line, not a sentence wrapped after a unit's name: it ends with a colon
    # or the next line opens a sentence
    if not (words[0].rstrip().endswith(":") or words[1].lstrip()[:1].isupper()):
        return None
    units = names_only_units(words[0], level_word)
    return (units, []) if units else None


def read_task(item: Item, plan_year: int | None, level_word: str | None) -> TaskInfo:
    """Everything one task says: its text, units, deadline and output."""
    cells = item.row.cells if item.row is not None else {}
    content = item.field_text("content")
    own = item.raw_text
    assigned = None
    if item.row is None and not item.field_text("lead"):
        assigned = bracketed_assignment(own, level_word)
        if assigned:
            own = assigned[0]
    text = canon(" ".join(filter(None, [own, content])))
    info = TaskInfo(item=item, text=text)
    bracket = {assigned[2]: assigned[1]} if assigned else {}
    info.lead_raw = cells.get("lead") or item.field_text("lead") or bracket.get("lead")
    info.support_raw = cells.get("support") or item.field_text("support") or bracket.get("support")
    monitor_raw = item.field_text("monitor")
    info.output = squeeze(nfc(cells.get("output") or item.field_text("output") or "")) or None
    _read_units(info, monitor_raw, level_word)
    _read_deadline(info, plan_year)
    if info.lead_raw:
        info.lead_raw = squeeze(nfc(info.lead_raw))
    if info.support_raw:
        info.support_raw = squeeze(nfc(info.support_raw))
    return info


def _read_units(info: TaskInfo, monitor_raw: str | None, level_word: str | None) -> None:
    leads: list[UnitRef] = []
    supports: list[UnitRef] = []
    if info.lead_raw:
        leads, supports = parse_lead_field(info.lead_raw, level_word=level_word)
    else:
        from_heading = _heading_units(info.item) or _own_heading_unit(info.item, level_word)
        if from_heading:
            leads, supports = list(from_heading[0]), list(from_heading[1])
            supports += support_in_text(info.text, level_word=level_word)
        else:
            leads, supports = doer_in_text(info.text, level_word=level_word)
            words = [w for w in info.item.words if w.strip()]
            if (not leads and len(words) > 1 and words[1].lstrip()[:1].isupper()
                    and len(words[0].split()) <= HEADING_LINE_WORDS and words[0].rstrip()[-1:].isalnum()):
                # "3. Số hóa hồ sơ" / "Trung tâm ... chủ trì, phối hợp với ...": the doer
                # opens the sentence below the heading line
                leads, supports = doer_in_text(" ".join(words[1:]), level_word=level_word)
    if info.support_raw:
        supports = split_units(info.support_raw, level_word=level_word)
    monitors = split_units(monitor_raw, level_word=level_word) if monitor_raw else []
    seen: set[tuple[str, str]] = set()
    for role, units in (("lead", leads), ("support", supports), ("monitor", monitors)):
        for unit in units:
            key = (role, unit.name.casefold())
            if key not in seen:
                seen.add(key)
                info.units.append((role, unit))


def _read_deadline(info: TaskInfo, plan_year: int | None) -> None:
    item = info.item
    cell = item.row.cells.get("deadline") if item.row is not None else None
    stated = cell if item.row is not None else item.field_text("deadline")
    if stated:
        info.deadline_raw = _clean_raw(stated)
        info.deadline = parse_deadline(stated, plan_year)
        start = item.row.cells.get("start") if item.row is not None else None
        if start and info.deadline:
            # a time column split into "Bắt đầu | Hoàn thành": the period runs from the start
            span = parse_deadline(f"{squeeze(start)} - {squeeze(stated)}", plan_year)
            if span and span.due_date == info.deadline.due_date and span.kind == info.deadline.kind:
                info.deadline_raw = _clean_raw(f"{squeeze(start)} - {squeeze(stated)}")
                info.deadline = span
        return
    if item.row is not None:
        ticked = ticked_periods(item.row.cells)
        if ticked:
            info.deadline_raw = _clean_raw(ticked)
            info.deadline = parse_deadline(ticked, plan_year)
        return  # a table's time comes from its time column only
    candidates = [item.field_text("lead"), " ".join(filter(None, [item.raw_text, item.field_text("content")]))]
    parent = item.parent
    if parent is not None and parent.level >= 2 and not parent.style.startswith(TABLE_PREFIX):
        candidates.append(parent.raw_text)
    for text in candidates:
        if not text:
            continue
        found = find_deadline(squeeze(nfc(text)), plan_year)
        if found:
            info.deadline = found
            info.deadline_raw = _clean_raw(found.raw)
            return


def extract_tasks(tree: PlanTree, plan_year: int | None, level_word: str | None = None) -> list[TaskInfo]:
    """All tasks of a plan, in document order."""
    spread_group_fields(tree)
    fill_merged_cells(tree)
    return [read_task(item, plan_year, level_word) for item in tree.items if is_task(item)]
