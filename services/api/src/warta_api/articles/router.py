"""``GET /v1/articles/{id}`` and ``GET /v1/stories/{story_id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from warta_api.articles.schemas import ArticleOut, StoryOut
from warta_api.articles.service import get_article, get_story
from warta_api.auth import Reader
from warta_api.deps import Es, Indices
from warta_api.errors import ERROR_RESPONSES

router = APIRouter(prefix="/v1", tags=["articles"], responses=ERROR_RESPONSES)

Ident = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/articles/{article_id}", response_model=ArticleOut, summary="One article")
async def read_article(article_id: Ident, es: Es, indices: Indices, _reader: Reader) -> ArticleOut:
    """The indexed article (404 when unknown)."""
    return await get_article(es, indices, article_id)


@router.get("/stories/{story_id}", response_model=StoryOut, summary="Articles of one story")
async def read_story(story_id: Ident, es: Es, indices: Indices, _reader: Reader) -> StoryOut:
    """Every article assigned to the story, oldest first (404 when unknown)."""
    return await get_story(es, indices, story_id)
