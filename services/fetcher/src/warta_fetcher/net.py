"""Polite, defensive HTTP: robots.txt, per-host limits, conditional GET, caps and an SSRF guard.

Every request of the fetcher goes through :class:`PoliteHttp`. Redirects are followed by hand so each
hop is checked again (address, robots, count); bodies are read raw and decompressed by us with an
output cap, so neither a huge body nor a gzip bomb can exhaust memory.

The address check is enforced where the socket is opened: our httpcore network backend resolves the
host, refuses non-public answers and connects to exactly the address it checked. A DNS answer that
changes between a check and the connection (DNS rebinding) therefore cannot reach a private address;
TLS still verifies and sends SNI for the URL's host name, and the Host header is the URL's.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx
from httpcore._backends.sync import SyncStream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpPolicy:
    """Limits applied to every request (built from :class:`~warta_fetcher.settings.Settings`)."""

    user_agent: str = "WartaBot/0.1"
    timeout_s: float = 15.0
    total_timeout_s: float = 60.0
    max_bytes: int = 8 * 1024 * 1024
    max_redirects: int = 5
    max_compression_ratio: int = 200
    allow_private_networks: bool = False
    allowed_networks: tuple[str, ...] = ()
    respect_robots: bool = True
    per_host_concurrency: int = 2
    per_host_delay_s: float = 1.0
    max_retry_after_wait_s: float = 10.0
    robots_ttl_s: float = 3600.0

    @classmethod
    def from_settings(cls, settings: object) -> HttpPolicy:
        names = cls.__dataclass_fields__.keys()
        values = {n: getattr(settings, n) for n in names if hasattr(settings, n)}
        if "allowed_networks" in values:
            values["allowed_networks"] = tuple(values["allowed_networks"])
        return cls(**values)


class FetchError(Exception):
    """A request that did not yield a usable response; ``reason`` is a short metric-friendly code."""

    def __init__(self, reason: str, message: str, url: str | None = None) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.url = url


class RateLimited(FetchError):
    def __init__(self, message: str, url: str, retry_after_s: float) -> None:
        super().__init__("rate_limited", message, url)
        self.retry_after_s = retry_after_s


@dataclass
class FetchResult:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    body: bytes = b""
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def parse_retry_after(value: str | None, default: float = 60.0) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


class _HostGate:
    """Per-host concurrency and minimum spacing; also remembers a host-wide back-off."""

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self._sem = threading.BoundedSemaphore(max(1, concurrency))
        self._lock = threading.Lock()
        self._next_at = 0.0
        self.delay_s = delay_s

    def __enter__(self) -> _HostGate:
        self._sem.acquire()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_at)
            self._next_at = start + self.delay_s
        if start > now:
            time.sleep(start - now)
        return self

    def __exit__(self, *exc: object) -> None:
        self._sem.release()

    def back_off(self, seconds: float) -> None:
        with self._lock:
            self._next_at = max(self._next_at, time.monotonic() + seconds)

    def blocked_for(self) -> float:
        with self._lock:
            return max(0.0, self._next_at - time.monotonic() - self.delay_s)


class _Robots:
    def __init__(self, parser: RobotFileParser | None, allow_all: bool, disallow_all: bool) -> None:
        self.parser, self.allow_all, self.disallow_all = parser, allow_all, disallow_all
        self.fetched_at = time.monotonic()

    def allowed(self, agent: str, url: str) -> bool:
        if self.allow_all:
            return True
        if self.disallow_all or self.parser is None:
            return False
        return self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        try:
            delay = self.parser.crawl_delay(agent)
        except Exception:  # robotparser raises on odd values; a missing delay is fine
            return None
        return float(delay) if delay else None


Resolver = Callable[[str, int], Sequence[str]]
"""``(host, port) -> IP address strings``; raises ``OSError`` when the name does not resolve."""


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answer for ``host`` (IPv4 and IPv6), first occurrence order."""
    addresses: list[str] = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class _CheckedBackend(httpcore.SyncBackend):
    """httpcore network backend that connects only to addresses it has just checked itself.

    ``checked(host, port)`` resolves and vets the host (raising :class:`FetchError` for a
    non-public answer); the socket is then opened to those IP addresses, never to the name, so no
    second DNS lookup can slip another address in. TLS is started by httpcore on this stream with
    the URL's host name as ``server_hostname`` (SNI and certificate checks unchanged)."""

    def __init__(self, checked: Callable[[str, int], list[str]]) -> None:
        self._checked = checked

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        source = None if local_address is None else (local_address, 0)
        last_error: OSError | None = None
        for address in self._checked(host, port):
            try:
                sock = socket.create_connection((address, port), timeout, source_address=source)
            except TimeoutError as exc:
                raise httpcore.ConnectTimeout(f"{host} ({address}): {exc}") from exc
            except OSError as exc:
                last_error = exc
                continue
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return SyncStream(sock)
        raise httpcore.ConnectError(f"cannot connect to {host}:{port}: {last_error}")


class _PinnedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connection pool uses :class:`_CheckedBackend`."""

    def __init__(
        self, backend: httpcore.NetworkBackend, limits: httpx.Limits, ssl_context: ssl.SSLContext | None
    ) -> None:
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class PoliteHttp:
    """Thread-safe HTTP GET with robots.txt, per-host limits, conditional requests and hard caps."""

    def __init__(
        self, policy: HttpPolicy, resolver: Resolver | None = None, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        """``resolver`` replaces the system DNS (tests); ``ssl_context`` the default CA trust."""
        self.policy = policy
        self._networks = [ipaddress.ip_network(n, strict=False) for n in policy.allowed_networks]
        self._resolve = resolver or system_resolver
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout_s),
            trust_env=False,
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=_PinnedTransport(
                _CheckedBackend(self._checked_addresses),
                httpx.Limits(max_connections=64, max_keepalive_connections=16),
                ssl_context,
            ),
        )
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, _Robots] = {}
        self._lock = threading.Lock()
        self._agent_token = policy.user_agent.split("/")[0]

    def close(self) -> None:
        self._client.close()

    # -- guards ---------------------------------------------------------------------------------
    def check_address(self, url: str) -> None:
        """Refuse non-http(s) URLs and hosts resolving to private, loopback, link-local… addresses.

        An early, explicit refusal before robots.txt or the request; the connection itself is
        checked again, on the address actually used (:class:`_CheckedBackend`)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad_url", f"not an http(s) URL: {url!r}", url)
        if self.policy.allow_private_networks:
            return
        self._checked_addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), url)

    def _checked_addresses(self, host: str, port: int, url: str | None = None) -> list[str]:
        """Resolve ``host``; every address must be public unless configuration allows it."""
        try:
            addresses = list(self._resolve(host, port))
        except OSError as exc:
            raise FetchError("dns", f"cannot resolve {host}: {exc}", url) from exc
        if not addresses:
            raise FetchError("dns", f"no address for {host}", url)
        if self.policy.allow_private_networks:
            return addresses
        for raw in addresses:
            address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(raw.split("%")[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
            if any(address in net for net in self._networks):
                continue
            if not address.is_global or address.is_multicast:
                raise FetchError("blocked_address", f"{host} resolves to non-public address {address}", url)
        return addresses

    def _gate(self, host: str) -> _HostGate:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(
                    self.policy.per_host_concurrency, self.policy.per_host_delay_s
                )
            return gate

    def robots_allows(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s host lets our user agent fetch it (cached per host)."""
        if not self.policy.respect_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            robots = self._robots.get(origin)
        if robots is None or time.monotonic() - robots.fetched_at > self.policy.robots_ttl_s:
            robots = self._load_robots(origin)
            with self._lock:
                self._robots[origin] = robots
            delay = robots.crawl_delay(self._agent_token)
            if delay:
                gate = self._gate(parts.netloc.lower())
                gate.delay_s = max(gate.delay_s, min(delay, 30.0))
        return robots.allowed(self._agent_token, url)

    def _load_robots(self, origin: str) -> _Robots:
        # RFC 9309: 4xx = no rules; 5xx or unreachable = assume full disallow for now.
        try:
            result = self._get_following(origin + "/robots.txt", {}, check_robots=False, max_bytes=512 * 1024)
        except RateLimited:
            return _Robots(None, allow_all=False, disallow_all=True)
        except FetchError as exc:
            if exc.reason.startswith("http_4"):
                return _Robots(None, allow_all=True, disallow_all=False)
            return _Robots(None, allow_all=False, disallow_all=True)
        parser = RobotFileParser()
        parser.parse(result.body.decode("utf-8", "replace").splitlines())
        return _Robots(parser, allow_all=False, disallow_all=False)

    # -- requests -------------------------------------------------------------------------------
    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url`` politely. Returns a result (``not_modified`` for a 304) or raises :class:`FetchError`.

        A 429/503 with a short ``Retry-After`` is waited out once; a longer one raises
        :class:`RateLimited` and blocks the host for that long.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        try:
            return self._get_following(url, headers, check_robots=True)
        except RateLimited as exc:
            if exc.retry_after_s > self.policy.max_retry_after_wait_s:
                raise
            time.sleep(exc.retry_after_s)
            return self._get_following(url, headers, check_robots=True)

    def _get_following(
        self, url: str, headers: dict[str, str], check_robots: bool, max_bytes: int | None = None
    ) -> FetchResult:
        visited: list[str] = []
        current = url
        while True:
            if current in visited:
                raise FetchError("redirect_loop", f"redirect loop via {current}", url)
            if len(visited) > self.policy.max_redirects:
                raise FetchError(
                    "too_many_redirects", f"more than {self.policy.max_redirects} redirects", url
                )
            visited.append(current)
            self.check_address(current)
            if check_robots and not self.robots_allows(current):
                raise FetchError("robots_disallowed", f"robots.txt disallows {current}", current)
            result = self._get_once(current, headers, max_bytes or self.policy.max_bytes)
            if result.status in (301, 302, 303, 307, 308) and "location" in result.headers:
                current = urljoin(current, result.headers["location"])
                continue
            result.redirects = visited[1:]
            return result

    def _get_once(self, url: str, headers: dict[str, str], max_bytes: int) -> FetchResult:
        host = urlsplit(url).netloc.lower()
        gate = self._gate(host)
        blocked = gate.blocked_for()
        if blocked > self.policy.max_retry_after_wait_s:
            raise RateLimited(f"{host} asked us to wait {blocked:.0f}s more", url, blocked)
        deadline = time.monotonic() + self.policy.total_timeout_s
        with gate:
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    resp_headers = {k.lower(): v for k, v in response.headers.items()}
                    if status in (301, 302, 303, 307, 308):
                        return FetchResult(url, status, resp_headers)
                    if status == 304:
                        return FetchResult(url, status, resp_headers, not_modified=True)
                    if status in (429, 503):
                        wait = parse_retry_after(resp_headers.get("retry-after"), default=60.0)
                        gate.back_off(wait)
                        raise RateLimited(f"HTTP {status}, retry after {wait:.0f}s", url, wait)
                    if status >= 400:
                        raise FetchError(f"http_{status}", f"HTTP {status}", url)
                    body = self._read_body(response, resp_headers, max_bytes, deadline, url)
                    return FetchResult(url, status, resp_headers, body=body)
            except FetchError as exc:  # refused at connect time by _CheckedBackend
                exc.url = exc.url or url
                raise
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"timed out: {type(exc).__name__}", url) from exc
            except httpx.HTTPError as exc:
                raise FetchError("network", f"{type(exc).__name__}: {exc}", url) from exc

    def _read_body(
        self, response: httpx.Response, headers: dict[str, str], max_bytes: int, deadline: float, url: str
    ) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("too_large", f"Content-Length {declared} > cap {max_bytes}", url)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        decompressor = None
        if encoding in ("gzip", "x-gzip", "deflate"):
            decompressor = zlib.decompressobj(47 if encoding != "deflate" else zlib.MAX_WBITS)
        elif encoding not in ("identity", ""):
            raise FetchError("bad_encoding", f"unsupported Content-Encoding {encoding}", url)
        out = bytearray()
        raw_total = 0
        for chunk in response.iter_raw():
            if time.monotonic() > deadline:
                raise FetchError("timeout", f"body not complete within {self.policy.total_timeout_s}s", url)
            raw_total += len(chunk)
            if decompressor is None:
                out += chunk
            else:
                try:
                    # max_length bounds the output of this single call: a bomb cannot balloon here.
                    out += decompressor.decompress(chunk, max_bytes + 1 - len(out))
                except zlib.error as exc:
                    raise FetchError("bad_encoding", f"corrupt {encoding} body: {exc}", url) from exc
                if decompressor.unconsumed_tail:
                    raise FetchError("decompression_bomb", f"decoded body exceeds {max_bytes} bytes", url)
                if len(out) > 1024 * 1024 and len(out) > self.policy.max_compression_ratio * max(
                    raw_total, 1
                ):
                    raise FetchError(
                        "decompression_bomb",
                        f"compression ratio above {self.policy.max_compression_ratio}",
                        url,
                    )
            if len(out) > max_bytes:
                reason = "decompression_bomb" if decompressor is not None else "too_large"
                raise FetchError(reason, f"body exceeds cap of {max_bytes} bytes", url)
        return bytes(out)


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress a gzip file body (e.g. ``sitemap.xml.gz``) refusing output above ``max_bytes``."""
    decompressor = zlib.decompressobj(47)
    try:
        out = decompressor.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError("bad_encoding", f"corrupt gzip: {exc}") from exc
    if len(out) > max_bytes or decompressor.unconsumed_tail:
        raise FetchError("decompression_bomb", f"gzip expands beyond {max_bytes} bytes")
    return out
