"""``GET /v1/search``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from warta_api.auth import Reader
from warta_api.deps import Es, Indices
from warta_api.errors import ERROR_RESPONSES, ApiError
from warta_api.params import parse_instant, parse_user_query, split_values
from warta_api.search.schemas import SearchResponse, SortOrder
from warta_api.search.service import SearchSpec, run_search

router = APIRouter(prefix="/v1", tags=["search"], responses=ERROR_RESPONSES)


@router.get("/search", response_model=SearchResponse, summary="Search articles")
async def search(
    es: Es,
    indices: Indices,
    _reader: Reader,
    q: Annotated[
        str | None,
        Query(
            description='Words, "phrases", AND/OR/NOT, -word, parentheses, lang:/topic:/entity:/source: filters',
            max_length=2000,
            examples=["Stoltenberg", '"Jens Stoltenberg" AND (NATO OR Ukraina) -Rusia'],
        ),
    ] = None,
    lang: Annotated[list[str] | None, Query(description="language codes (repeat or comma-separate)")] = None,
    topic: Annotated[list[str] | None, Query(description="IPTC topic codes or labels")] = None,
    entity: Annotated[list[str] | None, Query(description="entity names or Wikidata ids")] = None,
    source: Annotated[list[str] | None, Query(description="source hosts or ids")] = None,
    since: Annotated[
        str | None, Query(description="YYYY-MM-DD, ISO date-time, or relative (24h, 7d)")
    ] = None,
    until: Annotated[str | None, Query(description="exclusive upper bound, same formats as since")] = None,
    sort: SortOrder = SortOrder.relevance,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    cursor: Annotated[
        str | None, Query(description="next_cursor of the previous page", max_length=4096)
    ] = None,
    collapse: Annotated[Literal["story"] | None, Query(description="one hit per story")] = None,
    facets: Annotated[bool, Query(description="language/topic/entity/source/day counts")] = True,
    highlights: Annotated[bool, Query(description="snippets with matched words in <em>")] = True,
) -> SearchResponse:
    """Search indexed articles. Results are paged with ``cursor``; a malformed ``q`` is a 400 whose
    ``detail`` gives the character ``position`` and what was ``expected`` there."""
    text = q.strip() if q and q.strip() else None
    since_at = parse_instant(since, "since") if since else None
    until_at = parse_instant(until, "until") if until else None
    if since_at and until_at and since_at >= until_at:
        raise ApiError(400, "invalid_parameter", "since must be earlier than until", {"param": "since"})
    spec = SearchSpec(
        text=text,
        query=parse_user_query(text) if text else None,
        languages=tuple(v.lower() for v in split_values(lang)),
        topics=split_values(topic),
        entities=split_values(entity),
        sources=split_values(source),
        since=since_at,
        until=until_at,
        sort=sort,
        size=size,
        cursor=cursor,
        collapse_story=collapse == "story",
        facets=facets,
        highlight=highlights,
    )
    return await run_search(es, indices, spec)
