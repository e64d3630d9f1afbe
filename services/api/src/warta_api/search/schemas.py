"""Search request parameters and response bodies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class SortOrder(StrEnum):
    relevance = "relevance"
    newest = "newest"


class SourceOut(BaseModel):
    id: str | None = None
    name: str | None = None
    host: str | None = None


class EntityOut(BaseModel):
    canonical: str
    type: str
    kb_id: str | None = None
    count: int = 1


class TopicOut(BaseModel):
    code: str
    label: str
    score: float


class Highlight(BaseModel):
    """Snippets are HTML-escaped text with matched words in ``<em>…</em>``."""

    title: str | None = None
    snippet: str = ""
    matched_terms: list[str] = Field(default_factory=list)


class ArticleHit(BaseModel):
    id: str
    score: float | None = Field(default=None, description="relevance score (null when sorted by date)")
    title: str | None = None
    url: str | None = None
    source: SourceOut
    language: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    story_id: str | None = None
    duplicate_of: str | None = None
    story_articles: int | None = Field(
        default=None, description="articles in this story matching the search (with collapse=story)"
    )
    entities: list[EntityOut] = Field(default_factory=list)
    topics: list[TopicOut] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    highlight: Highlight = Field(default_factory=Highlight)


class FacetBucket(BaseModel):
    key: str
    count: int


class Facets(BaseModel):
    language: list[FacetBucket] = Field(default_factory=list)
    topic: list[FacetBucket] = Field(default_factory=list)
    entity: list[FacetBucket] = Field(default_factory=list)
    source: list[FacetBucket] = Field(default_factory=list)
    day: list[FacetBucket] = Field(default_factory=list, description="articles per publication day")


class Total(BaseModel):
    value: int
    relation: Literal["eq", "gte"] = "eq"
    stories: int | None = Field(
        default=None, description="distinct stories (approximate), with collapse=story"
    )


class SearchResponse(BaseModel):
    query: str | None
    total: Total
    results: list[ArticleHit]
    next_cursor: str | None = Field(default=None, description="pass as `cursor` for the next page")
    facets: Facets | None = None
    took_ms: int
