"""Within-article repeats: which later copy of a paragraph is a scraping artefact (``neardup.repeat``).

A page's text repeats itself for two different reasons, and only one of them is an error:

* a scraping artefact: a standfirst pasted twice, the lede again after a share bar, a body
  paragraph doubled by the CMS. The copies are prose, they sit next to each other (at most
  ``repeat_max_gap`` paragraphs apart), there are two of them, and the second adds nothing;
* legitimately repeated content: table headers and rows, shop links ("See it now: Amazon"),
  source tags ("[ CNET ]"), tweet attributions, an interview's recurring questions, product
  lists whose lines differ in one number. These lines are short, or recur three times and
  more, or come back far apart in a list-like page: the article needs every copy.

So a later copy goes only when all of these hold: it has at least ``repeat_min_words`` words
(``repeat_near_min_words`` when it is a near, not exact, copy: on a short line a Jaccard of
0.8 cannot tell an edit from a different item), the exact text occurs at most
``repeat_max_copies`` times in the article, the kept copy is at most ``repeat_max_gap``
paragraphs before it, and it is not longer than the kept copy (a longer later paragraph that
contains the standfirst carries the news the standfirst left out). Paragraph order is the
order of original positions, and gaps count the paragraphs that reached NearDup.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pipeline.minhash import SignatureTable
from pipeline.paragraphgroups import Groups


@dataclass(frozen=True)
class RepeatRule:
    """The ``repeat_*`` knobs of ``[dedup]``."""

    min_words: int
    near_min_words: int
    max_gap: int
    max_copies: int

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> RepeatRule:
        return cls(cfg["repeat_min_words"], cfg["repeat_near_min_words"], cfg["repeat_max_gap"],
                   cfg["repeat_max_copies"])


@dataclass
class _Kept:
    """Where the latest kept copy of a group sits (ordinal among the document's paragraphs) and its length."""

    index: int
    words: int


def ordered_paragraphs(table: SignatureTable, d: int) -> list[int]:
    """The document's paragraph rows in original position order."""
    return sorted(table.doc_paragraphs(d), key=lambda p: int(table.para_pos[p]))


def repeated_positions(table: SignatureTable, groups: Groups, d: int, skip: set[int], rule: RepeatRule) -> set[int]:
    """Original positions of the paragraphs of ``d`` that are artefact repeats of a kept earlier one.

    Rows in ``skip`` (template paragraphs, removed for another reason) neither repeat nor
    count as kept copies, but still count towards gaps.
    """
    rows = ordered_paragraphs(table, d)
    copies = Counter(int(groups.of_paragraph[p]) for p in rows)
    kept: dict[int, _Kept] = {}
    found: set[int] = set()
    for i, p in enumerate(rows):
        if p in skip:
            continue
        g, words = int(groups.of_paragraph[p]), int(table.para_words[p])
        if _is_artefact(g, i, words, copies[g], kept, groups, rule):
            found.add(int(table.para_pos[p]))
        else:
            kept[g] = _Kept(i, words)
    return found


def _is_artefact(g: int, i: int, words: int, copies: int, kept: dict[int, _Kept], groups: Groups,
                 rule: RepeatRule) -> bool:
    if words < rule.min_words or copies > rule.max_copies:
        return False
    if g in kept and i - kept[g].index <= rule.max_gap:
        return True
    if words < rule.near_min_words:
        return False
    near = (kept[n] for n in groups.neighbours.get(g, ()) if n in kept)
    return any(i - k.index <= rule.max_gap and words <= k.words for k in near)
