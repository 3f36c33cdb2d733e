"""The Python API: what the `kehoach` commands call, for notebooks and scripts.

    import pipeline
    pipeline.ingest(["data/raw"], "data/parsed", jobs=2)
    tables = pipeline.load("data/parsed")            # pandas DataFrames with real types
    pipeline.tasks_view("data/parsed")               # tasks joined with units and documents
    pipeline.sql("data/parsed", "select unit, count(*) from task_units group by 1")
    pipeline.api.evaluate("data/parsed", "tests/gold")   # scores against gold files

Batches are incremental: a manifest of (path, SHA-256, parser version, rules
hash) skips unchanged files, and a run that finds nothing new writes nothing.
They are parallel (`jobs` worker processes) and safe: a file that fails
becomes one row of the `errors` table, every other file is still written,
and the dataset is replaced atomically under a lock (`pipeline.write`).
"""
from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from . import __version__
from .document import DocumentRows, process
from .evaluate import evaluate  # noqa: F401 - part of the API
from .read import SUPPORTED, ReadError, read
from .rules import rules_hash
from .write import TABLES, DatasetLock, checked_files, dataset_files, read_table, to_arrow, write_dataset

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_INPUT = Path("data/raw")
DEFAULT_OUTPUT = Path("data/parsed")
# A plan is a few hundred kB of text, a DOCX or PDF a few MB: larger files are refused
# before reading, which keeps each worker's memory bounded whatever it is given (reading
# costs about 30 bytes of memory per byte of text: a 5 MB text needs some 150 MB).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
TEXT_FORMATS = {"txt", "md", "html"}  # source formats where every byte is text to parse
ZIP_FORMATS = {"docx"}  # source formats that are zip archives (and so can be zip bombs)

ProgressCallback = Callable[[Path, "Extracted | FileError | None"], None]


@dataclass
class FileError:
    """A file that could not be processed, and why (one row of the `errors` table)."""

    path: str
    stage: str  # read, extract or write
    error_type: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.stage} failed: {self.error_type}: {self.message}"


class InputTooLarge(ReadError):
    """A file larger (or, for an archive, larger unzipped) than any plan: refused unread."""


@dataclass
class IngestResult:
    """What a run did, file by file (paths as given)."""

    written: list[str] = field(default_factory=list)   # extracted and written
    skipped: list[str] = field(default_factory=list)   # unchanged since the last run, or a copy of another file
    pruned: list[str] = field(default_factory=list)    # gone, so their documents were removed
    errors: list[FileError] = field(default_factory=list)
    tables_written: list[str] = field(default_factory=list)  # empty when nothing changed
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- one file


def _is_office_debris(path: Path) -> bool:
    """Hidden files and the owner files Word and LibreOffice leave beside an open document."""
    return path.name.startswith((".", "~$"))


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files to read: the paths given, and the supported files inside folders, sorted, each once."""
    found: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = (p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED and not _is_office_debris(p))
            found.update((os.path.abspath(p), p) for p in sorted(inside) if p.is_file())
        else:
            found.setdefault(os.path.abspath(path), path)
    return list(found.values())


def check_limits(path: Path) -> None:
    """Refuse a file no plan could be, before any reader loads it into memory."""
    source_format = SUPPORTED.get(path.suffix.lower())
    size, limit = path.stat().st_size, MAX_TEXT_BYTES if source_format in TEXT_FORMATS else MAX_FILE_BYTES
    if size > limit:
        raise InputTooLarge(f"{size / 2**20:.0f} MB is more than any plan (limit {limit / 2**20:.0f} MB)")
    if source_format in ZIP_FORMATS and zipfile.is_zipfile(path):
        _check_unzipped(path)


def _check_unzipped(path: Path) -> None:
    """Refuse an archive by what it unzips to: first by the sizes its directory declares, then
    by reading each member in small steps, because a member that lies about its size would
    otherwise be inflated whole by the reader's one-shot read before its checksum fails."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        unzipped = sum(member.file_size for member in members)
        if unzipped > MAX_UNZIPPED_BYTES:
            raise InputTooLarge(f"unzips to {unzipped / 2**20:.0f} MB, more than any plan "
                                f"(limit {MAX_UNZIPPED_BYTES / 2**20:.0f} MB): a zip bomb?")
        for member in members:
            with archive.open(member) as fh:
                while fh.read(1 << 20):
                    pass


def _wrapped(exc: BaseException) -> str:
    """What a wrapper exception with no words of its own wraps (PDF libraries wrap their errors)."""
    inner = next((a for a in exc.args if isinstance(a, BaseException)), None) or exc.__cause__ or exc.__context__
    return f"{type(inner).__name__}: {inner}".rstrip(": ") if inner is not None else "(no message)"


def describe(exc: BaseException, path: Path, *, where: bool = False) -> str:
    """One line for the errors table: the exception's words without the path (a column of its own);
    with `where`, also the file and line that raised it, for the bug report of an unexpected failure."""
    text = (str(exc).strip() or _wrapped(exc)).removeprefix(f"{path}: ")
    if where and exc.__traceback__ is not None:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text += f" (at {Path(frame.filename).name}:{frame.lineno})"
    return text


def plan_warnings(rows: DocumentRows) -> list[str]:
    """Warnings for a file that reads well but does not look like a plan (docs/decisions.md)."""
    if not rows.tables.get("sections"):
        return ["no numbered sections found: probably not a plan"]
    if not rows.tables.get("tasks") and not rows.tables.get("targets"):
        return ["no tasks or targets found"]
    return []


def process_file(path: Path) -> DocumentRows | FileError:
    """Process one file; any failure becomes a `FileError` that names the file, the stage and the cause."""
    stage = "read"
    try:
        check_limits(path)
        raw = read(path)
        stage = "extract"
        rows = process(path, raw)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        unexpected = stage == "extract" and not isinstance(exc, ReadError)
        return FileError(str(path), stage, type(exc).__name__, describe(exc, path, where=unexpected))
    rows.tables["documents"][0]["warnings"].extend(plan_warnings(rows))
    return rows


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (a file of any size costs 1 MB of memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- many files


@dataclass
class Extracted:
    """One document's rows as Arrow tables, one per table: what a worker sends back (compact to
    pickle and to keep until the dataset is written)."""

    doc_id: str
    tables: dict[str, pa.Table]


def _extract(path: Path) -> Extracted | FileError:
    """The worker's job: one file to Arrow tables, or the error that stopped it."""
    outcome = process_file(path)
    if isinstance(outcome, FileError):
        return outcome
    try:
        return Extracted(outcome.doc_id, {name: to_arrow(name, rows) for name, rows in outcome.tables.items()})
    except (pa.ArrowException, OverflowError) as exc:  # an extractor gave a value of the wrong type
        return FileError(str(path), "write", type(exc).__name__, describe(exc, path, where=True))


def _start_worker() -> None:
    """Set up a worker process: Ctrl-C is left to the main process (which stops the pool and
    writes nothing), and the worker exits when its parent is gone, even killed, instead of
    waiting for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run(paths: list[Path], jobs: int) -> Iterator[tuple[Path, Extracted | FileError]]:
    """Extract files, in `jobs` worker processes when there is more than one, yielding each as it finishes.

    Files are handed out one at a time (a plan takes a tenth of a second or
    more, so the hand-out costs nothing) so the workers stay evenly busy.  A
    worker that dies (killed for memory, a crash in a C library) breaks the
    pool and every file still in it; those files are then tried again one at a
    time, each in a process of its own, so only the file that kills its worker
    fails.
    """
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield path, _extract(path)
        return
    orphaned: list[Path] = []
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(paths)), initializer=_start_worker)
    try:
        futures = {pool.submit(_extract, path): path for path in paths}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except BrokenProcessPool:
                orphaned.append(futures[future])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for path in orphaned:
        yield path, _extract_alone(path)


def _extract_alone(path: Path) -> Extracted | FileError:
    """`_extract` in a process of its own: a file that kills its worker fails alone."""
    with ProcessPoolExecutor(max_workers=1, initializer=_start_worker) as pool:
        try:
            return pool.submit(_extract, path).result()
        except BrokenProcessPool as exc:
            return FileError(str(path), "extract", "WorkerDied", f"a worker process died reading it: {exc}")


# --------------------------------------------------------------------------- the manifest


def manifest_key(path: Path, out: Path) -> str:
    """A file's key in the manifest: its path relative to the dataset folder when the file sits
    beside it (in the dataset's parent folder, as `data/raw` beside `data/parsed`), else absolute.

    Relative keys do not depend on the working folder a run starts from, and
    survive moving the project folder whole; files from elsewhere keep their
    absolute path, which survives moving the dataset alone.
    """
    file, dataset = os.path.abspath(path), os.path.abspath(out)
    if os.path.commonpath([file, os.path.dirname(dataset)]) == os.path.dirname(dataset):
        return os.path.relpath(file, dataset)
    return file


def key_path(key: str, out: Path) -> Path:
    """The file a manifest key names, as a path usable from the working folder."""
    return Path(os.path.normpath(os.path.join(os.path.abspath(out), key)))


@dataclass
class _RunPlan:
    """What a run will do, decided from hashes and the manifest before anything is extracted."""

    entries: dict[str, dict] = field(default_factory=dict)      # manifest rows if every extraction succeeds
    extract: dict[str, Path] = field(default_factory=dict)      # key -> file, one per new content
    copies: dict[str, list[str]] = field(default_factory=dict)  # sha256 -> other keys with those bytes
    skipped: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)        # key -> path as given


    @property
    def size(self) -> int:
        """How many files the run reports on: skipped, failed before extraction, extracted, copies."""
        return len(self.skipped) + len(self.errors) + len(self.extract) + sum(map(len, self.copies.values()))


def _is_current(entry: dict, stamp: dict) -> bool:
    return all(entry.get(name) == value for name, value in stamp.items())


def _plan(files: list[Path], out: Path, manifest: dict[str, dict], stamp: dict, *,
          force: bool, prune: bool) -> _RunPlan:
    """Sort the files into skipped, to extract, and copies of another file; find what to prune."""
    plan = _RunPlan(paths={manifest_key(p, out): p for p in files})
    _carry_over(plan, manifest, out, stamp, prune)
    changed = _hash_named(plan, manifest, stamp, force)
    _one_extraction_per_content(plan, changed, stamp, force)
    return plan


def _carry_over(plan: _RunPlan, manifest: dict[str, dict], out: Path, stamp: dict, prune: bool) -> None:
    """The manifest entries of files this run does not name.

    A document extracted by another parser version or other rules is stale: its
    file is extracted again although the run does not name it, so the dataset
    never mixes rule versions.  A document whose file is gone is removed with
    `prune` and kept (as last extracted) without.
    """
    for key, old in manifest.items():
        if key in plan.paths:
            continue
        path = key_path(key, out)
        if not path.exists():
            if prune:
                plan.pruned.append(key)
            else:
                plan.entries[key] = old
        elif _is_current(old, stamp):
            plan.entries[key] = old
        else:
            plan.paths[key] = path


def _hash_named(plan: _RunPlan, manifest: dict[str, dict], stamp: dict, force: bool) -> list[str]:
    """Hash every file to read; skip those the manifest has with the same bytes and stamp
    (unless `force`) and return the keys of the others."""
    changed: list[str] = []
    for key, path in sorted(plan.paths.items()):
        try:
            sha = file_sha256(path)
        except OSError as exc:
            plan.errors.append(FileError(str(path), "read", type(exc).__name__, describe(exc, path)))
            continue
        old = manifest.get(key)
        if not force and old is not None and old["sha256"] == sha and _is_current(old, stamp):
            plan.entries[key] = old
            plan.skipped.append(key)
        else:
            plan.entries[key] = {"path": key, "sha256": sha, "doc_id": None, **stamp}
            changed.append(key)
    return changed


def _one_extraction_per_content(plan: _RunPlan, changed: list[str], stamp: dict, force: bool) -> None:
    """Extract each new content once: a file whose bytes the dataset already holds (under another
    name, with the current stamp) is skipped unless `force`, and files with the same bytes as
    one being extracted are its copies (they get its outcome)."""
    present = {e["sha256"]: e["doc_id"] for e in plan.entries.values() if e["doc_id"] and _is_current(e, stamp)}
    first_of: set[str] = set()
    for key in changed:
        sha = plan.entries[key]["sha256"]
        if sha in present and not force:
            plan.entries[key]["doc_id"] = present[sha]
            plan.skipped.append(key)
        elif sha in first_of:
            plan.copies.setdefault(sha, []).append(key)
        else:
            first_of.add(sha)
            plan.extract[key] = plan.paths[key]


def _read_manifest(out: Path) -> dict[str, dict]:
    table = read_table(out, "manifest")
    return {row["path"]: row for row in table.to_pylist()} if table is not None else {}


# --------------------------------------------------------------------------- ingest


def ingest(paths: Iterable[Path | str] = (DEFAULT_INPUT,), out: Path | str = DEFAULT_OUTPUT, *,
           jobs: int | None = None, force: bool = False, prune: bool = False,
           on_start: Callable[[int], None] | None = None, on_file: ProgressCallback | None = None) -> IngestResult:
    """Read every plan under `paths` (files or folders) and merge its rows into the dataset at `out`.

    Unchanged files (same path, content, parser version and rules) are skipped
    unless `force`; `prune` removes documents whose files are gone; `jobs`
    worker processes extract in parallel (default: one per core).  For
    progress bars, `on_start` is called once with the number of files the run
    will report on (stale documents add to the files named), then `on_file`
    once per file as it finishes, with its rows (`Extracted`), its
    `FileError`, or None when it was skipped.  Raises
    `write.DatasetLockedError` when another run holds the dataset and
    `write.SchemaVersionError` when it was written by another schema version.
    """
    out = Path(out)
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    files = collect_files(paths)
    notify = on_file or (lambda path, outcome: None)
    with DatasetLock(out):
        checked_files(out)  # another schema version is refused even when nothing would be written
        manifest = _read_manifest(out)
        plan = _plan(files, out, manifest, {"parser_version": __version__, "rules_hash": rules_hash()},
                     force=force, prune=prune)
        result = IngestResult(skipped=[str(plan.paths[k]) for k in plan.skipped],
                              pruned=[str(key_path(k, out)) for k in plan.pruned], errors=list(plan.errors))
        if on_start:
            on_start(plan.size)
        for key in plan.skipped:
            notify(plan.paths[key], None)
        for error in plan.errors:
            notify(Path(error.path), error)
        extracted = _extract_all(plan, jobs, result, notify)
        final_docs = {entry["doc_id"] for entry in plan.entries.values()}
        result.tables_written = write_dataset(
            out, _concat(extracted), replace_docs={e.doc_id for e in extracted},
            drop_docs={entry["doc_id"] for entry in manifest.values()} - final_docs,
            errors=[asdict(e) for e in result.errors],
            manifest=sorted(plan.entries.values(), key=lambda entry: entry["path"]))
    result.seconds = time.perf_counter() - started
    return result


def _extract_all(plan: _RunPlan, jobs: int, result: IngestResult,
                 notify: ProgressCallback) -> list[Extracted]:
    """Extract the plan's files; record each outcome (and its copies') in the plan and the result."""
    keys = {path: key for key, path in plan.extract.items()}
    extracted: dict[str, Extracted] = {}
    for path, outcome in _run(list(plan.extract.values()), jobs):
        key = keys[path]
        group = [key] + plan.copies.get(plan.entries[key]["sha256"], [])
        for member in group:
            given = plan.paths[member]
            if isinstance(outcome, FileError):
                del plan.entries[member]
                error = FileError(str(given), outcome.stage, outcome.error_type, outcome.message)
                result.errors.append(error)
                notify(given, error)
            else:
                plan.entries[member]["doc_id"] = outcome.doc_id
                (result.written if member == key else result.skipped).append(str(given))
                notify(given, outcome)
        if isinstance(outcome, Extracted):
            extracted[key] = outcome
    for paths in (result.written, result.skipped):
        paths.sort()
    result.errors.sort(key=lambda e: e.path)
    return [extracted[key] for key in sorted(extracted)]


def _concat(extracted: list[Extracted]) -> dict[str, pa.Table]:
    """Every new document's rows, one table each, in file order."""
    return {name: pa.concat_tables([e.tables[name] for e in extracted]) if extracted else to_arrow(name, [])
            for name in TABLES}


# --------------------------------------------------------------------------- reading the dataset

# Columns whose values come from a small fixed vocabulary (SPEC): categoricals in pandas.
CATEGORICAL = {"kind", "deadline_kind", "recurrence", "source", "role", "unit_type", "comparator", "ref_type",
               "relation", "doc_type", "issuer_level", "source_format", "stage", "error_type"}
ROLES = ("lead", "support", "monitor")
# The document fields each row of `tasks_view` carries, renamed where a task has a field of the same name.
VIEW_DOCUMENT_FIELDS = {"doc_type": "doc_type", "number": "doc_number", "issuer": "issuer",
                        "issuer_level": "issuer_level", "place": "place", "issued_date": "issued_date",
                        "year": "year", "title": "doc_title", "source_path": "source_path"}


def _frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table in pandas with real types: dates as datetime64, nullable integers,
    list cells as Python lists (not numpy arrays), vocabulary columns as categoricals."""
    import pandas as pd

    integers = {pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype()}
    frame = table.to_pandas(types_mapper=integers.get, date_as_object=False)
    for column in table.schema:
        if pa.types.is_list(column.type):
            frame[column.name] = pd.Series(table.column(column.name).to_pylist(), index=frame.index, dtype=object)
        elif column.name in CATEGORICAL:
            frame[column.name] = frame[column.name].astype("category")
    return frame


def load(out: Path | str = DEFAULT_OUTPUT) -> dict[str, pd.DataFrame]:
    """The dataset's tables (and its `errors`) as pandas DataFrames with real types.

    Dates are datetime64, integers nullable `Int32`, list columns hold Python
    lists, and the vocabulary columns (`kind`, `deadline_kind`, `role`,
    `comparator`, ...) are categoricals.  A table with no rows still has its
    columns.  Raises `write.NotADatasetError` for a folder with no dataset and
    `write.SchemaVersionError` for one of another schema version.
    """
    files = dataset_files(out)
    return {name: _frame(read_table(out, name) if name in files else to_arrow(name, []))
            for name in TABLES + ("errors",)}


def tasks_view(out: Path | str = DEFAULT_OUTPUT) -> pd.DataFrame:
    """One row per task: its columns, its `lead_units`, `support_units` and `monitor_units`
    (lists of canonical names, in the order the plan names them) and its document's fields."""
    import pandas as pd

    tables = load(out)
    units = tables["task_units"]
    by_role = {f"{role}_units": units[units["role"] == role].groupby("task_id", sort=False)["unit"].agg(list)
               for role in ROLES}
    view = tables["tasks"].join(pd.DataFrame(by_role), on="task_id")
    for column in by_role:
        view[column] = view[column].map(lambda units: units if isinstance(units, list) else [])
    documents = tables["documents"][list(VIEW_DOCUMENT_FIELDS) + ["doc_id"]].rename(columns=VIEW_DOCUMENT_FIELDS)
    return view.merge(documents, on="doc_id", how="left")


def sql(out: Path | str, query: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
    """Run DuckDB SQL over the dataset and return a DataFrame (list cells as Python lists).

    Each table is a view of its Parquet file under its own name (`documents`,
    `sections`, `tasks`, `task_units`, `targets`, `references`, `errors`,
    `manifest`); `params` fill `?` or `$name` placeholders.
    """
    import duckdb

    files = dataset_files(out)
    con = duckdb.connect()
    try:
        for name, path in files.items():
            con.execute(f'create view "{name}" as select * from read_parquet(\'{_sql_string(path)}\')')
        frame = con.execute(query, params).df()
    finally:
        con.close()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: v.tolist() if hasattr(v, "tolist") else v)
    return frame


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")
