"""Webhook delivery: signing, target vetting and one HTTP attempt.

A delivery is ``POST <url>`` with the alert JSON as the body and these headers:

- ``Content-Type: application/json``
- ``Idempotency-Key: <alert id>`` - the same on every retry, so receivers can drop repeats;
- ``X-Warta-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed by the subscription secret>``;
- ``X-Warta-Timestamp: <unix seconds of this attempt>`` - informational (not signed);
- ``X-Warta-Attempt: <attempt number, 1-based>``.

Only a 2xx answer counts as delivered. Targets that resolve to loopback, private, link-local,
multicast, CGNAT, reserved or unspecified addresses are refused (server-side request forgery) unless
``WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS=true``; a refused target is a permanent failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

SIGNATURE_HEADER = "X-Warta-Signature"
TIMESTAMP_HEADER = "X-Warta-Timestamp"
ATTEMPT_HEADER = "X-Warta-Attempt"
USER_AGENT = "warta-alerter/1"
RESOLVE_TIMEOUT_SECONDS = 3.0


def sign(body: bytes, secret: str) -> str:
    """The ``X-Warta-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of ``body`` keyed by ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header_value: str) -> bool:
    """Receiver-side check of a signature header (constant-time)."""
    return hmac.compare_digest(sign(body, secret), header_value or "")


def delivery_headers(
    body: bytes, secret: str, alert_id: str, attempt: int, now: float | None = None
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Idempotency-Key": alert_id,
        SIGNATURE_HEADER: sign(body, secret),
        TIMESTAMP_HEADER: str(int(now if now is not None else time.time())),
        ATTEMPT_HEADER: str(attempt),
        "User-Agent": USER_AGENT,
    }


class TargetRefused(Exception):
    """The webhook URL is not allowed (scheme, or an address in a private range). Permanent."""


def _address_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Not a public unicast address: private, loopback, link-local, CGNAT, reserved, unspecified, multicast.

    The same rule the API applies when a subscription is saved; the alerter checks again at
    delivery time because DNS answers can change.
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_target(url: str, allow_private: bool) -> None:
    """Raise :class:`TargetRefused` unless ``url`` is http(s) to a public address (or private ones are allowed).

    Every address the host resolves to must be public, so a name with one public and one private
    record is refused. (A host that re-resolves differently between this check and the request -
    DNS rebinding - is not covered; deployments that need that should egress through a proxy.)
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(f"webhook URL must be http(s) with a host: {url!r}")
    if allow_private:
        return
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
            )
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"cannot resolve {host}: {exc}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for ip in addresses:
        if _address_refused(ip):
            raise TargetRefused(f"webhook host {host} resolves to non-public address {ip}")


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    permanent: bool  # no point retrying (refused target)
    status_code: int | None
    error: str | None


async def post_alert(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    alert_id: str,
    body: bytes,
    attempt: int,
    allow_private: bool,
) -> AttemptResult:
    """One delivery attempt; never raises for HTTP or network trouble (it is in the result)."""
    try:
        await check_target(url, allow_private)
    except TargetRefused as exc:
        return AttemptResult(False, True, None, str(exc))
    except ConnectionError as exc:
        return AttemptResult(False, False, None, str(exc))
    try:
        resp = await client.post(url, content=body, headers=delivery_headers(body, secret, alert_id, attempt))
    except httpx.HTTPError as exc:
        return AttemptResult(False, False, None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= resp.status_code < 300:
        return AttemptResult(True, False, resp.status_code, None)
    return AttemptResult(False, False, resp.status_code, f"HTTP {resp.status_code}: {resp.text[:200]}")
