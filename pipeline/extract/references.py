"""Cited documents: every "Nghị định số 63/2010/NĐ-CP ngày 08/6/2010" a plan names.

A number (số ký hiệu) is recognised by its shape, not by the word before it,
because plans list numbers without a type word ("các Nghị định: số 63/...,
số 48/...") or without "số" ("Nghị định 118/2025/NĐ-CP").  The word before
the number, else the symbol's type code, gives `ref_type`; the opening words of
the paragraph ("Căn cứ", "Thực hiện" in a preamble) give `relation`.

Converters wrap lines mid-sentence and split numbers ("123/QĐ- UBND",
"123/QĐ-" + "UBND"), so matching runs on the document joined into one text
(`JoinedText`) rather than line by line.  The patterns and word lists live in
`rules/references.yaml`.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex as re

from ..model import Line
from ..rules import load
from ..textnorm import canon, squeeze

RULES = "references"
LOOKBACK = 40  # characters before a number searched for its type word


@dataclass(frozen=True)
class RelationRule:
    """A paragraph opener and the relation it gives the numbers in the paragraph."""

    opener: re.Pattern
    relation: str
    preamble_only: bool


@dataclass(frozen=True)
class Grammar:
    """`rules/references.yaml`, compiled."""

    number: re.Pattern
    number_line_prefix: re.Pattern
    number_line_blank: re.Pattern
    date_after_number: re.Pattern
    dates: tuple[re.Pattern, ...]
    type_word: re.Pattern
    not_references: tuple[re.Pattern, ...]
    type_words: dict[str, str]
    symbol_codes: dict[str, str]
    untyped_symbol: str
    relations: tuple[RelationRule, ...]
    default_relation: str
    paragraph_start: re.Pattern
    list_label: re.Pattern
    sentence_break: re.Pattern
    attachment_note: re.Pattern
    preamble_start: re.Pattern
    preamble_end: re.Pattern
    header_row: re.Pattern
    section_heading: re.Pattern
    section_basis: re.Pattern


def word_alternation(words: list[str]) -> str:
    """Longest-first alternation of literal words; a space matches any white space (line ends too)."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in ordered)


@functools.cache
def grammar() -> Grammar:
    """Compile the rule file once per process."""
    data = load(RULES)
    ci = re.IGNORECASE
    type_words = {canon(word).casefold(): kind for word, kind in data["type_words"].items()}
    return Grammar(
        number=re.compile(data["number"]),
        number_line_prefix=re.compile(data["number_line"]["prefix"]),
        number_line_blank=re.compile(data["number_line"]["blank"]),
        date_after_number=re.compile(data["date_after_number"], ci),
        dates=tuple(re.compile(p, ci) for p in data["dates"]),
        type_word=re.compile(r"(?<!\p{L})(?P<word>" + word_alternation(list(type_words)) + ")"
                             + data["type_word_tail"], ci),
        not_references=tuple(re.compile(p, ci) for p in data["not_references"]),
        type_words=type_words,
        symbol_codes=dict(data["symbol_codes"]),
        untyped_symbol=data["untyped_symbol"],
        relations=tuple(RelationRule(re.compile(word_alternation([r["opener"]]) + r"\b", ci), r["relation"],
                                     bool(r["preamble_only"])) for r in data["relations"]),
        default_relation=data["default_relation"],
        paragraph_start=re.compile("^(?:" + "|".join(data["paragraph_start"]) + ")", ci),
        list_label=re.compile(data["list_label"], ci),
        sentence_break=re.compile(data["sentence_break"]),
        attachment_note=re.compile(data["attachment_note"], ci),
        preamble_start=re.compile(data["preamble"]["start"]),
        preamble_end=re.compile(data["preamble"]["end"]),
        header_row=re.compile(data["preamble"]["header_row"]),
        section_heading=re.compile(data["basis_section"]["heading"]),
        section_basis=re.compile(data["basis_section"]["opens"], re.IGNORECASE),
    )


# --- the document as one text ----------------------------------------------------------------

def canon_line(text: str) -> str:
    """`canon` cell by cell, so the tabs that separate table cells survive."""
    return "\t".join(canon(cell) for cell in text.split("\t"))


@dataclass
class JoinedText:
    """The document's canonical lines joined by newlines, with a map back to each line."""

    lines: list[Line]
    text: str
    starts: list[int]  # offset of each line in `text`

    @classmethod
    def of(cls, lines: list[Line]) -> JoinedText:
        texts = [canon_line(line.text) for line in lines]
        starts, offset = [], 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        return cls(lines, "\n".join(texts), starts)

    def index_at(self, offset: int) -> int:
        """Index of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1

    def line_text(self, index: int) -> str:
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index]:end]


# --- numbers and dates -----------------------------------------------------------------------

def normalise_number(raw: str) -> str:
    """A number as the tables store it: white space removed ('123/QĐ- UBND' -> '123/QĐ-UBND')."""
    return re.sub(r"(?<=\p{L})\.(?=\p{Lu})", "-", re.sub(r"\s+", "", raw))


def symbol_of(match: re.Match) -> str:
    """The symbol (the part after the digits and year) of a `number` match, normalised."""
    return normalise_number(match.group("symbol") or match.group("party_symbol"))


def parse_date(text: str) -> dt.date | None:
    """The date at the start of `text` ('24/01/2025', '08 tháng 6 năm 2010'); None if none or invalid."""
    for pattern in grammar().dates:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                return None
    return None


def date_after(text: str) -> dt.date | None:
    """The issue date written right after a number: ', ngày 15/4/2025 ...'."""
    match = grammar().date_after_number.match(text)
    return parse_date(text[match.end():]) if match else None


def parse_number_line(text: str) -> tuple[str | None, str] | None:
    """The header's 'Số: 45/QĐ-UBND' as (number, symbol); number None when left blank; None if no such line."""
    g = grammar()
    prefix = g.number_line_prefix.match(text)
    if not prefix:
        return None
    rest = text[prefix.end():]
    match = g.number.match(rest)
    if match:
        return normalise_number(match.group()), symbol_of(match)
    blank = g.number_line_blank.match(rest)
    return (None, normalise_number(blank["symbol"])) if blank else None


def ref_type_of(before: str, symbol: str) -> str:
    """The kind of document: from the word written before the number, else from the symbol's type code."""
    g = grammar()
    word = g.type_word.search(squeeze(before))
    if word:
        return g.type_words[squeeze(word["word"]).casefold()]
    code = re.sub(r"\d+$", "", re.split(r"[-/]", symbol)[0])
    return g.symbol_codes.get(code, g.untyped_symbol)


# --- paragraphs, sentences, preambles --------------------------------------------------------

def paragraph_starts(joined: JoinedText) -> list[int]:
    """Indexes of the lines that open a paragraph (or a title); other lines continue the one above."""
    g = grammar()
    return [i for i in range(len(joined.lines))
            if i == 0 or g.paragraph_start.match(joined.line_text(i))
            or g.preamble_start.match(joined.line_text(i))]


def preamble_flags(joined: JoinedText) -> list[bool]:
    """For each line, whether it lies in a preamble (see the rule file)."""
    g = grammar()
    flags, inside, titled = [], True, False
    for i in range(len(joined.lines)):
        line = joined.line_text(i)
        text = line.strip()
        if g.preamble_start.match(text):
            inside = titled = True
        elif not titled and inside and "\t" in line and g.header_row.search(line):
            pass  # a header laid out in two columns, before the title
        elif g.preamble_end.search(line):
            inside = False
        flags.append(inside)
    return flags


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` (one paragraph) that holds the span start..end."""
    g = grammar()
    left = max((m.end() for m in g.sentence_break.finditer(text, 0, start)), default=0)
    right = g.sentence_break.search(text, end)
    return squeeze(text[left:right.start() if right else len(text)])


def opener_relation(opening: str, in_preamble: bool) -> str | None:
    """The relation the words a clause opens with give it, or None when they give none."""
    for rule in grammar().relations:
        if rule.opener.match(opening) and (in_preamble or not rule.preamble_only):
            return rule.relation
    return None


def relation_of(paragraph: str, in_preamble: bool) -> str:
    """The relation a paragraph's opening words (after any list label) give its numbers."""
    g = grammar()
    opening = g.list_label.sub("", paragraph.lstrip(), count=1)
    return opener_relation(opening, in_preamble) or g.default_relation


def relation_at(paragraph: str, at: int, in_preamble: bool, default: str) -> str:
    """The relation of a number at `at`: the last clause before it that opens with its own words, else `default`."""
    relation = default
    for brk in grammar().sentence_break.finditer(paragraph, 0, at):
        own = opener_relation(paragraph[brk.end():at].lstrip(), in_preamble)
        if own:
            relation = own
    return relation


STRENGTH = {"basis": 2, "implements": 2}


# --- extraction ------------------------------------------------------------------------------

@dataclass
class Mention:
    """One occurrence of a number in the text."""

    number: str
    symbol: str
    start: int
    end: int


def mentions(text: str) -> Iterator[Mention]:
    """Every document number in `text`: number-shaped tokens not named as a form or programme."""
    g = grammar()
    for match in g.number.finditer(text):
        before = squeeze(text[max(0, match.start() - LOOKBACK):match.start()]) + " "
        if not any(p.search(before) for p in g.not_references):
            yield Mention(normalise_number(match.group()), symbol_of(match), match.start(), match.end())


def own_numbers(joined: JoinedText, preamble: list[bool], own_number: str | None,
                own_symbol: str | None) -> set[str]:
    """The document's own number: the caller's (from its metadata), else the first 'Số:' in a preamble.

    A caller that passes only `own_symbol` has read a blank number ('Số: /KH-BQL'): nothing to exclude.
    """
    if own_number or own_symbol:
        return {normalise_number(own_number)} if own_number else set()
    for i in (i for i, inside in enumerate(preamble) if inside):
        text = joined.line_text(i)
        for at in re.finditer(r"(?<!\p{L})Số(?!\p{L})", text):
            parsed = parse_number_line(text[at.start():])
            if parsed:
                return {parsed[0]} if parsed[0] else set()
    return set()


def extract_references(lines: list[Line], own_number: str | None = None,
                       own_symbol: str | None = None) -> list[dict]:
    """One dict per cited document, in order of first appearance, deduplicated by number.

    Keys: number, ref_type, issued_date, relation, context, line, page.
    `own_number` / `own_symbol` are the document's own (from its metadata);
    when both are None the 'Số:' line is read here.  The own number and every
    number in an attachment note ('Kèm theo Quyết định số ...') are left out.
    """
    g = grammar()
    joined = JoinedText.of(lines)
    preamble = preamble_flags(joined)
    own = {n.casefold() for n in own_numbers(joined, preamble, own_number, own_symbol)}
    starts = paragraph_starts(joined)
    found: dict[str, dict[str, Any]] = {}
    section_relation: str | None = None  # "I. CĂN CỨ PHÁP LÝ": the section lists the plan's bases
    for p, first in enumerate(starts):
        begin = joined.starts[first]
        end = joined.starts[starts[p + 1]] - 1 if p + 1 < len(starts) else len(joined.text)
        paragraph = joined.text[begin:end]
        heading = g.section_heading.match(paragraph.lstrip())
        if heading:
            section_relation = g.section_basis.match(heading["rest"]) and "basis"
        if g.attachment_note.match(paragraph.lstrip()):
            continue
        relation = relation_of(paragraph, preamble[first])
        if relation == g.default_relation and section_relation:
            relation = section_relation
        for mention in mentions(paragraph):
            key = mention.number.casefold()
            if key in own:
                continue
            issued = date_after(paragraph[mention.end:])
            here = relation_at(paragraph, mention.start, preamble[first], relation)
            if key in found:
                found[key]["issued_date"] = found[key]["issued_date"] or issued
                if STRENGTH.get(here, 0) > STRENGTH.get(found[key]["relation"], 0):
                    found[key]["relation"] = here
                continue
            line = joined.lines[joined.index_at(begin + mention.start)]
            found[key] = {
                "number": mention.number,
                "ref_type": ref_type_of(paragraph[max(0, mention.start - LOOKBACK):mention.start], mention.symbol),
                "issued_date": issued,
                "relation": here,
                "context": sentence_around(paragraph, mention.start, mention.end),
                "line": line.lineno,
                "page": line.page,
            }
    return list(found.values())


# --- rule-file examples ----------------------------------------------------------------------

def lines_of(text: str) -> list[Line]:
    """Example text as the reader would give it: one `Line` per text line, page 1."""
    return [Line(text=t, page=1, lineno=n) for n, t in enumerate(text.split("\n"), start=1)]


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """(case id, expected, actual) for every example of `rules/references.yaml`."""
    for example in load(RULES)["examples"]:
        refs = extract_references(lines_of(example["text"]))
        keys = ("number", "ref_type", "issued_date", "relation")
        actual = [{k: ref[k] for k in keys} for ref in refs]
        expected = [{k: item.get(k) for k in keys} for item in example["expected"]]
        yield f"references: {example['id']}", expected, actual
