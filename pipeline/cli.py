"""The `kehoach` command: a thin layer of click commands over `pipeline.api`."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__, api
from .diff_cli import diff_command
from .write import DatasetLockedError, NotADatasetError, SchemaVersionError


@click.group()
@click.version_option(__version__, prog_name="kehoach")
def main() -> None:
    """Turn Vietnamese government plans (Kế hoạch) into Parquet tables."""


class _Progress:
    """The ingest progress bar on stderr (files done, files per second), shown once the run
    knows its files, with each failure printed above it as one line; with `quiet`, only the
    failure lines."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._bar: Any = None  # a rich Progress, imported only when a bar is shown

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.stop()

    def start(self, total: int) -> None:
        if not self._quiet:
            self._bar = _progress_bar()
            self._bar.add_task("ingest", total=total)
            self._bar.start()

    def __call__(self, path: Path, outcome: object) -> None:
        if isinstance(outcome, api.FileError):
            if self._bar:
                self._bar.console.print(f"error: {outcome}", markup=False, highlight=False, soft_wrap=True)
            else:
                click.echo(f"error: {outcome}", err=True)
        if self._bar:
            self._bar.advance(self._bar.task_ids[0])


def _progress_bar():
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class FilesPerSecond(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} files/s" if speed else "", style="progress.data.speed")

    return Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), FilesPerSecond(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True))


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=api.DEFAULT_OUTPUT, show_default=True,
              help="Dataset folder: one Parquet file per table.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the machine's cores).")
@click.option("--force", is_flag=True, help="Re-extract every file, changed or not.")
@click.option("--prune", is_flag=True, help="Remove documents whose files are gone.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; only a line per failed file.")
def ingest(inputs: tuple[Path, ...], out: Path, jobs: int | None, force: bool, prune: bool, quiet: bool) -> None:
    """Read plans (files or folders; default data/raw) into the dataset at --out.

    Unchanged files are skipped.  Exit code: 0 when every file was read, 1 when
    any failed (each has a line on stderr and a row in the `errors` table;
    every other file is written), 2 when nothing could be written (another run
    holds the dataset, it has another schema version, or its folder cannot be
    written), 130 on Ctrl-C (the dataset is left as it was).
    """
    inputs = inputs or (api.DEFAULT_INPUT,)
    missing = [p for p in inputs if not p.exists()]
    for path in missing:
        click.echo(f"error: {path}: no such file or folder", err=True)
    files = api.collect_files(p for p in inputs if p.exists())
    try:
        with _Progress(quiet) as progress:
            result = api.ingest(files, out, jobs=jobs, force=force, prune=prune, on_start=progress.start,
                                on_file=progress)
    except (DatasetLockedError, SchemaVersionError, OSError) as exc:  # OSError: the dataset cannot be written
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo(f"interrupted: {out} is left as it was", err=True)
        sys.exit(130)
    if not quiet:
        changed = "written" if result.tables_written else "nothing changed"
        click.echo(f"{len(result.written)} extracted, {len(result.skipped)} unchanged, {len(result.pruned)} pruned, "
                   f"{len(result.errors)} failed in {result.seconds:.1f}s; {out}: {changed}", err=True)
    sys.exit(1 if result.errors or missing else 0)


@main.command("eval")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.argument("gold_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--raw", type=click.Path(exists=True, path_type=Path),
              help="Folder of the annotated files, to match gold to documents by content hash.")
@click.option("--json", "as_json", is_flag=True, help="Print scores and misses as JSON.")
@click.option("--quiet", is_flag=True, help="Print only the summary line.")
def eval_command(dataset: Path, gold_dir: Path, raw: Path | None, as_json: bool, quiet: bool) -> None:
    """Score DATASET against gold files in GOLD_DIR (SPEC's gold format)."""
    result = api.evaluate(dataset, gold_dir, raw)
    if as_json:
        click.echo(result.to_json())
        return
    if not quiet:
        for name, doc in result.per_doc.items():
            click.echo(f"== {name}")
            for what, rows in doc.misses.items():
                if rows:
                    click.echo(f"  {what}: {len(rows)}")
                    for row in rows[:40]:
                        click.echo(f"    {row}")
    click.echo("SCORES " + " ".join(f"{k}={v:.3f}" for k, v in result.summary().items()))


def _cell(value: object) -> str:
    """A value as a person reads it: blank when missing, lists joined by `; `, dates without a time."""
    import pandas as pd

    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _print_frame(frame, title: str | None = None, max_width: int = 80) -> None:
    """A DataFrame as a rich table on stdout, long cells cut at `max_width` characters."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_shorten(_cell(v), max_width) for v in row), end_section=False)
    width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 200)
    Console(width=width, highlight=False).print(table)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@main.command("sql")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.argument("query")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
def sql_command(dataset: Path, query: str, as_csv: bool) -> None:
    """Run QUERY (DuckDB SQL) over DATASET: each table is a view of the same name
    (documents, sections, tasks, task_units, targets, references, errors, manifest)."""
    import duckdb

    try:
        frame = api.sql(dataset, query)
    except (NotADatasetError, SchemaVersionError, duckdb.Error) as exc:
        _fail(str(exc), 2)
    if as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        _print_frame(frame, max_width=200)


@main.command("show")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--doc", "doc_ref", help="One document: its doc_id (or a prefix of it) or part of its file name.")
def show_command(dataset: Path, doc_ref: str | None) -> None:
    """Summarise DATASET (documents, failed files), or show one document's tasks and targets."""
    try:
        if doc_ref is None:
            _show_dataset(dataset)
        else:
            _show_document(dataset, doc_ref)
    except (NotADatasetError, SchemaVersionError) as exc:
        _fail(str(exc), 2)


SHOW_DOCUMENTS_SQL = """
select d.doc_id, d.doc_type, d.number, d.issuer, d.year,
       (select count(*) from tasks t where t.doc_id = d.doc_id) as tasks,
       (select count(*) from targets g where g.doc_id = d.doc_id) as targets,
       d.warnings, d.source_path
from documents d order by d.source_path
"""
FIND_DOCUMENT_SQL = """
select doc_id, doc_type, number, issuer, issued_date, title, signer, source_path from documents
where starts_with(doc_id, $ref) or contains(source_path, $ref) order by source_path
"""
SHOW_TASKS_SQL = """
select t.path, t.text,
       (select string_agg(u.unit, '; ') from task_units u where u.task_id = t.task_id and u.role = 'lead') as lead,
       (select string_agg(u.unit, '; ') from task_units u where u.task_id = t.task_id and u.role = 'support')
           as support,
       t.deadline_raw as deadline, t.deadline_kind as kind, t.due_date as due, t.page
from tasks t where t.doc_id = $doc order by t.task_id
"""
SHOW_TARGETS_SQL = """
select path, comparator, value, unit, metric, indicator, page from targets where doc_id = $doc order by target_id
"""


def _show_dataset(dataset: Path) -> None:
    documents = api.sql(dataset, SHOW_DOCUMENTS_SQL)
    _print_frame(documents, title=f"{dataset}: {len(documents)} documents")
    errors = api.sql(dataset, "select * from errors order by path")
    if not errors.empty:
        _print_frame(errors, title=f"{len(errors)} files failed in the last run", max_width=200)


def _show_document(dataset: Path, ref: str) -> None:
    found = api.sql(dataset, FIND_DOCUMENT_SQL, {"ref": ref})
    if found.empty:
        _fail(f"no document in {dataset} has a doc_id starting with, or a file name containing, {ref!r}", 1)
    if len(found) > 1:
        _print_frame(found[["doc_id", "number", "issuer", "source_path"]], title=f"{ref!r} matches:")
        _fail(f"{ref!r} matches {len(found)} documents; give more of the doc_id", 1)
    doc = found.iloc[0]
    _print_frame(found.T.reset_index().set_axis(["field", "value"], axis=1), title=doc["doc_id"], max_width=200)
    for title, query in (("tasks", SHOW_TASKS_SQL), ("targets", SHOW_TARGETS_SQL)):
        frame = api.sql(dataset, query, {"doc": doc["doc_id"]})
        _print_frame(frame, title=f"{len(frame)} {title}")


main.add_command(diff_command)

if __name__ == "__main__":
    main()
