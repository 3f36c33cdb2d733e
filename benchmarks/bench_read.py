"""Reader benchmark: how fast each format is read, and the memory it takes, on the committed fixtures.

    .venv/bin/python benchmarks/bench_read.py               # every format, best of 3 runs
    .venv/bin/python benchmarks/bench_read.py --formats pdf,docx --repeat 5
    .venv/bin/python benchmarks/bench_read.py --no-ocr      # leave out the scanned PDFs (slow)

Only the read stage is measured (`pipeline.read.read`: file to lines), one
format at a time, each in a fresh child process so that its peak memory
(RSS, and Python's own allocations by tracemalloc) is its own.  PDF and DOCX
speed is in pages per second (a DOCX fixture counts the pages of the PDF
LibreOffice made from it, since a DOCX file does not know its pages); text,
HTML and Markdown in documents per second.  The scanned PDFs (OCR, pages per
second, one run) are measured when Tesseract with its Vietnamese model is
installed.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.read import read  # noqa: E402
from pipeline.readers import ocr  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
# format -> (folder, suffix, unit of speed)
FORMATS = {
    "txt": (ROOT / "data" / "raw", "txt", "docs"),
    "txt_tcvn3": (FIXTURES / "txt_tcvn3", "txt", "docs"),
    "txt_vni": (FIXTURES / "txt_vni", "txt", "docs"),
    "docx": (FIXTURES / "docx", "docx", "pages"),
    "docx_tcvn3": (FIXTURES / "docx_tcvn3", "docx", "pages"),
    "pdf": (FIXTURES / "pdf", "pdf", "pages"),
    "html": (FIXTURES / "html", "html", "docs"),
    "md": (FIXTURES / "md", "md", "docs"),
    "scan": (FIXTURES / "scan", "pdf", "pages"),
}


@dataclass
class Result:
    name: str
    files: int
    pages: int
    seconds: float
    unit: str
    rss_mb: float
    python_mb: float

    def row(self) -> str:
        amount = self.pages if self.unit == "pages" else self.files
        return (f"{self.name:<11} {self.files:>5} {self.pages:>6} {self.seconds:>8.2f} "
                f"{amount / self.seconds:>9.1f} {self.unit + '/s':<7} {self.rss_mb:>8.0f} {self.python_mb:>9.1f}")


def pages_of(path: Path) -> int:
    """A document's pages: its own for PDF, its PDF export's for DOCX, else what the reader counted."""
    if path.suffix == ".docx":
        exported = FIXTURES / "pdf" / f"{path.stem}.pdf"
        if exported.exists():
            path = exported
    if path.suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return len(pdf.pages)
    return read(path).n_pages


def read_all(files: list[Path]) -> float:
    """Seconds to read every file once."""
    started = time.perf_counter()
    for path in files:
        read(path)
    return time.perf_counter() - started


def measure(name: str, repeat: int) -> Result:
    """Read every file of one format: the best of `repeat` timed runs, then one run under
    tracemalloc (which slows Python down) for the peak of Python's own allocations."""
    folder, suffix, unit = FORMATS[name]
    files = sorted(folder.glob(f"*.{suffix}"))
    pages = sum(pages_of(path) for path in files)
    best = min(read_all(files) for _ in range(repeat))
    tracemalloc.start()
    read_all(files[:1] if name == "scan" else files)
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return Result(name, len(files), pages, best, unit, rss, python_peak / 2 ** 20)


def _child(name: str, repeat: int, queue: multiprocessing.Queue) -> None:
    queue.put(measure(name, repeat))


def measure_apart(name: str, repeat: int) -> Result:
    """`measure` in a fresh process, so the peak memory is this format's alone."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, repeat, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", default="txt,txt_tcvn3,txt_vni,docx,docx_tcvn3,pdf,html,md",
                        help="comma-separated, from: " + ", ".join(FORMATS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per format; the best is kept")
    parser.add_argument("--no-ocr", action="store_true", help="leave out the scanned PDFs (OCR is slow)")
    args = parser.parse_args()
    with_ocr = ocr.available() and not args.no_ocr
    names = [n for n in args.formats.split(",") if n]
    names += ["scan"] if with_ocr and "scan" not in names else []
    print(f"{'format':<11} {'files':>5} {'pages':>6} {'seconds':>8} {'speed':>9} {'':<7} {'peak RSS':>8} "
          f"{'peak Py':>9}")
    print(f"{'':<11} {'':>5} {'':>6} {'(best)':>8} {'':>9} {'':<7} {'MB':>8} {'MB':>9}")
    for name in names:
        print(measure_apart(name, 1 if name == "scan" else args.repeat).row(), flush=True)


if __name__ == "__main__":
    main()
