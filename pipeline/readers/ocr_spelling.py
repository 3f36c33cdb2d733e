"""Spelling for OCR: Tesseract's doubtful readings put right with a lexicon of Vietnamese words.

At a scan's resolution a tone mark is a few pixels, and Tesseract's
Vietnamese model confuses the marks of a vowel that already wears a hat
(ẩ/ấ, ổ/ố, ể/ế, â/ầ, ê/ề), the hook and the acute, a dotted and a hooked
i.  Each misreading is still a syllable ("kiếm" for "kiểm", "dần" for
"dân"), so a list of syllables alone cannot tell them apart; the words
around them can ("kiểm soát", "người dân").  The network also reports, for
each character, the other readings it weighed (hOCR with
`lstm_choice_mode=2`); they are the candidates: the word as read, and the
word with one or two characters swapped for a runner-up.  A candidate scores

    (is a syllable) + (makes a lexicon word with the word before) + (with the word after)
    + channel_weight * ln(Tesseract's confidence in each swapped-in character / in the one it read)

and replaces the reading when it scores higher.  The model also misreads
some marks without weighing the right one at all ("Đấy mạnh" for "Đẩy
mạnh"); those `confusions` are candidates too, at a fixed cost.  Phrases of
administrative text the lexicon lacks ("người dân") add their pairs.  Words in
capitals without Vietnamese letters (abbreviations: UBND, TTHC) are left as
read, unless a letter of a repeat was doubled or lost ("KSTTT", "THC"): then
they are snapped to the list of `abbreviations` they match once repeats are
run together.  A one-letter word (a list label "a", "đ") only leaves an
alphabet it cannot be in.

Words run together are parted again where Vietnamese never joins them: a
comma between two letters, capitals running into lower case ("UBNDngày"),
and a lower-case run that is no syllable but two of the lexicon's.  Quote
marks inside a word in capitals ("T'THC") are specks.  The rules and the
lexicon are in rules/ocr.yaml.
"""
from __future__ import annotations

import functools
import itertools
import math
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import regex as re

from .. import rules
from ..tables import table_rules
from ..textnorm import modern_tones
from .numbering import roman

# A word as punctuation before, letters, punctuation after.
_WORD = re.compile(r"^(\P{L}*)(\p{L}+)(\P{L}*)$")
_EXAMPLE_CHARACTER = re.compile(r"\[([^\]]+)\]|(.)")
_ROMAN = re.compile(r"[IVX]{1,4}")
_ABBREVIATION = re.compile(r"[A-ZĐ]{2,}")


@dataclass(frozen=True)
class Reading:
    """A word as Tesseract read it: its text and, for each character, the readings the network
    weighed, best first, each with its confidence (0-100)."""

    text: str
    choices: tuple[tuple[tuple[str, float], ...], ...] = ()


@dataclass(frozen=True)
class _Rules:
    syllables: frozenset[str]
    pairs: frozenset[tuple[str, str]]  # syllables that follow each other in a word of the lexicon
    max_swaps: int
    channel_weight: float
    alphabet: frozenset[str]
    confusions: dict[str, str]
    confusion_cost: float
    numbered: frozenset[str]
    lookalikes: dict[int, str]
    speck: re.Pattern
    run_together: list[tuple[re.Pattern, str]]
    dashes: frozenset[str]
    misread: dict[str, str]
    repair_cost: float
    abbreviations: dict[str, str | None]  # an abbreviation's letters, repeats run together -> it (None: two)
    stray_digit: re.Pattern


def _runs(letters: str) -> str:
    """Letters with each run of one letter made one ("KSTTT" -> "KST")."""
    return re.sub(r"(.)\1+", r"\1", letters)


def _abbreviations(data: dict) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for abbreviation in [*data["types"], *data["bodies"], *data["words"]]:
        key = _runs(abbreviation)
        out[key] = abbreviation if out.get(key, abbreviation) == abbreviation else None
    return out


@functools.lru_cache(maxsize=1)
def spelling_rules() -> _Rules:
    """The lexicon and rules of rules/ocr.yaml (loaded once per process)."""
    data = rules.load("ocr")
    words = [word.split() for word in [*data["lexicon"].split("\n"), *data["phrases"]] if word.strip()]
    return _Rules(
        syllables=frozenset(syllable for word in words for syllable in word),
        pairs=frozenset(pair for word in words for pair in zip(word, word[1:])),
        max_swaps=data["max_swaps"], channel_weight=data["channel_weight"],
        alphabet=frozenset(string.ascii_lowercase + rules.load("encodings")["alphabet"]),
        confusions=dict(data["confusions"]), confusion_cost=data["confusion_cost"],
        numbered=frozenset(data["numbered"]), lookalikes=str.maketrans(data["lookalikes"]),
        speck=re.compile(data["speck"]),
        run_together=[(re.compile(rule["pattern"]), rule["replace"]) for rule in data["run_together"]],
        dashes=frozenset(data["row_labels"]["dashes"]),
        misread=dict(data["row_labels"]["misread"]), repair_cost=data["row_labels"]["repair_cost"],
        abbreviations=_abbreviations(data["abbreviations"]),
        stray_digit=re.compile(rf"(?<=\d/)\d(?=(?:{'|'.join(map(re.escape, data['abbreviations']['types']))})-)"))


def respell(words: list[Reading], following: str = "") -> list[str]:
    """The text of each word of a line, misreadings put right and words run together parted.

    `following` is the word the next line starts with: a paragraph's words
    ("thẩm | quyền") go on over its line breaks.
    """
    out: list[str] = []
    for n, word in enumerate(words):
        after = words[n + 1].text if n + 1 < len(words) else following
        out.append(_part(_best(word, out[-1] if out else "", after)))
    return out


def _key(letters: str) -> str:
    """How the lexicon spells a word: lower case, NFC, modern tone placement."""
    return modern_tones(unicodedata.normalize("NFC", letters)).casefold()


def _best(word: Reading, before: str, after: str) -> str:
    """The word's most likely spelling given its alternatives and its neighbours."""
    r = spelling_rules()
    found = _WORD.match(word.text)
    if not found:
        return word.text
    lead, letters, trail = found.groups()
    if len(letters) == 1:
        return _letter(word, lead, trail)
    left = _letters(before) if not lead and not _trails(before) and not _both_names(before, letters) else None
    right = _letters(after) if not trail and not _leads(after) and not _both_names(letters, after) else None
    numeral = left in r.numbered
    if not numeral and _key(letters) not in r.syllables and letters.isascii():
        return word.text

    def score(candidate: str, channel: float) -> float:
        key = _key(candidate)
        return (_valid(candidate, numeral) + (left is not None and (left, key) in r.pairs)
                + (right is not None and (key, right) in r.pairs) + r.channel_weight * channel)

    shape = [ch.isupper() for ch in letters]
    best, best_score = word.text, score(letters, 0.0)
    options = _candidates(word, r.max_swaps)
    for text, cost in _confused(word.text).items():
        options[text] = max(options.get(text, cost), cost)
    for text, channel in options.items():
        candidate = _WORD.match(text)
        if candidate is None or candidate.group(1, 3) != (lead, trail) \
                or [ch.isupper() for ch in candidate.group(2)] != shape:
            continue
        value = score(candidate.group(2), channel)
        if value > best_score:
            best, best_score = text, value
    return best


def _vietnamese(letters: str) -> bool:
    """True for letters of the Vietnamese alphabet (or of the Latin one: quoted names, abbreviations)."""
    return all(ch.lower() in spelling_rules().alphabet for ch in letters)


def _letter(word: Reading, lead: str, trail: str) -> str:
    """A one-letter word (a list label "g)") outside the Vietnamese alphabet ("ø)"): the likeliest
    of Tesseract's alternatives that is in it."""
    if _vietnamese(word.text[len(lead):len(word.text) - len(trail)]):
        return word.text
    options = [(cost, text) for text, cost in _candidates(word, 1).items()
               if (found := _WORD.match(text)) and found.group(1, 3) == (lead, trail)
               and len(found.group(2)) == 1 and _vietnamese(found.group(2))]
    return max(options)[1] if options else word.text


def _valid(letters: str, numeral: bool) -> bool:
    """A Vietnamese syllable; in capitals, an abbreviation without tone marks or hats ("UBND", not
    "ƯBND"); after a word that takes one ("quý"), a Roman numeral."""
    if numeral:
        return bool(_ROMAN.fullmatch(letters))
    return _key(letters) in spelling_rules().syllables or bool(_ABBREVIATION.fullmatch(letters))


def _both_names(first: str, second: str) -> bool:
    """True for two words in title case: part of a name ("Đặng Quang"), where the lexicon's words
    ("đăng quang") say nothing."""
    return all(len(word) > 1 and word[0].isupper() and word[1:].islower() for word in (first, second))


def _letters(text: str) -> str | None:
    found = _WORD.match(text)
    return _key(found.group(2)) if found else None


def _trails(text: str) -> bool:
    """True when punctuation ends `text` (so it does not make a word with what follows)."""
    found = _WORD.match(text)
    return found is None or bool(found.group(3))


def _leads(text: str) -> bool:
    found = _WORD.match(text)
    return found is None or bool(found.group(1))


def _confused(text: str) -> dict[str, float]:
    """The word with one of the marks the model misreads (often without weighing the right one)
    put back (`confusions`: "Đấy" -> "Đẩy"), each at the confusion's cost."""
    r = spelling_rules()
    out = {}
    for n, ch in enumerate(text):
        meant = r.confusions.get(ch.lower())
        if meant:
            out[text[:n] + (meant.upper() if ch.isupper() else meant) + text[n + 1:]] = r.confusion_cost
    return out


def _candidates(word: Reading, max_swaps: int) -> dict[str, float]:
    """Spellings from the network's choices, each with ln(confidence ratio) summed over its swaps."""
    choices = [position for position in word.choices if position and position[0][0].strip()]
    best = [position[0][0] for position in choices]
    swaps = [(n, text, math.log(confidence / max(position[0][1], 1e-3)))
             for n, position in enumerate(choices) for text, confidence in position[1:]
             if confidence > 0 and text.strip()]
    out = {"".join(best): 0.0} if best else {}
    for count in range(1, max_swaps + 1):
        for combination in itertools.combinations(swaps, count):
            if len({n for n, _, _ in combination}) < count:
                continue
            spelled = list(best)
            for n, text, _ in combination:
                spelled[n] = text
            out.setdefault("".join(spelled), sum(cost for _, _, cost in combination))
    return out


def _part(text: str) -> str:
    """A word with look-alike letters of other alphabets made Vietnamese, specks inside it dropped
    and words run together parted."""
    r = spelling_rules()
    text = r.speck.sub("", text.translate(r.lookalikes))
    for pattern, replace in r.run_together:
        text = pattern.sub(replace, text)
    text = _CAPITALS.sub(_snap, r.stray_digit.sub("", text))
    return " ".join(_split(token) for token in text.split(" "))


_CAPITALS = re.compile(r"(?<!\p{L})\p{Lu}{2,}\p{Ll}?(?!\p{L})")


def _snap(found: re.Match) -> str:
    """An abbreviation in capitals with a letter doubled or dropped ("KSTTT", "THC", "QĐĐĐ") as
    the `abbreviations` spell it ("KSTT", "TTHC", "QĐ"): the one, if any, with the same letters
    once repeats are run together.  A two-letter one (a kind of document) only inside a
    document's symbol ("/QĐĐĐ-UBND"), where no other word stands."""
    r = spelling_rules()
    letters = found.group()
    if letters in r.abbreviations.values() or _key(letters) in r.syllables:
        return letters
    meant = r.abbreviations.get(_runs(letters))
    if meant is None or meant == letters:
        return letters
    text = found.string
    in_symbol = text[found.start() - 1:found.start()] == "/" or text[found.end():found.end() + 1] == "-"
    return meant if len(meant) > 2 or in_symbol else letters


def _split(token: str) -> str:
    """A run of letters in lower, title or upper case that is no syllable, parted into two lexicon
    syllables of two letters or more ("tầngvà" -> "tầng và", "HẢIPHÒNG") when exactly one way works;
    anything else as it is."""
    r = spelling_rules()
    found = _WORD.match(token)
    if not found or not (found.group(2)[1:].islower() or found.group(2).isupper()) \
            or _key(found.group(2)) in r.syllables:
        return token
    letters = found.group(2)
    ways = [n for n in range(2, len(letters) - 1)
            if _key(letters[:n]) in r.syllables and _key(letters[n:]) in r.syllables]
    if len(ways) != 1:
        return token
    return f"{found.group(1)}{letters[:ways[0]]} {letters[ways[0]:]}{found.group(3)}"


# ---------------------------------------------------------------------------
# Row labels

class LabelColumn:
    """The label column of a scanned table, page after page: the labels seen so far."""

    def __init__(self) -> None:
        self.series = _Series()

    def read(self, cells: list[list[Reading]]) -> list[str | None]:
        """For each cell of the column (its words), the label it holds: of the spellings a one-word
        cell may have, the one that best continues the labels above it; None for a cell holding
        no label.

        A lone label has no words around it to tell "c" from "C" or "i" from
        "I", but the labels before it do: after "b" comes "c", after "2"
        comes "2.1".  A label that goes on in the kind of the row above ranks
        first, one that goes on in another kind next, one that starts a kind
        last; the reading is kept unless an alternative that goes on ranks
        better.
        """
        out: list[str | None] = []
        for words in cells:
            label = self._best(words[0]) if len(words) == 1 else None
            if label is not None:
                self.series.take(label)
            out.append(label)
        return out

    def _best(self, word: Reading) -> str | None:
        """The likeliest label a one-word cell holds; its reading when no spelling goes on in the
        series but the reading is a label; None when it is none."""
        repairs = self.series.rank(word.text) not in _GOES_ON
        ranked = [(-rank, cost, spelled == word.text, spelled) for spelled, cost in _label_options(word, repairs).items()
                  if (rank := self.series.rank(spelled)) is not None and (rank < _STARTS or spelled == word.text)]
        if ranked:
            return max(ranked)[3]
        return word.text if _label(word.text) is not None else None


def _label_options(word: Reading, repairs: bool = True) -> dict[str, float]:
    """The spellings a lone label may have, each with its cost: Tesseract's reading and
    alternatives, and (with `repairs`) the misreadings its alternatives miss (`_repairs`) put
    right."""
    read = {**_candidates(word, spelling_rules().max_swaps), word.text: 0.0}
    options = dict(read)
    if not repairs:
        return options
    for spelled, cost in read.items():
        for repaired, extra in _repairs(spelled).items():
            options[repaired] = max(options.get(repaired, -math.inf), cost + extra)
    return options


def _repairs(text: str) -> dict[str, float]:
    """What a lone label may have been: its dot put back ("21" -> "2.1"), a stray character dropped
    ("34.1" -> "3.1"), a capital in lower case ("C" -> "c"), and the `misread` rules ("H" -> "II")."""
    r = spelling_rules()
    if len(text) > _LABEL_LENGTH:
        return {}
    out = {text[:n] + text[n + 1:]: r.repair_cost for n in range(len(text))} if len(text) > 1 else {}
    if text.isdigit():
        out.update({f"{text[:n]}.{text[n:]}": r.repair_cost for n in range(1, len(text))})
    if len(text) == 1 and text.isupper():
        out[text.lower()] = r.repair_cost
    for wrong, right in r.misread.items():
        if wrong in text:
            out[text.replace(wrong, right)] = r.repair_cost
    return out


_STARTS = 4  # the rank of a label that starts its kind
# The ranks of a reading that goes on by one in a kind ("5" after "4", even with
# "a".."e" between): it is taken as read, not repaired into another label.
_GOES_ON = (0, 2)
_LABEL_LENGTH = 6  # no row label is longer ("12.3.4")
_ROMAN_VALUES = {roman(n).upper(): n for n in range(1, 40)}  # "I" .. "XXXIX"


@dataclass
class _Series:
    """The row labels of a table so far: the last one of each kind, and the kind of the last."""

    last: dict[str, tuple[int, ...]] = field(default_factory=dict)
    kind: str | None = None

    def rank(self, label: str) -> int | None:
        """Lower is likelier: 0-1 go on in the last kind (by one, by two), 2-3 in another kind
        seen before, 4 starts a kind (or a kind's first value again); None for no label."""
        parsed = _label(label)
        if parsed is None:
            return None
        kind, value = parsed
        if kind == "dash":
            return 0
        last = self.last.get(kind)
        step = _step(last, value) if last is not None else None
        if step is not None:
            return (0 if kind == self.kind else 2) + step - 1
        return _STARTS if value == (1,) else None

    def take(self, label: str) -> None:
        parsed = _label(label)
        if parsed is not None and parsed[0] != "dash":
            self.kind, self.last[parsed[0]] = parsed


def _label(text: str) -> tuple[str, tuple[int, ...]] | None:
    """A row label's kind and value: ("number", (2, 1)) for "2.1.", ("letter", (3,)) for "c)"."""
    label = text.strip().rstrip(".)").lstrip("(")
    if label in spelling_rules().dashes:
        return "dash", ()
    if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*", label):
        return "number", tuple(int(part) for part in label.split("."))
    if label in _ROMAN_VALUES:
        return "roman", (_ROMAN_VALUES[label],)
    letters = table_rules().letters
    if label in letters:
        return "letter", (letters.index(label) + 1,)
    if len(label) == 1 and label.lower() in letters:
        return "capital", (letters.index(label.lower()) + 1,)
    return None


def _step(last: tuple[int, ...], value: tuple[int, ...]) -> int | None:
    """1 or 2 when `value` is the next label after `last` (skipping one), a dotted number's first
    child or the next at one of its levels; None otherwise."""
    if value == (*last, 1):
        return 1
    for level in range(len(last)):
        if value[:-1] == last[:level] and len(value) == level + 1 and 1 <= value[-1] - last[level] <= 2:
            return value[-1] - last[level]
    return None


# ---------------------------------------------------------------------------
# Rule examples

def _example_reading(spec: str) -> Reading:
    """A word written as in the examples: "đ[ố:80/ổ:78]i" is "đối", whose second character might
    be "ổ"; plain characters are read with full confidence."""
    choices = []
    for bracket, plain in _EXAMPLE_CHARACTER.findall(spec):
        if plain:
            choices.append(((plain, 100.0),))
        else:
            choices.append(tuple((ch, float(value)) for ch, value in (item.split(":") for item in bracket.split("/"))))
    return Reading("".join(position[0][0] for position in choices), tuple(choices))


def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """The examples of rules/ocr.yaml, checked by the test suite."""
    examples = rules.load("ocr")["examples"]
    for n, case in enumerate(examples["respell"]):
        yield f"ocr.respell[{n}]", case["expected"], " ".join(respell([_example_reading(w) for w in case["input"].split()]))
    for n, case in enumerate(examples["row_labels"]):
        cells = [[_example_reading(word) for word in cell.split()] for cell in case["input"]]
        yield f"ocr.row_labels[{n}]", case["expected"], LabelColumn().read(cells)
