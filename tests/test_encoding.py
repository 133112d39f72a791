"""FixEncoding: mojibake repaired, clean text byte-for-byte unchanged."""

# Curly quotes, fullwidth and Greek letters are what these tests are about.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ftfy
import pytest

from pipeline.config import load_config
from pipeline.document import Document
from pipeline.encoding import changed_chars, fix_encoding, fix_text, fixer_config, is_untouchable

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "ftfy-cases"


@pytest.fixture
def cfg() -> dict[str, Any]:
    return load_config()["encoding"]


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("donâ€™t", "don’t"),
        ("CafÃ© crÃ¨me", "Café crème"),
        ("Ã€ tous mes frÃ¨res", "À tous mes frères"),
        ("parlé\x85 Tu sais", "parlé… Tu sais"),  # a cp1252 ellipsis read as latin-1
        ("The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.", "The Mona Lisa doesn’t have eyebrows."),
    ],
)
def test_mojibake_is_repaired(cfg: dict[str, Any], broken: str, repaired: str) -> None:
    assert fix_text(broken, cfg) == repaired


@pytest.mark.parametrize(
    "clean",
    [
        "“quoted” and ‘single’ quotes",
        "ﬁ ligature and ﬂ too",
        "ＦＵＬＬＷＩＤＴＨ ｶﾀｶﾅ",
        "AT&amp;T &lt;b&gt; stays escaped",
        "e\u0301 stays decomposed",  # no normalisation
        "line one\r\nline two\u2028three",
        "Η ¨ανατροφή¨ δυστυχώς",
        "Ελληνικά, русский, 日本語, العربية",
    ],
)
def test_clean_text_is_unchanged(cfg: dict[str, Any], clean: str) -> None:
    assert fix_text(clean, cfg) == clean


def test_default_ftfy_would_restyle_what_we_keep(cfg: dict[str, Any]) -> None:
    """Guards the config: if these pass through ftfy's defaults unchanged, the test above proves nothing."""
    for text in ["“quoted”", "ﬁ", "ＦＵＬＬ", "e\u0301"]:
        assert ftfy.fix_text(text) != text
        assert fix_text(text, cfg) == text


def test_control_characters_are_removed(cfg: dict[str, Any]) -> None:
    assert fix_text("bell\x07 and \x1b[31mred\x1b[0m", cfg) == "bell and red"


def test_every_ascii_character_on_the_fast_path_is_one_ftfy_leaves_alone(cfg: dict[str, Any]) -> None:
    """The ASCII shortcut must give exactly what ftfy would: probe all 128 characters in context."""
    config = fixer_config(cfg)
    taken = 0
    for code in range(128):
        text = f"a{chr(code)}b &amp; c{chr(code)}"
        if is_untouchable(text, config):
            taken += 1
            assert ftfy.fix_text(text, config) == text, repr(chr(code))
    assert taken == 128 - 31  # the risky set: 0x00-0x08 (9), 0x0b-0x1f (21), 0x7f


def test_fast_path_respects_html_unescaping(cfg: dict[str, Any]) -> None:
    unescaping = {**cfg, "unescape_html": True}
    assert fix_text("AT&amp;T", unescaping) == "AT&T"
    assert fix_text("AT&amp;T", cfg) == "AT&amp;T"


def test_normalization_setting_is_passed_to_ftfy(cfg: dict[str, Any]) -> None:
    assert fix_text("e\u0301 café", {**cfg, "normalization": "NFC"}) == "é café"


def test_fix_encoding_flags_and_counts_a_repair(cfg: dict[str, Any]) -> None:
    doc = Document(id="a", source="s", text="I donâ€™t know\nclean line", paragraphs=["Itâ€™s", "fine"])
    fix_encoding(doc, cfg)
    assert doc.text == "I don’t know\nclean line"
    assert doc.paragraphs == ["It’s", "fine"]
    assert doc.flags == ["ftfy"]
    assert doc.detail["ftfy_changed_chars"] == 6


def test_fix_encoding_leaves_clean_document_alone(cfg: dict[str, Any]) -> None:
    doc = Document(id="a", source="s", format="html", text="<p>“Clean” café</p>")
    fix_encoding(doc, cfg)
    assert (doc.text, doc.flags, doc.detail) == ("<p>“Clean” café</p>", [], {})


def test_fix_encoding_skips_documents_that_are_not_ok(cfg: dict[str, Any]) -> None:
    doc = Document(id="a", source="s", text="donâ€™t")
    doc.fail("earlier error")
    fix_encoding(doc, cfg)
    assert doc.text == "donâ€™t"
    assert doc.flags == []


@pytest.mark.parametrize(
    ("before", "after", "count"),
    [("same", "same", 0), ("donâ€™t", "don’t", 3), ("a\x1c", "a", 1), ("x\nAâ€™\nB", "x\nA’\nB", 3)],
)
def test_changed_chars(before: str, after: str, count: int) -> None:
    assert changed_chars(before, after) == count


def test_unknown_encoding_key_is_an_error(cfg: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        fix_text("donâ€™t", {**cfg, "no_such_ftfy_setting": True})


# --- ftfy's own test cases (reference data, when present) ---------------------------------


def load_cases(name: str) -> list[dict[str, Any]]:
    path = CASES_DIR / name
    if not path.exists():
        pytest.skip(f"reference data not found: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def targets(case: dict[str, Any]) -> set[str]:
    """What a repair-only config may produce: ftfy's full result, or its encoding-only result
    when restyling (quotes, width, ligatures, entities) would make them differ."""
    return {case["fixed"], case.get("fixed-encoding", case["fixed"])}


@pytest.mark.parametrize("name", ["in-the-wild.json", "synthetic.json", "language-names.json"])
def test_ftfy_cases_expected_to_pass_are_repaired(cfg: dict[str, Any], name: str) -> None:
    cases = [c for c in load_cases(name) if c["expect"] == "pass"]
    missed = [c["label"] for c in cases if fix_text(c["original"], cfg) not in targets(c)]
    assert cases
    assert missed == []


@pytest.mark.parametrize("name", ["in-the-wild.json", "synthetic.json", "language-names.json"])
def test_ftfy_cases_survive_an_extra_layer_of_mojibake(cfg: dict[str, Any], name: str) -> None:
    """ftfy's own test does this too: the same case encoded once more must come back."""
    cases = [c for c in load_cases(name) if c["expect"] == "pass"]
    missed = [
        c["label"]
        for c in cases
        if fix_text(c["original"].encode("utf-8").decode("latin-1"), cfg) not in targets(c)
    ]
    assert missed == []


def test_ftfy_negative_cases_are_left_unchanged(cfg: dict[str, Any]) -> None:
    """Only a genuine C1 repair (a cp1252 ellipsis) may change a negative case."""
    cases = load_cases("negative.json")
    changed = [c for c in cases if fix_text(c["original"], cfg) != c["original"]]
    assert [fix_text(c["original"], cfg) for c in changed] == [c["fixed"] for c in changed]
    assert [c["original"] for c in changed] == [c["original"] for c in cases if "\x85" in c["original"]]
    assert len(cases) - len(changed) == 30


def test_line_by_line_fast_path_equals_ftfy_on_the_whole_text() -> None:
    """Skipping ASCII lines must not change the result of repairing the whole text at once."""
    cfg = load_config()["encoding"]
    text = "<p>plain ascii line</p>\nIt doesnâ€™t matter\n\n\u201cclean curly\u201d\nSch\u00c3\u00b6n\r\nlast line"
    expected = ftfy.fix_text(text, fixer_config(cfg))
    assert fix_text(text, cfg) == expected
    assert "doesn’t" in expected and "Schön" in expected
