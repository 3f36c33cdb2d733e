"""Write the dataset: one Parquet file per table, with SPEC's columns and Arrow types.

A dataset is a folder that only one run writes at a time (`DatasetLock`).
Re-running on the same folder replaces the rows of the documents given and
keeps every other document's rows: an analyst can add this week's plans to
last month's dataset.  Every file records the schema version it was written
with, and reading a dataset of another version stops with a clear message.

Writes are crash-safe.  The tables that change are written to temporary
files first; a journal listing the renames is then written atomically, and
only then are the temporary files renamed into place.  A crash or Ctrl-C
before the journal exists leaves the previous dataset whole (the temporary
files are removed by the next run); a crash after it is finished by the next
run, so the tables (and the manifest that says which files they hold) never
disagree.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"
SCHEMA_KEY = b"kehoach.schema_version"

_str, _int, _date, _bool, _float = pa.string(), pa.int32(), pa.date32(), pa.bool_(), pa.float64()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", _str), ("source_path", _str), ("source_format", _str), ("sha256", _str),
        ("doc_type", _str), ("number", _str), ("symbol", _str), ("issuer", _str), ("issuer_level", _str),
        ("place", _str), ("issued_date", _date), ("year", _int), ("title", _str), ("signer", _str),
        ("signer_title", _str), ("implements", pa.list_(_str)), ("n_pages", _int),
        ("warnings", pa.list_(_str)), ("parser_version", _str),
    ]),
    "sections": pa.schema([
        ("doc_id", _str), ("section_id", _str), ("parent_id", _str), ("level", _int), ("label", _str),
        ("path", _str), ("heading", _str), ("kind", _str), ("ordinal", _int), ("page", _int),
        ("line_start", _int), ("line_end", _int),
    ]),
    "tasks": pa.schema([
        ("doc_id", _str), ("task_id", _str), ("section_id", _str), ("path", _str), ("label", _str),
        ("text", _str), ("lead_raw", _str), ("support_raw", _str), ("deadline_raw", _str), ("output", _str),
        ("deadline_kind", _str), ("period_start", _date), ("due_date", _date), ("recurrence", _str),
        ("source", _str), ("page", _int), ("line_start", _int), ("line_end", _int),
    ]),
    "task_units": pa.schema([
        ("doc_id", _str), ("task_id", _str), ("role", _str), ("unit_raw", _str), ("unit", _str),
        ("unit_type", _str), ("is_collective", _bool),
    ]),
    "targets": pa.schema([
        ("doc_id", _str), ("target_id", _str), ("section_id", _str), ("task_id", _str), ("path", _str),
        ("value", _float), ("unit", _str), ("comparator", _str), ("metric", _str), ("indicator", _str),
        ("raw", _str), ("page", _int), ("line", _int),
    ]),
    "references": pa.schema([
        ("doc_id", _str), ("reference_id", _str), ("number", _str), ("ref_type", _str),
        ("issued_date", _date), ("relation", _str), ("context", _str), ("page", _int), ("line", _int),
    ]),
}
TABLES = tuple(SCHEMAS)

# Bookkeeping tables, replaced whole: the last run's failures, and which file holds which document.
RUN_SCHEMAS: dict[str, pa.Schema] = {
    "errors": pa.schema([("path", _str), ("stage", _str), ("error_type", _str), ("message", _str)]),
    "manifest": pa.schema([("path", _str), ("sha256", _str), ("doc_id", _str), ("parser_version", _str),
                           ("rules_hash", _str)]),
}
ALL_SCHEMAS = {**SCHEMAS, **RUN_SCHEMAS}

LOCK_NAME = ".kehoach.lock"
JOURNAL_NAME = ".kehoach.commit"
_TMP_SUFFIX = ".parquet.tmp"


class SchemaVersionError(Exception):
    """A dataset written by another version of the schema."""


class DatasetLockedError(Exception):
    """Another run is writing the same dataset."""


class NotADatasetError(FileNotFoundError):
    """A folder that holds no kehoach dataset."""


# --------------------------------------------------------------------------- one writer at a time


class DatasetLock:
    """One writer per dataset: a POSIX record lock (`lockf`) on `DIR/.kehoach.lock`.

    The kernel drops the lock when its holder exits, however it exits, so a
    crashed or killed run never leaves a stale lock behind; a live one makes a
    second run stop at once with a clear message.  A record lock, unlike
    `flock`, is not inherited by forked worker processes, so a worker left
    behind by a killed run cannot keep the dataset locked.  Taking the lock
    first finishes a commit that a crash interrupted (see the module docstring).
    """

    _held: set[str] = set()  # lock files this process holds: record locks never conflict within a process

    def __init__(self, out: Path | str) -> None:
        self.path = Path(out) / LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> DatasetLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.path)
        if key in self._held:
            raise self._locked(str(os.getpid()))
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise self._locked(holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        self._held.add(key)
        finish_commit(self.path.parent)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the lock
            self._fd = None
            self._held.discard(os.path.realpath(self.path))

    def _locked(self, holder: str) -> DatasetLockedError:
        return DatasetLockedError(f"{self.path.parent}: another kehoach run (process {holder}) is writing this "
                                  "dataset; wait for it to finish and run again")


# --------------------------------------------------------------------------- reading


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts keyed by column name; missing keys are null) as a table of `name`'s schema."""
    schema = ALL_SCHEMAS[name].with_metadata({SCHEMA_KEY: SCHEMA_VERSION.encode()})
    return pa.table({col: [row.get(col) for row in rows] for col in schema.names}, schema=schema)


def _check_version(path: Path, metadata: Mapping[bytes, bytes] | None) -> None:
    version = (metadata or {}).get(SCHEMA_KEY)
    if version is None:
        raise SchemaVersionError(f"{path}: not written by kehoach (no schema version in its metadata)")
    if version.decode() != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path}: dataset schema version {version.decode()}, this kehoach reads and writes version "
            f"{SCHEMA_VERSION}; ingest the plans again into a new folder (kehoach ingest ... --out NEW)")


def read_table(out: Path | str, name: str) -> pa.Table | None:
    """A table of an existing dataset, or None when it has none; refuses another schema version."""
    path = Path(out) / f"{name}.parquet"
    if not path.exists():
        return None
    table = pq.read_table(path)
    _check_version(path, table.schema.metadata)
    return table


def checked_files(out: Path | str) -> dict[str, Path]:
    """The Parquet file of each table present at `out`, after checking their schema version.

    Only file footers are read, so this is cheap enough to call before every query or run.
    """
    files = {name: Path(out) / f"{name}.parquet" for name in ALL_SCHEMAS}
    files = {name: path for name, path in files.items() if path.is_file()}
    for path in files.values():
        _check_version(path, pq.read_schema(path).metadata)
    return files


def dataset_files(out: Path | str) -> dict[str, Path]:
    """`checked_files` of a dataset that must exist (it has a documents table)."""
    files = checked_files(out)
    if "documents" not in files:
        raise NotADatasetError(f"{out}: no kehoach dataset here (run `kehoach ingest ... --out {out}` first)")
    return files


# --------------------------------------------------------------------------- crash-safe commit


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _file_mode() -> int:
    """The mode a new file gets from the umask (`mkstemp` makes files private; datasets are shared)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _stage(table: pa.Table, final: Path) -> Path:
    """Write `table` to a durable temporary file beside `final`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=_TMP_SUFFIX, dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _write_journal(out: Path, renames: list[tuple[str, str]]) -> None:
    """Record the renames to do, atomically: once this returns, the commit will happen."""
    tmp = out / (JOURNAL_NAME + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(renames, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, out / JOURNAL_NAME)
    _fsync_dir(out)


def finish_commit(out: Path) -> None:
    """Finish the commit a journal describes, then remove temporary files no journal names.

    Called under the lock, before a run reads the dataset: after a crash mid-commit,
    every rename the journal lists is done; after a crash mid-staging, the
    previous tables are untouched and only the temporary files are left to clean.
    """
    journal = out / JOURNAL_NAME
    if journal.exists():
        for tmp, final in json.loads(journal.read_text(encoding="utf-8")):
            if (out / tmp).exists():
                os.replace(out / tmp, out / final)
        _fsync_dir(out)
        journal.unlink()
    for stray in out.glob(f".*{_TMP_SUFFIX}"):
        stray.unlink(missing_ok=True)
    (out / (JOURNAL_NAME + ".tmp")).unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and `kill` until the block ends: the renames take microseconds, and a
    commit finished in the same run leaves readers nothing half-done to see."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_all(tables: Mapping[str, pa.Table], out: Path) -> None:
    """Replace the named tables of the dataset at `out` all together, or not at all (module docstring)."""
    out.mkdir(parents=True, exist_ok=True)
    staged: list[Path] = []
    try:
        for name, table in tables.items():
            staged.append(_stage(table, out / f"{name}.parquet"))
    except BaseException:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    with _signals_deferred():
        _write_journal(out, [(tmp.name, f"{name}.parquet") for tmp, name in zip(staged, tables, strict=True)])
        finish_commit(out)


# --------------------------------------------------------------------------- merging


def _without_docs(table: pa.Table, docs: set[str]) -> pa.Table:
    if not docs or not table.num_rows:
        return table
    return table.filter(pc.invert(pc.is_in(table.column("doc_id"), value_set=pa.array(sorted(docs), _str))))


def _merged(out: Path, name: str, new: pa.Table, remove: set[str]) -> pa.Table:
    """The old rows of table `name` minus the documents in `remove`, then the new rows."""
    old = read_table(out, name)
    if old is None:
        return new
    return pa.concat_tables([_without_docs(old, remove).cast(new.schema), new])


def _as_table(name: str, rows: pa.Table | list[dict] | None) -> pa.Table:
    if isinstance(rows, pa.Table):
        return rows.cast(ALL_SCHEMAS[name].with_metadata({SCHEMA_KEY: SCHEMA_VERSION.encode()}))
    return to_arrow(name, rows or [])


def _changed(out: Path, name: str, table: pa.Table) -> bool:
    old = read_table(out, name)
    return old is None or not old.equals(table)


def write_dataset(out: Path | str, new: Mapping[str, pa.Table | list[dict]],
                  replace_docs: Iterable[str] = (), drop_docs: Iterable[str] = (),
                  errors: list[dict] | None = None, manifest: list[dict] | None = None) -> list[str]:
    """Merge new rows into the dataset at `out` and return the names of the tables rewritten.

    `new` maps table names to the new rows (a table or a list of dicts).  Rows
    of `replace_docs` (the documents just processed) and `drop_docs`
    (documents whose files are gone or changed) are removed from the old
    tables before the new rows are appended.  `errors` and `manifest`, when
    given, replace their tables whole.  Tables whose content would not change
    are not rewritten, so a run that found nothing new writes nothing.
    """
    out = Path(out)
    remove = set(replace_docs) | set(drop_docs)
    new_tables = {name: _as_table(name, new.get(name)) for name in TABLES}
    tables: dict[str, pa.Table] = {}
    first_write = not all((out / f"{name}.parquet").exists() for name in TABLES)
    if remove or first_write or any(t.num_rows for t in new_tables.values()):
        tables = {name: _merged(out, name, new_tables[name], remove) for name in TABLES}
    for name, rows in (("errors", errors), ("manifest", manifest)):
        if rows is not None and _changed(out, name, table := to_arrow(name, rows)):
            tables[name] = table
    if tables:
        write_all(tables, out)
    return sorted(tables)
