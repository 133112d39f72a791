"""Document-level quality: signals always recorded, rejections only past clear thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.boilerplate import strip_boilerplate
from pipeline.config import load_config
from pipeline.document import Document, split_paragraphs
from pipeline.quality import CHECKS, assess_quality, top_ngram_char_frac
from pipeline.rules import load_rules

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = [
    "Ceasefire Talks Resume in Cairo",
    "Egyptian and Qatari mediators met Hamas officials in Cairo on Tuesday to discuss a proposal "
    "for a six-week pause in fighting, according to two people briefed on the talks.",
    "The proposal would see hostages released in stages in exchange for Palestinian prisoners, "
    "while aid convoys would be allowed to enter northern Gaza for the first time in weeks.",
    "Israel has not sent a delegation, but officials in Jerusalem said they were studying the terms "
    "and would respond once the mediators had clarified several points.",
    "What Comes Next",
    "Diplomats cautioned that earlier rounds had collapsed over the sequencing of releases, and that "
    "any agreement would still need approval from Israel's war cabinet.",
]


@pytest.fixture
def cfg() -> dict[str, Any]:
    return dict(load_config()["quality"])


def doc_of(*paragraphs: str) -> Document:
    doc = Document(id="d", source="s")
    doc.set_paragraphs(paragraphs)
    return doc


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_seed_is_rejected_before_or_after_stripping(seed: Path, cfg: dict[str, Any]) -> None:
    paragraphs = split_paragraphs(seed.read_text(encoding="utf-8"))
    raw = assess_quality(doc_of(*paragraphs), cfg)
    stripped = assess_quality(strip_boilerplate(doc_of(*paragraphs), load_rules(load_config())), cfg)
    for doc in (raw, stripped):
        assert doc.ok, doc.detail
        assert {signal for signal, *_ in CHECKS} <= set(doc.detail["quality"])


def test_ordinary_article_with_subheadings_passes_and_records_signals(cfg: dict[str, Any]) -> None:
    doc = assess_quality(doc_of(*ARTICLE), cfg)
    assert doc.ok
    signals = doc.detail["quality"]
    assert signals["paragraphs"] == 6
    assert signals["dup_line_frac"] == 0.0
    assert signals["short_line_frac"] == pytest.approx(2 / 6, abs=1e-4)


def test_empty_document_is_too_short(cfg: dict[str, Any]) -> None:
    doc = assess_quality(doc_of(), cfg)
    assert doc.status == "rejected"
    assert doc.reason == "too_short"
    assert doc.detail["quality"]["words"] == 0
    failed = {"signal": "words", "value": 0, "limit": 1, "reason": "too_short"}
    assert doc.detail["quality_failed"][0] == failed


def test_min_words_is_configurable(cfg: dict[str, Any]) -> None:
    cfg["min_words"] = 5
    assert assess_quality(doc_of("Three words here"), cfg).reason == "too_short"
    assert assess_quality(doc_of("Now there are five words"), cfg).ok


def test_repeated_paragraphs_are_rejected_as_repetition(cfg: dict[str, Any]) -> None:
    spun = ARTICLE[1:3] * 4  # 8 paragraphs, 6 of them repeats
    doc = assess_quality(doc_of(*spun), cfg)
    assert doc.reason == "repetition"
    assert doc.detail["quality"]["dup_line_frac"] == 0.75
    assert doc.detail["quality_failed"][0]["signal"] == "dup_line_frac"


def test_one_repeated_ngram_dominating_a_page_is_repetition(cfg: dict[str, Any]) -> None:
    spam = "Buy cheap watches online. " * 20 + "Free shipping on every order placed before noon."
    doc = assess_quality(doc_of(spam), cfg)
    assert doc.reason == "repetition"
    assert doc.detail["quality"]["top_2gram_char_frac"] > 0.2
    assert doc.detail["quality"]["dup_line_frac"] == 0.0


def test_repetition_is_not_enforced_on_short_texts(cfg: dict[str, Any]) -> None:
    doc = assess_quality(doc_of("Yes, yes, yes, yes!"), cfg)
    assert doc.ok
    assert doc.detail["quality"]["top_2gram_char_frac"] == 1.0


def test_top_ngram_fraction_counts_all_occurrences() -> None:
    words = ["aa", "bb", "aa", "bb", "cc", "dd"]  # 'aa bb' twice: 8 of 12 characters
    assert top_ngram_char_frac(words, 2) == pytest.approx(8 / 12)
    assert top_ngram_char_frac(["a", "b", "c"], 2) == 0.0
    assert top_ngram_char_frac(["a"], 2) == 0.0


def test_body_dominated_by_chatbot_text_is_rejected(cfg: dict[str, Any]) -> None:
    leaked = [
        "The truce talks resumed today. As an AI language model, I cannot verify these reports.",
        "Certainly! Here is a summary of the negotiations between the parties in Cairo this week.",
        "I hope this helps you understand the situation in the region.",
        "Officials said a deal was close.",
    ]
    doc = assess_quality(doc_of(*leaked), cfg)
    assert doc.reason == "chatbot_leak"
    assert doc.detail["quality"]["chatbot_frac"] > 0.5


def test_one_quoted_chatbot_phrase_does_not_reject_an_article(cfg: dict[str, Any]) -> None:
    quote = 'The bot replied "As an AI language model, I cannot comment," the lawsuit says.'
    doc = assess_quality(doc_of(*ARTICLE, quote), cfg)
    assert doc.ok
    assert 0 < doc.detail["quality"]["chatbot_frac"] < 0.5


@pytest.mark.parametrize(
    ("paragraphs", "signal"),
    [
        ([f"https://example.com/news/story-{n}" for n in "abcdef"], "url_frac"),
        ([f"\u2022 Item {n} on the list of links." for n in "abcdef"], "bullet_frac"),
        ([f"Gaza talks: what we know about round {n}, and what..." for n in "abcdef"], "ellipsis_frac"),
        (["World", "Politics", "Business", "Sport", "Culture", "Opinion", "Video"], "short_line_frac"),
    ],
)
def test_link_lists_are_rejected(cfg: dict[str, Any], paragraphs: list[str], signal: str) -> None:
    cfg["min_words"] = 1
    cfg["repetition_min_words"] = 10_000  # isolate the link-list checks
    doc = assess_quality(doc_of(*paragraphs), cfg)
    assert doc.reason == "link_list"
    assert signal in {f["signal"] for f in doc.detail["quality_failed"]}


def test_line_shapes_are_not_enforced_on_few_paragraphs(cfg: dict[str, Any]) -> None:
    doc = assess_quality(doc_of("https://example.com/a", "https://example.com/b"), cfg)
    assert doc.ok
    assert doc.detail["quality"]["url_frac"] == 1.0


def test_non_ok_documents_pass_untouched(cfg: dict[str, Any]) -> None:
    doc = doc_of()
    doc.fail("could not decode")
    assert assess_quality(doc, cfg).reason == "could not decode"
    assert "quality" not in doc.detail


def test_every_threshold_is_in_the_config(cfg: dict[str, Any]) -> None:
    needed = {key for _, key, _, _ in CHECKS} | {
        "repetition_min_words",
        "line_signals_min_paragraphs",
        "chatbot_phrases",
        "short_line_words",
    }
    assert needed <= set(cfg)


def test_japanese_paragraphs_are_not_short_menu_lines() -> None:
    from pipeline.quality import line_shapes

    lines = ["報道によると、今回販売されたのはいわゆる脱獄したiPhone"] * 6
    assert line_shapes(lines, 8)["short_line_frac"] == 0.0


def test_invisible_spacer_paragraphs_are_not_repeats() -> None:
    from pipeline.quality import duplicate_lines

    assert duplicate_lines(["A line of text.", "\u200b", "\u200b", "Another line."])["dup_line_frac"] == 0.0
    assert duplicate_lines(["Same.", "Same."])["dup_line_frac"] == 0.5


def test_repeated_list_fields_are_not_duplicates_but_repeated_sentences_are() -> None:
    from pipeline.quality import duplicate_lines

    products = [line for n in range(3) for line in (f"Wireless earbuds model {n}", "$139.00", "Available from Amazon")]
    assert duplicate_lines(products, min_words=4)["dup_line_frac"] == 0.0
    spun = ["The best deals on earbuds are here today."] * 4
    assert duplicate_lines(spun, min_words=4)["dup_line_frac"] == 0.75
