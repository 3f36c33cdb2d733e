"""Percentage targets on the seeds' own sentences and appendix rows, checked against the gold.

Each source below is the sentence, item, field value or table cell that holds a
gold target, as the seed writes it (wrapped lines joined).  Seed 004's
appendix is a PDF table extracted column by column, so its rows are rebuilt by
hand as (indicator cell, value cell); so is the one plan-table row of seed 003
that a page break splits.
"""
import json
import unicodedata

import pytest

from pipeline.extract.targets import find_targets, indicator_for, targets_from_row
from pipeline.model import TargetHit
from pipeline.textnorm import canon, squeeze

from .conftest import GOLD, RAW

Source = str | tuple[str, str]

SOURCES: dict[str, list[Source]] = {
    "000": [
        "Đề xuất cắt giảm, đơn giản hoá ngay TTHC theo thẩm quyền có liên quan đến hoạt động sản xuất, "
        "kinh doanh bảo đảm bãi bỏ ít nhất 30% điều kiện đầu tư kinh doanh không cần thiết; giảm ít nhất "
        "30% thời gian giải quyết của các TTHC, 30% chi phí tuân thủ TTHC.",
        "100% TTHC liên quan đến doanh nghiệp được thực hiện trực tuyến, thông suốt, liền mạch, hiệu quả, "
        "bảo đảm minh bạch, giảm tối đa giấy tờ.",
        "100% TTHC được thực hiện không phụ thuộc vào địa giới hành chính trong phạm vi phường và thành phố.",
        "100% TTHC nội bộ trong các phòng, đơn vị được rà soát, cắt giảm, đơn giản hóa thủ tục, thời gian "
        "giải quyết, chi phí thực hiện và sửa đổi; hoàn thiện để phù hợp với việc thực hiện tinh gọn, sắp "
        "xếp bộ máy; đồng thời bảo đảm thông suốt hiệu quả.",
        "Thực hiện số hóa 100% hồ sơ, kết quả giải quyết TTHC, hoàn thành xây dựng, nâng cấp, phát triển cơ "
        "sở dữ liệu quốc gia, cơ sở dữ liệu chuyên ngành bảo đảm dữ liệu “đúng, đủ, sạch, sống”, kết nối, "
        "chia sẻ dữ liệu phục vụ thực hiện TTHC, cung cấp dịch vụ công.",
        "100% hồ sơ, kết quả giải quyết TTHC được số hóa; dữ liệu được kết nối, chia sẻ.",
    ],
    "001": [
        "100% TTHC được cắt giảm 30% thời hạn giải quyết",
        "100% TTHC liên quan đến doanh nghiệp được thực hiện trực tuyến, thông suốt, liền mạch, hiệu quả, "
        "đảm bảo minh bạch, giảm tối đa giấy tờ.",
        "100% TTHC được thực hiện không phụ thuộc vào địa giới hành chính trong phạm vi thành phố.",
        "Thực hiện số hóa 100% hồ sơ, kết quả giải quyết TTHC, làm sạch dữ liệu, gắn việc số hóa hồ sơ, kết "
        "quả giải quyết TTHC với việc thực hiện tiếp nhận, giải quyết TTHC.",
        "Kết quả thực hiện: 100% văn bản, hồ sơ công việc được gửi, nhận điện tử, 80% trở lên văn bản được "
        "xử lý toàn trình trên môi trường điện tử.",
    ],
    "002": [
        "(1). Trong năm 2025, phấn đấu nâng cao thứ hạng về PAR Index, SIPAS, PCI, SIPAS, cải thiện Chỉ số "
        "chuyển đổi số (DTI).",
        "Hoàn thành 100% nhiệm vụ được Uỷ ban nhân dân thành phố, Chủ tịch Uỷ ban nhân dân thành phố giao "
        "đảm bảo tiến độ, chất lượng.",
        "Hoàn thành, đảm bảo tiến độ, chất lượng 100% nhiệm vụ cụ thể trong Kế hoạch cải cách hành chính "
        "năm 2025 của phường.",
        "(5). Thực hiện kiểm tra định kỳ và đột xuất tối thiểu 30% các phòng, đơn vị sự nghiệp, đơn vị sự "
        "nghiệp giáo dục thuộc Ủy ban nhân dân phường.",
        "100% hồ sơ thủ tục hành chính khi tiếp nhận, giải quyết tại phường được theo dõi trạng thái xử lý "
        "trên Cổng Dịch vụ công quốc gia để người dân, doanh nghiệp có thể giám sát, đánh giá trong quá "
        "trình thực hiện.",
        "Mức độ hài lòng của người dân và doanh nghiệp về giải quyết thủ tục hành chính đạt 90% trở lên.",
    ],
    "003": [
        "100% cơ quan, đơn vị tiếp nhận, giải quyết TTHC thực hiện công khai theo mẫu tại Phụ lục kèm theo "
        "Thông tư số 02/2017/TT-VPCP ngày 31/10/2017 của Văn phòng Chính phủ",
        "100% phản ánh, kiến nghị được giải quyết đúng và trước hạn",
        "100% TTHC thuộc thẩm quyền được tiếp nhận và trả kết quả tại Bộ phận Một cửa của đơn vị (trừ các "
        "TTHC đặc thù) Tiếp nhận, giải quyết TTHC theo đúng nội dung quy định về TTHC được đăng tải trên Cơ "
        "sở dữ liệu quốc gia",
        "Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia trên tổng số giao dịch thanh toán của "
        "dịch vụ công đạt 60%",
        "Tỷ lệ hồ sơ trực tuyến trên tổng số hồ sơ tiếp nhận, giải quyết TTHC đạt 60%",
        "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC đạt 80%",
        "Tỷ lệ kết quả xử lý hồ sơ TTHC của thành phố được đồng bộ đầy đủ trên Cổng Dịch vụ công quốc gia "
        "đạt 100%",
        "Tỷ lệ cấp kết quả giải quyết TTHC điện tử đạt 100%",
        "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa đạt tối thiểu 50%",
        "Mức độ hài lòng trong tiếp nhận, giải quyết TTHC của người dân, doanh nghiệp đạt tối thiểu 90%",
        "100% TTHC ngành dọc theo danh mục tại Quyết định số 1291/QĐ-TTg ngày 07/10/2019 của Thủ tướng "
        "Chính phủ được tổ chức tiếp nhận tại Bộ phận Tiếp nhận và trả kết quả giải quyết TTHC cấp huyện "
        "và cấp xã",
    ],
    "004": [
        "Thực hiện nghiêm việc gửi, nhận văn bản điện tử và xử lý hồ sơ công việc toàn trình trên môi "
        "trường điện tử; đồng bộ 100% hồ sơ, kết quả giải quyết TTHC trên Hệ thống thông tin giải quyết "
        "TTHC của thành phố với Cổng Dịch vụ công quốc gia.",
    ],
}

# Sources rebuilt by hand from cells wrapped over lines or split by a page break.
REBUILT: dict[str, list[Source]] = {
    "003": [
        "Tỷ lệ cung cấp dịch vụ công trực tuyến toàn trình trên tổng số TTHC có đủ điều kiện trên Cổng "
        "Dịch vụ công quốc gia đạt 80%",
    ],
    "004": [
        "Tổ chức thực hiện rà soát, cắt giảm hoặc chuyển sang hình thức thông báo hoặc cấp phép tự động "
        "trên cơ sở quản lý dữ liệu để áp dụng tối thiểu 5% giấy phép trong trường hợp cấp mới, cấp lần "
        "đầu và 10% giấy phép trong trường hợp điều chỉnh, sửa đổi, cấp lại.",
        ("Tỷ lệ cung cấp dịch vụ công trực tuyến toàn trình trên tổng số TTHC có đủ điều kiện trên Cổng dịch "
         "vụ công quốc gia", "80%"),
        ("Tỷ lệ thanh toán trực tuyến trên Cổng dịch vụ công quốc gia trên tổng số giao dịch thanh toán của "
         "dịch vụ công", "60%"),
        ("Tỷ lệ hồ sơ trực tuyến trên tổng số hồ sơ tiếp nhận, giải quyết TTHC", "60%"),
        ("Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", "80%"),
        ("Tỷ lệ kết quả xử lý hồ sơ TTHC của Sở, ngành, địa phương được đồng bộ đầy đủ trên Cổng dịch vụ "
         "công quốc gia", "100%"),
        ("Tỷ lệ nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao được theo dõi, giám sát, đánh giá dựa trên dữ "
         "liệu số", "100%"),
        ("Tỷ lệ dữ liệu thực hiện nhiệm vụ được theo dõi, giám sát đến đơn vị trực tiếp thực hiện nhiệm vụ "
         "của các bộ, ngành, địa phương", "100%"),
        ("Tỷ lệ các bộ, ngành, địa phương ban hành Bộ chỉ số phục vụ công tác chỉ đạo, điều hành trên môi "
         "trường điện tử theo quy định; ban hành quy chế khai thác, sử dụng, kết nối, tích hợp, chia sẻ, "
         "tiếp nhận thông tin, dữ liệu phục vụ chỉ đạo, điều hành trên môi trường điện tử.", "100%"),
        ("Tỷ lệ văn bản, hồ sơ công việc (trừ văn bản, hồ sơ có chứa nội dung bí mật nhà nước) của các cấp "
         "chính quyền được thực hiện toàn trình trên Hệ thống Quản lý văn bản và điều hành (Không xử lý song "
         "song văn bản, hồ sơ điện tử và văn bản, hồ sơ giấy).", "90%"),
        ("Tỷ lệ thông tin, số liệu về tình hình xử lý, kết quả xử lý văn bản, hồ sơ công việc của các bộ, "
         "ngành, địa phương theo nhiệm vụ Chính phủ, Thủ tướng Chính phủ giao được đồng bộ với các hệ thống "
         "thông tin phục vụ chỉ đạo, điều hành của Chính phủ, Thủ tướng Chính phủ qua Trục liên thông văn "
         "bản quốc gia.", "100%"),
        ("Hệ thống giải quyết TTHC cấp tỉnh được kết nối với Hệ thống quản lý văn bản và điều hành để đồng bộ "
         "kết quả giải quyết TTHC giữa 02 hệ thống.", "100%"),
        ("Tỷ lệ cấp kết quả giải quyết TTHC điện tử.", "100%"),
        ("Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa.", "50%"),
        ("Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn.", "100%"),
        ("Mức độ hài lòng trong tiếp nhận, giải quyết TTHC của người dân, doanh nghiệp.", "90%"),
        ("Đề xuất cắt giảm, đơn giản hóa; cắt giảm chi phí tuân thủ;", "30% TTHC; ít nhất 30% chi phí tuân thủ"),
        ("Kiến nghị bãi bỏ điều kiện đầu tư, kinh doanh", "30%"),
        ("Cắt giảm hoặc chuyển sang hình thức thông báo hoặc cấp phép tự động trên cơ sở quản lý bằng dữ "
         "liệu", "Tối thiểu 5% giấy phép (cấp mới, cấp lần đầu); 10% giấy phép (điều chỉnh, sửa đổi, cấp "
         "lại)."),
        ("Thông tin, giấy tờ, tài liệu trong thủ tục cấp phép chỉ cung cấp một lần cho cơ quan nhà nước", "100%"),
        ("TTHC nội bộ được cắt giảm, đơn giản hóa", "30%"),
        ("TTHC thuộc thẩm quyền giải quyết của địa phương thực hiện đơn giản hóa giấy tờ công dân liên quan "
         "đến quản lý dân cư theo triển khai của bộ, ngành", "100%"),
    ],
}


def _hits(source: Source) -> list[TargetHit]:
    return targets_from_row(*source) if isinstance(source, tuple) else find_targets(source)


def _gold(seed: str) -> list[dict]:
    (path,) = GOLD.glob(f"{seed}_*.json")
    return json.loads(path.read_text(encoding="utf-8"))["targets"]


def _seed_text(seed: str) -> str:
    (path,) = RAW.glob(f"{seed}_*.txt")
    return squeeze(path.read_text(encoding="utf-8"))


def _match(gold: list[dict], hits: list[TargetHit], field: str) -> tuple[list[dict], list[TargetHit]]:
    """Pair gold targets with hits as the scorer does; `field` is where metric_contains must be found."""
    pool = list(hits)
    missed = []
    for target in gold:
        phrase = canon(target["metric_contains"]).casefold()
        for hit in pool:
            where = canon(hit.metric) if field == "metric" else canon(hit.metric) + "\n" + canon(hit.raw)
            if (hit.value, hit.comparator) == (target["value"], target["comparator"]) and phrase in where.casefold():
                pool.remove(hit)
                break
        else:
            missed.append(target)
    return missed, pool


SEEDS = sorted(SOURCES)


@pytest.mark.parametrize("seed", SEEDS)
def test_sources_are_the_seed_text(seed):
    text = _seed_text(seed)
    for source in SOURCES[seed]:
        assert squeeze(source) in text


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("field", ["metric_or_raw", "metric"])
def test_every_gold_target_and_nothing_else(seed, field):
    """Every gold target is found (metric_contains in the metric alone, or as scored), with no extra hit."""
    hits = [hit for source in SOURCES[seed] + REBUILT.get(seed, []) for hit in _hits(source)]
    missed, extra = _match(_gold(seed), hits, field)
    assert missed == []
    assert extra == []


def test_one_hit_per_percent_sign_in_the_seeds():
    """SPEC: every percentage is a target; the gold counts the seeds' '%' signs."""
    for seed in SEEDS:
        assert _seed_text(seed).count("%") == len(_gold(seed))


def test_carry_forward_not_back_and_trailing_comparator_stays():
    first, second = find_targets(SOURCES["001"][4])
    assert (first.value, first.comparator) == (100, "=")
    assert (second.value, second.comparator) == (80, ">=")
    assert second.metric == "văn bản được xử lý toàn trình trên môi trường điện tử"


def test_comparator_carries_over_a_comma():
    hits = find_targets(SOURCES["000"][0])
    assert [(h.value, h.comparator) for h in hits] == [(30, ">="), (30, ">="), (30, ">=")]
    assert [h.metric for h in hits] == [
        "điều kiện đầu tư kinh doanh không cần thiết",
        "thời gian giải quyết của các TTHC",
        "chi phí tuân thủ TTHC",
    ]
    assert [h.indicator for h in hits] == ["business_condition_cut", "processing_time_cut", "compliance_cost_cut"]


def test_toi_da_after_the_percentage_does_not_count():
    (hit,) = find_targets(SOURCES["000"][1])
    assert hit.comparator == "="
    assert hit.metric == "TTHC liên quan đến doanh nghiệp được thực hiện trực tuyến, thông suốt, liền mạch, hiệu quả"


def test_two_percentages_of_one_clause_measure_different_things():
    hits = find_targets(SOURCES["001"][0])
    assert [(h.value, h.comparator, h.metric) for h in hits] == [
        (100, "=", "TTHC được cắt giảm"), (30, "=", "thời hạn giải quyết")]


def test_subject_before_dat_is_the_metric():
    (hit,) = find_targets(SOURCES["003"][3])
    assert hit.metric == ("Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia trên tổng số giao dịch "
                          "thanh toán của dịch vụ công")
    assert (hit.comparator, hit.indicator) == ("=", "online_payment_rate")


def test_comparator_carries_over_va_in_a_table_cell():
    hits = find_targets(REBUILT["004"][0])
    assert [(h.value, h.comparator) for h in hits] == [(5, ">="), (10, ">=")]
    assert [h.metric for h in hits] == ["giấy phép trong trường hợp cấp mới, cấp lần đầu",
                                        "giấy phép trong trường hợp điều chỉnh, sửa đổi, cấp lại"]
    assert {h.indicator for h in hits} == {"licence_to_notification"}


def test_appendix_row_pairs_parts_and_carries_over_parallel_semicolon():
    cut, cost = targets_from_row(*REBUILT["004"][16])
    assert (cut.value, cut.comparator, cut.metric, cut.indicator) == (30, "=", "Đề xuất cắt giảm, đơn giản hóa", None)
    assert (cost.value, cost.comparator, cost.metric, cost.indicator) == (
        30, ">=", "cắt giảm chi phí tuân thủ", "compliance_cost_cut")
    assert cut.raw == "Đề xuất cắt giảm, đơn giản hóa; cắt giảm chi phí tuân thủ; | 30% TTHC; ít nhất 30% chi phí tuân thủ"
    new, changed = targets_from_row(*REBUILT["004"][18])
    assert [(h.value, h.comparator) for h in (new, changed)] == [(5, ">="), (10, ">=")]
    assert new.metric == changed.metric == REBUILT["004"][18][0]


def test_indicators_of_the_appendix_rows():
    codes = [indicator_for(source[0]) for source in REBUILT["004"][1:]]
    assert codes == [
        "full_online_service_rate", "online_payment_rate", "online_dossier_rate", "digitisation_rate",
        "portal_sync_rate", None, None, None, None, None, None,
        "electronic_result_rate", "data_reuse_rate", "complaint_on_time_rate", "satisfaction_rate",
        "compliance_cost_cut", "business_condition_cut", "licence_to_notification", "once_only_rate", "internal_procedure_cut", None,
    ]


def test_indicators_in_prose_use_the_lead_in():
    assert [h.indicator for h in find_targets(SOURCES["000"][4])] == ["digitisation_rate"]
    assert [h.indicator for h in find_targets(SOURCES["004"][0])] == ["portal_sync_rate"]
    assert [h.indicator for h in find_targets(SOURCES["002"][4])] == [None]


def test_raw_is_the_input_in_nfc_and_decomposed_input_reads_the_same():
    text = SOURCES["002"][5]
    decomposed = unicodedata.normalize("NFD", text)
    (hit,) = find_targets(decomposed)
    assert hit.raw == text
    assert (hit.value, hit.comparator, hit.indicator) == (90, ">=", "satisfaction_rate")
    assert hit.metric == "Mức độ hài lòng của người dân và doanh nghiệp về giải quyết thủ tục hành chính"


def test_old_tone_marks_keep_their_spelling_in_the_metric():
    (hit,) = find_targets("Tỷ lệ số hoá hồ sơ, kết quả giải quyết TTHC đạt 80%")
    assert hit.metric == "Tỷ lệ số hoá hồ sơ, kết quả giải quyết TTHC"
    assert hit.indicator == "digitisation_rate"


def test_numbers_that_are_not_percentages_are_ignored():
    assert find_targets("Thông tư số 02/2017/TT-VPCP ngày 31/10/2017, 2.500 hồ sơ") == []
    assert [h.value for h in find_targets("đạt 99,5% và 2.5 %")] == [99.5, 2.5]
