from __future__ import annotations

import pytest

from warta_fetcher.urls import canonicalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://News.Example.COM:443/a/b?utm_source=x&id=3&fbclid=1#top",
            "https://news.example.com/a/b?id=3",
        ),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x?gclid=1&utm_medium=rss", "http://example.com:8080/x"),
        ("/rel/path?q=1", "https://base.example/rel/path?q=1"),
    ],
)
def test_tracking_parameters_fragments_and_case_are_normalised(raw: str, expected: str) -> None:
    assert canonicalize_url(raw, base="https://base.example/dir/") == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "mailto:a@b.c", "", "http://[::1"])
def test_non_http_or_broken_urls_have_no_canonical_form(raw: str) -> None:
    assert canonicalize_url(raw) is None
