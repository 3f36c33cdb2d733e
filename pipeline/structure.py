"""Structure: content lines -> a tree of numbered items (the plan's sections and tasks).

Vietnamese plans number their parts `I.` > `1.` > `a)` > `-`, with variants
(`(1).`, `1.1`, tables whose TT column carries the same labels).  Rather than
fix one hierarchy, the parser keeps a stack of open items: an item whose
numbering style is already open becomes a sibling of the open one, a new
style nests under the current item.  That reads every nesting order real
plans use, and repeated numerals (`II.` twice) simply stay siblings.

Lines without a marker continue the current item (wrapped lines, lead-in
paragraphs), field lines (`rules/fields.yaml`) attach to the current item,
and tables found by `pipeline.tables` contribute their rows as items in
their own numbering namespace, so a table's `1`, `2` nest under the prose
heading that holds the table.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import regex as re

from . import rules
from .model import Line, Table, TableRow
from .textnorm import canon, fold, squeeze

TABLE_PREFIX = "table-"


@dataclass
class Item:
    """A numbered item of the plan: a section heading when it has children, else a leaf."""

    label: str | None
    style: str
    lines: list[Line] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the item's own text, line by line
    fields: dict[str, list[str]] = field(default_factory=dict)
    field_lines: dict[str, list[Line]] = field(default_factory=dict)
    children: list["Item"] = field(default_factory=list)
    parent: "Item | None" = None
    row: TableRow | None = None
    table_kind: str | None = None  # "plan" or "targets" for a table row
    kind: str = "other"
    path: str = ""
    ordinal: int = 0

    @property
    def text(self) -> str:
        """The item's own words, lines joined, in canonical spelling."""
        return canon(" ".join(self.words))

    @property
    def raw_text(self) -> str:
        return " ".join(w.strip() for w in self.words if w.strip())

    @property
    def level(self) -> int:
        depth, node = 0, self.parent
        while node is not None:
            depth, node = depth + 1, node.parent
        return depth

    @property
    def page(self) -> int:
        if self.row is not None:
            return self.row.page
        return self.lines[0].page if self.lines else 0

    @property
    def line_start(self) -> int:
        if self.row is not None:
            return self.row.line_start
        return self.lines[0].lineno if self.lines else 0

    @property
    def line_end(self) -> int:
        """Last source line of the item and everything under it."""
        last = self.row.line_end if self.row is not None else max((ln.lineno for ln in self.lines), default=0)
        for lines in self.field_lines.values():
            last = max([last] + [ln.lineno for ln in lines])
        for child in self.children:
            last = max(last, child.line_end)
        return last

    def field_text(self, role: str) -> str | None:
        values = self.fields.get(role)
        return " ".join(v.strip() for v in values).strip() if values else None

    def walk(self):
        """This item and all its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def __repr__(self) -> str:  # readable when debugging a document
        return f"Item({self.path or self.label!r}, {self.style}, {self.text[:50]!r}, children={len(self.children)})"


@dataclass
class Marker:
    style: str
    label: str
    rest: str


@dataclass
class FieldLine:
    role: str
    value: str


def _number(label: str) -> int | None:
    return int(label) if label.isdigit() else None


def _order_position(order: list[str]) -> Callable[[str], int | None]:
    """A label's place in one lettering order, or None when the order has no such letter."""
    return lambda label: order.index(label) if label in order else None


def _counts_on(position: Callable[[str], int | None], label: str, previous: str | None, first: int) -> bool:
    """A numbered item opens its sequence at one of its first values (a missing first item
    is tolerated) or counts on from its open sibling, skipping at most one value."""
    value = position(label)
    if value is None:
        return False
    if previous is None:
        return value <= first
    before = position(previous)
    return before is not None and 1 <= value - before <= 2


class Grammar:
    """The numbering and field-line rules, compiled once from `rules/`."""

    def __init__(self) -> None:
        sections = rules.load("sections")
        self.markers = [(m["kind"], m.get("sequence"), re.compile(m["pattern"])) for m in sections["markers"]]
        self.sub_bullet = re.compile(sections["sub_bullet"])
        self.page_number = re.compile(sections["page_number"])
        self.page_number_at_page_start = re.compile(sections["page_number_at_page_start"])
        self.alphabets = {"letter": sections["letters"], "upper": sections["upper_letters"]}
        self.body_end = re.compile(sections["body_end"])
        self.appendix = re.compile(sections["appendix"])
        self.appendix_label = sections["appendix_label"]
        self.plan_title = re.compile(sections["plan_title"])
        self.decision_marker = re.compile(sections["decision_marker"])
        self.kinds = [(k["kind"], [fold(w) for w in k["keywords"]]) for k in sections["kinds"]]
        self.action_headings = [fold(w) for w in sections["action_headings"]]
        fields = rules.load("fields")
        self.field_marker = re.compile(fields["marker"])
        labels = [(fold(label), f["role"]) for f in fields["fields"] for label in f["labels"]]
        labels.sort(key=lambda pair: -len(pair[0]))  # longest label first
        alternatives = "|".join(re.escape(label) for label, _ in labels)
        self.field_re = re.compile(r"(?P<label>" + alternatives + r")" + fields["label_alternative"] + r"\s*:\s*",
                                   re.IGNORECASE)
        self.field_roles = dict(labels)
        # a field value that goes on to state another field after a separator
        # ("Công chức X; phối hợp: các đoàn thể", "Sở Nội vụ. Thời gian: Quý II")
        self.field_split_re = re.compile(r"(?:[;.,]\s*|\s+-\s+)(?P<label>" + alternatives + r")\s*:\s*",
                                         re.IGNORECASE)
        # fields written in brackets after a task's words ("... (Đơn vị thực
        # hiện: Văn phòng; thời gian: tháng 3/2025)")
        # fields that follow a task's sentence on its own line ("... của xã. Đơn vị
        # thực hiện: X; thời gian: Quý II/2025")
        self.tail_field_re = re.compile(r"(?:[.;]\s+|\s+-\s+)(?=(?:" + alternatives + r")\s*:)", re.IGNORECASE)
        self.inline_field_re = re.compile(r"\(\s*(?=(?:" + alternatives + r")\s*:)(?P<body>[^()]*)\)",
                                          re.IGNORECASE)

    def marker(self, text: str) -> Marker | None:
        for style, _, pattern in self.markers:
            match = pattern.match(text)
            if match and match.group("label"):
                return Marker(style, match.group("label"), text[match.end():].strip())
        return None

    def sequence_of(self, style: str) -> str | None:
        return next((seq for name, seq, _ in self.markers if name == style), None)

    def field_line(self, text: str) -> FieldLine | None:
        """The field a line states, matched on its folded words after an optional marker."""
        folded = fold(text)
        start = self.field_marker.match(folded)
        match = self.field_re.match(folded, start.end() if start else 0)
        if not match:
            return None
        label = match.group("label")
        # map the folded offset back onto the canonical text (same length by construction)
        value = canon(text)[match.end():]
        return FieldLine(self.field_roles[label], value)

    def split_field(self, field_line: FieldLine) -> list[FieldLine]:
        """A field whose value states further fields ('X; thời gian: Quý II') -> one field each."""
        value = field_line.value
        folded = value.casefold()
        out, start, role = [], 0, field_line.role
        for match in self.field_split_re.finditer(folded):
            out.append(FieldLine(role, value[start:match.start()]))
            role, start = self.field_roles[match.group("label")], match.end()
        out.append(FieldLine(role, value[start:]))
        return [f for f in out if f.value.strip(" .;,")] or [field_line]

    def inline_fields(self, text: str) -> tuple[str, list[FieldLine]]:
        """Fields written in brackets inside an item's words, and the words without them."""
        text = canon(text)
        folded = text.casefold()
        found: list[FieldLine] = []
        kept, last = [], 0
        for match in self.inline_field_re.finditer(folded):
            body = text[match.start("body"):match.end("body")]
            first = self.field_line(body)
            if first is None:
                continue
            found += self.split_field(first)
            kept.append(text[last:match.start()])
            last = match.end()
        kept.append(text[last:])
        text = re.sub(r"\s+([.,;:])", r"\1", squeeze("".join(kept)))
        tail = self.tail_field_re.search(text.casefold())
        if tail:
            first = self.field_line(text[tail.end():])
            if first is not None:
                found += self.split_field(first)
                text = text[:tail.start()].rstrip(" ,;") + "."
        return text, found

    def kind_at_start(self, heading: str) -> str | None:
        """The kind whose keyword the heading opens with ("Mục tiêu cụ thể" -> purpose), else None."""
        folded = fold(heading)
        for kind, words in self.kinds:
            if any(folded == w or folded.startswith(w + " ") for w in words):
                return kind
        return None

    def kind_of(self, heading: str) -> str:
        """A heading's kind: the kind whose keyword occurs earliest in it."""
        folded = fold(heading)
        best: tuple[int, str] | None = None
        for kind, words in self.kinds:
            for word in words:
                pos = folded.find(word)
                if pos >= 0 and (best is None or pos < best[0]):
                    best = (pos, kind)
        return best[1] if best else "other"

    def top_kind(self, heading: str) -> str:
        """A top section's kind: its keyword's, else tasks when it opens with a verb of reform
        ("CẢI CÁCH THỂ CHẾ", "XÂY DỰNG CHÍNH QUYỀN SỐ": a field of work)."""
        kind = self.kind_of(heading)
        folded = fold(heading)
        if kind == "other" and any(folded == w or folded.startswith(w + " ") for w in self.action_headings):
            return "tasks"
        return kind



@functools.lru_cache(maxsize=1)
def grammar() -> Grammar:
    return Grammar()


class TreeBuilder:
    """Builds the item tree line by line with a stack of open items."""

    def __init__(self) -> None:
        self.g = grammar()
        self.root = Item(label=None, style="root")
        self.stack: list[Item] = [self.root]
        self.field_role: str | None = None  # the field a continuation line extends

    @property
    def current(self) -> Item:
        return self.stack[-1]

    def _open_sibling(self, style: str) -> Item | None:
        for item in reversed(self.stack):
            if item.style == style:
                return item
        return None

    def _in_sequence(self, marker: Marker) -> bool:
        """Numbered and lettered items must count on from their open sibling, or start afresh."""
        sequence = self.g.sequence_of(marker.style)
        if sequence is None:
            return True
        sibling = self._open_sibling(marker.style)
        previous = None if sibling is None else (sibling.label or "").strip("()")
        label = marker.label.strip("()")
        if sequence == "number":
            return _counts_on(_number, label, previous, first=2)
        return any(_counts_on(_order_position(order), label, previous, first=1)
                   for order in self.g.alphabets[sequence])

    def _wraps_a_compound(self, marker: Marker) -> bool:
        """A dash line that continues the line above: it goes on in lower case and the line
        above stopped mid-sentence ("phát triển kinh tế" / "- xã hội trên địa bàn")."""
        item = self.current
        if item is self.root:
            return False
        if self.field_role is not None:
            above = (item.fields.get(self.field_role) or [""])[-1]
        else:
            above = item.words[-1] if item.words else ""
        above = above.rstrip()
        if self.field_role in UNIT_ROLES and _names_only_units(marker.rest):
            return True  # a units field listed one unit a line ("Đơn vị thực hiện:" / "- Phòng A;")
        if not above or not above[-1].isalnum() or _all_caps(above):
            return False
        if marker.rest[:1].islower():
            return True
        # a unit's name wrapped at its dash in a units field ("Phòng Văn hóa" / "- Xã hội")
        return self.field_role in UNIT_ROLES and _splits_a_unit_name(above, marker.rest)

    def open_item(self, label: str | None, style: str, line: Line | None, rest: str) -> Item:
        sibling = self._open_sibling(style)
        if sibling is not None:
            while self.stack[-1] is not sibling:
                self.stack.pop()
            self.stack.pop()
        parent = self.current
        item = Item(label=label, style=style, parent=parent)
        if line is not None:
            item.lines.append(line)
        if rest:
            item.words.append(rest)
        parent.children.append(item)
        self.stack.append(item)
        self.field_role = None
        return item

    def add_line(self, line: Line) -> None:
        text = line.text
        if self.g.page_number.match(text) or (line.page_start and self.g.page_number_at_page_start.match(text)):
            return  # a page number left by the converter
        field_line = self.g.field_line(text)
        if field_line is not None and self.current is not self.root:
            for part in self.g.split_field(field_line):
                self.current.fields.setdefault(part.role, []).append(part.value)
                self.current.field_lines.setdefault(part.role, []).append(line)
                self.field_role = part.role
            return
        marker = self.g.marker(text)
        if marker is not None and marker.style == "dash" and self._wraps_a_compound(marker):
            marker = None  # "... kinh tế" / "- xã hội ...": a hyphenated phrase wrapped at its dash
        if marker is not None and self._in_sequence(marker):
            self.open_item(marker.label, marker.style, line, marker.rest)
            return
        sub = self.g.sub_bullet.match(text)
        if sub:
            text = text[sub.end():]
            self.field_role = None
        self.continue_current(line, text)

    def continue_current(self, line: Line, text: str) -> None:
        item = self.current
        if item is self.root:
            return  # prose before the first heading belongs to the preamble
        if self.field_role is not None:
            item.fields[self.field_role].append(text)
            item.field_lines[self.field_role].append(line)
        else:
            item.words.append(text)
            item.lines.append(line)

    def open_appendix(self, line: Line, label: str, heading: str) -> None:
        while len(self.stack) > 1:
            self.stack.pop()
        item = self.open_item(label, "appendix", line, heading)
        item.kind = "appendix"

    def add_table(self, table: Table, lines: list[Line]) -> None:
        """Rows become items in the table's own namespace, nested under the open prose item."""
        base = len(self.stack)
        for row in table.rows:
            style = TABLE_PREFIX + label_style(row.label)
            if row.group and row.label is None:
                # an unlabelled group row closes the groups above it and opens one at the table's top
                del self.stack[base:]
                style = TABLE_PREFIX + "group"
            sibling = self._open_sibling(style)
            if sibling is None or self.stack.index(sibling) < base:
                item = Item(label=row.label, style=style, parent=self.current, row=row)
                self.current.children.append(item)
                self.stack.append(item)
            else:
                item = self.open_item(row.label, style, None, "")
                item.row = row
            item.table_kind = table.kind
            item.words = [row.cells.get("text") or row.cells.get("metric") or ""]
            item.lines = [ln for ln in lines if row.line_start <= ln.lineno <= row.line_end][:1]
        del self.stack[base:]
        self.field_role = None


UNIT_ROLES = ("lead", "support", "monitor")


def _names_only_units(text: str) -> bool:
    from .extract.units import names_only_units
    return bool(names_only_units(text))


def _splits_a_unit_name(above: str, below: str) -> bool:
    """The two lines, joined at a dash, hold a unit name that runs across the dash."""
    from .extract.units import split_units  # units read text this module has already shaped
    tail = above.split(":")[-1].split(";")[-1].split(",")[-1].strip()
    head = below.split(",")[0].split(";")[0].strip(" .")
    if not tail or not head:
        return False
    joined = f"{tail} - {head}"
    units = split_units(joined)
    return len(units) == 1 and canon(units[0].raw).rstrip(" .") == canon(joined)


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def label_style(label: str | None) -> str:
    """The numbering style of a table row's TT label."""
    if not label or label in "-–+•":
        return "dash"
    if re.fullmatch(r"[IVX]+", label):
        return "roman"
    if re.fullmatch(r"\d+", label):
        return "arabic"
    if re.fullmatch(r"\d+(?:\.\d+)+", label):
        return f"dotted{label.count('.')}"
    if re.fullmatch(r"\(\d+\)", label):
        return "paren"
    if label[:1].isupper():
        return "upper"
    return "letter"


@dataclass
class PlanTree:
    """The structured plan: its top-level items and where the body lies in the lines."""

    root: Item
    body_start: int
    body_end: int

    @property
    def items(self) -> list[Item]:
        return [item for top in self.root.children for item in top.walk()]


def body_span(lines: list[Line], table_starts: list[int]) -> tuple[int, int]:
    """Where the plan's numbered body starts and ends in `lines`.

    A plan issued with a decision starts at its own `KẾ HOẠCH` title after the
    decision text; the body opens at its first Roman-numeral heading (or its
    first table, or its first `1.` item) and closes at `Nơi nhận`.
    """
    g = grammar()
    start = 0
    decision = next((i for i, ln in enumerate(lines) if g.decision_marker.match(ln.text)), None)
    if decision is not None:
        start = next((i for i in range(decision, len(lines)) if g.plan_title.match(lines[i].text)), decision)
    candidates = [i for i in range(start, len(lines))
                  if (m := g.marker(lines[i].text)) and _opens_top_level(m)]
    candidates += [i for i in table_starts if i >= start]
    if not candidates:
        candidates = [i for i in range(start, len(lines))
                      if (m := g.marker(lines[i].text)) and m.style == "arabic" and m.label == "1"]
    body_start = min(candidates) if candidates else start
    body_end = next((i for i in range(body_start, len(lines)) if g.body_end.match(lines[i].text)), len(lines))
    return body_start, body_end


def _opens_top_level(marker: Marker) -> bool:
    """`PHẦN I`, `I.` or `A.`: the first heading of a top-level numbering."""
    if marker.style in ("part", "roman"):
        return marker.label in ("I", "1") or marker.label.casefold().endswith("nhất")
    return marker.style == "upper" and marker.label == "A"


def build_tree(lines: list[Line], tables: list[tuple[int, int, Table]]) -> PlanTree:
    """Parse the plan's body (and any appendix after it) into an item tree."""
    g = grammar()
    start, end = body_span(lines, [t[0] for t in tables])
    table_at = {first: (last, table) for first, last, table in tables}
    builder = TreeBuilder()
    i = start
    in_body = True
    while i < len(lines):
        line = lines[i]
        appendix = g.appendix.match(line.text)
        if appendix and i >= start:
            heading = appendix.group("rest").strip()
            if not heading and i + 1 < len(lines):
                i += 1
                heading = lines[i].text.strip()
            label = g.appendix_label + (appendix.group("label") or "")
            builder.open_appendix(line, label, heading)
            in_body = True
            i += 1
            continue
        if i == end:
            in_body = False
        if in_body and i in table_at:
            last, table = table_at[i]
            builder.add_table(table, lines[i:last])
            i = last
            continue
        if in_body:
            builder.add_line(line)
        i += 1
    tree = PlanTree(builder.root, start, end)
    _take_inline_fields(tree)
    _annotate(tree)
    return tree


def _take_inline_fields(tree: PlanTree) -> None:
    """Fields an item writes in brackets after its words become its fields."""
    g = grammar()
    for item in tree.items:
        if item.row is not None or ":" not in " ".join(item.words):
            continue
        text, found = g.inline_fields(" ".join(w.strip() for w in item.words if w.strip()))
        if not found:
            continue
        item.words = [text]
        for part in found:
            item.fields.setdefault(part.role, []).append(part.value)
            item.field_lines.setdefault(part.role, []).append(item.lines[-1] if item.lines else Line("", 0, 0))


def _annotate(tree: PlanTree) -> None:
    """Kinds, paths and ordinals, once the tree is complete."""
    g = grammar()
    for ordinal, top in enumerate(tree.root.children, start=1):
        if top.kind != "appendix":
            top.kind = g.top_kind(heading_of(top))
            if top.kind == "other" and top.style.startswith(TABLE_PREFIX):
                top.kind = "tasks"  # a plan table's groups are work by definition
        for item in top.walk():
            if item is not top:
                item.kind = top.kind
        if holds_sections(top):
            # "PHẦN II. KẾ HOẠCH NĂM 2025" holds the plan's own I., II., III.: each of
            # those has the kind its heading names, as a top section would
            for section in top.children:
                kind = g.top_kind(heading_of(section))
                if kind != "other":
                    for item in section.walk():
                        item.kind = kind
        _assign_paths(top, prefix="")
    for ordinal, item in enumerate(tree.items, start=1):
        item.ordinal = ordinal


def holds_sections(top: Item) -> bool:
    """A top item that holds the plan's own I., II., III.: a part ("PHẦN II. KẾ HOẠCH NĂM
    2025"), or a lettered division ("B. KẾ HOẠCH NĂM 2025") over Roman sections."""
    if top.style == "part":
        return True
    return top.style == "upper" and any(child.style == "roman" for child in top.children)


def _assign_paths(item: Item, prefix: str) -> None:
    item.path = f"{prefix}.{item.label}" if prefix else (item.label or "")
    dashes = 0
    for child in item.children:
        if child.label in (None, "", "-", "–", "—", "•", "+", "*", "∙", "▪", "●", "○", "◦"):
            dashes += 1
            child.label = f"-{dashes}"
        _assign_paths(child, item.path)


def heading_of(item: Item) -> str:
    """A section's heading: its upper-case title lines, or its first clause."""
    words = [w.strip() for w in item.words if w.strip()]
    if not words:
        return ""
    upper = []
    for w in words:
        letters = [c for c in w if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
            upper.append(w)
        else:
            break
    if upper:
        return canon(" ".join(upper)).rstrip(" :.")
    text = canon(" ".join(words))
    clause = re.split(r"(?<=[.:;])\s", text, maxsplit=1)[0]
    return clause.rstrip(" :.")[:300]


def example_cases():
    """The examples of rules/sections.yaml and rules/fields.yaml, checked by the test suite."""
    g = grammar()
    for spec in rules.load("sections")["markers"]:
        for n, example in enumerate(spec["examples"]):
            found = g.marker(example["text"])
            expected = (example["label"], example.get("rest")) if example["label"] else None
            actual = (found.label, found.rest) if found and found.style == spec["kind"] else None
            if expected is None:
                actual = (found.label, found.rest) if found else None
            yield f"sections.markers.{spec['kind']}[{n}]", expected, actual
    for n, example in enumerate(rules.load("sections")["kind_examples"]):
        yield f"sections.kinds[{n}]", example["kind"], g.top_kind(example["heading"])
    for n, example in enumerate(rules.load("fields")["examples"]):
        found = g.field_line(example["text"])
        expected = (example["role"], example.get("value")) if example["role"] else None
        yield f"fields[{n}]", expected, (found.role, found.value) if found else None
