"""Feed parsing (RSS 0.9x/1.0/2.0, RDF, Atom, JSON Feed) into plain, safe entries.

feedparser handles the XML dialects and charset resolution (HTTP header vs XML declaration vs BOM,
legacy encodings). On top of it we: re-parse every date with our strict parser (UTC, never guessed),
sanitise content a second time, resolve and canonicalise links, read ``ttl`` / ``sy:updatePeriod``,
and classify the outcome so a feed is never "silently empty": ``ok``, ``empty`` or ``malformed``,
each with a reason.
"""

from __future__ import annotations

import json
import warnings as warnings_module
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import feedparser

from warta_fetcher.dates import parse_feed_date
from warta_fetcher.fastfeed import parse_fast
from warta_fetcher.sanitize import html_to_text, sanitize_html
from warta_fetcher.urls import canonicalize_url

_PERIOD_SECONDS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}


@dataclass
class FeedEntry:
    """One feed item, already safe to store: text fields are plain, ``content_html`` is sanitised."""

    guid: str | None
    link: str | None  # canonical absolute URL of the article
    title: str | None
    summary: str | None  # plain text
    content_html: str | None  # sanitised HTML
    text: str  # plain text of content (or summary)
    published_at: datetime | None
    updated_at: datetime | None
    published_raw: str | None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    enclosures: list[dict[str, str]] = field(default_factory=list)
    language: str | None = None

    def key(self) -> str | None:
        """What identifies this entry across polls: its link, else its guid."""
        return self.link or self.guid

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("published_at", "updated_at"):
            if out[name] is not None:
                out[name] = out[name].isoformat().replace("+00:00", "Z")
        return out


@dataclass
class ParsedFeed:
    status: str  # "ok" (has entries), "empty" (well-formed, no entries), "malformed"
    reason: str | None
    format: str  # feedparser version string ("rss20", "atom10"…), "json" or ""
    title: str | None = None
    link: str | None = None
    language: str | None = None
    encoding: str | None = None
    min_poll_s: float | None = None  # from ttl / sy:updatePeriod+updateFrequency
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if not value:
        return None
    text = html_to_text(str(value))
    return text or None


def _language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().replace("_", "-")
    return value.lower() if value else None


def _min_poll_seconds(feed: Any) -> float | None:
    candidates: list[float] = []
    ttl = str(feed.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        candidates.append(int(ttl) * 60.0)
    period = str(feed.get("sy_updateperiod") or "").strip().lower()
    if period in _PERIOD_SECONDS:
        frequency = str(feed.get("sy_updatefrequency") or "1").strip()
        freq = int(frequency) if frequency.isdigit() and int(frequency) > 0 else 1
        candidates.append(_PERIOD_SECONDS[period] / freq)
    return max(candidates) if candidates else None


def _entry_from_feedparser(entry: Any, base: str | None, feed_lang: str | None) -> FeedEntry:
    link = None
    for candidate in [entry.get("link")] + [
        link_info.get("href") for link_info in entry.get("links", []) if link_info.get("rel") == "alternate"
    ]:
        if candidate:
            link = canonicalize_url(candidate, base)
            if link:
                break
    content_html = None
    contents = entry.get("content") or []
    if contents:
        content_html = "\n".join(c.get("value", "") for c in contents if c.get("value"))
    summary_html = entry.get("summary") or entry.get("description")
    if content_html:
        content_html = sanitize_html(content_html)
    summary = _text(sanitize_html(summary_html)) if summary_html else None
    text = (html_to_text(content_html) if content_html else "") or summary or ""
    published_raw = (
        entry.get("published") or entry.get("issued") or entry.get("created") or entry.get("dc_date")
    )
    updated_raw = entry.get("updated") or entry.get("modified")
    published = parse_feed_date(published_raw)
    updated = parse_feed_date(updated_raw)
    if published is None and published_raw is None and updated is not None:
        published, published_raw = updated, updated_raw
    authors: list[str] = []
    for author in entry.get("authors") or []:
        name = (author.get("name") or author.get("email") or "").strip()
        if name and name not in authors:
            authors.append(name)
    if not authors and entry.get("author"):
        authors.append(str(entry.get("author")).strip())
    categories = [
        t.get("term") or t.get("label") for t in entry.get("tags") or [] if t.get("term") or t.get("label")
    ]
    enclosures = [
        {k: str(v) for k, v in enc.items() if k in ("href", "length", "type")}
        for enc in entry.get("enclosures") or []
    ]
    language = None
    for detail in (
        entry.get("title_detail"),
        (contents[0] if contents else None),
        entry.get("summary_detail"),
    ):
        if detail and detail.get("language"):
            language = _language(detail.get("language"))
            break
    guid = entry.get("id") or entry.get("guid")
    return FeedEntry(
        guid=str(guid) if guid else None,
        link=link,
        title=_text(entry.get("title")),
        summary=summary,
        content_html=content_html,
        text=text,
        published_at=published,
        updated_at=updated,
        published_raw=published_raw,
        authors=authors,
        categories=[str(c) for c in categories],
        enclosures=enclosures,
        language=language or feed_lang,
    )


def _looks_like_json(body: bytes) -> bool:
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def parse_json_feed(body: bytes, url: str | None = None) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org)."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed("malformed", f"invalid JSON: {exc}", "json")
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        return ParsedFeed("malformed", "JSON is not a JSON Feed object with an items array", "json")
    base = data.get("home_page_url") or url
    feed_lang = _language(data.get("language"))
    entries: list[FeedEntry] = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        content_html = item.get("content_html")
        content_html = sanitize_html(str(content_html)) if content_html else None
        text = html_to_text(content_html) if content_html else (str(item.get("content_text") or "").strip())
        summary = _text(item.get("summary"))
        authors = [
            str(a.get("name")) for a in item.get("authors") or [] if isinstance(a, dict) and a.get("name")
        ]
        if not authors and isinstance(item.get("author"), dict) and item["author"].get("name"):
            authors = [str(item["author"]["name"])]
        published_raw = item.get("date_published")
        entries.append(
            FeedEntry(
                guid=str(item["id"]) if item.get("id") is not None else None,
                link=canonicalize_url(str(item.get("url") or item.get("external_url") or ""), base),
                title=_text(item.get("title")),
                summary=summary,
                content_html=content_html,
                text=text or summary or "",
                published_at=parse_feed_date(str(published_raw) if published_raw else None),
                updated_at=parse_feed_date(str(item.get("date_modified") or "")),
                published_raw=str(published_raw) if published_raw else None,
                authors=authors,
                categories=[str(t) for t in item.get("tags") or []],
                enclosures=[
                    {"href": str(a.get("url")), "type": str(a.get("mime_type", ""))}
                    for a in item.get("attachments") or []
                    if isinstance(a, dict) and a.get("url")
                ],
                language=_language(item.get("language")) or feed_lang,
            )
        )
    status = "ok" if entries else "empty"
    return ParsedFeed(
        status,
        None if entries else "JSON Feed has no items",
        "json",
        title=_text(data.get("title")),
        link=canonicalize_url(str(data.get("home_page_url") or ""), url)
        if data.get("home_page_url")
        else None,
        language=feed_lang,
        encoding="utf-8",
        entries=entries,
    )


def parse_feed(body: bytes, url: str | None = None, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse feed bytes (as received) into a :class:`ParsedFeed`. Never raises on bad input.

    ``headers`` are the HTTP response headers (``Content-Type`` charset takes part in decoding);
    ``url`` is the feed's address, the base for relative links when the feed declares none.
    """
    if _looks_like_json(body):
        return parse_json_feed(body, url)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    fast = parse_fast(body, url, response_headers)
    if fast is not None:
        return ParsedFeed(
            "ok",
            None,
            fast["format"],
            title=fast["title"],
            link=fast["link"],
            language=fast["language"],
            encoding="xml",
            min_poll_s=_min_poll_seconds(fast),
            entries=[FeedEntry(**entry) for entry in fast["entries"]],
        )
    if url and "content-location" not in response_headers:
        response_headers["content-location"] = url
    try:
        parsed = feedparser.parse(
            body, response_headers=response_headers, sanitize_html=True, resolve_relative_uris=True
        )
    except Exception as exc:  # feedparser should not raise, but a hostile feed must never take us down
        return ParsedFeed("malformed", f"parser error: {type(exc).__name__}: {exc}", "")
    feed = parsed.get("feed", {}) or {}
    base = feed.get("link") or url
    feed_lang = _language(feed.get("language") or (feed.get("title_detail") or {}).get("language"))
    entries: list[FeedEntry] = []
    warnings: list[str] = []
    for raw in parsed.get("entries", []):
        try:
            with warnings_module.catch_warnings():
                # feedparser warns on every entry.get("updated"); we read both dates on purpose.
                warnings_module.simplefilter("ignore", DeprecationWarning)
                entries.append(_entry_from_feedparser(raw, url or base, feed_lang))
        except Exception as exc:  # one broken entry must not lose the others
            warnings.append(f"entry skipped: {type(exc).__name__}: {exc}")
    bozo_reason = None
    if parsed.get("bozo"):
        bozo_exc = parsed.get("bozo_exception")
        bozo_reason = f"{type(bozo_exc).__name__}: {bozo_exc}" if bozo_exc else "ill-formed feed"
        warnings.append(bozo_reason)
    version = parsed.get("version") or ""
    if entries:
        status, reason = "ok", None
    elif bozo_reason and not version:
        status, reason = "malformed", bozo_reason
    elif not version:
        status, reason = "malformed", "not a recognised feed (no RSS/Atom/RDF root element)"
    else:
        status = "empty"
        reason = "well-formed feed without entries" if not bozo_reason else f"no entries; {bozo_reason}"
    return ParsedFeed(
        status,
        reason,
        version,
        title=_text(feed.get("title")),
        link=canonicalize_url(feed["link"], url) if feed.get("link") else None,
        language=feed_lang,
        encoding=parsed.get("encoding"),
        min_poll_s=_min_poll_seconds(feed),
        entries=entries,
        warnings=warnings,
    )
