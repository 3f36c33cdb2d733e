"""The Python API (`pipeline.ingest`, `load`, `tasks_view`, `sql`) and the batch guarantees:
incremental runs, parallel runs, bad files, atomic writes, one writer, schema versions."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import api, write
from pipeline.rules import RULES_ENV, rules_dir
from pipeline.textnorm import canon

from .conftest import GOLD, RAW, ROOT

SEEDS = sorted(RAW.glob("*.txt"))
DATA_FILES = [f"{name}.parquet" for name in (*write.TABLES, "errors", "manifest")]


@pytest.fixture
def plans(tmp_path) -> Path:
    """A folder with three seed plans, to change at will."""
    folder = tmp_path / "plans"
    folder.mkdir()
    for path in SEEDS[:3]:
        shutil.copy(path, folder / path.name)
    return folder


def _files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DATA_FILES if (out / name).exists()}


def _doc_ids(out: Path) -> set[str]:
    return set(pipeline.load(out)["documents"]["doc_id"])


# --------------------------------------------------------------------------- the API as the issue writes it


def test_the_package_exports_the_api_without_importing_it():
    code = "import sys, pipeline; print(sorted(m for m in ('pyarrow', 'pandas', 'duckdb', 'pipeline.api') " \
           "if m in sys.modules)); print(pipeline.ingest is pipeline.api.ingest, pipeline.sql.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "True pipeline.api"]


def test_load_gives_real_types(seed_dataset):
    tables = pipeline.load(seed_dataset)
    assert set(tables) == {*write.TABLES, "errors"}
    tasks, documents = tables["tasks"], tables["documents"]
    assert str(tasks["due_date"].dtype).startswith("datetime64")
    assert str(documents["issued_date"].dtype).startswith("datetime64")
    assert isinstance(tasks["deadline_kind"].dtype, pd.CategoricalDtype)
    assert isinstance(tables["task_units"]["role"].dtype, pd.CategoricalDtype)
    assert set(tables["task_units"]["role"].cat.categories) <= {"lead", "support", "monitor"}
    assert isinstance(tables["targets"]["comparator"].dtype, pd.CategoricalDtype)
    assert str(documents["year"].dtype) == "Int32"
    assert all(isinstance(v, list) for v in documents["implements"])
    assert all(isinstance(v, list) for v in documents["warnings"])
    assert tables["errors"].columns.tolist() == ["path", "stage", "error_type", "message"]


def test_load_finds_a_dated_deadline_and_a_decision_number(seed_dataset):
    tables = pipeline.load(seed_dataset)
    dated = tables["tasks"][tables["tasks"]["deadline_kind"] == "date"]
    assert len(dated) and dated["due_date"].notna().all()
    assert (dated["due_date"].dt.year >= 2024).all()
    assert "257/QĐ-UBND" in set(tables["documents"]["number"].dropna())


def test_tasks_view_joins_units_and_document_fields(seed_dataset):
    view = pipeline.tasks_view(seed_dataset)
    tables = pipeline.load(seed_dataset)
    assert len(view) == len(tables["tasks"])
    assert {"lead_units", "support_units", "monitor_units", "issuer", "doc_number", "doc_title", "year"} \
        <= set(view.columns)
    units = tables["task_units"]
    for row in view.itertuples():
        mine = units[units["task_id"] == row.task_id]
        assert row.lead_units == mine[mine["role"] == "lead"]["unit"].tolist()
        assert row.support_units == mine[mine["role"] == "support"]["unit"].tolist()
    assert view["issuer"].notna().mean() > 0.5


def test_tasks_view_leads_agree_with_the_gold_files(seed_dataset):
    view = pipeline.tasks_view(seed_dataset)
    view["file"] = view["source_path"].map(lambda p: Path(p).name)
    found = expected = 0
    for gold_path in sorted(GOLD.glob("0*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        rows = view[view["file"] == gold["file"]].set_index("path")
        for task in gold["tasks"]:
            for lead in task["lead"]:
                expected += 1
                if task["path"] in rows.index:
                    leads = rows.loc[[task["path"]], "lead_units"].iloc[0]
                    found += canon(lead) in {canon(u) for u in leads}
    assert expected > 50
    assert found / expected > 0.7


def test_sql_runs_over_views_of_every_table(seed_dataset):
    counts = pipeline.sql(seed_dataset, "select (select count(*) from tasks) t, (select count(*) from errors) e, "
                                        "(select count(*) from manifest) m")
    tables = pipeline.load(seed_dataset)
    assert counts.iloc[0].tolist() == [len(tables["tasks"]), 0, len(SEEDS)]
    leads = pipeline.sql(seed_dataset, "select unit, count(*) as n from task_units where role = ? "
                                       "group by unit order by n desc, unit", ["lead"])
    assert leads["n"].sum() == (tables["task_units"]["role"] == "lead").sum()
    implements = pipeline.sql(seed_dataset, "select implements from documents where len(implements) > 0")
    assert all(isinstance(v, list) for v in implements["implements"])


def test_sql_errors_are_the_databases(seed_dataset):
    with pytest.raises(duckdb.Error):
        pipeline.sql(seed_dataset, "select nonsense from tasks")


def test_reading_a_folder_without_a_dataset_says_so(tmp_path):
    for read in (pipeline.load, pipeline.tasks_view, lambda out: pipeline.sql(out, "select 1")):
        with pytest.raises(write.NotADatasetError, match="no kehoach dataset"):
            read(tmp_path)


# --------------------------------------------------------------------------- schema version


def test_every_file_records_the_schema_version(seed_dataset):
    for name in DATA_FILES:
        metadata = pq.read_schema(seed_dataset / name).metadata
        assert metadata[write.SCHEMA_KEY] == write.SCHEMA_VERSION.encode()


def _set_version(path: Path, version: bytes) -> None:
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({write.SCHEMA_KEY: version}), path)


def test_a_dataset_of_another_schema_version_is_refused_clearly(plans, tmp_path):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    _set_version(out / "tasks.parquet", b"0")
    message = r"schema version 0, this kehoach reads and writes version 1"
    with pytest.raises(write.SchemaVersionError, match=message):
        pipeline.load(out)
    with pytest.raises(write.SchemaVersionError, match=message):
        pipeline.sql(out, "select count(*) from documents")
    (plans / SEEDS[0].name).write_text("changed", encoding="utf-8")
    with pytest.raises(write.SchemaVersionError, match=message):
        pipeline.ingest([plans], out, jobs=1)


# --------------------------------------------------------------------------- incremental runs


def test_a_second_run_with_nothing_changed_skips_every_file_and_writes_nothing(plans, tmp_path):
    out = tmp_path / "out"
    first = pipeline.ingest([plans], out, jobs=1)
    assert len(first.written) == 3 and first.ok
    before = {name: (out / name).stat().st_mtime_ns for name in DATA_FILES}
    second = pipeline.ingest([plans], out, jobs=1)
    assert (second.written, len(second.skipped), second.tables_written) == ([], 3, [])
    assert {name: (out / name).stat().st_mtime_ns for name in DATA_FILES} == before


def test_a_changed_file_is_extracted_again_and_only_it(plans, tmp_path):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    old_ids = _doc_ids(out)
    changed = plans / SEEDS[1].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nPhụ lục bổ sung.\n", encoding="utf-8")
    result = pipeline.ingest([plans], out, jobs=1)
    assert result.written == [str(changed)]
    assert len(result.skipped) == 2
    new_ids = _doc_ids(out)
    assert len(new_ids) == 3 and len(new_ids - old_ids) == 1
    assert set(pipeline.load(out)["tasks"]["doc_id"]) <= new_ids


def test_changed_rules_extract_everything_again(plans, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    with (rules / "units.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit\n")
    monkeypatch.setenv(RULES_ENV, str(rules))
    result = pipeline.ingest([plans], out, jobs=1)
    assert len(result.written) == 3


def test_a_new_parser_version_extracts_everything_again_even_files_not_named(plans, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    extra = tmp_path / "extra.txt"
    shutil.copy(SEEDS[3], extra)
    monkeypatch.setattr(api, "__version__", "99.0")
    result = pipeline.ingest([extra], out, jobs=1)
    assert len(result.written) == 4  # the three earlier files too: a dataset never mixes versions
    versions = set(pipeline.sql(out, "select distinct parser_version from manifest")["parser_version"])
    assert versions == {"99.0"}


def test_force_extracts_unchanged_files(plans, tmp_path):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    tasks = pipeline.load(out)["tasks"]
    result = pipeline.ingest([plans], out, jobs=1, force=True)
    assert len(result.written) == 3 and result.skipped == []
    pd.testing.assert_frame_equal(pipeline.load(out)["tasks"], tasks)


def test_prune_removes_the_documents_of_deleted_files(plans, tmp_path):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    gone = plans / SEEDS[0].name
    gone_id = api.file_sha256(gone)[:16]
    gone.unlink()
    kept = pipeline.ingest([plans], out, jobs=1)
    assert kept.pruned == [] and gone_id in _doc_ids(out)  # without --prune a document stays
    pruned = pipeline.ingest([plans], out, jobs=1, prune=True)
    assert [Path(p).name for p in pruned.pruned] == [gone.name]
    assert gone_id not in _doc_ids(out) and len(_doc_ids(out)) == 2
    assert gone_id not in set(pipeline.load(out)["tasks"]["doc_id"])
    assert len(pipeline.sql(out, "select * from manifest")) == 2


def test_files_with_the_same_bytes_are_extracted_once(plans, tmp_path):
    out = tmp_path / "out"
    shutil.copy(plans / SEEDS[0].name, plans / "copy.txt")
    result = pipeline.ingest([plans], out, jobs=1)
    assert len(result.written) == 3 and [Path(p).name for p in result.skipped] == ["copy.txt"]
    assert len(_doc_ids(out)) == 3
    assert len(pipeline.sql(out, "select * from manifest")) == 4


def test_runs_from_another_folder_find_the_same_files(plans, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    pipeline.ingest([Path("plans")], Path("out"), jobs=1)
    monkeypatch.chdir(plans)
    result = pipeline.ingest(["."], "../out", jobs=1, prune=True)
    assert (result.written, result.pruned, len(result.skipped)) == ([], [], 3)
    assert set(pipeline.sql(out, "select path from manifest")["path"]) == {f"../plans/{p.name}" for p in SEEDS[:3]}


# --------------------------------------------------------------------------- bad files, parallel runs


def test_a_failed_file_is_an_errors_row_and_the_others_are_written(plans, tmp_path):
    out = tmp_path / "out"
    bad = plans / "empty.txt"
    bad.write_bytes(b"")
    result = pipeline.ingest([plans], out, jobs=1)
    assert not result.ok and len(result.written) == 3
    errors = pipeline.load(out)["errors"]
    assert errors[["path", "stage", "error_type"]].values.tolist() == [[str(bad), "read", "ReadError"]]
    assert errors["message"].iloc[0] == "empty file"
    shutil.copy(SEEDS[3], bad)  # fixed: the next run reads it and the errors table empties
    again = pipeline.ingest([plans], out, jobs=1)
    assert again.ok and again.written == [str(bad)]
    assert pipeline.load(out)["errors"].empty


def test_an_extractor_crash_names_the_stage_and_the_place(plans, monkeypatch):
    def broken(path, raw):
        raise KeyError("no such field")

    monkeypatch.setattr(api, "process", broken)
    error = api.process_file(plans / SEEDS[0].name)
    assert (error.stage, error.error_type) == ("extract", "KeyError")
    assert error.message.startswith("'no such field' (at test_api.py:")


def test_parallel_runs_give_the_same_tables_as_one_process(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    pipeline.ingest([RAW], serial, jobs=1)
    result = pipeline.ingest([RAW], parallel, jobs=2)
    assert result.ok and len(result.written) == len(SEEDS)
    one, two = pipeline.load(serial), pipeline.load(parallel)
    for name in write.TABLES:
        pd.testing.assert_frame_equal(one[name], two[name], obj=name)


def test_progress_callbacks_report_every_file_once(plans, tmp_path, monkeypatch):
    (plans / "empty.txt").write_bytes(b"")
    totals: list[int] = []
    seen: list[tuple[str, str]] = []

    def ingest(paths: list[Path]) -> None:
        totals.clear()
        seen.clear()
        pipeline.ingest(paths, tmp_path / "out", jobs=2, on_start=totals.append,
                        on_file=lambda path, outcome: seen.append((path.name, type(outcome).__name__)))

    ingest([plans])
    assert totals == [4]
    assert sorted(seen) == sorted([(p.name, "Extracted") for p in SEEDS[:3]] + [("empty.txt", "FileError")])
    ingest([plans])
    assert sorted(seen) == sorted([(p.name, "NoneType") for p in SEEDS[:3]] + [("empty.txt", "FileError")])
    monkeypatch.setattr(api, "__version__", "99.0")  # stale documents join the run: the total says so
    ingest([plans / SEEDS[0].name])
    assert totals == [3] and len(seen) == 3


def test_office_debris_in_folders_is_not_read(plans):
    (plans / "~$draft.docx").write_bytes(b"owner file")
    (plans / ".hidden.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in api.collect_files([plans])] == [p.name for p in SEEDS[:3]]
    assert api.collect_files([plans / "~$draft.docx", plans, plans / SEEDS[0].name])[0].name == "~$draft.docx"


# --------------------------------------------------------------------------- atomic writes, one writer


def test_an_interrupted_write_leaves_the_previous_dataset_whole(plans, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    before = _files(out)
    shutil.copy(SEEDS[3], plans / "new.txt")
    real_write, written = pq.write_table, []

    def interrupted(table, where, **kwargs):
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(where)
        real_write(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.ingest([plans], out, jobs=1)
    assert _files(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*DATA_FILES, write.LOCK_NAME])


def test_a_commit_cut_short_is_finished_by_the_next_run(plans, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.ingest([plans], out, jobs=1)
    shutil.copy(SEEDS[3], plans / "new.txt")
    real_replace, renamed = os.replace, []

    def crash(src, dst):
        if str(dst).endswith(".parquet") and len(renamed) == 2:
            raise SystemExit("power cut")
        renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SystemExit):
        pipeline.ingest([plans], out, jobs=1)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / write.JOURNAL_NAME).exists()
    result = pipeline.ingest([plans], out, jobs=1)  # takes the lock, finishes the commit, finds nothing new
    assert (result.written, result.tables_written) == ([], [])
    assert not (out / write.JOURNAL_NAME).exists()
    assert len(_doc_ids(out)) == 4
    manifest_docs = set(pipeline.sql(out, "select doc_id from manifest")["doc_id"])
    assert manifest_docs == _doc_ids(out) == set(pipeline.load(out)["tasks"]["doc_id"])


def test_a_second_writer_is_refused_while_one_runs(plans, tmp_path):
    out = tmp_path / "out"
    locked = pytest.raises(write.DatasetLockedError, match=f"another kehoach run \\(process {os.getpid()}\\)")
    with write.DatasetLock(out), locked:
        pipeline.ingest([plans], out, jobs=1)
    assert pipeline.ingest([plans], out, jobs=1).ok  # released: the next run goes ahead


def test_a_killed_run_leaves_no_lock_behind(plans, tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pipeline.write import DatasetLock\n"
                               f"with DatasetLock({str(out)!r}): print('locked', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(write.DatasetLockedError):
        pipeline.ingest([plans], out, jobs=1)
    holder.kill()
    holder.wait()
    assert pipeline.ingest([plans], out, jobs=1).ok


# --------------------------------------------------------------------------- the analyst notebook

NOTEBOOK = ROOT / "examples" / "analyst.ipynb"


def test_the_analyst_notebook_was_saved_run_and_still_runs(tmp_path, monkeypatch):
    """Its saved outputs come from a run without errors, and its code still works with this API
    (run here cell by cell without Jupyter; `examples/build_notebook.py` rebuilds it)."""
    import tempfile

    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in cells)
    assert not any(output["output_type"] == "error" for cell in cells for output in cell["outputs"])
    assert sum(bool(cell["outputs"]) for cell in cells) >= len(cells) - 1
    monkeypatch.chdir(NOTEBOOK.parent)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    namespace: dict = {}
    for cell in cells:
        exec(compile("".join(cell["source"]), NOTEBOOK.name, "exec"), namespace)  # noqa: S102
    assert namespace["leads"]["lead_units"].value_counts().iloc[0] >= 10   # who leads most tasks
    assert len(namespace["in_q4"]) >= 5                                    # what is due in Q4
    assert namespace["wards"]["plan"].nunique() >= 2                       # targets each ward sets
    assert len(pipeline.load(namespace["DATASET"])["errors"]) == 2


# --------------------------------------------------------------------------- the benchmark's corpus


def test_the_benchmark_corpus_is_varied_and_ingests(tmp_path):
    """bench_ingest builds plans from the seeds that all differ from each other and from the
    seeds, yet still read as plans (a small corpus here; the benchmark makes 1,000)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "benchmarks" / "bench_ingest.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    paths = bench.build_corpus(tmp_path / "corpus", 10, seed=7)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert len(set(texts)) == 10 and not set(texts) & {s.read_text(encoding="utf-8") for s in SEEDS}
    assert [p.read_text(encoding="utf-8") for p in bench.build_corpus(tmp_path / "again", 10, seed=7)] == texts
    result = pipeline.ingest(paths, tmp_path / "out", jobs=1)
    assert result.ok and len(result.written) == 10
    tasks = pipeline.load(tmp_path / "out")["tasks"]
    assert tasks.groupby("doc_id").size().min() >= 5


def _die_on_poison(path: Path):
    """A worker that dies outright (as when the kernel kills it for memory) on one file."""
    if path.name.startswith("poison"):
        os._exit(1)
    return _REAL_EXTRACT(path)


_REAL_EXTRACT = api._extract


def test_a_worker_that_dies_fails_its_file_alone_and_the_batch_goes_on(plans, tmp_path, monkeypatch):
    (plans / "poison.txt").write_bytes((plans / SEEDS[0].name).read_bytes() + b"\n")  # not a copy
    monkeypatch.setattr(api, "_extract", _die_on_poison)
    out = tmp_path / "out"
    result = pipeline.ingest([plans], out, jobs=2)
    assert [(Path(e.path).name, e.error_type) for e in result.errors] == [("poison.txt", "WorkerDied")]
    # the files the broken pool held are tried again and written
    assert sorted(Path(p).name for p in result.written) == sorted(s.name for s in SEEDS[:3])
    errors = pipeline.load(out)["errors"]
    assert [Path(p).name for p in errors["path"]] == ["poison.txt"]
