"""Versioned event contracts for every Kafka topic (see docs/architecture.md).

All events are pydantic v2 models serialised as JSON. Changes within a schema version are additive
only; a breaking change means a new topic suffix (``.v2``). Unknown fields are ignored on read so a
newer producer never breaks an older consumer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of all wire events: JSON in, JSON out, extra fields tolerated."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> Any:
        return cls.model_validate_json(raw)


class SourceRef(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    name: str
    kind: str
    feed_url: str | None = None


class ArticleFetched(Event):
    """Published by the fetcher on ``articles.fetched.v1``; key = ``id``."""

    schema_version: int = SCHEMA_VERSION
    id: str
    url: str | None = None
    canonical_url: str | None = None
    source: SourceRef
    fetched_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    title: str | None = None
    text: str = Field(min_length=1)
    html_lang: str | None = None
    language_hint: str | None = None
    authors: list[str] = Field(default_factory=list)
    content_hash: str


class Language(BaseModel):
    code: str  # ISO 639-1, or "und" when unsure
    confidence: float


class Entity(BaseModel):
    text: str  # the surface form seen first in the article
    type: Literal["PER", "ORG", "LOC", "MISC"]
    canonical: str
    kb_id: str | None = None  # Wikidata QID where known
    count: int = 1
    offsets: list[tuple[int, int]] = Field(default_factory=list)  # char offsets into title + "\n\n" + text


class Topic(BaseModel):
    code: str  # IPTC Media Topic code, e.g. "medtop:11000000"
    label: str
    score: float


class ArticleEnriched(ArticleFetched):
    """Published by the enricher on ``articles.enriched.v1``."""

    language: Language
    entities: list[Entity] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    signature: list[int] = Field(default_factory=list)  # MinHash over word shingles
    terms: list[str] = Field(default_factory=list)  # analysed title + text (warta.analysis)
    enricher_version: str
    enriched_at: datetime = Field(default_factory=utcnow)


class ArticleIndexed(ArticleEnriched):
    """Published by the indexer on ``articles.indexed.v1`` once ES accepted the document."""

    story_id: str
    duplicate_of: str | None = None
    indexed_at: datetime = Field(default_factory=utcnow)


class SubscriptionFilters(BaseModel):
    languages: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class WebhookDelivery(BaseModel):
    url: str
    secret: str


class Delivery(BaseModel):
    webhook: WebhookDelivery | None = None
    stream: bool = False


class Subscription(Event):
    """Published by the API on ``subscriptions.v1`` (compacted); key = ``id``. ``active=False`` = deleted."""

    schema_version: int = SCHEMA_VERSION
    id: str
    tenant: str
    name: str
    query: str
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    delivery: Delivery = Field(default_factory=Delivery)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1
    active: bool = True


class AlertArticle(BaseModel):
    id: str
    title: str | None = None
    url: str | None = None
    source: str
    language: str
    published_at: datetime | None = None
    snippet: str = ""


class Alert(Event):
    """Published by the alerter on ``alerts.v1``; key = subscription id; ``id`` = hash(subscription, story)."""

    schema_version: int = SCHEMA_VERSION
    id: str
    subscription_id: str
    tenant: str
    article: AlertArticle
    story_id: str
    matched_terms: list[str] = Field(default_factory=list)
    article_count: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
    attempts: int = 0
    status: Literal["pending", "delivered", "failed", "dead"] = "pending"
    last_error: str | None = None


class DeadLetter(Event):
    """Written to ``<topic>.dlq``: the original bytes (as text where decodable) and why they were rejected."""

    schema_version: int = SCHEMA_VERSION
    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    error: str
    error_type: str
    service: str
    original: str  # utf-8 text, or "base64:<...>" when not decodable
    failed_at: datetime = Field(default_factory=utcnow)
