"""Build a scraped-news corpus of any size for the throughput benchmark (issue #6).

Why generated: a throughput figure is only worth something on input that costs what real
input costs, and the project has 181 real pages, not 100,000. So every piece of text here
is real and only the assembly is synthetic:

* article paragraphs are re-cut from the AEB gold bodies (real sentences, real lengths):
  each article takes most of its sentences from one gold article and the rest from the
  whole pool, so paragraphs rarely repeat by accident and NearDup sees a realistic share
  of unique text rather than 181 articles copied 500 times;
* boilerplate is real: the lines AEB labels ``boilerplate`` (menus, share bars, footers);
* ~50 invented sites each repeat a few of those lines as their page template on every
  article, the way a CMS does (what the template and NearDup passes exist for);
* ~5% syndicated near-copies (a recent article re-published on another site, lightly
  edited), ~2% mojibake (one paragraph encoded UTF-8, decoded cp1252), ~5% non-English
  articles (Leipzig sentences from ``langid-sentences``), ~10% HTML: mostly a generated
  page with nav, related links and footer, a share of them the real AEB pages (big, real
  markup, the expensive case for trafilatura).

The data is read in place from ``/work/shared/data`` (never copied into the repository).

Output (``--out DIR``):

* ``DIR/input/``: what ``newsclean run`` reads, in the formats it supports: JSONL shards
  (``jsonl/part-*.jsonl.gz``, ``{"id", "url", "text"|"html"}``), one ``.txt`` file per
  article for a share of the text documents (``txt/NNNNN/<id>.txt``) and WARC response
  records for half the HTML pages (``warc/part-*.warc.gz``);
* ``DIR/jsonl-form/part-*.jsonl.gz``: the same documents, same ids, all as JSONL, for the
  library floor and the datatrove peer (which read JSONL);
* ``DIR/manifest.json``: seed, counts by kind and format, bytes; deterministic.

Streaming: documents are written as they are made; only the source data (~30 MB) and a
bounded ring of recent articles (for syndication) stay in memory, so ``--docs 1000000``
works. Same seed, same data -> byte-identical files (gzip and WARC headers carry no clock).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import random
import re
import sys
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
GENERATOR_VERSION = 1

# Shares of the document mix (issue #6). Decided per document with one draw each.
SHARE_HTML = 0.10
SHARE_HTML_AEB = 0.30  # of the HTML pages: real AEB pages (the rest are generated pages)
SHARE_SYNDICATED = 0.05
SHARE_NON_ENGLISH = 0.05
SHARE_MOJIBAKE = 0.02
SHARE_TXT_FILES = 0.10  # of the text documents: one .txt file each (the rest go to JSONL)
SHARE_WARC = 0.50  # of the HTML pages: WARC records (the rest go to JSONL "html")
N_SITES = 50
RECENT = 500  # ring of recent articles that syndicated copies are drawn from
JSONL_PART = 1_000  # documents per JSONL part file (datatrove hands whole files to its tasks)
WARC_PART = 2_000  # records per WARC part file
TXT_FOLDER = 1_000  # .txt files per folder

SENTENCE_END = re.compile(r"(?<=[.!?\u2026\"\u201d])\s+(?=[\"\u201c\u2018A-Z0-9])")
WORDS_A = ("north", "river", "harbor", "valley", "capital", "metro", "coast", "prairie", "summit", "lake",
           "city", "union", "frontier", "evening", "morning", "central", "pacific", "atlantic", "granite", "iron")
WORDS_B = ("times", "post", "herald", "ledger", "tribune", "gazette", "courier", "chronicle", "observer",
           "dispatch", "journal", "sentinel", "register", "record", "star", "news", "bulletin", "review")
TLDS = ("com", "com", "com", "net", "org", "co.uk", "com.au", "news")
SECTIONS = ("news", "world", "business", "politics", "tech", "sport", "culture", "science", "opinion", "local")
STOCK_ADDITIONS = (
    "This article originally appeared on a partner site and is republished here with permission.",
    "Reporting contributed by wire services. Edited for length.",
    "Copyright the original publisher. Distributed by a news syndication service.",
)


@dataclass
class Site:
    host: str
    name: str
    header: list[str]
    footer: list[str]


@dataclass
class Sources:
    """Everything the generator draws from, loaded once (a fixed size, whatever --docs is)."""

    articles: list[list[list[str]]]  # gold article -> paragraphs -> sentences
    sentences: list[str]
    nav_lines: list[str]  # short boilerplate lines (menus, labels)
    long_lines: list[str]  # longer boilerplate lines (teasers, footers, notices)
    aeb_pages: list[Path]
    aeb_urls: dict[str, str]
    lang_files: dict[str, Path]
    _lang_cache: dict[str, list[str]] = field(default_factory=dict)
    _page_cache: dict[Path, bytes] = field(default_factory=dict)

    def lang_sentences(self, lang: str) -> list[str]:
        if lang not in self._lang_cache:
            with gzip.open(self.lang_files[lang], "rt", encoding="utf-8") as fh:
                self._lang_cache[lang] = [s.strip() for s in fh if s.strip()]
        return self._lang_cache[lang]

    def page(self, path: Path) -> bytes:
        if path not in self._page_cache:
            self._page_cache[path] = gzip.decompress(path.read_bytes())
        return self._page_cache[path]


def load_sources(data: Path) -> Sources:
    gold = json.loads((data / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    articles: list[list[list[str]]] = []
    for key in sorted(gold):
        paras = [p.strip() for p in gold[key]["articleBody"].split("\n") if len(p.strip()) >= 40]
        cut = [[s for s in SENTENCE_END.split(p) if s.strip()] for p in paras]
        if sum(len(p) for p in cut) >= 4:
            articles.append(cut)
    sentences = [s for art in articles for p in art for s in p]
    nav, long_ = set(), set()
    with gzip.open(data / "aeb-lines.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["label"] != "boilerplate":
                continue
            text = row["line"].strip()
            if 2 <= len(text) <= 40:
                nav.add(text)
            elif 40 < len(text) <= 200:
                long_.add(text)
    pages = sorted((data / "aeb" / "html").glob("*.html.gz"))
    langs = {p.name.split(".")[0]: p for p in sorted((data / "langid-sentences").glob("*.txt.gz"))}
    langs.pop("en", None)
    return Sources(articles, sentences, sorted(nav), sorted(long_), pages,
                   {k: v["url"] for k, v in gold.items()}, langs)


def make_sites(rng: random.Random, src: Sources) -> list[Site]:
    """~50 invented hosts; each repeats 3-6 nav lines on top and 1-3 long lines at the bottom."""
    sites, seen = [], set()
    while len(sites) < N_SITES:
        a, b, tld = rng.choice(WORDS_A), rng.choice(WORDS_B), rng.choice(TLDS)
        host = f"www.{a}{b}.{tld}"
        if host in seen:
            continue
        seen.add(host)
        header = rng.sample(src.nav_lines, rng.randint(3, 6))
        footer = rng.sample(src.long_lines, rng.randint(1, 3))
        sites.append(Site(host, f"The {a.title()} {b.title()}", header, footer))
    return sites


@dataclass
class Article:
    title: str
    paragraphs: list[str]


def make_article(rng: random.Random, src: Sources) -> Article:
    """Real sentences re-cut into new paragraphs: ~60% from one gold article, the rest from anywhere."""
    base = rng.choice(src.articles)
    base_sents = [s for p in base for s in p]
    n_paras = rng.randint(4, 14)
    paras = []
    for _ in range(n_paras):
        k = rng.choice((1, 2, 2, 3, 3, 4))
        sents = [rng.choice(base_sents) if rng.random() < 0.6 else rng.choice(src.sentences) for _ in range(k)]
        paras.append(" ".join(sents))
    words = rng.choice(base_sents).rstrip(".!?\"\u201d").split()
    title = " ".join(words[: rng.randint(6, 12)])
    return Article(title, paras)


def make_foreign(rng: random.Random, src: Sources) -> tuple[Article, str]:
    lang = rng.choice(sorted(src.lang_files))
    pool = src.lang_sentences(lang)
    paras = [" ".join(rng.sample(pool, rng.randint(2, 4))) for _ in range(rng.randint(3, 9))]
    return Article(" ".join(rng.choice(pool).split()[:8]), paras), lang


def syndicate(rng: random.Random, original: Article) -> Article:
    """A republished copy: a sentence dropped, quotes restyled or a stock line added."""
    paras = list(original.paragraphs)
    if rng.random() < 0.5 and len(paras) > 2:
        i = rng.randrange(len(paras))
        sents = SENTENCE_END.split(paras[i])
        if len(sents) > 1:
            sents.pop(rng.randrange(len(sents)))
            paras[i] = " ".join(sents)
    if rng.random() < 0.3:
        table = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
        paras = [p.translate(table) for p in paras]
    if rng.random() < 0.5:
        paras.append(rng.choice(STOCK_ADDITIONS))
    return Article(original.title, paras)


def mojibake(rng: random.Random, article: Article) -> Article:
    """One paragraph with non-ASCII text read back as cp1252: the classic double encoding."""
    paras = list(article.paragraphs)
    candidates = [i for i, p in enumerate(paras) if not p.isascii()]
    if candidates:
        i = rng.choice(candidates)
    else:
        i = rng.randrange(len(paras))
        paras[i] = paras[i].replace("'", "\u2019").replace(" - ", " \u2014 ") + " \u2014 caf\u00e9"
    paras[i] = paras[i].encode("utf-8").decode("cp1252", errors="replace")
    return Article(article.title, paras)


def url_for(rng: random.Random, site: Site, title: str, n: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "article"
    return f"https://{site.host}/{rng.choice(SECTIONS)}/{2019 + n % 6}/{1 + n % 12:02d}/{slug}-{n}"


def render_text(rng: random.Random, site: Site, art: Article, src: Sources) -> str:
    """Full-page scraped text: template header, title, body with stray chrome lines, template footer."""
    lines = [*site.header, art.title, ""]
    for p in art.paragraphs:
        lines += [p, ""]
        if rng.random() < 0.12:
            lines += [rng.choice(rng.choice((site.header, site.footer))) if rng.random() < 0.3
                      else rng.choice(src.long_lines), ""]
    lines += site.footer
    return "\n".join(lines) + "\n"


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_html(rng: random.Random, site: Site, art: Article, url: str, src: Sources) -> str:
    """A simple but realistic page: head with scripts and JSON-LD, nav, article, related links, footer."""
    nav = "".join(f'<li><a href="/{SECTIONS[i % len(SECTIONS)]}">{esc(t)}</a></li>' for i, t in enumerate(site.header))
    related = "".join(f'<li><a href="/r/{i}">{esc(t)}</a></li>'
                      for i, t in enumerate(rng.sample(src.long_lines, 4)))
    body = "\n".join(f"<p>{esc(p)}</p>" for p in art.paragraphs)
    footer = "".join(f"<p>{esc(t)}</p>" for t in site.footer)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": art.title,
                     "url": url, "publisher": {"@type": "Organization", "name": site.name}})
    tracker = int(hashlib.md5(site.host.encode()).hexdigest()[:7], 16)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{esc(art.title)} | {site.name}</title>\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="https://{site.host}/static/main.css">\n'
        f'<script type="application/ld+json">{ld}</script>\n'
        f"<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}"
        f"gtag('js',new Date());gtag('config','UA-{tracker}');</script>\n"
        f'</head><body class="article-page">\n<header class="site-header"><a class="logo" href="/">{site.name}</a>\n'
        f'<nav class="main-nav"><ul>{nav}</ul></nav></header>\n'
        f'<main><article><h1 class="headline">{esc(art.title)}</h1>\n'
        f'<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a></div>\n'
        f'<div class="article-body">\n{body}\n</div></article>\n'
        f'<aside class="related"><h2>Related</h2><ul>{related}</ul></aside></main>\n'
        f'<footer class="site-footer">{footer}<p>&copy; {site.name}</p></footer>\n</body></html>\n'
    )


class PartWriter:
    """Gzip JSONL rotated every ``per_part`` rows; gzip header with mtime 0, so bytes are reproducible."""

    def __init__(self, folder: Path, per_part: int) -> None:
        self.folder, self.per_part, self.rows, self.part = folder, per_part, 0, -1
        self.fh: IO[bytes] | None = None
        self.raw: IO[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, row: dict[str, Any]) -> None:
        if self.fh is None or self.rows % self.per_part == 0:
            self.close()
            self.part += 1
            self.raw = open(self.folder / f"part-{self.part:05d}.jsonl.gz", "wb")  # noqa: SIM115
            self.fh = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=6)
        self.fh.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self.rows += 1

    def close(self) -> None:
        if self.fh is not None and self.raw is not None:
            self.fh.close()
            self.raw.close()
            self.fh = self.raw = None


class WarcParts:
    """HTML response records, rotated every WARC_PART records; record ids and dates fixed by the seed."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.records, self.part = folder, 0, -1
        self.raw: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, record_uuid: str, url: str, body: bytes, n: int) -> None:
        if self.writer is None or self.records % WARC_PART == 0:
            self.close()
            self.part += 1
            self.raw = open(self.folder / f"part-{self.part:05d}.warc.gz", "wb")  # noqa: SIM115
            self.writer = WARCWriter(self.raw, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        date = f"20{19 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z"
        record = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
            warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:{record_uuid}>", "WARC-Date": date})
        self.writer.write_record(record)
        self.records += 1

    def close(self) -> None:
        if self.raw is not None:
            self.raw.close()
            self.raw = self.writer = None


def doc_uuid(seed: int, n: int) -> str:
    return str(uuid.UUID(bytes=hashlib.md5(f"newsclean-corpus:{seed}:{n}".encode()).digest()))


def generate(n_docs: int, seed: int, out: Path, data: Path, jsonl_form: bool = True) -> dict[str, Any]:
    """Write the corpus; returns the manifest (also written to out/manifest.json)."""
    src = load_sources(data)
    rng = random.Random(seed)
    sites = make_sites(rng, src)
    inp = out / "input"
    jsonl = PartWriter(inp / "jsonl", JSONL_PART)
    form = PartWriter(out / "jsonl-form", JSONL_PART) if jsonl_form else None
    warc = WarcParts(inp / "warc")
    recent: deque[Article] = deque(maxlen=RECENT)
    kinds: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    body_bytes = 0
    kind_bytes: Counter[str] = Counter()
    txt_count = 0
    for n in range(n_docs):
        site = rng.choice(sites)
        draw = rng.random()
        lang = "en"
        html: str | bytes | None = None
        if draw < SHARE_HTML:
            if rng.random() < SHARE_HTML_AEB:
                page = rng.choice(src.aeb_pages)
                html, kind = src.page(page), "html_aeb"
                url = src.aeb_urls.get(page.name.split(".")[0], url_for(rng, site, "page", n))
            else:
                art = make_article(rng, src)
                recent.append(art)
                url = url_for(rng, site, art.title, n)
                html, kind = render_html(rng, site, art, url, src), "html_generated"
        else:
            draw -= SHARE_HTML
            if draw < SHARE_SYNDICATED and recent:
                art, kind = syndicate(rng, rng.choice(recent)), "syndicated"
            elif draw < SHARE_SYNDICATED + SHARE_NON_ENGLISH:
                art, lang = make_foreign(rng, src)
                kind = "non_english"
            else:
                art, kind = make_article(rng, src), "article"
                recent.append(art)
            if rng.random() < SHARE_MOJIBAKE:
                art = mojibake(rng, art)
                kinds["mojibake"] += 1
            url = url_for(rng, site, art.title, n)
        kinds[kind] += 1
        langs[lang] += 1
        if html is not None:
            as_bytes = html if isinstance(html, bytes) else html.encode("utf-8")
            as_text = as_bytes.decode("utf-8", errors="replace")
            body_bytes += len(as_bytes)
            kind_bytes[kind] += len(as_bytes)
            if rng.random() < SHARE_WARC:
                doc_id = doc_uuid(seed, n)
                warc.write(doc_id, url, as_bytes, n)
                formats["warc"] += 1
            else:
                doc_id = f"d{n:07d}"
                jsonl.write({"id": doc_id, "url": url, "html": as_text})
                formats["jsonl_html"] += 1
            if form:
                form.write({"id": doc_id, "url": url, "html": as_text})
            continue
        text = render_text(rng, site, art, src)
        body_bytes += len(text.encode("utf-8"))
        kind_bytes[kind] += len(text.encode("utf-8"))
        doc_id = f"d{n:07d}"
        if rng.random() < SHARE_TXT_FILES:
            folder = inp / "txt" / f"{txt_count // TXT_FOLDER:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
            txt_count += 1
            formats["txt"] += 1
        else:
            jsonl.write({"id": doc_id, "url": url, "text": text})
            formats["jsonl_text"] += 1
        if form:
            form.write({"id": doc_id, "url": url, "text": text})
    jsonl.close()
    warc.close()
    if form:
        form.close()
    manifest = {
        "generator": "bench/make_corpus.py", "generator_version": GENERATOR_VERSION, "seed": seed,
        "documents": n_docs, "document_bytes": body_bytes, "document_mb": round(body_bytes / 1e6, 3),
        "kinds": dict(sorted(kinds.items())),
        "mb_by_kind": {k: round(v / 1e6, 3) for k, v in sorted(kind_bytes.items())},
        "formats": dict(sorted(formats.items())),
        "languages": {"en": langs["en"], "other": n_docs - langs["en"], "distinct_other": len(langs) - 1},
        "sites": N_SITES, "sources": {"gold_articles": len(src.articles), "sentences": len(src.sentences),
                                      "boilerplate_nav_lines": len(src.nav_lines),
                                      "boilerplate_long_lines": len(src.long_lines), "aeb_pages": len(src.aeb_pages)},
        "input_bytes": sum(p.stat().st_size for p in inp.rglob("*") if p.is_file()),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=DATA, help="the shared reference data (read in place)")
    ap.add_argument("--no-jsonl-form", action="store_true", help="skip DIR/jsonl-form (halves the disk use)")
    args = ap.parse_args(argv)
    if not (args.data / "aeb" / "ground-truth.json").exists():
        print(f"reference data not found under {args.data}", file=sys.stderr)
        return 2
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty: remove it first (the corpus is written once, deterministically)",
              file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = generate(args.docs, args.seed, args.out, args.data, not args.no_jsonl_form)
    print(json.dumps(manifest, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
