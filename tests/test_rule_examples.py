"""Every rule file carries examples; every example must hold (as Duckling runs its corpora)."""
import importlib
from pathlib import Path

import pytest

from pipeline.rules import rules_dir

# Which module reads (and checks the examples of) each rule file.
RULE_MODULES = {
    "sections": "pipeline.structure",
    "fields": "pipeline.structure",
    "tables": "pipeline.tables",
    "deadlines": "pipeline.extract.deadlines",
    "units": "pipeline.extract.units",
    "targets": "pipeline.extract.targets",
    "indicators": "pipeline.extract.targets",
    "references": "pipeline.extract.references",
    "metadata": "pipeline.extract.metadata",
    "encodings": "pipeline.readers.encodings",
    "ocr": "pipeline.readers.ocr_spelling",
    "roles": "pipeline.diff",
}


def all_cases():
    for module_name in sorted(set(RULE_MODULES.values())):
        module = importlib.import_module(module_name)
        for case_id, expected, actual in module.example_cases():
            yield pytest.param(expected, actual, id=case_id)


def test_every_rule_file_has_a_checker():
    files = {p.stem for p in rules_dir().glob("*.yaml")}
    assert files == set(RULE_MODULES), "a rule file without examples checked, or a checker without its file"


def test_there_are_many_examples():
    assert len(list(all_cases())) >= 100


@pytest.mark.parametrize("expected, actual", list(all_cases()))
def test_rule_example(expected, actual):
    assert actual == expected
