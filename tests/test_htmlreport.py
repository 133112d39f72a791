"""report.html: content and escaping checked on a real run, then loaded in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEEDS, read_jsonl

from pipeline import htmlreport
from pipeline.cli import main
from pipeline.htmlreport import reconstruct, write_html_report

SCRIPT_TEXT = "Officials said on Tuesday that <script>alert('pwned')</script> talks would resume in Cairo next week."
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0"]
CHROMIUM_SECONDS = 60  # a bound for one browser run, not a wait: subprocess returns as soon as it exits


def _extra_inputs(folder: Path) -> Path:
    """A document with markup in its text, a copy of a seed (a duplicate) and a broken line (an error)."""
    folder.mkdir()
    body = [SCRIPT_TEXT, "Leave a Reply",
            "The negotiators & mediators met for six hours and agreed on a framework for an exchange, people said.",
            "Share on:", "Both sides say they want a deal, but the length of the pause is still in dispute."]
    rows = [{"id": "xss-doc", "text": "\n\n".join(body)},
            {"id": "copy-of-000", "text": (SEEDS / "000_c963bb800e618870.txt").read_text(encoding="utf-8")}]
    lines = [json.dumps(r) for r in rows] + ["{not json"]
    (folder / "extra.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("htmlreport")
    out = tmp / "out"
    code = main(["run", "--input", str(SEEDS), str(_extra_inputs(tmp / "extra")), "--output", str(out), "--quiet"])
    assert code == 3  # finished, with the broken line in errors.jsonl
    page = write_html_report(out)
    assert page == out / "report.html"
    return out, page.read_text(encoding="utf-8")


def test_every_rule_and_category_of_removed_jsonl_is_shown(run: tuple[Path, str]) -> None:
    out, page = run
    removed = read_jsonl(out / "removed.jsonl")
    assert removed
    for key in ("rule", "category"):
        for name in {r[key] for r in removed}:
            assert f"<code>{html.escape(name)}</code>" in page, name


def test_removed_paragraphs_are_struck_through_with_their_rule(run: tuple[Path, str]) -> None:
    out, page = run
    removed = read_jsonl(out / "removed.jsonl")
    assert len({r["id"] for r in removed}) <= htmlreport.SAMPLE_ARTICLES  # so every article is in the sample
    for row in removed:
        struck = f"<del>{html.escape(row['text'])}</del> "
        assert struck in page, row
        assert html.escape(row["rule"]) in page.split(struck, 1)[1][:200]
    assert "<del>Leave a Reply</del>" in page


def test_article_text_is_escaped(run: tuple[Path, str]) -> None:
    _out, page = run
    assert "<script" not in page  # the page has no script of its own, and the article's is text
    assert html.escape(SCRIPT_TEXT) in page
    assert "negotiators &amp; mediators" in page


def test_duplicates_rejections_and_errors_are_listed(run: tuple[Path, str]) -> None:
    out, page = run
    assert any(r["reason"] == "duplicate" for r in read_jsonl(out / "rejected.jsonl"))
    cluster = re.search(r"<td><code>000_c963bb800e618870</code></td><td class=\"num\">1</td><td>(.*?)</td>", page)
    assert cluster is not None and "copy-of-000" in cluster.group(1)
    assert "malformed JSON" in page and "extra-L3" in page


def test_page_is_self_contained_with_a_working_table_of_contents(run: tuple[Path, str]) -> None:
    _out, page = run
    assert not re.search(r"""(?:src|href)\s*=\s*(?!["']?#)""", page)  # only in-page links, nothing fetched
    assert "url(" not in page and "@import" not in page
    anchors = re.findall(r'href="#([^"]+)"', page)
    assert len(anchors) >= 9
    for anchor in anchors:
        assert f'id="{anchor}"' in page


def test_same_folder_gives_same_bytes(run: tuple[Path, str], tmp_path: Path) -> None:
    out, page = run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns("stages", "articles"))
    assert write_html_report(copy).read_text(encoding="utf-8") == page


def _row(doc_id: str, paragraph: int, rule: str = "x.rule.v1", text: str = "junk") -> dict[str, Any]:
    return {"id": doc_id, "paragraph": paragraph, "text": text, "rule": rule, "category": "x"}


def test_reconstruct_puts_removed_paragraphs_at_their_index() -> None:
    head = {**_row("d", 1, "metadata.date_prefix.v1", "date 2024-02-07 "), "span": True}
    got = reconstruct(["a", "c", "e"], [_row("d", 4, text="tail"), _row("d", 0, text="top"), head])
    assert got == [(0, "", [_row("d", 0, text="top")]), (1, "a", [head]), (2, "c", []), (3, "e", []),
                   (4, "", [_row("d", 4, text="tail")])]

def test_reconstruct_keeps_every_row_when_the_indices_do_not_add_up() -> None:
    """Rows from a hand-edited or truncated folder are still shown, in index order, never dropped."""
    far = _row("d", 9, text="far")
    assert reconstruct(["a"], [far]) == [(0, "a", []), (9, "", [far])]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_tables_and_sample_are_capped_and_deterministic(tmp_path: Path) -> None:
    many = htmlreport.TABLE_ROWS + 30
    (tmp_path / "report.json").write_text(json.dumps({"documents": many}), encoding="utf-8")
    ids = [f"doc{i:03d}" for i in range(htmlreport.SAMPLE_ARTICLES + 5)]
    _write_jsonl(tmp_path / "articles.jsonl", [{"id": i, "text": "kept"} for i in ids])
    # doc024 has the most removals; the rest tie at one and are taken by id
    _write_jsonl(tmp_path / "removed.jsonl", [_row(i, 0) for i in ids] + [_row(ids[-1], 2)])
    _write_jsonl(tmp_path / "rejected.jsonl", [{"id": f"r{i}", "reason": "repetition", "detail": {}}
                                               for i in range(many)])
    page = write_html_report(tmp_path).read_text(encoding="utf-8")
    assert page.count("<td><code>r") == htmlreport.TABLE_ROWS
    shown = re.findall(r'<details class="article" id="article-\d+"[^>]*><summary><code>(\w+)</code>', page)
    assert shown == [ids[-1], *ids[: htmlreport.SAMPLE_ARTICLES - 1]]
    assert "No errors." in page  # errors.jsonl is missing: read as empty


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed by scripts/install-test-services.sh when missing."""
    found = shutil.which("chromium")
    if found is None:
        script = str(ROOT / "scripts" / "install-test-services.sh")
        done = subprocess.run(["bash", script, "chromium"], capture_output=True, text=True, timeout=900, check=False)
        found = shutil.which("chromium")
        if found is None:
            pytest.skip(f"chromium is missing and scripts/install-test-services.sh could not install it: "
                        f"{done.stderr.strip()[-300:]}")
    return found


def _browse(chromium: str, page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_SECONDS, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _console(stderr: str) -> list[str]:
    """Console messages Chromium logs with --enable-logging: "...:INFO:CONSOLE:12] "text", source: ..."."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.browser
def test_console_capture_sees_a_page_error(chromium: str, tmp_path: Path) -> None:
    """The control: the way the next test looks for console errors does find one when there is."""
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><script>console.error("probe-42"); missing();</script>', encoding="utf-8")
    messages = _console(_browse(chromium, probe, tmp_path / "profile", "--dump-dom").stderr)
    assert any("probe-42" in m for m in messages) and any("ReferenceError" in m for m in messages)


@pytest.mark.browser
def test_report_loads_cleanly_and_renders(run: tuple[Path, str], chromium: str, tmp_path: Path) -> None:
    out, _page = run
    shot = tmp_path / "report.png"
    done = _browse(chromium, out / "report.html", tmp_path / "profile", f"--screenshot={shot}",
                   "--window-size=1280,2000")
    assert _console(done.stderr) == []
    assert _png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 40_000  # a blank page of that size is a few kB
    dom = _browse(chromium, out / "report.html", tmp_path / "profile", "--dump-dom")
    assert _console(dom.stderr) == []
    assert "<script" not in dom.stdout  # the parsed page has no script element: the article's stayed text
    assert html.escape(SCRIPT_TEXT, quote=False) in dom.stdout  # as the browser serialises text
    assert dom.stdout.count("<del>") >= len(read_jsonl(out / "removed.jsonl"))
