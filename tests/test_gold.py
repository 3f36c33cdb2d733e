"""The seeds scored against their gold files: the bars of issue 2, measured as the planners measure them."""
import pytest

from pipeline.evaluate import evaluate

from .conftest import GOLD, RAW

BARS = {
    "sections": 0.95, "tasks": 0.95, "units": 0.95, "targets": 0.95, "references": 0.95,
    "deadlines": 0.95, "document": 0.90,
}


@pytest.fixture(scope="module")
def scores(seed_dataset):
    return evaluate(seed_dataset, GOLD, RAW)


@pytest.mark.parametrize("measure", sorted(BARS))
def test_score_meets_bar(scores, measure):
    summary = scores.summary()
    assert summary[measure] >= BARS[measure], scores.to_json()


def test_every_gold_document_is_found(scores):
    assert len(scores.per_doc) == 5
    assert all(doc.accuracy["document"][1] for doc in scores.per_doc.values())
