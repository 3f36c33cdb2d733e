"""Readers for real files: DOCX, PDF (with OCR for scans), HTML and Markdown.

Each reader turns one file into `pipeline.read.RawDocument` lines, the shape
plain text takes: one line per paragraph (or visual line of a PDF), tables as
one line per row with cells joined by tabs, list numbering written into the
text as its label.  `pipeline.read.read` picks the reader by file suffix.
Submodules are imported on first use, so reading text needs no PDF library.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..read import RawDocument

# source_format -> (module, function) of its reader
_READERS = {
    "docx": ("docx", "read_docx"),
    "pdf": ("pdf", "read_pdf"),
    "html": ("html", "read_html"),
    "md": ("markdown", "read_markdown"),
}


def reader_for(source_format: str) -> Callable[[Path], RawDocument]:
    """The function that reads files of `source_format` (a key of `_READERS`)."""
    module, function = _READERS[source_format]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)
