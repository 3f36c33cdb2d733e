"""Load the rule files in `rules/`: the data that drives every extractor.

Each file is YAML and carries its own `examples`; `tests/test_rule_examples.py`
runs them all.  Rules are read once per process (`load`) and hashed as a whole
(`rules_hash`) so an incremental run knows when a rule edit means re-extracting.
"""
from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import yaml

RULES_ENV = "KEHOACH_RULES"
# libyaml's parser when PyYAML was built with it: ten times faster on start-up
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def rules_dir() -> Path:
    """The rules folder: `$KEHOACH_RULES`, else `rules/` beside the package."""
    override = os.environ.get(RULES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "rules"


@functools.lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The parsed content of `rules/<name>.yaml`."""
    path = rules_dir() / f"{name}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"rule file missing: {path}")
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader either way


def rules_hash() -> str:
    """SHA-256 over every rule file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(rules_dir().glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
