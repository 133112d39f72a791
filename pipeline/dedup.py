"""Near-duplicate decisions over a whole batch, and applying them to one document.

Three kinds of redundancy, all judged on the fingerprints of :mod:`pipeline.minhash`:

* a paragraph repeated inside one article keeps its first copy (``neardup.repeat``);
* a paragraph with (near-)copies in ``template_min_docs`` distinct articles of one site is
  site template and leaves all of them (``neardup.template``), cc_net's idea of frequent
  paragraph hashes, restricted to one site because across sites the same paragraph is a
  quotation or syndication, which stays;
* an article whose shingle set has Jaccard >= ``document_threshold`` with an earlier one
  is a syndicated copy and is rejected (Lee et al. 2022's NearDup: MinHash LSH candidates,
  then a similarity check).

Exact copies are grouped by their normalised hash first; MinHash LSH only proposes
near-copies, and every proposal is verified by the true Jaccard of the stored shingle sets,
so an LSH false positive never removes text. Matching is greedy, never transitive: text is
removed only when a *kept* paragraph or document verifiably covers it. Every order is
derived from ids, dates, positions and hash values, never from the order of shards.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from pipeline.atomic import write_text
from pipeline.document import Document
from pipeline.minhash import (
    SignatureTable,
    candidate_pairs,
    compute_signatures,
    jaccard,
    load_signatures,
    merge_tables,
    normalise,
    save_signatures,
    table_doc_ids,
)

__all__ = [
    "Decision",
    "SignatureTable",
    "apply_decision",
    "compute_signatures",
    "find_near_duplicates",
    "load_decisions",
    "load_signatures",
    "save_decisions",
    "save_signatures",
    "table_doc_ids",
]

REPEAT = "neardup.repeat"
TEMPLATE = "neardup.template"
CATEGORIES = {REPEAT: "duplicate", TEMPLATE: "template"}


class Decision(TypedDict, total=False):
    """What NearDup decided for one document; plain data so it round-trips through JSON."""

    remove: dict[int, str]  # original paragraph position -> rule id
    duplicate_of: str
    similarity: float


@dataclass
class _Groups:
    """Paragraphs grouped by exact normalised hash, plus verified near-copies between groups."""

    of_paragraph: np.ndarray  # group index of each paragraph
    neighbours: dict[int, set[int]]


def _group_paragraphs(table: SignatureTable, cfg: dict[str, Any]) -> _Groups:
    """Exact groups first; LSH over one representative per long group proposes near-copies.

    Representatives of a group are interchangeable (same normalised text), so the choice
    of one cannot depend on the shard order.
    """
    _, first, inverse = np.unique(table.para_exact, return_index=True, return_inverse=True)
    long_groups = np.flatnonzero(table.para_words[first] >= cfg["min_paragraph_words"])
    pairs = candidate_pairs(
        long_groups.tolist(), table.para_sig[first[long_groups]], cfg["paragraph_threshold"], cfg["seed"]
    )
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in sorted(pairs):
        sim = jaccard(table.paragraph_shingles(int(first[a])), table.paragraph_shingles(int(first[b])))
        if sim >= cfg["paragraph_threshold"]:
            neighbours[a].add(b)
            neighbours[b].add(a)
    return _Groups(of_paragraph=inverse.reshape(-1), neighbours=dict(neighbours))


def _doc_shingles(table: SignatureTable, d: int) -> np.ndarray:
    span = table.doc_paragraphs(d)
    return np.unique(table.shingles[table.shingle_offsets[span.start] : table.shingle_offsets[span.stop]])


def _rank_key(table: SignatureTable, d: int) -> tuple[bool, str, str]:
    """Earliest date wins, undated last, then the smallest id: independent of input order."""
    date = str(table.doc_dates[d])
    return (date == "", date, str(table.doc_ids[d]))


def _document_matches(table: SignatureTable, cfg: dict[str, Any]) -> dict[int, dict[int, float]]:
    """Verified document pairs: a document's MinHash is the element-wise minimum of its
    paragraphs' signatures, i.e. the MinHash of the union of their shingle sets."""
    docs = [d for d in range(len(table.doc_ids)) if len(table.doc_paragraphs(d))]
    sigs = np.empty((len(docs), table.para_sig.shape[1]), dtype=np.uint32)
    for row, d in enumerate(docs):
        sigs[row] = table.para_sig[table.doc_paragraphs(d)].min(axis=0)
    pairs = candidate_pairs(docs, sigs, cfg["document_threshold"], cfg["seed"])
    shingles: dict[int, np.ndarray] = {}
    matches: dict[int, dict[int, float]] = defaultdict(dict)
    for a, b in sorted(pairs):
        for d in (a, b):
            if d not in shingles:
                shingles[d] = _doc_shingles(table, d)
        sim = jaccard(shingles[a], shingles[b])
        if sim >= cfg["document_threshold"]:
            matches[a][b] = matches[b][a] = sim
    return matches


def _syndicated(table: SignatureTable, cfg: dict[str, Any]) -> dict[int, tuple[int, float]]:
    """Copies to reject, each pointing at the best-ranked kept document it matches.

    Greedy in rank order: a document matching only documents that were themselves
    rejected stays, because nothing kept covers its text.
    """
    matches = _document_matches(table, cfg)
    ranked = sorted(range(len(table.doc_ids)), key=lambda d: _rank_key(table, d))
    rank = {d: i for i, d in enumerate(ranked)}
    kept: set[int] = set()
    copies: dict[int, tuple[int, float]] = {}
    for d in ranked:
        covering = [o for o in matches.get(d, {}) if o in kept]
        if covering:
            winner = min(covering, key=rank.__getitem__)
            copies[d] = (winner, matches[d][winner])
        else:
            kept.add(d)
    return copies


def _templates(
    table: SignatureTable, groups: _Groups, alive: list[int], min_docs: int
) -> dict[int, set[int]]:
    """Per document, the paragraph groups that are template text on its site.

    A group is template for a site when it or a verified near-copy occurs in at least
    ``min_docs`` distinct kept documents of that site. Documents without a site never count.
    """
    docs_of: dict[int, set[int]] = defaultdict(set)
    for d in alive:
        for p in table.doc_paragraphs(d):
            docs_of[int(groups.of_paragraph[p])].add(d)
    found: dict[int, set[int]] = defaultdict(set)
    for g, own in docs_of.items():
        members = set(own)
        for n in groups.neighbours.get(g, ()):
            members |= docs_of.get(n, set())
        if len(members) < min_docs:
            continue
        per_site: dict[str, set[int]] = defaultdict(set)
        for d in members:
            if table.doc_sites[d]:
                per_site[str(table.doc_sites[d])].add(d)
        for d in own:
            if len(per_site.get(str(table.doc_sites[d]), ())) >= min_docs:
                found[d].add(g)
    return found


def _paragraph_removals(table: SignatureTable, groups: _Groups, d: int, template: set[int]) -> dict[int, str]:
    """Template paragraphs go; of repeats, the first copy in position order stays."""
    removals: dict[int, str] = {}
    kept: set[int] = set()
    for p in sorted(table.doc_paragraphs(d), key=lambda p: int(table.para_pos[p])):
        g, pos = int(groups.of_paragraph[p]), int(table.para_pos[p])
        if g in template:
            removals[pos] = TEMPLATE
        elif g in kept or groups.neighbours.get(g, set()) & kept:
            removals[pos] = REPEAT
        else:
            kept.add(g)
    return removals


def _check_unique_ids(table: SignatureTable) -> None:
    ids, counts = np.unique(table.doc_ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"document ids occur in more than one row: {ids[counts > 1][:5].tolist()}")


def find_near_duplicates(tables: Sequence[SignatureTable], cfg: dict[str, Any]) -> dict[str, Decision]:
    """Global decisions for the batch, keyed by document id; documents left alone are absent."""
    if not tables:
        return {}
    table = merge_tables(tables)
    _check_unique_ids(table)
    decisions: dict[str, Decision] = {}
    copies = _syndicated(table, cfg)
    for d, (winner, sim) in copies.items():
        kept_id = str(table.doc_ids[winner])
        decisions[str(table.doc_ids[d])] = {"duplicate_of": kept_id, "similarity": round(sim, 4)}
    alive = [d for d in range(len(table.doc_ids)) if d not in copies]
    groups = _group_paragraphs(table, cfg)
    templates = _templates(table, groups, alive, cfg["template_min_docs"])
    for d in alive:
        removals = _paragraph_removals(table, groups, d, templates.get(d, set()))
        if removals:
            decisions[str(table.doc_ids[d])] = {"remove": removals}
    return decisions


def save_decisions(decisions: dict[str, Decision], doc_ids: Sequence[str], path: Path) -> None:
    """The decisions for one shard's documents, as sorted JSON, written atomically."""
    subset = {i: _to_json(decisions[i]) for i in doc_ids if i in decisions}
    write_text(Path(path), json.dumps(subset, sort_keys=True, ensure_ascii=False, indent=1) + "\n")


def load_decisions(path: Path) -> dict[str, Decision]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {doc_id: _from_json(row) for doc_id, row in raw.items()}


def _to_json(decision: Decision) -> dict[str, Any]:
    row: dict[str, Any] = dict(decision)
    if "remove" in decision:
        row["remove"] = {str(pos): rule for pos, rule in decision["remove"].items()}
    return row


def _from_json(row: dict[str, Any]) -> Decision:
    decision: Decision = {}
    if "remove" in row:
        decision["remove"] = {int(pos): str(rule) for pos, rule in row["remove"].items()}
    if "duplicate_of" in row:
        decision["duplicate_of"] = str(row["duplicate_of"])
        decision["similarity"] = float(row.get("similarity", 1.0))
    return decision


def apply_decision(doc: Document, decision: Decision | None) -> Document:
    """Reject a syndicated copy, or drop the decided paragraphs by their original positions.

    A document left with no words once its template and repeats are gone is rejected, so
    no empty article reaches the output.
    """
    if decision is None or not doc.ok:
        return doc
    if "duplicate_of" in decision:
        doc.reject("duplicate", duplicate_of=decision["duplicate_of"], similarity=decision.get("similarity"))
        return doc
    remove = decision.get("remove", {})
    rules = {i: (remove[p], CATEGORIES[remove[p]]) for i, p in enumerate(doc.positions) if p in remove}
    doc.drop_paragraphs(rules)
    if rules and not any(normalise(p) for p in doc.paragraphs):
        doc.reject("empty_after_dedup", removed_paragraphs=len(rules))
    return doc
