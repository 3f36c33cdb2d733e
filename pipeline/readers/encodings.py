"""Text that arrives in the wrong encoding, and the typographic conventions the readers undo.

Vietnamese plans written in the 1990s-2000s and files still edited from them
use the 8-bit TCVN3 (ABC) and VNI encodings: the text reads as Latin-1
gibberish ("KÕ ho¹ch", "Keá hoaïch").  Readers meet it in three places: a text
file's bytes, a DOCX run set in a ".VnTime" or "VNI-Times" font, and a PDF
whose fonts map codes to Windows-1252.  This module recognises such text by
the characters it holds that are not Vietnamese letters and the words that
are not Vietnamese syllables, converts it, and says what it repaired so
that `documents.warnings` can tell the analyst.

It also holds the small conventions every reader shares: the list label a
bullet glyph stands for, what a page number looks like, how two visual lines
of a paragraph join, the misreadings of OCR that cannot be Vietnamese.  All
of it is data in `rules/encodings.yaml`, with its examples.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex as re

from .. import rules
from ..textnorm import nfc

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WORD = re.compile(r"\S+")
# Words for the syllable check: runs between white space and hyphens, without edge punctuation.
_TOKEN = re.compile(r"[^\s\-/]+")
_EDGE_PUNCTUATION = "\"'()[]{}.,;:!?“”‘’…*"
_ASCII_UPPER = re.compile(r"[A-Z]")
_ASCII_LOWER = re.compile(r"[a-z]")
# Windows-1252's characters for bytes 0x80-0x9F, applied to a Latin-1 reading.
_CP1252_C1 = {b: bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0x80, 0xA0)}


class EncodingError(ValueError):
    """Bytes that are not text in any encoding this module knows."""


@dataclass(frozen=True)
class LegacyEncoding:
    """One legacy Vietnamese encoding: its conversion table and the fonts that use it."""

    key: str
    name: str
    table: dict[str, str]
    pattern: re.Pattern
    fonts: re.Pattern
    capital_fonts: re.Pattern | None
    lowercase_only: bool

    def convert(self, text: str, capitals: bool = False) -> str:
        """Legacy characters to Unicode (NFC).

        `capitals` says the text is set in a capitals font (".VnTimeH"), so
        every letter is upper case.  Without that knowledge, an encoding with
        no capital tone letters gets its capitals back word by word
        (`_capital_words`).
        """
        if capitals:
            return nfc(self._map(text)).upper()
        if self.lowercase_only:
            return "\n".join(self._convert_line(line) for line in text.split("\n"))
        return nfc(self._map(text))

    def _map(self, text: str) -> str:
        return self.pattern.sub(lambda m: self.table[m.group()], text)

    def _convert_line(self, line: str) -> str:
        capitals = self._capital_words(line)
        if not capitals:
            return nfc(self._map(line))
        out, last = [], 0
        for n, match in enumerate(_WORD.finditer(line)):
            word = nfc(self._map(match.group()))
            out.append(line[last:match.start()])
            out.append(word.upper() if n in capitals else word)
            last = match.end()
        out.append(line[last:])
        return "".join(out)

    def _capital_words(self, line: str) -> set[int]:
        """Indexes of the words a capitals font wrote.

        TCVN3 has codes for lower-case tone letters only; headings are set in
        a capitals font that draws those codes as capitals, so "KẾ HOẠCH"
        arrives as "KÕ HO¹CH".  A word with a lower-case legacy code and no
        ASCII small letter is such a word when one word of that kind on the
        line shows it plainly: two ASCII capitals ("HO¹CH") or a capital after
        the legacy code ("ñY").  A title-case "Tæ chøc" or "Sè:" keeps its
        small letter.
        """
        candidates: list[int] = []
        plain = False
        for n, match in enumerate(_WORD.finditer(line)):
            word = match.group()
            lower_at = [i for i, ch in enumerate(word) if self.table.get(ch, "").islower()]
            if not lower_at or _ASCII_LOWER.search(word):
                continue
            candidates.append(n)
            plain = plain or len(_ASCII_UPPER.findall(word)) >= 2 or bool(_ASCII_UPPER.search(word, lower_at[0]))
        return set(candidates) if plain else set()


@dataclass(frozen=True)
class _Rules:
    """`rules/encodings.yaml`, compiled once."""

    legacy: dict[str, LegacyEncoding]
    letters: frozenset[str]
    syllable: re.Pattern
    tone_marks: str
    min_stray: int
    max_left: float
    bullet_default: str
    bullet_glyphs: dict[str, str]
    line_mark: re.Pattern
    furniture_margin: float
    furniture_repeat: float
    page_number: re.Pattern
    soft_hyphens: str
    tight_line_ends: str
    ocr_confusions: dict[str, str]
    ocr_edge_noise: str
    broken_year: tuple[re.Pattern, re.Pattern, re.Pattern]


def _legacy(key: str, spec: dict[str, Any]) -> LegacyEncoding:
    table = {str(k): str(v) for k, v in spec["map"].items()}
    alternation = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    capital_fonts = spec.get("capital_fonts")
    return LegacyEncoding(
        key=key, name=spec["name"], table=table, pattern=re.compile(alternation),
        fonts=re.compile(spec["fonts"], re.IGNORECASE),
        capital_fonts=re.compile(capital_fonts, re.IGNORECASE) if capital_fonts else None,
        lowercase_only=bool(spec.get("lowercase_only")))


@functools.lru_cache(maxsize=1)
def encoding_rules() -> _Rules:
    """The compiled rules (loaded once per process)."""
    data = rules.load("encodings")
    alphabet = data["alphabet"]
    furniture = data["page_furniture"]
    return _Rules(
        legacy={key: _legacy(key, spec) for key, spec in data["legacy"].items()},
        letters=frozenset(alphabet + alphabet.upper() + data["typography"]),
        syllable=re.compile("^" + "".join(data["syllable"][part] for part in ("onset", "nucleus", "final")) + "$"),
        tone_marks=data["tone_marks"],
        min_stray=data["detect"]["min_stray"], max_left=data["detect"]["max_left"],
        bullet_default=data["bullets"]["default"], bullet_glyphs=dict(data["bullets"]["glyphs"]),
        line_mark=re.compile("^([" + re.escape(data["bullets"]["line_marks"]) + r"])(?=\s)"),
        furniture_margin=furniture["margin"], furniture_repeat=furniture["repeat_share"],
        page_number=re.compile(furniture["page_number"]), soft_hyphens=data["soft_hyphens"],
        tight_line_ends=data["tight_line_ends"], ocr_confusions=dict(data["ocr_confusions"]),
        ocr_edge_noise=data["ocr_edge_noise"],
        broken_year=tuple(re.compile(data["broken_year"][k]) for k in ("head", "tail", "year")))


# ---------------------------------------------------------------------------
# Detection and repair

def stray_count(text: str) -> int:
    """Non-ASCII characters that are neither Vietnamese letters, usual typography nor white space."""
    letters = encoding_rules().letters
    return sum(1 for ch in text if ord(ch) > 127 and ch not in letters and not ch.isspace())


@functools.lru_cache(maxsize=65536)
def _is_syllable(word: str) -> bool:
    """True when `word` (lower case, NFC) is one Vietnamese syllable with at most one tone mark."""
    r = encoding_rules()
    decomposed = unicodedata.normalize("NFD", word)
    toneless = "".join(ch for ch in decomposed if ch not in r.tone_marks)
    tones = len(decomposed) - len(toneless)
    return tones <= 1 and bool(r.syllable.match(unicodedata.normalize("NFC", toneless)))


def non_syllables(text: str) -> int:
    """Words holding a non-ASCII character that are not Vietnamese syllables."""
    count = 0
    for token in _TOKEN.findall(text):
        word = token.strip(_EDGE_PUNCTUATION).lower()
        if word and not word.isascii() and not _is_syllable(word):
            count += 1
    return count


def _legacy_reading(text: str) -> tuple[LegacyEncoding, str] | None:
    """The legacy encoding `text` is written in and the text converted, or None for Unicode text.

    Text is taken to be legacy when it holds enough stray characters and one
    conversion turns most of its odd words into Vietnamese syllables; of two
    encodings, the one that leaves fewer odd words wins (TCVN3 turns VNI text
    into valid letters, but not into syllables: "hoaïch" -> "hoaùch").
    """
    r = encoding_rules()
    if stray_count(text) < r.min_stray:
        return None
    before = non_syllables(text)
    readings = [(enc, enc.convert(text)) for enc in r.legacy.values()]
    left, encoding, converted = min(((non_syllables(t), enc, t) for enc, t in readings), key=lambda c: c[0])
    return (encoding, converted) if left <= before * r.max_left else None


def detect(text: str) -> LegacyEncoding | None:
    """The legacy encoding `text` is written in, or None for Unicode text (see `_legacy_reading`)."""
    reading = _legacy_reading(text)
    return reading[0] if reading else None


def repair_text(text: str) -> tuple[str, list[str]]:
    """Decoded text to NFC Unicode, converting a legacy encoding; also what was repaired."""
    warnings: list[str] = []
    if not unicodedata.is_normalized("NFC", text):
        text = nfc(text)
        warnings.append("decomposed Unicode (NFD) composed to NFC")
    reading = _legacy_reading(text)
    if reading:
        encoding, text = reading
        warnings.append(f"text in the legacy {encoding.name} encoding converted to Unicode")
    return text, warnings


def repair_lines(texts: list[str]) -> tuple[list[str], list[str]]:
    """`repair_text` for a document held as separate lines: one decision for the whole document."""
    joined, warnings = repair_text("\n".join(texts))
    return joined.split("\n"), warnings


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """A text file's bytes to NFC Unicode, and what had to be repaired.

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are.
    Other bytes are 8-bit Vietnamese: Windows-1258, or TCVN3 or VNI read
    through Windows-1252; the reading that leaves fewest stray characters
    wins, Windows-1258 on a tie (it is what Windows calls "ANSI" here).  A
    reading still full of stray characters is some other language's
    encoding, and refused.
    """
    if data.startswith(_UTF16_BOMS):
        return repair_text(data.decode("utf-16"))
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if b"\x00" in data[:4096]:
        raise EncodingError("binary data, not a text file")
    try:
        return repair_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    stray, text, warnings = min(_eight_bit_readings(data), key=lambda c: c[0], default=(0, "", []))
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if not text or stray > max(encoding_rules().min_stray, encoding_rules().max_left * non_ascii):
        raise EncodingError("not UTF-8 and not Vietnamese 8-bit text")
    return text, warnings


def _eight_bit_readings(data: bytes) -> Iterator[tuple[int, str, list[str]]]:
    """(stray count, text, warnings) for each 8-bit reading of `data`, Windows-1258 first."""
    try:
        text = nfc(data.decode("cp1258"))
        yield stray_count(text), text, ["decoded as Windows-1258 (cp1258), not UTF-8"]
    except UnicodeDecodeError:
        pass
    text, warnings = repair_text(_windows_1252(data))
    if warnings:
        yield stray_count(text), text, warnings


def _windows_1252(data: bytes) -> str:
    """Bytes as Windows-1252; its five undefined bytes stay Latin-1 (legacy files use them)."""
    return data.decode("latin-1").translate(_CP1252_C1)


# ---------------------------------------------------------------------------
# Glyph conventions

def font_encoding(font: str | None) -> tuple[LegacyEncoding, bool] | None:
    """The legacy encoding a font name implies, and whether it is a capitals font."""
    if not font:
        return None
    for encoding in encoding_rules().legacy.values():
        if encoding.fonts.search(font):
            capitals = bool(encoding.capital_fonts and encoding.capital_fonts.search(font))
            return encoding, capitals
    return None


def bullet_label(glyph: str) -> str:
    """The list mark the structure stage reads for a Word bullet glyph."""
    r = encoding_rules()
    return r.bullet_glyphs.get(glyph.strip(), r.bullet_default)


def list_mark(text: str) -> str:
    """A line that opens with a bullet glyph ("• ", "– ") with that glyph written as its label ("- ")."""
    return encoding_rules().line_mark.sub(lambda m: bullet_label(m.group(1)), text, count=1)


def ocr_word(word: str) -> str:
    """A word as OCR read it, with the misreadings that cannot be Vietnamese put right: specks read
    as quotes or underscores at its ends dropped ("'Thời" -> "Thời"), a lone bar read as "I"."""
    r = encoding_rules()
    return r.ocr_confusions.get(word, word.strip(r.ocr_edge_noise) or word)


def is_page_number(text: str) -> bool:
    """True for a line that is only a page number ("3", "- 3 -", "Trang 3", "3/12")."""
    return bool(encoding_rules().page_number.match(text.strip()))


def join_lines(first: str, second: str) -> str:
    """Two visual lines of one paragraph or table cell as one line.

    A word a soft hyphen broke is rejoined ("phát tri\u00ad" + "ển" ->
    "phát triển"); a line that ends in a hyphen or slash right after a word
    goes on without a space ("98/QĐ-" + "TTg" -> "98/QĐ-TTg", "kinh tế-"
    + "xã hội"); otherwise the lines are joined by one space ("Văn hóa -" +
    "Xã hội" keeps its spaced dash).
    """
    r = encoding_rules()
    head, tail = first.rstrip(), second.lstrip()
    if not head or not tail:
        return head + tail
    if head[-1] in r.soft_hyphens and tail[0].islower():
        return head[:-1] + tail
    if head[-1] in r.tight_line_ends and len(head) > 1 and not head[-2].isspace():
        return head + tail
    if _breaks_a_year(head, tail):
        return head + tail
    return f"{head} {tail}"


def _breaks_a_year(head: str, tail: str) -> bool:
    """The line ends in a date whose year the next line finishes ("30/9/20" + "25")."""
    ends_date, opens_digits, year = encoding_rules().broken_year
    m, n = ends_date.search(head), opens_digits.match(tail)
    return bool(m and n and year.fullmatch(m["part"] + n["rest"]))


# ---------------------------------------------------------------------------
# Rule examples

def example_cases() -> Iterator[tuple[str, Any, Any]]:
    """The examples of rules/encodings.yaml, checked by the test suite."""
    examples = rules.load("encodings")["examples"]
    legacy = encoding_rules().legacy
    for n, case in enumerate(examples["convert"]):
        yield f"encodings.convert[{n}]", case["expected"], legacy[case["encoding"]].convert(case["input"])
    for n, case in enumerate(examples["detect"]):
        found = detect(case["input"])
        yield f"encodings.detect[{n}]", case["expected"], found.key if found else None
    for n, case in enumerate(examples["font"]):
        found = font_encoding(case["input"])
        yield f"encodings.font[{n}]", case["expected"], [found[0].key, found[1]] if found else None
    for n, case in enumerate(examples["bullet"]):
        yield f"encodings.bullet[{n}]", case["expected"], bullet_label(case["input"])
    for n, case in enumerate(examples["line_mark"]):
        yield f"encodings.line_mark[{n}]", case["expected"], list_mark(case["input"])
    for n, case in enumerate(examples["ocr_word"]):
        yield f"encodings.ocr_word[{n}]", case["expected"], ocr_word(case["input"])
    for n, case in enumerate(examples["page_number"]):
        yield f"encodings.page_number[{n}]", case["expected"], is_page_number(case["input"])
    for n, case in enumerate(examples["join_lines"]):
        yield f"encodings.join_lines[{n}]", case["expected"], join_lines(*case["input"])
