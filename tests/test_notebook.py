"""The analyst notebook in `examples/` runs top to bottom against the current API.

Its code cells are executed in order in one namespace, from the notebook's own folder,
without Jupyter; the answers it prints must be about the real seed plans.
"""
import json
import os
from pathlib import Path

import pandas as pd

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "analyst.ipynb"


def run_notebook(path: Path) -> dict:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {"__name__": "__notebook__"}
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        for cell in cells:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), str(path), "exec"), namespace)
    finally:
        os.chdir(here)
    return namespace


def test_the_analyst_notebook_answers_its_questions():
    ns = run_notebook(NOTEBOOK)
    assert len(ns["documents"]) == 5
    leads = ns["leads"]["lead_units"].value_counts()
    assert leads.iloc[0] >= 3  # someone leads several tasks
    assert not ns["in_q4"].empty and (ns["in_q4"]["due_date"].dt.quarter == 4).all()
    assert not ns["wards"].empty and set(ns["wards"]["issuer_level"]) == {"commune"}
    errors = ns["pipeline"].load(ns["DATASET"])["errors"]
    assert sorted(Path(p).name for p in errors["path"]) == ["ke_hoach_cut_short.pdf", "scan.txt"]
    assert isinstance(ns["view"], pd.DataFrame)
