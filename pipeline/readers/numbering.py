"""Word's automatic list numbering, rendered as the labels Word displays.

Many plans never type "I.", "1.", "a)" or "-": Word draws them from
`numbering.xml`, and the paragraph text holds only the words.  The structure
stage reads labels from the text, so the DOCX reader asks `Numbering`
for each numbered paragraph, in document order (`Numbering.prefix`), and
writes the label in front of the text.

Word's rules, as followed here: a paragraph names a list instance (`numId`)
and a level (`ilvl`); instances of the same abstract list share counters
unless an instance restarts a level (`startOverride`); using a level resets
the deeper levels (unless `lvlRestart` says otherwise) and counts the higher
levels not used yet at their start value; the level's `lvlText`
("%1.", "%2)", "%1.%2.") is filled with the counters in each level's format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .encodings import bullet_label
from .wordml import Styles, attr, child, tag

_MAX_LEVELS = 9
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


@dataclass(frozen=True)
class Level:
    """One level of a list definition (`w:lvl`)."""

    fmt: str = "decimal"
    text: str = ""
    start: int = 1
    restart: int | None = None  # restart after this 1-based level is used; 0 never; None after any higher
    suffix: str = "tab"
    legal: bool = False
    style: str | None = None


@dataclass
class _Instance:
    """A list instance (`w:num`): its abstract list and the levels it restarts or redefines."""

    abstract: str
    starts: dict[int, int] = field(default_factory=dict)
    levels: dict[int, Level] = field(default_factory=dict)
    started: bool = False


def roman(n: int) -> str:
    """Lower-case Roman numeral of n >= 1."""
    out = []
    for value, numeral in _ROMAN:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def letters(n: int) -> str:
    """Word's letter numbering: a..z, then aa..zz, aaa..."""
    repeat, index = divmod(n - 1, 26)
    return chr(ord("a") + index) * (repeat + 1)


def format_number(n: int, fmt: str) -> str:
    """A counter in a `w:numFmt` format (unknown formats fall back to decimal, as Word's readers do)."""
    if fmt == "upperRoman":
        return roman(n).upper()
    if fmt == "lowerRoman":
        return roman(n)
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


def _level(lvl: Any) -> Level:
    start = attr(child(lvl, "start"))
    restart = attr(child(lvl, "lvlRestart"))
    legal = child(lvl, "isLgl")
    return Level(
        fmt=attr(child(lvl, "numFmt")) or "decimal",
        text=attr(child(lvl, "lvlText")) or "",
        start=int(start) if start is not None else 1,
        restart=int(restart) if restart is not None else None,
        suffix=attr(child(lvl, "suff")) or "tab",
        legal=legal is not None and attr(legal) not in ("0", "false"),
        style=attr(child(lvl, "pStyle")))


def _levels(container: Any) -> dict[int, Level]:
    return {int(attr(lvl, "ilvl") or 0): _level(lvl) for lvl in container.findall(tag("lvl"))}


class Numbering:
    """The lists of one document, with Word's counters, consumed in document order."""

    def __init__(self, numbering_element: Any | None, styles: Styles) -> None:
        self._styles = styles
        self._abstract: dict[str, dict[int, Level]] = {}
        self._links: dict[str, str] = {}  # abstract id -> numbering style it takes its levels from
        self._instances: dict[str, _Instance] = {}
        self._counters: dict[str, list[int | None]] = {}
        if numbering_element is not None:
            self._load(numbering_element)

    def _load(self, root: Any) -> None:
        for abstract in root.findall(tag("abstractNum")):
            abstract_id = attr(abstract, "abstractNumId")
            self._abstract[abstract_id] = _levels(abstract)
            link = attr(child(abstract, "numStyleLink"))
            if link:
                self._links[abstract_id] = link
        for num in root.findall(tag("num")):
            instance = _Instance(abstract=attr(child(num, "abstractNumId")) or "")
            for override in num.findall(tag("lvlOverride")):
                ilvl = int(attr(override, "ilvl") or 0)
                start = attr(child(override, "startOverride"))
                if start is not None:
                    instance.starts[ilvl] = int(start)
                lvl = child(override, "lvl")
                if lvl is not None:
                    instance.levels[ilvl] = _level(lvl)
            self._instances[attr(num, "numId")] = instance

    def _abstract_of(self, instance: _Instance) -> str:
        """The abstract list whose levels apply, following a numbering-style link once."""
        link = self._links.get(instance.abstract)
        linked = self._styles.numbering(link) if link else None
        if linked and linked[0] in self._instances:
            return self._instances[linked[0]].abstract
        return instance.abstract

    def _levels_of(self, num_id: str | None) -> tuple[_Instance, str, dict[int, Level]] | None:
        """A list instance, its abstract list and its levels (the instance's redefinitions win)."""
        instance = self._instances.get(num_id or "")
        if instance is None:
            return None
        abstract = self._abstract_of(instance)
        return instance, abstract, {**self._abstract.get(abstract, {}), **instance.levels}

    def level_of_style(self, num_id: str, style_id: str) -> int:
        """The level whose `w:pStyle` is `style_id` (how heading styles pick their level), else 0."""
        found = self._levels_of(num_id)
        levels = found[2] if found else {}
        return next((ilvl for ilvl, level in levels.items() if level.style == style_id), 0)

    def prefix(self, num_id: str | None, ilvl: int) -> str | None:
        """What Word shows before the next paragraph of list `num_id` at level `ilvl`, and count it.

        The label ("I.", "1.1.", "a)"; "-" or "+" for a bullet) and the space
        Word's tab or space suffix leaves.  None when the paragraph is not
        numbered: numId 0 or unknown, or a level that shows nothing.
        """
        found = self._levels_of(num_id)
        if found is None or ilvl not in found[2]:
            return None
        instance, abstract, levels = found
        counters = self._counters.setdefault(abstract, [None] * _MAX_LEVELS)
        if not instance.started:
            instance.started = True
            for restart_level, start in instance.starts.items():
                counters[restart_level] = start - 1
        self._count(counters, levels, ilvl)
        level = levels[ilvl]
        if level.fmt == "bullet":
            label = bullet_label(level.text) if level.text.strip() else ""
        else:
            label = self._fill(level, levels, counters).strip()
        if not label:
            return None
        return label + ("" if level.suffix == "nothing" else " ")

    @staticmethod
    def _count(counters: list[int | None], levels: dict[int, Level], ilvl: int) -> None:
        """Step level `ilvl`, reset the deeper levels that restart after it.

        A level above `ilvl` not yet used counts as used at its start value,
        as Word counts it: a "-" item (level 4) straight under "1." makes the
        next "a)" item (level 3) show "b)".
        """
        for higher in range(ilvl):
            if counters[higher] is None and higher in levels:
                counters[higher] = levels[higher].start
        current = counters[ilvl]
        counters[ilvl] = levels[ilvl].start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            if restart == 0 or (restart is not None and ilvl >= restart):
                continue
            counters[deeper] = None

    @staticmethod
    def _fill(level: Level, levels: dict[int, Level], counters: list[int | None]) -> str:
        """`lvlText` with each %n replaced by level n's counter in its format (decimal under isLgl)."""
        text = level.text
        for n in range(_MAX_LEVELS, 0, -1):
            placeholder = f"%{n}"
            if placeholder not in text:
                continue
            shown = levels.get(n - 1, Level())
            value = counters[n - 1]
            value = shown.start if value is None else value
            fmt = "decimal" if level.legal and shown.fmt != "none" else shown.fmt
            text = text.replace(placeholder, format_number(value, fmt))
        return text
