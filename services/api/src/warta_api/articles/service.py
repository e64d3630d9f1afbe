"""Reading single articles and whole stories from the articles alias."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from warta.elastic import IndexNames
from warta_api.articles.schemas import ArticleOut, StoryOut
from warta_api.errors import not_found
from warta_api.search.service import SOURCE_EXCLUDES, article_hit

# Stories are small (outlets covering one event); a story page returns at most this many articles.
STORY_MAX_ARTICLES = 200
_ARTICLE_EXCLUDES = [f for f in SOURCE_EXCLUDES if f != "entities.offsets"]


async def get_article(es: AsyncElasticsearch, indices: IndexNames, article_id: str) -> ArticleOut:
    """The article with ``article_id``; 404 when absent.

    Articles live in monthly indices behind one alias and a GET by id cannot address an alias of
    several indices, so this is an ``ids`` search.
    """
    resp = await es.search(
        index=indices.articles,
        query={"ids": {"values": [article_id]}},
        size=1,
        source_excludes=_ARTICLE_EXCLUDES,
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    hits = resp["hits"]["hits"]
    if not hits:
        raise not_found("article", article_id)
    return ArticleOut.model_validate(hits[0]["_source"])


async def get_story(es: AsyncElasticsearch, indices: IndexNames, story_id: str) -> StoryOut:
    """Articles sharing ``story_id``, oldest first; 404 when the story has none."""
    resp = await es.search(
        index=indices.articles,
        query={"bool": {"filter": [{"term": {"story_id": story_id}}]}},
        sort=[{"published_at": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        size=STORY_MAX_ARTICLES,
        source_excludes=SOURCE_EXCLUDES,
        track_total_hits=True,
        aggs={
            "languages": {"terms": {"field": "language.code", "size": 50}},
            "first": {"min": {"field": "published_at"}},
            "last": {"max": {"field": "published_at"}},
        },
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    hits = resp["hits"]["hits"]
    if not hits:
        raise not_found("story", story_id)
    aggs: dict[str, Any] = resp.get("aggregations") or {}
    return StoryOut(
        story_id=story_id,
        article_count=resp["hits"]["total"]["value"],
        languages=[b["key"] for b in aggs.get("languages", {}).get("buckets", [])],
        first_published_at=aggs.get("first", {}).get("value_as_string"),
        last_published_at=aggs.get("last", {}).get("value_as_string"),
        articles=[article_hit(h["_source"], None, None) for h in hits],
    )
