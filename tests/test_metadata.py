"""Document metadata on the five seeds, field by field, scored as the gold scorer scores it."""
import datetime as dt
import json

import pytest
from rapidfuzz import fuzz

from pipeline.extract.metadata import extract_metadata
from pipeline.extract.references import lines_of
from pipeline.read import read
from pipeline.textnorm import fold

from .conftest import GOLD, RAW

FIELDS = ("doc_type", "number", "symbol", "issuer", "issuer_level", "place", "issued_date", "year",
          "title", "signer", "signer_title", "implements")


def seed_metadata(prefix: str) -> tuple[dict, dict]:
    """(gold document record, extracted metadata) of the seed whose file name starts with `prefix`."""
    gold = json.loads(next(GOLD.glob(f"{prefix}_*.json")).read_text(encoding="utf-8"))
    return gold["document"], extract_metadata(read(RAW / gold["file"]).lines)


def matches(field: str, want, got) -> bool:
    """The gold scorer's rule for one field."""
    if field == "title":
        return fuzz.ratio(fold(got), fold(want)) >= 90 if want else not got
    if field == "implements":
        return sorted(got) == sorted(want)
    if field == "issued_date":
        return (got.isoformat() if got else None) == want
    if field == "year":
        return got == want
    return fold(got) == fold(want) if want is not None else got is None


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
@pytest.mark.parametrize("field", FIELDS)
def test_seed_field_matches_gold(prefix, field):
    want, got = seed_metadata(prefix)
    assert matches(field, want[field], got[field]), (want[field], got[field])


def test_cut_off_header_issuer_from_title_and_signature():
    _, meta = seed_metadata("000")
    assert (meta["issuer"], meta["issuer_level"]) == ("UBND phường Hải An", "commune")
    assert (meta["signer"], meta["signer_title"]) == ("Bùi Quang Ngân", "Phó Chủ tịch")
    assert meta["implements"] == ["1178/KH-UBND"]


def test_board_takes_its_parent_place_and_blank_number():
    _, meta = seed_metadata("001")
    assert meta["issuer"] == "Ban Quản lý Khu kinh tế Hải Phòng"
    assert (meta["number"], meta["symbol"]) == (None, "KH-BQL")
    assert meta["implements"] == ["1178/QĐ-UBND"]


def test_text_without_header_names_itself():
    _, meta = seed_metadata("002")
    assert meta["doc_type"] == "ke_hoach"
    assert meta["issuer"] is None and meta["issuer_level"] == "commune"
    assert meta["year"] == 2025


def test_decision_title_is_the_plan_title_in_sentence_case():
    want, meta = seed_metadata("003")
    assert meta["title"] == want["title"]
    assert meta["issued_date"] == dt.date(2025, 1, 24)
    assert meta["number"] == "257/QĐ-UBND"


def test_split_committee_header_with_old_tone_marks():
    want, meta = seed_metadata("004")
    assert (meta["issuer"], meta["place"]) == ("UBND phường Hòa Xuân", "Hòa Xuân")
    assert meta["title"] == want["title"]


def test_empty_text_gives_empty_metadata():
    meta = extract_metadata(lines_of("Nội dung không có tiêu đề."))
    assert meta["doc_type"] is None and meta["title"] is None and meta["issuer"] is None
    assert meta["implements"] == []
