"""Article and story bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from warta_api.search.schemas import ArticleHit


class ArticleOut(BaseModel):
    """An indexed article as stored (internal matching fields such as terms and signature omitted)."""

    model_config = ConfigDict(extra="allow")

    id: str
    url: str | None = None
    canonical_url: str | None = None
    source: dict[str, Any]
    title: str | None = None
    text: str
    language: dict[str, Any] | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    authors: list[str] = Field(default_factory=list)
    entities: list[dict[str, Any]] = Field(default_factory=list)
    topics: list[dict[str, Any]] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    story_id: str | None = None
    duplicate_of: str | None = None
    indexed_at: datetime | None = None


class StoryOut(BaseModel):
    story_id: str
    article_count: int
    languages: list[str]
    first_published_at: datetime | None = None
    last_published_at: datetime | None = None
    articles: list[ArticleHit] = Field(description="oldest first")
