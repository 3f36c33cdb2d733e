"""Document metadata: the SPEC `documents` fields a plan states about itself.

Vietnamese administrative documents follow one layout (Nghị định
30/2020/NĐ-CP): a two-column header (parent body, issuing body, "Số:" line |
national motto, place-date line), a title word in capitals with the subject
below it, a preamble, the body, and a signature block.  Each field is read
from its slot in that layout; when a slot is missing (a header cut off by the
converter, a text without its title) the field falls back to what the text
says about itself ("Kế hoạch này", "Ủy ban nhân dân phường"), and stays None
when the text never says it.  Word lists and patterns live in
`rules/metadata.yaml`.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex as re

from ..model import Line
from ..rules import load
from ..textnorm import canon, squeeze
from .units import canonical_unit
from .references import (
    JoinedText,
    canon_line,
    extract_references,
    lines_of,
    parse_number_line,
    preamble_flags,
    word_alternation,
)

RULES = "metadata"
CI = re.IGNORECASE


@dataclass(frozen=True)
class BodyRule:
    """A kind of issuing body (see `bodies` in the rule file)."""

    word: re.Pattern
    canonical: str
    locality: bool
    level: str | None
    parent_place: bool


@dataclass(frozen=True)
class SignerTitle:
    """A position in a signature block and the body it implies."""

    title: str
    canonical: str
    body: str


@dataclass(frozen=True)
class Grammar:
    """`rules/metadata.yaml`, compiled."""

    titles: dict[str, str]
    symbol_types: dict[str, str]
    title_heading: re.Pattern
    self_references: dict[str, str]
    title_end: tuple[re.Pattern, ...]
    title_end_later: tuple[re.Pattern, ...]
    title_max_lines: int
    decision_subject: re.Pattern
    column_gap: re.Pattern
    header_noise: tuple[re.Pattern, ...]
    place_date: re.Pattern
    document_dates: tuple[re.Pattern, ...]
    year: re.Pattern
    year_outlook: re.Pattern
    year_span: re.Pattern
    bodies: tuple[BodyRule, ...]
    levels: dict[str, str]
    level_word: re.Pattern
    city_word: str
    city_under_province: str
    level_order: tuple[str, ...]
    bare_committee: re.Pattern
    title_locality: re.Pattern
    issuing_sentence: re.Pattern
    signature_prefix: re.Pattern
    signer_titles: tuple[SignerTitle, ...]
    signer_name: re.Pattern
    signer_property: re.Pattern
    signer_name_caps: re.Pattern
    signature_skip: re.Pattern
    signature_window: int


@functools.cache
def grammar() -> Grammar:
    """Compile the rule file once per process; `{titles}` and `{levels}` expand to its word lists."""
    data = load(RULES)
    titles = {canon(k): v for k, v in data["titles"].items()}
    levels = {canon(k).casefold(): v for k, v in data["levels"].items()}

    def expand(pattern: str) -> str:
        pattern = pattern.replace("{titles}", word_alternation(list(titles)))
        return pattern.replace("{levels}", word_alternation(list(levels)))

    return Grammar(
        titles=titles,
        symbol_types=dict(data["symbol_types"]),
        title_heading=re.compile(expand(data["title_heading"])),
        self_references={canon(k).casefold(): v for k, v in data["self_references"].items()},
        title_end=tuple(re.compile(p, CI) for p in data["title_end"]),
        title_end_later=tuple(re.compile(p, CI) for p in data["title_end_later"]),
        title_max_lines=int(data["title_max_lines"]),
        decision_subject=re.compile(data["decision_subject"], CI),
        column_gap=re.compile(data["column_gap"]),
        header_noise=tuple(re.compile(p, CI) for p in data["header_noise"]),
        place_date=re.compile(data["place_date"]),
        document_dates=tuple(re.compile(p, CI) for p in data["document_dates"]),
        year=re.compile(data["year"], CI),
        year_outlook=re.compile(data["year_outlook"], CI),
        year_span=re.compile(data["year_span"], CI),
        bodies=tuple(BodyRule(re.compile(r"^(?:" + word_alternation(b["words"]) + r")(?![\p{L}\p{N}])", CI),
                              b["canonical"], bool(b.get("locality")), b.get("level"),
                              bool(b.get("parent_place"))) for b in data["bodies"]),
        levels=levels,
        level_word=re.compile(r"^(?P<word>" + word_alternation(list(levels)) + r")(?![\p{L}\p{N}])\s*", CI),
        city_word=data["city_word"],
        city_under_province=data["city_under_province"],
        level_order=tuple(data["level_order"]),
        bare_committee=re.compile(expand(data["bare_committee"]), CI),
        title_locality=re.compile(expand(data["title_locality"]), CI),
        issuing_sentence=re.compile(expand(data["issuing_sentence"]), CI),
        signature_prefix=re.compile(data["signature_prefix"], CI),
        signer_titles=tuple(SignerTitle(canon(t["title"]), t["canonical"], t["body"])
                            for t in data["signer_titles"]),
        signer_name=re.compile(data["signer_name"]),
        signer_property=re.compile(data["signer_property"], CI),
        signer_name_caps=re.compile(data["signer_name_caps"]),
        signature_skip=re.compile(data["signature_skip"], CI),
        signature_window=int(data["signature_window"]),
    )


# --- text helpers ----------------------------------------------------------------------------

def columns(line: Line) -> list[str]:
    """The header columns a converter flattened into one line, canonical, noise removed."""
    g = grammar()
    parts = []
    for raw in g.column_gap.split(line.text):
        text = canon(raw)
        for noise in g.header_noise:
            text = canon(noise.sub(" ", text))
        if text:
            parts.append(text)
    return parts


def merge_wrapped(cols: list[str]) -> list[str]:
    """Header columns with the fields a narrow column wrapped over two lines joined again.

    A PDF or web page lays the header out in narrow cells, so a field may
    wrap: "Số:" / "27/QĐ-UBQGCĐS", "Hà" / "Nội, ngày 15 tháng 3 năm 2022",
    "Phú Thọ, ngày 13" / "tháng 02 năm 2025".  A number line that runs on into
    the place-date line ("Số: 01/KH-UBND Định Hưng, ngày 03 ...") is split.
    """
    g = grammar()
    out: list[str] = []
    i = 0
    while i < len(cols):
        col = cols[i]
        nxt = cols[i + 1] if i + 1 < len(cols) else None
        if nxt is not None and col.endswith(",") and re.match(r"ngày\b", nxt):
            cols[i + 1] = f"{col} {nxt}"  # "Thừa Thiên Huế," / "ngày 25 tháng 12 năm 2021"
            i += 1
            continue
        if nxt is not None and NUMBER_PREFIX_ONLY.fullmatch(col) and re.match(r"[\d/]", nxt):
            cols[i + 1] = f"{col} {nxt}"
            i += 1
            continue
        if nxt is not None and is_caps(col) and is_caps(nxt) and body_word_end(f"{col} {nxt}") > len(col):
            cols[i + 1] = f"{col} {nxt}"  # "ỦY" / "BAN NHÂN DÂN": a body word wrapped
            i += 1
            continue
        if (nxt is not None and SHORT_NAME.fullmatch(col) and not is_caps(col)
                and g.place_date.match(nxt)):
            cols[i + 1] = f"{col} {nxt}"
            i += 1
            continue
        match = g.place_date.match(col)
        joined = 0
        while match and document_date(match["date"]) == (None, None) and joined < 2 and i + 1 < len(cols):
            i += 1
            joined += 1
            col = f"{col} {cols[i]}"
            match = g.place_date.match(col)
        if parse_number_line(col) and ", ngày" in col:
            for gap in re.finditer(r"\s+", col):
                if gap.start() > col.find("/") > 0 and g.place_date.match(col[gap.end():]):
                    out.append(col[:gap.start()])
                    col = col[gap.end():]
                    break
        out.append(col)
        i += 1
    return out


def body_word_end(text: str) -> int:
    """Where the longest body word the text opens with ends; 0 when it opens with none."""
    return max((m.end() for rule in grammar().bodies if (m := rule.word.match(text))), default=0)


HEADER_BODY_WORDS = 8
NUMBER_PREFIX_ONLY = re.compile(r"Số\s*:?")
SHORT_NAME = re.compile(r"\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?")


def is_caps(text: str) -> bool:
    """True when the text has letters and none of them is lower case."""
    return any(ch.isalpha() for ch in text) and not any(ch.islower() for ch in text)


def place_case(text: str) -> str:
    """'AN BÌNH' -> 'An Bình': every syllable of a place name capitalised."""
    return canon(" ".join(w[:1].upper() + w[1:].lower() for w in text.split()))


def agency_case(text: str) -> str:
    """'KHOA HỌC VÀ CÔNG NGHỆ' -> 'Khoa học và Công nghệ': each part of an agency name opens with a capital."""
    parts = re.split(r"(\s+và\s+|,\s*|\s+-\s+)", text.lower())
    return "".join(p if i % 2 else p[:1].upper() + p[1:] for i, p in enumerate(parts))


def sentence_case(text: str) -> str:
    """'CHUYỂN ĐỔI SỐ NĂM 2024' -> 'Chuyển đổi số năm 2024'."""
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]


# --- issuing bodies --------------------------------------------------------------------------

@dataclass
class Body:
    """One body named in a header column (or authority line), split into its parts."""

    rule: BodyRule
    rest: str  # the words after the body word, canonical

    @property
    def locality(self) -> tuple[str | None, str | None]:
        """(level word, place name) of a People's Committee: ('phường', 'An Bình'); (None, None) otherwise."""
        match = grammar().level_word.match(self.rest) if self.rule.locality else None
        if not match:
            return None, None
        name = self.rest[match.end():]
        return match["word"].casefold(), (place_case(name) if is_caps(name) else name) or None

    @property
    def place(self) -> str | None:
        return self.locality[1]

    def level(self, parent: Body | None) -> str | None:
        """The body's level (see `levels` and `bodies` in the rule file)."""
        g = grammar()
        if self.rule.level:
            return self.rule.level
        if self.rule.locality:
            word = self.locality[0]
            if word is None:
                return None
            under_province = parent is not None and parent.level(None) == "province"
            return g.city_under_province if word == g.city_word and under_province else g.levels[word]
        parent_level = parent.level(None) if parent else None
        if parent is None and is_caps(self.rest) and ORGANS.search(self.rest):
            # "VĂN PHÒNG HĐND VÀ UBND PHƯỜNG X" serves the ward's committee
            words = [g.levels[w.casefold()] for w in re.findall(
                r"(?<!\p{L})(?:" + word_alternation(list(g.levels)) + r")(?!\p{L})", self.rest, CI)]
            parent_level = words[-1] if words else None
        return "department" if parent_level in (None, "province") else parent_level

    def name(self, parent: Body | None) -> str | None:
        """The canonical issuer name: 'UBND phường An Bình', 'Ban Quản lý Khu kinh tế X', 'Sở Nội vụ'."""
        if self.rule.locality:
            word, place = self.locality
            return f"{self.rule.canonical} {word} {place}" if place else None
        inner = body_of(self.rest) if self.rest else None
        if inner is not None and inner.rule.locality and inner.name(None):
            return f"{self.rule.canonical} {inner.name(None)}"  # "VĂN PHÒNG UBND TỈNH X"
        if is_caps(self.rest) and ORGANS.search(self.rest):
            return organ_office(self.rule.canonical, self.rest)  # "VĂN PHÒNG HĐND VÀ UBND / PHƯỜNG X"
        if not self.rest and parent is not None and parent.rule.locality and parent.name(None):
            return f"{self.rule.canonical} {parent.name(None)}"  # "UBND TỈNH X" / "VĂN PHÒNG"
        rest = agency_case(self.rest) if is_caps(self.rest) else self.rest
        place = parent.place if parent else None
        if self.rule.parent_place and place:
            if rest.casefold().endswith(place.casefold()):
                rest = rest[: len(rest) - len(place)].rstrip()
            rest = f"{rest} {place}".strip()
        return f"{self.rule.canonical} {rest}".strip()


ORGANS = re.compile(r"(?<!\p{L})(?:HĐND|UBND)(?!\p{L})")


def organ_office(canonical: str, rest: str) -> str:
    """'Văn phòng' + 'HĐND VÀ UBND PHƯỜNG AN HẢI' -> 'Văn phòng HĐND và UBND phường An Hải'."""
    match = re.search(r"(?<!\p{L})(" + word_alternation(list(grammar().levels)) + r")(?!\p{L})\s*(.*)$", rest, CI)
    head, level, place = (rest[:match.start()], match.group(1), match.group(2)) if match else (rest, "", "")
    words = [w if ORGANS.fullmatch(w) else w.lower() for w in head.split()]
    name = " ".join(filter(None, [canonical, *words, level.lower(), place_case(place) if place else ""]))
    return canonical_unit(name).name


def body_of(text: str) -> Body | None:
    """The body a text opens with ('ỦY BAN NHÂN DÂN PHƯỜNG X'), else None."""
    for rule in grammar().bodies:
        match = rule.word.match(text)
        if match:
            return Body(rule, text[match.end():].strip())
    return None


def header_bodies(header: list[Line]) -> list[Body]:
    """The bodies the header names, parent first; a column without a body word continues the one above."""
    bodies: list[Body] = []
    for column in merge_wrapped([c for line in header for c in columns(line)]):
        if parse_number_line(column) or grammar().place_date.match(column):
            continue
        body = body_of(column)
        if body and (is_caps(column) or len(column.split()) <= HEADER_BODY_WORDS):
            bodies.append(body)  # a header names its body in a few words, not in a sentence
        elif bodies and is_caps(column):
            bodies[-1].rest = f"{bodies[-1].rest} {column}".strip()
    return bodies


def authority_body(lines: list[Line]) -> Body | None:
    """The body named in a decision's authority line ('CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ X')."""
    for line in lines:
        text = canon(line.text)
        for title in grammar().signer_titles:
            if is_caps(text) and text.startswith(title.title + " "):
                body = body_of(text[len(title.title):].strip())
                if body:
                    return body
    for line in lines:  # a decision of the committee as a whole: "ỦY BAN NHÂN DÂN XÃ AN PHÚ"
        text = canon(line.text)
        body = body_of(text) if is_caps(text) else None
        if body and body.rule.locality and body.place:
            return body
    return None


# --- document layout -------------------------------------------------------------------------

def title_headings(lines: list[Line]) -> list[tuple[int, str, str]]:
    """(index, doc type, words after the title word) of every title heading, in order."""
    g = grammar()
    found = []
    for i, line in enumerate(lines):
        match = g.title_heading.match(canon(line.text))
        if match:
            found.append((i, g.titles[squeeze(match["word"])], match["rest"] or ""))
    return found


def front_lines(lines: list[Line]) -> list[Line]:
    """The lines before the body starts (header, title and preamble), as `references` delimits them."""
    flags = preamble_flags(JoinedText.of(lines))
    end = flags.index(False) if False in flags else len(lines)
    return lines[:end]


def title_block(lines: list[Line], heading: int, rest: str) -> str:
    """The subject of a title: the words after the title word, up to the preamble, as one line."""
    g = grammar()
    parts = [rest] if rest else []
    for line in lines[heading + 1: heading + 1 + g.title_max_lines]:
        text = canon_line(line.text)
        ends = g.title_end + (g.title_end_later if parts else ())
        if any(p.search(text) for p in ends):
            break
        if parts and is_caps(" ".join(parts)) and text and not is_caps(text):
            break  # a title in capitals ends where sentence case begins
        parts.append(text)
    return canon(" ".join(parts))


def plan_title(lines: list[Line], headings: list[tuple[int, str, str]]) -> str | None:
    """The plan's title: the subject of its 'KẾ HOẠCH' heading, or of the decision that issues it.

    A decision's subject ('Ban hành Kế hoạch kiểm soát ...') gives the plan
    heading its casing when that heading is in capitals, and the plan's title
    when the decision carries no plan heading.
    """
    if not headings:
        return None
    first, doc_type, rest = headings[0]
    subject = title_block(lines, first, rest)
    if doc_type != "quyet_dinh":
        return (sentence_case(subject) if is_caps(subject) else subject) or None
    stated = grammar().decision_subject.sub("", subject, count=1)
    plan = next(((i, r) for i, t, r in headings[1:] if t != "quyet_dinh"), None)
    title = title_block(lines, *plan) if plan else stated
    if is_caps(title):
        at = stated.casefold().find(title.casefold())
        title = stated[at: at + len(title)] if at >= 0 else title.lower()
        if is_caps(title):  # the decision's subject is in capitals too
            title = title.lower()
    return (title[:1].upper() + title[1:]) or None


def symbol_type(lines: list[Line]) -> str | None:
    """The type the document's own number states ('Số: 522/KH-UBND' -> ke_hoach), else None."""
    g = grammar()
    front = merge_wrapped([c for line in front_lines(lines) for c in columns(line)])
    parsed = next(filter(None, map(parse_number_line, front)), None)
    if not parsed:
        return None
    code = re.split(r"[-/]", parsed[1])[0]
    return g.symbol_types.get(code)


def doc_type_of(lines: list[Line], headings: list[tuple[int, str, str]]) -> str | None:
    """The document's own type: its first title heading, else the type code of its own
    number ('KH-UBND'), else the type it names itself by most."""
    if headings:
        return headings[0][1]
    stated = symbol_type(lines)
    if stated:
        return stated
    text = canon(" ".join(line.text for line in lines)).casefold()
    counts = Counter({kind: text.count(phrase) for phrase, kind in grammar().self_references.items()})
    kind, n = counts.most_common(1)[0] if counts else (None, 0)
    return kind if n else None


def place_and_date(front_columns: list[str]) -> tuple[str | None, dt.date | None, int | None]:
    """(place, issued date, year) from the place-date line; a blank day or month gives no date."""
    for column in front_columns:
        match = grammar().place_date.match(column)
        if match:
            return (match["place"], *document_date(match["date"]))
    return None, None, None


def document_date(text: str) -> tuple[dt.date | None, int | None]:
    """(date, year) of the text after 'ngày'."""
    for pattern in grammar().document_dates:
        match = pattern.match(text)
        if match:
            year = int(match["year"])
            if not (match["day"] and match["month"]):
                return None, year
            try:
                return dt.date(year, int(match["month"]), int(match["day"])), year
            except ValueError:
                return None, year
    return None, None


def year_of(lines: list[Line], date_year: int | None, title: str | None) -> int | None:
    """The plan's year: the year its title names, else the date line's, else the one the text names most.

    The title comes first because a plan for next year is often signed in
    December ('Kế hoạch ... năm 2025' dated 'ngày 20 tháng 12 năm 2024').
    """
    g = grammar()
    title = g.year_outlook.sub(" ", title or "")
    span = g.year_span.search(title)
    if span:
        return int(span["year"])
    in_title = g.year.findall(title)
    if in_title:
        return int(in_title[-1])
    if date_year:
        return date_year
    counts = Counter(int(y) for y in g.year.findall(canon(" ".join(line.text for line in lines))))
    return counts.most_common(1)[0][0] if counts else None


# --- signature -------------------------------------------------------------------------------

@dataclass
class Signature:
    """The signature block: positions (last is the signer's), the body signed for, the name."""

    titles: list[SignerTitle]
    body: Body | None
    name: str | None


def signer_title_of(column: str) -> SignerTitle | Body | None:
    """A signature-block column: a position ('KT. CHỦ TỊCH') or, after TM., a body."""
    g = grammar()
    if not is_caps(column):
        return None
    prefix = g.signature_prefix.match(column)
    rest = canon(column[prefix.end():] if prefix else column)
    title = next((t for t in g.signer_titles if rest == t.title), None)
    if title:
        return title
    return body_of(rest) if prefix else None


def signature(lines: list[Line]) -> Signature | None:
    """The first signature block of the document, or None."""
    g = grammar()
    cols = [c for line in lines for c in columns(line)]
    for start, column in enumerate(cols):
        if not isinstance(signer_title_of(column), SignerTitle | Body):
            continue
        sig = Signature([], None, None)
        for col in cols[start: start + g.signature_window]:
            part = signer_title_of(col)
            if isinstance(part, SignerTitle):
                sig.titles.append(part)
            elif isinstance(part, Body):
                sig.body = part
            elif g.signer_name.match(col) or (sig.titles and g.signer_name_caps.match(col)):
                sig.name = col if not is_caps(col) else place_case(col)
                break
            elif not g.signature_skip.match(col):
                break
        if sig.titles:
            return sig
    return None


def signer_property(lines: list[Line]) -> str | None:
    """The signer a web portal's property table names ("| Người ký | Nguyễn Văn A |"), when
    the copy has lost its signature block."""
    for line in lines:
        match = grammar().signer_property.match(canon(line.text))
        if match and grammar().signer_name.match(match["name"].strip()):
            return match["name"].strip()
    return None


# --- issuer ----------------------------------------------------------------------------------

def committee_rule() -> BodyRule:
    """The People's Committee: the body named by a level word and a place."""
    return next(rule for rule in grammar().bodies if rule.locality)


def issuer_from_title(title: str | None, sig: Signature | None) -> Body | None:
    """A People's Committee named by the title's locality ('trên địa bàn phường X'), when one signed."""
    committee = committee_rule()
    signed_by_committee = sig is not None and (
        (sig.body is not None and sig.body.rule is committee)
        or any(t.body == committee.canonical for t in sig.titles))
    match = grammar().title_locality.search(title or "")
    if not (match and signed_by_committee):
        return None
    return Body(committee, f"{match['level'].casefold()} {match['name']}")


def level_word_from_text(lines: list[Line]) -> str | None:
    """The level word of the lowest People's Committee the text names bare ('phường', 'tỉnh')."""
    g = grammar()
    text = canon(" ".join(line.text for line in lines))
    words = [squeeze(m["level"]).casefold() for m in g.bare_committee.finditer(text)]
    return max(words, key=lambda w: g.level_order.index(g.levels[w])) if words else None


def level_from_text(lines: list[Line]) -> str | None:
    """The lowest level whose People's Committee the text names bare ('Ủy ban nhân dân phường')."""
    word = level_word_from_text(lines)
    return grammar().levels[word] if word else None


def committee_named_by_place(lines: list[Line], top: list[Line], place: str | None) -> Body | None:
    """A header that names its People's Committee without the place ('ỦY BAN NHÂN DÂN' alone,
    as web copies of two-column headers often leave it): the committee the text calls by its
    bare level word ('Ủy ban nhân dân tỉnh ban hành ...'), of the place on the date line."""
    bodies = header_bodies(top)
    if not (bodies and bodies[-1].rule.locality and bodies[-1].locality == (None, None)
            and not bodies[-1].rest):
        return None
    text = canon(" ".join(line.text for line in lines))
    named = grammar().issuing_sentence.search(text)
    if named:  # "Ủy ban nhân dân tỉnh Thanh Hóa ban hành Kế hoạch ..."
        return Body(committee_rule(), f"{named['level'].casefold()} {named['name']}")
    word = level_word_from_text(lines)
    return Body(committee_rule(), f"{word} {place}") if word and place else None


def issuer_of(lines: list[Line], top: list[Line], front: list[Line], title: str | None,
              sig: Signature | None, place: str | None = None) -> tuple[str | None, str | None]:
    """(issuer, issuer_level): the first source that names it, else the level the text implies.

    Sources in order: the header above the title (`top`), the decision's
    authority line (in `front`, everything before the body), the title's
    locality, a bare committee in the header named after the date line's place.
    """
    sources = (header_bodies(top), [authority_body(front)], [issuer_from_title(title, sig)],
               [committee_named_by_place(lines, top, place)])
    for bodies in ([b for b in source if b] for source in sources):
        if bodies:
            body, parent = bodies[-1], (bodies[-2] if len(bodies) > 1 else None)
            name = body.name(parent)
            if name:
                return name, body.level(parent)
    return None, level_from_text(lines)


def issuer_place(issuer: str | None) -> str | None:
    """'UBND tỉnh Lạng Sơn' -> 'Lạng Sơn': the place a People's Committee is named after."""
    if not issuer:
        return None
    body = body_of(issuer)
    return body.place if body and body.rule.locality else None


def proper_names(title: str, names: list[str | None]) -> str:
    """The title with the known place names capitalised again where sentence case lowered them."""
    for name in filter(None, names):
        if not name[:1].isupper():
            continue
        title = re.sub(r"(?<![\p{L}\p{N}])" + re.escape(name.lower()) + r"(?![\p{L}\p{N}])", name, title)
    return title


# --- the whole record ------------------------------------------------------------------------

def extract_metadata(lines: list[Line]) -> dict[str, Any]:
    """The SPEC `documents` fields this text states about itself (see the module docstring)."""
    front = front_lines(lines)
    headings = title_headings(lines)
    top = front[: headings[0][0]] if headings else front
    front_columns = merge_wrapped([c for line in front for c in columns(line)])
    number, symbol = next(filter(None, map(parse_number_line, front_columns)), (None, None))
    place, issued, date_year = place_and_date(front_columns)
    title = plan_title(lines, headings)
    sig = signature(lines)
    issuer, level = issuer_of(lines, top, front, title, sig, place)
    title = proper_names(title, [place, issuer_place(issuer)]) if title else title
    refs = extract_references(lines, own_number=number, own_symbol=symbol)
    return {
        "doc_type": doc_type_of(lines, headings),
        "number": number,
        "symbol": symbol,
        "issuer": issuer,
        "issuer_level": level,
        "place": place,
        "issued_date": issued,
        "year": year_of(lines, date_year, title),
        "title": title,
        "signer": sig.name if sig else signer_property(lines),
        "signer_title": sig.titles[-1].canonical if sig and sig.titles else None,
        "implements": [r["number"] for r in refs if r["relation"] == "implements"],
    }


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """(case id, expected, actual) for every example of `rules/metadata.yaml`: the fields it lists."""
    for example in load(RULES)["examples"]:
        meta = extract_metadata(lines_of(example["text"]))
        expected = example["expected"]
        yield f"metadata: {example['id']}", expected, {key: meta[key] for key in expected}
