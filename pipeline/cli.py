"""The `kehoach` command: a thin layer of click commands over `pipeline.api`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__, api
from .write import DatasetLockedError, SchemaVersionError


@click.group()
@click.version_option(__version__, prog_name="kehoach")
def main() -> None:
    """Turn Vietnamese government plans (Kế hoạch) into Parquet tables."""


def _progress(total: int, quiet: bool):
    """A rich progress bar with files per second on stderr, or nothing for scripts."""
    if quiet or total == 0:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class Rate(TextColumn):
        def render(self, task):
            elapsed = task.elapsed or 0
            return f"{task.completed / elapsed:.1f} files/s" if elapsed else ""

    return Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), Rate(""),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=False)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=api.DEFAULT_OUTPUT, show_default=True,
              help="Dataset folder: one Parquet file per table.")
@click.option("--jobs", "-j", type=int, default=None, help="Worker processes (default: the machine's cores).")
@click.option("--force", is_flag=True, help="Re-extract every file, changed or not.")
@click.option("--prune", is_flag=True, help="Remove documents whose files are gone.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary; errors only.")
def ingest(inputs: tuple[Path, ...], out: Path, jobs: int | None, force: bool, prune: bool, quiet: bool) -> None:
    """Read plans (files or folders; default data/raw) into the dataset at --out."""
    inputs = inputs or (api.DEFAULT_INPUT,)
    missing = [p for p in inputs if not p.exists()]
    for path in missing:
        click.echo(f"error: {path}: no such file or folder", err=True)
    present = [p for p in inputs if p.exists()]
    progress = _progress(len(api.collect_files(present)), quiet)
    bar = progress.add_task("ingest", total=len(api.collect_files(present))) if progress else None

    def on_file(path: Path, outcome) -> None:
        if isinstance(outcome, api.FileError):
            (progress.console.print if progress else click.echo)(f"error: {outcome}", **({} if progress else {"err": True}))
        if progress:
            progress.advance(bar)

    try:
        if progress:
            with progress:
                result = api.ingest(present, out, jobs=jobs, force=force, prune=prune, on_file=on_file)
        else:
            result = api.ingest(present, out, jobs=jobs, force=force, prune=prune, on_file=on_file)
    except (DatasetLockedError, SchemaVersionError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(f"{len(result.written)} written, {len(result.skipped)} unchanged, {len(result.pruned)} pruned, "
                   f"{len(result.errors)} failed in {result.seconds:.1f}s -> {out}", err=True)
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


def _cell(value) -> str:
    """A value as shown in a table: missing values blank, not 'nan' or 'None'."""
    import pandas as pd

    try:
        if value is None or pd.isna(value):
            return ""
    except (TypeError, ValueError):  # lists and arrays: pd.isna is element-wise
        pass
    return str(value)


def _print_frame(frame, title: str | None = None, max_width: int = 60) -> None:
    """A DataFrame as a readable rich table (long cells cut)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v)[:max_width] for v in row))
    Console(width=max(120, int(os.environ.get("COLUMNS", 0) or 0))).print(table)


@main.command("sql")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.argument("query")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
def sql_command(dataset: Path, query: str, as_csv: bool) -> None:
    """Run QUERY (DuckDB SQL; tables are views named documents, tasks, task_units, ...)."""
    try:
        frame = api.sql(dataset, query)
    except Exception as exc:  # noqa: BLE001 - show the database's message, not a traceback
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        _print_frame(frame)


@main.command("show")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.option("--doc", "doc_id", help="Show one document's tasks (its doc_id, a prefix of it, or part of its file name).")
def show_command(dataset: Path, doc_id: str | None) -> None:
    """Summarise the dataset, or list one document's tasks with units and deadlines."""
    if doc_id is None:
        _print_frame(api.sql(dataset, SHOW_DOCUMENTS_SQL), title=str(dataset))
        return
    quoted = doc_id.replace("'", "''")
    frame = api.sql(dataset, SHOW_TASKS_SQL.format(prefix=quoted))
    if frame.empty:
        click.echo(f"error: no tasks for a document starting with {doc_id!r}", err=True)
        sys.exit(1)
    _print_frame(frame, title=doc_id)


SHOW_DOCUMENTS_SQL = """
select d.doc_id, d.doc_type, d.number, d.issuer, d.year,
       (select count(*) from tasks t where t.doc_id = d.doc_id) as tasks,
       (select count(*) from targets g where g.doc_id = d.doc_id) as targets,
       d.source_path
from documents d order by d.source_path
"""

SHOW_TASKS_SQL = """
select t.path, t.text,
       (select string_agg(u.unit, '; ') from task_units u where u.task_id = t.task_id and u.role = 'lead') as lead,
       t.deadline_kind, t.due_date, t.page, t.line_start as line
from tasks t join documents d using (doc_id)
where t.doc_id like '{prefix}%' or d.source_path like '%{prefix}%' order by t.task_id
"""


if __name__ == "__main__":
    main()
