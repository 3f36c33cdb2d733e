"""Canonical Vietnamese text: the one spelling every rule and comparison works on.

Government documents mix Unicode forms (NFC, NFD), two tone-mark conventions
(`hoá` / `hóa`), several dashes and stray HTML or Markdown.  Rules are written
against the canonical form SPEC.md defines, so every matcher calls `canon` (or
`fold` for case-insensitive matching) instead of inventing its own cleanup.
`*_raw` columns keep the document's spelling, NFC only (`nfc`).
"""
from __future__ import annotations

import functools
import unicodedata

import regex as re

_TONES = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook above, tilde, dot below
# The tone of an open `oa`, `oe`, `uy` sits on its first vowel (hoá -> hóa,
# thuỷ -> thủy) unless a `q` makes the `u` a consonant (quý, quả stay), and
# only at the end of a syllable: in `hoặc` the dot belongs to `ă`, whose
# breve follows it in NFD.
_OLD_TONE_OA = re.compile(r"(?<![qQ])([oO])([aAeE])([" + _TONES + r"])(?![\p{L}\p{M}\p{N}])")
_OLD_TONE_UY = re.compile(r"(?<![qQ])([uU])([yY])([" + _TONES + r"])(?![\p{L}\p{M}\p{N}])")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_HTML_TAG = re.compile(r"<[^>]+>")
_MD_EMPHASIS = re.compile(r"\*\*|~~|__")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")


def nfc(text: str) -> str:
    """NFC only: the form `*_raw` columns keep."""
    return unicodedata.normalize("NFC", text)


def modern_tones(text: str) -> str:
    """Move old-style tone marks to the first vowel of `oa`, `oe`, `uy`."""
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _OLD_TONE_OA.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    decomposed = _OLD_TONE_UY.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", decomposed)


def strip_markup(text: str) -> str:
    """Drop HTML tags and Markdown emphasis markers, keep their words."""
    text = _HTML_TAG.sub(" ", text)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return _MD_EMPHASIS.sub("", text)


def squeeze(text: str) -> str:
    """Collapse runs of white space into one space and trim."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


@functools.lru_cache(maxsize=1 << 16)
def canon(text: str | None) -> str:
    """The canonical spelling of `text` (SPEC: NFC, modern tones, one dash, single spaces).

    Cached: every stage canonicalises the same lines again and again.
    """
    if not text:
        return ""
    text = modern_tones(text)
    text = strip_markup(text)
    text = _DASHES.sub("-", text)
    return squeeze(text)


def fold(text: str | None) -> str:
    """`canon` plus case folding: the key for case-insensitive matching."""
    return canon(text).casefold()
