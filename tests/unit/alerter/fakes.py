"""Test doubles for the alerter's unit tests: an in-memory ES with the few calls the alerter makes
(create / get / update with optimistic concurrency / search on status), and article builders."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import ConflictError, NotFoundError

from warta.analysis.analyzer import analyze
from warta.events import (
    ArticleIndexed,
    Delivery,
    Language,
    SourceRef,
    Subscription,
    SubscriptionFilters,
    WebhookDelivery,
)


def _meta(status: int) -> ApiResponseMeta:
    return ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )


class FakeES:
    """Enough of AsyncElasticsearch for AlertStore and load_from_es. ``fail_next`` injects outages."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.seq: dict[str, int] = {}
        self._seq_no = 0
        self.fail_next = 0
        self.calls: list[str] = []
        self.searched_docs = 0  # documents returned by searches (to check a query's selectivity)

    def _maybe_fail(self, op: str) -> None:
        self.calls.append(op)
        if self.fail_next > 0:
            self.fail_next -= 1
            raise TransportConnectionError("connection refused (fake outage)")

    def _bump(self, doc_id: str) -> None:
        self._seq_no += 1
        self.seq[doc_id] = self._seq_no

    async def create(self, *, index: str, id: str, document: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._maybe_fail("create")
        if id in self.docs:
            raise ConflictError("version_conflict_engine_exception", _meta(409), {})
        self.docs[id] = copy.deepcopy(document)
        self._bump(id)
        return {"result": "created"}

    async def get(self, *, index: str, id: str, **_: Any) -> dict[str, Any]:
        self._maybe_fail("get")
        if id not in self.docs:
            raise NotFoundError("not_found", _meta(404), {})
        return {"_source": copy.deepcopy(self.docs[id]), "_seq_no": self.seq[id], "_primary_term": 1}

    async def update(
        self,
        *,
        index: str,
        id: str,
        doc: dict[str, Any],
        if_seq_no: int | None = None,
        if_primary_term: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        self._maybe_fail("update")
        if id not in self.docs:
            raise NotFoundError("not_found", _meta(404), {})
        if if_seq_no is not None and self.seq[id] != if_seq_no:
            raise ConflictError("version_conflict_engine_exception", _meta(409), {})
        self.docs[id].update(copy.deepcopy(doc))
        self._bump(id)
        return {"result": "updated"}

    async def search(self, *, index: str, query: dict[str, Any], size: int = 10, **kw: Any) -> dict[str, Any]:
        self._maybe_fail("search")
        docs = [d for d in self.docs.values() if _matches(query, d)]
        self.searched_docs += len(docs)
        docs.sort(key=lambda d: (d.get("created_at", ""), d.get("id", "")))
        after = kw.get("search_after")
        if after is not None:
            docs = [d for d in docs if [d.get("created_at", ""), d.get("id", "")] > list(after)]
        page = docs[:size]
        return {
            "hits": {
                "hits": [
                    {"_source": copy.deepcopy(d), "sort": [d.get("created_at", ""), d.get("id", "")]}
                    for d in page
                ]
            }
        }


def _value(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            return v
    return v


def _matches(query: dict[str, Any], doc: dict[str, Any]) -> bool:
    """The query DSL subset the alerter uses: match_all, term(s), range, bool filter/should."""
    ((kind, body),) = query.items()
    if kind == "match_all":
        return True
    if kind == "terms":
        ((field, values),) = body.items()
        return doc.get(field) in values
    if kind == "term":
        ((field, value),) = body.items()
        return doc.get(field) == value
    if kind == "range":
        ((field, bounds),) = body.items()
        v = _value(doc.get(field))
        ops = {
            "lte": lambda a, b: a <= b,
            "lt": lambda a, b: a < b,
            "gte": lambda a, b: a >= b,
            "gt": lambda a, b: a > b,
        }
        return v is not None and all(ops[op](v, _value(b)) for op, b in bounds.items())
    if kind == "bool":
        if not all(_matches(q, doc) for q in body.get("filter", [])):
            return False
        should = body.get("should", [])
        return not should or sum(_matches(q, doc) for q in should) >= body.get("minimum_should_match", 1)
    raise NotImplementedError(kind)


def make_article(
    article_id: str,
    story_id: str,
    title: str,
    text: str,
    *,
    lang: str = "id",
    source: str = "antaranews.com",
    indexed_at: datetime | None = None,
) -> ArticleIndexed:
    """An ArticleIndexed whose ``terms`` come from the real analyser (as the enricher makes them)."""
    return ArticleIndexed(
        id=article_id,
        url=f"https://{source}/berita/{article_id}",
        canonical_url=f"https://{source}/berita/{article_id}",
        source=SourceRef(id=source, name=source, kind="rss"),
        title=title,
        text=text,
        content_hash=f"hash-{article_id}",
        language=Language(code=lang, confidence=0.99),
        terms=analyze(f"{title}\n\n{text}", lang),
        enricher_version="test",
        story_id=story_id,
        indexed_at=indexed_at or datetime.now(UTC),
    )


def make_subscription(
    sub_id: str,
    query: str,
    *,
    url: str | None = "http://127.0.0.1:9/hook",
    secret: str = "s3cret",
    version: int = 1,
    active: bool = True,
    languages: list[str] | None = None,
    created_at: datetime | None = None,
) -> Subscription:
    return Subscription(
        id=sub_id,
        tenant="tenant-a",
        name=f"sub {sub_id}",
        query=query,
        filters=SubscriptionFilters(languages=languages or []),
        delivery=Delivery(webhook=WebhookDelivery(url=url, secret=secret) if url else None),
        version=version,
        active=active,
        created_at=created_at or datetime(2020, 1, 1, tzinfo=UTC),
    )
