"""`kehoach diff`: the command over `pipeline.diff` (register with `main.add_command(diff_command)`).

    kehoach diff CHILD PARENT --out DIR            two files (ingested on the fly) or doc_ids with --dataset
    kehoach diff --dataset DIR --out DIR           every plan against the plan it implements
    kehoach diff --dataset DIR --parent P --out DIR  every plan against P
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import diff as d


def _echo_summary(result: d.PlanDiff, top: int) -> None:
    counts = result.counts()
    tasks = ", ".join(f"{counts[s]} {s}" for s in d.TASK_STATUSES)
    targets = ", ".join(f"{counts['targets_' + s]} {s}" for s in d.TARGET_STATUSES)
    click.echo(f"{result.child.name} against {result.parent.name}")
    click.echo(f"  tasks: {tasks}")
    click.echo(f"  targets: {targets}")
    for line in result.top_changes(top):
        click.echo(f"  - {line}")


def _diff_pair(child: str, parent: str, dataset: Path | None, out: Path, threshold: float,
               target_threshold: float, top: int) -> None:
    result = d.diff(child, parent, dataset, threshold, target_threshold)
    result.write(out)
    _echo_summary(result, top)
    click.echo(f"written: {out / 'diff_tasks.parquet'}, {out / 'diff_targets.parquet'}, {out / 'report.html'}")


def _diff_dataset(dataset: Path, parent: str | None, out: Path, threshold: float,
                  target_threshold: float, top: int) -> None:
    results = d.diff_dataset(dataset, parent, threshold, target_threshold)
    d.write_all(results, out)
    for result in results:
        _echo_summary(result, top)
    if not results:
        click.echo("no pair: no document of the dataset implements another one (documents.implements); "
                   "give --parent to diff every plan against one", err=True)
    click.echo(f"{len(results)} pairs written to {out} (index.html, reports/, diff_tasks.parquet, diff_targets.parquet)")


@click.argument("documents", nargs=-1, metavar="[CHILD PARENT]")
@click.option("--dataset", type=click.Path(file_okay=False, path_type=Path),
              help="Dataset folder: doc_ids are looked up there and files are ingested into it.")
@click.option("--parent", "parent", help="With --dataset and no documents: the parent (file or doc_id) for every plan.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("diff"), show_default=True,
              help="Output folder.")
@click.option("--threshold", type=float, default=d.DEFAULT_THRESHOLD, show_default=True,
              help="Tasks are paired when each is the other's best counterpart and their score is at least "
                   "this. The score is the texts' similarity plus small bonuses for the same kind of section, "
                   "the same lead role and a cited parent number; like headings only break near ties.")
@click.option("--target-threshold", type=float, default=d.DEFAULT_TARGET_THRESHOLD, show_default=True,
              help="Lowest metric similarity at which two targets without a shared indicator are a pair.")
@click.option("--top", type=int, default=10, show_default=True, help="How many top changes to print per pair.")
def _diff(documents: tuple[str, ...], dataset: Path | None, parent: str | None, out: Path, threshold: float,
          target_threshold: float, top: int) -> None:
    """Diff plan CHILD against plan PARENT (files or doc_ids), or every plan of --dataset against its parent.

    Writes diff_tasks.parquet, diff_targets.parquet and an HTML report to --out,
    and prints the counts and the top changes.
    """
    try:
        if len(documents) == 2:
            _diff_pair(documents[0], documents[1], dataset, out, threshold, target_threshold, top)
        elif not documents and dataset is not None:
            _diff_dataset(dataset, parent, out, threshold, target_threshold, top)
        else:
            raise click.UsageError("give CHILD and PARENT, or --dataset DIR without documents")
    except (KeyError, ValueError) as exc:
        click.echo(f"error: {exc.args[0] if exc.args else exc}", err=True)
        sys.exit(1)


diff_command = click.command("diff")(_diff)
