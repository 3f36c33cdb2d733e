"""Build `analyst.ipynb` from the cells below and run it, so the saved notebook shows real outputs.

    .venv/bin/pip install nbformat nbclient ipykernel
    .venv/bin/python examples/build_notebook.py

The notebook ingests the plans in `data/raw` into a temporary dataset and
answers the questions an analyst asks of a batch of plans.  Editing a cell
here and re-running the script keeps the code and its outputs in step.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

CELLS: list[tuple[str, str]] = [
    ("markdown", """# A batch of plans, as an analyst reads it

This notebook turns a folder of plans ("Kế hoạch") into tables and answers three questions
about them:

1. **Who leads most tasks?**
2. **What is due in the fourth quarter?**
3. **Which targets does each ward set?**

Everything here works the same from the command line (`kehoach ingest`, `kehoach sql`,
`kehoach show`); the Python API mirrors it."""),
    ("code", """import tempfile
from pathlib import Path

import pandas as pd

import pipeline

pd.set_option("display.max_colwidth", 70)
pd.set_option("display.width", 160)

PLANS = Path("../data/raw")                        # a folder of plans: .txt, .docx, .pdf, .html, .md
DATASET = Path(tempfile.mkdtemp()) / "dataset"     # one Parquet file per table"""),
    ("markdown", """## 1. Ingest

`pipeline.ingest` reads every plan in the folder (in parallel, one worker per core). A file that
cannot be read becomes a row of the `errors` table instead of stopping the batch; running it again
skips the files that did not change."""),
    ("code", """result = pipeline.ingest([PLANS], DATASET)
print(f"{len(result.written)} plans extracted, {len(result.errors)} failed, in {result.seconds:.1f} s")
again = pipeline.ingest([PLANS], DATASET)
print(f"second run: {len(again.skipped)} unchanged, tables rewritten: {again.tables_written or 'none'}")"""),
    ("markdown", """`pipeline.load` gives every table as a pandas DataFrame with real types: dates are
`datetime64`, lists are Python lists, and columns such as `deadline_kind` or `role` are categoricals."""),
    ("code", """tables = pipeline.load(DATASET)
documents = tables["documents"]
documents["plan"] = documents["issuer"].fillna(documents["source_path"].map(lambda p: Path(p).stem))
{name: len(frame) for name, frame in tables.items()}"""),
    ("code", """documents[["plan", "doc_type", "number", "issuer_level", "year", "issued_date", "title"]]"""),
    ("code", """tables["tasks"][["deadline_kind", "due_date", "page"]].dtypes"""),
    ("markdown", """## 2. Who leads most tasks?

`pipeline.tasks_view` joins each task with its units (lists, in the order the plan names them) and
its document's fields. A task can have several leads, so count after `explode`. Collective names
("Các phòng, ban, đơn vị") are kept whole: they are how plans assign work to everyone."""),
    ("code", """view = pipeline.tasks_view(DATASET)
leads = view.explode("lead_units").dropna(subset=["lead_units"])
leads["lead_units"].value_counts().head(10).rename_axis("lead unit").to_frame("tasks led")"""),
    ("markdown", """The same question per plan, for the units that lead at least three tasks somewhere:"""),
    ("code", """leads["plan"] = leads["doc_id"].map(documents.set_index("doc_id")["plan"])
busy = leads["lead_units"].value_counts().loc[lambda n: n >= 3].index
(leads[leads["lead_units"].isin(busy)]
 .pivot_table(index="lead_units", columns="plan", values="task_id", aggfunc="count", fill_value=0))"""),
    ("markdown", """Or in SQL, over DuckDB views of the Parquet files (`kehoach sql DATASET "..."` in a
terminal):"""),
    ("code", """pipeline.sql(DATASET, \"\"\"
    select unit, unit_type, count(*) as tasks_led
    from task_units where role = 'lead' and not is_collective
    group by unit, unit_type order by tasks_led desc, unit limit 8
\"\"\")"""),
    ("markdown", """## 3. What is due in the fourth quarter?

`due_date` is the last day a task may finish: the named day for a dated deadline, the period's last day
for a month, a quarter or a year, the year's last day for continuous work in a named year.
Two different things fall in Q4: tasks with a deadline *in* the quarter, and year-long work that
simply ends with the year."""),
    ("code", """q4 = view[view["due_date"].dt.quarter == 4]
pd.crosstab(q4["deadline_kind"].astype(str), q4["due_date"].dt.strftime("%Y-%m"), margins=True)"""),
    ("code", """in_q4 = q4[q4["deadline_kind"].isin(["date", "month", "quarter"])].sort_values("due_date")
columns = ["issuer", "path", "text", "lead", "deadline_raw", "due_date"]
in_q4.assign(lead=in_q4["lead_units"].str.join("; "))[columns]"""),
    ("markdown", """Tasks whose deadline is not a date at all are worth a look too: recurring work, work
"when needed", and tasks whose plan gives no deadline."""),
    ("code", """view["deadline_kind"].value_counts(dropna=False).rename_axis("deadline kind").to_frame("tasks")"""),
    ("markdown", """## 4. Which targets does each ward set?

Every percentage in a plan is a target row, with its comparator (`>=` for "ít nhất", "tối thiểu",
...) and, where the project's rules know the measure, a canonical `indicator`. Wards are the
documents issued at commune level."""),
    ("code", """targets = tables["targets"].merge(documents[["doc_id", "plan", "issuer_level"]], on="doc_id")
wards = targets[targets["issuer_level"] == "commune"]
wards.assign(target=wards["comparator"].astype(str) + " " + wards["value"].map("{:g}%".format))[
    ["plan", "path", "target", "indicator", "metric"]].head(15)"""),
    ("markdown", """Side by side, per indicator, with the city's own target for comparison (the highest
value when a plan states one several times):"""),
    ("code", """known = targets[targets["indicator"].notna() & targets["issuer_level"].isin(["commune", "province"])]
known.pivot_table(index="indicator", columns="plan", values="value", aggfunc="max")"""),
    ("markdown", """## 5. What needs a person's eye

A batch from the field always has a few files that are not what they claim to be. Here two arrive
with this week's plans: a PDF cut short in transfer and a scan saved as text. Only the new files are
read; each failure is one row of `errors` (also one line on stderr from `kehoach ingest`, whose exit
code is then 1), and the rest of the dataset is untouched."""),
    ("code", """this_week = DATASET.parent / "this_week"
this_week.mkdir()
(this_week / "ke_hoach_cut_short.pdf").write_bytes(b"%PDF-1.7\\n1 0 obj\\n<< /Type /Catalog")
(this_week / "scan.txt").write_bytes(bytes(range(256)) * 16)
result = pipeline.ingest([PLANS, this_week], DATASET)
print(f"{len(result.written)} extracted, {len(result.skipped)} unchanged, {len(result.errors)} failed")
pipeline.load(DATASET)["errors"]"""),
    ("markdown", """Documents that were read but that the pipeline had doubts about carry `warnings`
(a legacy encoding repaired, no numbered sections found, ...):"""),
    ("code", """documents.loc[documents["warnings"].str.len() > 0, ["plan", "warnings"]]"""),
]


def build() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    new = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    notebook.cells = [new[kind](source) for kind, source in CELLS]
    return notebook


def main() -> None:
    notebook = build()
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    nbformat.write(notebook, HERE / "analyst.ipynb")


if __name__ == "__main__":
    main()
