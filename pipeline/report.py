"""The diff as one self-contained HTML page an analyst can e-mail.

No external file, font or script: the styles and the few lines of JavaScript
that filter the rows are inline, so the page reads the same from a mail
attachment as from disk.  The parent plan (the one implemented) stands on the
left, the child on the right; each row is coloured by its status and carries
`data-status` and `data-units` so the filters (status check boxes, a unit
list, a text box) only show and hide rows.  Each task and target links to its
source file at its page (`#page=N` opens a PDF there) and names page and lines.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .diff import Plan, PlanDiff

STATUS_HELP = {
    "adopted": "the child carries the parent's task",
    "dropped": "a parent task the child does not carry",
    "added": "a child task with no parent task",
    "kept": "same target value",
    "raised": "the child's target is stricter",
    "lowered": "the child's target is looser",
    "missing": "a parent target the child does not set",
}

STYLE = """
body { font: 14px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; margin: 1.5em; color: #1d2329; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.15em; margin: 1.6em 0 .5em; }
.plans { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-bottom: 1em; }
.plan { border: 1px solid #d0d7de; border-radius: 6px; padding: .6em .8em; background: #f6f8fa; }
.plan b { display: block; }
#filters { position: sticky; top: 0; background: #fff; padding: .6em 0; border-bottom: 1px solid #d0d7de;
           display: flex; flex-wrap: wrap; gap: .4em 1.2em; align-items: center; z-index: 1; }
#filters label { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #d0d7de; padding: .35em .5em; vertical-align: top; text-align: left; }
th { background: #eef1f4; }
col.status { width: 7em; } col.score { width: 4.5em; } col.notes { width: 18%; }
td.side { word-wrap: break-word; }
.path { font-weight: 600; font-family: ui-monospace, Menlo, Consolas, monospace; }
.meta { color: #57606a; font-size: .9em; margin-top: .2em; }
.src { font-size: .85em; }
.badge { display: inline-block; padding: .05em .45em; border-radius: 1em; color: #fff; font-size: .85em; }
tr.adopted, tr.kept { background: #eefbf0; } .adopted .badge, .kept .badge { background: #1a7f37; }
tr.dropped, tr.missing { background: #fff0ef; } .dropped .badge, .missing .badge { background: #cf222e; }
tr.added { background: #eef5ff; } .added .badge { background: #0969da; }
tr.raised { background: #eefaf8; } .raised .badge { background: #0f766e; }
tr.lowered { background: #fff6e5; } .lowered .badge { background: #bc4c00; }
.empty { color: #8c959f; font-style: italic; }
ul.changes { margin: .3em 0 0 1.2em; padding: 0; }
"""

SCRIPT = """
function applyFilters() {
  const on = new Set(Array.from(document.querySelectorAll('input[name=status]:checked'), e => e.value));
  const unit = document.getElementById('unit-filter').value;
  const text = document.getElementById('text-filter').value.trim().toLowerCase();
  let shown = 0;
  document.querySelectorAll('tr.row').forEach(tr => {
    const ok = on.has(tr.dataset.status)
      && (!unit || tr.dataset.units.split('|').includes(unit))
      && (!text || tr.textContent.toLowerCase().includes(text));
    tr.hidden = !ok;
    if (ok) shown++;
  });
  document.getElementById('shown-count').textContent = shown + ' rows shown';
}
document.querySelectorAll('#filters input, #filters select').forEach(e => {
  e.addEventListener('input', applyFilters);
  e.addEventListener('change', applyFilters);
});
applyFilters();
"""


def _e(value) -> str:
    return escape("" if value is None else str(value))


def source_link(plan: Plan, row: dict | None, line_key: str = "line_start") -> str:
    """A link to the row's place in its source file, with page and line(s) as its text."""
    if not row:
        return ""
    first, last = row.get(line_key), row.get("line_end")
    where = [f"p. {row['page']}"] if row.get("page") else []
    if first:
        where.append(f"l. {first}" + (f"–{last}" if last and last != first else ""))
    source = plan.doc.get("source_path") or ""
    href = Path(source).resolve().as_uri() if source and Path(source).exists() else source
    if row.get("page") and href:
        href += f"#page={row['page']}"
    label = ", ".join(where) or "source"
    return f'<a class="src" href="{_e(href)}">{_e(label)}</a>' if href else f'<span class="src">{_e(label)}</span>'


def _task_cell(plan: Plan, task: dict | None) -> str:
    if task is None:
        return '<td class="side"><span class="empty">—</span></td>'
    lead = "; ".join(plan.unit_names(task["task_id"], "lead"))
    support = "; ".join(plan.unit_names(task["task_id"], "support"))
    meta = [f"Lead: {_e(lead)}" if lead else "", f"Support: {_e(support)}" if support else "",
            f"Deadline: {_e(task.get('deadline_raw'))}" if task.get("deadline_raw") else "",
            f"Output: {_e(task.get('output'))}" if task.get("output") else ""]
    meta_html = "<br>".join(m for m in meta if m)
    return (f'<td class="side"><div class="path">{_e(task.get("path"))}</div>'
            f'<div class="text">{_e(task.get("text"))}</div>'
            + (f'<div class="meta">{meta_html}</div>' if meta_html else "")
            + f"{source_link(plan, task)}</td>")


def _units_attr(*names: list[str]) -> str:
    return _e("|".join(sorted({n for group in names for n in group if n})))


def _task_units(plan: Plan, task: dict | None) -> list[str]:
    if task is None:
        return []
    return plan.unit_names(task["task_id"], "lead") + plan.unit_names(task["task_id"], "support")


def ordered_task_rows(d: PlanDiff) -> list[dict]:
    """Rows in the child's order, each dropped parent task after the row of the parent task before it.

    An analyst reads down the ward's plan and sees each city task it left
    out where the city had put it.
    """
    child_order = {t["task_id"]: n for n, t in enumerate(d.child.tasks)}
    parent_order = {t["task_id"]: n for n, t in enumerate(d.parent.tasks)}
    with_child = sorted((r for r in d.tasks if r["child_task_id"]), key=lambda r: child_order[r["child_task_id"]])
    out = list(with_child)
    for row in sorted((r for r in d.tasks if r["status"] == "dropped"), key=lambda r: parent_order[r["parent_task_id"]]):
        before = parent_order[row["parent_task_id"]]
        anchor = max((n for n, r in enumerate(out) if r["parent_task_id"] and parent_order[r["parent_task_id"]] < before),
                     default=-1)
        out.insert(anchor + 1, row)
    return out


def _task_row_html(d: PlanDiff, row: dict) -> str:
    child, parent = d.child.task(row["child_task_id"]), d.parent.task(row["parent_task_id"])
    units = _units_attr(_task_units(d.parent, parent), _task_units(d.child, child))
    return (f'<tr class="row {row["status"]}" data-status="{row["status"]}" data-units="{units}">'
            f'<td><span class="badge" title="{_e(STATUS_HELP[row["status"]])}">{row["status"]}</span></td>'
            f"{_task_cell(d.parent, parent)}{_task_cell(d.child, child)}"
            f'<td>{row["score"]:.2f}</td><td>{_e(row["notes"])}</td></tr>')


def _target_cell(plan: Plan, target: dict | None) -> str:
    if target is None:
        return '<td class="side"><span class="empty">—</span></td>'
    value = f"{target.get('comparator') or ''} {target['value']:g}%"
    indicator = f'<div class="meta">{_e(target["indicator"])}</div>' if target.get("indicator") else ""
    return (f'<td class="side"><div class="path">{_e(target.get("path"))} · {_e(value)}</div>'
            f'<div class="text">{_e(target.get("metric") or target.get("raw"))}</div>{indicator}'
            f"{source_link(plan, target, 'line')}</td>")


def _target_row_html(d: PlanDiff, row: dict) -> str:
    child = next((t for t in d.child.targets if t["target_id"] == row["child_target_id"]), None)
    parent = next((t for t in d.parent.targets if t["target_id"] == row["parent_target_id"]), None)
    units = _units_attr(_task_units(d.child, d.child.task((child or {}).get("task_id"))),
                        _task_units(d.parent, d.parent.task((parent or {}).get("task_id"))))
    return (f'<tr class="row {row["status"]}" data-status="{row["status"]}" data-units="{units}">'
            f'<td><span class="badge" title="{_e(STATUS_HELP[row["status"]])}">{row["status"]}</span></td>'
            f"{_target_cell(d.parent, parent)}{_target_cell(d.child, child)}"
            f'<td>{row["score"]:.2f}</td><td></td></tr>')


def _plan_box(plan: Plan, role: str) -> str:
    doc = plan.doc
    return (f'<div class="plan">{role}<b>{_e(plan.name)} — {_e(doc.get("issuer"))}</b>'
            f'{_e(doc.get("title"))}<div class="meta">{_e(doc.get("source_path"))} · doc_id {_e(plan.doc_id)}</div></div>')


def _filters(d: PlanDiff) -> str:
    counts = d.counts()
    boxes = []
    for status in STATUS_HELP:
        n = counts.get(status, counts.get(f"targets_{status}", 0))
        boxes.append(f'<label title="{_e(STATUS_HELP[status])}"><input type="checkbox" name="status" '
                     f'value="{status}" checked> {status} ({n})</label>')
    units = sorted({u for p in (d.child, d.parent) for t in p.tasks for u in _task_units(p, t) if u})
    options = "".join(f'<option value="{_e(u)}">{_e(u)}</option>' for u in units)
    return (f'<div id="filters">{"".join(boxes)}'
            f'<label>Unit <select id="unit-filter"><option value="">all units</option>{options}</select></label>'
            f'<label>Text <input id="text-filter" type="search" placeholder="words…"></label>'
            f'<span id="shown-count"></span></div>')


def render(d: PlanDiff) -> str:
    """The HTML report of one diff."""
    changes = "".join(f"<li>{_e(line)}</li>" for line in d.top_changes(10))
    head = "<colgroup><col class='status'><col><col><col class='score'><col class='notes'></colgroup>"
    th = (f"<thead><tr><th>Status</th><th>Parent: {_e(d.parent.name)}</th><th>Child: {_e(d.child.name)}</th>"
          f"<th>Score</th><th>Changes</th></tr></thead>")
    task_rows = "".join(_task_row_html(d, r) for r in ordered_task_rows(d))
    target_rows = "".join(_target_row_html(d, r) for r in d.targets)
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kehoach diff: {_e(d.child.name)} vs {_e(d.parent.name)}</title><style>{STYLE}</style></head>
<body>
<h1>Plan diff: {_e(d.child.name)} against {_e(d.parent.name)}</h1>
<div class="plans">{_plan_box(d.parent, "Parent (implemented)")}{_plan_box(d.child, "Child (implementing)")}</div>
<div>Tasks are paired when each is the other's best counterpart and their score is at least
{d.threshold:.2f}; headings that match break near ties. Top changes:
<ul class="changes">{changes or "<li>none</li>"}</ul></div>
{_filters(d)}
<h2>Tasks</h2>
<table id="tasks">{head}{th}<tbody>{task_rows}</tbody></table>
<h2>Targets</h2>
<table id="targets">{head}{th}<tbody>{target_rows}</tbody></table>
<script>{SCRIPT}</script>
</body></html>
"""


def render_index(diffs: list[PlanDiff], links: list[str]) -> str:
    """The index page of a dataset diff: one row per pair with its counts and a link to its report."""
    names = list(diffs[0].counts()) if diffs else []
    header = "".join(f"<th>{_e(n.replace('targets_', 'targets '))}</th>" for n in names)
    rows = "".join(
        f'<tr><td><a href="{_e(link)}">{_e(d.child.name)}</a><div class="meta">{_e(d.child.doc.get("issuer"))}</div></td>'
        f'<td>{_e(d.parent.name)}<div class="meta">{_e(d.parent.doc.get("issuer"))}</div></td>'
        + "".join(f"<td>{v}</td>" for v in d.counts().values()) + "</tr>"
        for d, link in zip(diffs, links))
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>kehoach diff: index</title><style>{STYLE}</style></head>
<body><h1>Plan diffs ({len(diffs)})</h1>
<table id="pairs"><thead><tr><th>Child</th><th>Parent</th>{header}</tr></thead><tbody>{rows or ""}</tbody></table>
{"" if diffs else "<p class='empty'>No pair found: no document names a parent of the dataset (documents.implements).</p>"}
</body></html>
"""
