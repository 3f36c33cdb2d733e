"""Plan and targets tables rebuilt from the seeds' text, checked row by row against the gold files.

Two shapes are covered: seed 003's tab-separated table (one line per row,
page-break continuations, '-' rows, merged blank cells) and seed 004's PDF
table read column by column (cells wrapped over short lines, pieces after page
breaks, group rows, appendix targets tables).
"""
import json
import textwrap
from functools import cache

import pytest
import regex as re

from pipeline.read import read, split_pages
from pipeline.structure import label_style
from pipeline.tables import find_tables
from pipeline.textnorm import canon, fold, squeeze

from .conftest import GOLD, RAW

# Rows whose cells are blank because the table merges them vertically with a
# row above (gold 003 notes); the caller fills them, this stage must not.
MERGED_DEADLINE = {f"III.3.3.{n}" for n in range(2, 10)} | {"III.4"}
MERGED_UNITS = {"III.3.3.2", "III.3.3.3", "III.3.3.4"}


@cache
def doc_lines(stem: str):
    return read(next(RAW.glob(f"{stem}_*.txt"))).lines


@cache
def tables_of(stem: str):
    return find_tables(doc_lines(stem))


def gold(stem: str) -> dict:
    return json.loads(next(GOLD.glob(f"{stem}_*.json")).read_text(encoding="utf-8"))


def row_paths(rows, prefix: str = "") -> dict[str, tuple[object, bool]]:
    """Gold-style paths of table rows (a new label style nests, '-' rows count -1, -2): path -> (row, is_leaf)."""
    stack: list[tuple[str, str]] = []
    dashes: dict[str, int] = {}
    found: dict[str, object] = {}
    parents: set[str] = set()
    for row in rows:
        style = label_style(row.label)
        if style in (s for s, _ in stack):
            while stack[-1][0] != style:
                stack.pop()
            stack.pop()
        parent = stack[-1][1] if stack else prefix
        if style == "dash":
            dashes[parent] = dashes.get(parent, 0) + 1
            label = f"-{dashes[parent]}"
        else:
            label = row.label
        path = f"{parent}.{label}" if parent else label
        parents.add(parent)
        stack.append((style, path))
        found[path] = row
    return {path: (row, path not in parents) for path, row in found.items()}


@cache
def indexed(stem: str) -> dict[str, tuple[object, bool]]:
    """Every table row of a seed by gold path: plan rows under the plan's section, appendix rows as PL.n.m."""
    prefix = {"003": "", "004": "II"}[stem]
    index = {}
    targets = 0
    for _, _, table in tables_of(stem):
        if table.kind == "plan":
            index.update(row_paths(table.rows, prefix))
        else:
            targets += 1
            index.update(row_paths(table.rows, f"PL.{targets}"))
    return index


def unit_key(text: str) -> str:
    """Unit comparison key: case, dash spacing, list punctuation and a doubled word do not matter."""
    text = re.sub(r"\s*-\s*", "-", fold(text))
    text = re.sub(r"[,;]", " ", text)
    return squeeze(re.sub(r"\b(\w+) \1\b", r"\1", text))


def table_tasks(stem: str) -> list[dict]:
    """The gold tasks that are table rows (prose tasks after the table have no deadline and no row)."""
    return [t for t in gold(stem)["tasks"] if t["path"] in indexed(stem) or t["deadline"] is not None]


# --- seed 003: a tab-separated table ------------------------------------------------------------


def test_tabbed_table_is_found_with_its_column_roles():
    [(start, end, table)] = tables_of("003")
    lines = doc_lines("003")
    assert lines[start].text.startswith("TT\tNội dung công việc")
    assert end == len(lines)
    assert table.kind == "plan"
    assert table.roles == ["label", "text", "deadline", "lead", "support", "output"]
    assert (table.page, table.line_start, table.line_end) == (1, 66, 130)


def test_tabbed_rows_come_in_order_with_group_and_dash_rows():
    [(_, _, table)] = tables_of("003")
    labels = [row.label for row in table.rows]
    assert labels == [
        "I", "1", "2", "3", "4", "5", "6",
        "II", "1", "1.1", "1.2", "2", "2.1", "-", "-", "2.2", "-", "-", "3", "3.1", "3.2", "3.3",
        "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.2", "6", "6.1", "6.2", "6.3", "7", "7.1", "7.2",
        "III", "1", "2", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "4", "5", "6"]
    group = table.rows[0]
    assert group.cells == {"text": "Công tác chỉ đạo, điều hành"}


def test_tabbed_dash_rows_lose_their_mark_and_html():
    rows = indexed("003")
    row, leaf = rows["II.2.2.1.-1"]
    assert leaf and row.label == "-"
    assert row.cells["text"].startswith("Đối với TTHC thuộc thẩm quyền ban hành của địa phương")
    assert "<p>" not in row.cells["deadline"]
    assert rows["II.2.2.2.-2"][0].cells["lead"] == "Văn phòng UBND thành phố"


def test_tabbed_page_break_rows_merge_into_the_row_above_cell_by_cell():
    rows = indexed("003")
    row, _ = rows["III.3.3.1"]
    assert row.cells["text"].endswith("trên tổng số TTHC có đủ điều kiện trên Cổng Dịch vụ công quốc gia đạt 80%")
    assert row.cells["lead"] == "- Các sở, ban, ngành - UBND cấp huyện"
    assert row.cells["support"] == "- Sở Thông tin và Truyền thông - Văn phòng UBND thành phố"
    assert row.cells["output"].count("- ") == 2
    assert (row.line_start, row.line_end) == (115, 117)
    assert rows["I.4"][0].cells["output"].endswith("đôn đốc của Văn phòng UBND thành phố")
    assert rows["III.3.3.9"][0].cells["text"].startswith(
        "Tiếp tục thực hiện Nghị quyết số 13/2023/NQ-HĐND ngày 08/12/2023 của HĐND")


def test_tabbed_merged_cells_stay_blank():
    rows = indexed("003")
    assert rows["III.3.3.2"][0].cells == {"text": rows["III.3.3.2"][0].cells["text"]}
    assert "deadline" not in rows["III.3.3.5"][0].cells
    assert rows["III.3.3.5"][0].cells["lead"] == "Sở Thông tin và Truyền thông"


# --- seed 004: a PDF table read column by column -----------------------------------------------


def test_wrapped_tables_are_found_and_end_where_prose_resumes():
    lines = doc_lines("004")
    found = tables_of("004")
    assert [(t.kind, t.roles) for _, _, t in found] == [
        ("plan", ["label", "text", "lead", "support", "deadline"]),
        ("targets", ["label", "metric", "value"]),
        ("targets", ["label", "metric", "value"]),
        ("targets", ["label", "metric", "value"]),
    ]
    starts = [lines[start].text for start, _, _ in found]
    assert starts == ["TT Nội dung công việc", "STT Chỉ tiêu", "STT Chỉ tiêu", "STT Chỉ tiêu Chỉ tiêu năm 2025"]
    ends = [lines[end].text if end < len(lines) else None for _, end, _ in found]
    assert ends == ["III. TỔ CHỨC THỰC HIỆN", "2. Chỉ tiêu giao tại Nghị quyết số 02/NQ-CP",
                    "3. Chỉ tiêu rà soát, đánh giá thủ tục hành chính", None]


def test_wrapped_rows_come_in_order_with_group_rows():
    plan = tables_of("004")[0][2]
    labels = "".join(f"{row.label or '?'} " for row in plan.rows).split()
    assert labels == ("1 a b c d đ e 2 a b c d 3 a b c d đ e g h i k l 4 a b c 5 a b c d 6 ? "
                      "7 a b 8 a b d đ e g h i k l m n o p q 9 a b c").split()
    groups = [row for row in plan.rows if row.label and row.label.isdigit()]
    assert all(list(row.cells) == ["text"] for row in groups)
    assert groups[0].cells["text"] == ("Công tác chỉ đạo, điều hành, xây dựng hệ thống thể chế, "
                                       "năng lực nghiệp vụ kiểm soát TTHC")


def test_wrapped_cells_are_split_by_column_vocabulary():
    row, _ = indexed("004")["II.2.c"]
    assert row.cells == {
        "text": "Xây dựng quy trình nội bộ giải quyết TTHC",
        "lead": "Các phòng, cơ quan chuyên môn phường; Trung tâm Phục vụ hành chính công",
        "support": "Các cơ quan, đơn vị liên quan",
        "deadline": "Thường xuyên",
    }
    # a text line opening with a unit name after a position title stays in the text
    row, _ = indexed("004")["II.3.g"]
    assert row.cells["text"].endswith("của Chủ tịch UBND thành phố")
    assert row.cells["lead"] == "Phòng Kinh tế, Hạ tầng và Đô thị; phòng Văn hóa -Xã hội"


def test_wrapped_page_break_pieces_finish_their_cells():
    rows = indexed("004")
    row, _ = rows["II.1.b"]
    assert row.cells["deadline"] == ("Thường xuyên theo chỉ đạo của Chính phủ, Thủ tướng Chính phủ "
                                     "và hướng dẫn của Văn phòng Chính phủ, UBND thành phố")
    assert row.cells["lead"].endswith("đơn vị thuộc UBND phường")
    assert (row.page, row.line_start, row.line_end) == (3, 266, 315)
    assert rows["II.2.b"][0].cells["text"].endswith("trang thông tin điện tử của phường")


def test_a_group_row_followed_by_a_row_without_label():
    rows = indexed("004")
    assert rows["II.6"][0].cells == {"text": "Công tác kiểm tra, đánh giá hoạt động kiểm soát TTHC"}
    row, leaf = rows["II.6.-1"]
    assert leaf and row.label is None
    assert row.cells["deadline"] == "Tháng 11 năm 2025"  # the page-foot link after it is dropped


def test_appendix_targets_tables():
    targets = [t for _, _, t in tables_of("004") if t.kind == "targets"]
    assert [len(t.rows) for t in targets] == [11, 4, 6]
    first = targets[0].rows
    assert [r.label for r in first] == [str(n) for n in range(1, 12)]
    assert first[3].cells == {"metric": "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", "value": "80%"}
    assert first[9].cells["metric"].endswith("qua Trục liên thông văn bản quốc gia.")
    assert targets[2].rows[0].cells["value"] == "30% TTHC; ít nhất 30% chi phí tuân thủ"
    assert targets[2].rows[2].cells["value"].startswith("Tối thiểu 5% giấy phép")


# --- every gold row -----------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["003", "004"])
def test_every_gold_table_task_is_a_leaf_row_with_its_cells(stem):
    rows = indexed(stem)
    tasks = table_tasks(stem)
    assert len(tasks) == {"003": 40, "004": 49}[stem]
    for task in tasks:
        path = task["path"]
        assert path in rows, path
        row, leaf = rows[path]
        assert leaf, path
        assert canon(row.cells["text"]).startswith(canon(task["text_start"])), path
        if path in MERGED_DEADLINE and stem == "003":
            assert "deadline" not in row.cells, path
        else:
            assert squeeze(row.cells["deadline"]) == squeeze(task["deadline"]["raw"]), path
        for role in ("lead", "support"):
            if path in MERGED_UNITS and stem == "003":
                assert role not in row.cells, path
                continue
            for unit in task[role]:
                assert unit_key(unit) in unit_key(row.cells[role]), (path, role, unit)
        if task["output"] and "output" in row.cells:
            assert squeeze(row.cells["output"]) == squeeze(task["output"]), path


@pytest.mark.parametrize("stem", ["003", "004"])
def test_every_gold_target_sits_in_its_row(stem):
    rows = indexed(stem)
    for target in gold(stem)["targets"]:
        row, _ = rows[target["path"]]
        cells = canon(" ".join(row.cells.values()))
        assert canon(target["metric_contains"]) in cells, target
        assert f"{target['value']:g}%" in cells.replace(" %", "%"), target


@pytest.mark.parametrize("stem", ["000", "001", "002"])
def test_prose_plans_have_no_tables(stem):
    assert tables_of(stem) == []


# --- the same rows as a PDF would give them -----------------------------------------------------

WIDTHS = {"text": 30, "deadline": 12, "lead": 14, "support": 17, "output": 26}
HEADINGS = {"text": "Nội dung công việc", "deadline": "Thời gian thực hiện", "lead": "Đơn vị chủ trì",
            "support": "Đơn vị phối hợp", "output": "Kết quả"}


def as_wrapped_pdf_text(rows, order: list[str]) -> str:
    """Rows written as a PDF converter reads a table column by column: each cell wrapped at its
    column's width, double-spaced, an extra blank line before every other cell."""
    out = ["TT " + HEADINGS[order[0]]] + [word for role in order[1:] for word in textwrap.wrap(HEADINGS[role], 8)]
    for n, row in enumerate(rows):
        out.append(row.label or "")
        for k, role in enumerate(role for role in order if role in row.cells):
            if (n + k) % 2:
                out.append("")
            out += textwrap.wrap(row.cells[role], WIDTHS[role])
    return "\n\n".join(out) + "\n\nIII. TỔ CHỨC THỰC HIỆN\n"


@pytest.mark.parametrize("order", [["text", "deadline", "lead", "support", "output"],
                                   ["text", "lead", "support", "deadline", "output"],
                                   ["text", "lead", "support", "output", "deadline"]])
def test_tabbed_rows_read_back_from_their_pdf_shape(order):
    [(_, _, table)] = tables_of("003")
    [(_, _, wrapped)] = find_tables(split_pages(as_wrapped_pdf_text(table.rows, order))[0])
    assert wrapped.roles == ["label"] + order
    assert [r.label for r in wrapped.rows] == [r.label for r in table.rows]
    wrong = {(r.label, r.line_start) for r, back in zip(table.rows, wrapped.rows) if back.cells != r.cells}
    # only the row whose time cell opens without a time word ("Quyết định công bố ... chậm nhất sau 10 ngày")
    assert wrong <= {("-", 84)}, wrong


def test_a_time_column_split_into_start_and_end_gives_the_period():
    from pipeline.extract.references import lines_of
    from pipeline.extract.tasks import extract_tasks
    from pipeline.structure import build_tree
    text = ("I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
            "TT\tNội dung nhiệm vụ\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian\t\tSản phẩm\n"
            "\t\t\t\tBắt đầu\tHoàn thành\t\n"
            "1\tXây dựng kho dữ liệu\tSở Tư pháp\tCác sở, ngành\tQuý I/2025\tQuý III/2025\tKho dữ liệu\n")
    lines = lines_of(text)
    tables = find_tables(lines)
    assert list(tables[0][2].roles[4:6]) == ["start", "deadline"]
    (task,) = extract_tasks(build_tree(lines, tables), 2025, "tỉnh")
    assert task.item.path == "II.1"
    assert (task.deadline.kind, str(task.deadline.period_start), str(task.deadline.due_date)) == (
        "quarter", "2025-01-01", "2025-09-30")


def test_last_years_result_beside_the_plan_value_is_not_a_target():
    from pipeline.extract.references import lines_of
    from pipeline.extract.targets import targets_from_row
    text = ("STT\tChỉ tiêu\tĐơn vị tính\tThực hiện năm 2024\tKế hoạch năm 2025\tLãnh đạo phụ trách\n"
            "1\tTỷ lệ hồ sơ trực tuyến toàn trình\t%\t40\t60\tPhó Chủ tịch\n")
    (_, _, table), = find_tables(lines_of(text))
    assert table.roles == ["label", "metric", "measure", "actual", "value", "leader"]
    row = table.rows[0]
    hits = targets_from_row(row.cells["metric"], row.cells["value"], row.cells["measure"])
    assert [(h.value, h.comparator) for h in hits] == [(60, "=")]


def _table_tasks(text: str, year: int = 2025):
    from pipeline.extract.references import lines_of
    from pipeline.extract.tasks import extract_tasks
    from pipeline.structure import build_tree
    lines = lines_of(text)
    return extract_tasks(build_tree(lines, find_tables(lines)), year, "xã")


def test_merged_cells_fill_within_the_tables_outer_group_only():
    # a blank cell takes the cell above inside group I (a vertical merge), never
    # across the group row "II" that spans the table; "nt" repeats the cell above;
    # a group row's own unit cell goes to its rows
    tasks = _table_tasks(
        "I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
        "STT\tNội dung nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\tSản phẩm\n"
        "I\tHẠ TẦNG SỐ\t\t\t\t\n"
        "1\tNâng cấp mạng nội bộ\tVăn phòng HĐND và UBND xã\tCông an xã\tQuý II/2025\tMạng nội bộ\n"
        "2\tTrang bị máy quét\t\tnt\tTháng 6/2025\t\n"
        "II\tDỮ LIỆU SỐ\tCông chức Tư pháp - Hộ tịch\t\t\t\n"
        "1\tSố hóa hồ sơ hộ tịch\t\t\tThường xuyên\tCơ sở dữ liệu\n")
    got = [(t.item.path, t.lead_raw, t.support_raw, t.deadline_raw, t.output) for t in tasks]
    assert got == [
        ("II.I.1", "Văn phòng HĐND và UBND xã", "Công an xã", "Quý II/2025", "Mạng nội bộ"),
        ("II.I.2", "Văn phòng HĐND và UBND xã", "Công an xã", "Tháng 6/2025", "Mạng nội bộ"),
        ("II.II.1", "Công chức Tư pháp - Hộ tịch", None, "Thường xuyên", "Cơ sở dữ liệu"),
    ]


def test_a_lead_cell_that_names_its_partners_keeps_its_blank_support_cell_blank():
    tasks = _table_tasks(
        "I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
        "STT\tNội dung nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"
        "1\tNâng cấp mạng nội bộ\tVăn phòng HĐND và UBND xã\tCông an xã\tQuý II/2025\n"
        "2\tTuyên truyền chuyển đổi số\tPhòng Văn hóa - Xã hội chủ trì, phối hợp với Ủy ban MTTQ Việt Nam xã"
        "\t\tQuý III/2025\n"
        "3\tTrang bị máy quét\tVăn phòng HĐND và UBND xã\t\tQuý IV/2025\n")
    units = [[(role, unit.name) for role, unit in t.units] for t in tasks]
    assert units[1] == [("lead", "Phòng Văn hóa - Xã hội"), ("support", "Ủy ban Mặt trận Tổ quốc Việt Nam xã")]
    assert units[2] == [("lead", "Văn phòng HĐND và UBND xã"), ("support", "Công an xã")]  # merged from above


def test_a_time_column_split_into_ticked_periods_gives_the_span_ticked():
    # "Tiến độ thực hiện" merged over one sub-column per quarter, each row ticking
    # the quarters it runs in; the sub-header is no row of its own
    tasks = _table_tasks(
        "I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
        "TT\tNội dung\tĐơn vị chủ trì\tTiến độ thực hiện\t\t\t\n"
        "\t\t\tQuý I\tQuý II\tQuý III\tQuý IV\n"
        "1\tHội nghị phổ biến pháp luật\tCông chức Tư pháp - Hộ tịch\tx\t\t\t\n"
        "2\tThi tìm hiểu pháp luật\tĐoàn Thanh niên xã\t\t\tx\tx\n")
    got = [(t.item.path, t.deadline_raw, t.deadline.kind, str(t.deadline.period_start), str(t.deadline.due_date))
           for t in tasks]
    assert got == [("II.1", "Quý I", "quarter", "2025-01-01", "2025-03-31"),
                   ("II.2", "Quý III - Quý IV", "quarter", "2025-07-01", "2025-12-31")]


def test_a_year_ticked_period_sub_columns():
    tasks = _table_tasks(
        "I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
        "TT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian thực hiện\t\t\n"
        "\t\t\tNăm 2025\tNăm 2026\tNăm 2027\n"
        "1\tLễ hội văn hóa truyền thống\tPhòng Văn hóa - Xã hội\tx\tx\tx\n"
        "2\tĐào tạo hướng dẫn viên\tPhòng Kinh tế\t\tQuý IV\t\n")
    got = [(t.deadline_raw, str(t.deadline.period_start), str(t.deadline.due_date)) for t in tasks]
    assert got == [("Năm 2025 - Năm 2027", "2025-01-01", "2027-12-31"),
                   ("Quý IV năm 2026", "2026-10-01", "2026-12-31")]


def test_a_targets_table_with_a_value_column_per_year_gives_a_target_per_year():
    from pipeline.extract.references import lines_of
    from pipeline.extract.targets import targets_from_row
    text = ("TT\tTên chỉ tiêu\tĐVT\tNăm 2025\tNăm 2026\n"
            "1\tTỷ lệ văn bản điện tử được ký số\t%\t90\t95\n")
    (_, _, table), = find_tables(lines_of(text))
    row = table.rows[0]
    hits = targets_from_row(row.cells["metric"], row.cells["value"], row.cells["measure"])
    assert [(h.value, h.metric) for h in hits] == [(90, "Tỷ lệ văn bản điện tử được ký số"),
                                                   (95, "Tỷ lệ văn bản điện tử được ký số")]


def test_group_rows_with_an_empty_tt_cell():
    # "| | I. CÔNG TÁC TUYÊN TRUYỀN | | |": the label sits in the text cell; "| | CÔNG TÁC
    # TIẾP DÂN | | |" in capitals without a label heads a group of its own and does not
    # turn the task above it into a heading
    tasks = _table_tasks(
        "I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
        "| TT | Nội dung công việc | Đơn vị chủ trì | Thời gian thực hiện |\n"
        "|---|---|---|---|\n"
        "|  | I. CÔNG TÁC TUYÊN TRUYỀN |  |  |\n"
        "| 1 | Tuyên truyền về dân vận chính quyền | Phòng Văn hóa - Xã hội | Quý II/2025 |\n"
        "| 2 | Biểu dương điển hình dân vận khéo | Phòng Văn hóa - Xã hội | Tháng 12/2025 |\n"
        "|  | CÔNG TÁC TIẾP DÂN |  |  |\n"
        "| 3 | Tiếp công dân định kỳ | Văn phòng HĐND và UBND phường | Định kỳ hằng tháng |\n")
    assert [(t.item.path, t.text) for t in tasks] == [
        ("II.I.1", "Tuyên truyền về dân vận chính quyền"),
        ("II.I.2", "Biểu dương điển hình dân vận khéo"),
        ("II.-1.3", "Tiếp công dân định kỳ")]


def _targets_of_plan(tmp_path, text: str):
    """The targets table of one plan written as text, ingested for real."""
    import pandas as pd

    from pipeline.api import ingest
    plan = tmp_path / "plan.txt"
    plan.write_text(text, encoding="utf-8")
    ingest([plan], tmp_path / "out", jobs=1)
    return pd.read_parquet(tmp_path / "out" / "targets.parquet")


def test_percent_named_in_the_header_or_the_indicator_and_a_plan_rows_target_column(tmp_path):
    targets = _targets_of_plan(tmp_path, (
        "KẾ HOẠCH\nChuyển đổi số năm 2025\nI. MỤC ĐÍCH, YÊU CẦU\nNâng cao chất lượng phục vụ.\n"
        "II. NHIỆM VỤ VÀ CHỈ TIÊU\n"
        "STT\tNhiệm vụ\tChỉ tiêu\tĐơn vị chủ trì\tThời gian hoàn thành\n"
        "1\tSố hóa hồ sơ thủ tục hành chính\tĐạt 100% hồ sơ được số hóa\tVăn phòng HĐND và UBND xã\tQuý III/2025\n"
        "III. CHỈ TIÊU CỤ THỂ\n"
        "TT\tChỉ tiêu\tChỉ tiêu năm 2025 (%)\tGhi chú\n"
        "1\tTỷ lệ hồ sơ giải quyết đúng hạn\t100\t\n"
        "2\tTỷ lệ hồ sơ trực tuyến toàn trình (%)\t≥ 70\t\n"
        "IV. TỔ CHỨC THỰC HIỆN\nCác cơ quan triển khai thực hiện.\n"))
    assert sorted(zip(targets.path, targets.value, targets.comparator)) == [
        ("II.1", 100.0, "="), ("III.1", 100.0, "="), ("III.2", 70.0, ">=")]


def test_a_targets_sub_row_breaks_down_its_numbered_indicator(tmp_path):
    targets = _targets_of_plan(tmp_path, (
        "KẾ HOẠCH\nCải cách hành chính năm 2025\nI. MỤC ĐÍCH, YÊU CẦU\nNâng cao chất lượng phục vụ.\n"
        "II. CHỈ TIÊU\n"
        "STT\tChỉ tiêu\tĐơn vị tính\tKế hoạch năm 2025\n"
        "I\tCHỈ TIÊU VỀ THỦ TỤC HÀNH CHÍNH\t\t\n"
        "1\tTỷ lệ hồ sơ giải quyết đúng hạn, trong đó:\t\t\n"
        "-\tLĩnh vực đất đai\t%\t95\n"
        "2\tTỷ lệ người dân hài lòng\t%\t≥ 90\n"
        "III. TỔ CHỨC THỰC HIỆN\nCác cơ quan triển khai thực hiện.\n"))
    assert list(zip(targets.value, targets.metric)) == [
        (95.0, "Tỷ lệ hồ sơ giải quyết đúng hạn: Lĩnh vực đất đai"), (90.0, "Tỷ lệ người dân hài lòng")]


def test_units_one_a_paragraph_in_a_docx_or_html_cell_stay_apart(tmp_path):
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    table._tbl.tblPr.append(parse_xml(r'<w:tblBorders %s><w:insideV w:val="single" w:sz="4"/></w:tblBorders>'
                                      % nsdecls("w")))
    for c, text in enumerate(["TT", "Nội dung", "Đơn vị phối hợp", "Ghi chú"]):
        table.cell(0, c).text = text
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "Tuyên truyền phòng chống ma túy"
    table.cell(1, 1).add_paragraph("tại các thôn")  # a sentence going on: words, not a list
    table.cell(1, 2).text = "Phòng Văn hóa - Xã hội"
    table.cell(1, 2).add_paragraph("Đoàn Thanh niên xã")
    table.cell(1, 3).text = "Văn phòng HĐND và"  # a name broken by a line break stays one name
    table.cell(1, 3).add_paragraph("UBND xã")
    document.save(tmp_path / "plan.docx")
    html = tmp_path / "plan.html"
    html.write_text("<table border=1><tr><td>TT</td><td>Nội dung</td><td>Đơn vị phối hợp</td><td>Ghi chú</td></tr>"
                    "<tr><td>1</td><td>Tuyên truyền phòng chống ma túy<br>tại các thôn</td>"
                    "<td><p>Phòng Văn hóa - Xã hội</p><p>Đoàn Thanh niên xã</p></td>"
                    "<td>Văn phòng HĐND và<br>UBND xã</td></tr></table>", encoding="utf-8")
    for path in (tmp_path / "plan.docx", html):
        rows = [ln.text.split("\t") for ln in read(path).lines if "\t" in ln.text]
        assert rows[1] == ["1", "Tuyên truyền phòng chống ma túy tại các thôn",
                           "Phòng Văn hóa - Xã hội; Đoàn Thanh niên xã", "Văn phòng HĐND và UBND xã"], path


def test_units_one_a_line_in_a_markdown_cell_stay_apart(tmp_path):
    plan = tmp_path / "plan.md"
    plan.write_text("| TT | Nội dung | Đơn vị phối hợp |\n|---|---|---|\n"
                    "| 1 | Tuyên truyền<br>tại các thôn | Phòng Văn hóa - Xã hội<br>Đoàn Thanh niên xã |\n",
                    encoding="utf-8")
    rows = [ln.text.split("\t") for ln in read(plan).lines]
    assert rows[1] == ["1", "Tuyên truyền tại các thôn", "Phòng Văn hóa - Xã hội; Đoàn Thanh niên xã"]


def test_a_plan_table_whose_own_columns_are_periods():
    tasks = _table_tasks(
        "I. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n"
        "TT\tNhiệm vụ\tĐơn vị chủ trì\tNăm 2025\tNăm 2026\n"
        "1\tLễ hội văn hóa truyền thống\tPhòng Văn hóa - Xã hội\tx\tx\n"
        "2\tĐào tạo hướng dẫn viên\tPhòng Kinh tế\t\tx\n")
    assert [(t.deadline_raw, str(t.deadline.due_date)) for t in tasks] == [
        ("Năm 2025 - Năm 2026", "2026-12-31"), ("Năm 2026", "2026-12-31")]
