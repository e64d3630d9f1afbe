"""URL canonicalisation: one spelling per article, so the URL-hash id is stable across feeds and shares."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that only track the click, never select content.
_TRACKING_EXACT = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wickedid",
    "ref_src", "ref_url", "cmpid", "ocid", "spm", "share", "s_cid", "ncid", "sr_share", "at_medium",
    "at_campaign", "soc_src", "soc_trk", "rss", "feed", "from_rss", "xtor",
}  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "ga_", "hsa_", "pk_", "mtm_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str | None:
    """Absolute, normalised URL without tracking parameters or fragment; ``None`` if not http(s).

    Lower-cases scheme and host, drops default ports and ``#fragment``, removes ``utm_*``, ``fbclid``,
    ``gclid`` and similar, keeps the remaining query parameters in their original order.
    """
    if not url:
        return None
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = parts.path or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    """``host[:port]`` key used for per-host politeness."""
    parts = urlsplit(url)
    return parts.netloc.lower()
