"""Story assignment: articles about the same event share a ``story_id``.

For each new article the indexer looks for earlier articles that share entities or keywords in a
time window (one ES query), then compares near-duplicate signatures
(:mod:`warta.enrichment.signature`). The best match above the same-story threshold gives its
story; a near-exact copy is also ``duplicate_of`` that article. Otherwise the article starts a
story whose id is derived from its own id, so replays assign the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from warta.analysis.query import article_keys
from warta.enrichment.signature import is_duplicate, same_story, similarity
from warta.events import ArticleEnriched
from warta.ids import stable_hash


@dataclass(frozen=True)
class Candidate:
    id: str
    story_id: str
    signature: list[int]
    duplicate_of: str | None = None


@dataclass(frozen=True)
class StoryDecision:
    story_id: str
    duplicate_of: str | None
    score: float


def new_story_id(article_id: str) -> str:
    return "s" + stable_hash("story", article_id, length=15)


def decide(article: ArticleEnriched, candidates: list[Candidate]) -> StoryDecision:
    """Pick the story of ``article`` among ``candidates`` (earlier articles), or start a new one."""
    best: tuple[float, Candidate] | None = None
    for cand in candidates:
        if cand.id == article.id or not cand.signature or not article.signature:
            continue
        if not same_story(article.signature, cand.signature):
            continue
        score = similarity(article.signature, cand.signature)
        if best is None or score > best[0]:
            best = (score, cand)
    if best is None:
        return StoryDecision(new_story_id(article.id), None, 0.0)
    score, cand = best
    dup = (cand.duplicate_of or cand.id) if is_duplicate(article.signature, cand.signature) else None
    return StoryDecision(cand.story_id, dup, score)


def candidate_query(article: ArticleEnriched, window_days: int, size: int = 25) -> dict[str, Any]:
    """ES search body for earlier articles that may belong to the same story."""
    keys = article_keys(article)
    should: list[dict[str, Any]] = []
    if keys.entity_keys:
        should.append({"terms": {"entity_keys": list(keys.entity_keys)[:50]}})
    if article.keywords:
        should.append({"terms": {"keywords": article.keywords[:30]}})
    when = article.published_at or article.fetched_at
    window = timedelta(days=window_days)
    time_filter = {
        "bool": {
            "should": [
                {
                    "range": {
                        "published_at": {
                            "gte": (when - window).isoformat(),
                            "lte": (when + window).isoformat(),
                        }
                    }
                },
                {
                    "bool": {
                        "must_not": [{"exists": {"field": "published_at"}}],
                        "filter": [
                            {
                                "range": {
                                    "fetched_at": {
                                        "gte": (when - window).isoformat(),
                                        "lte": (when + window).isoformat(),
                                    }
                                }
                            }
                        ],
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }
    return {
        "size": size,
        "_source": ["id", "story_id", "signature", "duplicate_of"],
        "query": {
            "bool": {
                "should": should or [{"match_none": {}}],
                "minimum_should_match": 1,
                "filter": [time_filter],
                "must_not": [{"ids": {"values": [article.id]}}],
            }
        },
    }


def candidate_from_hit(hit: dict[str, Any]) -> Candidate:
    src = hit["_source"]
    return Candidate(src["id"], src["story_id"], list(src.get("signature") or []), src.get("duplicate_of"))


def candidate_from_article(article: ArticleEnriched, decision: StoryDecision) -> Candidate:
    return Candidate(article.id, decision.story_id, list(article.signature), decision.duplicate_of)
