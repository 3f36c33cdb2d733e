"""`kehoach eval`: scores a dataset against gold files and lists what it missed."""
import shutil

import pyarrow.compute as pc
import pyarrow.parquet as pq
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.evaluate import evaluate

from .conftest import GOLD, RAW


def test_eval_command_prints_scores(seed_dataset):
    result = CliRunner().invoke(main, ["eval", str(seed_dataset), str(GOLD), "--raw", str(RAW), "--quiet"])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("SCORES ")
    scores = dict(part.split("=") for part in line.split()[1:])
    assert set(scores) == {"sections", "tasks", "units", "targets", "references", "deadlines", "document"}


def test_a_missing_task_lowers_the_score_and_is_listed(seed_dataset, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(seed_dataset, damaged)
    tasks = pq.read_table(damaged / "tasks.parquet")
    victim = tasks.column("task_id")[0].as_py()
    pq.write_table(tasks.filter(pc.not_equal(tasks.column("task_id"), victim)), damaged / "tasks.parquet")
    before = evaluate(seed_dataset, GOLD, RAW)
    after = evaluate(damaged, GOLD, RAW)
    assert after.totals["tasks"].tp == before.totals["tasks"].tp - 1
    assert any(doc.misses["tasks (gold not found)"] for doc in after.per_doc.values())


def test_gold_is_matched_by_file_stem_without_raw_files(seed_dataset):
    assert evaluate(seed_dataset, GOLD).summary() == evaluate(seed_dataset, GOLD, RAW).summary()
