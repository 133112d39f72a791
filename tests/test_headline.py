"""The headline pass: the title repeated at the head of an extracted body goes to metadata."""

from __future__ import annotations

from pipeline import boilerplate, headline
from pipeline.config import load_config
from pipeline.document import Document

PARAMS = headline.HeadlineParams(first=2, min_similarity=0.8, max_words=40)
BODY = "The city council voted on Tuesday to approve the budget for the new river park."


def test_title_with_site_suffix_matches_the_body_headline() -> None:
    assert headline.headline_index(["Council approves river park budget", BODY],
                                   "Council Approves River Park Budget | Harbour Gazette", PARAMS) == 0


def test_a_sentence_that_only_starts_like_the_title_is_kept() -> None:
    assert headline.headline_index([BODY], "Council approves budget", PARAMS) is None
    assert headline.headline_index([BODY, BODY], "", PARAMS) is None


def test_strip_drops_the_headline_only_for_html_with_a_title() -> None:
    doc = Document(id="d", source="s", format="html", metadata={"title": "Council approves river park budget"})
    doc.set_paragraphs(["Council approves river park budget", BODY])
    boilerplate.strip_boilerplate(doc, boilerplate.load_rules(load_config()))
    assert doc.paragraphs == [BODY]
    assert doc.removed[0]["rule"] == headline.RULE_ID and doc.removed[0]["category"] == "headline"
