"""Deadlines: Vietnamese time phrases -> `Deadline` (SPEC "Deadlines").

As in Duckling, the language lives in data: `rules/deadlines.yaml` lists one rule per
phrasing (a regex over folded text, the kind it gives, where it may stand in running
text) with the phrases it must parse.  This module only compiles the rules, picks the
winning match and builds the dates, so a new province's wording is a rule edit, not a
code edit.

Two doors, because plans state deadlines two ways:

* `parse_deadline` reads a time field ("Thời gian hoàn thành: ...") or a table's time
  cell, where the whole string is a time phrase and the first thing it names wins;
* `find_deadline` looks for a deadline inside a task's running text, where most
  dates, years and frequency words are *not* deadlines, so only rules marked
  `in_text` apply, each only where its placement allows.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import regex

from .. import rules as rule_files
from ..model import Deadline
from ..textnorm import fold, nfc, squeeze, strip_markup

RULE_FILE = "deadlines"
_VOCAB_REF = regex.compile(r"\{([a-z_][a-z0-9_]*)\}")
_TRAILING = regex.compile(r"[\s.,;:/]+$")
_FIELDS = ("kind", "period_start", "due_date", "recurrence")
# The named groups a pattern may use for a period's numbers; a span's start ends in 1.
_DATE_PARTS = ("day", "month", "month1", "quarter", "quarter1", "year", "year1")


@dataclass(frozen=True)
class Rule:
    """One phrasing of a deadline, compiled from the rule file."""

    name: str
    kind: str
    pattern: regex.Pattern[str]
    in_text: regex.Pattern[str] | None  # must fullmatch the text before a match
    borrows_year: bool  # may the plan's year fill a year the phrase leaves out
    fixed: dict[str, int] = field(default_factory=dict)  # period numbers the words imply


@dataclass(frozen=True)
class _Hit:
    """A rule's match in the folded text."""

    rule: Rule
    match: regex.Match[str]
    order: int

    @property
    def rank(self) -> tuple[int, int, int]:
        """Sort key of the winner: the phrase that starts first, then the longest, then rule order."""
        return (self.match.start(), self.match.start() - self.match.end(), self.order)


def parse_deadline(raw: str, plan_year: int | None = None) -> Deadline | None:
    """Parse a time field or time cell; the first time phrase it names decides.

    `raw` of the result is the input without markup, with white space collapsed and
    no trailing period.  `plan_year` fills a year the phrase leaves out, but only for
    rules that allow it (a quarter, month or day, never "Thường xuyên").
    """
    found = _match(raw, plan_year, in_text=False)
    return found[1] if found else None


def find_deadline(text: str, plan_year: int | None = None) -> Deadline | None:
    """Find the first explicit scheduling phrase in a task's running text.

    Conservative by design: a false deadline costs as much as a missed one, so only
    `in_text` rules apply and each must stand where its placement allows.  `raw` of
    the result is the phrase found, as written.
    """
    found = _match(text, plan_year, in_text=True)
    return found[1] if found else None


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """Yield `(case_id, expected, actual)` for every example in the rule file.

    A rule's example must be won by that rule and give the stated fields, through
    `find_deadline` when marked `in_text`, else through `parse_deadline`; the file's
    top-level examples are running texts in which `find_deadline` finds nothing.
    """
    data = rule_files.load(RULE_FILE)
    for spec in data["rules"]:
        for i, example in enumerate(spec.get("examples", [])):
            found = _match(example["text"], example.get("plan_year"), in_text=bool(example.get("in_text")))
            rule, deadline = found or (None, None)
            expected = {"rule": spec["name"], **_fields(example, example)}
            actual = {"rule": rule, **(_fields(vars(deadline), example) if deadline else {})}
            yield f"{spec['name']}#{i}", expected, actual
    for i, example in enumerate(data.get("examples", [])):
        yield f"no deadline#{i}", None, find_deadline(example["text"])


def _fields(values: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """The deadline fields an example checks: kind, dates, recurrence, and raw when it gives one."""
    names = _FIELDS + (("raw",) if "raw" in example else ())
    return {name: values.get(name) for name in names}


def _match(text: str, plan_year: int | None, *, in_text: bool) -> tuple[str, Deadline] | None:
    """The winning rule's name and its deadline, or None.

    For a field the raw is the whole cleaned input; in running text it is the
    matched words as written (folding keeps the length of Vietnamese text, so
    offsets in the folded key point into the clean text; should some exotic
    character change the length, the key is the only safe source of the words).
    """
    clean = _clean(text)
    key = fold(clean)
    hit = _first_hit(key, in_text=in_text)
    if hit is None:
        return None
    raw = clean
    if in_text:
        source = clean if len(key) == len(clean) else key
        raw = _TRAILING.sub("", source[hit.match.start():hit.match.end()])
    deadline = _build(hit, raw, plan_year)
    return (hit.rule.name, deadline) if deadline else None


def _clean(text: str) -> str:
    """The text as written (NFC), without markup, single-spaced, no trailing period."""
    return _TRAILING.sub("", squeeze(strip_markup(nfc(text))))


def _first_hit(key: str, *, in_text: bool) -> _Hit | None:
    """The winning rule match in the folded text (see `_Hit.rank`)."""
    hits = [
        _Hit(rule, match, order)
        for order, rule in enumerate(_rules())
        if not in_text or rule.in_text is not None
        for match in rule.pattern.finditer(key, overlapped=True)
        if not in_text or rule.in_text.fullmatch(key[: match.start()])
    ]
    return min(hits, key=lambda hit: hit.rank, default=None)


def _build(hit: _Hit, raw: str, plan_year: int | None) -> Deadline | None:
    """Turn a hit into a `Deadline`; None when its numbers name no real day."""
    parts = {**hit.rule.fixed, **_numbers(hit.match)}
    if "year" not in parts and hit.rule.borrows_year and plan_year is not None:
        parts["year"] = plan_year
    try:
        start, due = _period(hit.rule.kind, parts)
    except ValueError:
        return None
    return Deadline(raw=raw, kind=hit.rule.kind, period_start=start, due_date=due,
                    recurrence=_recurrence(hit.match) if hit.rule.kind == "periodic" else None)


def _numbers(match: regex.Match[str]) -> dict[str, int]:
    """The match's period numbers as integers (Roman numerals for quarters)."""
    numerals = rule_files.load(RULE_FILE)["numerals"]
    groups = match.groupdict()
    return {
        name: int(value) if value.isdigit() else numerals[value.lower()]
        for name in _DATE_PARTS
        if (value := groups.get(name)) is not None
    }


def _recurrence(match: regex.Match[str]) -> str | None:
    """The recurrence of the first period a periodic phrase names (null when it names none)."""
    period = match.groupdict().get("freq")
    return rule_files.load(RULE_FILE)["frequencies"].get(squeeze(period)) if period else None


def _period(kind: str, parts: dict[str, int]) -> tuple[dt.date | None, dt.date | None]:
    """(period_start, due_date) for a kind from its day/month/quarter/year numbers.

    A span's start parts (`month1`, `quarter1`, `year1`) default to its end parts; a
    start that would fall after the end belongs to the year before.
    """
    year = parts.get("year")
    if year is None:
        return None, None
    if kind == "date":
        return None, dt.date(year, parts["month"], parts["day"])
    if kind == "continuous":
        return None, dt.date(year, 12, 31)
    first, last = _months(kind, parts)
    if first is None or last is None:
        return None, None
    start_year = parts.get("year1", year)
    if "year1" not in parts and first > last:
        start_year -= 1
    last_day = calendar.monthrange(year, last)[1]
    return dt.date(start_year, first, 1), dt.date(year, last, last_day)


def _months(kind: str, parts: dict[str, int]) -> tuple[int | None, int | None]:
    """First and last month of a month, quarter or year period (None for other kinds)."""
    if kind == "month":
        return parts.get("month1", parts["month"]), parts["month"]
    if kind == "quarter":
        return 3 * parts.get("quarter1", parts["quarter"]) - 2, 3 * parts["quarter"]
    if kind == "year":
        return 1, 12
    return None, None


@functools.lru_cache(maxsize=None)
def _rules() -> tuple[Rule, ...]:
    """The rule file compiled once: vocab expanded, patterns bounded at word edges."""
    data = rule_files.load(RULE_FILE)
    vocab = data["vocab"]
    placements = {
        name: regex.compile("|".join(f"(?:{_expand(alt, vocab)})" for alt in alternatives), regex.DOTALL)
        for name, alternatives in data["placements"].items()
    }
    return tuple(
        Rule(
            name=spec["name"],
            kind=spec["kind"],
            pattern=regex.compile(
                r"(?<![\p{L}\p{N}])(?:" + _expand(spec["pattern"], vocab) + r")(?![\p{L}\p{N}])",
                regex.IGNORECASE,
            ),
            in_text=placements[spec["in_text"]] if "in_text" in spec else None,
            borrows_year=spec.get("missing_year") == "plan",
            fixed=dict(spec.get("fixed", {})),
        )
        for spec in data["rules"]
    )


def _expand(pattern: str, vocab: dict[str, str]) -> str:
    """Replace `{name}` with its vocab entry, recursively (`{1,3}` quantifiers stay)."""
    return _VOCAB_REF.sub(lambda ref: _expand(vocab[ref.group(1)], vocab), pattern)
