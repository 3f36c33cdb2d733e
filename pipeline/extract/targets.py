"""Percentage targets (SPEC "Targets"): one `TargetHit` per percentage.

Plans state targets in prose ("giảm ít nhất 30% thời gian giải quyết ..., 30%
chi phí tuân thủ ...") and in appendix tables ("STT | Chỉ tiêu | Chỉ tiêu năm
2025").  Both are read the same way; only where the metric comes from differs.

* Comparator: a comparator word right next to the percentage, before it
  ("ít nhất 30%") or after it ("80% trở lên").  Adjacency is what tells the
  comparator "trên 90%" from the preposition in "trên tổng số ... đạt 60%".  A
  leading comparator carries forward to the next bare percentage when only a
  connector separates their clauses, so parallel percentages share it.
* Metric: the words the percentage measures, cut from its clause as written.
* Indicator: a code from `rules/indicators.yaml`, found in the metric or, when
  the metric alone names none, in the clause's lead-in verb phrase plus the
  metric ("Thực hiện số hóa" + "100% hồ sơ ...").

Every phrase list and pattern lives in `rules/targets.yaml`; this module only
applies them.  Matching runs on NFC text with modern tone marks, while metrics
are cut from the same span of the text as written (NFC, spaces squeezed).
"""
from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex as re

from ..model import TargetHit
from ..rules import load
from ..textnorm import fold, modern_tones, nfc

# Runs of white space other than tabs (tabs separate table cells and end a clause).
_SPACES = re.compile(r"[^\S\t]+")


def _phrases(phrases: list[str]) -> str:
    """A regex alternation of `phrases`, longest first, each matched as whole words.

    White space inside a phrase matches any run of it; a phrase edge that is a
    letter or digit must not touch another one ("trên" is not in "trênh"),
    while punctuation and symbols (",", "≥") need no boundary.
    """
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        before = r"(?<![\p{L}\p{N}])" if phrase[0].isalnum() else ""
        after = r"(?![\p{L}\p{N}])" if phrase[-1].isalnum() else ""
        alternatives.append(before + body + after)
    return "(?:" + "|".join(alternatives) + ")"


@dataclass(frozen=True)
class _Rules:
    """`rules/targets.yaml` compiled once."""

    percent: re.Pattern
    lead_comparator: re.Pattern  # ends exactly where a percentage starts
    trail_comparator: re.Pattern  # starts exactly where a percentage ends
    symbols: dict[str, str]  # regex group name -> comparator
    breaks: re.Pattern
    connector: re.Pattern  # at the very end of the text between two percentages
    head_words: int
    measure_noun: re.Pattern
    trim_end: re.Pattern  # searched: must end at the span's end
    trim_start: re.Pattern  # matched: starts at the span's start
    range_low: re.Pattern  # an unsigned lower bound ending right before a percentage
    range_joint: re.Pattern  # all that stands between two signed bounds of a range
    per_period: re.Pattern  # "/năm" right after a sign
    percent_measure: re.Pattern  # a unit column that says the values are percentages
    percent_in_metric: re.Pattern  # an indicator cell that names its unit, "Tỷ lệ ... (%)"
    bare_number: re.Pattern  # a number written without its sign


@functools.lru_cache(maxsize=None)
def _rules() -> _Rules:
    """Compile `rules/targets.yaml`."""
    data = load("targets")
    comparators = data["comparators"]
    before = "|".join(f"(?P<{name}>{_phrases(c['before'])})" for name, c in comparators.items())
    after = "|".join(f"(?P<{name}>{_phrases(c['after'])})" for name, c in comparators.items())
    fillers = _phrases(data["comparator_fillers"])
    breaks = data["clause_breaks"]
    connectors = _phrases(data["carry"]["connectors"])
    linking = _phrases(data["metric"]["linking_words"])
    return _Rules(
        percent=re.compile(data["percent"], re.I),
        lead_comparator=re.compile(rf"(?:{before})(?:\s+{fillers})*\s*$", re.I),
        trail_comparator=re.compile(rf"\s*(?:{after})", re.I),
        symbols={name: c["symbol"] for name, c in comparators.items()},
        breaks=re.compile(
            rf"{breaks['punctuation']}|,\s*(?={_phrases(breaks['after_comma'])})|(?={_phrases(breaks['words'])})",
            re.I),
        connector=re.compile(rf"{connectors}\s*$", re.I),
        head_words=data["carry"]["parallel_head_words"],
        measure_noun=re.compile(_phrases(data["metric"]["measure_nouns"]), re.I),
        trim_end=re.compile(rf"(?:[\s:.(\[]|{connectors}|{linking})+$", re.I),
        trim_start=re.compile(rf"(?:[\s:.)\]]|{connectors}|{_phrases(breaks['words'])})+", re.I),
        range_low=re.compile(data["range_low"], re.I),
        range_joint=re.compile(data["range_joint"], re.I),
        per_period=re.compile(data["per_period"], re.I),
        percent_measure=re.compile(data["unit_column"]["percent"], re.I),
        percent_in_metric=re.compile(data["unit_column"]["in_metric"], re.I),
        bare_number=re.compile(data["unit_column"]["bare_number"]),
    )


@dataclass(frozen=True)
class _Text:
    """One input in the two spellings this module needs, of equal length.

    `shown` is NFC with spaces squeezed (what metrics are cut from); `key` is
    `shown` with modern tone marks (what rules match), so a span found in
    `key` is the same span in `shown`.  Should the two ever differ in length,
    metrics are cut from `key` instead.
    """

    shown: str
    key: str

    @classmethod
    def of(cls, text: str) -> _Text:
        shown = _SPACES.sub(" ", nfc(text)).strip()
        key = modern_tones(shown)
        return cls(shown if len(shown) == len(key) else key, key)


@dataclass(frozen=True)
class _Percent:
    """One percentage in a `_Text`, with its own comparator if it has one."""

    value: float
    start: int  # where its leading comparator, or else its number, starts
    number: int  # where its number starts
    end: int  # after its sign and any trailing comparator
    comparator: str | None
    trailing: bool  # the comparator comes after it and stays with it
    range_low: bool = False  # the lower bound of a range whose upper bound comes next


@dataclass(frozen=True)
class _Found:
    """A percentage read in context: everything a `TargetHit` needs but `raw`."""

    value: float
    comparator: str
    metric: str
    lead_in: str  # the verb phrase that opens its chain of parallel percentages
    position: int


class _Clauses:
    """The clause spans of a text, for 'where does this position's clause start / end'."""

    def __init__(self, key: str) -> None:
        spans = [m.span() for m in _rules().breaks.finditer(key)]
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]
        self._length = len(key)

    def start(self, pos: int) -> int:
        """The position after the last break that ends at or before `pos`."""
        i = bisect.bisect_right(self._ends, pos)
        return self._ends[i - 1] if i else 0

    def end(self, pos: int) -> int:
        """The start of the first break at or after `pos`."""
        i = bisect.bisect_left(self._starts, pos)
        return self._starts[i] if i < len(self._starts) else self._length


def _scan(key: str, clauses: _Clauses) -> list[_Percent]:
    """Every percentage in order, each with the comparator written next to it."""
    rules = _rules()
    found: list[_Percent] = []
    for m in rules.percent.finditer(key):
        floor = max(clauses.start(m.start()), found[-1].end if found else 0)
        lead = rules.lead_comparator.search(key, floor, m.start())
        trail = None if lead else rules.trail_comparator.match(key, m.end())
        own = lead or trail
        end = trail.end() if trail else m.end()
        period = rules.per_period.match(key, end)
        end = period.end() if period else end
        prev = found[-1] if found else None
        joint = prev is not None and not prev.comparator and rules.range_joint.match(key[prev.end:m.start()])
        low = None if joint or own else rules.range_low.search(key, floor, m.start())
        if joint or low:
            if low:
                found.append(_Percent(float(low["value"].replace(",", ".")), low.start(), low.start(),
                                      low.end("value"), ">=", True, range_low=True))
            else:
                found[-1] = _Percent(prev.value, prev.start, prev.number, prev.end, ">=", True, range_low=True)
            found.append(_Percent(float(m["value"].replace(",", ".")), m.start(), m.start(), end, "<=", True))
            continue
        found.append(_Percent(
            value=float(m["value"].replace(",", ".")),
            start=lead.start() if lead else m.start(),
            number=m.start(),
            end=end,
            comparator=rules.symbols[own.lastgroup] if own else None,
            trailing=trail is not None,
        ))
    return found


def _head(key: str, pos: int) -> str:
    """The first words after `pos`, up to `parallel_head_words`, folded: a part's head noun."""
    words = re.match(r"\s*((?:\p{L}+\s*){0,%d})" % _rules().head_words, key[pos:])
    return fold(words.group(1)) if words else ""


def _continues(key: str, prev: _Percent, cur: _Percent) -> bool:
    """True when `cur` is a parallel continuation of `prev` (and so may inherit its comparator).

    The text between them must stay inside one clause and end with a
    connector; a `;` connector also needs both parts to start with the same
    head words ("5% giấy phép (...); 10% giấy phép (...)").
    """
    rules = _rules()
    between = key[prev.end:cur.start]
    connector = rules.connector.search(between)
    if connector is None or rules.breaks.search(between, 0, connector.start()):
        return False
    if connector.group().strip() != ";":
        return True
    head = _head(key, prev.end)
    return bool(head) and head == _head(key, cur.end)


def _trim(text: _Text, start: int, end: int) -> tuple[int, int]:
    """Narrow a span past punctuation and connectors, and linking words at its end.

    An opening bracket is dropped only at the end and a closing one only at
    the start, so "giấy phép (cấp mới)" keeps its brackets and "(30%)" sheds them.
    """
    rules = _rules()
    lead = rules.trim_start.match(text.key, start, end)
    start = lead.end() if lead else start
    tail = rules.trim_end.search(text.key, start, end)
    return start, tail.start() if tail else end


def _metric_span(text: _Text, clauses: _Clauses, percents: list[_Percent], i: int) -> tuple[int, int]:
    """Where the metric of `percents[i]` lies (see `rules/targets.yaml`, `metric`)."""
    cur = percents[i]
    first = i - 1 if i and percents[i - 1].range_low else i  # a range is read from its lower bound
    opening = percents[first].start
    floor = max(clauses.start(percents[first].number), percents[first - 1].end if first else 0)
    noun = _rules().measure_noun.search(text.key, floor, opening)
    if noun:
        start, end = _trim(text, noun.end(), opening)
        if start < end:
            return noun.start(), end
    ceiling = clauses.end(cur.end)
    if i + 1 < len(percents):
        ceiling = min(ceiling, percents[i + 1].start)
    start, end = _trim(text, cur.end, max(cur.end, ceiling))
    return (start, end) if start < end else _trim(text, floor, opening)


def _read(text: _Text) -> list[_Found]:
    """Every percentage of `text` with its comparator, metric and lead-in."""
    clauses = _Clauses(text.key)
    percents = _scan(text.key, clauses)
    found: list[_Found] = []
    carried, chain_start = "=", 0
    for i, cur in enumerate(percents):
        linked = i > 0 and _continues(text.key, percents[i - 1], cur)
        comparator = cur.comparator or (carried if linked else "=")
        carried = "=" if cur.trailing else comparator
        if not linked:
            chain_start = cur.start
        lead_in = _trim(text, clauses.start(chain_start), chain_start)
        metric = _metric_span(text, clauses, percents, i)
        found.append(_Found(cur.value, comparator, text.shown[slice(*metric)],
                            text.shown[slice(*lead_in)], cur.number))
    for i, cur in enumerate(percents[:-1]):
        if cur.range_low:  # a range's bounds measure the same thing
            upper = found[i + 1]
            found[i] = _Found(cur.value, found[i].comparator, upper.metric, upper.lead_in, cur.number)
    return found


def _indicator(metric: str, lead_in: str) -> str | None:
    """The metric's indicator, else the one its lead-in and metric name together."""
    return indicator_for(metric) or (indicator_for(f"{lead_in} {metric}") if lead_in else None)


def find_targets(text: str) -> list[TargetHit]:
    """Every percentage in a sentence or item text, in order, one `TargetHit` each."""
    raw = nfc(text)
    return [TargetHit(f.value, f.comparator, f.metric, raw, _indicator(f.metric, f.lead_in))
            for f in _read(_Text.of(text))]


def _cell_parts(cell: _Text) -> list[str]:
    """The non-empty `;`-separated parts of a cell, trimmed, as written."""
    bounds = [-1] + [i for i, char in enumerate(cell.key) if char == ";"] + [len(cell.key)]
    spans = [_trim(cell, lo + 1, hi) for lo, hi in zip(bounds, bounds[1:])]
    return [cell.shown[lo:hi] for lo, hi in spans if lo < hi]


def _with_sign(value_cell: str, measure_cell: str | None) -> str:
    """A value cell whose unit stands in the row's unit column ("%" | "≥ 60"), with its signs back."""
    if not measure_cell or not _rules().percent_measure.search(fold(measure_cell)) or "%" in value_cell:
        return value_cell
    return _rules().bare_number.sub(r"\g<0>%", value_cell)


def targets_from_row(metric_cell: str, value_cell: str, measure_cell: str | None = None) -> list[TargetHit]:
    """One `TargetHit` per percentage in an appendix row's value cell, metric from its indicator cell.

    When both cells split on `;` into as many parts (value parts counted only
    if they hold a percentage), the parts pair up in order ("Đề xuất cắt giảm,
    đơn giản hóa; cắt giảm chi phí tuân thủ" | "30% TTHC; ít nhất 30% chi phí
    tuân thủ"); otherwise every value takes the whole indicator cell.
    """
    raw = f"{nfc(metric_cell)} | {nfc(value_cell)}"
    if not measure_cell and _rules().percent_in_metric.search(fold(metric_cell)):
        measure_cell = "%"  # the indicator names its unit: "Tỷ lệ hồ sơ đúng hạn (%)"
    values = _Text.of(_with_sign(value_cell, measure_cell))
    found = _read(values)
    indicator = _Text.of(metric_cell)
    indicator_parts = _cell_parts(indicator)
    whole = indicator.shown[slice(*_trim(indicator, 0, len(indicator.key)))]
    part_of = [values.key.count(";", 0, f.position) for f in found]
    value_parts = sorted(set(part_of))
    paired = len(indicator_parts) > 1 and len(indicator_parts) == len(value_parts)
    hits = []
    for f, part in zip(found, part_of):
        metric = indicator_parts[value_parts.index(part)] if paired else whole or f.metric
        hits.append(TargetHit(f.value, f.comparator, metric, raw, indicator_for(metric)))
    return hits


@functools.lru_cache(maxsize=None)
def _indicators() -> list[tuple[str, list[re.Pattern]]]:
    """`rules/indicators.yaml` compiled once: (code, patterns) in file order."""
    return [(entry["code"], [re.compile(p) for p in entry["patterns"]])
            for entry in load("indicators")["indicators"]]


def indicator_for(metric: str) -> str | None:
    """The canonical code of the national indicator `metric` names, or None.

    The code whose pattern matches earliest wins (ties: file order), since a
    Vietnamese noun phrase puts its head first.
    """
    key = fold(metric)
    best: tuple[int, int, str] | None = None
    for order, (code, patterns) in enumerate(_indicators()):
        for pattern in patterns:
            m = pattern.search(key)
            if m and (best is None or (m.start(), order) < best[:2]):
                best = (m.start(), order, code)
    return best[2] if best else None


def _as_example(hit: TargetHit) -> dict[str, Any]:
    """A hit in the shape the rule files' examples are written in."""
    return {"value": hit.value, "comparator": hit.comparator, "metric": hit.metric, "indicator": hit.indicator}


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """(case id, expected, actual) for every example in `targets.yaml` and `indicators.yaml`."""
    for case in load("targets")["examples"]:
        hits = targets_from_row(*case["row"]) if "row" in case else find_targets(case["text"])
        yield f"targets:{case['id']}", case["targets"], [_as_example(h) for h in hits]
    for entry in load("indicators")["indicators"]:
        for n, example in enumerate(entry["examples"]):
            yield f"indicators:{entry['code']}:{n}", example["expect"], indicator_for(example["text"])
