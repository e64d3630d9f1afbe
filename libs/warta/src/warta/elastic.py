"""Elasticsearch helpers: checked-in index templates, alias names and document shaping.

Reads and writes always go through aliases (``<prefix>-articles``, ``<prefix>-subscriptions``,
``<prefix>-alerts``). Articles live in monthly indices (``<prefix>-articles-YYYY.MM``, by
publication date, else fetch date) so retention is dropping old indices; re-indexing is replaying
Kafka into a new prefix and swapping aliases. Templates use only what the minimal ES distribution
has (the core standard tokenizer; all language analysis happens in :mod:`warta.analysis`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from elasticsearch import AsyncElasticsearch, Elasticsearch

from warta.analysis.analyzer import analyze

TEMPLATES = ("articles", "subscriptions", "alerts")


@dataclass(frozen=True)
class IndexNames:
    prefix: str

    @property
    def articles(self) -> str:
        return f"{self.prefix}-articles"

    @property
    def subscriptions(self) -> str:
        return f"{self.prefix}-subscriptions"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}-alerts"

    def articles_index_for(self, when: datetime) -> str:
        return f"{self.prefix}-articles-{when.astimezone(UTC):%Y.%m}"


def make_es(url: str, **kw: Any) -> Elasticsearch:
    return Elasticsearch(url, request_timeout=kw.pop("request_timeout", 30), **kw)


def make_async_es(url: str, **kw: Any) -> AsyncElasticsearch:
    return AsyncElasticsearch(url, request_timeout=kw.pop("request_timeout", 30), **kw)


def load_template(name: str, prefix: str) -> dict[str, Any]:
    """The checked-in template ``warta/data/es/<name>.json`` with ``{prefix}`` substituted."""
    raw = resources.files("warta.data").joinpath(f"es/{name}.json").read_text("utf-8")
    return json.loads(raw.replace("{prefix}", prefix))


def wait_for_es(es: Elasticsearch, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            es.cluster.health(wait_for_status="yellow", timeout="5s")
            return
        except Exception as exc:  # transport errors of every kind while ES boots
            last = exc
            time.sleep(1.0)
    raise TimeoutError(f"Elasticsearch not healthy within {timeout:.0f}s: {last}")


def ensure_indices(es: Elasticsearch, prefix: str) -> None:
    """Install the index templates and the first concrete index behind each alias (idempotent)."""
    names = IndexNames(prefix)
    for name in TEMPLATES:
        body = load_template(name, prefix)
        es.indices.put_index_template(
            name=f"{prefix}-{name}",
            index_patterns=body["index_patterns"],
            template=body["template"],
            priority=body.get("priority"),
            meta=body.get("_meta"),
        )
    for index in (
        f"{names.subscriptions}-v1",
        f"{names.alerts}-v1",
        names.articles_index_for(datetime.now(UTC)),
    ):
        if not es.indices.exists(index=index):
            try:
                es.indices.create(index=index)
            except Exception as exc:  # created concurrently by another service
                if "resource_already_exists" not in str(exc):
                    raise


def article_document(article: Any) -> dict[str, Any]:
    """The ES document of an ``ArticleIndexed``: the event plus the derived filter keys.

    The keys come from :func:`warta.analysis.query.article_keys`, the same function the stream
    matcher uses, so search filters and alert filters agree.
    """
    from warta.analysis.query import article_keys

    doc = article.model_dump(mode="json")
    keys = article_keys(article)
    doc["terms"] = " ".join(article.terms)
    doc["title_terms"] = " ".join(analyze(article.title or "", keys.language))
    doc["entity_keys"] = list(keys.entity_keys)
    doc["topic_keys"] = list(keys.topic_keys)
    doc["source_keys"] = list(keys.source_keys)
    when = article.published_at or article.fetched_at
    doc["day"] = when.astimezone(UTC).strftime("%Y-%m-%d")
    doc["source"]["host"] = source_host(article.canonical_url or article.url or article.source.feed_url)
    return doc


def source_host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return (host[4:] if host.startswith("www.") else host) or None
