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


class SchemaVersionError(Exception):
    """A dataset written by another version of the schema."""


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[name].with_metadata({SCHEMA_KEY: SCHEMA_VERSION.encode()})
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


def atomic_write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dataset(out: Path, rows: dict[str, list[dict]], replace_docs: set[str],
                  drop_docs: set[str] = frozenset()) -> None:
    """Merge new rows into the dataset at `out`.

    Rows of `replace_docs` (the documents just processed) and `drop_docs`
    (documents whose files are gone or changed) are removed from the old
    tables before the new rows are appended.
    """
    remove = set(replace_docs) | set(drop_docs)
    for name in TABLES:
        new = to_arrow(name, rows.get(name, []))
        old = read_table(out, name)
        if old is not None and old.num_rows:
            keep = [doc not in remove for doc in old.column("doc_id").to_pylist()]
            new = pa.concat_tables([old.filter(pa.array(keep, pa.bool_())).cast(new.schema), new])
        atomic_write(new, out / f"{name}.parquet")
