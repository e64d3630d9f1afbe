"""Boilerplate removal for plain article text, before any analysis looks at it.

Works line by line on text whose paragraphs are separated by blank lines (what the fetcher emits
and what ``.txt`` sources contain). A line is dropped when it is:

* a related-link line ("Baca Juga : …", "Read more: …", "Lire aussi", "Lesen Sie auch", …);
* a credit line ("Sumber : CNA/SL", "Source: Reuters", "Editor: …", "Pewarta: …");
* a share / navigation / advertising widget ("Bagikan :", "Scroll to Top", "ADVERTISEMENT", …);
* a "follow us on Google News / join our Telegram" promotion;
* the same as the previous non-blank line (photo captions are often emitted twice).

Patterns are grouped by language. With no hint every group applies (cheap, and boilerplate in a
second language is common: English widgets on Indonesian pages); with a hint, the universal and
English groups plus that language's group apply, which avoids removing a real sentence that happens
to start like another language's boilerplate.
"""

from __future__ import annotations

import re
from array import array

import regex

# Separator that follows a boilerplate lead-in: "Baca Juga :", "Read more »", "Lihat juga -".
_SEP = r"\s*(?:[:：\-–—|»>›]+|\.{3}|…)"

# Related-article lead-ins. Removed when followed by a separator, when alone on the line, or when
# the line is short enough to be a link title rather than a paragraph.
_RELATED: dict[str, list[str]] = {
    "en": [
        r"read more",
        r"read also",
        r"also read",
        r"you may also like",
        r"more on this story",
    ],
    "id": [
        r"baca juga",
        r"baca pula",
        r"baca lagi",
        r"baca selengkapnya",
        r"lihat juga",
        r"simak juga",
        r"simak pula",
        r"tonton juga",
        r"saksikan juga",
        r"artikel terkait",
        r"berita terkait",
        r"berita lainnya",
        r"artikel lainnya",
        r"baca artikel lainnya",
        r"klik juga",
    ],
    "ms": [r"baca juga", r"lihat juga", r"artikel berkaitan", r"berita berkaitan", r"baca lagi"],
    "es": [r"leer más", r"lea también", r"lee también", r"ver también", r"te puede interesar"],
    "fr": [
        r"lire aussi",
        r"à lire aussi",
        r"lire la suite",
        r"voir aussi",
        r"à lire également",
        r"sur le même sujet",
    ],
    "de": [
        r"lesen sie auch",
        r"lesen sie mehr",
        r"mehr zum thema",
        r"auch interessant",
        r"das könnte sie auch interessieren",
    ],
    "pt": [r"leia também", r"leia mais", r"veja também"],
    "it": [r"leggi anche", r"leggi di più", r"vedi anche"],
    "nl": [r"lees ook", r"lees meer", r"zie ook"],
    "pl": [r"czytaj (?:też|także|więcej)", r"zobacz (?:też|także)"],
    "ru": [r"читайте также", r"смотрите также"],
    "tr": [r"ayrıca (?:bakınız|okuyun)", r"ilgili haberler"],
    "vi": [r"xem thêm", r"đọc thêm", r"tin liên quan"],
}
# Lead-ins that also start ordinary sentences ("Related to the case, …"): removed only when a
# separator follows or they stand alone.
_RELATED_WEAK: dict[str, list[str]] = {
    "en": [
        r"related(?: articles?| stories| news| posts?| content)?",
        r"see also",
        r"more from [\w .]{1,40}",
        r"recommended(?: for you)?",
        r"further reading",
        r"watch",
        r"listen",
        r"video",
    ],
    "es": [r"relacionad[oa]s?", r"más información"],
    "pt": [r"saiba mais", r"relacionad[oa]s?"],
    "de": [r"weiterlesen", r"mehr dazu"],
    "ru": [r"по теме"],
    "id": [r"video", r"tonton", r"infografis"],
}

# Credit lines: label + colon + a short value.
_CREDIT: dict[str, list[str]] = {
    "en": [
        r"source",
        r"sources",
        r"editor",
        r"editing by",
        r"reporting by",
        r"writer",
        r"author",
        r"photo",
        r"credit",
        r"image",
    ],
    "id": [
        r"sumber",
        r"editor",
        r"penulis",
        r"pewarta",
        r"reporter",
        r"redaktur",
        r"penyunting",
        r"kontributor",
        r"foto",
        r"ilustrasi",
        r"editor foto",
    ],
    "ms": [r"sumber", r"penulis", r"disunting oleh"],
    "es": [r"fuente", r"fuentes"],
    "fr": [r"source"],
    "de": [r"quelle", r"quellen"],
    "pt": [r"fonte"],
    "it": [r"fonte"],
    "nl": [r"bron"],
    "pl": [r"źródło"],
    "ru": [r"источник"],
}

# Whole-line widgets (optionally followed by a colon).
_WIDGET: dict[str, list[str]] = {
    "*": [
        r"scroll to top",
        r"back to top",
        r"advertisement",
        r"advertisment",
        r"ads?",
        r"sponsored",
        r"share",
        r"share (?:this|on)(?: \w+){0,3}",
        r"tweet",
        r"print",
        r"email",
        r"comments?",
        r"follow us(?: on \w+)?",
        r"subscribe(?: now)?",
        r"sign up",
        r"skip to (?:main )?content",
        r"scroll to continue with content",
        r"continue reading",
        r"all rights reserved\.?",
        r"cookie(?:s)? settings",
        r"accept(?: all)? cookies",
    ],
    "id": [
        r"bagikan",
        r"bagikan artikel ini",
        r"iklan",
        r"kembali ke atas",
        r"lanjutkan membaca",
        r"halaman selanjutnya",
        r"komentar",
        r"cetak",
        r"ikuti kami",
        r"gulir untuk melanjutkan",
    ],
    "ms": [r"kongsi", r"iklan", r"komen"],
    "es": [r"compartir", r"publicidad", r"anuncio"],
    "fr": [r"partager", r"publicité", r"annonce"],
    "de": [r"teilen", r"anzeige", r"werbung"],
    "pt": [r"compartilhe", r"compartilhar", r"publicidade"],
    "it": [r"condividi", r"pubblicità"],
    "nl": [r"delen", r"advertentie"],
    "pl": [r"udostępnij", r"reklama"],
    "ru": [r"поделиться", r"реклама"],
}

# Promotions that mention a platform anywhere in a short line.
_PROMO_MAX = 220
_PROMO_PLATFORMS = (
    "google news|whatsapp|telegram|channel|saluran|newsletter|instagram|twitter|facebook|tiktok|youtube"
)
_PROMO = regex.compile(
    rf"(?i)^(?=.{{0,{_PROMO_MAX}}}$).*\b(?:google news|whatsapp channel|saluran whatsapp|telegram|follow|ikuti|gabung|join|"
    rf"dapatkan|subscribe|langganan)\b.*\b(?:{_PROMO_PLATFORMS})\b.*$"
)
# A cheap necessary condition for _PROMO (which costs ~8 us a line): a platform name in the
# lower-cased line. lower() keeps a case-insensitive occurrence as a plain substring unless a
# character of it is one that (?i) equates with an ASCII letter without being ASCII (the Kelvin
# sign, long s, dotted I...: listed below from the regex module itself, BMP only) or astral; such
# rare lines skip the shortcut.
_PROMO_HINT = re.compile(_PROMO_PLATFORMS)
_BMP = array("I", range(0x10000)).tobytes().decode("utf-32-le", "surrogatepass")
_ASCII_LOOKALIKES = "".join(c for c in regex.findall(r"(?i)[a-z]", _BMP) if not c.isascii())
_NEEDS_FULL_PROMO = re.compile(f"[{re.escape(_ASCII_LOOKALIKES)}\U00010000-\U0010ffff]")
del _BMP


def _may_be_promo(line: str) -> bool:
    if len(line) > _PROMO_MAX:  # the pattern's own look-ahead
        return False
    if not line.isascii() and _NEEDS_FULL_PROMO.search(line):
        return True
    return _PROMO_HINT.search(line.lower()) is not None


_COPYRIGHT_MAX = 160
_COPYRIGHT = regex.compile(rf"(?i)^(?=.{{0,{_COPYRIGHT_MAX}}}$)(?:copyright|hak cipta|©|\(c\)).*$")

MAX_RELATED_LINE = 160  # a lead-in on a longer line is probably a real sentence
MAX_CREDIT_VALUE = 80


_Patterns = tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]]


def _compile(lang: str | None) -> _Patterns:
    langs = None if lang is None else {"*", "en", lang}

    def pick(table: dict[str, list[str]]) -> str:
        items = [p for key, pats in table.items() if langs is None or key in langs for p in pats]
        return "|".join(sorted(set(items), key=len, reverse=True))

    related = regex.compile(
        rf"(?i)^(?:{pick(_RELATED)})(?:{_SEP}.*|\s*$|(?=.{{0,{MAX_RELATED_LINE}}}$)\s.*)$", regex.V1
    )
    weak = regex.compile(rf"(?i)^(?:{pick(_RELATED_WEAK)})(?:{_SEP}.*|\s*$)$", regex.V1)
    credit = regex.compile(rf"(?i)^[(\[]?(?:{pick(_CREDIT)})\s*[:：]\s*.{{0,{MAX_CREDIT_VALUE}}}$")
    widget = regex.compile(rf"(?i)^(?:{pick(_WIDGET)})\s*[:：]?\s*$")
    return related, weak, credit, widget


_PATTERNS: dict[str | None, _Patterns] = {}


def _patterns(lang_hint: str | None) -> _Patterns:
    key = (lang_hint or "").split("-")[0].lower() or None
    if key is not None and key not in _RELATED and key not in _CREDIT and key not in _WIDGET:
        key = None
    if key not in _PATTERNS:
        _PATTERNS[key] = _compile(key)
    return _PATTERNS[key]


def is_boilerplate_line(line: str, lang_hint: str | None = None) -> bool:
    """True when a single (stripped) line is boilerplate by the patterns above."""
    stripped = line.strip()
    if not stripped:
        return False
    return _is_boilerplate(stripped, _patterns(lang_hint))


def _is_boilerplate(stripped: str, patterns: _Patterns) -> bool:
    related, weak, credit, widget = patterns
    return bool(
        widget.match(stripped)
        or related.match(stripped)
        or weak.match(stripped)
        or credit.match(stripped)
        # The length tests are the patterns' own look-aheads, checked before running them.
        or (_may_be_promo(stripped) and _PROMO.match(stripped))
        or (len(stripped) <= _COPYRIGHT_MAX and _COPYRIGHT.match(stripped))
    )


def _norm(line: str) -> str:
    """Key for "the same line again": whitespace runs collapsed, case folded (``line`` stripped)."""
    # Every whitespace character but " " is unprintable (categories Cc, Zs, Zl, Zp), so a
    # printable stripped line without a double space is its own " ".join(line.split()).
    if "  " not in line and line.isprintable():
        return line.casefold()
    return " ".join(line.split()).casefold()


def clean_text(text: str, lang_hint: str | None = None) -> str:
    """Remove boilerplate lines and immediately repeated lines; keep paragraphs.

    Returns the text with paragraphs separated by exactly one blank line, lines inside a paragraph
    kept, surrounding whitespace stripped. Never raises on any string; may return ``""``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    kept: list[str] = []
    previous = ""
    patterns = _patterns(lang_hint)
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        if _is_boilerplate(line, patterns):
            continue
        norm = _norm(line)
        if norm == previous:
            continue  # repeated caption / pull quote
        previous = norm
        kept.append(line)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in kept:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


_TITLE_END = regex.compile(r"[.;,:!]$")


def split_title(text: str) -> tuple[str | None, str]:
    """Split a ``.txt`` article into (title, body) when its first line looks like a headline.

    A headline is the first non-blank line, at most 200 characters and 30 words, not ending in
    sentence punctuation (a question mark is allowed), followed by a blank line and a non-empty
    body. Otherwise returns ``(None, text)`` with the text unchanged.
    """
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n\ufeff ")
    first, sep, rest = normalised.partition("\n")
    first = first.strip()
    if not sep or not first or not rest.strip():
        return None, text
    if rest.split("\n", 1)[0].strip():
        return None, text  # no blank line after it: it is the first line of a paragraph
    if len(first) > 200 or len(first.split()) > 30 or _TITLE_END.search(first) or is_boilerplate_line(first):
        return None, text
    return first, rest.strip("\n")
