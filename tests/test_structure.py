"""The item tree on real seeds: numbering grammar, field lines, kinds and paths."""
from pathlib import Path

import pytest

from pipeline.read import read, split_pages
from pipeline.structure import build_tree, heading_of

from .conftest import RAW


def tree_of(stem: str):
    doc = read(next(RAW.glob(f"{stem}*.txt")))
    return build_tree(doc.lines, [])


def paths(tree):
    return [item.path for item in tree.items]


def test_top_sections_and_kinds_of_a_ward_plan():
    tree = tree_of("000")
    tops = [(t.label, heading_of(t), t.kind) for t in tree.root.children]
    assert tops == [("I", "MỤC ĐÍCH, YÊU CẦU", "purpose"), ("II", "CHỈ TIÊU", "targets"),
                    ("III", "NỘI DUNG NHIỆM VỤ", "tasks"), ("IV", "TỔ CHỨC THỰC HIỆN", "organization")]


def test_items_that_start_with_a_number_are_still_items():
    # "2. 100% TTHC ..." opens item 2 of the targets section
    assert {"II.1", "II.2", "II.3", "II.4"} <= set(paths(tree_of("000")))


def test_dash_items_are_numbered_under_their_parent():
    got = paths(tree_of("000"))
    assert ["III.1.b.-1", "III.1.b.-2", "III.1.b.-3", "III.1.b.-4"] == [p for p in got if p.startswith("III.1.b.")]


def test_field_lines_attach_to_the_item_above():
    tree = tree_of("000")
    item = next(i for i in tree.items if i.path == "III.2.đ")
    assert item.field_text("lead") == "Công an phường, Văn phòng HĐND&UBND phường."
    assert item.field_text("support") == "Các phòng, ban, đơn vị."
    assert "Đơn vị" not in item.text


def test_repeated_top_numerals_are_kept():
    tree = tree_of("001")
    assert [t.label for t in tree.root.children] == ["I", "II", "III", "II", "III"]
    assert [t.kind for t in tree.root.children] == ["purpose", "requirements", "targets", "tasks", "organization"]


def test_plus_sub_bullets_belong_to_the_item_above():
    tree = tree_of("001")
    item = next(i for i in tree.items if i.path == "II.1.-1")
    assert "Đề xuất phương án đơn giản hóa TTHC theo hướng 03 giảm" in item.text


def test_parenthesised_numbers_and_missing_header():
    tree = tree_of("002")
    assert tree.body_start == 0
    assert "II.1.(7)" in paths(tree)
    # lettering that skips đ is kept as printed
    assert [c.label for c in next(i for i in tree.items if i.path == "IV.2").children] == list("abcdegh")


def test_page_breaks_become_page_numbers():
    # double-spaced text: a line with a leading space and no blank line before it opens a page
    lines, n_pages = split_pages("a\n\nb\n\nb2\n c\n\nd\n\n\fe\n\n")
    assert [(ln.text.strip(), ln.page) for ln in lines] == [("a", 1), ("b", 1), ("b2", 1), ("c", 2), ("d", 2), ("e", 3)]
    assert n_pages == 3


def _lettered_children(text: str) -> list[str]:
    lines, _ = split_pages(text)
    tree = build_tree(lines, [])
    item = next(i for i in tree.items if i.path == "I.1")
    return [c.label for c in item.children]


@pytest.mark.parametrize("letters", ["abcdđeg", "abcdefg"])
def test_lettering_counts_in_the_vietnamese_or_the_latin_order(letters):
    # typed plans skip f; Word's automatic lettering counts a..e, f, g
    body = "\n".join(f"{letter}) Nhiệm vụ số {n} của đơn vị" for n, letter in enumerate(letters, 1))
    assert _lettered_children(f"I. NHIỆM VỤ\n1. Cải cách hành chính\n{body}\n") == list(letters)


def test_a_letter_out_of_any_order_does_not_open_an_item():
    text = "I. NHIỆM VỤ\n1. Cải cách hành chính\na) Rà soát thủ tục\nb) Công bố thủ tục\nw) không phải mục\n"
    assert _lettered_children(text) == ["a", "b"]


def _tasks_of(text: str):
    from pipeline.extract.tasks import extract_tasks
    from pipeline.structure import build_tree
    from pipeline.extract.references import lines_of
    tree = build_tree(lines_of("I. MỤC ĐÍCH\nNội dung.\n" + text), [])
    return extract_tasks(tree, 2025, "xã")


def test_goal_sub_headings_inside_a_task_section_are_not_tasks():
    tasks = _tasks_of(
        "II. NHIỆM VỤ CỤ THỂ\n1. Cải cách thể chế\n1.1. Mục tiêu\nVăn bản của xã ban hành đúng quy định.\n"
        "1.2. Nhiệm vụ\n- Rà soát văn bản của xã.\n- Tuyên truyền pháp luật cho nhân dân.\n"
        "2. Cải cách thủ tục\na) Mục tiêu: 100% hồ sơ giải quyết đúng hạn.\nb) Yêu cầu các bộ phận báo cáo kết quả.\n")
    assert [t.item.path for t in tasks] == ["II.1.1.2.-1", "II.1.1.2.-2", "II.2.b"]


def test_fields_in_brackets_and_several_fields_on_one_line():
    tasks = _tasks_of(
        "II. NHIỆM VỤ\n1. Nhiệm vụ\na) Niêm yết thủ tục tại Bộ phận Một cửa (Đơn vị thực hiện: Văn phòng HĐND và UBND xã;"
        " thời gian: tháng 3/2025).\nb) Số hóa hồ sơ lưu trữ.\nCơ quan chủ trì: Công chức Tư pháp - Hộ tịch; phối hợp:"
        " các đoàn thể. Thời gian: Quý II/2025.\n")
    a, b = tasks
    assert a.text == "Niêm yết thủ tục tại Bộ phận Một cửa."
    assert [(r, u.name) for r, u in a.units] == [("lead", "Văn phòng HĐND và UBND xã")]
    assert (a.deadline.kind, str(a.deadline.due_date)) == ("month", "2025-03-31")
    assert [(r, u.name) for r, u in b.units] == [("lead", "Công chức Tư pháp - Hộ tịch"), ("support", "Các đoàn thể")]
    assert (b.deadline.kind, str(b.deadline.due_date)) == ("quarter", "2025-06-30")


def test_a_phrase_wrapped_at_its_dash_is_not_a_new_item():
    tasks = _tasks_of(
        "II. NHIỆM VỤ\n1. Nhiệm vụ chung\n- Thực hiện các giải pháp phát triển kinh tế\n- xã hội, giữ vững quốc phòng"
        " - an ninh.\n- Đẩy mạnh tuyên truyền.\n")
    assert [t.text for t in tasks] == [
        "Thực hiện các giải pháp phát triển kinh tế - xã hội, giữ vững quốc phòng - an ninh.",
        "Đẩy mạnh tuyên truyền."]


def test_fields_after_the_sentence_and_an_assignment_in_closing_brackets():
    tasks = _tasks_of(
        "II. NHIỆM VỤ\n1. Thủ tục hành chính\n- Công bố thủ tục của xã. Đơn vị thực hiện: Công chức Văn phòng -"
        " Thống kê; thời gian: Quý III/2025.\n- Cập nhật thủ tục lên Cổng (Văn phòng HĐND và UBND xã chủ trì; các"
        " công chức chuyên môn phối hợp).\n- Làm sạch dữ liệu dân cư (Công an xã thực hiện).\n"
        "- Tổ chức đối thoại (thực hiện trong Quý IV/2025).\n")
    first, second, third, fourth = tasks
    assert first.text == "Công bố thủ tục của xã."
    assert [(r, u.name) for r, u in first.units] == [("lead", "Công chức Văn phòng - Thống kê")]
    assert first.deadline.kind == "quarter"
    assert second.text == "Cập nhật thủ tục lên Cổng."
    assert [(r, u.name) for r, u in second.units] == [
        ("lead", "Văn phòng HĐND và UBND xã"), ("support", "Các công chức chuyên môn")]
    assert [(r, u.name) for r, u in third.units] == [("lead", "Công an xã")]
    assert fourth.text == "Tổ chức đối thoại (thực hiện trong Quý IV/2025)."
    assert fourth.units == [] and fourth.deadline.kind == "quarter"


def test_a_closing_bracket_that_names_partners_only_gives_supports():
    (task,) = _tasks_of("II. NHIỆM VỤ\n1. Thủ tục hành chính\n- Công khai thủ tục hành chính (Công an xã phối hợp).\n")
    assert task.text == "Công khai thủ tục hành chính."
    assert [(r, u.name) for r, u in task.units] == [("support", "Công an xã")]


def test_a_leaf_whose_first_line_names_only_a_unit_is_led_by_it():
    (task,) = _tasks_of("IV. TỔ CHỨC THỰC HIỆN\n1. Trạm Y tế xã\nĐẩy mạnh khám chữa bệnh bằng căn cước công dân.\n")
    assert [(r, u.name) for r, u in task.units] == [("lead", "Trạm Y tế xã")]


def test_sections_inside_parts_take_their_own_kinds():
    from pipeline.extract.references import lines_of
    from pipeline.extract.tasks import extract_tasks
    from pipeline.structure import build_tree
    text = ("KẾ HOẠCH\nChuyển đổi số năm 2025\nPHẦN I. KẾT QUẢ NĂM 2024\nI. KẾT QUẢ\n1. Hạ tầng được nâng cấp.\n"
            "PHẦN II. KẾ HOẠCH NĂM 2025\nI. MỤC TIÊU\n1. Hồ sơ được xử lý trên mạng.\nII. NHIỆM VỤ\n1. Thể chế\n"
            "- Ban hành quy chế dữ liệu.\nIII. TỔ CHỨC THỰC HIỆN\nCác sở triển khai.\n")
    tree = build_tree(lines_of(text), [])
    kinds = {item.path: item.kind for item in tree.items if item.level == 2}
    assert kinds == {"I.I": "other", "II.I": "purpose", "II.II": "tasks", "II.III": "organization"}
    assert [t.item.path for t in extract_tasks(tree, 2025, "tỉnh")] == ["II.II.1.-1"]


def test_lettered_divisions_over_roman_sections_work_like_parts():
    from pipeline.extract.references import lines_of
    from pipeline.extract.tasks import extract_tasks
    from pipeline.structure import build_tree
    text = ("KẾ HOẠCH\nCải cách hành chính năm 2025\nA. KẾT QUẢ NĂM 2024\nI. KẾT QUẢ\n1. Đã hoàn thành.\n"
            "B. KẾ HOẠCH NĂM 2025\nI. MỤC TIÊU\n1. Hồ sơ đúng hạn.\nII. NHIỆM VỤ\n1. Rà soát thủ tục.\n2. Số hóa hồ sơ.\n")
    tree = build_tree(lines_of(text), [])
    assert [t.item.path for t in extract_tasks(tree, 2025, "xã")] == ["B.II.1", "B.II.2"]


def test_a_unit_name_wrapped_at_its_dash_in_a_units_field_stays_one_unit():
    first, second = _tasks_of(
        "II. NHIỆM VỤ\n1. Rà soát thủ tục.\n- Đơn vị thực hiện: Phòng Văn hóa\n- Xã hội, Công an xã.\n"
        "2. Số hóa hồ sơ.\n- Đơn vị thực hiện: Phòng Nội vụ\n- Công an xã.\n")
    assert [u.name for _, u in first.units] == ["Phòng Văn hóa - Xã hội", "Công an xã"]
    assert [t.item.path for t in (first, second)] == ["II.1", "II.2"]
    assert [u.name for _, u in second.units] == ["Phòng Nội vụ", "Công an xã"]


def test_a_units_field_listed_one_unit_a_line():
    (task,) = _tasks_of("II. NHIỆM VỤ\n1. Công khai thủ tục.\n- Đơn vị thực hiện:\n- Văn phòng HĐND và UBND xã;\n"
                        "- Công chức Tư pháp - Hộ tịch.\n- Thời gian: Quý III/2025.\n")
    assert task.item.path == "II.1"
    assert [u.name for _, u in task.units] == ["Văn phòng HĐND và UBND xã", "Công chức Tư pháp - Hộ tịch"]
    assert task.deadline.kind == "quarter"


def test_page_numbers_left_by_the_converter_are_not_words_or_items():
    from pipeline.extract.tasks import extract_tasks
    from pipeline.read import split_pages
    from pipeline.structure import build_tree
    lines, _ = split_pages("KẾ HOẠCH\nThử năm 2025\nI. MỤC ĐÍCH\nNội dung.\nII. NHIỆM VỤ\n1. Rà soát văn bản\ncủa xã.\n"
                           "\f2\n2. Kiểm tra văn bản.\nTrang 3\n3. Công khai thủ tục.\n- 4 -\n4. Số hóa hồ sơ.\n")
    tasks = extract_tasks(build_tree(lines, []), 2025, "xã")
    assert [(t.item.path, t.text) for t in tasks] == [
        ("II.1", "Rà soát văn bản của xã."), ("II.2", "Kiểm tra văn bản."),
        ("II.3", "Công khai thủ tục."), ("II.4", "Số hóa hồ sơ.")]


def test_the_doer_may_open_the_sentence_below_a_short_heading_line():
    (task,) = _tasks_of("II. NHIỆM VỤ\n1. Số hóa hồ sơ\nTrung tâm Phục vụ hành chính công xã chủ trì, phối hợp với"
                        " Công an xã số hóa hồ sơ, hoàn thành trước ngày 31/12/2025.\n")
    assert [(r, u.name) for r, u in task.units] == [
        ("lead", "Trung tâm Phục vụ hành chính công xã"), ("support", "Công an xã")]
