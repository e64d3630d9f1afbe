"""Article extraction from HTML: trafilatura for the body and metadata, plus our own clean-up.

trafilatura finds the main text well but lets through blocks news sites put inside the article
container: "Baca Juga" / "Read more" related links, share bars, cookie notices, newsletter boxes.
We prune those elements before extraction (by class/id vocabulary) and drop leftover lines after it
(by text patterns), then hand the text to the shared boilerplate cleaner as a last pass.
"""

from __future__ import annotations

import json
import logging
import re
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_tz
from itertools import accumulate
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from lxml.html import fromstring as html_fromstring
from trafilatura.utils import decode_file, is_dubious_html, repair_faulty_html

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
# The same pattern for lower-cased text, case-sensitive (much faster), the keyword as group 1.
_NOISE_ATTR_LOWER = re.compile(
    _NOISE_ATTR.pattern.replace("(?:^|[\\s_-])(?:", "(?:^|[\\s_-])((?:", 1).replace(
        ")(?:$|[\\s_-])", "))(?:$|[\\s_-])"
    )
)
_PROTECTED_TAGS = {"html", "body", "article", "main"}
_PARAGRAPH_TEXT = etree.XPath("//p//text()")
# A visible byline: rel/itemprop "author", or a class/id naming the author in a few languages.
_BYLINE_CLASS = re.compile("author|byline|autor|penulis")
_BYLINE_PREFIX = re.compile(
    r"^(?:by|von|oleh|par|por|przez|door|av|di|written by|geschrieben von|autor(?:in)?:?|author:?)\s+", re.I
)

# Lines that are related-article teasers, share prompts or cookie text whatever the markup.
_NOISE_LINE = re.compile(
    r"^\s*(?:"
    r"(?:baca|lihat|simak|cek)\s+(?:juga|pula|selengkapnya)\b.*"
    r"|(?:read|see)\s+(?:more|also)\s*[:»›>\-–].*"
    r"|(?:also read|related(?: articles?| stories| news)?|more from|recommended(?: for you)?|you may also like)\s*[:»›>\-–]?.*"
    r"|(?:artikel|berita) terkait\s*[:»›>\-–]?.*"
    # the same teasers in the other languages of our sources
    r"|(?:lesen sie (?:auch|mehr)|mehr zum thema|weitere themen|das könnte sie auch interessieren|auch interessant|ähnliche artikel)\b.*"
    r"|(?:(?:à|a) lire aussi|lire aussi|voir aussi|sur le même sujet)\b.*"
    r"|(?:lee (?:también|más)|leer (?:también|más)|te puede interesar|leia (?:também|mais)|veja também)\b.*"
    r"|(?:czytaj (?:też|także|również|więcej)|zobacz (?:też|także|również))\b.*|polecamy\s*[:»›].*"
    r"|(?:lees ook|läs också|les også|leggi anche)\b.*"
    r"|(?:artikel lainnya|berita lainnya|baca selengkapnya)\b.*"
    r"|(?:share|bagikan|teilen)(?: (?:this|on|via|artikel|ini))*\s*[:»›]?\s*(?:facebook|twitter|whatsapp|x|email|linkedin|telegram|,|\s)*"
    r"|(?:scroll to top|back to top|advertisement|iklan|adv(?:ertorial)?)\s*"
    r"|.*\b(?:we use cookies|uses cookies|accept (?:all )?cookies|cookie (?:policy|settings)|menggunakan cookie)\b.*"
    r")$",
    re.IGNORECASE,
)


# trafilatura without its readability/justext fallbacks is ~3x faster; they only run again when the
# fast pass finds less than RETRY_BELOW_CHARS (see bench/fetch_extraction.py for the trade-off).
FAST_EXTRACTION = True
RETRY_BELOW_CHARS = 500
RETRY_BELOW_SHARE = 0.25  # ... or less than this share of the page's paragraph text


# trafilatura's parser settings, but every element is a plain HtmlElement chosen in C: lxml.html's
# default lookup calls a Python method for each element proxy (~1.7 M calls on the evaluation
# pages, ~8 % of the extraction time) only to pick form/input subclasses nobody here uses.
_HTML_PARSER = etree.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
_HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)


def parse_html(html: bytes | str) -> HtmlElement | None:
    """Parse a page the way ``trafilatura.utils.load_html`` does (charset guess, repairs, the same
    fallbacks and rejection of non-HTML), with the cheap element lookup above. ``None`` when it is
    not HTML."""
    text = decode_file(html)
    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(text, beginning)
    tree = None
    parsed_bytes = False
    try:
        tree = html_fromstring(text, parser=_HTML_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, parsed_bytes = _parse_utf8(text), True
    except Exception as exc:  # libxml2 on hostile input
        log.debug("lxml could not parse the page: %s", exc)
    if (tree is None or len(tree) < 1) and not parsed_bytes:
        tree = _parse_utf8(text)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def _parse_utf8(text: str) -> HtmlElement | None:
    try:
        return html_fromstring(text.encode("utf-8", "surrogatepass"), parser=_HTML_PARSER)
    except Exception as exc:  # no page beats a crash
        log.debug("lxml could not parse the page bytes: %s", exc)
        return None


@dataclass
class ExtractedArticle:
    title: str | None
    text: str
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    # The publication date as the page shows it (publisher's time zone); ``published_at`` is UTC.
    published_date: date | None = None
    canonical_url: str | None = None
    url: str | None = None
    html_lang: str | None = None
    description: str | None = None
    sitename: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if self.published_at is not None:
            out["published_at"] = self.published_at.isoformat().replace("+00:00", "Z")
        if self.published_date is not None:
            out["published_date"] = self.published_date.isoformat()
        return out


_DATE_KEYS = (
    "article:published_time", "datepublished", "pubdate", "publishdate", "publish-date", "dc.date.issued",
    "dcterms.created", "date", "dc.date", "sailthru.date", "parsely-pub-date", "og:published_time",
)  # fmt: skip
_AUTHOR_KEYS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "byl",
    "twitter:creator",
)
_TITLE_KEYS = ("og:title", "twitter:title", "headline", "dc.title")


def _page_meta(tree: Any) -> dict[str, str]:
    """First value of every ``<meta name|property|itemprop>`` (lower-cased key), plus JSON-LD fields,
    ``link rel=canonical``, ``html lang`` and the first ``<h1>`` / ``<title>``: one pass, no XPath."""
    meta: dict[str, str] = {}
    lang = tree.get("lang") if tree.tag == "html" else None
    if lang:
        meta["@lang"] = lang
    for el in tree.iter("meta", "link", "title", "h1", "time", "script"):
        tag = el.tag
        if tag == "meta":
            key = (
                (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "")
                .strip()
                .lower()
            )
            value = (el.get("content") or "").strip()
            if key and value and key not in meta:
                meta[key] = value
        elif tag == "link":
            if (
                "canonical" in (el.get("rel") or "").lower().split()
                and el.get("href")
                and "@canonical" not in meta
            ):
                meta["@canonical"] = el.get("href", "").strip()
        elif tag in ("title", "h1"):
            key = "@" + tag
            if key not in meta:
                text = " ".join("".join(el.itertext()).split())
                if text:
                    meta[key] = text
        elif tag == "time":
            if (
                el.get("datetime")
                and "@time" not in meta
                and (el.get("itemprop") == "datePublished" or el.get("pubdate") is not None)
            ):
                meta["@time"] = el.get("datetime", "")
        elif (el.get("type") or "").lower() == "application/ld+json" and el.text and "@ld" not in meta:
            _read_json_ld(el.text, meta)
    return meta


def _read_json_ld(raw: str, meta: dict[str, str]) -> None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report")) for k in kinds):
            meta["@ld"] = "1"
            if isinstance(node.get("datePublished"), str):
                meta.setdefault("@ld:date", node["datePublished"])
            if isinstance(node.get("headline"), str):
                meta.setdefault("@ld:headline", node["headline"])
            author = node.get("author")
            names = []
            for a in author if isinstance(author, list) else [author]:
                if isinstance(a, dict) and isinstance(a.get("name"), str):
                    names.append(a["name"])
                elif isinstance(a, str):
                    names.append(a)
            if names:
                meta.setdefault("@ld:author", "; ".join(names))
        if "@graph" in node:
            stack.append(node["@graph"])


_WRITTEN_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/._-]?(\d{2})[/._-]?(\d{2})(?!\d)")


def _written_date(value: str, parsed: datetime) -> date:
    """The calendar date as the publisher wrote it (its own offset), not the UTC one: a page
    stamped ``2022-05-03T21:25-03:00`` was published on the 3rd where it appeared."""
    match = _WRITTEN_ISO_DATE.match(value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    fields = parsedate_tz(value)
    if fields is not None:
        try:
            return date(fields[0], fields[1], fields[2])
        except ValueError:
            pass
    return parsed.date()


def _shown_date(tree: Any, url: str | None, declared: date | None) -> date | None:
    """The publication date htmldate reads off the page (URL, header, JSON, visible text).

    ``YYYY-01-01`` is htmldate's answer for a bare year (a copyright line, a "2016" somewhere):
    a day nobody wrote, so it is dropped unless the declared date or the URL says that day."""
    try:
        # The extensive search runs dateparser over text candidates (~10x the cost): only when
        # the markup and URL say nothing.
        found = find_date(tree, extensive_search=False, original_date=True, url=url)
        if not found and declared is None:
            found = find_date(tree, extensive_search=True, original_date=True, url=url)
    except Exception:  # htmldate is heuristic code on hostile input; no date beats a crash
        return None
    if not found:
        return None
    try:
        shown = date.fromisoformat(found)
    except ValueError:
        return None
    if shown.month == 1 and shown.day == 1:
        in_url = any(
            (int(m[1]), int(m[2]), int(m[3])) == (shown.year, 1, 1) for m in _URL_DATE.finditer(url or "")
        )
        if not in_url and (declared is None or abs((declared - shown).days) > 1):
            return None
    return shown


def _published(meta: dict[str, str], tree: Any, url: str | None) -> tuple[datetime | None, date | None]:
    """(publication instant in UTC, publication date as shown on the page).

    The instant comes from the page's declared timestamps (JSON-LD, ``article:published_time``
    and kin, ``<time pubdate>``). The shown date is htmldate's reading of the page; when the two
    are a day apart that is the publisher's time zone and both stand; when the page shows a
    later date, the declared stamp is usually a first draft or the original of a republished
    piece (checked on the evaluation pages) and the shown date wins, at midnight UTC; an older
    shown date loses to the stamp. Nothing found means ``None``: a date is never made up from
    the clock."""
    declared: datetime | None = None
    declared_day: date | None = None
    for key in ("@ld:date", *_DATE_KEYS, "@time"):
        value = meta.get(key)
        parsed = parse_feed_date(value) if value else None
        if value and parsed is not None:
            declared, declared_day = parsed, _written_date(value, parsed)
            break
    shown = _shown_date(tree, url, declared_day)
    if shown is None:
        return declared, declared_day
    if declared is not None and declared_day is not None:
        if abs((shown - declared_day).days) <= 1:
            return declared, shown
        if shown < declared_day:
            # htmldate prefers the oldest date it sees; one older than the page's own stamp is
            # some other date on the page (an event, a linked story), not this publication.
            return declared, declared_day
    return datetime(shown.year, shown.month, shown.day, tzinfo=UTC), shown


def _title(meta: dict[str, str]) -> str | None:
    for key in ("@ld:headline", *_TITLE_KEYS, "@h1", "@title"):
        value = meta.get(key)
        if value:
            return " ".join(value.split())
    return None


def _declared_authors(meta: dict[str, str]) -> list[str] | None:
    """Authors from JSON-LD / meta tags; ``None`` when the page declares none."""
    for key in ("@ld:author", *_AUTHOR_KEYS):
        value = meta.get(key)
        if value and not value.startswith(("http://", "https://", "@")):
            return _split_authors(value)
    return None


def _authors(meta: dict[str, str], bylines: list[Any]) -> list[str]:
    declared = _declared_authors(meta)
    if declared is not None:
        return declared
    # No metadata: a visible byline (class/itemprop/rel "author", "byline"), short and name-like.
    for node in bylines:
        if node.tag in ("html", "body", "article", "main", "script", "style", "img"):
            continue
        text = " ".join("".join(node.itertext()).split())
        text = _BYLINE_PREFIX.sub("", text).strip(" ,|:-")
        if 3 <= len(text) <= 60 and not any(ch.isdigit() for ch in text) and len(text.split()) <= 6:
            return _split_authors(text)
    return []


def scan_page(tree: Any) -> tuple[list[Any], list[Any]]:
    """One walk over the elements: (noise blocks by class/id, byline candidates), document order.

    The class/id strings are matched in one lower-cased, newline-joined text (one regex scan
    instead of one call per element; case-sensitive patterns run several times faster), which
    costs a fraction of the two XPath passes it replaces."""
    owners: list[Any] = []
    positions: list[int] = []
    texts: list[str] = []
    bylines: dict[int, Any] = {}  # document position -> element
    for position, el in enumerate(tree.iter(etree.Element)):
        cls = el.get("class")
        ident = el.get("id")
        if el.get("rel") == "author" or el.get("itemprop") == "author":
            bylines[position] = el
        if cls is None and ident is None:
            continue
        owners.append(el)
        positions.append(position)
        texts.append(f"{cls or ''} {ident or ''}")
    joined = "\n".join(texts).lower()
    # Line i of ``joined`` belongs to owners[i]; a match's line is found by bisecting line starts.
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    noise: list[Any] = []
    seen: set[int] = set()
    for match in _NOISE_ATTR_LOWER.finditer(joined):
        index = bisect_right(starts, match.start(1)) - 1
        if index not in seen:
            seen.add(index)
            if owners[index].tag not in _PROTECTED_TAGS:
                noise.append(owners[index])
    for match in _BYLINE_CLASS.finditer(joined):
        index = bisect_right(starts, match.start()) - 1
        bylines[positions[index]] = owners[index]
    return noise, [bylines[position] for position in sorted(bylines)]


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


def prune_noise(tree: Any, candidates: list[Any] | None = None) -> int:
    """Remove related-article, share, cookie and similar blocks in place; returns how many.

    ``candidates`` are the noise blocks found by :func:`scan_page` (scanned here when omitted);
    a block that turns out to hold the article's prose is kept."""
    if candidates is None:
        candidates = scan_page(tree)[0]
    removed = 0
    for node in candidates:
        # Keep the element's tail text: it belongs to the surrounding paragraph.
        if not _holds_prose(node) and _remove_keep_tail(node):
            removed += 1
    return removed


# Subtrees trafilatura deletes anyway (its MANUALLY_CLEANED list, also skipped by its page-length
# measure and fallbacks), removed before it runs: every one of its dozens of XPath passes and tree
# copies then walks a smaller tree. JSON-LD scripts stay (its baseline may read articleBody).
STRIP_BEFORE_EXTRACTION = ("script", "style", "svg", "nav", "aside", "footer")


def strip_inert(tree: Any) -> None:
    """Delete script/style/svg/... subtrees (keeping their tail text) before extraction."""
    doomed = [
        el
        for el in tree.iter(*STRIP_BEFORE_EXTRACTION)
        if not (el.tag == "script" and (el.get("type") or "").lower() == "application/ld+json")
    ]
    for el in doomed:
        _remove_keep_tail(el)


def _remove_keep_tail(node: Any) -> bool:
    parent = node.getparent()
    if parent is None:
        return False
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)
    return True


# A matched block with this much text, little of it in links, is the article itself under an
# unlucky class ("entry-content-read-more", "single_content read-more", "#theme-taboola").
PROSE_MIN_CHARS = 1000
PROSE_MAX_LINK_SHARE = 0.3


def _holds_prose(node: Any) -> bool:
    text_chars = len(node.text_content())
    if text_chars < PROSE_MIN_CHARS:
        return False
    link_chars = sum(len(a.text_content()) for a in node.iter("a"))
    return link_chars < PROSE_MAX_LINK_SHARE * text_chars


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
    tree = parse_html(html)
    if tree is None:
        return None
    meta = _page_meta(tree)  # before pruning: bylines and dates may sit in pruned blocks
    html_lang = meta.get("@lang") or meta.get("content-language")
    canonical_raw = meta.get("@canonical") or meta.get("og:url")
    canonical = canonicalize_url(canonical_raw, url) if canonical_raw else None
    if canonical is None and url:
        canonical = canonicalize_url(url)
    authors = _declared_authors(meta)
    if authors is None:
        # A visible byline is needed: scan before stripping, bylines may sit in nav/aside/footer.
        noise, bylines = scan_page(tree)
        authors = _authors(meta, bylines)
        strip_inert(tree)
    else:
        strip_inert(tree)
        noise = scan_page(tree)[0]  # same noise blocks, found in the smaller tree
    # After stripping: htmldate then skips dates in menus, sidebars and footers (other stories,
    # copyright years) and serialises a smaller page for its text search. Meta and JSON-LD stay.
    published, published_day = _published(meta, tree, canonical or url)
    prune_noise(tree, noise)
    page_chars = _paragraph_chars(tree)
    text = _body_text(tree, canonical or url, fast=FAST_EXTRACTION)
    if FAST_EXTRACTION and (len(text) < RETRY_BELOW_CHARS or len(text) < RETRY_BELOW_SHARE * page_chars):
        # Little text found: let trafilatura's readability/justext fallbacks have a go. trafilatura
        # works on its own copy of the tree, so the pruned tree is reused as it is.
        retry = _body_text(tree, canonical or url, fast=False)
        if len(retry) > len(text):
            text = retry
    text = clean_plain_text(drop_noise_lines(text), lang_hint=lang_hint or html_lang)
    if not text.strip():
        return None
    return ExtractedArticle(
        title=_title(meta),
        text=text,
        authors=authors,
        published_at=published,
        published_date=published_day,
        canonical_url=canonical,
        url=url,
        html_lang=(html_lang.strip().lower().replace("_", "-") if html_lang else None),
        description=meta.get("og:description") or meta.get("description"),
        sitename=meta.get("og:site_name"),
    )


_WARM_UP_PAGE = (
    "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    "<p>Diterbitkan pada hari Selasa. Published on a Tuesday, veröffentlicht am Dienstag.</p>"
    + "<p>Warta extraction warm-up paragraph with enough words to count as an article body.</p>" * 8
    + "</article></body></html>"
)


def warm_up_extraction() -> None:
    """Pay the one-time costs (dateparser's locales, used by htmldate's text search; justext stop
    lists; XPath compilation) before traffic: about two seconds of CPU, once per process."""
    extract_article(_WARM_UP_PAGE, url="https://warm-up.invalid/")
    _body_text(parse_html(_WARM_UP_PAGE), None, fast=False)
    try:
        # A string no locale reads makes dateparser load (and compile) every locale now rather
        # than a few at a time on the first pages without a machine-readable date.
        from htmldate.extractors import get_external_parser

        get_external_parser().get_date_data("warta 12 warm-up")
    except Exception:  # a private helper of htmldate: its absence only costs the warm-up
        log.debug("htmldate's dateparser could not be warmed up", exc_info=True)


def _paragraph_chars(tree: Any) -> int:
    """Characters in the page's ``<p>`` elements: a cheap yardstick for "did we get the article?"."""
    return sum(len(t) for t in _PARAGRAPH_TEXT(tree))


def _body_text(tree: Any, url: str | None, fast: bool) -> str:
    try:
        text = trafilatura.extract(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            fast=fast,
            with_metadata=False,
        )
    except Exception as exc:  # trafilatura can trip on pathological trees; one page must not stop a source
        log.warning("extraction failed for %s: %s", url, exc)
        return ""
    return text or ""
