"""Subscription request and response bodies. The stored and published form is
:class:`warta.events.Subscription`; these are its HTTP views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from warta.events import Subscription
from warta_api.search.schemas import ArticleHit, Total

Value = Annotated[str, Field(min_length=1, max_length=200)]
Values = Annotated[list[Value], Field(max_length=50)]


class FiltersIn(BaseModel):
    """Structured filters ANDed with the query; within a group any value matches."""

    model_config = ConfigDict(extra="forbid")

    languages: Values = Field(default_factory=list, examples=[["id", "en"]])
    topics: Values = Field(default_factory=list)
    entities: Values = Field(default_factory=list)
    sources: Values = Field(default_factory=list)


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048, examples=["https://example.org/hooks/warta"])
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=256,
        description="HMAC-SHA256 key for the signature header; generated (and returned once) when omitted",
    )


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook: WebhookIn | None = None
    stream: bool = Field(default=False, description="also deliver on GET /v1/alerts/stream")


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=2000, examples=["Stoltenberg AND (NATO OR Ukraina)"])
    filters: FiltersIn = Field(default_factory=FiltersIn)
    delivery: DeliveryIn = Field(default_factory=DeliveryIn)
    active: bool = True


class SubscriptionPatch(BaseModel):
    """Fields to change; omitted fields keep their value. ``active=false`` pauses the subscription."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    query: str | None = Field(default=None, min_length=1, max_length=2000)
    filters: FiltersIn | None = None
    delivery: DeliveryIn | None = None
    active: bool | None = None


class WebhookOut(BaseModel):
    url: str
    secret: str | None = Field(
        default=None, description="only in the response that created or replaced the secret"
    )


class DeliveryOut(BaseModel):
    webhook: WebhookOut | None = None
    stream: bool = False


class FiltersOut(BaseModel):
    languages: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class SubscriptionOut(BaseModel):
    id: str
    tenant: str
    name: str
    query: str
    filters: FiltersOut
    delivery: DeliveryOut
    created_at: datetime
    updated_at: datetime
    version: int
    active: bool

    @classmethod
    def of(cls, sub: Subscription, reveal_secret: bool = False) -> SubscriptionOut:
        hook = sub.delivery.webhook
        return cls(
            id=sub.id,
            tenant=sub.tenant,
            name=sub.name,
            query=sub.query,
            filters=FiltersOut.model_validate(sub.filters.model_dump()),
            delivery=DeliveryOut(
                webhook=WebhookOut(url=hook.url, secret=hook.secret if reveal_secret else None)
                if hook
                else None,
                stream=sub.delivery.stream,
            ),
            created_at=sub.created_at,
            updated_at=sub.updated_at,
            version=sub.version,
            active=sub.active,
        )


class SubscriptionPage(BaseModel):
    subscriptions: list[SubscriptionOut]
    next_cursor: str | None = None


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=2000)
    filters: FiltersIn = Field(default_factory=FiltersIn)
    days: int = Field(
        default=7, ge=1, description="look back this many days (bounded by WARTA_API_PREVIEW_MAX_DAYS)"
    )
    size: int = Field(default=10, ge=1, le=100)


class PreviewResponse(BaseModel):
    """What the subscription would have matched: newest first, one hit per story (alerts fire once per story)."""

    query: str
    since: datetime
    total: Total
    results: list[ArticleHit]
