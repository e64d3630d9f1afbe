"""Webhook target validation: http(s) only, and no private, loopback or link-local destinations
unless ``WARTA_API_ALLOW_PRIVATE_WEBHOOKS`` is set (a webhook must not be a way into our network)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from warta_api.errors import ApiError

RESOLVE_TIMEOUT_SECONDS = 3.0


def _invalid(message: str, reason: str) -> ApiError:
    return ApiError(400, "invalid_webhook", message, {"field": "delivery.webhook.url", "reason": reason})


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # not global = private, loopback, link-local, shared (CGNAT), reserved, unspecified...
    return not address.is_global or address.is_multicast


async def validate_webhook_url(url: str, allow_private: bool) -> str:
    """Return ``url`` if acceptable, else raise a 400 ``invalid_webhook`` saying why.

    Host names are resolved and every address is checked; the alerter re-checks at delivery time
    because DNS can change after this check.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise _invalid(f"webhook URL is malformed: {exc}", "malformed") from exc
    if parts.scheme not in ("http", "https"):
        raise _invalid("webhook URL must use http or https", "scheme")
    host = parts.hostname
    if not host:
        raise _invalid("webhook URL has no host", "host")
    if allow_private:
        return url.strip()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(
                    host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
                ),
                RESOLVE_TIMEOUT_SECONDS,
            )
        except (OSError, TimeoutError) as exc:
            raise _invalid(f"webhook host {host!r} does not resolve", "unresolvable") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        if _refused(address):
            raise _invalid(
                f"webhook host {host!r} is a private, loopback or link-local address ({address}); "
                "set WARTA_API_ALLOW_PRIVATE_WEBHOOKS=true to allow it",
                "private_address",
            )
    return url.strip()
