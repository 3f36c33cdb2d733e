"""One file in, the rows of every table out: the pipeline for a single document.

read -> structure (tables, item tree) -> extract (metadata, references, tasks,
units, targets) -> rows keyed by the SPEC's column names.  `write` turns the
rows of many documents into Parquet; nothing here touches the output folder.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import regex as re

from . import __version__
from .extract.metadata import extract_metadata
from .extract.references import extract_references
from .extract.targets import find_targets, targets_from_row
from .extract.tasks import TaskInfo, extract_tasks, is_task
from .model import TargetHit
from .read import RawDocument, read
from .structure import Item, PlanTree, build_tree, heading_of
from .tables import PERIOD, find_tables
from .textnorm import nfc, squeeze

LEVEL_WORDS = {"commune": "phường", "district": "huyện", "province": "thành phố"}


@dataclass
class DocumentRows:
    """The rows one document contributes to each table."""

    doc_id: str
    tables: dict[str, list[dict]] = field(default_factory=dict)


def doc_id_of(data: bytes) -> tuple[str, str]:
    sha = hashlib.sha256(data).hexdigest()
    return sha[:16], sha


class Ids:
    """Stable row ids: the same document always gives the same ids."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id

    def section(self, item: Item) -> str:
        return f"{self.doc_id}-s{item.ordinal:04d}"

    def task(self, n: int) -> str:
        return f"{self.doc_id}-t{n:04d}"

    def target(self, n: int) -> str:
        return f"{self.doc_id}-g{n:04d}"

    def reference(self, n: int) -> str:
        return f"{self.doc_id}-r{n:04d}"


def is_section(item: Item) -> bool:
    """Headings (items with children) and every top-level item are sections."""
    return bool(item.children) or item.level == 1


def section_of(item: Item) -> Item | None:
    """The section a row belongs to: the item itself when it is one, else its parent."""
    node: Item | None = item if is_section(item) else item.parent
    return node if node is not None and node.style != "root" else None


def level_word_of(metadata: dict) -> str | None:
    """The word a plan uses for its own level (`phường`, ...), to complete unit names."""
    place_word = metadata.get("issuer") or ""
    for word in ("phường", "xã", "thị trấn", "quận", "huyện", "thị xã", "thành phố", "tỉnh"):
        if f" {word} " in f" {place_word} ":
            return word
    return LEVEL_WORDS.get(metadata.get("issuer_level") or "")


def process(path: Path, raw: RawDocument | None = None) -> DocumentRows:
    """Run every stage on one file and return its rows."""
    data = path.read_bytes()
    doc_id, sha = doc_id_of(data)
    raw = raw or read(path)
    ids = Ids(doc_id)
    tables = find_tables(raw.lines)
    tree = build_tree(raw.lines, tables)
    metadata = extract_metadata(raw.lines)
    level_word = level_word_of(metadata)
    tasks = extract_tasks(tree, metadata.get("year"), level_word)
    rows = DocumentRows(doc_id)
    rows.tables["documents"] = [document_row(path, raw, doc_id, sha, metadata)]
    rows.tables["sections"] = section_rows(tree, ids)
    task_ids = {id(t.item): ids.task(n) for n, t in enumerate(tasks, start=1)}
    rows.tables["tasks"] = [task_row(t, task_ids[id(t.item)], ids) for t in tasks]
    rows.tables["task_units"] = [unit_row(t, task_ids[id(t.item)], role, u) for t in tasks for role, u in t.units]
    rows.tables["targets"] = target_rows(tree, ids, task_ids)
    refs = extract_references(raw.lines, own_number=metadata.get("number"), own_symbol=metadata.get("symbol"))
    rows.tables["references"] = [reference_row(r, ids.reference(n)) for n, r in enumerate(refs, start=1)]
    for table in rows.tables.values():
        for row in table:
            row["doc_id"] = doc_id
    return rows


def document_row(path: Path, raw: RawDocument, doc_id: str, sha: str, metadata: dict) -> dict:
    return {
        "doc_id": doc_id,
        "source_path": str(path),
        "source_format": raw.source_format,
        "sha256": sha,
        **{key: metadata.get(key) for key in (
            "doc_type", "number", "symbol", "issuer", "issuer_level", "place", "issued_date", "year",
            "title", "signer", "signer_title")},
        "implements": list(metadata.get("implements") or []),
        "n_pages": raw.n_pages,
        "warnings": list(raw.warnings),
        "parser_version": __version__,
    }


def section_rows(tree: PlanTree, ids: Ids) -> list[dict]:
    rows = []
    for item in tree.items:
        if not is_section(item):
            continue
        parent = item.parent if item.parent is not None and item.parent.style != "root" else None
        rows.append({
            "section_id": ids.section(item),
            "parent_id": ids.section(parent) if parent else None,
            "level": item.level,
            "label": item.label,
            "path": item.path,
            "heading": heading_of(item),
            "kind": item.kind,
            "ordinal": item.ordinal,
            "page": item.page,
            "line_start": item.line_start,
            "line_end": item.line_end,
        })
    return rows


def task_row(task: TaskInfo, task_id: str, ids: Ids) -> dict:
    item = task.item
    section = section_of(item)
    deadline = task.deadline
    return {
        "task_id": task_id,
        "section_id": ids.section(section) if section else None,
        "path": item.path,
        "label": item.label,
        "text": task.text,
        "lead_raw": task.lead_raw,
        "support_raw": task.support_raw,
        "deadline_raw": task.deadline_raw,
        "output": task.output,
        "deadline_kind": deadline.kind if deadline else None,
        "period_start": deadline.period_start if deadline else None,
        "due_date": deadline.due_date if deadline else None,
        "recurrence": deadline.recurrence if deadline else None,
        "source": task.source,
        "page": item.page,
        "line_start": item.line_start,
        "line_end": item.line_end,
    }


def unit_row(task: TaskInfo, task_id: str, role: str, unit) -> dict:
    return {
        "task_id": task_id,
        "role": role,
        "unit_raw": unit.raw,
        "unit": unit.name,
        "unit_type": unit.unit_type,
        "is_collective": unit.is_collective,
    }


def _item_target_texts(item: Item) -> list[tuple[str, int]]:
    """The texts of one item that may state percentages, with their source line."""
    if item.row is not None:
        cells = item.row.cells
        # a plan row's indicator column ("Chỉ tiêu": "100% hồ sơ được số hóa") states targets too
        roles = ["text", "metric", "output"] + [role for role in cells if role.startswith(PERIOD)]
        return [(cells.get(role) or "", item.line_start) for role in roles]
    texts = [(item.raw_text, item.line_start)]
    for role in ("content", "output"):
        lines = item.field_lines.get(role)
        if lines:
            texts.append((item.field_text(role) or "", lines[0].lineno))
    return texts


# "..., trong đó:" closing an indicator that its sub-rows break down
_BREAKDOWN_TAIL = re.compile(r"[\s,;:.(]*(?:trong đó|bao gồm|cụ thể|chia ra)?[\s,;:.)]*$", re.IGNORECASE)


def _row_metric(item: Item) -> str:
    """A table row's indicator; a sub-row of a numbered indicator ("1 | Tỷ lệ hồ sơ giải quyết
    đúng hạn, trong đó:" / "- | Lĩnh vực đất đai | % | 95") breaks it down, so its indicator
    is the parent's and its own: "Tỷ lệ hồ sơ giải quyết đúng hạn: Lĩnh vực đất đai"."""
    cells = item.row.cells
    own = cells.get("metric") or cells.get("text") or ""
    parent = item.parent
    if item.table_kind != "targets" or parent is None or parent.row is None or not re.fullmatch(r"\d+(?:\.\d+)*", parent.row.label or ""):
        return own
    above = parent.row.cells.get("metric") or parent.row.cells.get("text") or ""
    letters = [c for c in above if c.isalpha()]
    if not above or all(c.isupper() for c in letters):
        return own
    head = _BREAKDOWN_TAIL.sub("", above)
    return f"{head}: {own}" if head and own else own or head


def target_rows(tree: PlanTree, ids: Ids, task_ids: dict[int, str]) -> list[dict]:
    rows: list[dict] = []
    for item in tree.items:
        hits: list[tuple[TargetHit, int]] = []
        cells = item.row.cells if item.row is not None else {}
        if item.table_kind == "targets" or (item.row is not None and cells.get("value")):
            # a targets row, or a plan row with a target column of its own ("Nhiệm vụ | Chỉ tiêu
            # năm 2025 | Đơn vị chủ trì"): its value measures its indicator, else its task
            hits = [(h, item.line_start) for h in targets_from_row(_row_metric(item),
                                                                   cells.get("value") or "",
                                                                   cells.get("measure"))]
            if item.table_kind != "targets":
                hits += [(h, line) for text, line in _item_target_texts(item) if "%" in text
                         for h in find_targets(squeeze(nfc(text)))]
        else:
            for text, line in _item_target_texts(item):
                if "%" in text:
                    hits += [(h, line) for h in find_targets(squeeze(nfc(text)))]
        section = section_of(item)
        for hit, line in hits:
            rows.append({
                "target_id": ids.target(len(rows) + 1),
                "section_id": ids.section(section) if section else None,
                "task_id": task_ids.get(id(item)) if is_task(item) else None,
                "path": item.path,
                "value": float(hit.value),
                "unit": "%",
                "comparator": hit.comparator,
                "metric": hit.metric,
                "indicator": hit.indicator,
                "raw": hit.raw,
                "page": item.page,
                "line": line,
            })
    return rows


def reference_row(ref: dict, reference_id: str) -> dict:
    return {
        "reference_id": reference_id,
        "number": ref["number"],
        "ref_type": ref.get("ref_type"),
        "issued_date": ref.get("issued_date"),
        "relation": ref.get("relation"),
        "context": ref.get("context"),
        "page": ref.get("page"),
        "line": ref.get("line"),
    }
