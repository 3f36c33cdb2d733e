"""The `kehoach ingest`, `sql` and `show` commands: output, exit codes, Ctrl-C."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pipeline import write
from pipeline.cli import main

from .conftest import RAW

SEEDS = sorted(RAW.glob("*.txt"))


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def dataset(tmp_path) -> Path:
    """The seeds ingested into a dataset of this test's own."""
    out = tmp_path / "out"
    assert run("ingest", RAW, "--out", out, "-j", "1", "-q").exit_code == 0
    return out


# --------------------------------------------------------------------------- ingest


def test_ingest_reports_progress_and_a_summary(tmp_path):
    result = run("ingest", RAW, "--out", tmp_path / "out", "-j", "2")
    assert result.exit_code == 0, result.stderr
    assert "files/s" in result.stderr and f"{len(SEEDS)}/{len(SEEDS)}" in result.stderr
    assert f"{len(SEEDS)} extracted, 0 unchanged, 0 pruned, 0 failed" in result.stderr
    again = run("ingest", RAW, "--out", tmp_path / "out")
    assert f"0 extracted, {len(SEEDS)} unchanged" in again.stderr and "nothing changed" in again.stderr


def test_quiet_ingest_prints_nothing_when_all_is_well(tmp_path):
    result = run("ingest", RAW, "--out", tmp_path / "out", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_failed_file_is_a_line_on_stderr_and_exit_code_1(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(SEEDS[0], plans)
    (plans / "junk.txt").write_bytes(bytes(range(256)) * 8)
    result = run("ingest", plans, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 1
    assert result.stderr == f"error: {plans / 'junk.txt'}: read failed: ReadError: binary data, not a text file\n"
    assert run("sql", tmp_path / "out", "select count(*) as n from documents", "--csv").stdout == "n\n1\n"


def test_a_missing_input_is_reported_and_the_rest_ingested(tmp_path):
    result = run("ingest", SEEDS[0], tmp_path / "nowhere.txt", "--out", tmp_path / "out", "-q")
    assert result.exit_code == 1
    assert "nowhere.txt: no such file or folder" in result.stderr
    assert run("sql", tmp_path / "out", "select count(*) as n from documents", "--csv").stdout == "n\n1\n"


def test_jobs_must_be_positive(tmp_path):
    assert run("ingest", RAW, "--out", tmp_path / "out", "--jobs", "0").exit_code == 2


def test_prune_and_force_reach_the_api(dataset, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(SEEDS[0], plans)
    run("ingest", plans, "--out", dataset, "-q")
    (plans / SEEDS[0].name).unlink()
    assert "1 pruned" in run("ingest", RAW, "--out", dataset, "--prune").stderr
    assert f"{len(SEEDS)} extracted, 0 unchanged" in run("ingest", RAW, "--out", dataset, "--force").stderr


def test_a_second_run_on_a_locked_dataset_is_refused(dataset):
    with write.DatasetLock(dataset):
        result = run("ingest", RAW, "--out", dataset)
    assert result.exit_code == 2
    assert "another kehoach run" in result.stderr and "is writing this dataset" in result.stderr


def test_a_dataset_of_another_schema_version_is_refused(dataset):
    path = dataset / "documents.parquet"
    pq.write_table(pq.read_table(path).replace_schema_metadata({write.SCHEMA_KEY: b"7"}), path)
    for args in (("ingest", RAW, "--out", dataset), ("sql", dataset, "select 1"), ("show", dataset)):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "schema version 7" in result.stderr


def test_an_output_folder_that_cannot_be_written_is_reported(tmp_path):
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = run("ingest", SEEDS[0], "--out", blocked / "out")
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and "a_file" in result.stderr


def _plans(folder: Path, n: int) -> Path:
    """`n` distinct plans made from the seeds."""
    folder.mkdir()
    for i in range(n):
        seed = SEEDS[i % len(SEEDS)]
        (folder / f"plan_{i:03d}.txt").write_text(seed.read_text(encoding="utf-8") + f"\n{i}\n", encoding="utf-8")
    return folder


def _start_ingest(plans: Path, dataset: Path) -> subprocess.Popen:
    """`kehoach ingest -j 2` in its own process group, returned once it holds the lock and extracts."""
    child = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "ingest", str(plans), "--out", str(dataset),
                              "-j", "2", "-q"], stderr=subprocess.PIPE, text=True, start_new_session=True)
    lock, deadline = dataset / write.LOCK_NAME, time.monotonic() + 60
    while lock.read_text().strip() != str(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # extracting by now
    return child


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: field 4 of /proc/PID/stat is the parent)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _parquet(dataset: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in dataset.glob("*.parquet")}


def test_ctrl_c_leaves_the_dataset_as_it_was(dataset, tmp_path):
    before = _parquet(dataset)
    plans = _plans(tmp_path / "plans", 60)
    child = _start_ingest(plans, dataset)
    os.killpg(child.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert stderr.strip() == f"interrupted: {dataset} is left as it was"
    assert _parquet(dataset) == before
    assert not list(dataset.glob(".*.tmp"))
    with write.DatasetLock(dataset):  # no lock left behind
        pass


def test_a_killed_run_leaves_the_dataset_whole_unlocked_and_no_worker_behind(dataset, tmp_path):
    before = _parquet(dataset)
    plans = _plans(tmp_path / "plans", 60)
    child = _start_ingest(plans, dataset)
    workers = _children(child.pid)
    assert len(workers) == 2
    child.kill()  # SIGKILL: no clean-up code runs
    child.wait()
    assert _parquet(dataset) == before
    with write.DatasetLock(dataset):  # at once: the workers still exiting do not hold the lock
        pass
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


# --------------------------------------------------------------------------- sql and show


def test_sql_prints_a_readable_table(dataset):
    result = run("sql", dataset, "select doc_type, count(*) as n from documents group by 1 order by 1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any("doc_type" in line and "n" in line for line in lines[:3])
    assert any("ke_hoach" in line for line in lines) and any("quyet_dinh" in line for line in lines)


def test_sql_prints_csv_with_lists_and_dates_readable(dataset):
    result = run("sql", dataset, "select number, issued_date from documents where number is not null "
                                 "and issued_date is not null order by number", "--csv")
    assert result.exit_code == 0
    assert "257/QĐ-UBND,2025-01-24" in result.stdout


def test_sql_shows_lists_and_dates_as_a_person_writes_them(dataset):
    result = run("sql", dataset, "select ['a', 'b'] as units, date '2025-12-31' as due, 30.0 as value, "
                                 "null as nothing")
    row = next(line for line in result.stdout.splitlines() if "a; b" in line)
    assert "2025-12-31" in row and "00:00" not in row and " 30 " in row and "nan" not in row.lower()


def test_sql_reports_a_bad_query_without_a_traceback(dataset, tmp_path):
    result = run("sql", dataset, "select nonsense from tasks")
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and "nonsense" in result.stderr
    missing = run("sql", tmp_path, "select 1")
    assert missing.exit_code == 2 and "no kehoach dataset" in missing.stderr


def test_show_summarises_documents_and_failures(dataset):
    (dataset.parent / "empty.txt").write_bytes(b"")
    run("ingest", dataset.parent / "empty.txt", "--out", dataset, "-q")
    result = run("show", dataset)
    assert result.exit_code == 0
    assert f"{len(SEEDS)} documents" in result.stdout
    assert all(seed.name in result.stdout for seed in SEEDS)
    assert "1 files failed in the last run" in result.stdout and "empty file" in result.stdout


def test_show_doc_lists_one_documents_tasks_and_targets(dataset):
    result = run("show", dataset, "--doc", SEEDS[3].stem[:5])
    assert result.exit_code == 0
    assert "257/QĐ-UBND" in result.stdout
    assert "tasks" in result.stdout and "targets" in result.stdout
    assert "Trung tâm Phục vụ hành chính công" in result.stdout


def test_show_doc_needs_one_match(dataset):
    unknown = run("show", dataset, "--doc", "no-such-document")
    assert unknown.exit_code == 1 and "no document" in unknown.stderr
    several = run("show", dataset, "--doc", ".txt")
    assert several.exit_code == 1 and f"matches {len(SEEDS)} documents" in several.stderr
