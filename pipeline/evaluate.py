"""Score a dataset against gold annotations in SPEC's gold format.

Users annotate a few of their own plans and measure the rules on them
(`kehoach eval DATASET GOLD_DIR`).  Matching follows SPEC "Gold annotations":
a task matches when its canonical text starts with the gold `text_start`
(fuzzy prefix ratio >= 90, same path preferred); a target when value and
comparator agree and its metric or raw contains the gold phrase.  Tables get
precision, recall and F1; units and deadlines are scored on matched tasks;
document fields as accuracy.  Unmatched rows are listed so a miss can be
found in the document.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import regex as re
from rapidfuzz import fuzz

from .textnorm import fold
from .write import TABLES, read_table


def key(text) -> str:
    return fold("" if text is None else str(text))


def unit_key(text) -> str:
    return re.sub(r"\s*-\s*", " - ", key(text).strip(" .;,:"))


def number_key(text) -> str:
    return key(re.sub(r"\s+", "", str(text)))


def date_key(value) -> str | None:
    return None if value is None else str(value)[:10]


@dataclass
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def f1(self) -> float:
        p = self.tp / self.predicted if self.predicted else float(self.gold == 0)
        r = self.tp / self.gold if self.gold else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class DocScore:
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    accuracy: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: dict[str, list] = field(default_factory=lambda: defaultdict(list))


def _match_tasks(gold_tasks: list[dict], tasks: list[dict]) -> dict[int, int]:
    candidates = []
    for gi, g in enumerate(gold_tasks):
        start = key(g["text_start"])
        for pi, p in enumerate(tasks):
            text = key(p.get("text"))
            score = 100.0 if text.startswith(start) else fuzz.ratio(text[: len(start)], start)
            if score >= 90:
                same_path = key(p.get("path")) == key(g.get("path"))
                candidates.append((same_path, score, gi, pi))
    candidates.sort(reverse=True)
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, _, gi, pi in candidates:
        if gi not in matched and pi not in used:
            matched[gi] = pi
            used.add(pi)
    return matched


def _deadline_ok(gold: dict | None, task: dict) -> bool:
    if gold is None:
        return not task.get("deadline_kind") and not task.get("due_date")
    return (task.get("deadline_kind") == gold.get("kind")
            and date_key(task.get("due_date")) == gold.get("due_date")
            and date_key(task.get("period_start")) == gold.get("period_start")
            and (task.get("recurrence") or None) == (gold.get("recurrence") or None))


def score_document(gold: dict, doc: dict | None, rows: dict[str, list[dict]]) -> DocScore:
    s = DocScore()
    gold_sections = [(key(x["label"]), x["kind"]) for x in gold.get("sections", [])]
    predicted = [(key(x.get("label")), x.get("kind")) for x in rows["sections"] if x.get("level") == 1]
    pool = list(predicted)
    hits = sum(1 for x in gold_sections if x in pool and not pool.remove(x))
    s.counts["sections"] = Counts(hits, len(predicted), len(gold_sections))

    gold_tasks, tasks = gold.get("tasks", []), rows["tasks"]
    matched = _match_tasks(gold_tasks, tasks)
    s.counts["tasks"] = Counts(len(matched), len(tasks), len(gold_tasks))
    s.misses["tasks (gold not found)"] = [f"{g['path']} {g['text_start'][:60]}" for i, g in enumerate(gold_tasks)
                                          if i not in matched]
    found = set(matched.values())
    s.misses["tasks (extra)"] = [f"{t.get('path')} {(t.get('text') or '')[:60]}" for i, t in enumerate(tasks)
                                 if i not in found]
    units_by_task = defaultdict(list)
    for unit in rows["task_units"]:
        units_by_task[unit.get("task_id")].append(unit)
    for gi, pi in matched.items():
        g, t = gold_tasks[gi], tasks[pi]
        want = {(role, unit_key(name)) for role in ("lead", "support", "monitor") for name in g.get(role) or []}
        got = {(u.get("role"), unit_key(u.get("unit"))) for u in units_by_task[t.get("task_id")]}
        s.counts["units"].add(Counts(len(want & got), len(got), len(want)))
        if want != got:
            s.misses["units"].append(f"{g['path']}: missing {sorted(want - got)} extra {sorted(got - want)}")
        ok = _deadline_ok(g.get("deadline"), t)
        s.accuracy["deadlines"][0] += ok
        s.accuracy["deadlines"][1] += 1
        if not ok:
            s.misses["deadlines"].append(f"{g['path']}: want {g.get('deadline')} got {t.get('deadline_raw')!r} "
                                         f"{t.get('deadline_kind')} {date_key(t.get('period_start'))} "
                                         f"{date_key(t.get('due_date'))} {t.get('recurrence')}")

    targets, used = rows["targets"], set()
    for g in gold.get("targets", []):
        phrase = key(g["metric_contains"])
        hit = next((i for i, t in enumerate(targets) if i not in used
                    and t.get("value") is not None and abs(float(t["value"]) - float(g["value"])) < 1e-6
                    and t.get("comparator") == g["comparator"]
                    and (phrase in key(t.get("metric")) or phrase in key(t.get("raw")))), None)
        if hit is None:
            s.misses["targets (gold not found)"].append(f"{g.get('path')} {g['value']} {g['comparator']} {g['metric_contains']}")
        else:
            used.add(hit)
    s.counts["targets"] = Counts(len(used), len(targets), len(gold.get("targets", [])))
    s.misses["targets (extra)"] = [f"{t.get('path')} {t.get('value')} {t.get('comparator')} {(t.get('metric') or '')[:50]}"
                                   for i, t in enumerate(targets) if i not in used]

    want_refs = {number_key(r) for r in gold.get("references", [])}
    got_refs = {number_key(r.get("number")) for r in rows["references"] if r.get("number")}
    s.counts["references"] = Counts(len(want_refs & got_refs), len(got_refs), len(want_refs))
    s.misses["references"] = [f"missing {r}" for r in sorted(want_refs - got_refs)] + \
                             [f"extra {r}" for r in sorted(got_refs - want_refs)]

    for name, want in gold.get("document", {}).items():
        got = (doc or {}).get(name)
        if name == "implements":
            ok = {number_key(x) for x in want or []} == {number_key(x) for x in (got if got is not None else [])}
        elif name == "title":
            ok = fuzz.ratio(key(got), key(want)) >= 90 if want else not got
        elif name == "issued_date":
            ok = date_key(got) == want
        elif name == "year":
            ok = (got is None) == (want is None) and (want is None or int(got) == int(want))
        elif name == "number":
            ok = number_key(got) == number_key(want) if want else not got
        else:
            ok = key(got) == key(want) if want is not None else got in (None, "")
        s.accuracy["document"][0] += ok
        s.accuracy["document"][1] += 1
        if not ok:
            s.misses["document"].append(f"{name}: want {want!r} got {got!r}")
    return s


@dataclass
class Evaluation:
    per_doc: dict[str, DocScore]
    totals: dict[str, Counts]
    accuracy: dict[str, list[int]]

    def summary(self) -> dict[str, float]:
        out = {name: round(c.f1, 3) for name, c in self.totals.items()}
        out.update({name: round(ok / n, 3) if n else 1.0 for name, (ok, n) in self.accuracy.items()})
        return out

    def to_json(self) -> str:
        return json.dumps({"summary": self.summary(),
                           "documents": {name: {k: v for k, v in doc.misses.items() if v}
                                         for name, doc in self.per_doc.items()}},
                          ensure_ascii=False, indent=1)


def _find_doc(gold: dict, docs: list[dict], raw_dir: Path | None) -> dict | None:
    if raw_dir is not None and (raw_dir / gold["file"]).exists():
        sha = hashlib.sha256((raw_dir / gold["file"]).read_bytes()).hexdigest()
        doc = next((d for d in docs if d.get("sha256") == sha), None)
        if doc:
            return doc
    stem = Path(gold["file"]).stem
    return next((d for d in docs if Path(d.get("source_path") or "").stem == stem), None)


def evaluate(dataset: Path | str, gold_dir: Path | str, raw_dir: Path | str | None = None) -> Evaluation:
    """Score the dataset at `dataset` against every document gold file in `gold_dir`."""
    tables = {}
    for name in TABLES:
        table = read_table(Path(dataset), name)
        tables[name] = table.to_pylist() if table is not None else []
    by_doc = {name: defaultdict(list) for name in TABLES}
    for name, rows in tables.items():
        for row in rows:
            by_doc[name][row.get("doc_id")].append(row)
    per_doc: dict[str, DocScore] = {}
    totals: dict[str, Counts] = defaultdict(Counts)
    accuracy: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(gold, dict) or "file" not in gold or "tasks" not in gold:
            continue  # diff gold files live beside the document gold
        doc = _find_doc(gold, tables["documents"], Path(raw_dir) if raw_dir else None)
        doc_id = doc.get("doc_id") if doc else None
        score = score_document(gold, doc, {name: by_doc[name][doc_id] for name in TABLES})
        per_doc[path.name] = score
        for name, counts in score.counts.items():
            totals[name].add(counts)
        for name, (ok, n) in score.accuracy.items():
            accuracy[name][0] += ok
            accuracy[name][1] += n
    return Evaluation(per_doc, dict(totals), dict(accuracy))
