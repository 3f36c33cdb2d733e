"""Unit names on the seeds' own words: canonical spellings, cell splitting, doers in prose."""
import json
import unicodedata

import pandas as pd
import pytest
import regex as re

from pipeline.document import level_word_of
from pipeline.extract.units import (canonical_unit, doer_in_text, example_cases, heading_unit, parse_lead_field,
                                    split_units, support_in_text)
from pipeline.read import read

from .conftest import GOLD, RAW

ROLES = ("lead", "support", "monitor")


def names(refs):
    return [ref.name for ref in refs]


def gold_files():
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(GOLD.glob("0*.json"))]


def gold_unit_names():
    return sorted({name for gold in gold_files() for task in gold["tasks"] for role in ROLES
                   for name in task.get(role) or []})


# --- the rule file --------------------------------------------------------------

def test_rule_file_examples_hold():
    failures = [(case_id, expected, actual) for case_id, expected, actual in example_cases() if expected != actual]
    assert not failures


# --- canonical names --------------------------------------------------------------

@pytest.mark.parametrize("name", gold_unit_names())
def test_gold_names_are_fixed_points(name):
    """A canonical name read again is itself, and a cell holding it is one unit."""
    assert canonical_unit(name).name == name
    assert names(split_units(name)) == [name]


@pytest.mark.parametrize("raw, expected", [
    ("Văn phòng Hội đồng nhân dân & Ủy ban nhân dân phường", "Văn phòng HĐND và UBND phường"),
    ("Trung tâm Phục vụ vụ hành chính công", "Trung tâm Phục vụ hành chính công"),
    ("Trung tâm phục vụ hành chính Công", "Trung tâm Phục vụ hành chính công"),
    ("Trung tâm hành chính công.", "Trung tâm Phục vụ hành chính công"),
    ("Phòng Kinh tế, hạ tầng và đô thị", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ("Các phòng chuyên môn (có TTHC)", "Các phòng chuyên môn có TTHC"),
    ("các cơ quan đơn vị có liên quan", "Các cơ quan, đơn vị có liên quan"),
])
def test_canonical_spelling(raw, expected):
    assert canonical_unit(raw).name == expected


def test_decomposed_unicode_and_old_tones_read_the_same():
    raw = unicodedata.normalize("NFD", "phòng Văn hoá – Xã hội")
    assert canonical_unit(raw).name == "Phòng Văn hóa - Xã hội"


def test_level_word_completes_an_office_written_without_one():
    assert canonical_unit("Văn phòng HĐND&UBND", "phường").name == "Văn phòng HĐND và UBND phường"
    assert canonical_unit("Trung tâm phục vụ hành chính công", "phường").name == "Trung tâm Phục vụ hành chính công"
    assert canonical_unit("UBND cấp huyện", "thành phố").name == "UBND cấp huyện"


def test_types_and_collectives():
    office = canonical_unit("Văn phòng HĐND&UBND phường")
    assert (office.unit_type, office.is_collective) == ("van_phong", False)
    assert canonical_unit("Phòng Văn hóa - Xã hội").unit_type == "phong"
    assert canonical_unit("Chủ tịch Ủy ban nhân dân phường").unit_type == "ubnd"
    collective = canonical_unit("Các sở, ban, ngành")
    assert (collective.unit_type, collective.is_collective) == ("collective", True)


# --- cells and lists ------------------------------------------------------------------

def test_split_keeps_the_raw_spelling():
    refs = split_units("Công an phường, Văn phòng HĐND&UBND phường.")
    assert [(r.raw, r.name) for r in refs] == [("Công an phường", "Công an phường"),
                                               ("Văn phòng HĐND&UBND phường", "Văn phòng HĐND và UBND phường")]


def test_split_list_marks_and_collectives():
    cell = "- Các sở, ban, ngành - UBND cấp huyện - UBND cấp xã - Đơn vị tiếp nhận, giải quyết TTHC"
    assert names(split_units(cell)) == ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã",
                                        "Đơn vị tiếp nhận, giải quyết TTHC"]


def test_lead_cell_with_roles():
    cell = "Phòng Văn hóa - Xã hội chủ trì, phối hợp với Trung tâm Sự nghiệp công và các cơ quan liên quan"
    assert names(split_units(cell)) == ["Phòng Văn hóa - Xã hội"]
    leads, supports = parse_lead_field(cell)
    assert names(leads) == ["Phòng Văn hóa - Xã hội"]
    assert names(supports) == ["Trung tâm Sự nghiệp công", "Các cơ quan liên quan"]


# --- prose ---------------------------------------------------------------------------------

def test_field_line_written_as_sentences_names_every_doer():
    field = ("Các phòng, ban, đơn vị đánh giá, gửi về Trung tâm phục vụ hành chính công. Trung tâm phục vụ hành "
             "chính công tổng hợp đối với các điều kiện đảm bảo; phòng Văn hóa - Xã hội, Văn phòng HĐND&UBND "
             "tổng hợp về nhân lực, báo cáo Ủy ban nhân dân thành phố trong tháng 10/2025.")
    leads, supports = parse_lead_field(field, level_word="phường")
    assert names(leads) == ["Các phòng, ban, đơn vị", "Trung tâm Phục vụ hành chính công",
                            "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND phường"]
    assert supports == []


def test_recipients_objects_and_partners_of_no_one_are_not_doers():
    assert doer_in_text("Hướng dẫn Trung tâm sự nghiệp công tuyên truyền về cải cách hành chính.") == ([], [])
    assert doer_in_text("Phối hợp với Công an thành phố thúc đẩy triển khai Đề án 06.") == ([], [])
    opening = "Phối hợp với phòng Văn hoá – Xã hội tham mưu, đề xuất Chủ tịch Ủy ban nhân dân phường ban hành văn bản."
    assert names(support_in_text(opening)) == ["Phòng Văn hóa - Xã hội"]


def test_headings():
    assert names(heading_unit("Giao Phòng Kinh tế, hạ tầng và đô thị:")[0]) == ["Phòng Kinh tế, Hạ tầng và Đô thị"]
    assert heading_unit("Cải cách thể chế") is None
    assert heading_unit("Trách nhiệm chung") is None


# --- the seeds' own field lines --------------------------------------------------------------

FIELD = re.compile(r"^\s*-?\s*Đơn vị (?:thực hiện|phối hợp|tổng hợp, theo dõi)\s*:\s*(?P<value>.+)$")


def seed_field_values():
    values = []
    for path in sorted(RAW.glob("*.txt")):
        for line in read(path).lines:
            match = FIELD.match(line.text)
            if match:
                values.append(match["value"])
    return values


def test_every_seed_field_line_names_units():
    values = seed_field_values()
    assert values
    for value in values:
        leads, _ = parse_lead_field(value)
        assert leads, value
        assert all(canonical_unit(ref.name).name == ref.name for ref in leads), value


# --- the seeds through the pipeline, against the gold -------------------------------------

@pytest.fixture(scope="module")
def pipeline_tasks(seed_dataset):
    tasks = pd.read_parquet(seed_dataset / "tasks.parquet")
    sections = pd.read_parquet(seed_dataset / "sections.parquet")
    documents = pd.read_parquet(seed_dataset / "documents.parquet")
    return tasks, sections, documents


def read_units(task, headings, level_word):
    """Leads and supports the way the pipeline takes them: fields, else a heading, else the text."""
    if isinstance(task.lead_raw, str):
        leads, supports = parse_lead_field(task.lead_raw, level_word)
    else:
        found = next(filter(None, (heading_unit(h, level_word) for h in headings)), None)
        if found:
            leads, supports = found[0], found[1] + support_in_text(task.text, level_word)
        else:
            leads, supports = doer_in_text(task.text, level_word)
    if isinstance(task.support_raw, str):
        supports = split_units(task.support_raw, level_word)
    return names(leads), list(dict.fromkeys(names(supports)))


def test_gold_leads_and_supports_from_the_seeds(pipeline_tasks):
    tasks, sections, documents = pipeline_tasks
    checked, wrong = 0, []
    for gold in gold_files():
        doc_id = documents[documents.source_path.str.endswith(gold["file"])].doc_id.iloc[0]
        doc_tasks, doc_sections = tasks[tasks.doc_id == doc_id], sections[sections.doc_id == doc_id]
        level_word = level_word_of(gold["document"])
        for gold_task in gold["tasks"]:
            task = next(doc_tasks[doc_tasks.path == gold_task["path"]].itertuples())
            ancestors = [row.heading for row in doc_sections.itertuples()
                         if gold_task["path"].startswith(row.path + ".")]
            expected = (gold_task.get("lead") or [], gold_task.get("support") or [])
            checked += 1
            if read_units(task, ancestors[::-1], level_word) != expected:
                wrong.append((gold["file"], gold_task["path"]))
    assert checked > 150
    assert wrong == []


# --- a commune plan after the 2025 reform, end to end --------------------------------

COMMUNE_PLAN = """ỦY BAN NHÂN DÂN XÃ HOA SƠN
Số: 25/KH-UBND
Hoa Sơn, ngày 05 tháng 02 năm 2026

KẾ HOẠCH
Kiểm soát thủ tục hành chính năm 2026

I. MỤC ĐÍCH, YÊU CẦU
Nâng cao hiệu quả.

II. NHIỆM VỤ CỤ THỂ
1. Rà soát thủ tục hành chính
a) Rà soát thủ tục xây dựng
- Cơ quan chủ trì: Phòng Kinh tế, Hạ tầng và Đô thị
- Đơn vị phối hợp: Phòng VH-XH, Trung tâm Cung ứng dịch vụ công
- Thời gian thực hiện: Quý II/2026
b) Bảo đảm an ninh trật tự tại Trung tâm Phục vụ hành chính công
- Cơ quan chủ trì: CA xã
- Đơn vị phối hợp: BCHQS xã, trạm y tế xã
- Thời gian thực hiện: Thường xuyên
c) Niêm yết công khai thủ tục tại thôn, tổ dân phố
- Đơn vị thực hiện: Các thôn, tổ dân phố
- Đơn vị phối hợp: Ủy ban MTTQ Việt Nam xã và các đoàn thể chính trị - xã hội
- Thời gian thực hiện: Năm 2026
d) Báo cáo kết quả
- Đơn vị thực hiện: Văn phòng HĐND&UBND
- Thời gian thực hiện: Tháng 12/2026
"""


def test_commune_plan_units_end_to_end(tmp_path):
    import pipeline
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "xa.txt").write_text(COMMUNE_PLAN, encoding="utf-8")
    pipeline.ingest([tmp_path / "in"], tmp_path / "out")
    units = pd.read_parquet(tmp_path / "out" / "task_units.parquet")
    tasks = pd.read_parquet(tmp_path / "out" / "tasks.parquet")
    rows = units.merge(tasks[["task_id", "path"]], on="task_id")
    got = {(r.path, r.role, r.unit, r.unit_type, bool(r.is_collective)) for r in rows.itertuples()}
    assert got == {
        ("II.1.a", "lead", "Phòng Kinh tế, Hạ tầng và Đô thị", "phong", False),
        ("II.1.a", "support", "Phòng Văn hóa - Xã hội", "phong", False),
        ("II.1.a", "support", "Trung tâm Cung ứng dịch vụ công", "trung_tam", False),
        ("II.1.b", "lead", "Công an xã", "cong_an", False),
        ("II.1.b", "support", "Ban Chỉ huy Quân sự xã", "ban", False),
        ("II.1.b", "support", "Trạm Y tế xã", "other", False),
        ("II.1.c", "lead", "Các thôn, tổ dân phố", "collective", True),
        ("II.1.c", "support", "Ủy ban Mặt trận Tổ quốc Việt Nam xã", "other", False),
        ("II.1.c", "support", "Các đoàn thể chính trị - xã hội", "collective", True),
        ("II.1.d", "lead", "Văn phòng HĐND và UBND xã", "van_phong", False),
    }
