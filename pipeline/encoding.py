"""FixEncoding: repair mojibake with ftfy, and leave clean text exactly as it was.

ftfy's defaults also restyle text (straight quotes, half-width letters, split ligatures,
NFC); that changes what the author wrote, so the [encoding] section turns those off and
keeps only the repairs. Every key in [encoding] is a ``ftfy.TextFixerConfig`` field.
"""

from __future__ import annotations

import re
from functools import lru_cache

import ftfy

from pipeline.document import Document

# ASCII that ftfy may still change: C0 controls (removed; ESC starts terminal escapes),
# CR (line-break fixing) and DEL. Broader than needed for any setting, so the fast path
# below is exact whatever the config says; '&' is added when entities are unescaped.
_ASCII_RISKY = "[\x00-\x08\x0b-\x1f\x7f]"


def fixer_config(cfg: dict) -> ftfy.TextFixerConfig:
    """ftfy's settings from [encoding]; ``normalization = ""`` means none."""
    return _fixer_config(tuple(sorted(cfg.items())))


@lru_cache(maxsize=8)
def _fixer_config(items: tuple[tuple[str, object], ...]) -> ftfy.TextFixerConfig:
    settings = dict(items)
    settings["normalization"] = settings.get("normalization") or None
    return ftfy.TextFixerConfig(explain=False, **settings)


@lru_cache(maxsize=8)
def _risky_ascii(unescape_html: bool) -> re.Pattern[str]:
    return re.compile(f"{_ASCII_RISKY}|&" if unescape_html else _ASCII_RISKY)


def is_untouchable(text: str, config: ftfy.TextFixerConfig) -> bool:
    """Pure ASCII without controls (or '&' when unescaping) cannot hold mojibake or
    anything else ftfy repairs, so ftfy need not run: most English news takes this path."""
    return text.isascii() and not _risky_ascii(bool(config.unescape_html)).search(text)


def fix_text(text: str, cfg: dict) -> str:
    """Repair one string with the [encoding] settings.

    ftfy itself repairs text one line at a time (each segment ends at a newline), so
    skipping the lines that are pure ASCII gives the same result; on raw HTML, where
    nearly every line is markup, that is most of the work saved.
    """
    config = fixer_config(cfg)
    if is_untouchable(text, config):
        return text
    lines = text.split("\n")
    last = len(lines) - 1
    return "".join(
        (line if is_untouchable(line, config) else ftfy.fix_text(line, config)) + ("\n" if i < last else "")
        for i, line in enumerate(lines)
    )


def changed_chars(before: str, after: str) -> int:
    """Roughly how many characters a repair touched, counted line by line.

    Per line: the longer side minus the common prefix and suffix. Cheap and never below the
    true edit size; a line with two repairs counts the text between them too.
    """
    if before == after:
        return 0
    old, new = before.splitlines(), after.splitlines()
    if len(old) != len(new):
        old, new = [before], [after]
    # At least 1: removing a control character that splitlines treats as a break leaves
    # the lines equal although the text changed.
    return max(1, sum(_span(a, b) for a, b in zip(old, new, strict=True) if a != b))


def _span(a: str, b: str) -> int:
    shortest = min(len(a), len(b))
    prefix = next((i for i in range(shortest) if a[i] != b[i]), shortest)
    rest = shortest - prefix
    suffix = next((i for i in range(rest) if a[-1 - i] != b[-1 - i]), rest)
    return max(len(a), len(b)) - prefix - suffix


def fix_encoding(doc: Document, cfg: dict) -> Document:
    """Repair ``doc.text`` (the raw input, HTML or not) and any paragraphs, in place.

    Documents already rejected or failed pass through untouched. A change adds the flag
    ``ftfy`` and ``detail["ftfy_changed_chars"]`` (see changed_chars) so a reviewer can
    find the repaired documents and judge how much was repaired.
    """
    if not doc.ok:
        return doc
    fixed = fix_text(doc.text, cfg)
    changed = changed_chars(doc.text, fixed)
    doc.text = fixed
    for i, paragraph in enumerate(doc.paragraphs):
        doc.paragraphs[i] = fix_text(paragraph, cfg)
        changed += changed_chars(paragraph, doc.paragraphs[i])
    if changed:
        doc.flags.append("ftfy")
        doc.detail["ftfy_changed_chars"] = changed
    return doc
