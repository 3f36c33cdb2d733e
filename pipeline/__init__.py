"""kehoach: Vietnamese government plans (Kế hoạch) into clean Parquet tables.

The Python API mirrors the command line (`kehoach ingest`, `eval`, ...):
see `pipeline.api`.
"""
__version__ = "0.1.0"
