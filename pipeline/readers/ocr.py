"""OCR for scanned pages: Tesseract with its Vietnamese model, when it is installed.

Plans often circulate as scans of the signed paper.  Such a PDF has page
images and no text layer; its pages are rendered at `DPI` (pypdfium2, which
pdfplumber already uses) and read by the `tesseract` command with `-l vie`.
Tesseract reports each word with its box (TSV output), so the PDF reader
lays scanned pages out with the same rules as text pages: side-by-side
columns, paragraphs, page numbers.  The ruling lines of tables are found in
the image (long straight runs of ink) and erased before OCR, so they are
not read as "|" or "I"; the PDF reader builds the table's cells from them
with pdfplumber's table finder and puts each word in its cell.  Tesseract is a system program, not a
Python package: without it (or without its Vietnamese data) the PDF reader
reports what to install instead of returning an empty document.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

from ..read import ReadError
from .encodings import ocr_word

INSTALL_HINT = ("install Tesseract with its Vietnamese model to read it "
                "(Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-vie)")
LANGUAGE = "vie"
DPI = 300
_POINTS = 72 / DPI  # PDF points per rendered pixel
# Tesseract page segmentation: 4 = one column of text of variable sizes, which keeps
# a plan's lines (and the cells of a row) in reading order better than full auto layout.
_PAGE_SEGMENTATION = "4"
# One Tesseract thread per page: its own threads only contend with each other on small machines.
_ENVIRONMENT = {**os.environ, "OMP_THREAD_LIMIT": "1"}
# Grey levels below this are ink.
_INK = 128
# A straight run of ink at least this long (in inches) is a ruling line, not a letter stroke.
_RULE_LENGTH = 0.18
# Pixels left out at each side of a table cell read on its own (what is left of its ruling).
_CELL_INSET = 3
# Tesseract page segmentation for one cell: 6 = a single block of text.
_CELL_SEGMENTATION = "6"


@dataclass(frozen=True)
class OcrWord:
    """A word Tesseract read, with its box in PDF points."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class OcrPage:
    """What OCR found on a page: lines of words, ruling lines as pdfplumber line objects, and the
    page image (rulings erased, kept as PNG) for reading single table cells again."""

    lines: list[list[OcrWord]]
    rulings: list[dict]
    png: bytes = field(repr=False)

    @functools.cached_property
    def _pixels(self) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(self.png)).convert("L"))

    def read_box(self, box: tuple[float, float, float, float]) -> str:
        """Text in a box of the page (points), read on its own.

        Tesseract's page layout drops short, isolated words such as a table
        row's number ("1", "II"); read alone, such a cell comes back.
        """
        x0, top, x1, bottom = (int(v / _POINTS) for v in box)
        crop = self._pixels[top + _CELL_INSET:bottom - _CELL_INSET, x0 + _CELL_INSET:x1 - _CELL_INSET]
        if crop.size == 0 or not (crop < _INK).any():
            return ""
        with tempfile.TemporaryDirectory() as tmp:
            image_path = Path(tmp) / "cell.png"
            Image.fromarray(crop).save(image_path)
            text = _tesseract(image_path, _CELL_SEGMENTATION, "txt", "a table cell")
        return " ".join(ocr_word(word) for word in text.split())


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """True when `tesseract` is on the PATH and has the Vietnamese model."""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return LANGUAGE in (listed.stdout + listed.stderr).split()


def ocr_pages(path: Path, page_numbers: list[int]) -> Iterator[tuple[int, OcrPage]]:
    """(page number, what OCR found) for each listed (1-based) page of the PDF at `path`, in order.

    Pages are rendered one after another (pdfium is not thread-safe) and read
    by one Tesseract process per core at a time.
    """
    document = pypdfium2.PdfDocument(str(path))
    try:
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            pending = []
            for number in page_numbers:
                image_path = Path(tmp) / f"page{number}.png"
                rulings = _prepare(document[number - 1], image_path)
                tsv = pool.submit(_tesseract, image_path, _PAGE_SEGMENTATION, "tsv", f"{path}, page {number}")
                pending.append((number, rulings, image_path, tsv))
            for number, rulings, image_path, tsv in pending:
                yield number, OcrPage(lines=_lines(tsv.result()), rulings=rulings, png=image_path.read_bytes())
    finally:
        document.close()


def _prepare(page: pypdfium2.PdfPage, image_path: Path) -> list[dict]:
    """Render the page, find its ruling lines, save it without them for Tesseract; the rulings."""
    pixels = np.asarray(page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")).copy()
    horizontal, vertical = _rules(pixels < _INK)
    pixels[horizontal | vertical] = 255
    Image.fromarray(pixels).save(image_path)
    return _segments(horizontal, across=True) + _segments(vertical.T, across=False)


def _tesseract(image_path: Path, segmentation: str, output: str, where: str) -> str:
    """Run Tesseract's Vietnamese model on an image; its text or TSV output."""
    command = ["tesseract", str(image_path), "stdout", "-l", LANGUAGE, "--psm", segmentation]
    if output == "tsv":
        command.append("tsv")
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=_ENVIRONMENT)
    if result.returncode != 0:
        raise ReadError(f"{where}: Tesseract failed ({result.stderr.strip()})")
    return result.stdout


def _runs(ink: np.ndarray, length: int) -> np.ndarray:
    """The pixels of `ink` that belong to a horizontal run of at least `length` (a morphological opening)."""
    height, width = ink.shape
    if width < length:
        return np.zeros_like(ink)
    summed = np.zeros((height, width + 1), dtype=np.int16)  # a page row is narrower than 32,767 pixels
    np.cumsum(ink, axis=1, out=summed[:, 1:])
    starts = (summed[:, length:] - summed[:, :-length]) == length  # a full run starts at this column
    padded = np.pad(starts, ((0, 0), (length - 1, length - 1)))
    marks = np.zeros((height, padded.shape[1] + 1), dtype=np.int16)
    np.cumsum(padded, axis=1, out=marks[:, 1:])
    return (marks[:, length:] - marks[:, :-length]) > 0  # a run starts within `length` to the left


def _rules(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the page's horizontal and vertical ruling lines."""
    length = int(_RULE_LENGTH * DPI)
    return _runs(ink, length), _runs(ink.T, length).T


def _segments(mask: np.ndarray, across: bool) -> list[dict]:
    """Ruling lines (rows of `mask`; columns when `across` is False, the mask given transposed)
    as pdfplumber line objects in points, one per run, rows of a thick line merged."""
    segments: list[list[float]] = []  # [start, end, first row, last row]
    for row in np.flatnonzero(mask.any(axis=1)):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], mask[row].astype(np.int8), [0]))))
        for start, end in zip(edges[::2], edges[1::2]):
            near = next((s for s in segments if s[3] >= row - 2 and s[0] < end and start < s[1]), None)
            if near:
                near[0], near[1], near[3] = min(near[0], start), max(near[1], end), row
            else:
                segments.append([start, end, row, row])
    out = []
    for start, end, first, last in segments:
        middle, lo, hi = float((first + last) / 2 * _POINTS), float(start * _POINTS), float(end * _POINTS)
        if across:
            out.append({"object_type": "line", "x0": lo, "x1": hi, "top": middle, "bottom": middle,
                        "width": hi - lo, "height": 0.0})
        else:
            out.append({"object_type": "line", "x0": middle, "x1": middle, "top": lo, "bottom": hi,
                        "width": 0.0, "height": hi - lo})
    return out


def _lines(tsv: str) -> list[list[OcrWord]]:
    """Tesseract's TSV (one row per word, numbered by block, paragraph and line) as lines of words."""
    lines: dict[tuple[str, str, str], list[OcrWord]] = {}
    for row in csv.DictReader(tsv.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top = int(row["left"]) * _POINTS, int(row["top"]) * _POINTS
        word = OcrWord(left, left + int(row["width"]) * _POINTS, top, top + int(row["height"]) * _POINTS,
                       ocr_word(text))
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(word)
    return list(lines.values())
