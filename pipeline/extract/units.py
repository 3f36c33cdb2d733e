"""Units: who leads, supports and monitors a task, under canonical names (SPEC "Units").

Plans name their units in three places, and one grammar reads all of them:

* lists in field lines and table cells ("Công an phường, Văn phòng HĐND&UBND
  phường", "- Các sở, ban, ngành - UBND cấp huyện"): `split_units`;
* headings that hand a unit its duties ("a) Phòng Văn hoá – Xã hội:"):
  `heading_unit`;
* prose: a field line written as sentences or tagged with roles ("Chủ trì:
  ...; Phối hợp: ..."), or the task's own text ("Giao phòng Văn hóa - Xã hội
  chủ trì, phối hợp với ..."): `parse_lead_field`, `doer_in_text`,
  `support_in_text`.

The grammar is compiled from `rules/units.yaml`.  A *named unit* is
[position] head name [level [place]] [(qualifier)], the name being a known
name, a council (UBND, HĐND và UBND) or an official name capitalised the
Vietnamese way ("Khoa học và Công nghệ"); a head with only a level ("Công an
phường") names a unit too.  A *collective* is [position] "các" noun [modifiers]
(", " noun [modifiers])* and stays whole ("Các phòng, ban, đơn vị").

Prose is read clause by clause without a parser, because no Vietnamese tagger
ships offline: the doer is the unit group in subject position (first in its
clause, perhaps after "Giao" / "Đề nghị", or the first group after an
introductory phrase that no preposition or verb governs), and its partners
are the groups right after "phối hợp (với)".  A blank spaCy pipeline was tried
for the matching and dropped: without pyvi it splits on spaces only (and keeps
"HĐND&UBND" or "-Xã" as one token), so a PhraseMatcher would restate these
patterns at two seconds' import cost.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import regex as re

from ..model import UnitRef
from ..rules import load
from ..textnorm import canon, nfc, squeeze

RULE_FILE = "units"

_WORD_START = r"(?<![\p{L}\p{N}])"
_WORD_END = r"(?![\p{L}\p{N}])"
_JOINING_MARKS = "-&,"

Span = tuple[int, int]


# --- building the grammar from the rule file ---------------------------------

def _phrase(text: str) -> str:
    """Regex for a phrase as written: any white space between words, free spacing around - & ,."""
    pattern, after_word = "", False
    for token in re.findall(r"[-&,]|[^\s\-&,]+", text):
        if token in _JOINING_MARKS:
            pattern += rf"\s*{re.escape(token)}\s*"
        else:
            pattern += (r"\s+" if after_word else "") + re.escape(token)
        after_word = token not in _JOINING_MARKS
    return pattern


def _cased(text: str) -> str:
    """`_phrase` with the first letter in either case ('Phòng', 'phòng'); abbreviations only as written.

    Only the first letter varies: an all-capitals heading ("TỔ CHỨC THỰC
    HIỆN") is a section title, never a unit.
    """
    if text[:2].isupper():
        return _phrase(text)
    return f"[{text[0].upper()}{text[0].lower()}]" + _phrase(text[1:])


def _any(spellings: Iterable[str], to_regex: Callable[[str], str] = _cased) -> str:
    """A whole-word alternation, longest spelling first ('Văn phòng' before 'Phòng')."""
    ordered = sorted(set(spellings), key=len, reverse=True)
    return "(?:" + "|".join(to_regex(s) for s in ordered) + ")" + _WORD_END


def _key(text: str) -> str:
    """Lookup key of a spelling: case and spacing around - & , do not matter."""
    return re.sub(r"\s*([-&,])\s*", r"\1", squeeze(text)).casefold()


def _name_phrase(text: str) -> str:
    """`_phrase` for a known name in either case, where "&" and "và" stand for each other
    ("Sở Khoa học & Công nghệ")."""
    return "(?i:" + re.sub(r"\\s\+và\\s\+", r"(?:\\s+và\\s+|\\s*&\\s*)", _phrase(text)) + ")"


def _name_key(text: str) -> str:
    """Lookup key of a known name's spelling: `_key`, with "&" read as "và"."""
    return squeeze(_key(text).replace("&", " và "))


def _level_parts(rules: dict[str, Any], stop: str) -> tuple[str, str, str]:
    """Regexes for a level as written after a name, for a bare level word, and for several levels.

    After a name a level is a grade ("cấp huyện"), a level word with its
    place ("phường An Bình"), or several places of a council ("các huyện,
    thị xã, thành phố").
    """
    level = _any((s for entry in rules["levels"] for s in entry["spellings"]), _phrase)
    grade = _any(rules["level_grades"], _phrase)
    place = rf"(?:\s+(?!{stop})(?:\p{{Lu}}\p{{L}}*|\d+){_WORD_END})+"
    joiner = _joined(rules["separators"]["soft"])
    plural = rf"{_any(rules['collective']['determiners'])}\s+{level}(?:(?:{joiner}){level})*"
    return rf"(?:{grade}|{plural}|{level}(?:{place})?)", level, plural


def _joined(joiners: Iterable[str]) -> str:
    """Alternation of joining words and marks: a mark may touch its neighbours, a word may not."""
    return "|".join(rf"\s+{re.escape(j)}\s+" if j.isalpha() else rf"\s*{re.escape(j)}\s*" for j in joiners)


def _heads_in_context(rules: dict[str, Any]) -> str:
    """Regex source of a head where it opens a unit.

    Capitalised, a head opens a unit anywhere.  In lower case it does so only
    at the start of a clause or after a word that takes a unit ("gửi phòng
    ...", "Giao phòng ...", "Trưởng phòng ..."): after any other word it is
    the second syllable of a compound ("cơ sở", "cán bộ", "xã hội").
    """
    spellings = [s for head in rules["heads"] for s in head["spellings"]]
    capitalised = _any(spellings, _phrase)
    lower = _any((s[0].lower() + s[1:] for s in spellings if not s[:2].isupper()), _phrase)
    takers = _any(rules["prose"]["governors"] + rules["prose"]["openers"] + rules["positions"], _phrase)
    return rf"(?:{capitalised}|(?<=(?:^|[^\p{{L}}\p{{N}}\s])\s*|(?i:{_WORD_START}{takers})\s+){lower})"


def _named_parts(rules: dict[str, Any]) -> dict[str, str]:
    """Regex sources of the pieces of a named unit.

    A capitalised name runs over syllables that open with a capital, each
    perhaps followed by one lower-case syllable ("Khoa học và Công nghệ",
    "Ủy ban MTTQ Việt Nam"); after a dash, a comma or "và" it stops before
    another unit's head ("Phòng Tư pháp, Văn phòng ..."), after a plain space
    it does not ("Ban Quản lý Khu Kinh tế ... Phòng").
    """
    positions = _any(rules["positions"])
    heads = _heads_in_context(rules)
    organ = _any(s for organ in rules["organs"] for s in organ["spellings"])
    organs = rf"{organ}(?:(?:{_joined(rules['organ_joiners']['spellings'])}){organ})*"
    stop = rf"(?:{positions}|{heads}|{organ})"
    level_place, level, plural = _level_parts(rules, stop)
    known = _any((s for names in rules["names"].values() for entry in names for s in entry), _name_phrase)
    soft = rules["separators"]["soft"]
    coordinators = _joined(soft)
    # a lower-case syllable after a capitalised one is part of the name unless
    # it opens the sentence's predicate ("Văn phòng Sở chủ trì, ...")
    predicate = _any(rules["prose"]["predicate_words"], _phrase)
    lower = rf"(?!{level}|{predicate}{_WORD_END}|{_any((w for w in soft if w.isalpha()), _phrase)})\p{{Ll}}+{_WORD_END}"
    word = rf"\p{{Lu}}\p{{L}}*{_WORD_END}(?:\s+{lower})?"
    capitalised = rf"{word}(?:\s+{word}|(?:\s*[-&]\s*|{coordinators})(?!{stop}){word})*"
    return {"positions": positions, "heads": heads, "organ": organ, "organs": organs,
            "level": level, "determiners": _any(rules["collective"]["determiners"]), "level_place": level_place,
            "plural": plural, "known": known, "capitalised": capitalised, "coordinators": coordinators}


def _collective_part(rules: dict[str, Any], named: dict[str, str]) -> str:
    """Regex source of a collective: "các" nouns with their modifiers."""
    collective = rules["collective"]
    # a capitalised word right after a noun opens a name ("sở Nội vụ"), unless it is a modifier ("ngành Trung ương")
    modifiers = _any(collective["modifiers"])
    noun = _any(collective["nouns"]) + rf"(?!\s+(?!{modifiers})\p{{Lu}}\p{{Ll}}*{_WORD_END})"
    linked = _any(collective["linked_modifiers"])
    modifier = (rf"(?:\s+(?:{linked}\s+(?:{named['organs']}(?:\s+{named['level_place']})?|{named['level_place']})"
                rf"|{_any(collective['modifiers'])}|{named['level_place']})|\s*\([^()]*\))")
    item = rf"{noun}{modifier}*"
    # nouns follow one another with a comma, or without one when the writer
    # dropped it ("các ban, ngành đoàn thể xã") -- but a noun that is also a
    # verb ("tổ chức") only after a comma
    nouns_alone = [n for n in collective["nouns"] if n not in collective["also_verbs"]]
    item_after_space = rf"{_any(nouns_alone)}(?!\s+\p{{Lu}}\p{{Ll}}*{_WORD_END}){modifier}*"
    determined = (rf"{_any(collective['determiners'])}\s+{item}"
                  rf"(?:\s*,\s*{item}|\s+{item_after_space})*")
    # without "các", capitalised nouns listed with commas are plural too ("Bộ, ngành, địa phương")
    bare = rf"{_bare_noun(collective)}{modifier}*(?:\s*,\s*{item})+"
    return rf"(?:{named['positions']}\s+)?(?:{determined}|{bare})"


def _bare_noun(collective: dict[str, Any]) -> str:
    """Regex source of a collective noun opening a list without a determiner: capitalised, then a comma."""
    nouns = _any((n[0].upper() + n[1:] for n in collective["nouns"]), _phrase)
    return rf"{nouns}(?=\s*,\s*\p{{Ll}})"


@functools.lru_cache(maxsize=1)
def _parts() -> dict[str, str]:
    """Regex sources of the grammar's pieces, with `unit`: one named unit or collective."""
    rules = load(RULE_FILE)
    named = _named_parts(rules)
    name = rf"(?:{named['known']}|{named['organs']}|{named['capitalised']})"
    standalone = _any((s for entry in rules["standalone"] for s in entry["spellings"]), _phrase)
    named["unit"] = (rf"{_WORD_START}(?:{_collective_part(rules, named)}|{standalone}(?:\s+{named['level_place']})?"
                     rf"|(?:{named['positions']}\s+)?(?:{named['heads']}\s+(?:{name}(?:\s+{named['level_place']})?"
                     rf"|{named['level_place']})|{named['organs']}(?:\s+{named['level_place']})?)(?:\s*\([^()]*\))?)")
    return named


def _known_names(rules: dict[str, Any], heads: dict[str, list[str]], positions: str
                 ) -> dict[str, tuple[re.Pattern, dict[str, str]]]:
    """Per unit type: the pattern of head + known name, and each spelling's canonical name."""
    known = {}
    for unit_type, entries in rules["names"].items():
        spellings = {_name_key(s): entry[0] for entry in entries for s in entry}
        pattern = (rf"^(?P<lead>(?:{positions}\s+)?{_any(heads[unit_type])}\s+)"
                   rf"(?P<name>{_any((s for entry in entries for s in entry), _name_phrase)})")
        known[unit_type] = (re.compile(pattern), spellings)
    return known


def _respellings(rules: dict[str, Any]) -> list[tuple[re.Pattern, str]]:
    """Abbreviated heads and levels ("VP", "TP") and the word each stands for."""
    entries = [(head["spellings"][0], head["spellings"][1:]) for head in rules["heads"]]
    entries += [(level["canonical"], level["spellings"]) for level in rules["levels"]]
    entries += [(entry["spellings"][0], entry["spellings"][1:]) for entry in rules["standalone"]]
    return [(re.compile(_WORD_START + _phrase(s) + _WORD_END), canonical)
            for canonical, spellings in entries for s in spellings if s != canonical]


def _heads_by_type(rules: dict[str, Any], whole: bool = True) -> dict[str, list[str]]:
    """Every spelling of the heads of each unit type; without `whole`, not the heads that spell a
    whole name ("Ban Quản lý"), whose next word is not the first of a name to capitalise."""
    heads: dict[str, list[str]] = {}
    for head in rules["heads"]:
        if whole or not head.get("whole_name"):
            heads.setdefault(head["type"], []).extend(head["spellings"])
    return heads


@dataclass(frozen=True)
class _Spelling:
    """What turns a unit phrase into its canonical name, type and collectiveness."""

    respellings: list[tuple[re.Pattern, str]]     # "VP", "TP" -> "Văn phòng", "thành phố"
    organs: re.Pattern                            # councils, perhaps joined ("HĐND & UBND")
    organ: re.Pattern                             # one council
    organ_abbreviation: dict[str, str]            # spelling key -> "UBND"
    organ_type: dict[str, str]                    # "UBND" -> "ubnd"
    organ_joiner: str                             # " và "
    unwrap: re.Pattern                            # "(có ...)"
    position: re.Pattern                          # a position word opening a name
    determiner: re.Pattern                        # "các" opening a collective
    plural: re.Pattern                            # "các huyện, thị xã": a council of several places
    bare_collective: re.Pattern                   # "Bộ, ngành": plural nouns without "các"
    heads: list[tuple[re.Pattern, str]]           # a head opening a name -> unit type
    known: dict[str, tuple[re.Pattern, dict[str, str]]]  # per type: head + known name, canonical names
    name_start: dict[str, re.Pattern]             # per type: up to the first letter of the name
    capitalised_types: frozenset[str]
    comma_fix: re.Pattern
    listed_noun: re.Pattern                       # a collective noun after "các" or a comma
    comma_fixes: dict[str, str]
    needs_level: frozenset[str]


@functools.lru_cache(maxsize=1)
def _spelling() -> _Spelling:
    """Compile the spelling half of `rules/units.yaml` once."""
    rules, parts = load(RULE_FILE), _parts()
    heads = _heads_by_type(rules)
    comma_fixes = rules["collective"]["comma_fixes"]
    return _Spelling(
        respellings=_respellings(rules),
        organs=re.compile(parts["organs"]),
        organ=re.compile(parts["organ"]),
        organ_abbreviation={_key(s): o["abbreviation"] for o in rules["organs"] for s in o["spellings"]},
        organ_type={o["abbreviation"]: o["type"] for o in rules["organs"]},
        organ_joiner=f" {rules['organ_joiners']['canonical']} ",
        unwrap=re.compile(rf"\s*\(((?:{_any(rules['unwrap_parenthesis_after'], _phrase)})\s[^()]*)\)"),
        position=re.compile(rf"^{parts['positions']}\s+"),
        determiner=re.compile(rf"^{_any(rules['collective']['determiners'])}"),
        plural=re.compile(parts["plural"]),
        bare_collective=re.compile(rf"^{_bare_noun(rules['collective'])}"),
        heads=[(re.compile(rf"^{_cased(s)}{_WORD_END}"), head["type"])
               for head in sorted(rules["heads"] + rules["standalone"], key=lambda h: -len(h["spellings"][0]))
               for s in head["spellings"]],
        known=_known_names(rules, heads, parts["positions"]),
        # a level word or "các" right after a head stays lower case ("Công an xã", "Ban Quản lý các ...")
        name_start={unit_type: re.compile(rf"^(?:{parts['positions']}\s+)?{_any(spellings)}\s+"
                                          rf"(?!{parts['level']}|{parts['determiners']})(?=\p{{Ll}})")
                    for unit_type, spellings in _heads_by_type(rules, whole=False).items()},
        capitalised_types=frozenset(rules["capitalised_name_types"]),
        listed_noun=re.compile(rf"(?:(?<={_WORD_START}{parts['determiners']}\s+)|(?<=,\s*))"
                               rf"(?i:{_any(rules['collective']['nouns'], _phrase)})"),
        comma_fix=re.compile(_any(comma_fixes, lambda s: f"(?i:{_phrase(s)})")),
        comma_fixes={_key(k): v for k, v in comma_fixes.items()},
        needs_level=frozenset(rules["needs_level"]),
    )


def _separator(separators: dict[str, list[str]]) -> re.Pattern:
    """List separators of a cell, in named groups: `hard` (";"), `mark` (" - "), `soft` (", ", " và ")."""
    marks = re.escape("".join(separators["list_marks"]))
    return re.compile(rf"(?P<hard>(?:{_joined(separators['hard'])})(?:[{marks}]\s*)?)"
                      rf"|(?P<mark>\s+[{marks}]\s*)"
                      rf"|(?P<soft>(?:\s*,\s*)?(?:{_joined(separators['soft'])}))")


@functools.lru_cache(maxsize=1)
def _edges() -> tuple[str, str]:
    """Characters that may open a list item (spaces, list marks) and that may close one (spaces, punctuation)."""
    separators = load(RULE_FILE)["separators"]
    return " " + "".join(separators["list_marks"]), " " + "".join(separators["trailing"])


@dataclass(frozen=True)
class _Reader:
    """What finds units in cells and prose."""

    unit: re.Pattern              # one named unit or collective
    list_item: re.Pattern         # what opens an item after a list mark: a unit, or a bare head
    separator: re.Pattern
    parenthesis: re.Pattern
    coordination: re.Pattern      # the gap between coordinated units: ", ", " và "
    role_marker: re.Pattern       # where a cell's leads end: " chủ trì", " phối hợp"
    role_label: re.Pattern        # "Chủ trì:" labelling the units after it
    role_paren: re.Pattern        # "(phối hợp)" tagging the units before it
    role_of_tag: dict[str, str]   # tag key -> "lead" / "support"
    predicate: re.Pattern         # a verb that makes a field a sentence
    sentence_end: re.Pattern
    clause_end: re.Pattern
    opener: re.Pattern            # list mark and "Giao" / "Đề nghị" opening a clause
    heading_lead: re.Pattern      # label and "Giao" / "Trách nhiệm của" opening a heading
    intro: re.Pattern             # "Căn cứ", "Trong" opening an introductory phrase
    governed: re.Pattern          # a preposition or verb ending the text before a unit
    partner: re.Pattern           # "phối hợp (chặt chẽ) (với) " before a partner
    partner_next: re.Pattern      # "phối hợp" right after a unit group


@functools.lru_cache(maxsize=1)
def _reader() -> _Reader:
    """Compile the reading half of `rules/units.yaml` once."""
    rules, parts = load(RULE_FILE), _parts()
    prose = rules["prose"]
    capital_heads = _any((head["spellings"][0] for head in rules["heads"]), _phrase)
    partner_verbs = prose["partner_verbs"]
    tags = _any((tag for spelled in prose["role_tags"].values() for tag in spelled), _phrase)
    return _Reader(
        unit=re.compile(parts["unit"]),
        list_item=re.compile(rf"{parts['unit']}|(?:{parts['positions']}\s+)?{capital_heads}"),
        separator=_separator(rules["separators"]),
        parenthesis=re.compile(r"\([^()]*\)"),
        coordination=re.compile(rf"(?:\s*,\s*)?(?:{parts['coordinators']})"),
        role_marker=re.compile(rf"(?:\s*,)?\s+{tags}"),
        role_label=re.compile(rf"(?:^|(?<=[;.]))\s*(?P<tag>{tags})\s*:\s*", re.IGNORECASE),
        role_paren=re.compile(rf"\s*\(\s*(?P<tag>{tags})\s*\)\s*$", re.IGNORECASE),
        role_of_tag={_key(tag): role for role, spelled in prose["role_tags"].items() for tag in spelled},
        predicate=re.compile(rf"(?i:{_WORD_START}{_any(prose['predicate_words'], _phrase)})"),
        sentence_end=re.compile(prose["sentence_end"]),
        clause_end=re.compile(prose["clause_end"]),
        opener=re.compile(rf"\s*(?:[{re.escape(''.join(rules['separators']['list_marks']))}]\s*)?"
                          rf"(?:{_any(prose['openers'])}\s+)?"),
        heading_lead=re.compile(rf"^(?:{prose['label']})?(?:{_any(prose['heading_openers'])}\s+)?"),
        intro=re.compile(_any(prose["intro_words"])),
        governed=re.compile(rf"(?i:{_WORD_START}{_any(prose['governors'], _phrase)})\s*$"),
        partner=re.compile(rf"{_WORD_START}{_any(partner_verbs)}(?:\s+{_any(prose['partner_adverbs'], _phrase)})*\s+"),
        partner_next=re.compile(rf"\s+{_any(partner_verbs, _phrase)}"),
    )


# --- canonical names -----------------------------------------------------------

def canonical_unit(raw: str, level_word: str | None = None) -> UnitRef:
    """One unit phrase as written -> its canonical name, type and collectiveness.

    `level_word` is the plan's own level (`phường`, `thành phố`, ...): an office
    that exists only at a level and is written without one ("Văn phòng
    HĐND&UBND") is that level's office.
    """
    name = _trim(canon(raw))
    for respell in (_respell, _spell_organs, _collapse_repeats, _unwrap_parenthesis, _space_dashes):
        name = respell(name)
    unit_type, collective = _classify(name)
    name = _capitalise(_spell_known_name(name, unit_type), unit_type, collective)
    if collective:
        name = _lower_nouns(_fix_commas(name))
    if level_word and name in _spelling().needs_level:
        name = f"{name} {level_word}"
    return UnitRef(raw=squeeze(nfc(raw)), name=name, unit_type=unit_type, is_collective=collective)


def _trim(text: str) -> str:
    """Drop a list mark in front and punctuation behind: "- Các phòng, ...;" -> "Các phòng, ..."."""
    opening, closing = _edges()
    return text.lstrip(opening).rstrip(closing)


def _respell(name: str) -> str:
    """Spell out abbreviated heads and levels: "VP UBND TP" -> "Văn phòng UBND thành phố"."""
    for pattern, canonical in _spelling().respellings:
        name = pattern.sub(canonical, name)
    return name


def _spell_organs(name: str) -> str:
    """Councils as SPEC writes them: "Hội đồng nhân dân & Ủy ban nhân dân" -> "HĐND và UBND"."""
    spelling = _spelling()

    def joined(match: re.Match) -> str:
        return spelling.organ_joiner.join(spelling.organ_abbreviation[_key(one)]
                                         for one in spelling.organ.findall(match.group()))
    return spelling.organs.sub(joined, name)


def _collapse_repeats(name: str) -> str:
    """A syllable typed twice is a typo in a name: "Phục vụ vụ hành chính công"."""
    return re.sub(r"(?i)(?<![\p{L}\p{N}])(\p{L}+)(?:\s+\1)+(?![\p{L}\p{N}])", r"\1", name)


def _unwrap_parenthesis(name: str) -> str:
    """A restrictive qualifier reads the same without brackets: "(có TTHC)" -> "có TTHC"."""
    return _spelling().unwrap.sub(r" \1", name)


def _space_dashes(name: str) -> str:
    """One spaced dash between the parts of a name: "Văn hóa -Xã hội" -> "Văn hóa - Xã hội"."""
    return re.sub(r"(?<=\S)\s*-\s*(?=\S)", " - ", name)


def _classify(name: str) -> tuple[str, bool]:
    """SPEC unit_type and is_collective, from the words a canonical name opens with."""
    spelling = _spelling()
    body = spelling.position.sub("", name, count=1)
    if spelling.determiner.match(body) or spelling.plural.search(body) or spelling.bare_collective.match(body):
        return "collective", True
    for head, unit_type in spelling.heads:
        if head.match(body):
            return unit_type, False
    organ = spelling.organ.match(body)
    if organ:
        return spelling.organ_type[spelling.organ_abbreviation[_key(organ.group())]], False
    return "other", False


def _spell_known_name(name: str, unit_type: str) -> str:
    """A known name in its canonical spelling: "Phòng Kinh tế, hạ tầng và đô thị" -> "... Hạ tầng và Đô thị"."""
    pattern, spellings = _spelling().known.get(unit_type, (None, {}))
    if pattern is None:
        return name
    return pattern.sub(lambda m: m["lead"] + spellings[_name_key(m["name"])], name, count=1)


def _capitalise(name: str, unit_type: str, collective: bool) -> str:
    """Capital first letter; official names also capitalise the first syllable after the head."""
    name = name[:1].upper() + name[1:]
    if collective or unit_type not in _spelling().capitalised_types:
        return name
    start = _spelling().name_start[unit_type].match(name)
    if start:
        at = start.end()
        name = name[:at] + name[at].upper() + name[at + 1:]
    return name


def _lower_nouns(name: str) -> str:
    """Collective nouns are common nouns: "Các Bộ, ngành" -> "Các bộ, ngành" (a bracket keeps its names)."""
    bracket = name.find("(")
    head, tail = (name, "") if bracket < 0 else (name[:bracket], name[bracket:])
    return _spelling().listed_noun.sub(lambda m: m.group().lower(), head) + tail


def _fix_commas(name: str) -> str:
    """Collective nouns run together get their comma back: "cơ quan đơn vị" -> "cơ quan, đơn vị"."""
    spelling = _spelling()
    return spelling.comma_fix.sub(lambda m: spelling.comma_fixes[_key(m.group())], name)


# --- lists: cells and list fields ------------------------------------------------

@dataclass(frozen=True)
class _Text:
    """A text as written (NFC, single spaces) and in canonical form, aligned character by character.

    Patterns run on the canonical form; spans cut the written form, so every
    `UnitRef.raw` is the document's own spelling.
    """

    written: str
    norm: str

    @classmethod
    def of(cls, text: str) -> _Text:
        written, norm = squeeze(nfc(text)), canon(text)
        return cls(written if len(written) == len(norm) else norm, norm)


def split_units(cell: str, level_word: str | None = None) -> list[UnitRef]:
    """A field or table cell that lists units -> one UnitRef per unit.

    Splits on ";", on "- " list marks and on ", " / " và " where what follows
    is itself a unit; collectives and names with commas stay whole.  A cell
    that goes on "X chủ trì, phối hợp với Y" gives X only (see
    `parse_lead_field` for Y).
    """
    text = _Text.of(cell)
    marker = _reader().role_marker.search(text.norm)
    return _refs(text, _list_spans(text.norm, 0, marker.start() if marker else len(text.norm)), level_word)


def _list_spans(text: str, start: int, end: int) -> list[Span]:
    """Spans of the units listed between start and end."""
    return [span for span, _ in _tagged_items(text, start, end)]


def _tagged_items(text: str, start: int, end: int) -> list[tuple[Span, str | None]]:
    """The units listed between start and end, each with the role tag it carries ("(chủ trì)"), if any."""
    reader = _reader()
    whole = [m.span() for pattern in (reader.unit, reader.parenthesis) for m in pattern.finditer(text, start, end)]
    bounds, item_start = [], start
    for separator in reader.separator.finditer(text, start, end):
        if any(s < separator.start() and separator.end() < e for s, e in whole):
            continue
        if _opens_item(text, separator, end):
            bounds.append((item_start, separator.start()))
            item_start = separator.end()
    bounds.append((item_start, end))
    items = []
    for item_start, item_end in bounds:
        tag = reader.role_paren.search(text, item_start, item_end)
        span = _strip(text, item_start, tag.start() if tag else item_end)
        if span[0] < span[1]:
            items.append((span, reader.role_of_tag[_key(tag["tag"])] if tag else None))
    return items


def _opens_item(text: str, separator: re.Match, end: int) -> bool:
    """Whether a separator starts a new unit: always after ";", after a list mark before a head, else before a unit."""
    reader = _reader()
    if separator["hard"]:
        return True
    follower = reader.list_item if separator["mark"] else reader.unit
    return follower.match(text, separator.end(), end) is not None


def _strip(text: str, start: int, end: int) -> Span:
    """A span without list marks, spaces and punctuation at its ends."""
    opening, closing = _edges()
    while start < end and text[start] in opening:
        start += 1
    while end > start and text[end - 1] in closing:
        end -= 1
    return start, end


def _refs(text: _Text, spans: Iterable[Span], level_word: str | None) -> list[UnitRef]:
    """UnitRefs of spans of the text, each name once, in order."""
    refs: dict[str, UnitRef] = {}
    for start, end in spans:
        ref = canonical_unit(text.written[start:end], level_word)
        refs.setdefault(ref.name.casefold(), ref)
    return list(refs.values())


# --- prose: sentences that name doers and partners -------------------------------

def parse_lead_field(text: str, level_word: str | None = None) -> tuple[list[UnitRef], list[UnitRef]]:
    """An 'Đơn vị thực hiện / chủ trì' field or lead cell -> (leads, supports).

    A plain list gives leads only.  Role tags give their roles ("Chủ trì: X;
    Phối hợp: Y", "X (chủ trì), Y (phối hợp)").  "X chủ trì, phối hợp với Y"
    gives X and Y; a run of sentences gives the doer of each clause as a lead
    ("Các phòng ... đánh giá, gửi về Trung tâm .... Trung tâm ... tổng hợp
    ...; phòng ..., Văn phòng ... tổng hợp ..."), and a later clause "Y phối
    hợp" gives Y as support.
    """
    written = _Text.of(text)
    tagged = _tagged_roles(written, level_word)
    if tagged:
        return tagged
    if _reader().predicate.search(written.norm):
        leads, supports = _read_prose(written, level_word, field=True)
        if leads or supports:
            return leads, supports
    return split_units(text, level_word), []


def _tagged_roles(text: _Text, level_word: str | None) -> tuple[list[UnitRef], list[UnitRef]] | None:
    """Roles a cell tags itself, or None: "Chủ trì: X; Phối hợp: Y", "X (chủ trì), Y, Z (phối hợp)".

    A parenthesised tag labels the units listed since the previous tag; units
    after the last tag support a tagged lead (else they lead).  Units listed
    before the first "Tag:" lead (the cell or field is a lead's).
    """
    reader, norm = _reader(), text.norm
    roles: dict[str, list[Span]] = {"lead": [], "support": []}
    labels = list(reader.role_label.finditer(norm))
    if labels:
        # a lead field that names its leads before tagging the rest
        # ("Công chức Văn hóa - Xã hội; phối hợp: các đoàn thể")
        roles["lead"] += _list_spans(norm, 0, labels[0].start())
        for label, end in zip(labels, [m.start() for m in labels[1:]] + [len(norm)]):
            roles[reader.role_of_tag[_key(label["tag"])]] += _list_spans(norm, label.end(), end)
    else:
        untagged: list[Span] = []
        for span, role in _tagged_items(norm, 0, len(norm)):
            untagged.append(span)
            if role:
                roles[role] += untagged
                untagged = []
        if not any(roles.values()):
            return None
        roles["support" if roles["lead"] else "lead"] += untagged
    return _refs(text, roles["lead"], level_word), _refs(text, roles["support"], level_word)


def doer_in_text(text: str, level_word: str | None = None) -> tuple[list[UnitRef], list[UnitRef]]:
    """The units a task's own text names as doers, and the partners of those doers.

    Recipients ("gửi về Bộ phận Một cửa"), objects ("Hướng dẫn Trung tâm ...")
    and partners of an unnamed doer ("Phối hợp với Y ..." opening the text)
    give nothing: the caller decides whether a heading's unit takes them
    (`support_in_text`).
    """
    return _read_prose(_Text.of(text), level_word, field=False)


def support_in_text(text: str, level_word: str | None = None) -> list[UnitRef]:
    """Partners named after "phối hợp / kết hợp (với)" in a text whose lead comes from its heading."""
    written = _Text.of(text)
    groups = _partner_groups(written.norm, 0, len(written.norm))
    return _refs(written, (m.span() for group in groups for m in group), level_word)


def names_only_units(text: str, level_word: str | None = None) -> list[UnitRef]:
    """The units a line names when it names nothing else ("Trạm Y tế xã", "Ủy ban MTTQ Việt
    Nam xã và các đoàn thể:"), else []."""
    body = _reader().heading_lead.sub("", canon(text), count=1).rstrip(" :.")
    units = split_units(body, level_word)
    if units and all(_reader().unit.fullmatch(canon(u.raw).rstrip(" :.;,")) for u in units):
        return units
    return []


def unit_opens(text: str) -> bool:
    """Whether the text opens with a unit's name (a bracket or heading that assigns work)."""
    return bool(_reader().unit.match(canon(text).lstrip()))


def heading_unit(text: str, level_word: str | None = None) -> tuple[list[UnitRef], list[UnitRef]] | None:
    """A heading that names a unit ('Phòng Văn hoá – Xã hội:', 'Giao Phòng ...:') -> (leads, supports), else None."""
    body = _reader().heading_lead.sub("", canon(text), count=1).rstrip(" :.")
    if not _reader().unit.match(body):
        return None
    leads, supports = parse_lead_field(body, level_word)
    return (leads, supports) if leads else None


def _read_prose(text: _Text, level_word: str | None, *, field: bool) -> tuple[list[UnitRef], list[UnitRef]]:
    """Doers and the partners of the sentences that name them.

    A field line (`field=True`) is all about who does what, so every
    sentence's doers count, and a clause whose units only "phối hợp" lists
    supports: after a lead was named ("Phòng X chủ trì; các phòng, ban phối
    hợp"), or alone ("(Công an xã phối hợp)"), while "X phối hợp Y" names a
    lead X working with Y.  A task's text names its doer in the first sentence that names one;
    later sentences add reporting and conditions ("... các phòng báo cáo
    UBND ...") and are not read.
    """
    reader = _reader()
    leads: list[re.Match] = []
    supports: list[re.Match] = []
    for sentence in _sentences(text.norm):
        doers: list[re.Match] = []
        for start, end, opens in sentence:
            group = _subject(text.norm, start, end, opens)
            partners_only = (field and group and reader.partner_next.match(text.norm, group[-1].end())
                             and (leads or doers or not _partner_groups(text.norm, start, end)))
            if partners_only:
                supports += group
            else:
                doers += group
        if doers:
            leads += doers
            supports += [m for start, end, _ in sentence for group in _partner_groups(text.norm, start, end)
                         for m in group]
            if not field:
                break
    return (_refs(text, (m.span() for m in leads), level_word),
            _refs(text, (m.span() for m in supports), level_word))


def _sentences(text: str) -> Iterator[list[tuple[int, int, bool]]]:
    """Each sentence as its clauses' (start, end, opens_sentence)."""
    reader = _reader()
    for start, end in _between(text, reader.sentence_end, 0, len(text)):
        yield [(s, e, n == 0) for n, (s, e) in enumerate(_between(text, reader.clause_end, start, end))]


def _between(text: str, boundary: re.Pattern, start: int, end: int) -> list[Span]:
    """The spans between the boundaries found from start to end."""
    spans, at = [], start
    for match in boundary.finditer(text, start, end):
        spans.append((at, match.start()))
        at = match.end()
    return spans + [(at, end)]


def _groups(text: str, start: int, end: int) -> list[list[re.Match]]:
    """Unit phrases between start and end; coordinated ones ("X, Y và Z") form one group."""
    reader = _reader()
    groups: list[list[re.Match]] = []
    for match in reader.unit.finditer(text, start, end):
        if groups and reader.coordination.fullmatch(text, groups[-1][-1].end(), match.start()):
            groups[-1].append(match)
        else:
            groups.append([match])
    return groups


def _subject(text: str, start: int, end: int, opens_sentence: bool) -> list[re.Match]:
    """The unit group a clause names as its doer, or [].

    The doer opens the clause, perhaps after "Giao" / "Đề nghị"; in a sentence
    that opens with an introductory phrase ("Căn cứ ...,", "Trong quá trình
    ..., nếu ...") it is the first group that no preposition or verb governs.
    """
    reader = _reader()
    groups = _groups(text, start, end)
    if not groups:
        return []
    at = reader.opener.match(text, start, end).end()
    if groups[0][0].start() == at:
        return groups[0]
    if opens_sentence and reader.intro.match(text, at, end):
        for group in groups:
            if not reader.governed.search(text, start, group[0].start()):
                return group
    return []


def _partner_groups(text: str, start: int, end: int) -> list[list[re.Match]]:
    """The unit groups right after "phối hợp / kết hợp (với)" between start and end."""
    by_start = {group[0].start(): group for group in _groups(text, start, end)}
    return [by_start[m.end()] for m in _reader().partner.finditer(text, start, end) if m.end() in by_start]


# --- the rule file's examples ----------------------------------------------------

def _names(refs: list[UnitRef]) -> list[str]:
    return [ref.name for ref in refs]


def _roles(found: tuple[list[UnitRef], list[UnitRef]] | None) -> dict[str, list[str]] | None:
    return None if found is None else {"lead": _names(found[0]), "support": _names(found[1])}


def _type_of(raw: str, level_word: str | None) -> list[Any]:
    ref = canonical_unit(raw, level_word)
    return [ref.name, ref.unit_type, ref.is_collective]


_EXAMPLE_RUNNERS: dict[str, Callable[[str, str | None], Any]] = {
    "canonical_unit": lambda raw, level: canonical_unit(raw, level).name,
    "unit_type": _type_of,
    "split_units": lambda raw, level: _names(split_units(raw, level)),
    "parse_lead_field": lambda raw, level: _roles(parse_lead_field(raw, level)),
    "doer_in_text": lambda raw, level: _roles(doer_in_text(raw, level)),
    "heading_unit": lambda raw, level: _roles(heading_unit(raw, level)),
    "support_in_text": lambda raw, level: _names(support_in_text(raw, level)),
}


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """(case id, expected, actual) for every example of `rules/units.yaml`."""
    for number, example in enumerate(load(RULE_FILE)["examples"], start=1):
        actual = _EXAMPLE_RUNNERS[example["fn"]](example["input"], example.get("level_word"))
        yield f"units:{example['fn']}#{number}", example["expected"], actual
