"""Build a labelled near-duplicate benchmark from the AEB gold articles.

Why generated rather than collected: the NearDup stage has to tell syndicated copies and
site templates apart from articles that merely talk about the same thing, and no public
set labels all three on the same pages. So the article text is real (the 181 AEB gold
bodies, read in place and never copied into the repository) and only the mutations are
synthetic; each mutation imitates something news sites actually do, and each is labelled
by construction, so the labels are exact.

What counts as what (the definitions the scorer relies on):

* duplicate document pair: the same article republished, changed only the ways syndication
  changes it. Variant kinds (each variant lives on another, invented host):
  ``exact`` (verbatim copy), ``rewrap`` (the host's own header and footer lines plus an
  edited headline), ``sentence_added`` (one stock sentence appended to a paragraph),
  ``sentence_dropped`` (one sentence cut), ``reorder`` (two body paragraphs swapped),
  ``truncated`` (trailing text cut, keeping 85-95 % of the words; deeper cuts are teasers,
  which are ambiguous and not generated), ``quotes`` (curly <-> straight quotes and
  apostrophes), ``typos`` (2-6 letter-level typos) and ``syndicated`` (rewrap + quotes +
  typos + a dropped sentence at once). Every pair inside one cluster (original and its
  variants) is a true pair.
* template paragraph: a paragraph a site repeats on at least ``TEMPLATE_MIN_PAGES`` of its
  own pages (the site is the URL host). Template sites carry 2-4 boilerplate paragraphs
  (newsletter pitch, about-us blurb, disclaimer, ...) at the start or end of every page,
  one of them on some sites with a per-page number in it (a near-exact template). The same
  paragraph appearing once on another site's page is not a template there (must keep).
  Syndication hosts' own header/footer lines are templates by the same rule when the host
  has at least three pages carrying them.
* within-article repeat: the second copy of a paragraph pasted twice in one page
  (``repeat_subtitle``: a sentence used as a standfirst, pasted twice; ``repeat_lede``:
  the lede again after a share bar, sometimes with its quotes restyled; ``repeat_paragraph``:
  a body paragraph doubled by the CMS). Only the later copy is expected to go.
* must-not-merge pairs: ``shared_entity`` (two different gold articles naming the same
  person, company or place), ``partial_reuse`` (an article that quotes one whole paragraph
  of another), ``same_site_template`` (two pages of one template site, whose shared
  boilerplate must not make them look alike).
* must-keep paragraphs: the cross-site template appearances, the quoted paragraph of a
  partial reuse, and paragraphs the gold itself repeats (tables, embeds; the gold says
  they are article text).

Same seed, same input -> byte-identical ``docs.jsonl`` and ``labels.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "aeb" / "ground-truth.json"
DEFAULT_OUT = ROOT / "bench" / "work" / "neardup"
TEMPLATE_MIN_PAGES = 3  # mirrors [dedup] template_min_docs in configs/default.toml
VARIANT_KINDS = ("exact", "rewrap", "sentence_added", "sentence_dropped", "reorder", "truncated",
                 "quotes", "typos", "syndicated")
REPEAT_KINDS = ("repeat_subtitle", "repeat_lede", "repeat_paragraph")
N_SYNDICATED_ORIGINALS = 50
N_REPEAT_DOCS = 21
N_PARTIAL_REUSE = 10
N_SHARED_ENTITY = 20

LDQ, RDQ, LSQ, RSQ = "\u201c", "\u201d", "\u2018", "\u2019"

# Invented sites with page templates. Their paragraphs are written for this benchmark:
# generic, the way such blurbs read, each long enough (>= 5 words) to be matched fuzzily.
TEMPLATE_SITES: tuple[dict[str, Any], ...] = (
    {"host": "www.harborledger.example", "name": "The Harbor Ledger", "templates": [
        ("start", "Get the morning briefing from The Harbor Ledger: the five stories you need before "
                  "work, delivered to your inbox at 6 a.m. every weekday. Sign up free."),
        ("end", "The Harbor Ledger is an independent, reader-funded newsroom covering the coastal "
                "counties since 1998. We do not accept money from the people and companies we cover."),
        ("end", "Reader-supported journalism: this is story number {n} in our accountability series, "
                "made possible by members who give monthly. Members get early access to "
                "investigations, invitations to newsroom events and a quarterly print edition."),
    ]},
    {"host": "news.pinecrestdaily.example", "name": "Pinecrest Daily", "templates": [
        ("end", "Opinions expressed in guest pieces and quoted sources are their own and do not "
                "necessarily reflect the views of Pinecrest Daily or its editorial board."),
        ("end", "Have a news tip? Email the Pinecrest Daily newsroom or call our tip line; we read "
                "every message and protect the identity of confidential sources."),
    ]},
    {"host": "www.metroobserver.example", "name": "Metro Observer", "templates": [
        ("start", "Download the Metro Observer app for breaking news alerts, live coverage of city "
                  "hall and the full daily edition, free for subscribers on iOS and Android."),
        ("end", "This article may contain affiliate links. If you buy something through them, Metro "
                "Observer may earn a small commission at no extra cost to you."),
        ("end", "Corrections policy: Metro Observer corrects errors of fact promptly and notes the "
                "change at the foot of the article. Report an error through our contact page."),
        ("end", "Comments are moderated and may take up to 24 hours to appear. Please keep the "
                "discussion civil and on topic; personal attacks will be removed."),
    ]},
    {"host": "valleytimes-online.example", "name": "Valley Times Online", "templates": [
        ("start", "Valley Times Online is free to read thanks to our advertisers and readers. Consider "
                  "supporting local news with a subscription starting at three dollars a month."),
        ("end", "Filed under the {n} edition of our regional roundup. Valley Times Online staff "
                "writers compiled this report from interviews, public records and wire services."),
    ]},
    {"host": "www.northbridgepost.example", "name": "The Northbridge Post", "templates": [
        ("end", "Like what you read? The Northbridge Post weekend newsletter collects our best "
                "reporting, recipes and events in one email every Saturday morning."),
        ("end", "About us: The Northbridge Post has served readers across the northern suburbs for "
                "more than forty years with local news, sports and community announcements."),
        ("start", "The information in this article is provided for general purposes only and is not "
                  "legal, financial or medical advice; consult a qualified professional."),
    ]},
)

# Invented syndication hosts: a header line and a footer line each (the wrapper).
SYNDICATION_HOSTS: tuple[tuple[str, str, str, str], ...] = (
    ("www.rivertowncourier.example", "Rivertown Courier",
     "Rivertown Courier - Local news, weather and sports for the river towns",
     "Distributed by our content partners. Rivertown Courier republishes this story with "
     "permission; all rights remain with the original publisher."),
    ("dailywire-syndicate.example", "Daily Wire Syndicate",
     "Daily Wire Syndicate | Top stories from partner newsrooms, updated around the clock",
     "Daily Wire Syndicate aggregates reporting from partner publications. Contact the original "
     "outlet for corrections or reprint rights."),
    ("www.lakesideherald.example", "Lakeside Herald",
     "Lakeside Herald - Your community, your news, since 1974",
     "This story was shared with the Lakeside Herald through a regional news exchange and is "
     "reprinted here in full or in part."),
    ("newsfeed.summitgazette.example", "Summit Gazette",
     "Summit Gazette Newsfeed: national and world headlines",
     "Summit Gazette Newsfeed carries wire and partner content. Views and facts are those of the "
     "original publication and its reporters."),
    ("www.coastalreporter.example", "Coastal Reporter",
     "Coastal Reporter - News that matters along the coast",
     "Republished by the Coastal Reporter under a content sharing agreement. Photos and video "
     "from the original story may not appear here."),
    ("www.prairievoice.example", "Prairie Voice",
     "Prairie Voice | Independent news for the plains",
     "Prairie Voice brings you selected stories from trusted partner newsrooms across the country "
     "every day of the week."),
)

STOCK_SENTENCES = (
    "The company did not immediately respond to a request for comment.",
    "This story has been updated with additional details.",
    "Staff writers contributed reporting to this story.",
    "Officials said more information would be released later this week.",
    "A spokesperson declined to comment further when reached on Tuesday.",
    "Check back for updates as this story develops.",
)
SHARE_BAR = "Share this article: Facebook | Twitter | Email | Print"
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"\u201d\u2019)]))\s+(?=[\"\u201c\u2018(]?[A-Z0-9])")
_ENTITY = re.compile(r"(?<![.!?]\s)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")
_ENTITY_STOP = {"The", "A", "An", "In", "On", "At", "But", "And", "It", "This", "That", "He", "She", "They",
                "We", "I", "Mr", "Ms", "Mrs", "Dr", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December", "When", "If", "As", "For"}


@dataclass
class Doc:
    """One page of the benchmark, with what it is made of (its labels travel with it)."""

    key: str  # stable construction key; the public id is assigned after shuffling
    url: str
    paragraphs: list[str]
    role: str
    gold_id: str
    removals: list[tuple[str, str]] = field(default_factory=list)  # (text, kind)
    must_keep: list[tuple[str, str]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def paragraphs_of(body: str) -> list[str]:
    """Same split as the pipeline (one non-blank line, one paragraph), so labels match it."""
    return [line.strip() for line in body.splitlines() if line.strip()]


def word_count(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(paragraph) if s and s.strip()]


def shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i:i + k]) for i in range(max(len(words) - k + 1, 1))}


def jaccard(a: set[Any], b: set[Any]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def headline_from_url(url: str) -> str | None:
    """A headline recovered from the URL slug: the gold bodies have none, and a headline is
    what syndicating sites edit first, so the ``rewrap`` variants need one to edit."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return None
    slug = unquote(re.sub(r"\.(html?|php|aspx?)$", "", segments[-1]))
    words = [w for w in re.split(r"[-_]+", slug) if w]
    while words and any(c.isdigit() for c in words[-1]):
        words.pop()
    while words and any(c.isdigit() for c in words[0]) and len(words[0]) > 4:
        words.pop(0)
    if len(words) < 4 or not all(w.isascii() and w.isalnum() for w in words):
        return None
    words = words[:14]
    return " ".join([words[0].capitalize(), *words[1:]])


def edit_headline(headline: str, site: str, rng: random.Random) -> str:
    """Edits syndicating sites make to a headline: site suffix, prefix, title case, a cut."""
    words = headline.split()
    choice = rng.randrange(4)
    if choice == 0:
        return f"{headline} | {site}"
    if choice == 1:
        return f"UPDATED: {headline}"
    if choice == 2:
        return " ".join(w.capitalize() for w in words)
    return " ".join(words[:-2]) + f" - {site}" if len(words) > 5 else f"{headline} - {site}"


def swap_quotes(text: str) -> str:
    """Curly to straight when the text has curly quotes, else straight to curly."""
    if any(c in text for c in (LDQ, RDQ, LSQ, RSQ)):
        for curly, straight in ((LDQ, '"'), (RDQ, '"'), (LSQ, "'"), (RSQ, "'")):
            text = text.replace(curly, straight)
        return text
    text = re.sub(r"(?<=\w)'(?=\w)", RSQ, text)
    text = re.sub(r'"(?=\w)', LDQ, text)
    text = re.sub(r"(?<=\S)\"", RDQ, text)
    text = re.sub(r"'(?=\w)", LSQ, text)
    return re.sub(r"(?<=\S)'", RSQ, text)


def add_typos(paragraphs: list[str], rng: random.Random, count: int) -> list[str]:
    """Letter-level typos (swap, drop, double) in ``count`` distinct words of >= 5 letters."""
    slots = [(i, j) for i, p in enumerate(paragraphs) for j, w in enumerate(p.split(" "))
             if len(w) >= 5 and w.isalpha()]
    out = [p.split(" ") for p in paragraphs]
    for i, j in sorted(rng.sample(slots, min(count, len(slots)))):
        w = out[i][j]
        k = rng.randrange(1, len(w) - 2)
        op = rng.randrange(3)
        if op == 0 and w[k] != w[k + 1]:
            w = w[:k] + w[k + 1] + w[k] + w[k + 2:]
        elif op == 1:
            w = w[:k] + w[k + 1:]
        else:
            w = w[:k] + w[k] + w[k:]
        out[i][j] = w
    return [" ".join(words) for words in out]


def drop_sentence(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Cut one non-first sentence from a body paragraph that has several."""
    multi = [i for i, p in enumerate(paragraphs) if i > 0 and len(sentences(p)) >= 2]
    if not multi:
        multi = [i for i, p in enumerate(paragraphs) if len(sentences(p)) >= 2]
    out = list(paragraphs)
    if not multi:
        del out[rng.randrange(1, len(out))]  # no multi-sentence paragraph: a one-sentence one goes
        return out
    i = rng.choice(multi)
    parts = sentences(out[i])
    del parts[rng.randrange(1, len(parts))]
    out[i] = " ".join(parts)
    return out


def truncate(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Keep the first 85-95 % of the words: whole trailing paragraphs go first, then trailing
    sentences of the last kept paragraph, as a site cutting to a length limit does."""
    total = word_count(paragraphs)
    floor = total * rng.uniform(0.85, 0.95)
    out = list(paragraphs)
    while len(out) > 1 and word_count(out[:-1]) >= floor:
        out.pop()
    parts = sentences(out[-1])
    while len(parts) > 1 and word_count([*out[:-1], " ".join(parts[:-1])]) >= floor:
        parts.pop()
    out[-1] = " ".join(parts)
    if word_count(out) == total:  # one long closing sentence: cut it at the length limit
        words = out[-1].split()
        cut = max(1, round(len(words) - (total - floor)))
        out[-1] = " ".join(words[:cut]) + "\u2026"
    return out


class Builder:
    """Assigns gold articles to roles and builds every page with its labels."""

    def __init__(self, gold: dict[str, dict[str, str]], seed: int) -> None:
        self.gold = gold
        self.rng = random.Random(seed)
        self.docs: list[Doc] = []
        self.clusters: list[tuple[str, list[tuple[str, str]]]] = []  # original key, [(variant key, kind)]
        self.must_not: list[tuple[str, str, str, str]] = []  # key a, key b, kind, evidence
        self.page_no: Counter[str] = Counter()
        self.headlines = {g: headline_from_url(v["url"]) for g, v in gold.items()}

    def body(self, gold_id: str) -> list[str]:
        return paragraphs_of(self.gold[gold_id]["articleBody"])

    def with_headline(self, gold_id: str) -> list[str]:
        headline = self.headlines[gold_id]
        return ([headline] if headline else []) + self.body(gold_id)

    def url_on(self, host: str, gold_id: str) -> str:
        self.page_no[host] += 1
        slug = (self.headlines[gold_id] or "story").lower().replace(" ", "-")[:60]
        return f"https://{host}/2024/{self.page_no[host]:03d}/{slug}"

    def add(self, doc: Doc) -> Doc:
        self.docs.append(doc)
        return doc

    # --- role assignment -------------------------------------------------------------
    def assign(self) -> dict[str, list[str]]:
        ids = sorted(self.gold)
        self.rng.shuffle(ids)

        def natural_repeats(g: str) -> bool:
            ps = self.body(g)
            return len(set(ps)) < len(ps)

        def has_quotes(g: str) -> bool:
            return bool(re.search("[\"'\u201c\u201d\u2018\u2019]", self.gold[g]["articleBody"]))

        def take(pred: Any, n: int) -> list[str]:
            chosen = [g for g in ids if pred(g)][:n]
            for g in chosen:
                ids.remove(g)
            return chosen

        roles: dict[str, list[str]] = {}
        roles["syndicated"] = take(lambda g: word_count(self.body(g)) >= 150 and len(self.body(g)) >= 4
                                   and not natural_repeats(g) and has_quotes(g), N_SYNDICATED_ORIGINALS)
        roles["repeat"] = take(lambda g: len(self.body(g)) >= 4 and not natural_repeats(g)
                               and len(self.body(g)[0].split()) >= 12, N_REPEAT_DOCS)
        roles["partial_reuse"] = take(lambda g: len(self.body(g)) >= 3 and word_count(self.body(g)) >= 120,
                                      N_PARTIAL_REUSE)
        n_pages = [self.rng.randint(6, 10) for _ in TEMPLATE_SITES]
        roles["template"] = take(lambda g: True, sum(n_pages))
        roles["plain"] = sorted(ids)
        self.n_pages = n_pages
        return roles

    # --- builders ---------------------------------------------------------------------
    def build_syndication(self, originals: list[str]) -> None:
        sizes = [self.rng.choice((1, 2, 2, 3)) for _ in originals]
        kinds = [VARIANT_KINDS[i % len(VARIANT_KINDS)] for i in range(sum(sizes))]
        self.rng.shuffle(kinds)
        it = iter(kinds)
        for n, gold_id in enumerate(originals):
            orig = self.add(Doc(f"orig-{n:03d}", self.gold[gold_id]["url"], self.with_headline(gold_id),
                                "original", gold_id))
            hosts = self.rng.sample(range(len(SYNDICATION_HOSTS)), sizes[n])
            variants = []
            for v, h in enumerate(hosts):
                kind = next(it)
                host, site, header, footer = SYNDICATION_HOSTS[h]
                paras = self.variant(gold_id, kind, site, header, footer)
                doc = self.add(Doc(f"var-{n:03d}-{v}", self.url_on(host, gold_id), paras, f"variant:{kind}",
                                   gold_id))
                if kind in ("rewrap", "syndicated"):
                    doc.removals += [(header, "template_wrapper"), (footer, "template_wrapper")]
                variants.append((doc.key, kind))
            self.clusters.append((orig.key, variants))

    def variant(self, gold_id: str, kind: str, site: str, header: str, footer: str) -> list[str]:
        rng = self.rng
        headline = self.headlines[gold_id]
        body = self.body(gold_id)
        top = [headline] if headline else []
        if kind == "exact":
            return top + body
        if kind == "sentence_added":
            i = rng.randrange(len(body))
            body = list(body)
            body[i] = f"{body[i]} {rng.choice(STOCK_SENTENCES)}"
            return top + body
        if kind == "sentence_dropped":
            return top + drop_sentence(body, rng)
        if kind == "reorder":
            i, j = sorted(rng.sample(range(1, len(body)), 2))
            body = list(body)
            body[i], body[j] = body[j], body[i]
            return top + body
        if kind == "truncated":
            return top + truncate(body, rng)
        if kind == "quotes":
            return [swap_quotes(p) for p in top + body]
        if kind == "typos":
            return top + add_typos(body, rng, max(2, min(6, word_count(body) // 150)))
        lede_words = " ".join(body[0].split()[:9])
        new_top = [edit_headline(headline, site, rng)] if headline else [f"{site}: {lede_words}"]
        if kind == "rewrap":
            return [header, *new_top, *body, footer]
        if kind == "syndicated":
            body = drop_sentence([swap_quotes(p) for p in body], rng)
            body = add_typos(body, rng, 2)
            return [header, *new_top, *body, footer]
        raise ValueError(kind)

    def build_templates(self, pages: list[str]) -> None:
        it = iter(pages)
        for s, (site, n_pages) in enumerate(zip(TEMPLATE_SITES, self.n_pages, strict=True)):
            keys = []
            for p in range(n_pages):
                gold_id = next(it)
                start: list[str] = []
                end: list[str] = []
                removals = []
                for place, template in site["templates"]:
                    text = template.format(n=1000 + 37 * s + 11 * p) if "{n}" in template else template
                    (start if place == "start" else end).append(text)
                    removals.append((text, "template_near" if "{n}" in template else "template"))
                top = self.with_headline(gold_id)[:1] if self.headlines[gold_id] else []
                paras = [*top, *start, *self.body(gold_id), *end]
                doc = self.add(Doc(f"tpl-{s}-{p:02d}", self.url_on(site["host"], gold_id), paras,
                                   "template_page", gold_id, removals=removals))
                keys.append(doc.key)
            for a, b in itertools.combinations(keys, 2):
                self.must_not.append((a, b, "same_site_template", site["host"]))

    def build_cross_site(self) -> None:
        """Three template paragraphs, each placed once on a page of another site: not a template there."""
        tpl_pages = [d for d in self.docs if d.role == "template_page"]
        plain = [d for d in self.docs if d.role == "plain"]
        for s in range(3):
            site = TEMPLATE_SITES[s]
            text = next(t for _, t in site["templates"] if "{n}" not in t)
            if s == 1:  # once on another template site's page
                target = next(d for d in tpl_pages if d.host != site["host"] and not d.must_keep)
            else:
                target = plain[s * 7 % len(plain)]
            pos = len(target.paragraphs) if s != 2 else 1 + len(target.paragraphs) // 2
            target.paragraphs.insert(pos, text)
            target.must_keep.append((text, "cross_site_template"))

    def build_repeats(self, gold_ids: list[str]) -> None:
        for n, gold_id in enumerate(gold_ids):
            kind = REPEAT_KINDS[n % len(REPEAT_KINDS)]
            top = [self.headlines[gold_id]] if self.headlines[gold_id] else []
            body = self.body(gold_id)
            removals: list[tuple[str, str]] = []
            if kind == "repeat_subtitle":
                # a sentence of a longer paragraph, so the standfirst is not itself a third copy
                candidates = [s for p in body[1:] if len(sentences(p)) >= 2 for s in sentences(p)
                              if 8 <= len(s.split()) <= 30 and s.strip() != p.strip()]
                subtitle = candidates[0] if candidates else " ".join(body[1].split()[:20])
                paras = [*top, subtitle, subtitle, *body]
                removals.append((subtitle, kind))
            elif kind == "repeat_lede":
                lede = body[0]
                again = swap_quotes(lede) if (n // len(REPEAT_KINDS)) % 2 else lede
                paras = [*top, lede, SHARE_BAR, again, *body[1:]]
                removals.append((again, kind))
            else:
                i = self.rng.randrange(1, len(body) - 1)
                paras = [*top, *body[: i + 1], body[i], *body[i + 1:]]
                removals.append((body[i], kind))
            self.add(Doc(f"rep-{n:03d}", self.gold[gold_id]["url"], paras, kind, gold_id, removals=removals))

    def build_partial_reuse(self, gold_ids: list[str]) -> None:
        sources = [d for d in self.docs if d.role == "plain" and not d.must_keep]
        for n, gold_id in enumerate(gold_ids):
            src = sources[(n * 5) % len(sources)]
            quoted = max((p for p in src.paragraphs if len(p.split()) >= 25), key=len, default=None)
            if quoted is None:
                quoted = max(src.paragraphs, key=len)
            body = self.body(gold_id)
            pos = 1 + self.rng.randrange(len(body) - 1)
            top = [self.headlines[gold_id]] if self.headlines[gold_id] else []
            paras = [*top, *body[:pos], quoted, *body[pos:]]
            doc = self.add(Doc(f"reuse-{n:03d}", self.gold[gold_id]["url"], paras, "partial_reuse", gold_id,
                               must_keep=[(quoted, "partial_reuse")]))
            src.must_keep.append((quoted, "partial_reuse"))
            self.must_not.append((src.key, doc.key, "partial_reuse", quoted[:80]))

    def build_plain(self, gold_ids: list[str]) -> None:
        for n, gold_id in enumerate(gold_ids):
            url = self.gold[gold_id]["url"]
            self.add(Doc(f"plain-{n:03d}", url, self.with_headline(gold_id), "plain", gold_id))

    def pick_shared_entity_pairs(self) -> None:
        """The hardest negatives: different articles that name the same entity, most similar first."""
        singles = [d for d in self.docs if d.role in ("original", "plain", "partial_reuse", "template_page")
                   or d.role.startswith("repeat")]
        entities = {d.key: {e for e in _ENTITY.findall(" ".join(self.body(d.gold_id)))
                            if e.split()[0] not in _ENTITY_STOP} for d in singles}
        sh = {d.key: shingles(" ".join(self.body(d.gold_id))) for d in singles}
        taken = {(a, b) for a, b, _, _ in self.must_not}
        scored = []
        for a, b in itertools.combinations(singles, 2):
            if a.gold_id == b.gold_id or a.host == b.host or (a.key, b.key) in taken:
                continue
            shared = entities[a.key] & entities[b.key]
            if shared:
                scored.append((-jaccard(sh[a.key], sh[b.key]), a.key, b.key, sorted(shared)[0]))
        scored.sort()
        used: Counter[str] = Counter()
        for _, a, b, entity in scored:
            if used[a] < 2 and used[b] < 2:
                self.must_not.append((a, b, "shared_entity", entity))
                used.update((a, b))
            if sum(1 for m in self.must_not if m[2] == "shared_entity") >= N_SHARED_ENTITY:
                break

    def label_wrapper_templates(self) -> None:
        """A syndication host's header/footer is a template only where the host repeats it on
        at least TEMPLATE_MIN_PAGES pages; below that it is ordinary page text."""
        pages: Counter[tuple[str, str]] = Counter()
        for d in self.docs:
            for text in set(d.paragraphs):
                pages[(d.host, text)] += 1
        for d in self.docs:
            d.removals = [(t, k) for t, k in d.removals
                          if k != "template_wrapper" or pages[(d.host, t)] >= TEMPLATE_MIN_PAGES]

    def label_natural_repeats(self) -> None:
        """Lines the gold itself repeats, exactly or nearly (table headers, product lists, tweet
        embeds): the gold says they are article text, so removing one is a false positive."""
        for d in self.docs:
            body = self.body(d.gold_id)
            keys = [" ".join(re.sub(r"[^\w\s]", " ", p.casefold()).split()) for p in body]
            sets = [shingles(k) for k in keys]
            repeated: set[int] = set()
            for i, j in itertools.combinations(range(len(body)), 2):
                if keys[i] == keys[j] or (len(sets[i]) >= 3 and jaccard(sets[i], sets[j]) >= 0.5):
                    repeated.update((i, j))
            for text in sorted({body[i] for i in repeated}):
                d.must_keep.append((text, "gold_repeat"))

    def check(self) -> None:
        """Cheap guards that the construction matches the definitions."""
        pages: dict[tuple[str, str], set[str]] = defaultdict(set)
        for d in self.docs:
            for text in d.paragraphs:
                pages[(d.host, text)].add(d.key)
        for d in self.docs:
            for text, kind in d.removals:
                assert text in d.paragraphs, (d.key, text)
                if kind in ("template", "template_wrapper"):
                    assert len(pages[(d.host, text)]) >= TEMPLATE_MIN_PAGES, (d.key, text)
            for text, kind in d.must_keep:
                if kind == "cross_site_template":
                    assert len(pages[(d.host, text)]) == 1, (d.key, text)
        assert len({d.url for d in self.docs}) == len(self.docs), "urls must be unique"


def build(gold: dict[str, dict[str, str]], seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    bld = Builder(gold, seed)
    roles = bld.assign()
    bld.build_syndication(roles["syndicated"])
    bld.build_plain(roles["plain"])
    bld.build_templates(roles["template"])
    bld.build_cross_site()
    bld.build_repeats(roles["repeat"])
    bld.build_partial_reuse(roles["partial_reuse"])
    bld.pick_shared_entity_pairs()
    bld.label_wrapper_templates()
    bld.label_natural_repeats()
    bld.check()

    order = list(bld.docs)
    bld.rng.shuffle(order)  # originals must not always come first: keep-first policies get no help
    ids = {d.key: f"nd{i:04d}" for i, d in enumerate(order)}
    docs = [{"id": ids[d.key], "text": "\n".join(d.paragraphs), "url": d.url} for d in order]

    pairs = []
    for orig, variants in bld.clusters:
        pairs += [{"a": ids[orig], "b": ids[v], "kind": kind} for v, kind in variants]
        for (v1, k1), (v2, k2) in itertools.combinations(variants, 2):
            detail = "+".join(sorted((k1, k2)))
            pairs.append({"a": ids[v1], "b": ids[v2], "kind": "co_variant", "detail": detail})
    for p in pairs:
        p["a"], p["b"] = sorted((p["a"], p["b"]))
    pairs.sort(key=lambda p: (p["a"], p["b"]))
    must_not = sorted(({"a": min(ids[a], ids[b]), "b": max(ids[a], ids[b]), "kind": k, "evidence": e}
                       for a, b, k, e in bld.must_not), key=lambda p: (p["a"], p["b"]))
    by_id = sorted(order, key=lambda d: ids[d.key])
    removals = {ids[d.key]: [t for t, _ in d.removals] for d in by_id if d.removals}
    removal_kinds = {ids[d.key]: [k for _, k in d.removals] for d in by_id if d.removals}
    keep = {ids[d.key]: [{"text": t, "kind": k} for t, k in d.must_keep] for d in by_id if d.must_keep}
    counts = {
        "documents": len(docs),
        "roles": dict(sorted(Counter(d.role for d in bld.docs).items())),
        "clusters": len(bld.clusters),
        "duplicate_pairs_by_kind": dict(sorted(Counter(p["kind"] for p in pairs).items())),
        "duplicate_pairs": len(pairs),
        "paragraph_removals_by_kind": dict(sorted(Counter(k for d in bld.docs for _, k in d.removals)
                                                  .items())),
        "must_not_merge_by_kind": dict(sorted(Counter(m["kind"] for m in must_not).items())),
        "must_keep_by_kind": dict(sorted(Counter(k for d in bld.docs for _, k in d.must_keep).items())),
    }
    labels = {
        "seed": seed,
        "template_min_pages": TEMPLATE_MIN_PAGES,
        "counts": counts,
        "documents": {ids[d.key]: {"role": d.role, "gold_id": d.gold_id, "host": d.host} for d in by_id},
        "clusters": [{"original": ids[o], "variants": [{"id": ids[v], "kind": k} for v, k in vs]}
                     for o, vs in bld.clusters],
        "duplicate_pairs": pairs,
        "paragraph_removals": removals,
        "paragraph_removal_kinds": removal_kinds,
        "must_not_merge": must_not,
        "paragraph_must_keep": keep,
    }
    return docs, labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="AEB ground-truth.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (git-ignored)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.gold.is_file():
        print(f"make_neardup: gold file not found: {args.gold}", file=sys.stderr)
        return 2
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    docs, labels = build(gold, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n" for d in docs)
    (args.out / "docs.jsonl").write_text(lines, encoding="utf-8")
    labels_text = json.dumps(labels, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    (args.out / "labels.json").write_text(labels_text, encoding="utf-8")
    digest = hashlib.sha256(lines.encode()).hexdigest()[:12]
    print(f"make_neardup: {len(docs)} documents (docs.jsonl sha256 {digest}), seed {args.seed} -> {args.out}")
    print(json.dumps(labels["counts"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
