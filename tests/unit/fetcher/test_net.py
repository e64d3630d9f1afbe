"""Politeness and safety of the fetcher's HTTP client, against a real local server."""

from __future__ import annotations

import gzip
import ssl
import time

import pytest

from tests.unit.fetcher.conftest import FIXTURES, loopback_policy
from tests.unit.fetcher.httpfixture import LocalServer, Reply
from warta_fetcher.net import FetchError, HttpPolicy, PoliteHttp, RateLimited, parse_retry_after

TLS_FIXTURES = FIXTURES / "tls"  # self-signed certificate for news.test (test-only key)


def _etag_route(handler):  # type: ignore[no-untyped-def]
    if handler.headers.get("If-None-Match") == '"v1"':
        return Reply(304, b"", {"ETag": '"v1"'})
    return Reply(200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": "Sat, 21 Nov 2026 10:00:00 GMT"})


def test_conditional_get_sends_validators_and_reports_304(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/feed"] = _etag_route
    first = http.get(server.url("/feed"))
    assert first.status == 200 and first.etag == '"v1"' and not first.not_modified
    second = http.get(server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status == 304 and second.body == b""
    sent = [h for p, h in server.hits if p == "/feed"][-1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Sat, 21 Nov 2026 10:00:00 GMT"


def test_short_retry_after_is_waited_out_then_retried(server: LocalServer, http: PoliteHttp) -> None:
    calls = {"n": 0}

    def flaky(_handler):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return Reply(429, b"slow down", {"Retry-After": "1"}) if calls["n"] == 1 else Reply(200, b"ok")

    server.routes["/busy"] = flaky
    started = time.monotonic()
    result = http.get(server.url("/busy"))
    assert result.body == b"ok"
    assert time.monotonic() - started >= 0.9
    assert calls["n"] == 2


def test_long_retry_after_raises_and_blocks_the_host(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/busy"] = Reply(503, b"maintenance", {"Retry-After": "3600"})
    server.routes["/other"] = Reply(200, b"fine")
    with pytest.raises(RateLimited) as info:
        http.get(server.url("/busy"))
    assert 3500 < info.value.retry_after_s <= 3600
    with pytest.raises(RateLimited):
        http.get(server.url("/other"))  # same host: we back off without asking again
    assert "/other" not in server.paths_hit()


def test_redirects_are_followed_and_reported(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/old"] = Reply(301, b"", {"Location": "/new"})
    server.routes["/new"] = Reply(200, b"here")
    result = http.get(server.url("/old"))
    assert result.body == b"here" and result.url == server.url("/new")
    assert result.redirects == [server.url("/new")]


def test_redirect_loop_is_detected(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/a"] = Reply(302, b"", {"Location": "/b"})
    server.routes["/b"] = Reply(302, b"", {"Location": "/a"})
    with pytest.raises(FetchError) as info:
        http.get(server.url("/a"))
    assert info.value.reason == "redirect_loop"


def test_redirect_chain_longer_than_cap_is_refused(server: LocalServer) -> None:
    for i in range(10):
        server.routes[f"/r{i}"] = Reply(302, b"", {"Location": f"/r{i + 1}"})
    client = PoliteHttp(loopback_policy(max_redirects=3))
    try:
        with pytest.raises(FetchError) as info:
            client.get(server.url("/r0"))
    finally:
        client.close()
    assert info.value.reason == "too_many_redirects"
    assert "/r5" not in server.paths_hit()


def test_slow_response_times_out(server: LocalServer) -> None:
    server.routes["/slow"] = Reply(200, b"late", delay_s=2.0)
    client = PoliteHttp(loopback_policy(timeout_s=0.5))
    try:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            client.get(server.url("/slow"))
    finally:
        client.close()
    assert info.value.reason == "timeout"
    assert time.monotonic() - started < 1.9


def test_oversized_body_is_refused_by_content_length(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/huge"] = Reply(200, b"x" * (2 * 1024 * 1024))
    with pytest.raises(FetchError) as info:
        http.get(server.url("/huge"))
    assert info.value.reason == "too_large"


def test_oversized_chunked_body_is_cut_while_streaming(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/huge"] = Reply(200, b"x" * (2 * 1024 * 1024), chunked=True)
    with pytest.raises(FetchError) as info:
        http.get(server.url("/huge"))
    assert info.value.reason == "too_large"


def test_gzip_bomb_is_stopped_before_it_expands(server: LocalServer, http: PoliteHttp) -> None:
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # ~200 KB on the wire
    assert len(bomb) < 1024 * 1024  # small enough to pass the raw size cap
    server.routes["/bomb"] = Reply(200, bomb, {"Content-Encoding": "gzip", "Content-Type": "application/xml"})
    with pytest.raises(FetchError) as info:
        http.get(server.url("/bomb"))
    assert info.value.reason == "decompression_bomb"


def test_gzip_body_is_decoded(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/gz"] = Reply(200, gzip.compress(b"<rss>hello</rss>"), {"Content-Encoding": "gzip"})
    assert http.get(server.url("/gz")).body == b"<rss>hello</rss>"


def test_robots_disallow_is_honoured_without_requesting_the_page(
    server: LocalServer, http: PoliteHttp
) -> None:
    server.routes["/private/page"] = Reply(200, b"secret")
    with pytest.raises(FetchError) as info:
        http.get(server.url("/private/page"))
    assert info.value.reason == "robots_disallowed"
    assert "/private/page" not in server.paths_hit()
    assert "/robots.txt" in server.paths_hit()


def test_missing_robots_txt_allows_everything(server: LocalServer, http: PoliteHttp) -> None:
    del server.routes["/robots.txt"]  # 404
    server.routes["/private/page"] = Reply(200, b"open")
    assert http.get(server.url("/private/page")).body == b"open"


def test_redirect_to_private_address_is_refused(server: LocalServer, http: PoliteHttp) -> None:
    server.routes["/jump"] = Reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(FetchError) as info:
        http.get(server.url("/jump"))
    assert info.value.reason == "blocked_address"
    server.routes["/jump10"] = Reply(302, b"", {"Location": "http://10.1.2.3/admin"})
    with pytest.raises(FetchError) as info:
        http.get(server.url("/jump10"))
    assert info.value.reason == "blocked_address"


def test_loopback_is_refused_unless_configured(server: LocalServer) -> None:
    server.routes["/x"] = Reply(200, b"ok")
    client = PoliteHttp(HttpPolicy(per_host_delay_s=0.0))
    try:
        with pytest.raises(FetchError) as info:
            client.get(server.url("/x"))
    finally:
        client.close()
    assert info.value.reason == "blocked_address"
    assert server.hits == []


def test_non_http_schemes_are_refused(http: PoliteHttp) -> None:
    with pytest.raises(FetchError) as info:
        http.get("file:///etc/passwd")
    assert info.value.reason == "bad_url"


def test_per_host_minimum_delay_spaces_requests(server: LocalServer) -> None:
    server.routes["/p"] = Reply(200, b"ok")
    client = PoliteHttp(loopback_policy(per_host_delay_s=0.3, respect_robots=False))
    try:
        started = time.monotonic()
        for _ in range(3):
            client.get(server.url("/p"))
        elapsed = time.monotonic() - started
    finally:
        client.close()
    assert elapsed >= 0.6


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None, default=7.0) == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("garbage", default=5.0) == 5.0


class FlippingResolver:
    """DNS rebinding at the resolver seam: the first answer is public, every later one private."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then, self.calls = first, then, 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return [self.first if self.calls == 1 else self.then]


def test_rebinding_between_check_and_connect_cannot_reach_the_private_address(
    server: LocalServer,
) -> None:
    server.routes["/admin"] = Reply(200, b"internal")
    resolver = FlippingResolver(first="93.184.216.34", then="127.0.0.1")
    client = PoliteHttp(HttpPolicy(per_host_delay_s=0.0, respect_robots=False), resolver=resolver)
    try:
        with pytest.raises(FetchError) as info:
            client.get(f"http://rebind.test:{server.port}/admin")
    finally:
        client.close()
    # Call 1 = get()'s early check (public, passes); call 2 = the connection, which sees the
    # rebound private answer and refuses instead of connecting to it.
    assert resolver.calls == 2
    assert info.value.reason == "blocked_address"
    assert "127.0.0.1" in str(info.value)
    assert info.value.url == f"http://rebind.test:{server.port}/admin"
    assert server.hits == []  # nothing ever reached the loopback server


def test_connection_goes_to_the_checked_address_with_the_original_host_header(server: LocalServer) -> None:
    server.routes["/story"] = Reply(200, b"berita")
    seen: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        seen.append(host)
        return ["127.0.0.1"]  # "news.test" does not exist in real DNS: only the seam can answer

    client = PoliteHttp(loopback_policy(respect_robots=False), resolver=resolver)
    try:
        result = client.get(f"http://news.test:{server.port}/story")
    finally:
        client.close()
    assert result.body == b"berita"
    assert set(seen) == {"news.test"}
    assert server.hits[-1][1]["host"] == f"news.test:{server.port}"


def test_redirect_to_a_name_resolving_to_a_private_address_is_refused(server: LocalServer) -> None:
    server.routes["/go"] = Reply(302, b"", {"Location": "http://intranet.test/secret"})

    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "127.0.0.1" else ["192.168.1.10"]

    client = PoliteHttp(loopback_policy(respect_robots=False), resolver=resolver)
    try:
        with pytest.raises(FetchError) as info:
            client.get(server.url("/go"))
    finally:
        client.close()
    assert info.value.reason == "blocked_address"
    assert [path for path, _ in server.hits] == ["/go"]


def test_https_to_a_pinned_address_still_verifies_and_sends_the_host_name() -> None:
    """Connecting by IP must not change TLS: SNI and the certificate check use the URL's name."""
    cert, key = TLS_FIXTURES / "news_test_cert.pem", TLS_FIXTURES / "news_test_key.pem"
    names: list[str | None] = []
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    server_tls.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    server = LocalServer(tls=server_tls).start()
    server.routes["/story"] = Reply(200, b"aman")
    trust = ssl.create_default_context(cafile=str(cert))
    client = PoliteHttp(
        loopback_policy(respect_robots=False), resolver=lambda host, port: ["127.0.0.1"], ssl_context=trust
    )
    try:
        assert client.get(f"https://news.test:{server.port}/story").body == b"aman"
        assert names == ["news.test"]
        assert server.hits[-1][1]["host"] == f"news.test:{server.port}"
        # The same certificate presented for another name is rejected: verification is on.
        with pytest.raises(FetchError) as info:
            client.get(f"https://other.test:{server.port}/story")
        assert info.value.reason == "network"
    finally:
        client.close()
        server.stop()
