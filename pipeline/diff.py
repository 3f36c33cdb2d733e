"""`kehoach diff`: a plan against the plan it implements.

A ward's or a department's plan copies the city's tasks in its own words,
narrows some, drops some and adds its own.  The diff pairs the tasks of the two
plans one to one by meaning and says, for each pair, whether the lead unit,
the deadline and the expected output changed; then it pairs the percentage
targets and says which were kept, raised, lowered, left out or added.

    child plan + parent plan (rows of an ingested dataset, `Plan`)
      -> `TextIndex`: TF-IDF over syllable uni- and bigrams of both plans,
         tone marks and case folded, so "hoá"/"hóa"/"HOÁ" are one syllable;
         cited acts ("Nghị định số 118/2025/NĐ-CP ... của Chính phủ") and
         boilerplate ("theo quy định", "trong năm 2025") cut out
      -> a score per task pair: text similarity (the whole text and the
         action it opens with), helped by the tasks' section kinds, their lead
         units' roles (rules/roles.yaml) and the parent's numbering cited in
         the child
      -> `mutual_best`: two tasks are a pair when each prefers the other most
         (by score, plus the likeness of the headings above them) and their
         score reaches the threshold; the rest is dropped or added
      -> targets: same `indicator`, else similar metric; status from values
         and comparators

Scores are cosines in [0, 1] plus small bonuses.  The default threshold,
an option of `diff` and of the CLI, was set on the two seed pairs: a ward
plan that copies its sibling's items nearly word for word (pairs score 0.36
to 1.0, the best unrelated leftover 0.23) and a ward plan that rewords another
city's table (true pairs from 0.29).  Anything from 0.24 to 0.28 serves both;
0.26 sits in the middle.  The weights were checked the same way: action
weights from 0.35 to 0.5 and heading weights from 0.05 to 0.2 all keep both
pairs over the bar at that threshold.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import regex as re

from . import rules
from .extract.references import LOOKBACK, mentions, symbol_of
from .extract.references import grammar as reference_grammar
from .textnorm import canon, fold
from .write import read_table

if TYPE_CHECKING:
    import pandas as pd

# Mutual best counterparts scoring below this are not a pair: the parent's
# task is `dropped` and the child's `added`.
DEFAULT_THRESHOLD = 0.26
# A child target without the parent's indicator pairs on its metric's wording
# only when it is at least this similar.
DEFAULT_TARGET_THRESHOLD = 0.50


@dataclass(frozen=True)
class Weights:
    """How much each cue adds to the text similarity of two tasks.

    The text carries the meaning; the rest only breaks ties between tasks that
    say similar things, since many tasks share a lead and a section kind.  A
    citation of the parent's number is near proof and outweighs the text.
    """

    text: float = 1.0  # the texts' similarity (`TaskScorer.text_similarity`)
    action: float = 0.4  # share of it the actions may raise: max(text cosine, action cosine)
    kind: float = 0.03  # both tasks sit in sections of the same kind group
    lead: float = 0.05  # the child's lead fills the parent's lead role
    citation: float = 0.50  # the child cites the parent task's number
    context: float = 0.10  # (ranking only) the headings above the two tasks are alike
    task_pair: float = 0.20  # (targets) the two targets' tasks are an adopted pair


WEIGHTS = Weights()

# Section kinds that hold work to do, against the kind that assigns it.
KIND_GROUPS = {"tasks": "work", "targets": "work", "appendix": "work", "organization": "organization"}


def same_kind_group(a: str | None, b: str | None) -> bool:
    """Both tasks sit in sections of work to do, or both in the section that assigns it."""
    return a in KIND_GROUPS and b in KIND_GROUPS and KIND_GROUPS[a] == KIND_GROUPS[b]

TASK_COLUMNS = pa.schema([
    ("child_doc_id", pa.string()), ("parent_doc_id", pa.string()),
    ("child_task_id", pa.string()), ("parent_task_id", pa.string()),
    ("child_path", pa.string()), ("parent_path", pa.string()),
    ("score", pa.float64()), ("status", pa.string()),
    ("lead_changed", pa.bool_()), ("deadline_shift_days", pa.int32()),
    ("output_changed", pa.bool_()), ("notes", pa.string()),
])
TARGET_COLUMNS = pa.schema([
    ("child_doc_id", pa.string()), ("parent_doc_id", pa.string()),
    ("child_target_id", pa.string()), ("parent_target_id", pa.string()),
    ("child_path", pa.string()), ("parent_path", pa.string()),
    ("indicator", pa.string()), ("child_value", pa.float64()), ("parent_value", pa.float64()),
    ("child_comparator", pa.string()), ("parent_comparator", pa.string()),
    ("child_metric", pa.string()), ("parent_metric", pa.string()),
    ("score", pa.float64()), ("status", pa.string()),
])
TASK_STATUSES = ("adopted", "dropped", "added")
TARGET_STATUSES = ("kept", "raised", "lowered", "missing", "added")


# --------------------------------------------------------------------------- plans

@dataclass
class Plan:
    """One document's rows, as the diff reads them (plain dicts, nulls as None)."""

    doc: dict
    tasks: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    sections: dict[str, dict] = field(default_factory=dict)
    units: dict[str, list[dict]] = field(default_factory=dict)  # task_id -> task_units rows

    @property
    def doc_id(self) -> str:
        return self.doc["doc_id"]

    @property
    def name(self) -> str:
        """How an analyst names the plan: its number, else its file name."""
        return self.doc.get("number") or Path(self.doc.get("source_path") or self.doc_id).name

    @property
    def level(self) -> str | None:
        return self.doc.get("issuer_level")

    def task(self, task_id: str | None) -> dict | None:
        return self._tasks_by_id.get(task_id)

    @functools.cached_property
    def _tasks_by_id(self) -> dict[str, dict]:
        return {t["task_id"]: t for t in self.tasks}

    def unit_names(self, task_id: str | None, role: str = "lead") -> list[str]:
        """The canonical names of a task's units in one role, in document order."""
        return [u.get("unit") or u.get("unit_raw") or "" for u in self.units.get(task_id, []) if u.get("role") == role]

    def kind(self, task: dict) -> str | None:
        """The kind of the top section a task sits in (SPEC sections.kind)."""
        section = self.sections.get(task.get("section_id"))
        return section.get("kind") if section else None

    def headings(self, task: dict) -> str:
        """The headings of the sections a task sits in, from the top one down, as one text."""
        chain, section = [], self.sections.get(task.get("section_id"))
        while section is not None:
            chain.append(section.get("heading") or "")
            section = self.sections.get(section.get("parent_id"))
        return BREAK.join(reversed(chain))


def load_plans(dataset: Path | str) -> dict[str, Plan]:
    """Every document of an ingested dataset as a `Plan`, by doc_id."""

    def table_rows(name: str) -> list[dict]:
        table = read_table(dataset, name)
        return table.to_pylist() if table is not None else []

    def rows(name: str) -> Iterator[tuple[Plan, dict]]:
        return ((plans[row["doc_id"]], row) for row in table_rows(name) if row["doc_id"] in plans)

    plans = {doc["doc_id"]: Plan(doc=doc) for doc in table_rows("documents")}
    for plan, row in rows("sections"):
        plan.sections[row["section_id"]] = row
    for plan, row in rows("tasks"):
        plan.tasks.append(row)
    for plan, row in rows("task_units"):
        plan.units.setdefault(row["task_id"], []).append(row)
    for plan, row in rows("targets"):
        plan.targets.append(row)
    return plans


def _file_doc_id(path: Path) -> str:
    from .document import doc_id_of  # the ingest pipeline, only when files are given

    return doc_id_of(path.read_bytes())[0]


def open_plans(refs: Iterable[str | Path], dataset: Path | str | None = None) -> list[Plan]:
    """The plans named by `refs`: files (ingested first when the dataset lacks them) or doc_ids.

    Without a dataset, files are ingested into a temporary folder that is gone
    when this returns; the plans are already in memory by then.
    """
    refs = [str(r) for r in refs]
    if dataset is None:
        with tempfile.TemporaryDirectory(prefix="kehoach-diff-") as tmp:
            return open_plans(refs, tmp)
    dataset = Path(dataset)
    files = {ref: _file_doc_id(Path(ref)) for ref in refs if Path(ref).is_file()}
    plans = load_plans(dataset) if (dataset / "documents.parquet").exists() else {}
    missing = [ref for ref, doc_id in files.items() if doc_id not in plans]
    if missing:
        from .api import ingest

        result = ingest(missing, dataset)
        if result.errors:
            raise ValueError("; ".join(str(e) for e in result.errors))
        plans = load_plans(dataset)
    out = []
    for ref in refs:
        doc_id = files.get(ref, ref)
        if doc_id not in plans:
            raise KeyError(f"{ref}: not a file and not a doc_id in {dataset}")
        out.append(plans[doc_id])
    return out


# --------------------------------------------------------------------------- text

_TOKEN = re.compile(r"[\p{L}\p{N}]+|[^\s\p{L}\p{N}]")
_WORD = re.compile(r"\p{L}+")
# A unigram says less than a bigram: "công" alone is in half the tasks.
UNIGRAM_WEIGHT = 0.5
# Replaces a cited act or a boilerplate phrase in a task's text: a break, so
# no bigram spans the gap.
BREAK = " ; "


def without_citations(text: str | None) -> str:
    """The canonical text with each cited act ("Nghị định số 118/2025/NĐ-CP ... của Chính phủ") cut out.

    A citation says on what legal basis a task is done, not what it does: a
    ward cites this year's decree where the city cites the decision it
    implements, for one and the same task, and two unrelated tasks share the
    words of "Quyết định số ... ngày ... của Thủ tướng Chính phủ".  Numbers,
    type words and dates are read with the references extractor's rules
    (rules/references.yaml), so the diff knows no number pattern of its own;
    the issuer after them is the diff's rule (`citation_issuer`), which those
    rules do not read.
    """
    text = canon(text)
    spans = [_citation_span(text, m.start, m.end) for m in mentions(text)]
    for start, end in reversed(spans):
        text = text[:start] + BREAK + text[end:]
    return text


def _citation_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A number's span widened to the type word before it ("Nghị định số"), the date and the issuer after it."""
    grammar = reference_grammar()
    window = max(0, start - LOOKBACK)
    word = grammar.type_word.search(text, window, start)
    lead_in = grammar.date_after_number.match(text[end:])
    if lead_in:
        date = next(filter(None, (p.match(text[end + lead_in.end():]) for p in grammar.dates)), None)
        end += (lead_in.end() + date.end()) if date else 0
    issuer = _citation_issuer().match(text[end:])
    return (word.start() if word else start), end + (issuer.end() if issuer else 0)


@functools.lru_cache(maxsize=1)
def _citation_issuer() -> re.Pattern:
    """The authority named after a cited act (rules/roles.yaml `text.citation_issuer`)."""
    return re.compile(rules.load("roles")["text"]["citation_issuer"])


@dataclass(frozen=True)
class Lexicon:
    """How task texts become syllables (rules/roles.yaml `text`); None marks a break."""

    terms: tuple[tuple[re.Pattern, str], ...]
    boilerplate: re.Pattern
    stopwords: frozenset[str]
    light_verbs: re.Pattern
    action_size: int

    @classmethod
    @functools.lru_cache(maxsize=1)
    def load(cls) -> Lexicon:
        data = rules.load("roles")["text"]
        terms = tuple((re.compile("|".join(f"(?:{p})" for p in t["patterns"])), t["token"]) for t in data["terms"])
        light = sorted((fold(w) for w in data["light_verbs"]), key=len, reverse=True)
        light_re = re.compile(r"^(?:(?:" + "|".join(re.escape(w) for w in light) + r")(?![\p{L}\p{N}])[\s,]*)+")
        boilerplate = re.compile(r"(?<![\p{L}\p{N}])(?:" + "|".join(f"(?:{p})" for p in data["boilerplate"])
                                 + r")(?![\p{L}\p{N}])")
        return cls(terms, boilerplate, frozenset(fold(w) for w in data["stopwords"]), light_re,
                   int(data["action_size"]))

    def _folded(self, text: str | None) -> str:
        folded = fold(without_citations(text))
        for pattern, token in self.terms:
            folded = pattern.sub(f" {token} ", folded)
        return self.boilerplate.sub(BREAK, folded)

    def _syllables(self, folded: str) -> list[str | None]:
        out: list[str | None] = []
        for token in _TOKEN.findall(folded):
            word = _WORD.fullmatch(token) and token not in self.stopwords
            if word or (out and out[-1] is not None):
                out.append(token if word else None)
        return out[:-1] if out and out[-1] is None else out

    def tokens(self, text: str | None) -> list[str | None]:
        """Folded syllables and terms; punctuation, numbers and function words become breaks."""
        return self._syllables(self._folded(text))

    def action(self, text: str | None) -> list[str | None]:
        """The first syllables of the task's own action, after the light verbs it opens with."""
        out: list[str | None] = []
        for token in self._syllables(self.light_verbs.sub("", self._folded(text).strip())):
            if token is not None and sum(t is not None for t in out) == self.action_size:
                break
            out.append(token)
        return out[:-1] if out and out[-1] is None else out


def show(tokens: list[str | None]) -> str:
    """Tokens as the rule examples write them: breaks as `|`."""
    return " ".join(t or "|" for t in tokens)


def features(tokens: list[str | None]) -> Counter:
    """Syllable unigrams and the bigrams of adjacent syllables (not across a break).

    Vietnamese writes one syllable per space; most words are two syllables,
    so bigrams stand for words ("thủ tục", "số hóa") without a segmenter.
    """
    grams: Counter = Counter(t for t in tokens if t)
    grams.update(f"{a} {b}" for a, b in itertools.pairwise(tokens) if a and b)
    return grams


class TextIndex:
    """TF-IDF vectors of texts, with document frequencies from the texts given.

    Fitted on both plans' texts: a phrase every task of the pair uses
    ("thực hiện") weighs little, a rare shared phrase weighs much.  `view`
    turns a text into its tokens: the whole text, or only its action.
    """

    def __init__(self, texts: Iterable[str | None], view: Callable[[str | None], list] | None = None) -> None:
        self.view = view or Lexicon.load().tokens
        counted = [set(features(self.view(t))) for t in texts]
        self.size = len(counted)
        self.df: Counter = Counter(g for grams in counted for g in grams)
        self._vectors: dict[str | None, dict[str, float]] = {}

    def idf(self, gram: str) -> float:
        return math.log((1 + self.size) / (1 + self.df.get(gram, 0))) + 1.0

    def vector(self, text: str | None) -> dict[str, float]:
        """L2-normalised sublinear TF-IDF vector of a text (cached: each task is compared many times)."""
        if text not in self._vectors:
            weights = {g: (1 + math.log(n)) * self.idf(g) * (1.0 if " " in g else UNIGRAM_WEIGHT)
                       for g, n in features(self.view(text)).items()}
            norm = math.sqrt(sum(w * w for w in weights.values()))
            self._vectors[text] = {g: w / norm for g, w in weights.items()} if norm else {}
        return self._vectors[text]

    def similarity(self, a: str | None, b: str | None) -> float:
        return cosine(self.vector(a), self.vector(b))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())


# --------------------------------------------------------------------------- unit roles

@dataclass(frozen=True)
class Roles:
    """The unit roles, own-level names and citation patterns of rules/roles.yaml."""

    level_words: re.Pattern  # a level word ending a unit's name
    roles: tuple[tuple[str, re.Pattern], ...]
    own_level: dict[str, re.Pattern]
    citations: tuple[re.Pattern, ...]

    @classmethod
    @functools.lru_cache(maxsize=1)
    def load(cls) -> Roles:
        data = rules.load("roles")
        words = sorted((fold(w) for w in data["level_words"]), key=len, reverse=True)
        return cls(re.compile(r"\s+(?:" + "|".join(re.escape(w) for w in words) + r")\s*$"),
                   tuple((r["role"], _any_of(r["patterns"])) for r in data["roles"]),
                   {level: _any_of(patterns) for level, patterns in data["own_level"].items()},
                   tuple(re.compile(p) for p in data["citations"]))


def _any_of(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def unit_role(unit: str) -> str:
    """The role a unit fills (rules/roles.yaml), else its name without the level word."""
    known = Roles.load()
    name = fold(unit).strip(" .;,:")
    return next((role for role, pattern in known.roles if pattern.search(name)), known.level_words.sub("", name))


def is_own_level(unit: str, child_level: str | None) -> bool:
    """True when a parent's unit names the child's own kind of government ("UBND cấp xã" for a ward)."""
    pattern = Roles.load().own_level.get(child_level or "")
    return bool(pattern and pattern.search(fold(unit)))


def lead_changed(child_leads: list[str], parent_leads: list[str], child_level: str | None) -> bool | None:
    """Whether the child gave the task to a unit of another role; None when either names no lead.

    The lead is kept when any child lead fills the role of any parent lead, or
    when the parent gave the task to the child's level of government as a whole.
    """
    if not child_leads or not parent_leads:
        return None
    if any(is_own_level(u, child_level) for u in parent_leads):
        return False
    return not ({unit_role(u) for u in child_leads} & {unit_role(u) for u in parent_leads})


def cites(child_text: str | None, parent_path: str | None) -> bool:
    """Whether the child's text cites the parent task's number (rules/roles.yaml `citations`)."""
    if not child_text or not parent_path:
        return False
    path = fold(parent_path)
    labels = {m.group("label") for pattern in Roles.load().citations for m in pattern.finditer(fold(child_text))}
    return any(path == label or path.endswith("." + label) for label in labels)


# --------------------------------------------------------------------------- task alignment

class TaskScorer:
    """Scores every (child task, parent task) pair; see `Weights` for the cues."""

    def __init__(self, child: Plan, parent: Plan, weights: Weights = WEIGHTS) -> None:
        self.child, self.parent, self.w = child, parent, weights
        texts = [t.get("text") for p in (child, parent) for t in p.tasks]
        self.text = TextIndex(texts)
        self.action = TextIndex(texts, Lexicon.load().action)
        self.context = TextIndex({p.headings(t) for p in (child, parent) for t in p.tasks})

    def text_similarity(self, a: str | None, b: str | None) -> float:
        """The texts' cosine, raised towards their actions' cosine when the actions agree more.

        "Đẩy mạnh tuyên truyền ..." and "Tổ chức thực hiện tuyên truyền ..."
        do the same thing to different lists of objects; a task that names no
        action ("Tỷ lệ hồ sơ trực tuyến ...") loses nothing.
        """
        whole = self.text.similarity(a, b)
        return (1 - self.w.action) * whole + self.w.action * max(whole, self.action.similarity(a, b))

    def score(self, c: dict, p: dict) -> float:
        w = self.w
        total = w.text * self.text_similarity(c.get("text"), p.get("text"))
        if same_kind_group(self.child.kind(c), self.parent.kind(p)):
            total += w.kind
        if lead_changed(self.child.unit_names(c["task_id"]), self.parent.unit_names(p["task_id"]),
                        self.child.level) is False:
            total += w.lead
        if cites(c.get("text"), p.get("path")):
            total += w.citation
        return round(total, 4)

    def matrix(self) -> list[list[float]]:
        return [[self.score(c, p) for p in self.parent.tasks] for c in self.child.tasks]

    def preferences(self, scores: list[list[float]]) -> list[list[float]]:
        """The scores plus the likeness of the headings above each pair: how a task ranks its candidates.

        Plans that follow one template put counterparts under like headings
        ("Công tác truyền thông, ..." in both), so among tasks worded about as
        closely the one under the matching heading is the likelier
        counterpart.  Sharing a heading does not make two tasks one, though:
        sibling plans share every heading, and counting it towards the score
        the threshold is held against would pair every leftover task with a
        leftover neighbour.  So it only ranks.
        """
        return [[s + self.w.context * self.context.similarity(self.child.headings(c), self.parent.headings(p))
                 for s, p in zip(row, self.parent.tasks)] for row, c in zip(scores, self.child.tasks)]


def mutual_best(scores: list[list[float]], threshold: float,
                preferences: list[list[float]] | None = None) -> list[tuple[int, int]]:
    """The pairs (row, column) each of whose tasks prefers the other most, with a score at or over the threshold.

    Some tasks resemble everything ("Rà soát, đề xuất phương án đơn giản hóa
    TTHC" against a whole section of review tasks): a pair counts only when
    neither task has a more preferred counterpart in the other plan.
    `preferences` ranks the candidates (the scores themselves when not
    given); the threshold holds the score.  Ties go to the first task in
    document order.  The pairs are one to one by construction.
    """
    if not scores or not scores[0]:
        return []
    ranks = preferences or scores
    col_best = [max(range(len(ranks)), key=lambda i: ranks[i][j]) for j in range(len(ranks[0]))]
    pairs = ((i, max(range(len(row)), key=row.__getitem__)) for i, row in enumerate(ranks))
    return [(i, j) for i, j in pairs if col_best[j] == i and scores[i][j] >= threshold]


# --------------------------------------------------------------------------- changes of a pair

def deadline_change(child_task: dict, parent_task: dict) -> tuple[int | None, list[str]]:
    """Days the child's due date moved (positive: later) and notes on the change of kind."""
    notes: list[str] = []
    c_due, p_due = child_task.get("due_date"), parent_task.get("due_date")
    shift = (c_due - p_due).days if isinstance(c_due, dt.date) and isinstance(p_due, dt.date) else None
    if shift:
        notes.append(f"deadline {abs(shift)} days {'later' if shift > 0 else 'earlier'} ({p_due} → {c_due})")
    c_kind, p_kind = child_task.get("deadline_kind"), parent_task.get("deadline_kind")
    if c_kind != p_kind and (c_kind or p_kind):
        notes.append(f"deadline kind {p_kind or 'none'} → {c_kind or 'none'}")
    return shift, notes


# Below this similarity two expected outputs say different things.
OUTPUT_SAME = 0.5


def output_changed(child_output: str | None, parent_output: str | None, index: TextIndex) -> bool | None:
    """Whether the expected product differs; None when either plan names none.

    Many implementing plans have no product column at all: silence there is
    not a change, as with `lead_changed`.
    """
    if not child_output or not parent_output:
        return None
    return index.similarity(child_output, parent_output) < OUTPUT_SAME


def _adopted_row(child: Plan, parent: Plan, c: dict, p: dict, score: float, index: TextIndex) -> dict:
    c_leads, p_leads = child.unit_names(c["task_id"]), parent.unit_names(p["task_id"])
    changed = lead_changed(c_leads, p_leads, child.level)
    shift, notes = deadline_change(c, p)
    if changed:
        notes.insert(0, f"lead {'; '.join(p_leads)} → {'; '.join(c_leads)}")
    out_changed = output_changed(c.get("output"), p.get("output"), index)
    if out_changed:
        notes.append("output changed")
    return _task_row(child, parent, c, p, "adopted", score, changed, shift, out_changed, notes)


def _task_row(child: Plan, parent: Plan, c: dict | None, p: dict | None, status: str, score: float,
              changed: bool | None, shift: int | None, out_changed: bool | None, notes: list[str]) -> dict:
    return {
        "child_doc_id": child.doc_id, "parent_doc_id": parent.doc_id,
        "child_task_id": c and c["task_id"], "parent_task_id": p and p["task_id"],
        "child_path": c and c.get("path"), "parent_path": p and p.get("path"),
        "score": score, "status": status, "lead_changed": changed, "deadline_shift_days": shift,
        "output_changed": out_changed, "notes": "; ".join(notes) or None,
    }


def _unpaired_row(child: Plan, parent: Plan, c: dict | None, p: dict | None, status: str,
                  scores: Iterable[float], others: list[dict]) -> dict:
    """A dropped or added task: its best score in the other plan, and a note naming that task."""
    scored = list(scores)
    best = max(range(len(scored)), key=scored.__getitem__, default=None)
    if best is None:
        return _task_row(child, parent, c, p, status, 0.0, None, None, None, [])
    note = f"nearest: {others[best].get('path')} ({scored[best]:.2f})"
    return _task_row(child, parent, c, p, status, scored[best], None, None, None, [note])


def align_tasks(child: Plan, parent: Plan, threshold: float = DEFAULT_THRESHOLD,
                weights: Weights = WEIGHTS) -> list[dict]:
    """diff_tasks rows: adopted pairs in the child's order, then dropped, then added.

    Pairs are the mutual best counterparts over the threshold; `score` is the
    pair's score.  An unpaired task's `score` is its best score against any
    task of the other plan, and its note names that task: a near miss is easy
    to check.
    """
    scorer = TaskScorer(child, parent, weights)
    scores = scorer.matrix()
    pairs = mutual_best(scores, threshold, scorer.preferences(scores))
    index = TextIndex([t.get("output") for p in (child, parent) for t in p.tasks])
    rows = [_adopted_row(child, parent, child.tasks[i], parent.tasks[j], scores[i][j], index) for i, j in pairs]
    paired_c, paired_p = {i for i, _ in pairs}, {j for _, j in pairs}
    columns = list(zip(*scores)) or [() for _ in parent.tasks]
    for j, p in enumerate(parent.tasks):
        if j not in paired_p:
            rows.append(_unpaired_row(child, parent, None, p, "dropped", columns[j], child.tasks))
    for i, c in enumerate(child.tasks):
        if i not in paired_c:
            rows.append(_unpaired_row(child, parent, c, None, "added", scores[i], parent.tasks))
    return rows


# --------------------------------------------------------------------------- targets

def target_status(child_value: float, parent_value: float, comparator: str | None) -> str:
    """`kept`, `raised` (child stricter) or `lowered` (child looser).

    For a floor (`>=`, `=`) a higher value is stricter; for a ceiling (`<=`,
    "không quá 5% hồ sơ quá hạn") a lower one is.  Values decide: "đạt 50%"
    against "đạt tối thiểu 50%" is kept.
    """
    if math.isclose(child_value, parent_value):
        return "kept"
    stricter = child_value < parent_value if comparator == "<=" else child_value > parent_value
    return "raised" if stricter else "lowered"


def _metric(target: dict) -> str:
    return target.get("metric") or target.get("raw") or ""


def target_score(c: dict, p: dict, index: TextIndex, task_pairs: set[tuple[str, str]],
                 weights: Weights = WEIGHTS) -> float:
    """How surely two targets measure the same thing.

    Two indicator codes decide alone: 0 when they differ, above 1 when they
    agree (the wording then only ranks the parent's targets of that code).
    Otherwise the metrics' wording decides, helped when the two targets sit
    in an adopted task pair.
    """
    if c.get("indicator") and p.get("indicator"):
        same = c["indicator"] == p["indicator"]
        return (1.0 + index.similarity(_metric(c), _metric(p)) / 10) if same else 0.0
    score = index.similarity(_metric(c), _metric(p))
    if (c.get("task_id"), p.get("task_id")) in task_pairs:
        score += weights.task_pair
    return round(score, 4)


def align_targets(child: Plan, parent: Plan, task_rows: list[dict],
                  threshold: float = DEFAULT_TARGET_THRESHOLD) -> list[dict]:
    """diff_targets rows: each child target with its best parent target, then the parent's missing ones.

    Several child targets may pair with one parent target: a ward often
    repeats a city target in a task and again in its appendix of targets.
    """
    index = TextIndex(_metric(t) for p in (child, parent) for t in p.targets)
    task_pairs = {(r["child_task_id"], r["parent_task_id"]) for r in task_rows if r["status"] == "adopted"}
    rows, used = [], set()
    for c in child.targets:
        scored = [(target_score(c, p, index, task_pairs), n) for n, p in enumerate(parent.targets)]
        score, best = max(scored, default=(0.0, None))
        if best is not None and score >= threshold:
            p = parent.targets[best]
            used.add(best)
            ceiling = "<=" in (c.get("comparator"), p.get("comparator"))
            rows.append(_target_row(child, parent, c, p, score,
                                    target_status(c["value"], p["value"], "<=" if ceiling else ">=")))
        else:
            rows.append(_target_row(child, parent, c, None, score, "added"))
    rows += [_target_row(child, parent, None, p, 0.0, "missing")
             for n, p in enumerate(parent.targets) if n not in used]
    return rows


def _target_row(child: Plan, parent: Plan, c: dict | None, p: dict | None, score: float, status: str) -> dict:
    c, p = c or {}, p or {}
    return {
        "child_doc_id": child.doc_id, "parent_doc_id": parent.doc_id,
        "child_target_id": c.get("target_id"), "parent_target_id": p.get("target_id"),
        "child_path": c.get("path"), "parent_path": p.get("path"),
        "indicator": c.get("indicator") or p.get("indicator"),
        "child_value": c.get("value"), "parent_value": p.get("value"),
        "child_comparator": c.get("comparator"), "parent_comparator": p.get("comparator"),
        "child_metric": c.get("metric"), "parent_metric": p.get("metric"),
        "score": round(score, 4), "status": status,
    }


# --------------------------------------------------------------------------- the result

@dataclass
class PlanDiff:
    """The diff of a child plan against its parent: rows of diff_tasks and diff_targets."""

    child: Plan
    parent: Plan
    tasks: list[dict]
    targets: list[dict]
    threshold: float = DEFAULT_THRESHOLD

    def tasks_table(self) -> pa.Table:
        return pa.Table.from_pylist(self.tasks, schema=TASK_COLUMNS)

    def targets_table(self) -> pa.Table:
        return pa.Table.from_pylist(self.targets, schema=TARGET_COLUMNS)

    def tasks_frame(self) -> pd.DataFrame:
        """diff_tasks as a pandas DataFrame."""
        return self.tasks_table().to_pandas()

    def targets_frame(self) -> pd.DataFrame:
        """diff_targets as a pandas DataFrame."""
        return self.targets_table().to_pandas()

    def counts(self) -> dict[str, int]:
        """Rows per status: the task statuses, then the target statuses prefixed `targets_`."""
        tasks = Counter(r["status"] for r in self.tasks)
        targets = Counter(r["status"] for r in self.targets)
        return {**{s: tasks[s] for s in TASK_STATUSES},
                **{f"targets_{s}": targets[s] for s in TARGET_STATUSES}}

    def top_changes(self, limit: int = 10) -> list[str]:
        """The changes an analyst looks at first, one line each, most telling first.

        Targets lowered or left out, then adopted tasks whose lead changed or
        whose deadline moved most, then dropped tasks (the child's omissions).
        """
        lines = [f"target {r['parent_path']} {r['parent_comparator']}{r['parent_value']:g}% → "
                 f"{r['child_comparator']}{r['child_value']:g}% ({r['status']}): {_clip(r['parent_metric'])}"
                 for r in self.targets if r["status"] in ("lowered", "raised")]
        lines += [f"target {r['parent_path']} {r['parent_value']:g}% missing: {_clip(r['parent_metric'])}"
                  for r in self.targets if r["status"] == "missing"]
        adopted = [r for r in self.tasks if r["status"] == "adopted" and r["notes"]]
        adopted.sort(key=lambda r: (not r["lead_changed"], -abs(r["deadline_shift_days"] or 0)))
        lines += [f"task {r['parent_path']} → {r['child_path']}: {r['notes']}" for r in adopted]
        lines += [f"task {r['parent_path']} dropped: {_clip(self.parent.task(r['parent_task_id'])['text'])}"
                  for r in self.tasks if r["status"] == "dropped"]
        return lines[:limit]

    def write(self, out: Path | str) -> Path:
        """Write diff_tasks.parquet, diff_targets.parquet and report.html into `out`."""
        from . import report

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        write_tables([self], out)
        (out / "report.html").write_text(report.render(self), encoding="utf-8")
        return out


def _clip(text: str | None, words: int = 14) -> str:
    """The first words of a text, for one-line summaries."""
    head = (text or "").split()
    return " ".join(head[:words]) + (" …" if len(head) > words else "")


def write_tables(diffs: list[PlanDiff], out: Path) -> None:
    """diff_tasks.parquet and diff_targets.parquet with the rows of every diff given."""
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([r for d in diffs for r in d.tasks], schema=TASK_COLUMNS),
                   out / "diff_tasks.parquet")
    pq.write_table(pa.Table.from_pylist([r for d in diffs for r in d.targets], schema=TARGET_COLUMNS),
                   out / "diff_targets.parquet")


def compare(child: Plan, parent: Plan, threshold: float = DEFAULT_THRESHOLD,
            target_threshold: float = DEFAULT_TARGET_THRESHOLD) -> PlanDiff:
    """Diff two loaded plans."""
    tasks = align_tasks(child, parent, threshold)
    return PlanDiff(child, parent, tasks, align_targets(child, parent, tasks, target_threshold), threshold)


def diff(child: str | Path, parent: str | Path, dataset: str | Path | None = None,
         threshold: float = DEFAULT_THRESHOLD, target_threshold: float = DEFAULT_TARGET_THRESHOLD) -> PlanDiff:
    """Diff plan CHILD against plan PARENT: each a file (ingested if needed) or a doc_id in `dataset`.

        d = diff("data/raw/ward.pdf", "data/raw/city.pdf")
        d.tasks_frame().query("status == 'dropped'")
        d.write("out/ward_vs_city")
    """
    child_plan, parent_plan = open_plans([child, parent], dataset)
    return compare(child_plan, parent_plan, threshold, target_threshold)


# --------------------------------------------------------------------------- a whole dataset

def number_key(number: str | None) -> tuple[str, str] | None:
    """What identifies a cited document across spellings: its serial and its issuer's code.

    "123/QĐ-UBND" and "123/KH-UBND" name one act (a plan issued by a
    decision carries the decision's number), "123/QĐ- UBND" is a typo of it.
    Numbers are read with the references extractor's rule (rules/references.yaml).
    """
    match = reference_grammar().number.search(canon(number))
    if not match:
        return None
    serial = match.group("digits") or match.group("party_digits")
    return serial.lstrip("0"), fold(symbol_of(match).rsplit("-", 1)[-1])


def parents_of(child: Plan, plans: Iterable[Plan]) -> list[Plan]:
    """The plans of the dataset that `child` says it implements (documents.implements)."""
    wanted = {number_key(n) for n in child.doc.get("implements") or []} - {None}
    return [p for p in plans if p.doc_id != child.doc_id and number_key(p.doc.get("number")) in wanted]


def diff_dataset(dataset: str | Path, parent: str | Path | None = None,
                 threshold: float = DEFAULT_THRESHOLD,
                 target_threshold: float = DEFAULT_TARGET_THRESHOLD) -> list[PlanDiff]:
    """Diff every plan of a dataset against its parent: `parent` for all when given, else `implements`."""
    if parent is not None:
        (the_parent,) = open_plans([parent], dataset)  # ingested first when given as a new file
        pairs = [(c, the_parent) for c in load_plans(dataset).values() if c.doc_id != the_parent.doc_id]
    else:
        plans = load_plans(dataset).values()
        pairs = [(c, p) for c in plans for p in parents_of(c, plans)]
    return [compare(c, p, threshold, target_threshold) for c, p in pairs]


def report_name(d: PlanDiff) -> str:
    return f"{d.child.doc_id}_vs_{d.parent.doc_id}.html"


def write_all(diffs: list[PlanDiff], out: Path | str) -> Path:
    """Write the combined diff tables, one report per pair under reports/, and index.html."""
    from . import report

    out = Path(out)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    write_tables(diffs, out)
    for d in diffs:
        (out / "reports" / report_name(d)).write_text(report.render(d), encoding="utf-8")
    (out / "index.html").write_text(report.render_index(diffs, [f"reports/{report_name(d)}" for d in diffs]),
                                    encoding="utf-8")
    return out


# --------------------------------------------------------------------------- rule examples

def example_cases() -> Iterator[tuple[str, object, object]]:
    """The examples of rules/roles.yaml: (case id, expected, actual)."""
    examples = rules.load("roles")["examples"]
    for n, ex in enumerate(examples["roles"]):
        yield f"roles.roles[{n}] {ex['unit']}", ex["role"], unit_role(ex["unit"])
    for n, ex in enumerate(examples["leads"]):
        yield f"roles.leads[{n}]", ex["changed"], lead_changed(ex["child"], ex["parent"], ex["child_level"])
    for n, ex in enumerate(examples["citations"]):
        yield f"roles.citations[{n}]", ex["cited"], cites(ex["text"], ex["parent_path"])
    lexicon = Lexicon.load()
    for n, ex in enumerate(examples["tokens"]):
        yield f"roles.tokens[{n}]", ex["tokens"], show(lexicon.tokens(ex["text"]))
    for n, ex in enumerate(examples["actions"]):
        yield f"roles.actions[{n}]", ex["action"], show(lexicon.action(ex["text"]))
