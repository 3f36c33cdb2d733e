"""kehoach: Vietnamese government plans (Kế hoạch) into clean Parquet tables.

The Python API mirrors the command line (`kehoach ingest`, `sql`, ...):

    import pipeline
    pipeline.ingest(["plans/"], "dataset")        # kehoach ingest plans/ --out dataset
    tables = pipeline.load("dataset")             # pandas DataFrames with real types
    pipeline.tasks_view("dataset")                # tasks with their units and document fields
    pipeline.sql("dataset", "select ...")         # kehoach sql dataset "select ..."

See `pipeline.api`.  Those names are imported on first use, so `import
pipeline` stays light and the stage modules may import `__version__` from here.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
_API = ("ingest", "load", "tasks_view", "sql")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
