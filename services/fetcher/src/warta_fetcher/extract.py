"""Article extraction from HTML: trafilatura for the body and metadata, plus our own clean-up.

trafilatura finds the main text well but lets through blocks news sites put inside the article
container: "Baca Juga" / "Read more" related links, share bars, cookie notices, newsletter boxes.
We prune those elements before extraction (by class/id vocabulary) and drop leftover lines after it
(by text patterns), then hand the text to the shared boilerplate cleaner as a last pass.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from warta_fetcher.dates import parse_feed_date
from warta_fetcher.textclean import clean_plain_text
from warta_fetcher.urls import canonicalize_url

log = logging.getLogger(__name__)

# class/id values of blocks that are never article body. Kept narrow on purpose: trafilatura already
# drops navigation, comments and ads; broader words ("social", "promo") cost recall on real pages.
_NOISE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:related(?:[_-]?(?:posts?|articles?|news|stories|links?))?|baca[_-]?juga|bacajuga"
    r"|read[_-]?(?:more|also)|also[_-]?read|artikel[_-]?terkait|berita[_-]?terkait|more[_-]?stories"
    r"|share[_-]?(?:bar|buttons?|tools|links|box|this)|social[_-]?share|sharing(?:[_-]?buttons?)?|sharedaddy"
    r"|cookie(?:[_-]?(?:banner|notice|consent|bar|law))?|cookies|gdpr|consent[_-]?banner|newsletter[_-]?(?:signup|box|form)"
    r"|outbrain|taboola|jp-relatedposts|yarpp[_-]?related)(?:$|[\s_-])",
    re.IGNORECASE,
)
_PROTECTED_TAGS = {"html", "body", "article", "main"}

# Lines that are related-article teasers, share prompts or cookie text whatever the markup.
_NOISE_LINE = re.compile(
    r"^\s*(?:"
    r"(?:baca|lihat|simak|cek)\s+(?:juga|pula|selengkapnya)\b.*"
    r"|(?:read|see)\s+(?:more|also)\s*[:»›>\-–].*"
    r"|(?:also read|related(?: articles?| stories| news)?|more from|recommended(?: for you)?|you may also like)\s*[:»›>\-–]?.*"
    r"|(?:artikel|berita) terkait\s*[:»›>\-–]?.*"
    r"|(?:share|bagikan|teilen)(?: (?:this|on|via|artikel|ini))*\s*[:»›]?\s*(?:facebook|twitter|whatsapp|x|email|linkedin|telegram|,|\s)*"
    r"|(?:scroll to top|back to top|advertisement|iklan|adv(?:ertorial)?)\s*"
    r"|.*\b(?:we use cookies|uses cookies|accept (?:all )?cookies|cookie (?:policy|settings)|menggunakan cookie)\b.*"
    r")$",
    re.IGNORECASE,
)


# Skip trafilatura's readability/justext fallbacks: ~3x faster, and on news pages the fallback mostly
# re-adds sidebars (see bench/fetch_extraction.py for the measured trade-off).
FAST_EXTRACTION = True


@dataclass
class ExtractedArticle:
    title: str | None
    text: str
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    canonical_url: str | None = None
    url: str | None = None
    html_lang: str | None = None
    description: str | None = None
    sitename: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.published_at is not None:
            out["published_at"] = self.published_at.isoformat().replace("+00:00", "Z")
        return out


def _first(tree: Any, xpath: str) -> str | None:
    try:
        values = tree.xpath(xpath)
    except etree.XPathError:
        return None
    for value in values:
        value = str(value).strip()
        if value:
            return value
    return None


def _published(tree: Any, fallback: str | None) -> datetime | None:
    # Full timestamps from meta tags beat trafilatura's date-only guess.
    for xp in (
        "//meta[@property='article:published_time']/@content",
        "//meta[@name='article:published_time']/@content",
        "//meta[@itemprop='datePublished']/@content",
        "//meta[@name='pubdate']/@content",
        "//meta[@name='publishdate']/@content",
        "//meta[@name='dc.date.issued' or @name='DC.date.issued']/@content",
        "//time[@itemprop='datePublished']/@datetime",
    ):
        value = _first(tree, xp)
        parsed = parse_feed_date(value) if value else None
        if parsed is not None:
            return parsed
    return parse_feed_date(fallback) if fallback else None


def _split_authors(value: str | None) -> list[str]:
    if not value:
        return []
    parts = re.split(r";|\s+(?:and|dan|und|et|y)\s+|,\s*(?=[A-ZÀ-Ý])", value)
    out: list[str] = []
    for part in parts:
        part = part.strip(" ,|")
        if part and part not in out and len(part) < 80:
            out.append(part)
    return out


def prune_noise(tree: Any) -> int:
    """Remove related-article, share, cookie and similar blocks in place; returns how many."""
    removed = 0
    doomed = []
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag in _PROTECTED_TAGS:
            continue
        attrs = node.get("class", "") + " " + node.get("id", "")
        if len(attrs) > 1 and _NOISE_ATTR.search(attrs):
            doomed.append(node)
    for node in doomed:
        parent = node.getparent()
        if parent is None:
            continue
        # Keep the element's tail text: it belongs to the surrounding paragraph.
        if node.tail:
            previous = node.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + node.tail
            else:
                parent.text = (parent.text or "") + node.tail
        parent.remove(node)
        removed += 1
    return removed


def drop_noise_lines(text: str) -> str:
    """Drop whole lines that are related-article teasers, share prompts or cookie notices."""
    kept = [line for line in text.split("\n") if not _NOISE_LINE.match(line)]
    return "\n".join(kept)


def extract_article(
    html: bytes | str, url: str | None = None, lang_hint: str | None = None
) -> ExtractedArticle | None:
    """Extract the article in ``html`` (bytes as received, or text). ``None`` when no body is found.

    ``canonical_url`` honours ``<link rel=canonical>`` / ``og:url`` (resolved against ``url``) and is
    canonicalised; ``html_lang`` is the page's declared language; dates are UTC.
    """
    tree = load_html(html)
    if tree is None:
        return None
    html_lang = _first(tree, "/html/@lang") or _first(tree, "//meta[@http-equiv='content-language']/@content")
    canonical_raw = _first(tree, "//link[@rel='canonical']/@href") or _first(
        tree, "//meta[@property='og:url']/@content"
    )
    canonical = canonicalize_url(canonical_raw, url) if canonical_raw else None
    if canonical is None and url:
        canonical = canonicalize_url(url)
    meta_date_tree = tree  # read before pruning: pruning may remove bylines with dates
    published_meta = _published(meta_date_tree, None)
    prune_noise(tree)
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=canonical or url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            fast=FAST_EXTRACTION,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura can trip on pathological trees; one page must not stop a source
        log.warning("extraction failed for %s: %s", url, exc)
        return None
    if document is None:
        return None
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = drop_noise_lines(data.get("text") or "")
    text = clean_plain_text(text, lang_hint=lang_hint or html_lang)
    if not text.strip():
        return None
    published = published_meta or _published(tree, data.get("date"))
    return ExtractedArticle(
        title=(data.get("title") or None),
        text=text,
        authors=_split_authors(data.get("author")),
        published_at=published,
        canonical_url=canonical,
        url=url,
        html_lang=(html_lang.strip().lower().replace("_", "-") if html_lang else None),
        description=data.get("description") or None,
        sitename=data.get("sitename") or None,
    )
