"""Read a file into `Line`s with page numbers: the first stage of the pipeline.

Plain text is the format every other reader reduces to.  Text extracted from PDF
or DOCX by other tools carries its page breaks as artifacts; this stage turns
them into page numbers so later stages see only content lines:

* a form feed (``\\f``) starts a new page;
* in "double-spaced" text (each line followed by a blank line, as PDF-to-text
  converters write it) a line that starts with a space and follows a content
  line directly, with no blank line between, is the first line of a new page.

Blank lines are dropped; the surviving lines keep their source line numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import Line
from .readers.encodings import EncodingError, decode_bytes
from .textnorm import nfc, strip_markup


class ReadError(Exception):
    """A file that cannot be read as a plan; the message names the file and the reason."""


@dataclass
class RawDocument:
    """What a reader returns: content lines plus what it had to repair."""

    lines: list[Line]
    n_pages: int
    source_format: str
    warnings: list[str] = field(default_factory=list)


SUPPORTED = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf",
             ".html": "html", ".htm": "html"}


def decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    """Bytes to NFC text and what was repaired: UTF-8 (with or without BOM), UTF-16,
    Windows-1258, or the legacy TCVN3 and VNI encodings (`readers.encodings.decode_bytes`)."""
    try:
        return decode_bytes(data)
    except EncodingError as exc:
        raise ReadError(f"{path}: {exc}") from exc


def _is_double_spaced(raw_lines: list[str]) -> bool:
    """True when most content lines are followed by a blank line."""
    content = followed_by_blank = 0
    for this, nxt in zip(raw_lines, raw_lines[1:]):
        if this.strip():
            content += 1
            followed_by_blank += not nxt.strip()
    return content > 0 and followed_by_blank / content > 0.6


def split_pages(text: str) -> tuple[list[Line], int]:
    """Text to content `Line`s with page numbers (see the module docstring)."""
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    double_spaced = _is_double_spaced(raw_lines)
    lines: list[Line] = []
    page = 1
    blanks = 0
    new_page = True
    for index, raw in enumerate(raw_lines, start=1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
            new_page = True
        if not raw.strip():
            blanks += 1
            continue
        if double_spaced and blanks == 0 and raw[:1] == " " and lines:
            page += 1
            new_page = True
        lines.append(Line(text=nfc(strip_markup(raw)).rstrip(), page=page, lineno=index,
                          blank_before=blanks, page_start=new_page))
        blanks = 0
        new_page = False
    return lines, page


def read_text_file(path: Path) -> RawDocument:
    """Read a `.txt` file."""
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path}: empty file")
    text, warnings = decode(data, path)
    lines, n_pages = split_pages(text)
    if not lines:
        raise ReadError(f"{path}: no text")
    return RawDocument(lines=lines, n_pages=n_pages, source_format=SUPPORTED.get(path.suffix.lower(), "txt"),
                       warnings=warnings)


def read(path: Path) -> RawDocument:
    """Read any supported file into lines with pages."""
    suffix = path.suffix.lower()
    source_format = SUPPORTED.get(suffix)
    if source_format is None:
        raise ReadError(f"{path}: unsupported file type {suffix or '(none)'}")
    if source_format == "txt":
        return read_text_file(path)
    from .readers import reader_for  # imported here: the readers build on this module

    return reader_for(source_format)(path)
