"""Cited documents on the five seeds: every gold reference, no extras, and the fields of each."""
import datetime as dt
import json

import pytest

from pipeline.extract.references import extract_references, lines_of, parse_number_line
from pipeline.read import read

from .conftest import GOLD, RAW

GOLD_FILES = sorted(GOLD.glob("0*.json"))


def seed(prefix: str) -> tuple[dict, list]:
    """The gold record and the read lines of the seed whose file name starts with `prefix`."""
    gold = json.loads(next(GOLD.glob(f"{prefix}_*.json")).read_text(encoding="utf-8"))
    return gold, read(RAW / gold["file"]).lines


def refs_by_number(prefix: str) -> dict[str, dict]:
    gold, lines = seed(prefix)
    doc = gold["document"]
    return {r["number"]: r for r in extract_references(lines, doc["number"], doc["symbol"])}


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=lambda p: p.name[:3])
def test_seed_references_match_gold(gold_file):
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    lines = read(RAW / gold["file"]).lines
    doc = gold["document"]
    found = [r["number"] for r in extract_references(lines, doc["number"], doc["symbol"])]
    assert sorted(found) == sorted(gold["references"])
    assert len(found) == len(set(found))


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=lambda p: p.name[:3])
def test_own_number_is_found_without_metadata(gold_file):
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    found = {r["number"] for r in extract_references(read(RAW / gold["file"]).lines)}
    assert found == set(gold["references"])


def test_order_is_first_appearance():
    gold, lines = seed("003")
    assert [r["number"] for r in extract_references(lines)] == gold["references"]


def test_number_with_stray_space_is_normalised_and_implemented():
    ref = refs_by_number("001")["1178/QĐ-UBND"]
    assert ref["relation"] == "implements"
    assert ref["ref_type"] == "quyet_dinh"
    assert ref["issued_date"] == dt.date(2025, 4, 15)
    assert (ref["page"], ref["line"]) == (1, 28)
    assert ref["context"].startswith("Thực hiện Quyết định số 1178/QĐ- UBND ngày 15/4/2025")


def test_type_word_wins_over_symbol():
    # The preamble says 'Quyết định số 1178/KH-UBND': the word names the type.
    assert refs_by_number("000")["1178/KH-UBND"]["ref_type"] == "quyet_dinh"


def test_thuc_hien_in_the_body_only_cites():
    ref = refs_by_number("000")["09/2019/NĐ-CP"]
    assert ref["relation"] == "cites"
    assert ref["issued_date"] == dt.date(2019, 1, 24)


def test_decision_preamble_relations_and_types():
    refs = refs_by_number("003")
    assert "257/QĐ-UBND" not in refs
    assert {refs[n]["relation"] for n in ("63/2010/NĐ-CP", "61/2018/NĐ-CP", "01/NQ-CP", "476/VPCP-KSTT")} == {"basis"}
    assert refs["48/2013/NĐ-CP"]["ref_type"] == "nghi_dinh"  # 'số 48/2013/NĐ-CP' after a comma: typed by symbol
    assert refs["01/2023/TT-VPCP"]["ref_type"] == "thong_tu"
    assert refs["476/VPCP-KSTT"]["ref_type"] == "van_ban"
    assert refs["5633/VPCP-KSTT"]["relation"] == "cites"
    assert refs["308/KH-UBND"]["ref_type"] == "ke_hoach"
    assert refs["13/2023/NQ-HĐND"]["ref_type"] == "nghi_quyet"


def test_column_wrapped_table_references():
    refs = refs_by_number("004")
    letter = refs["377/UBND-HCC"]  # 'Công' / 'văn số 377/UBND-HCC' / 'ngày 18 tháng 7 năm 2025'
    assert (letter["ref_type"], letter["issued_date"]) == ("cong_van", dt.date(2025, 7, 18))
    assert refs["873/QĐ-UBND"]["issued_date"] == dt.date(2025, 8, 5)
    assert refs["1592/QĐ-UBND"]["relation"] == "basis"
    assert refs["118/2025/NĐ-CP"]["issued_date"] == dt.date(2025, 6, 9)


def test_text_without_numbers_has_no_references():
    _, lines = seed("002")
    assert extract_references(lines) == []


@pytest.mark.parametrize("text, expected", [
    ("Số: 257 /QĐ-UBND", ("257/QĐ-UBND", "QĐ-UBND")),
    ("Số:       /KH-BQL", (None, "KH-BQL")),
    ("Số: 12/2025/QĐ-UBND", ("12/2025/QĐ-UBND", "QĐ-UBND")),
    ("Số lượng hồ sơ", None),
])
def test_parse_number_line(text, expected):
    assert parse_number_line(text) == expected


def test_lines_keep_their_source_numbers():
    refs = extract_references(lines_of("Dòng một\nCăn cứ Nghị định số 45/2020/NĐ-CP;"))
    assert [(r["line"], r["page"]) for r in refs] == [(2, 1)]
