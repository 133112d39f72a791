"""The headline pass: drop the article's title when it is repeated at the top of the body.

Extractors hand back the headline twice on most news pages, once as the page title and
once as the first line of the body (trafilatura does so on about a third of the AEB pages).
The title belongs in metadata; as body text it duplicates 5 to 20 words at the head of every
such article. The Extract stage already stores it in ``metadata["title"]``, so the pass
only has to recognise the body line that repeats it: the same words, give or take case,
punctuation and the site name that page titles append ("... | Reuters", "... - BBC News").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

RULE_ID = "headline.repeat.v1"
CATEGORY = "headline"
_WORD = re.compile(r"\w+")
# "Headline | Site", "Headline - Site", or with an en/em dash: the site part is the last one.
_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014]{1,60}$")


@dataclass(frozen=True)
class HeadlineParams:
    """The [boilerplate] headline_* settings; see configs/default.toml."""

    first: int
    min_similarity: float
    max_words: int

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> HeadlineParams:
        return cls(section["headline_first"], section["headline_min_similarity"], section["headline_max_words"])


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def similarity(line: str, title: str) -> float:
    """Word overlap relative to the longer of the two, so a line that only starts like the
    title, or a title that only opens the line, scores low. Counted as sets: headlines
    rarely repeat a word, and the order is the same when they are the same headline."""
    a, b = set(words(line)), set(words(title))
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def headline_index(paragraphs: list[str], title: str, params: HeadlineParams) -> int | None:
    """Index of the first of the leading paragraphs that repeats the title, if any."""
    if not title.strip():
        return None
    candidates = {title, _SITE_SUFFIX.sub("", title)}
    for i, text in enumerate(paragraphs[: params.first]):
        if len(text.split()) > params.max_words:
            continue
        if max(similarity(text, t) for t in candidates) >= params.min_similarity:
            return i
    return None
