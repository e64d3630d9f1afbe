"""Feed parsing: never crashes, safe content, resolved links, UTC dates, JSON Feed, charsets."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.unit.fetcher.conftest import FIXTURES, SHARED_DATA
from warta_fetcher.feeds import parse_feed

FEEDPARSER_TESTS = SHARED_DATA / "feeds" / "feedparser_tests"


def test_script_iframe_handlers_and_javascript_urls_never_survive() -> None:
    feed = parse_feed((FIXTURES / "feed_hostile.xml").read_bytes(), url="https://hostile.example.com/rss")
    html = feed.entries[0].content_html or ""
    assert "Real text" in html
    for bad in ("<script", "<iframe", "onclick", "onerror", "javascript:"):
        assert bad not in html.lower()
    assert "alert" not in feed.entries[0].text


def test_relative_links_are_resolved_and_tracking_dropped() -> None:
    feed = parse_feed((FIXTURES / "feed_hostile.xml").read_bytes(), url="https://hostile.example.com/rss")
    assert feed.entries[0].link == "https://hostile.example.com/news/2026/scripted?id=7"
    assert 'href="https://hostile.example.com/about"' in (feed.entries[0].content_html or "")


def test_dates_are_utc_and_unparseable_dates_stay_empty() -> None:
    feed = parse_feed((FIXTURES / "feed_hostile.xml").read_bytes())
    assert feed.entries[0].published_at == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    assert feed.entries[1].published_at is None
    assert feed.entries[1].published_raw == "Sun, 99 Jun 2009 12:00:00 GMT"


def test_ttl_sets_the_polling_floor() -> None:
    feed = parse_feed((FIXTURES / "feed_hostile.xml").read_bytes())
    assert feed.min_poll_s == 120 * 60


def test_sy_update_period_sets_the_polling_floor() -> None:
    body = (Path(__file__).resolve().parents[3] / "samples" / "feeds" / "warta-sample.xml").read_bytes()
    feed = parse_feed(body)
    assert feed.min_poll_s == 15 * 60  # max(ttl 15 min, hourly/4)
    assert feed.status == "ok" and len(feed.entries) == 3


def test_json_feed_is_parsed_and_sanitised() -> None:
    feed = parse_feed((FIXTURES / "feed.json").read_bytes(), url="https://json.example.org/feed.json")
    assert feed.format == "json" and feed.status == "ok"
    first, second = feed.entries
    assert first.link == "https://json.example.org/posts/one"
    assert first.published_at == datetime(2026, 11, 20, 13, 0, tzinfo=UTC)
    assert "script" not in (first.content_html or "") and first.text == "Hello world"
    assert first.authors == ["Ana"] and first.language == "en"
    assert second.published_at is None and second.text == "Plain text body."


def test_undeclared_legacy_encoding_is_decoded() -> None:
    feed = parse_feed((FIXTURES / "feed_latin1_undeclared.xml").read_bytes())
    assert feed.entries, feed.reason
    assert feed.entries[0].title == "Crème brûlée wins"


def test_http_charset_header_is_used() -> None:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Ωmega</title></item></channel></rss>'
    feed = parse_feed(
        body.encode("iso-8859-7"), headers={"Content-Type": "application/rss+xml; charset=iso-8859-7"}
    )
    assert feed.entries[0].title == "Ωmega"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"<html><body>not a feed</body></html>",
        b"{not json",
        b"<rss><channel><item>",
    ],
)
def test_garbage_never_raises_and_says_why(body: bytes) -> None:
    feed = parse_feed(body)
    assert feed.status in ("malformed", "empty", "ok")
    if feed.status != "ok":
        assert feed.reason


def _header_of(raw: bytes) -> dict[str, str]:
    match = re.search(rb"Header:\s*([^\n]+?)\s*(?:\n|-->)", raw[:2000])
    if not match:
        return {}
    name, _, value = match.group(1).decode("latin-1").partition(":")
    return {name.strip(): value.strip()}


@pytest.mark.skipif(not FEEDPARSER_TESTS.exists(), reason="shared feedparser test feeds not available")
def test_every_feedparser_edge_case_yields_entries_or_a_reason() -> None:
    files = [p for p in FEEDPARSER_TESTS.rglob("*") if p.suffix in (".xml", ".json")]
    assert files
    for path in files:
        raw = path.read_bytes()
        feed = parse_feed(raw, url="http://example.org/feed", headers=_header_of(raw))
        assert feed.entries or feed.reason, path


def test_fast_path_and_feedparser_agree_on_a_plain_feed() -> None:
    import warta_fetcher.feeds as feeds_module

    body = (Path(__file__).resolve().parents[3] / "samples" / "feeds" / "warta-sample.xml").read_bytes()
    fast = parse_feed(body, url="https://news.example.org/rss")
    assert fast.encoding == "xml"  # took the lxml fast path
    original = feeds_module.parse_fast
    feeds_module.parse_fast = lambda *args: None  # type: ignore[assignment]
    try:
        slow = parse_feed(body, url="https://news.example.org/rss")
    finally:
        feeds_module.parse_fast = original
    assert slow.encoding != "xml"
    for a, b in zip(fast.entries, slow.entries, strict=True):
        assert (a.title, a.link, a.guid, a.published_at, a.authors, a.categories, a.text) == (
            b.title, b.link, b.guid, b.published_at, b.authors, b.categories, b.text
        )  # fmt: skip
    assert (fast.min_poll_s, fast.language, fast.title) == (slow.min_poll_s, slow.language, slow.title)


def test_win1252_bytes_under_latin1_label_go_to_feedparser_and_are_repaired() -> None:
    body = b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title><item><title>x</title><description>don\x92t</description></item></channel></rss>'
    assert parse_feed(body).entries[0].text == "don\u2019t"
