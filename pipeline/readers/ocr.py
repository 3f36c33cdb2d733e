"""OCR for scanned pages: Tesseract with its Vietnamese model, when it is installed.

Plans often circulate as scans of the signed paper.  Such a PDF has page
images and no text layer; its pages are rendered at `DPI` (pypdfium2, which
pdfplumber already uses) and read by the `tesseract` command with `-l vie`.

* The ruling lines of tables are found in the image (long straight runs of
  ink) and erased, so they are not read as "|" or "I".  The PDF reader turns
  them into the table's grid (pdfplumber's table finder); the tables are then
  blanked out of the page, and the page's free text is read on its own.
* Table cells are not read in place: Tesseract's page layout runs a row's
  cells together into one text line and drops short, isolated words such as
  a row's number ("1", "II", "a").  Every cell of a page is cut out and the
  cuts are stacked, well apart, on one image read in a single run: each cell
  is then a paragraph of its own, at the cost of one Tesseract start per page.
* Tesseract reports each word with its box and, per character, the other
  readings its network weighed (hOCR with `lstm_choice_mode=2`); the
  spelling pass (`ocr_spelling.py`) picks among them with a lexicon of
  Vietnamese words, and a table's first column is read as row labels that
  run in sequence ("a", "b", "c", not "C"), over page breaks.

Tesseract is a system program, not a Python package: without it (or without
its Vietnamese data) the PDF reader reports what to install instead of
returning an empty document.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
import regex as re
from PIL import Image

from ..read import ReadError
from . import ocr_spelling
from .encodings import ocr_word

INSTALL_HINT = ("install Tesseract with its Vietnamese model to read it "
                "(Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-vie)")
LANGUAGE = "vie"
DPI = 300
_POINTS = 72 / DPI  # PDF points per rendered pixel
# Tesseract page segmentation: 4 = one column of text of variable sizes, which keeps
# a plan's lines in reading order better than full auto layout (3).
_PAGE_SEGMENTATION = "4"
# One Tesseract thread per page: its own threads only contend with each other on small machines.
_ENVIRONMENT = {**os.environ, "OMP_THREAD_LIMIT": "1"}
# Grey levels below this are ink.
_INK = 128
# A straight run of ink at least this long (in inches) is a ruling line, not a letter stroke.
_RULE_LENGTH = 0.18
# Pixels left out at each side of a table cell (what is left of its ruling).
_CELL_INSET = 3
# Tesseract page segmentation for the stacked cells: 6 = one uniform block of text, which
# keeps a lone row number ("1", "a") that page layout analysis (4) throws away as a speck.
_CELL_SEGMENTATION = "6"
# White space (inches) around and between the cell cuts stacked for one reading: more
# than a line's spacing, so that no two cells are taken for one paragraph.
_CELL_GAP = 0.25
_HOCR = "{http://www.w3.org/1999/xhtml}"
_BOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points
# A page's tables as pdfplumber finds them from ruling lines: rows of cell boxes (None where merged).
Grid = list[list[list[Box | None]]]
# A line as Tesseract read it: each word's box in pixels (x0, top, x1, bottom) and its reading.
_Line = list[tuple[tuple[int, ...], ocr_spelling.Reading]]


@dataclass(frozen=True)
class OcrWord:
    """A word Tesseract read, with its box in PDF points."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class OcrRow:
    """A table row: where it lies on the page and its cells' text (lines joined by newlines)."""

    top: float
    bottom: float
    cells: list[str]


@dataclass(frozen=True)
class OcrPage:
    """What OCR found on a page: the lines of words outside its tables, and its tables' rows."""

    lines: list[list[OcrWord]]
    tables: list[list[OcrRow]]


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


def ocr_pages(path: Path, page_numbers: list[int],
              grid: Callable[[int, list[dict]], Grid]) -> Iterator[tuple[int, OcrPage]]:
    """(page number, what OCR found) for each listed (1-based) page of the PDF at `path`, in order.

    `grid(page number, ruling lines)` gives the page's tables.  Pages are
    rendered one after another (pdfium is not thread-safe); their free text
    and their cells are read by one Tesseract process per core at a time.
    """
    document = pypdfium2.PdfDocument(str(path))
    try:
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            pending = [_submit(pool, document[number - 1], grid, number, Path(tmp),
                               f"{path}, page {number}") for number in page_numbers]
            labels = ocr_spelling.LabelColumn()
            for number, (free, cells, tables) in zip(page_numbers, pending):
                yield number, OcrPage(lines=free.result(), tables=_rows(tables, cells.result(), labels))
    finally:
        document.close()


def _submit(pool: ThreadPoolExecutor, page: pypdfium2.PdfPage, grid: Callable[[int, list[dict]], Grid],
            number: int, tmp: Path, where: str) -> tuple[Future, Future, Grid]:
    """Render a page, find its tables and queue its two readings: the free text, and all its cells."""
    pixels = np.asarray(page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")).copy()
    horizontal, vertical = _rules(pixels < _INK)
    pixels[horizontal | vertical] = 255
    tables = grid(number, _segments(horizontal, across=True) + _segments(vertical.T, across=False))
    stack = _CellStack(pixels, [cell for table in tables for row in table for cell in row if cell])
    for table in tables:
        x0, top, x1, bottom = (int(v / _POINTS) for v in _outline(table))
        pixels[top:bottom + 1, x0:x1 + 1] = 255
    free = pool.submit(_read_lines, pixels, tmp / f"page{number}.png", where)
    cells = pool.submit(stack.read, tmp / f"cells{number}.png", f"{where}, tables")
    return free, cells, tables


def _outline(table: list[list[Box | None]]) -> Box:
    """The box around a table's cells."""
    boxes = [cell for row in table for cell in row if cell]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _rows(tables: Grid, read: dict[Box, list[_Line]], labels: ocr_spelling.LabelColumn) -> list[list[OcrRow]]:
    """The tables' rows with the text read in each cell, the first column's row labels in sequence
    with those of the tables before (`ocr_spelling.LabelColumn`)."""
    out = []
    for table in tables:
        column = labels.read([_readings(read.get(row[0], [])) if row[0] else [] for row in table])
        rows = []
        for row, label in zip(table, column):
            boxes = [cell for cell in row if cell]
            texts = ["\n".join(" ".join(words) for words in _respelled(read.get(cell, []))) if cell else ""
                     for cell in row]
            rows.append(OcrRow(top=min(b[1] for b in boxes), bottom=max(b[3] for b in boxes),
                               cells=[label if label is not None else texts[0]] + texts[1:]))
        out.append(rows)
    return out


def _readings(lines: list[_Line]) -> list[ocr_spelling.Reading]:
    """The words of a cell's lines, in reading order."""
    return [reading for line in lines for _, reading in line]


def _respelled(lines: list[_Line]) -> list[list[str]]:
    """The words of each line, spelling put right with the next line's first word as context."""
    return [ocr_spelling.respell([reading for _, reading in line], following=after[0][1].text if after else "")
            for line, after in zip(lines, lines[1:] + [[]])]


class _CellStack:
    """The cells of a page cut out and stacked on one white image, to be read in one Tesseract run."""

    def __init__(self, pixels: np.ndarray, cells: list[Box]) -> None:
        gap = int(_CELL_GAP * DPI)
        cuts = [(cell, _cut(pixels, cell)) for cell in cells]
        self.cuts = [(cell, cut) for cell, cut in cuts if cut.size and (cut < _INK).any()]
        self.width = max((cut.shape[1] for _, cut in self.cuts), default=0) + 2 * gap
        self.gap = gap

    def read(self, image_path: Path, where: str) -> dict[Box, list[_Line]]:
        """The lines of words read in each cell."""
        if not self.cuts:
            return {}
        heights = [cut.shape[0] for _, cut in self.cuts]
        tops = np.cumsum([self.gap] + [h + self.gap for h in heights[:-1]])
        canvas = np.full((int(tops[-1]) + heights[-1] + self.gap, self.width), 255, dtype=np.uint8)
        for (_, cut), top in zip(self.cuts, tops):
            canvas[top:top + cut.shape[0], self.gap:self.gap + cut.shape[1]] = cut
        Image.fromarray(canvas).save(image_path)
        found: dict[Box, list[_Line]] = {}
        for line in _hocr_lines(_tesseract(image_path, _CELL_SEGMENTATION, where)):
            middle = (line[0][0][1] + line[-1][0][3]) / 2
            slot = int(np.searchsorted(tops, middle, side="right")) - 1
            if slot >= 0:
                found.setdefault(self.cuts[slot][0], []).append(line)
        return found


def _cut(pixels: np.ndarray, cell: Box) -> np.ndarray:
    """The pixels of a table cell without its border (a copy: the page is blanked afterwards)."""
    x0, top, x1, bottom = (int(v / _POINTS) for v in cell)
    return pixels[top + _CELL_INSET:bottom - _CELL_INSET, x0 + _CELL_INSET:x1 - _CELL_INSET].copy()


def _read_lines(pixels: np.ndarray, image_path: Path, where: str) -> list[list[OcrWord]]:
    """The lines of words Tesseract reads on a page image, boxes in PDF points."""
    if not (pixels < _INK).any():
        return []
    Image.fromarray(pixels).save(image_path)
    lines = _hocr_lines(_tesseract(image_path, _PAGE_SEGMENTATION, where))
    return [[OcrWord(x0 * _POINTS, x1 * _POINTS, top * _POINTS, bottom * _POINTS, text)
             for ((x0, top, x1, bottom), _), text in zip(line, texts)]
            for line, texts in zip(lines, _respelled(lines))]


def _tesseract(image_path: Path, segmentation: str, where: str) -> str:
    """Run Tesseract's Vietnamese model on an image; its hOCR with each character's alternatives."""
    command = ["tesseract", str(image_path), "stdout", "-l", LANGUAGE, "--psm", segmentation,
               "-c", "lstm_choice_mode=2", "hocr"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=_ENVIRONMENT)
    if result.returncode != 0:
        raise ReadError(f"{where}: Tesseract failed ({result.stderr.strip()})")
    return result.stdout


def _hocr_lines(hocr: str) -> list[_Line]:
    """Tesseract's hOCR as lines of words, each with its box in pixels and its reading."""
    lines = []
    for line in ET.fromstring(hocr).iter(f"{_HOCR}span"):
        if line.get("class") not in ("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"):
            continue
        words = [(tuple(int(v) for v in _BOX.search(word.get("title", "")).groups()), _reading(word))
                 for word in line.iter(f"{_HOCR}span")
                 if word.get("class") == "ocrx_word" and (word.text or "").strip()]
        if words:
            lines.append(words)
    return lines


def _reading(word: ET.Element) -> ocr_spelling.Reading:
    """An hOCR word: its text and each character's choices (`lstm_choice_mode=2`)."""
    choices = tuple(tuple((choice.text or "", float(choice.get("title", "x_confs 0").split()[-1])) for choice in position)
                    for position in word if position.get("id", "").startswith("lstm_choices"))
    return ocr_spelling.Reading(ocr_word(word.text.strip()), choices)


def _runs(ink: np.ndarray, length: int) -> np.ndarray:
    """The pixels of `ink` that belong to a horizontal run of at least `length`.

    Runs are found from where each row's ink starts and stops, so the cost is
    one pass over the page whatever `length` is.
    """
    height, width = ink.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = ink
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    ends = np.nonzero(edges == -1)[1]  # in the same (row-major) order: the n-th end closes the n-th start
    long = ends - starts >= length
    marks = np.zeros((height, width + 1), dtype=np.int8)
    marks[rows[long], starts[long]] = 1
    marks[rows[long], ends[long]] -= 1
    return np.cumsum(marks, axis=1, dtype=np.int8)[:, :width] > 0


def _rules(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the page's horizontal and vertical ruling lines."""
    length = int(_RULE_LENGTH * DPI)
    return _runs(ink, length), _runs(np.ascontiguousarray(ink.T), length).T


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
