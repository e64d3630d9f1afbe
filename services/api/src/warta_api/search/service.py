"""Search over the articles alias: our query language compiled to ES, cursors, collapse, facets and
highlights computed in Python with the same analyser that produced the indexed terms."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from warta.analysis.query import Query, compile_es, filters_es, highlight, positive_terms
from warta.elastic import IndexNames
from warta.ids import stable_hash
from warta_api.cursors import decode_cursor, encode_cursor
from warta_api.errors import ApiError
from warta_api.search.schemas import (
    ArticleHit,
    EntityOut,
    FacetBucket,
    Facets,
    Highlight,
    SearchResponse,
    SortOrder,
    SourceOut,
    TopicOut,
    Total,
)

SNIPPET_CHARS = 240
# Relevance: a query word in the headline counts this much more than in the body alone.
TITLE_BOOST = 2.0
FACET_SIZE = 20
# ES refuses from + size beyond index.max_result_window; collapsed paging uses from/size.
MAX_RESULT_WINDOW = 10_000
# Internal fields that callers never need (large, or derived only for matching).
SOURCE_EXCLUDES = [
    "signature",
    "terms",
    "title_terms",
    "entities.offsets",
    "entity_keys",
    "topic_keys",
    "source_keys",
]


@dataclass(frozen=True)
class SearchSpec:
    """A validated search: everything :func:`run_search` needs, independent of HTTP."""

    text: str | None = None
    query: Query | None = None
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    sort: SortOrder = SortOrder.relevance
    size: int = 10
    cursor: str | None = None
    collapse_story: bool = False
    facets: bool = True
    highlight: bool = True
    extra_filters: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    def fingerprint(self) -> str:
        """Identifies the result list a cursor belongs to (query, filters, order, collapse)."""
        parts = [
            self.text or "",
            ",".join(self.languages),
            ",".join(self.topics),
            ",".join(self.entities),
            ",".join(self.sources),
            self.since.isoformat() if self.since else "",
            self.until.isoformat() if self.until else "",
            self.sort.value,
            "story" if self.collapse_story else "",
        ]
        return stable_hash(*parts, length=12)


# ----------------------------------------------------------------------------------- ES body


def _sort(order: SortOrder) -> list[dict[str, Any]]:
    newest = {"published_at": {"order": "desc", "missing": "_last"}}
    tiebreak = {"id": "asc"}  # a unique keyword makes search_after positions total
    if order is SortOrder.newest:
        return [newest, tiebreak]
    return [{"_score": "desc"}, newest, tiebreak]


def _facet_aggs() -> dict[str, Any]:
    return {
        "language": {"terms": {"field": "language.code", "size": FACET_SIZE}},
        "topic": {"terms": {"field": "topics.label", "size": FACET_SIZE}},
        "entity": {"terms": {"field": "entities.canonical", "size": FACET_SIZE}},
        "source": {"terms": {"field": "source.host", "size": FACET_SIZE}},
        "day": {
            "date_histogram": {
                "field": "day",
                "calendar_interval": "day",
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,
            }
        },
    }


def build_query(spec: SearchSpec) -> dict[str, Any]:
    """The ES ``query`` clause: the compiled query (or everything) under the structured filters."""
    filters = filters_es(
        languages=spec.languages,
        topics=spec.topics,
        entities=spec.entities,
        sources=spec.sources,
        since=spec.since,
        until=spec.until,
    )
    filters.extend(dict(f) for f in spec.extra_filters)
    if spec.query is None:
        return {"bool": {"must": [{"match_all": {}}], "filter": filters}}
    query: dict[str, Any] = {"must": [compile_es(spec.query)], "filter": filters}
    if spec.sort is SortOrder.relevance:
        # optional clauses: they reorder what matched, never change which articles match
        boosts = [compile_es(t, field="title_terms") for t in positive_terms(spec.query)]
        if boosts:
            query["should"] = [{"bool": {"should": boosts, "boost": TITLE_BOOST}}]
    return {"bool": query}


def build_request(spec: SearchSpec) -> tuple[dict[str, Any], int]:
    """Keyword arguments for ``AsyncElasticsearch.search`` and the offset of this page."""
    body: dict[str, Any] = {
        "query": build_query(spec),
        "sort": _sort(spec.sort),
        "size": spec.size,
        "source_excludes": SOURCE_EXCLUDES,
        "track_total_hits": MAX_RESULT_WINDOW,
    }
    offset = 0
    if spec.cursor:
        payload = decode_cursor(spec.cursor, spec.fingerprint())
        if spec.collapse_story:
            # ES allows search_after with collapse only when sorting on the collapse field, so
            # collapsed pages are addressed by offset (bounded by the result window).
            offset = int(payload.get("o", 0))
        elif "a" in payload:
            body["search_after"] = payload["a"]
        else:
            raise ApiError(400, "invalid_cursor", "cursor belongs to a different search")
    if spec.collapse_story:
        if offset + spec.size > MAX_RESULT_WINDOW:
            raise ApiError(
                400,
                "invalid_cursor",
                f"collapsed results can be paged through the first {MAX_RESULT_WINDOW} only",
            )
        body["from_"] = offset
        body["collapse"] = {"field": "story_id", "inner_hits": {"name": "story", "size": 0}}
    aggs: dict[str, Any] = _facet_aggs() if spec.facets else {}
    if spec.collapse_story:
        aggs["stories"] = {"cardinality": {"field": "story_id"}}
    if aggs:
        body["aggs"] = aggs
    return body, offset


# ------------------------------------------------------------------------------ response shape


def _plain_snippet(text: str, max_chars: int = SNIPPET_CHARS) -> str:
    if len(text) <= max_chars:
        return html.escape(text.strip()).replace("\n", " ")
    cut = text.rfind(" ", 0, max_chars)
    return html.escape(text[: cut if cut > 0 else max_chars].strip()).replace("\n", " ") + "…"


def make_highlight(source: Mapping[str, Any], query: Query | None) -> Highlight:
    """Title and body snippets with ``<em>`` around the words the query matched (same analyser)."""
    title = source.get("title") or None
    text = source.get("text") or ""
    lang = (source.get("language") or {}).get("code")
    if query is None:
        return Highlight(title=html.escape(title) if title else None, snippet=_plain_snippet(text))
    matched: dict[str, None] = {}
    title_hl = None
    if title:
        # a budget larger than the title keeps it whole
        title_hl, title_words = highlight(title, lang, query, max_chars=4 * len(title) + 4)
        matched.update(dict.fromkeys(title_words))
    snippet, words = highlight(text, lang, query, max_chars=SNIPPET_CHARS)
    matched.update(dict.fromkeys(words))
    return Highlight(title=title_hl, snippet=snippet, matched_terms=list(matched))


def article_hit(
    source: Mapping[str, Any], score: float | None, query: Query | None, with_highlight: bool = True
) -> ArticleHit:
    src = source.get("source") or {}
    return ArticleHit(
        id=source["id"],
        score=score,
        title=source.get("title"),
        url=source.get("canonical_url") or source.get("url"),
        source=SourceOut(id=src.get("id"), name=src.get("name"), host=src.get("host")),
        language=(source.get("language") or {}).get("code"),
        published_at=source.get("published_at"),
        fetched_at=source.get("fetched_at"),
        story_id=source.get("story_id"),
        duplicate_of=source.get("duplicate_of"),
        entities=[
            EntityOut(canonical=e["canonical"], type=e["type"], kb_id=e.get("kb_id"), count=e.get("count", 1))
            for e in source.get("entities") or []
            if e.get("canonical") and e.get("type")
        ],
        topics=[
            TopicOut(code=t["code"], label=t.get("label", ""), score=t.get("score", 0.0))
            for t in source.get("topics") or []
            if t.get("code")
        ],
        keywords=list(source.get("keywords") or []),
        highlight=make_highlight(source, query) if with_highlight else Highlight(),
    )


def _buckets(agg: Mapping[str, Any] | None, key_field: str = "key") -> list[FacetBucket]:
    if not agg:
        return []
    return [
        FacetBucket(key=str(b.get(key_field, b["key"])), count=b["doc_count"]) for b in agg.get("buckets", [])
    ]


def _facets(aggs: Mapping[str, Any]) -> Facets:
    return Facets(
        language=_buckets(aggs.get("language")),
        topic=_buckets(aggs.get("topic")),
        entity=_buckets(aggs.get("entity")),
        source=_buckets(aggs.get("source")),
        day=_buckets(aggs.get("day"), "key_as_string"),
    )


async def run_search(es: AsyncElasticsearch, indices: IndexNames, spec: SearchSpec) -> SearchResponse:
    """Execute ``spec`` against the articles alias and shape the page (with its next cursor)."""
    body, offset = build_request(spec)
    resp = await es.search(index=indices.articles, ignore_unavailable=True, allow_no_indices=True, **body)
    data = resp.body if hasattr(resp, "body") else resp
    raw_hits = data["hits"]["hits"]
    hits = []
    for h in raw_hits:
        hit = article_hit(h["_source"], h.get("_score"), spec.query, spec.highlight)
        if spec.collapse_story:
            inner = (h.get("inner_hits") or {}).get("story", {}).get("hits", {}).get("total", {})
            hit.story_articles = inner.get("value")
        hits.append(hit)
    total_raw = data["hits"].get("total") or {"value": len(raw_hits), "relation": "eq"}
    aggs = data.get("aggregations") or {}
    total = Total(
        value=total_raw["value"],
        relation=total_raw.get("relation", "eq"),
        stories=aggs["stories"]["value"] if "stories" in aggs else None,
    )
    next_cursor = None
    if len(raw_hits) == spec.size:
        fp = spec.fingerprint()
        if spec.collapse_story:
            if offset + spec.size < MAX_RESULT_WINDOW:
                next_cursor = encode_cursor(fp, offset=offset + spec.size)
        else:
            next_cursor = encode_cursor(fp, search_after=raw_hits[-1]["sort"])
    return SearchResponse(
        query=spec.text,
        total=total,
        results=hits,
        next_cursor=next_cursor,
        facets=_facets(aggs) if spec.facets else None,
        took_ms=int(data.get("took", 0)),
    )
