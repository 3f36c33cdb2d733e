"""The `kehoach` command: a thin layer of click commands over `pipeline.api`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__, api
from .evaluate import evaluate


@click.group()
@click.version_option(__version__, prog_name="kehoach")
def main() -> None:
    """Turn Vietnamese government plans (Kế hoạch) into Parquet tables."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=api.DEFAULT_OUTPUT, show_default=True,
              help="Dataset folder: one Parquet file per table.")
@click.option("--quiet", is_flag=True, help="Print errors only.")
def ingest(inputs: tuple[Path, ...], out: Path, quiet: bool) -> None:
    """Read plans (files or folders; default data/raw) into the dataset at --out."""
    inputs = inputs or (api.DEFAULT_INPUT,)
    missing = [p for p in inputs if not p.exists()]
    for path in missing:
        click.echo(f"error: {path}: no such file or folder", err=True)

    def on_file(path: Path, outcome) -> None:
        if isinstance(outcome, api.FileError):
            api.report_error(outcome)
        elif not quiet:
            counts = ", ".join(f"{len(outcome.tables[n])} {n}" for n in ("sections", "tasks", "targets"))
            click.echo(f"{path}: {counts}")

    result = api.ingest([p for p in inputs if p.exists()], out, on_file=on_file)
    if not quiet:
        click.echo(f"{len(result.documents)} documents written to {out}, {len(result.errors)} failed")
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
    result = evaluate(dataset, gold_dir, raw)
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


if __name__ == "__main__":
    main()
