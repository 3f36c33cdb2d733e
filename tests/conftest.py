from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="session")
def seed_dataset(tmp_path_factory):
    """The five seed plans ingested once into a temporary dataset."""
    from pipeline import api

    out = tmp_path_factory.mktemp("dataset")
    result = api.ingest([RAW], out)
    assert result.ok, [str(e) for e in result.errors]
    return out
