"""Whole polls of each source kind against a real local server, into an in-memory sink."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.unit.fetcher.conftest import FIXTURES, REPO_ROOT
from tests.unit.fetcher.httpfixture import LocalServer, Reply
from warta_fetcher.harvest import Harvester
from warta_fetcher.metrics import FetcherMetrics
from warta_fetcher.service import build_harvester, close_harvester
from warta_fetcher.settings import Settings
from warta_fetcher.sink import MemorySink, SendFailed
from warta_fetcher.sources import Source

BOILERPLATE = ("Baca Juga", "Baca juga", "Sumber :", "Bagikan", "Scroll to Top")


def _harvester(settings: Settings) -> tuple[Harvester, MemorySink]:
    sink = MemorySink()
    return build_harvester(settings, sink=sink, metrics=FetcherMetrics()), sink


def _feed_xml(base: str, items: int) -> bytes:
    parts = [
        f"<item><title>Story {i}</title><link>{base}/news/{i}?utm_source=rss</link>"
        f"<pubDate>Sat, 21 Nov 2026 0{i}:00:00 GMT</pubDate><description>Summary of story {i}.</description></item>"
        for i in range(items)
    ]
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><link>{base}/</link>'
        f"<description>d</description>{''.join(parts)}</channel></rss>"
    ).encode()


def _article_html(i: int) -> bytes:
    body = (FIXTURES / "article_related.html").read_text(encoding="utf-8")
    body = body.replace("panen-raya-jawa-tengah", f"story-{i}").replace(
        "Petani Jawa Tengah panen raya", f"Cerita {i}:"
    )
    return body.encode("utf-8")


def _serve_feed(server: LocalServer, items: int) -> None:
    feed = _feed_xml(server.base, items)

    def feed_route(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-None-Match") == '"feed-v1"':
            return Reply(304, b"", {"ETag": '"feed-v1"'})
        return Reply(200, feed, {"Content-Type": "application/rss+xml", "ETag": '"feed-v1"'})

    server.routes["/rss.xml"] = feed_route
    for i in range(items):
        server.routes[f"/news/{i}"] = Reply(
            200, _article_html(i), {"Content-Type": "text/html; charset=utf-8"}
        )


def test_seed_folder_gives_two_clean_articles_with_stable_ids(settings: Settings) -> None:
    source = Source(name="Seeds", kind="folder", path=str(REPO_ROOT / "samples" / "seeds"), language="id")
    harvester, sink = _harvester(settings)
    report = harvester.poll(source)
    assert report.new == 2 and len(sink.events) == 2
    for event in sink.events:
        assert event.url is None and event.language_hint == "id"
        assert not any(b in event.text for b in BOILERPLATE), event.text
    titled = [e for e in sink.events if e.title]
    assert titled and titled[0].title == "Para Menlu NATO Bahas Bantuan Musim Dingin Untuk Kyiv"
    assert not titled[0].text.startswith("Para Menlu NATO")
    close_harvester(harvester)

    # same files, fresh state: the same ids (deterministic), so downstream stays idempotent
    fresh = settings.model_copy(update={"state_dir": settings.state_dir.parent / "other"})
    again, sink2 = _harvester(fresh)
    again.poll(source)
    assert sorted(e.id for e in sink2.events) == sorted(e.id for e in sink.events)
    close_harvester(again)


def test_folder_reads_html_and_json_articles(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "page.html").write_bytes((FIXTURES / "article_related.html").read_bytes())
    (folder / "items.json").write_text(
        json.dumps(
            [
                {
                    "title": "JSON one",
                    "text": "Body of the JSON article.",
                    "url": "https://j.example/1?utm_source=x",
                    "published_at": "2026-11-20T10:00:00+01:00",
                }
            ]
        )
    )
    (folder / "ignored.pdf").write_bytes(b"%PDF")
    harvester, sink = _harvester(settings)
    harvester.poll(Source(name="Inbox", kind="folder", path=str(folder)))
    by_title = {e.title: e for e in sink.events}
    assert set(by_title) == {"JSON one", "Petani Jawa Tengah panen raya melampaui target"}
    assert by_title["JSON one"].canonical_url == "https://j.example/1"
    assert by_title["JSON one"].published_at is not None and by_title["JSON one"].published_at.hour == 9
    assert "Baca" not in by_title["Petani Jawa Tengah panen raya melampaui target"].text
    close_harvester(harvester)


def test_feed_over_http_sends_each_article_once_even_after_restart(
    server: LocalServer, settings: Settings
) -> None:
    _serve_feed(server, 3)
    source = Source(name="Local feed", kind="rss", url=server.url("/rss.xml"), language="id")
    harvester, sink = _harvester(settings)
    first = harvester.poll(source)
    assert first.status == "ok" and first.new == 3, first
    urls = {e.canonical_url for e in sink.events}
    assert len(urls) == 3 and all("utm_" not in (u or "") for u in urls)
    # rel=canonical of each page is honoured (ids hash the canonical URL)
    assert {e.canonical_url for e in sink.events} == {
        f"https://berita.example.id/ekonomi/2026/11/21/story-{i}" for i in range(3)
    }
    assert all("Baca" not in e.text for e in sink.events)
    second = harvester.poll(source)
    assert second.status == "not_modified" and second.new == 0
    close_harvester(harvester)

    # restart: new process, same state dir, the server "forgot" the ETag
    server.routes["/rss.xml"] = Reply(200, _feed_xml(server.base, 3), {"Content-Type": "application/rss+xml"})
    restarted, sink2 = _harvester(settings)
    third = restarted.poll(source)
    assert third.new == 0 and sink2.events == []
    state = restarted.state.get(source.id)
    assert state.fetches == 3 and state.not_modified == 1 and state.new_articles == 3
    close_harvester(restarted)


def test_feed_entry_falls_back_to_feed_text_when_page_is_blocked(
    server: LocalServer, settings: Settings
) -> None:
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /news/\n")
    _serve_feed(server, 1)
    harvester, sink = _harvester(settings)
    report = harvester.poll(Source(name="Blocked pages", kind="rss", url=server.url("/rss.xml")))
    assert report.new == 1 and report.page_errors == 1
    assert sink.events[0].text == "Summary of story 0."
    assert "/news/0" not in server.paths_hit()
    close_harvester(harvester)


def test_rate_limited_feed_is_an_error_and_backs_off(server: LocalServer, settings: Settings) -> None:
    server.routes["/rss.xml"] = Reply(429, b"", {"Retry-After": "7200"})
    harvester, _ = _harvester(settings)
    report = harvester.poll(Source(name="Busy", kind="rss", url=server.url("/rss.xml")))
    assert report.status == "error" and report.error_reason == "rate_limited"
    assert report.interval_s is not None and report.interval_s >= 7200
    assert harvester.state.get("busy").errors == 1
    close_harvester(harvester)


def test_gzipped_news_sitemap(server: LocalServer, settings: Settings) -> None:
    sitemap = (FIXTURES / "sitemap_news.xml").read_text().replace("PLACEHOLDER", server.base)
    server.routes["/sitemap.xml.gz"] = Reply(
        200, gzip.compress(sitemap.encode()), {"Content-Type": "application/gzip"}
    )
    server.routes["/news/panen"] = Reply(200, _article_html(9), {"Content-Type": "text/html"})
    harvester, sink = _harvester(settings)
    report = harvester.poll(Source(name="Sitemap", kind="sitemap", url=server.url("/sitemap.xml.gz")))
    assert report.new == 1
    assert sink.events[0].title == "Cerita 9: melampaui target"
    close_harvester(harvester)


def test_sitemap_index_follows_children(server: LocalServer, settings: Settings) -> None:
    child = (FIXTURES / "sitemap_news.xml").read_text().replace("PLACEHOLDER", server.base)
    server.routes["/child.xml"] = Reply(200, child.encode())
    server.routes["/index.xml"] = Reply(
        200,
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{server.base}/child.xml</loc>'
        f"<lastmod>2026-11-21</lastmod></sitemap></sitemapindex>".encode(),
    )
    server.routes["/news/panen"] = Reply(200, _article_html(4), {"Content-Type": "text/html"})
    harvester, sink = _harvester(settings)
    assert harvester.poll(Source(name="Index", kind="sitemap", url=server.url("/index.xml"))).new == 1
    close_harvester(harvester)


def test_single_page_source_uses_conditional_get(server: LocalServer, settings: Settings) -> None:
    def page(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-Modified-Since") == "Sat, 21 Nov 2026 02:00:00 GMT":
            return Reply(304, b"")
        return Reply(200, _article_html(5), {"Last-Modified": "Sat, 21 Nov 2026 02:00:00 GMT"})

    server.routes["/page"] = page
    harvester, sink = _harvester(settings)
    source = Source(name="Page", kind="page", url=server.url("/page"))
    assert harvester.poll(source).new == 1
    assert harvester.poll(source).status == "not_modified"
    assert harvester.metrics.not_modified.labels("page")._value.get() == 1
    close_harvester(harvester)


class _FailingSink(MemorySink):
    def send_batch(self, events):  # type: ignore[no-untyped-def]
        raise SendFailed("broker down")


def test_unacknowledged_articles_are_not_marked_sent(settings: Settings) -> None:
    source = Source(name="Seeds", kind="folder", path=str(REPO_ROOT / "samples" / "seeds"))
    failing = build_harvester(settings, sink=_FailingSink(), metrics=FetcherMetrics())
    with pytest.raises(SendFailed):
        failing.poll(source)
    close_harvester(failing)
    harvester, sink = _harvester(settings)
    assert harvester.poll(source).new == 2  # nothing was lost: both are sent on the next try
    close_harvester(harvester)
