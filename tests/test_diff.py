"""`kehoach diff` on the seed pairs, scored as the planners score it (SPEC "Diff output"), and its parts.

The scorer below mirrors the shared diff scorer: predicted tasks and targets
are mapped to gold paths through the per-document gold files (a task by the
prefix of its text, a target by value and metric phrase), so the bars do not
depend on how the dataset spells paths.
"""
import datetime as dt
import hashlib
import json
import re

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from rapidfuzz import fuzz

from pipeline import diff as kd
from pipeline.diff_cli import diff_command
from pipeline.textnorm import fold

from .conftest import GOLD, RAW

PAIRS = ("diff_000_001", "diff_004_003")
TASK_BAR, TARGET_BAR = 0.90, 0.95


# --------------------------------------------------------------------------- a scorer like the planners'

def similar_prefix(text: str | None, start: str) -> float:
    a, b = fold(text), fold(start)
    if not b:
        return 0.0
    return 100.0 if a.startswith(b) else fuzz.ratio(a[: len(b)], b)


def task_map(gold: dict, tasks: list[dict]) -> dict[str, str]:
    """Predicted task_id -> gold path: best prefix match first, each used once."""
    candidates = sorted(((similar_prefix(t["text"], g["text_start"]), g["path"], t["task_id"])
                         for g in gold["tasks"] for t in tasks), reverse=True)
    out: dict[str, str] = {}
    for score, path, task_id in candidates:
        if score >= 90 and task_id not in out and path not in out.values():
            out[task_id] = path
    return out


def target_map(gold: dict, targets: list[dict]) -> dict[str, tuple]:
    """Predicted target_id -> gold (path, value, metric phrase), gold rows taken in order."""
    out: dict[str, tuple] = {}
    for g in gold["targets"]:
        phrase = fold(g["metric_contains"])
        key = (g["path"], g["value"], g["metric_contains"])
        hit = next((t for t in targets if t["target_id"] not in out and abs(t["value"] - g["value"]) < 1e-6
                    and (phrase in fold(t["metric"]) or phrase in fold(t["raw"]))), None)
        if hit is not None and key not in out.values():
            out[hit["target_id"]] = key
    return out


def f1(tp: int, predicted: int, gold: int) -> float:
    p = tp / predicted if predicted else float(gold == 0)
    r = tp / gold if gold else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


def score_pair(result: kd.PlanDiff, diff_gold: dict, child_gold: dict, parent_gold: dict) -> dict:
    cmap, pmap = task_map(child_gold, result.child.tasks), task_map(parent_gold, result.parent.tasks)
    predicted = {(cmap.get(r["child_task_id"]), pmap.get(r["parent_task_id"]))
                 for r in result.tasks if r["status"] == "adopted"}
    any_gold = {(p["child_path"], p["parent_path"]) for p in diff_gold["tasks"]}
    same_gold = {(p["child_path"], p["parent_path"]) for p in diff_gold["tasks"] if p["strength"] == "same"}
    precision = len(predicted & any_gold) / len(predicted) if predicted else 0.0
    recall = len(predicted & same_gold) / len(same_gold)
    tasks_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    ctmap, ptmap = target_map(child_gold, result.child.targets), target_map(parent_gold, result.parent.targets)
    gold_pairs = {((t["child_path"], t["child_value"], t["child_metric_contains"]),
                   (t["parent_path"], t["parent_value"], t["parent_metric_contains"])): t["status"]
                  for t in diff_gold["targets"]}
    predicted_targets = {(ctmap.get(r["child_target_id"]), ptmap.get(r["parent_target_id"])): r["status"]
                         for r in result.targets if r["child_target_id"] and r["parent_target_id"]}
    right = sum(1 for k, s in predicted_targets.items() if gold_pairs.get(k) == s)
    return {"tasks": tasks_f1, "targets": f1(right, len(predicted_targets), len(gold_pairs)),
            "wrong_tasks": sorted(map(str, predicted - any_gold)), "missed_same": sorted(map(str, same_gold - predicted)),
            "wrong_targets": sorted(map(str, set(predicted_targets.items()) - set(gold_pairs.items())))}


# --------------------------------------------------------------------------- fixtures

def doc_id_of_seed(stem: str) -> str:
    return hashlib.sha256((RAW / stem).read_bytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def plans(seed_dataset):
    return kd.load_plans(seed_dataset)


def gold_of(name: str) -> dict:
    return json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))


def pair_of(plans, diff_name: str) -> tuple[kd.Plan, kd.Plan, dict]:
    g = gold_of(diff_name)
    return plans[doc_id_of_seed(g["child"])], plans[doc_id_of_seed(g["parent"])], g


@pytest.fixture(scope="module")
def seed_diffs(plans) -> dict[str, tuple[kd.PlanDiff, dict]]:
    out = {}
    for name in PAIRS:
        child, parent, g = pair_of(plans, name)
        result = kd.compare(child, parent)
        score = score_pair(result, g, gold_of(g["child"].rsplit(".", 1)[0]), gold_of(g["parent"].rsplit(".", 1)[0]))
        out[name] = (result, score)
    return out


# --------------------------------------------------------------------------- the bars

@pytest.mark.parametrize("name", sorted(PAIRS))
def test_task_pairs_meet_the_bar(seed_diffs, name):
    _, score = seed_diffs[name]
    assert score["tasks"] >= TASK_BAR, score


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_target_pairs_meet_the_bar(seed_diffs, name):
    _, score = seed_diffs[name]
    assert score["targets"] >= TARGET_BAR, score


def test_every_task_has_one_row(seed_diffs):
    for result, _ in seed_diffs.values():
        children = [r["child_task_id"] for r in result.tasks if r["child_task_id"]]
        parents = [r["parent_task_id"] for r in result.tasks if r["parent_task_id"]]
        assert sorted(children) == sorted(t["task_id"] for t in result.child.tasks)
        assert sorted(parents) == sorted(t["task_id"] for t in result.parent.tasks)


def test_every_target_is_accounted_for(seed_diffs):
    for result, _ in seed_diffs.values():
        assert {r["child_target_id"] for r in result.targets} - {None} == {t["target_id"] for t in result.child.targets}
        assert {r["parent_target_id"] for r in result.targets} - {None} == {t["target_id"] for t in result.parent.targets}


def test_near_identical_items_are_adopted_with_a_high_score(seed_diffs):
    """Seed 000 III.2.e repeats seed 001 II.2.d almost word for word (feedback on the national portal)."""
    result, _ = seed_diffs["diff_000_001"]
    row = next(r for r in result.tasks if r["status"] == "adopted"
               and fold(result.child.task(r["child_task_id"])["text"]).startswith("tổ chức thực hiện nghiêm việc tiếp nhận"))
    assert fold(result.parent.task(row["parent_task_id"])["text"]).startswith("thực hiện nghiêm việc tiếp nhận")
    assert row["score"] > 0.7


def test_ward_appendix_targets_are_kept_against_city_rows(seed_diffs):
    """The ward's appendix repeats the city's online-payment rate (60%): kept, with its indicator."""
    result, _ = seed_diffs["diff_004_003"]
    row = next(r for r in result.targets if r["child_metric"] and "thanh toán trực tuyến" in fold(r["child_metric"])
               and r["child_value"] == 60)
    assert row["status"] == "kept" and row["parent_value"] == 60


def test_adopted_city_task_compares_leads_by_role(seed_diffs):
    """City I.4 is led by 'Các sở, ban, ngành'; the ward's counterpart by its own offices: not a change."""
    result, _ = seed_diffs["diff_004_003"]
    row = next(r for r in result.tasks if r["status"] == "adopted"
               and fold(result.parent.task(r["parent_task_id"])["text"]).startswith("chỉ đạo, hướng dẫn, đôn đốc"))
    assert row["lead_changed"] is False


# --------------------------------------------------------------------------- outputs

def test_write_produces_the_contract_columns(seed_diffs, tmp_path):
    result, _ = seed_diffs["diff_004_003"]
    result.write(tmp_path)
    tasks = pq.read_table(tmp_path / "diff_tasks.parquet")
    targets = pq.read_table(tmp_path / "diff_targets.parquet")
    assert {"child_doc_id", "parent_doc_id", "child_task_id", "parent_task_id", "child_path", "parent_path", "score",
            "status", "lead_changed", "deadline_shift_days", "notes"} <= set(tasks.column_names)
    assert {"child_target_id", "parent_target_id", "child_path", "parent_path", "indicator", "child_value",
            "parent_value", "child_comparator", "parent_comparator", "status"} <= set(targets.column_names)
    assert set(tasks.column("status").to_pylist()) <= set(kd.TASK_STATUSES)
    assert set(targets.column("status").to_pylist()) <= set(kd.TARGET_STATUSES)
    assert tasks.num_rows == len(result.tasks)


def test_report_is_self_contained(seed_diffs, tmp_path):
    """An e-mailed report must not fetch anything: no external script, style, image or font."""
    result, _ = seed_diffs["diff_004_003"]
    page = (result.write(tmp_path) / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert page.count('class="row ') == len(result.tasks) + len(result.targets)
    assert result.child.doc["issuer"] in page  # Vietnamese text survives escaping


def test_cli_diffs_two_doc_ids_of_a_dataset(seed_dataset, tmp_path):
    child, parent = doc_id_of_seed("004_b6eea89596103d37.txt"), doc_id_of_seed("003_2baf105a9a0db1d8.txt")
    run = CliRunner().invoke(diff_command, [child, parent, "--dataset", str(seed_dataset), "--out", str(tmp_path)])
    assert run.exit_code == 0, run.output
    assert "adopted" in run.output and "257/QĐ-UBND" in run.output
    assert {p.name for p in tmp_path.iterdir()} >= {"diff_tasks.parquet", "diff_targets.parquet", "report.html"}


def test_cli_diffs_two_files_without_a_dataset(tmp_path):
    child, parent = RAW / "000_3dcb68d2e21a90c6.txt", RAW / "001_ee5033a38673ab49.txt"
    run = CliRunner().invoke(diff_command, [str(child), str(parent), "--out", str(tmp_path), "--threshold", "0.5"])
    assert run.exit_code == 0, run.output
    rows = pq.read_table(tmp_path / "diff_tasks.parquet").to_pylist()
    assert all(r["score"] >= 0.5 for r in rows if r["status"] == "adopted")


def test_cli_diffs_a_dataset_against_one_parent(seed_dataset, tmp_path):
    parent = doc_id_of_seed("003_2baf105a9a0db1d8.txt")
    run = CliRunner().invoke(diff_command, ["--dataset", str(seed_dataset), "--parent", parent, "--out", str(tmp_path)])
    assert run.exit_code == 0, run.output
    assert len(list((tmp_path / "reports").glob("*.html"))) == 4
    assert (tmp_path / "index.html").read_text(encoding="utf-8").count("<tr><td>") == 4


def test_cli_dataset_without_implements_links_writes_an_empty_index(seed_dataset, tmp_path):
    """No seed implements another seed (their parents are not in the dataset): say so, write an empty index."""
    run = CliRunner().invoke(diff_command, ["--dataset", str(seed_dataset), "--out", str(tmp_path)])
    assert run.exit_code == 0, run.output
    assert "no pair" in run.output and "0 pairs" in run.output
    assert "No pair found" in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert pq.read_table(tmp_path / "diff_tasks.parquet").num_rows == 0


def test_cli_rejects_an_unknown_document(seed_dataset, tmp_path):
    run = CliRunner().invoke(diff_command, ["nope", "nope2", "--dataset", str(seed_dataset), "--out", str(tmp_path)])
    assert run.exit_code == 1 and "nope" in run.output


# --------------------------------------------------------------------------- parts

def test_text_features_fold_case_and_old_tone_marks():
    grams = kd.features(kd.Lexicon.load().tokens("Số HOÁ hồ sơ"))
    assert grams == kd.features(kd.Lexicon.load().tokens("số hóa hồ sơ"))
    assert {"số hóa", "hóa hồ", "hồ sơ", "số"} <= set(grams)
    assert "hóa hồ" not in kd.features(kd.Lexicon.load().tokens("số hóa, hồ sơ"))  # no bigram across punctuation


def test_a_term_and_its_abbreviation_are_one_token():
    lexicon = kd.Lexicon.load()
    assert lexicon.tokens("Công khai thủ tục hành chính") == lexicon.tokens("công khai TTHC")


def test_text_similarity_prefers_the_same_action():
    index = kd.TextIndex(["Công khai TTHC tại Bộ phận Một cửa", "Số hóa hồ sơ TTHC", "Tập huấn nghiệp vụ"])
    near = index.similarity("Niêm yết công khai TTHC tại Bộ phận Một cửa", "Công khai TTHC tại Bộ phận Một cửa")
    far = index.similarity("Niêm yết công khai TTHC tại Bộ phận Một cửa", "Số hóa hồ sơ TTHC")
    assert near > 0.6 > far


def test_pairs_are_mutual_best_counterparts_over_the_threshold():
    # Row 0 is the best for both columns; column 1's own best row is row 0, so row 1 stays unpaired.
    scores = [[0.9, 0.8], [0.85, 0.1]]
    assert kd.mutual_best(scores, 0.3) == [(0, 0)]
    assert kd.mutual_best(scores, 0.95) == []
    assert kd.mutual_best([[0.5], [0.7], [0.6]], 0.3) == [(1, 0)]
    assert kd.mutual_best([[0.4, 0.0], [0.0, 0.6]], 0.3) == [(0, 0), (1, 1)]
    assert kd.mutual_best([], 0.3) == []


def test_preferences_rank_but_the_threshold_holds_the_score():
    """Like headings pick between two near candidates; they never lift a pair over the threshold."""
    scores = [[0.30, 0.32]]
    assert kd.mutual_best(scores, 0.25) == [(0, 1)]
    assert kd.mutual_best(scores, 0.25, [[0.40, 0.32]]) == [(0, 0)]
    assert kd.mutual_best(scores, 0.31, [[0.40, 0.32]]) == []


def test_headings_run_from_the_top_section_down():
    plan = kd.Plan(doc={"doc_id": "d"}, sections={
        "s1": {"section_id": "s1", "parent_id": None, "heading": "NHIỆM VỤ"},
        "s2": {"section_id": "s2", "parent_id": "s1", "heading": "Công tác truyền thông"},
    })
    assert plan.headings({"section_id": "s2"}) == "NHIỆM VỤ ; Công tác truyền thông"
    assert plan.headings({"section_id": None}) == ""


def test_every_adopted_pair_is_mutual_best(seed_diffs):
    for result, _ in seed_diffs.values():
        scorer = kd.TaskScorer(result.child, result.parent)
        scores = scorer.matrix()
        ranks = scorer.preferences(scores)
        c_index = {t["task_id"]: i for i, t in enumerate(result.child.tasks)}
        p_index = {t["task_id"]: j for j, t in enumerate(result.parent.tasks)}
        for row in (r for r in result.tasks if r["status"] == "adopted"):
            i, j = c_index[row["child_task_id"]], p_index[row["parent_task_id"]]
            assert ranks[i][j] == max(ranks[i]) == max(r[j] for r in ranks)
            assert scores[i][j] == row["score"] >= kd.DEFAULT_THRESHOLD


def test_cited_acts_are_cut_from_task_text(plans):
    """City I.6 cites the decision that defines the service-quality index; the citation is not the task."""
    _, parent, _ = pair_of(plans, "diff_004_003")
    task = next(t for t in parent.tasks if fold(t["text"]).startswith("tiếp tục thực hiện công khai kết quả đánh giá"))
    assert "766/QĐ-TTg" in task["text"]
    cut = kd.without_citations(task["text"])
    assert "766" not in cut and "23/6/2022" not in cut and "Quyết định số" not in cut
    assert "chất lượng phục vụ người dân, doanh nghiệp" in cut
    assert not {"qđ", "ttg", "ngày"} & set(kd.Lexicon.load().tokens(task["text"]))


def test_a_ward_citing_a_newer_act_still_matches_on_the_task(plans):
    """Two tasks that differ only in the act they cite compare as equal texts."""
    child, parent, _ = pair_of(plans, "diff_004_003")
    index = kd.TextIndex([t["text"] for p in (child, parent) for t in p.tasks])
    a = "Tiếp nhận hồ sơ TTHC tại Bộ phận Một cửa theo Nghị định số 61/2018/NĐ-CP ngày 23/4/2018"
    b = "Tiếp nhận hồ sơ TTHC tại Bộ phận Một cửa theo Nghị định 118/2025/NĐ-CP"
    assert index.similarity(a, b) == pytest.approx(1.0)


@pytest.mark.parametrize("child, parent, comparator, status", [
    (60, 60, ">=", "kept"), (70, 60, "=", "raised"), (50, 60, ">=", "lowered"),
    (3, 5, "<=", "raised"), (8, 5, "<=", "lowered"),
])
def test_target_status_follows_the_comparator(child, parent, comparator, status):
    assert kd.target_status(child, parent, comparator) == status


def test_deadline_shift_in_days_and_kind_change():
    parent = {"due_date": dt.date(2025, 10, 31), "deadline_kind": "month"}
    child = {"due_date": dt.date(2025, 12, 15), "deadline_kind": "date"}
    shift, notes = kd.deadline_change(child, parent)
    assert shift == 45
    assert notes == ["deadline 45 days later (2025-10-31 → 2025-12-15)", "deadline kind month → date"]
    assert kd.deadline_change({"deadline_kind": "continuous"}, {"deadline_kind": "continuous"}) == (None, [])


def test_document_numbers_match_across_spellings():
    assert kd.number_key("1178/QĐ- UBND") == kd.number_key("1178/KH-UBND") == ("1178", "ubnd")
    assert kd.number_key("257/QĐ-UBND") != kd.number_key("1178/QĐ-UBND")
    assert kd.number_key(None) is None


def test_parents_are_found_through_implements():
    city = kd.Plan(doc={"doc_id": "c", "number": "1178/QĐ-UBND"})
    ward = kd.Plan(doc={"doc_id": "w", "number": None, "implements": ["1178/KH-UBND"]})
    other = kd.Plan(doc={"doc_id": "o", "number": "257/QĐ-UBND"})
    assert kd.parents_of(ward, [city, ward, other]) == [city]
    assert kd.parents_of(city, [city, ward, other]) == []


def test_role_examples_hold():
    cases = list(kd.example_cases())
    assert len(cases) >= 30
    assert [(case, e, a) for case, e, a in cases if e != a] == []
