"""The Python API: what the `kehoach` commands call, for notebooks and scripts.

    from pipeline import api
    api.ingest(["data/raw"], "data/parsed", jobs=2)
    tables = api.load("data/parsed")                 # pandas DataFrames with real types
    api.tasks_view("data/parsed")                    # tasks joined with units and documents
    api.sql("data/parsed", "select unit, count(*) from task_units group by 1")
    api.evaluate("data/parsed", "tests/gold")        # scores against gold files

Batches are incremental (a manifest of path, SHA-256, parser version and rules
hash skips unchanged files), parallel (`jobs` worker processes) and safe: a
file that fails becomes one row of the `errors` table and a line on stderr,
every other file is still written, and the dataset is replaced atomically.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import __version__
from .document import DocumentRows, process
from .evaluate import evaluate  # noqa: F401 - part of the API
from .read import SUPPORTED, ReadError
from .rules import rules_hash
from .write import TABLES, DatasetLock, read_table, write_dataset

DEFAULT_INPUT = Path("data/raw")
DEFAULT_OUTPUT = Path("data/parsed")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a plan is a few hundred kB; larger files are not plans


@dataclass
class FileError:
    """A file that could not be processed, and why (one row of the `errors` table)."""

    path: str
    stage: str
    error_type: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.stage} failed: {self.error_type}: {self.message}"


@dataclass
class IngestResult:
    written: list[str] = field(default_factory=list)   # paths processed and written
    skipped: list[str] = field(default_factory=list)   # paths unchanged since the last run
    pruned: list[str] = field(default_factory=list)    # paths whose documents were removed
    errors: list[FileError] = field(default_factory=list)
    seconds: float = 0.0

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
    """Process one file; any failure becomes a `FileError` that names the file and the stage."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(f"{path}: {size / 1e6:.0f} MB is too large for a plan (limit {MAX_FILE_BYTES / 1e6:.0f} MB)")
        return process(path)
    except (ReadError, OSError) as exc:
        return FileError(str(path), "read", type(exc).__name__, str(exc))
    except MemoryError:
        return FileError(str(path), "extract", "MemoryError", "ran out of memory")
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return FileError(str(path), "extract", type(exc).__name__,
                         f"{exc} (at {Path(where.filename).name}:{where.lineno})")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(paths: list[Path], jobs: int) -> Iterator[tuple[Path, DocumentRows | FileError]]:
    """Process files, in worker processes when `jobs` > 1, yielding results as they finish."""
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield path, process_file(path)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from zip(paths, pool.map(process_file, paths, chunksize=max(1, len(paths) // (jobs * 8))))


def ingest(paths: Iterable[Path | str] = (DEFAULT_INPUT,), out: Path | str = DEFAULT_OUTPUT, *,
           jobs: int | None = None, force: bool = False, prune: bool = False,
           on_file: Callable[[Path, DocumentRows | FileError | None], None] | None = None) -> IngestResult:
    """Read every plan under `paths` and merge its rows into the dataset at `out`.

    Unchanged files (same path, content, parser version and rules) are skipped
    unless `force`; `prune` removes documents whose files are gone.  `on_file`
    is called once per file (with None for a skipped one), for progress bars.
    """
    out = Path(out)
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    result = IngestResult()
    with DatasetLock(out):
        manifest = {row["path"]: row for row in _read_manifest(out)}
        stamp = {"parser_version": __version__, "rules_hash": rules_hash()}
        files = collect_files(paths)
        todo: list[Path] = []
        current: dict[str, dict] = {}
        for path in files:
            key = str(path)
            try:
                entry = {"path": key, "sha256": file_sha256(path), **stamp}
            except OSError as exc:
                result.errors.append(FileError(key, "read", type(exc).__name__, str(exc)))
                continue
            old = manifest.get(key)
            if not force and old and all(old.get(k) == entry[k] for k in ("sha256", "parser_version", "rules_hash")):
                result.skipped.append(key)
                current[key] = old
                if on_file:
                    on_file(path, None)
                continue
            current[key] = entry
            todo.append(path)
        drop = {manifest[str(p)]["doc_id"] for p in todo if str(p) in manifest and manifest[str(p)].get("doc_id")}
        if prune:
            gone = [k for k in manifest if k not in current and not Path(k).exists()]
            result.pruned = gone
            drop |= {manifest[k]["doc_id"] for k in gone if manifest[k].get("doc_id")}
        kept = {k: v for k, v in manifest.items() if k not in current and k not in result.pruned}
        rows: dict[str, list[dict]] = {name: [] for name in TABLES}
        for path, outcome in _run(todo, jobs):
            if on_file:
                on_file(path, outcome)
            if isinstance(outcome, FileError):
                result.errors.append(outcome)
                current.pop(str(path), None)
                continue
            if outcome.doc_id in {current[p].get("doc_id") for p in result.written}:
                result.skipped.append(str(path))  # the same bytes under a second name
                current[str(path)]["doc_id"] = outcome.doc_id
                continue
            result.written.append(str(path))
            current[str(path)]["doc_id"] = outcome.doc_id
            for name, table_rows in outcome.tables.items():
                rows[name].extend(table_rows)
        new_docs = {current[p]["doc_id"] for p in result.written}
        # a document still listed under another path keeps its rows
        drop -= {v.get("doc_id") for v in kept.values()} | {current[p].get("doc_id") for p in result.skipped}
        manifest_rows = sorted({**kept, **current}.values(), key=lambda r: r["path"])
        write_dataset(out, rows, replace_docs=new_docs, drop_docs=drop,
                      errors=[asdict(e) for e in result.errors], manifest=manifest_rows)
    result.seconds = time.perf_counter() - started
    return result


def _read_manifest(out: Path) -> list[dict]:
    table = read_table(out, "manifest")
    return table.to_pylist() if table is not None else []


def load(out: Path | str = DEFAULT_OUTPUT) -> dict:
    """The dataset's tables as pandas DataFrames with real types.

    Dates become datetime64, list columns stay lists, and the kind columns
    (`kind`, `deadline_kind`, `role`, `comparator`, ...) become categoricals.
    """
    import pandas as pd

    categorical = {"kind", "deadline_kind", "recurrence", "source", "role", "unit_type", "comparator",
                   "ref_type", "relation", "doc_type", "issuer_level", "source_format", "stage"}
    frames = {}
    for name in TABLES + ("errors",):
        table = read_table(Path(out), name)
        frame = table.to_pandas() if table is not None else pd.DataFrame()
        for column in frame.columns:
            if column in ("issued_date", "period_start", "due_date"):
                frame[column] = pd.to_datetime(frame[column])
            elif column in categorical:
                frame[column] = frame[column].astype("category")
        frames[name] = frame
    return frames


def tasks_view(out: Path | str = DEFAULT_OUTPUT):
    """One row per task with its lead and support units joined, and its document's fields."""
    return sql(out, TASKS_VIEW_SQL)


TASKS_VIEW_SQL = """
select t.*,
       d.issuer, d.issuer_level, d.number as doc_number, d.title as doc_title, d.year,
       (select list(u.unit order by u.unit) from task_units u
         where u.task_id = t.task_id and u.role = 'lead') as lead_units,
       (select list(u.unit order by u.unit) from task_units u
         where u.task_id = t.task_id and u.role = 'support') as support_units
from tasks t join documents d using (doc_id)
order by t.doc_id, t.task_id
"""


def sql(out: Path | str, query: str):
    """Run SQL over the dataset (DuckDB views named after the tables) and return a DataFrame."""
    import duckdb

    con = duckdb.connect()
    try:
        for name in TABLES + ("errors",):
            path = Path(out) / f"{name}.parquet"
            if path.exists():
                con.execute(f"create view \"{name}\" as select * from read_parquet('{_sql_path(path)}')")
        return con.execute(query).df()
    finally:
        con.close()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def report_error(error: FileError) -> None:
    print(f"error: {error}", file=sys.stderr)
