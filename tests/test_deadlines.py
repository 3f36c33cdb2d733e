"""Deadlines on real plan text.

* every gold deadline, read as a time field, gives the gold kind and dates;
* every time field line and every time cell of a tab-separated plan table in the
  seeds parses;
* tasks' running text from the seeds gives the gold deadline, or none where the
  gold has none (adverbs, noun qualifiers, citations and secondary clauses).

The rule file's own examples run in test_rule_examples.py.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import regex

from pipeline.extract.deadlines import find_deadline, parse_deadline
from pipeline.read import read

from .conftest import GOLD, RAW

SEEDS = sorted(RAW.glob("*.txt"))
GOLD_DOCS = [json.loads(path.read_text(encoding="utf-8"))
             for path in sorted(GOLD.glob("*.json"))
             if not path.name.startswith("diff_")]
TIME_FIELD = regex.compile(r"^\s*-?\s*(?:Thời gian|Tiến độ|Thời hạn)[^:]{0,40}:\s*(?P<value>\S.*)$")


def _gold_deadlines() -> list[pytest.param]:
    """(gold deadline, plan year) for every task with a deadline in the gold."""
    return [
        pytest.param(task["deadline"], doc["document"].get("year"), id=f"{doc['file'][:3]}:{task['path']}")
        for doc in GOLD_DOCS
        for task in doc["tasks"]
        if task["deadline"]
    ]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@pytest.mark.parametrize(("gold", "plan_year"), _gold_deadlines())
def test_gold_deadline_as_time_field(gold: dict, plan_year: int | None) -> None:
    found = parse_deadline(gold["raw"], plan_year)
    assert found is not None
    assert (found.kind, _iso(found.period_start), _iso(found.due_date), found.recurrence) == (
        gold["kind"], gold["period_start"], gold["due_date"], gold["recurrence"])
    assert found.raw == gold["raw"]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.stem[:3])
def test_every_time_field_and_time_cell_of_the_seeds_parses(seed: Path) -> None:
    lines = [line.text for line in read(seed).lines]
    values = [match["value"] for text in lines if (match := TIME_FIELD.match(text))]
    values += _time_cells(lines)
    unparsed = [value for value in values if parse_deadline(value, 2025) is None]
    assert unparsed == []


def _time_cells(lines: list[str]) -> list[str]:
    """The non-empty cells under a 'Thời gian ...' header of tab-separated tables."""
    cells: list[str] = []
    column = None
    for row in (text.split("\t") for text in lines if "\t" in text):
        headers = [i for i, cell in enumerate(row) if cell.strip().startswith("Thời gian")]
        if headers:
            column = headers[0]
        elif column is not None and len(row) > column and row[column].strip():
            cells.append(row[column])
    return cells


def test_time_field_raw_is_cleaned_but_kept_as_written() -> None:
    found = parse_deadline("<p>Trong quý  IV năm\n2025.</p>", 2025)
    assert found is not None and found.raw == "Trong quý IV năm 2025"
    assert (found.period_start, found.due_date) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_plan_year_fills_a_quarter_but_never_continuous_work() -> None:
    assert parse_deadline("Quý IV", 2025).due_date == dt.date(2025, 12, 31)
    assert parse_deadline("Quý IV").due_date is None
    assert parse_deadline("Thường xuyên", 2025).due_date is None


def test_not_a_time_phrase() -> None:
    assert parse_deadline("Các phòng, ban, đơn vị", 2025) is None
    assert parse_deadline("Từ ngày 01/10/2025", 2025) is None
    assert parse_deadline("Ngày 31/02/2025", 2025) is None


# Task texts as the seeds write them (lines unwrapped), with the gold deadline read
# from the task's own words: (raw, kind, due_date, recurrence), or None.
SEED_TASK_TEXTS = [
    pytest.param(
        "Đối với các TTHC được quy định tại văn bản của Hội đồng nhân dân, Ủy ban nhân dân thành phố "
        "(TTHC đặc thù): Tham gia ý kiến khi có yêu cầu phối hợp từ các sở, ngành thành phố:",
        ("khi có yêu cầu phối hợp từ các sở, ngành thành phố", "on_event", None, None),
        id="on request in a heading's lead-in, for its bullets",
    ),
    pytest.param(
        "Đối với các TTHC do Bộ, ngành, thành phố công bố Tham gia ý kiến khi có yêu cầu phối hợp từ các "
        "sở, ngành thành phố: rà soát các TTHC do các Bộ, ngành công bố liên quan đến hoạt động sản xuất,"
        " kinh doanh (tại Phụ lục kèm theo Nghị quyết số 66/NQ-CP ngày 26/3/2025 của Chính phủ); đề xuất "
        "danh mục TTHC thuộc lĩnh vực quản lý (gồm cả cấp tỉnh, cấp xã) để thực hiện cắt giảm, đơn giản "
        "hóa, gửi Sở Tài chính để tổng hợp.",
        ("khi có yêu cầu phối hợp từ các sở, ngành thành phố", "on_event", None, None),
        id="on request, first clause",
    ),
    pytest.param(
        "Trên sơ sở các danh mục TTHC đã được UBND thành phố phê duyệt cắt giảm, đơn giản hóa các TTHC "
        "liên quan đến hoạt động sản xuất, kinh doanh, các phòng, ban, đơn vị rà soát công khai trên Cổng"
        " thông tin điện tử và niêm yết tại Trung tâm phục vụ hành chính công phường.",
        None,
        id="doer named, no schedule",
    ),
    pytest.param(
        "Đẩy mạnh triển khai thực hiện dịch vụ công trực tuyến trên Cổng dịch vụ công quốc gia, Hệ thống "
        "thông tin giải quyết TTHC thành phố và các nhiệm vụ khác liên quan, đảm bảo hoàn thành các chỉ "
        "tiêu được giao tại Kế hoạch kiểm soát TTHC và thực hiện cơ chế một cửa, một cửa liên thông năm "
        "2025 của thành phố và phường.",
        None,
        id="year inside a plan's name",
    ),
    pytest.param(
        "Thực hiện nghiêm Nghị định số 09/2019/NĐ-CP ngày 24/01/2019 của Chính phủ quy định về chế độ báo"
        " cáo của cơ quan hành chính nhà nước. Rà soát các chế độ báo cáo đảm bảo chỉ ban hành những chế "
        "độ báo cáo thật sự cần thiết; cắt giảm các chế độ báo cáo đã được thay thế bằng dữ liệu số có "
        "sẵn từ các hệ thống thông tin, cơ sở dữ liệu; triển khai báo cáo điện tử đối với các chế độ báo "
        "cáo trong nội bộ cơ quan; từng bước chuyển sang báo cáo tự động dựa trên dữ liệu và theo thời "
        "gian thực hiện.",
        None,  # the group's "Thời gian hoàn thành" line gives this task its deadline
        id="citation date is not a deadline",
    ),
    pytest.param(
        "Căn cứ chức năng, nhiệm vụ được giao tại Kế hoạch này, các phòng, ban, đơn vị khẩn trương xây "
        "dựng kế hoạch để tổ chức triển khai thực hiện, bảo đảm đầy đủ các nhiệm vụ, các mục tiêu, chỉ "
        "tiêu, chất lượng và tiến độ; gắn trách nhiệm người đứng đầu với kết quả thực hiện nhiệm vụ được "
        "giao. Định kỳ trước ngày 12 hàng tháng, quý và năm hoặc đột xuất báo cáo tình hình, kết quả thực"
        " hiện (tại một mục riêng) trong báo cáo công tác kiểm soát TTHC, báo cáo cải cách TTHC gửi Trung"
        " tâm phục vụ hành chính công tổng hợp.",
        ("Định kỳ trước ngày 12 hàng tháng, quý và năm hoặc đột xuất", "periodic", None, "monthly"),
        id="reporting schedule opens a sentence",
    ),
    pytest.param(
        "Giao Văn phòng Hội đồng nhân dân & Ủy ban nhân dân phường thường xuyên đôn đốc, theo dõi, tổng "
        "hợp kết quả, các khó khăn, vướng mắc, đề xuất phương hướng, giải pháp đảm bảo việc triển khai "
        "thực hiện các nhiệm vụ này. Định kỳ hàng tháng, quý, 6 tháng, 01 năm hoặc đột xuất tổng hợp kết "
        "quả triển khai thực hiện, báo cáo Chủ tịch Ủy ban nhân dân phường theo quy định.",
        ("thường xuyên", "continuous", None, None),
        id="routinely after an assignment",
    ),
    pytest.param(
        "Giao phòng Văn hóa - Xã hội chủ trì, phối hợp với Trung tâm Sự nghiệp công và các cơ quan liên "
        "quan tổ chức tuyên truyền việc triển khai và kết quả thực hiện Kế hoạch Yêu cầu các phòng, ban, "
        "đơn vị tổ chức triển khai thực hiện nghiêm Kế hoạch này./.",
        None,
        id="unit asked to publicise",
    ),
    pytest.param(
        "Các phòng chuyên môn (có TTHC) chủ động rà soát các TTHC liên quan đến hoạt động sản xuất kinh "
        "doanh, đề xuất danh mục TTHC thuộc lĩnh vực giải quyết để thực hiện cắt giảm, đơn giản hóa các "
        "TTHC liên quan đến hoạt động sản xuất, kinh doanh, đặc biệt đối với các TTHC có vướng mắc, bất "
        "cập. Gửi kết quả về Bộ phận Một cửa trước ngày 20/4/2025 để gửi Sở Tài chính tổng hợp báo cáo. +"
        " Đề xuất phương án đơn giản hoá TTHC theo hướng 03 giảm: giảm thời gian, giảm chi phí, giảm "
        "thành phần hồ sơ, kiến nghị lãnh đạo Ban xem xét sửa đổi, bổ sung, thay thế, huỷ bỏ, bãi bỏ các "
        "quy định TTHC chưa phù hợp, không cần thiết.",
        ("trước ngày 20/4/2025", "date", "2025-04-20", None),
        id="by a named day",
    ),
    pytest.param(
        "Các phòng chuyên môn có TTHC thực hiện rà soát, đánh giá TTHC theo quy định tại Thông tư số "
        "02/2017/TT-VPCP ngày 31/10/2017 của Văn phòng Chính phủ, gửi kết quả về Bộ phận Một cửa trước "
        "ngày 20/5/2024 để tổng hợp gửi Sở Tài chính tổng hợp báo cáo Ủy ban nhân dân thành phố.",
        ("trước ngày 20/5/2024", "date", "2024-05-20", None),
        id="by a named day, year as written",
    ),
    pytest.param(
        "Tổ kiểm soát thủ tục hành chính có trách nhiệm đôn đốc, kết hợp với các phòng chuyên môn triển "
        "khai thực hiện các nhiệm vụ theo đúng Kế hoạch đề ra.",
        None,
        id="responsibility, no schedule",
    ),
    pytest.param(
        "Bộ phận Một cửa, các phòng chuyên môn căn cứ nhiệm vụ được giao tổ chức thực hiện tốt Kế hoạch "
        "này. Hàng tháng, báo cáo tình hình, kết quả thực hiện Kế hoạch này trong Báo cáo tình hình, kết "
        "quả thực hiện nhiệm vụ cải cách, kiểm soát TTHC, gửi Văn phòng Ủy ban nhân dân thành phố để tổng"
        " hợp theo quy định.",
        ("Hàng tháng", "periodic", None, "monthly"),
        id="every month opens a sentence",
    ),
    pytest.param(
        "Trong quá trình triển khai thực hiện, nếu phát sinh vướng mắc các phòng phản ánh về Tổ kiểm soát"
        " thủ tục hành chính để tổng hợp báo cáo lãnh đạo Ban xem xét, chỉ đạo giải quyết kịp thời./.",
        ("nếu phát sinh vướng mắc", "on_event", None, None),
        id="if a problem arises",
    ),
    pytest.param(
        "Thường xuyên thực hiện công tác kiểm tra, đôn đốc việc thực hiện các nhiệm vụ do Uỷ ban nhân dân"
        " thành phố, Chủ tịch Uỷ ban nhân dân thành phố giao; tăng cường kiểm tra, giám sát, đôn đốc thực"
        " hiện nhiệm vụ Ủy ban nhân dân phường, Chủ tịch Ủy ban nhân dân phường giao. Chú trọng hướng dẫn"
        " thực hiện công tác cải cách hành chính, đặc biệt là tại Trung tâm phục vụ hành chính công; đề "
        "cao trách nhiệm cá nhân người đứng đầu trong chỉ đạo, tổ chức thực hiện các nhiệm vụ theo chức "
        "năng, nhiệm vụ, quyền hạn được giao.",
        ("Thường xuyên", "continuous", None, None),
        id="routinely opens the text",
    ),
    pytest.param(
        "Tổ chức triển khai có hiệu quả công tác tổ chức thi hành pháp luật và theo dõi, đánh giá tình "
        "hình thi hành pháp luật hàng năm tại phường. Thực hiện hiệu quả công tác phổ biến, giáo dục pháp"
        " luật thông qua tăng cường ứng dụng công nghệ thông tin và số hóa công tác phổ biến, giáo dục "
        "pháp luật.",
        None,
        id="frequency qualifies a noun",
    ),
    pytest.param(
        "Tổ chức hoàn thiện việc tiếp nhận, giải quyết hồ sơ TTHC thuộc phạm vi quản lý của phường; tiếp "
        "tục tăng cường việc tiếp nhận và giải quyết TTHC trên môi trường điện tử, giảm tỷ lệ trễ hẹn "
        "trong giải quyết hồ sơ. Thường xuyên theo dõi, chấn chỉnh tác phong, lề lối và thái độ làm việc "
        "của công chức tại Trung tâm Phục vụ hành chính công; xây dựng hình ảnh đội ngũ công chức chuyên "
        "nghiệp, trách nhiệm, kỷ luật, kỷ cương, thân thiện và tận tụy phục vụ Nhân dân.",
        None,
        id="routinely opens a second sentence",
    ),
    pytest.param(
        "Thường xuyên rà soát, bổ sung, chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của các cơ quan "
        "chuyên môn thuộc Ủy ban nhân dân phường theo hướng dẫn của Sở, ngành Thành phố.",
        ("Thường xuyên", "continuous", None, None),
        id="routinely opens the action",
    ),
    pytest.param(
        "Tiếp tục triển khai dự toán ngân sách Nhà nước gắn với mục tiêu thực hiện chính sách tài khóa "
        "hài hoà với chính sách tiền tệ; siết chặt kỷ luật, kỷ cương, nâng cao hiệu quả sử dụng ngân sách"
        " nhà nước. Triệt để thực hành tiết kiệm, chống lãng phí; Tăng cường quản lý điều hành tài chính "
        "ngân sách gắn với các ưu tiên phát triển kinh tế, đảm bảo an ninh - quốc phòng; bố trí ưu tiên "
        "các nhiệm vụ cơ bản, thiết yếu, đảm bảo nguồn lực thực hiện chính sách tiền lương; trợ cấp hàng "
        "tháng; các chính sách tính theo tiền lương cơ sở; các chế độ chính sách an sinh xã hội. Tiếp tục"
        " chủ động thực hiện các quy định hiện hành về chính sách tạo nguồn để cải cách tiền lương.",
        None,
        id="monthly allowance",
    ),
    pytest.param(
        "Thực hiện đúng quy định của Luật Ngân sách nhà nước năm 2015 về công khai ngân sách nhà nước.",
        None,
        id="year in a law's name",
    ),
    pytest.param(
        "Trưởng các phòng chuyên môn, đơn vị có liên quan chỉ đạo thực hiện nghiêm chế độ thông tin báo "
        "cáo kết quả tham mưu, thực hiện công tác cải cách hành chính theo định kỳ (báo cáo hàng quý và "
        "báo cáo năm gửi trước ngày 10 của tháng cuối quý) về phòng Văn hoá – Xã hội để tổng hợp, trình "
        "Ủy ban nhân dân phường gửi Sở Nội vụ.",
        ("theo định kỳ (báo cáo hàng quý và báo cáo năm gửi trước ngày 10 của tháng cuối quý)", "periodic", None, "quarterly"),
        id="parenthesised reporting schedule",
    ),
    pytest.param(
        "Chủ trì tham mưu Chủ tịch Ủy ban nhân dân phường, Trưởng ban Ban Chỉ đạo theo dõi, đôn đốc và đề"
        " xuất các biện pháp, giải pháp để duy trì, cải thiện Chỉ số năng lực cạnh tranh (PCI); nâng cao "
        "hiệu quả việc tổ chức đối thoại định kỳ, đột xuất với doanh nghiệp.",
        None,
        id="periodic dialogue qualifies a noun",
    ),
    pytest.param(
        "Các phòng chuyên môn, đơn vị được giao các nhiệm vụ trong danh mục nhiệm vụ cụ thể kèm theo Kế "
        "hoạch này: Tập trung tham mưu, thực hiện đảm bảo chất lượng, tiến độ các nhiệm vụ được giao chủ "
        "trì; kịp thời báo cáo đề xuất Ủy ban nhân dân phường nếu có khó khăn, vướng mắc.",
        None,
        id="secondary clause if problems arise",
    ),
    pytest.param(
        "Trung tâm Phục vụ hành chính công phường có trách nhiệm giúp UBND phường kiểm tra, đôn đốc, "
        "hướng dẫn việc triển khai; chủ trì phối hợp Phòng Văn hóa - Xã hội phường cho ý kiến về xét thi "
        "đua, khen thưởng việc thực hiện kiểm soát TTHC tại các cơ quan, đơn vị; tổng hợp báo cáo tình "
        "hình và kết quả thực hiện hoạt động kiểm soát TTHC trên địa bàn phường trình UBND phường, Chủ "
        "tịch UBND phường theo quy định hoặc báo cáo đột xuất theo yêu cầu của Thành phố, Chủ tịch UBND "
        "thành phố.",
        None,
        id="ad hoc report as requested, later clause",
    ),
    pytest.param(
        "Thủ trưởng các phòng ban chuyên môn, Trung tâm Phục vụ hành chính công và các đơn vị liên quan "
        "chịu trách nhiệm xây dựng văn bản triển khai thực hiện nghiêm túc Kế hoạch này tại cơ quan, đơn "
        "vị. Văn bản triển khai gửi về UBND phường (thông qua Trung tâm Phục vụ hành chính công) để tổng "
        "hợp, theo dõi.",
        None,
        id="subject responsible, no schedule",
    ),
    pytest.param(
        "Các cơ quan, đơn vị có liên quan có trách nhiệm phối hợp chặt chẽ với cơ quan chủ trì trong việc"
        " triển khai thực hiện Kế hoạch này, đảm bảo thực hiện đúng nội dung, thời gian quy định và hoàn "
        "thành các chỉ tiêu về cải cách thủ tục hành chính tại Phụ lục kèm theo Kế hoạch này; đồng thời, "
        "tổng hợp các khó khăn, vướng mắc trong quá trình thực hiện để kịp thời có biện pháp tháo gỡ hoặc"
        " báo cáo, đề xuất UBND phường giải pháp xử lý theo đúng quy định;.",
        None,
        id="problems gathered, no trigger",
    ),
    pytest.param(
        "Kinh phí thực hiện Kế hoạch này được bố trí từ nguồn ngân sách nhà nước để thực hiện hoạt động "
        "kiểm soát TTHC, cải cách thủ tục hành chính; ngoài ra, các cơ quan, đơn vị được huy động các "
        "nguồn lực tài chính hợp pháp khác theo quy định./.",
        None,
        id="funding clause",
    ),
]


@pytest.mark.parametrize(("text", "gold"), SEED_TASK_TEXTS)
def test_deadline_in_seed_task_text(text: str, gold: tuple | None) -> None:
    found = find_deadline(text, 2025)
    got = found and (found.raw, found.kind, _iso(found.due_date), found.recurrence)
    assert got == gold
