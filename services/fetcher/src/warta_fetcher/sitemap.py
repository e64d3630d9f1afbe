"""News sitemaps and sitemap indexes (plain or gzipped), parsed without network or entity expansion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from warta_fetcher.dates import parse_feed_date
from warta_fetcher.net import gunzip_capped
from warta_fetcher.urls import canonicalize_url

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


@dataclass
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None
    title: str | None = None  # news:title
    language: str | None = None  # news:publication/news:language
    published_at: datetime | None = None  # news:publication_date


@dataclass
class Sitemap:
    urls: list[SitemapUrl]
    sitemaps: list[SitemapUrl]  # children of a sitemap index


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(node: etree._Element, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_sitemap(body: bytes, base_url: str | None = None, max_bytes: int = 50 * 1024 * 1024) -> Sitemap:
    """Parse a ``<urlset>`` or ``<sitemapindex>``; gzip is detected by magic bytes and capped."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip_capped(body, max_bytes)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return Sitemap([], [])
    urls: list[SitemapUrl] = []
    children: list[SitemapUrl] = []
    for node in root:
        name = _local(node.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = canonicalize_url(_child_text(node, "loc") or "", base_url)
        if not loc:
            continue
        item = SitemapUrl(
            loc=loc,
            lastmod=parse_feed_date(_child_text(node, "lastmod")),
            title=_child_text(node, "title"),
            language=_child_text(node, "language"),
            published_at=parse_feed_date(_child_text(node, "publication_date")),
        )
        (urls if name == "url" else children).append(item)
    return Sitemap(urls, children)
