"""One poll of one source: fetch, parse, extract, deduplicate, send, record.

:class:`Harvester` is used both by ``warta fetch --once`` and by the long-running scheduler. An
article is marked as sent only after the sink (Kafka) acknowledged it, so a crash at any point leads
at worst to a re-send of the same id (harmless downstream), never to a lost article.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warta.events import ArticleFetched
from warta.ids import article_id, content_hash
from warta_fetcher.dates import parse_feed_date
from warta_fetcher.extract import ExtractedArticle, extract_article
from warta_fetcher.feeds import FeedEntry, ParsedFeed, parse_feed
from warta_fetcher.metrics import FetcherMetrics
from warta_fetcher.net import FetchError, PoliteHttp, RateLimited
from warta_fetcher.schedule import next_interval
from warta_fetcher.settings import Settings
from warta_fetcher.sink import ArticleSink
from warta_fetcher.sitemap import parse_sitemap
from warta_fetcher.sources import Source
from warta_fetcher.state import StateStore
from warta_fetcher.textclean import clean_plain_text, split_title_and_body
from warta_fetcher.urls import canonicalize_url

log = logging.getLogger(__name__)

FOLDER_SUFFIXES = (".txt", ".html", ".htm", ".json")
_SEND_CHUNK = 50


@dataclass
class PollReport:
    source_id: str
    status: str = "ok"  # ok | not_modified | empty | error
    new: int = 0
    already_sent: int = 0
    page_errors: int = 0
    error: str | None = None
    error_reason: str | None = None
    interval_s: float | None = None
    duration_s: float = 0.0
    last_lag_s: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    event: ArticleFetched
    entry_key: str | None


class Harvester:
    """Polls sources and delivers new articles to a sink."""

    def __init__(
        self,
        settings: Settings,
        state: StateStore,
        http: PoliteHttp,
        sink: ArticleSink,
        metrics: FetcherMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.http = http
        self.sink = sink
        self.metrics = metrics or FetcherMetrics()

    # -- entry point ----------------------------------------------------------------------------
    def poll(self, source: Source) -> PollReport:
        """Poll ``source`` once; never raises for source-side problems (they are in the report).

        Raises :class:`~warta_fetcher.sink.SendFailed` when Kafka does not acknowledge: the caller must
        not carry on as if the articles were delivered.
        """
        started = time.monotonic()
        report = PollReport(source.id)
        previous = self.state.get(source.id)
        etag = last_modified = None
        feed_floor: float | None = None
        retry_after: float | None = None
        self.metrics.fetches.labels(source.id).inc()
        try:
            if source.kind == "folder":
                candidates = self._folder(source)
            elif source.kind == "feed":
                candidates, etag, last_modified, feed_floor = self._feed(
                    source, previous.etag, previous.last_modified, report
                )
            elif source.kind == "page":
                candidates, etag, last_modified = self._page(
                    source, previous.etag, previous.last_modified, report
                )
            else:
                candidates = self._sitemap(source, report)
            if report.status != "not_modified":
                self._deliver(source, candidates, report)
        except RateLimited as exc:
            report.status, report.error, report.error_reason = "error", str(exc), exc.reason
            retry_after = exc.retry_after_s
        except FetchError as exc:
            report.status, report.error, report.error_reason = "error", str(exc), exc.reason
        except (OSError, ValueError) as exc:
            report.status, report.error, report.error_reason = "error", f"{type(exc).__name__}: {exc}", "io"
        if report.status == "ok" and report.new == 0:
            report.status = "empty" if report.already_sent == 0 else "ok"
        failed = report.status == "error"
        if failed:
            self.metrics.errors.labels(source.id, report.error_reason or "error").inc()
        elif report.status == "not_modified":
            self.metrics.not_modified.labels(source.id).inc()
        if not failed:
            self.metrics.last_success.labels(source.id).set(time.time())
        interval = next_interval(
            previous.interval_s,
            configured=source.poll_interval,
            default=self.settings.default_interval_s,
            minimum=self.settings.min_interval_s,
            maximum=self.settings.max_interval_s,
            new_articles=report.new,
            feed_floor=feed_floor,
            failed=failed,
        )
        if retry_after:
            interval = max(interval, retry_after)
        report.interval_s = interval
        self.metrics.interval.labels(source.id).set(interval)
        self.state.record_poll(
            source.id,
            status=report.status,
            etag=etag,
            last_modified=last_modified,
            keep_validators=failed or report.status == "not_modified",
            interval_s=interval,
            next_poll_at=time.time() + interval,
            not_modified=report.status == "not_modified",
            error=report.error,
            new_articles=report.new,
            lag_s=report.last_lag_s,
        )
        report.duration_s = time.monotonic() - started
        return report

    # -- delivery -------------------------------------------------------------------------------
    def _deliver(self, source: Source, candidates: list[_Candidate], report: PollReport) -> None:
        fresh: list[_Candidate] = []
        seen_ids: set[str] = set()
        for cand in candidates:
            if cand.event.id in seen_ids or self.state.is_sent(cand.event.id):
                report.already_sent += 1
                self.metrics.skipped.labels(source.id).inc()
                if cand.entry_key:
                    self.state.mark_entry_seen(source.id, cand.entry_key, cand.event.id)
                continue
            seen_ids.add(cand.event.id)
            fresh.append(cand)
        for start in range(0, len(fresh), _SEND_CHUNK):
            chunk = fresh[start : start + _SEND_CHUNK]
            self.sink.send_batch([c.event for c in chunk])  # raises SendFailed: nothing below runs
            for cand in chunk:
                self.state.mark_sent(cand.event.id, source.id, cand.event.canonical_url, cand.entry_key)
                report.new += 1
                self.metrics.new_articles.labels(source.id).inc()
                if cand.event.published_at is not None:
                    lag = (cand.event.fetched_at - cand.event.published_at).total_seconds()
                    if lag >= 0:
                        self.metrics.lag.labels(source.id).observe(lag)
                        report.last_lag_s = lag

    def _event(
        self,
        source: Source,
        *,
        text: str,
        url: str | None,
        canonical_url: str | None,
        title: str | None,
        published_at: datetime | None,
        authors: list[str] | None = None,
        html_lang: str | None = None,
    ) -> ArticleFetched | None:
        text = text.strip()
        if not text:
            return None
        digest = content_hash(text)
        return ArticleFetched(
            id=article_id(canonical_url, source.id, digest),
            url=url,
            canonical_url=canonical_url,
            source=source.ref(),
            published_at=published_at,
            title=title,
            text=text,
            html_lang=html_lang,
            language_hint=source.language,
            authors=authors or [],
            content_hash=digest,
        )

    # -- folder ---------------------------------------------------------------------------------
    def _folder(self, source: Source) -> list[_Candidate]:
        folder = Path(source.path or "")
        if not folder.is_dir():
            raise FetchError("missing_path", f"folder {folder} does not exist")
        out: list[_Candidate] = []
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in FOLDER_SUFFIXES or path.name.startswith("."):
                continue
            try:
                out.extend(_Candidate(event, None) for event in self._file_events(source, path))
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                log.warning("skipping %s: %s", path, exc)
                self.metrics.errors.labels(source.id, "bad_file").inc()
        return out

    def _file_events(self, source: Source, path: Path) -> list[ArticleFetched]:
        suffix = path.suffix.lower()
        raw = path.read_bytes()
        if suffix == ".txt":
            text = raw.decode("utf-8-sig", errors="replace")
            title, body = split_title_and_body(text.strip())
            event = self._event(
                source,
                text=clean_plain_text(body, lang_hint=source.language),
                url=None,
                canonical_url=None,
                title=title,
                published_at=None,
            )
            return [event] if event else []
        if suffix in (".html", ".htm"):
            article = extract_article(raw, url=None, lang_hint=source.language)
            if article is None:
                return []
            event = self._from_extracted(source, article, url=article.canonical_url)
            return [event] if event else []
        data = json.loads(raw.decode("utf-8-sig"))
        items = (
            data if isinstance(data, list) else data.get("articles", [data]) if isinstance(data, dict) else []
        )
        events = []
        for item in items:
            event = self._json_article(source, item) if isinstance(item, dict) else None
            if event:
                events.append(event)
        return events

    def _json_article(self, source: Source, item: dict[str, Any]) -> ArticleFetched | None:
        text = item.get("text") or item.get("content") or item.get("body") or ""
        url = item.get("url") or item.get("link")
        canonical = (
            canonicalize_url(str(item.get("canonical_url") or url or ""))
            if (url or item.get("canonical_url"))
            else None
        )
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        published = item.get("published_at") or item.get("date") or item.get("published")
        return self._event(
            source,
            text=clean_plain_text(str(text), lang_hint=item.get("language") or source.language),
            url=str(url) if url else None,
            canonical_url=canonical,
            title=str(item["title"]).strip() if item.get("title") else None,
            published_at=parse_feed_date(str(published)) if published else None,
            authors=[str(a) for a in authors] if isinstance(authors, list) else [str(authors)],
            html_lang=item.get("language"),
        )

    def _from_extracted(
        self, source: Source, article: ExtractedArticle, url: str | None
    ) -> ArticleFetched | None:
        return self._event(
            source,
            text=article.text,
            url=url,
            canonical_url=article.canonical_url,
            title=article.title,
            published_at=article.published_at,
            authors=article.authors,
            html_lang=article.html_lang,
        )

    # -- feeds ----------------------------------------------------------------------------------
    def _read(
        self, source: Source, etag: str | None, last_modified: str | None, accept: str
    ) -> tuple[bytes | None, dict[str, str], str]:
        """Body (``None`` when 304), response headers, final URL; local paths are read from disk."""
        if not source.is_remote:
            path = Path(source.path or source.url or "")
            return path.read_bytes(), {}, path.resolve().as_uri()
        result = self.http.get(source.url or "", etag=etag, last_modified=last_modified, accept=accept)
        if result.not_modified:
            return None, result.headers, result.url
        return result.body, result.headers, result.url

    def _feed(
        self, source: Source, etag: str | None, last_modified: str | None, report: PollReport
    ) -> tuple[list[_Candidate], str | None, str | None, float | None]:
        body, headers, final_url = self._read(
            source,
            etag,
            last_modified,
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5",
        )
        if body is None:
            report.status = "not_modified"
            return [], etag, last_modified, None
        feed: ParsedFeed = parse_feed(body, url=final_url if source.is_remote else None, headers=headers)
        if feed.status == "malformed":
            raise FetchError("malformed_feed", feed.reason or "malformed feed", source.url)
        entries = sorted(feed.entries, key=lambda e: e.published_at or datetime.min.replace(tzinfo=UTC))
        limit = source.max_entries or self.settings.max_entries_per_poll
        entries = entries[-limit:]
        fetch_pages = (
            source.fetch_articles if source.fetch_articles is not None else self.settings.fetch_article_pages
        )
        out: list[_Candidate] = []
        for entry in entries:
            key = entry.key()
            if key and self.state.is_entry_seen(source.id, key):
                report.already_sent += 1
                continue
            errors_before = report.page_errors
            event = self._entry_event(source, entry, fetch_pages, report)
            if event is not None:
                out.append(_Candidate(event, key))
            elif key and report.page_errors == errors_before:  # a failed page is retried next poll
                self.state.mark_entry_seen(source.id, key)  # nothing to send: do not fetch it every poll
        return out, headers.get("etag"), headers.get("last-modified"), feed.min_poll_s

    def _entry_event(
        self, source: Source, entry: FeedEntry, fetch_pages: bool, report: PollReport
    ) -> ArticleFetched | None:
        article: ExtractedArticle | None = None
        if fetch_pages and entry.link and entry.link.startswith(("http://", "https://")):
            try:
                result = self.http.get(entry.link, accept="text/html,application/xhtml+xml")
                article = extract_article(result.body, url=result.url, lang_hint=source.language)
            except FetchError as exc:
                report.page_errors += 1
                self.metrics.errors.labels(source.id, exc.reason).inc()
                log.info("page %s not fetched (%s); using the feed's text", entry.link, exc.reason)
        if article is not None and len(article.text) >= min(
            self.settings.min_article_chars, len(entry.text) + 1
        ):
            event = self._from_extracted(source, article, url=entry.link)
            if event is not None:
                updates: dict[str, Any] = {}
                if not event.title and entry.title:
                    updates["title"] = entry.title
                if entry.published_at is not None:
                    updates["published_at"] = entry.published_at  # the feed's date is the publisher's claim
                if not event.authors and entry.authors:
                    updates["authors"] = entry.authors
                return event.model_copy(update=updates) if updates else event
        text = clean_plain_text(
            entry.text or entry.summary or "", lang_hint=entry.language or source.language
        )
        return self._event(
            source,
            text=text,
            url=entry.link,
            canonical_url=entry.link,
            title=entry.title,
            published_at=entry.published_at,
            authors=entry.authors,
            html_lang=entry.language,
        )

    # -- pages and sitemaps ---------------------------------------------------------------------
    def _page(
        self, source: Source, etag: str | None, last_modified: str | None, report: PollReport
    ) -> tuple[list[_Candidate], str | None, str | None]:
        body, headers, final_url = self._read(source, etag, last_modified, "text/html,application/xhtml+xml")
        if body is None:
            report.status = "not_modified"
            return [], etag, last_modified
        article = extract_article(
            body, url=final_url if source.is_remote else None, lang_hint=source.language
        )
        if article is None:
            raise FetchError("no_article", "no article body found", source.url)
        event = self._from_extracted(source, article, url=final_url if source.is_remote else None)
        return ([_Candidate(event, None)] if event else []), headers.get("etag"), headers.get("last-modified")

    def _sitemap(self, source: Source, report: PollReport) -> list[_Candidate]:
        body, _, final_url = self._read(source, None, None, "application/xml,text/xml,*/*;q=0.5")
        sitemap = parse_sitemap(
            body or b"", base_url=final_url if source.is_remote else None, max_bytes=self.settings.max_bytes
        )
        urls = list(sitemap.urls)
        # A sitemap index: follow the most recently modified children only.
        children = sorted(
            sitemap.sitemaps, key=lambda s: s.lastmod or datetime.min.replace(tzinfo=UTC), reverse=True
        )
        for child in children[:3]:
            try:
                result = self.http.get(child.loc, accept="application/xml,text/xml,*/*;q=0.5")
                urls.extend(
                    parse_sitemap(result.body, base_url=result.url, max_bytes=self.settings.max_bytes).urls
                )
            except FetchError as exc:
                report.page_errors += 1
                self.metrics.errors.labels(source.id, exc.reason).inc()
        urls.sort(key=lambda u: u.published_at or u.lastmod or datetime.min.replace(tzinfo=UTC), reverse=True)
        out: list[_Candidate] = []
        for item in urls[: source.max_entries or self.settings.max_entries_per_poll]:
            if self.state.is_entry_seen(source.id, item.loc):
                report.already_sent += 1
                continue
            try:
                result = self.http.get(item.loc, accept="text/html,application/xhtml+xml")
            except FetchError as exc:
                report.page_errors += 1
                self.metrics.errors.labels(source.id, exc.reason).inc()
                continue
            article = extract_article(result.body, url=result.url, lang_hint=item.language or source.language)
            if article is None:
                self.state.mark_entry_seen(
                    source.id, item.loc
                )  # no article there: do not fetch it every poll
                continue
            event = self._from_extracted(source, article, url=item.loc)
            if event is not None:
                if event.published_at is None and item.published_at is not None:
                    event = event.model_copy(update={"published_at": item.published_at})
                if not event.title and item.title:
                    event = event.model_copy(update={"title": item.title})
                out.append(_Candidate(event, item.loc))
        return out
