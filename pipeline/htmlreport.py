"""report.html: one self-contained page a person opens to see what a run did and why.

report.json answers "how many"; a reviewer also asks "which ones, and show me". The page
reads an output folder's files as streams (a folder may hold 100k articles) and embeds
only capped tables and a small, deterministic sample of articles, so it stays a few MB at
most. It loads nothing from the network (inline CSS, CSS bars, a CSP that forbids any
fetch or script), escapes every string from the data (article text is untrusted input),
and gives the same bytes for the same folder, so it can be diffed and archived.
"""

from __future__ import annotations

import html
import json
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from pipeline.atomic import write_text
from pipeline.layout import STAGES

SAMPLE_ARTICLES = 20  # articles shown side by side: the ones with most removals, ties by id
TABLE_ROWS = 200  # rows of the rejected and error tables
CLUSTERS = 50  # duplicate clusters shown, largest first
CLUSTER_MEMBERS = 20  # copies listed per cluster
PARAGRAPHS = 400  # paragraphs shown per sampled article
PARAGRAPH_CHARS = 2000  # characters shown per paragraph or table cell
BAR_ROWS = 100  # rows per bar chart


def write_html_report(out: Path) -> Path:
    """Write ``out/report.html`` from the output folder ``out`` and return its path."""
    path = out / "report.html"
    write_text(path, render(out))
    return path


def _e(value: Any, limit: int = PARAGRAPH_CHARS) -> str:
    text = str(value)
    return html.escape(text if len(text) <= limit else text[:limit] + " …")


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    """Stream a JSONL output; a missing file is an empty one (a run with no rejects)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _hue(name: str) -> int:
    """A stable colour per category, so one category looks the same in every chart and label."""
    return zlib.crc32(name.encode("utf-8")) % 360


# ---------------------------------------------------------------- reading


@dataclass
class _Rejections:
    reasons: Counter[str] = field(default_factory=Counter)
    table: list[dict[str, Any]] = field(default_factory=list)
    cluster_size: Counter[str] = field(default_factory=Counter)
    members: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)


def _read_rejected(path: Path) -> _Rejections:
    acc = _Rejections()
    for row in _rows(path):
        acc.reasons[row.get("reason", "")] += 1
        if len(acc.table) < TABLE_ROWS:
            acc.table.append(row)
        kept = (row.get("detail") or {}).get("duplicate_of")
        if row.get("reason") == "duplicate" and kept is not None:
            acc.cluster_size[str(kept)] += 1
            members = acc.members.setdefault(str(kept), [])
            if len(members) < CLUSTER_MEMBERS:
                members.append((row.get("id", ""), row["detail"].get("similarity")))
    return acc


@dataclass
class _Article:
    id: str
    title: str
    lang: str
    kept: list[str]
    removed: list[dict[str, Any]] = field(default_factory=list)


def _sample(out: Path) -> tuple[list[_Article], dict[str, str]]:
    """The articles with the most removed paragraphs, and each rule's category.

    Two passes over removed.jsonl and one over articles.jsonl keep only the sample in memory.
    """
    per_id: Counter[str] = Counter()
    category: dict[str, str] = {}
    for row in _rows(out / "removed.jsonl"):
        per_id[row["id"]] += 1
        category.setdefault(row["rule"], row.get("category") or "")
    chosen = [i for i, _n in sorted(per_id.items(), key=lambda kv: (-kv[1], kv[0]))[:SAMPLE_ARTICLES]]
    wanted = set(chosen)
    articles: dict[str, _Article] = {}
    for row in _rows(out / "articles.jsonl"):
        if row["id"] in wanted:
            text = row.get("text") or ""
            articles[row["id"]] = _Article(row["id"], row.get("title") or "", row.get("lang") or "",
                                           text.split("\n\n") if text else [])
    for row in _rows(out / "removed.jsonl"):
        if row["id"] in articles:
            articles[row["id"]].removed.append(row)
    return [articles[i] for i in chosen if i in articles], category


def _is_span(row: dict[str, Any]) -> bool:
    """A removed head of a paragraph whose rest was kept (a "date 2024-02-07 " prefix)."""
    return bool(row.get("span"))


def reconstruct(kept: list[str], removed: Iterable[dict[str, Any]]) -> list[tuple[int, str, list[dict[str, Any]]]]:
    """The document as it came in: ``(index, kept text or "", removed rows at that index)``.

    A whole removed paragraph holds its original index; kept paragraphs fill the free
    indices in order. A removed head (span) shares its index with the kept rest.
    """
    whole: dict[int, list[dict[str, Any]]] = {}
    heads: dict[int, list[dict[str, Any]]] = {}
    for row in sorted(removed, key=lambda r: (r.get("paragraph", 0), r.get("rule", ""))):
        (heads if _is_span(row) else whole).setdefault(int(row.get("paragraph", 0)), []).append(row)
    doc: list[tuple[int, str, list[dict[str, Any]]]] = []
    rest = iter(kept)
    for index in range(max(len(kept) + len(whole), max(whole, default=-1) + 1)):
        text = None if index in whole else next(rest, None)
        if index in whole or text is not None:
            doc.append((index, text or "", whole.get(index) or heads.get(index, [])))
    return doc


# ---------------------------------------------------------------- rendering


def _label(rule: str, category: str) -> str:
    return f'<span class="rule" style="--hue:{_hue(category or rule)}">{_e(rule)}</span>'


def _bars(counts: dict[str, float], hues: dict[str, str] | None = None, unit: str = "") -> str:
    """A horizontal bar chart as a table of CSS bars, largest first, ties by name."""
    if not counts:
        return '<p class="empty">none</p>'
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = max(items[0][1], 1e-9)
    rows = []
    for name, value in items[:BAR_ROWS]:
        hue = f"--hue:{_hue(hues.get(name) or name)};" if hues is not None else ""
        shown = f"{value:.3f}{unit}" if isinstance(value, float) else f"{value:,}"
        rows.append(f'<tr><td class="label"><code>{_e(name)}</code></td><td class="track"><div class="bar" '
                    f'style="{hue}width:{100 * value / top:.1f}%"></div></td><td class="num">{shown}</td></tr>')
    more = f'<p class="note">{len(items) - BAR_ROWS} more not shown</p>' if len(items) > BAR_ROWS else ""
    return f'<table class="bars">{"".join(rows)}</table>{more}'


def _table(headers: list[str], rows: Iterable[list[str]], numeric: Iterable[int] = ()) -> str:
    """A table of already escaped cells; ``numeric`` columns are right-aligned."""
    nums = set(numeric)
    def cls(i: int) -> str:
        return ' class="num"' if i in nums else ""
    head = "".join(f"<th{cls(i)}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if body else \
        '<p class="empty">none</p>'


def _why(row: dict[str, Any]) -> str:
    """The signals behind a rejection in one line: failed checks first, else the detail."""
    detail = dict(row.get("detail") or {})
    failed = detail.get("quality_failed") or []
    if failed:
        return "; ".join(f"{f.get('signal')} = {f.get('value')} (limit {f.get('limit')})" for f in failed)
    detail.pop("quality", None)
    return json.dumps(detail, sort_keys=True, ensure_ascii=False)


def _overview(report: dict[str, Any]) -> str:
    keys = ("documents", "articles", "rejected", "errors", "removed_paragraphs")
    cards = "".join(f'<div class="card"><div class="v">{int(report.get(k, 0)):,}</div>'
                    f'<div class="k">{k.replace("_", " ")}</div></div>' for k in keys)
    return f'<div class="cards">{cards}</div>'


def _stages(report: dict[str, Any]) -> str:
    stages = report.get("stages", {})
    order = sorted(stages, key=lambda s: (STAGES.index(s) if s in STAGES else len(STAGES), s))
    rows = [[f"<code>{_e(s)}</code>", *(f"{v:,}" for v in (
        stages[s].get("docs_in", 0), stages[s].get("ok_out", 0), sum(stages[s].get("rejected", {}).values()),
        stages[s].get("errors", 0), sum(stages[s].get("removed", {}).values())))] for s in order]
    return _table(["stage", "docs in", "ok out", "rejected", "errors", "paragraphs removed"], rows, range(1, 6))


def _removals(report: dict[str, Any], category: dict[str, str]) -> str:
    cats = report.get("removed_by_category", {})
    return (f'<div class="cols"><div><h3>Per category</h3>{_bars(cats, {c: c for c in cats})}</div>'
            f'<div><h3>Per rule</h3>{_bars(report.get("removed_by_rule", {}), category)}</div></div>')


def _rejected(rej: _Rejections) -> str:
    if not rej.table:
        return '<p class="empty">No rejected documents.</p>'
    rows = [[f"<code>{_e(r.get('id', ''), 80)}</code>", _e(r.get("reason", "")), _e(_why(r), 400),
             f'<span class="mono">{_e(r.get("source", ""), 200)}</span>'] for r in rej.table]
    shown = f'<p class="note">First {len(rej.table):,} of {rej.reasons.total():,} rows of rejected.jsonl.</p>'
    return f"<h3>Per reason</h3>{_bars(dict(rej.reasons))}<h3>Documents</h3>{shown}" + \
        _table(["id", "reason", "why", "source"], rows)


def _clusters(rej: _Rejections) -> str:
    if not rej.cluster_size:
        return '<p class="empty">No duplicate documents.</p>'
    items = sorted(rej.cluster_size.items(), key=lambda kv: (-kv[1], kv[0]))[:CLUSTERS]
    rows = [[f"<code>{_e(kept, 80)}</code>", f"{n:,}", ", ".join(
        f"<code>{_e(i, 80)}</code>" + (f" ({s:.2f})" if isinstance(s, float) else "") for i, s in rej.members[kept])
        + (" …" if n > len(rej.members[kept]) else "")] for kept, n in items]
    note = (f'<p class="note">Clusters: {len(rej.cluster_size):,}; copies rejected: {rej.cluster_size.total():,}. '
            f"The {len(items)} largest, by the id of the article kept, copies with their similarity.</p>")
    return note + _table(["kept article", "copies", "rejected copies"], rows, [1])


def _errors(out: Path) -> str:
    per_stage: Counter[str] = Counter()
    rows = []
    for row in _rows(out / "errors.jsonl"):
        per_stage[row.get("stage", "")] += 1
        if len(rows) < TABLE_ROWS:
            rows.append([f"<code>{_e(row.get('id', ''), 80)}</code>", _e(row.get("stage", "")),
                         _e(row.get("error", ""), 600), f'<span class="mono">{_e(row.get("source", ""), 200)}</span>'])
    if not rows:
        return '<p class="empty">No errors.</p>'
    note = f'<p class="note">First {len(rows):,} of {per_stage.total():,} rows of errors.jsonl.</p>'
    return f"<h3>Per stage</h3>{_bars(dict(per_stage))}{note}" + _table(["id", "stage", "error", "source"], rows)


def _timings(report: dict[str, Any]) -> str:
    timings = report.get("timings", {})
    seconds = {k: float(v) for k, v in timings.get("stage_seconds", {}).items()}
    wall = timings.get("publish_wall_seconds")
    note = f'<p class="note">Publishing took {float(wall):.3f} s.</p>' if wall is not None else ""
    return f"{_bars(seconds, unit=' s')}{note}"


def _row(index: int, text: str, removed: list[dict[str, Any]]) -> str:
    """One input paragraph beside what is left of it, so the two columns line up."""
    cut = "".join(f"<del>{_e(r.get('text', ''))}</del> {_label(r['rule'], r.get('category') or '')} "
                  for r in removed)
    cls = "l rm" if removed and not text else "l"
    return f'<p class="{cls}"><span class="n">{index}</span>{cut}{_e(text)}</p><p class="r">{_e(text)}</p>'


def _article(n: int, art: _Article) -> str:
    raw = reconstruct(art.kept, art.removed)
    rows = "".join(_row(*p) for p in raw[:PARAGRAPHS])
    more = f'<p class="note">{len(raw) - PARAGRAPHS} more paragraphs not shown</p>' if len(raw) > PARAGRAPHS else ""
    title = f" — {_e(art.title, 200)}" if art.title else ""
    return (f'<details class="article" id="article-{n}"{" open" if n == 1 else ""}><summary><code>{_e(art.id, 80)}'
            f"</code>{title} <span class=\"note\">{len(art.removed)} removed · {len(art.kept)} kept · "
            f"{_e(art.lang or '?')}</span></summary><div class=\"side\"><h4>Input, removed text struck through</h4>"
            f"<h4>Clean text</h4>{rows}</div>{more}</details>")


def _articles(sample: list[_Article]) -> str:
    note = (f'<p class="note">The {len(sample)} articles with the most removed paragraphs (ties by id). The input '
            "is rebuilt from the kept paragraphs and removed.jsonl; numbers are paragraph indices.</p>")
    return note + ("".join(_article(n, a) for n, a in enumerate(sample, 1)) or '<p class="empty">none</p>')


def _run_info(report: dict[str, Any]) -> str:
    rows = [["inputs", "<br>".join(f'<span class="mono">{_e(i)}</span>' for i in report.get("inputs", []))],
            ["config fingerprint", f"<code>{_e(report.get('config_fingerprint', ''))}</code>"],
            *([f"version of {_e(k)}", f"<code>{_e(v)}</code>"] for k, v in sorted(report.get("versions", {}).items()))]
    return _table(["what", "value"], rows)


def render(out: Path) -> str:
    """The whole page for the output folder ``out``, as a string."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rej = _read_rejected(out / "rejected.jsonl")
    sample, category = _sample(out)
    sections = [
        ("overview", "Overview", _overview(report)),
        ("stages", "Stages", _stages(report)),
        ("removals", "Removed paragraphs", _removals(report, category)),
        ("languages", "Languages", _bars(report.get("languages", {}))),
        ("rejected", "Rejected documents", _rejected(rej)),
        ("duplicates", "Duplicate clusters", _clusters(rej)),
        ("errors", "Errors", _errors(out)),
        ("timings", "Slowest stages", _timings(report)),
        ("articles", "Articles, before and after", _articles(sample)),
        ("run", "Run", _run_info(report)),
    ]
    toc = "\n".join(f'<li><a href="#{key}">{title}</a></li>' for key, title, _ in sections)
    body = "\n".join(f'<section id="{key}"><h2>{title}</h2>{html_}</section>' for key, title, html_ in sections)
    page = Template(resources.files("pipeline").joinpath("templates/report.html").read_text(encoding="utf-8"))
    css = resources.files("pipeline").joinpath("templates/report.css").read_text(encoding="utf-8")
    subtitle = f"{int(report.get('documents', 0)):,} documents · config {_e(report.get('config_fingerprint', ''))}"
    return page.substitute(css=css, toc=toc, sections=body, subtitle=subtitle)
