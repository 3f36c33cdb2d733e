"""Write the dataset: one Parquet file per table, with SPEC's columns and Arrow types.

Writes are atomic (a temporary file in the same folder, then a rename), so a
crash leaves the previous dataset whole.  Re-running on the same folder
replaces the rows of the documents given and keeps every other document's
rows: an analyst can add this week's plans to last month's dataset.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
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

# Bookkeeping tables: rewritten whole on every run.
RUN_SCHEMAS: dict[str, pa.Schema] = {
    "errors": pa.schema([("path", _str), ("stage", _str), ("error_type", _str), ("message", _str)]),
    "manifest": pa.schema([("path", _str), ("sha256", _str), ("doc_id", _str), ("parser_version", _str),
                           ("rules_hash", _str)]),
}
LOCK_NAME = ".kehoach.lock"


class SchemaVersionError(Exception):
    """A dataset written by another version of the schema."""


class DatasetLockedError(Exception):
    """Another run is writing the same dataset."""


class DatasetLock:
    """One writer per dataset: a lock file holding the writer's process id.

    A lock left by a process that no longer runs (a crash, a killed job) is
    taken over; a live one makes the second run stop with a clear message.
    """

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / LOCK_NAME

    def __enter__(self) -> "DatasetLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                if self._holder_alive():
                    raise DatasetLockedError(
                        f"{self.path.parent}: another kehoach run (process {self._holder()}) is writing this "
                        f"dataset; wait for it to finish (or delete {self.path} if no run is active)") from None
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            return self

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def _holder_alive(self) -> bool:
        pid = self._holder()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    schema = {**SCHEMAS, **RUN_SCHEMAS}[name].with_metadata({SCHEMA_KEY: SCHEMA_VERSION.encode()})
    columns = {col: [row.get(col) for row in rows] for col in schema.names}
    return pa.table(columns, schema=schema)


def read_table(out: Path, name: str) -> pa.Table | None:
    """A table of an existing dataset, or None; refuses another schema version."""
    path = out / f"{name}.parquet"
    if not path.exists():
        return None
    table = pq.read_table(path)
    version = (table.schema.metadata or {}).get(SCHEMA_KEY, b"?").decode()
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path}: dataset schema version {version}, this kehoach writes version {SCHEMA_VERSION}; "
            "re-run `kehoach ingest --force` into a new folder")
    return table


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(tables: dict[str, pa.Table], out: Path) -> None:
    """Write every table to a temporary file first, then rename them all into place.

    A failure (or Ctrl-C) before the renames leaves the previous dataset as it was.
    """
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, table in tables.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=out)
            os.close(fd)
            staged.append((tmp, out / f"{name}.parquet"))
            pq.write_table(table, tmp)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; datasets are shared
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def write_dataset(out: Path, rows: dict[str, list[dict]], replace_docs: set[str],
                  drop_docs: set[str] = frozenset(), errors: list[dict] | None = None,
                  manifest: list[dict] | None = None) -> None:
    """Merge new rows into the dataset at `out`.

    Rows of `replace_docs` (the documents just processed) and `drop_docs`
    (documents whose files are gone or changed) are removed from the old
    tables before the new rows are appended.  `errors` and `manifest`
    replace their tables whole.
    """
    remove = set(replace_docs) | set(drop_docs)
    tables: dict[str, pa.Table] = {}
    for name in TABLES:
        new = to_arrow(name, rows.get(name, []))
        old = read_table(out, name)
        if old is not None and old.num_rows:
            keep = [doc not in remove for doc in old.column("doc_id").to_pylist()]
            new = pa.concat_tables([old.filter(pa.array(keep, pa.bool_())).cast(new.schema), new])
        tables[name] = new
    tables["errors"] = to_arrow("errors", errors or [])
    if manifest is not None:
        tables["manifest"] = to_arrow("manifest", manifest)
    write_all(tables, out)
