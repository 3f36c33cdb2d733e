"""The Python API: what the `kehoach` commands call, for notebooks and scripts.

    import pipeline.api as kh
    kh.ingest(["data/raw"], "data/parsed")
    tables = kh.load("data/parsed")          # dict of pandas DataFrames
    kh.evaluate("data/parsed", "tests/gold") # scores against gold files
"""
from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .document import DocumentRows, process
from .read import SUPPORTED, ReadError
from .write import TABLES, read_table, write_dataset

DEFAULT_INPUT = Path("data/raw")
DEFAULT_OUTPUT = Path("data/parsed")


@dataclass
class FileError:
    """A file that could not be processed, and why."""

    path: str
    stage: str
    error_type: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.stage} failed: {self.error_type}: {self.message}"


@dataclass
class IngestResult:
    documents: list[str] = field(default_factory=list)  # doc_ids written
    errors: list[FileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files to read: the paths given, and the supported files inside folders, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
        else:
            found.append(path)
    return found


def process_file(path: Path) -> DocumentRows | FileError:
    """Process one file; any failure becomes a `FileError` that names the file."""
    try:
        return process(path)
    except ReadError as exc:
        return FileError(str(path), "read", type(exc).__name__, str(exc))
    except OSError as exc:
        return FileError(str(path), "read", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return FileError(str(path), "extract", type(exc).__name__, f"{exc} (at {Path(where.filename).name}:{where.lineno})")


def ingest(paths: Iterable[Path | str] = (DEFAULT_INPUT,), out: Path | str = DEFAULT_OUTPUT,
           on_file: Callable[[Path, DocumentRows | FileError], None] | None = None) -> IngestResult:
    """Read every plan under `paths` and merge its rows into the dataset at `out`."""
    out = Path(out)
    result = IngestResult()
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for path in collect_files(paths):
        outcome = process_file(path)
        if on_file:
            on_file(path, outcome)
        if isinstance(outcome, FileError):
            result.errors.append(outcome)
            continue
        result.documents.append(outcome.doc_id)
        for name, table_rows in outcome.tables.items():
            rows[name].extend(table_rows)
    write_dataset(out, rows, replace_docs=set(result.documents))
    return result


def load(out: Path | str = DEFAULT_OUTPUT) -> dict:
    """The dataset's tables as pandas DataFrames (empty tables where a file is missing)."""
    import pandas as pd

    frames = {}
    for name in TABLES:
        table = read_table(Path(out), name)
        frames[name] = table.to_pandas() if table is not None else pd.DataFrame()
    return frames


def report_error(error: FileError) -> None:
    print(f"error: {error}", file=sys.stderr)
