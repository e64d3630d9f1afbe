"""Subscriptions: stored in ES (the API's view, per tenant) and published to ``subscriptions.v1``
(the alerter's view). ES is written first; if Kafka then refuses, the ES write is undone so the
two never disagree for long, and the caller gets a 503 to retry."""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from warta.elastic import IndexNames
from warta.events import Delivery, Subscription, SubscriptionFilters, WebhookDelivery
from warta_api.cursors import encode_cursor, search_after
from warta_api.errors import ApiError, not_found
from warta_api.kafka_io import SubscriptionPublisher
from warta_api.params import parse_user_query
from warta_api.search.schemas import SortOrder
from warta_api.search.service import SearchSpec, run_search
from warta_api.settings import Settings
from warta_api.subscriptions.schemas import (
    DeliveryIn,
    FiltersIn,
    PreviewRequest,
    PreviewResponse,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionPage,
    SubscriptionPatch,
)
from warta_api.subscriptions.webhooks import validate_webhook_url

log = logging.getLogger(__name__)


def new_subscription_id() -> str:
    return "sub_" + uuid.uuid4().hex[:20]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _filters(body: FiltersIn) -> SubscriptionFilters:
    return SubscriptionFilters(
        languages=[v.lower() for v in body.languages],
        topics=list(body.topics),
        entities=list(body.entities),
        sources=list(body.sources),
    )


async def _delivery(body: DeliveryIn, previous: Delivery | None, settings: Settings) -> tuple[Delivery, bool]:
    """The stored delivery and whether its secret was created here (then it is shown once)."""
    if body.webhook is None:
        return Delivery(webhook=None, stream=body.stream), False
    url = await validate_webhook_url(body.webhook.url, settings.allow_private_webhooks)
    if body.webhook.secret:
        # the caller chose this secret, so it is never echoed back
        return Delivery(
            webhook=WebhookDelivery(url=url, secret=body.webhook.secret), stream=body.stream
        ), False
    if previous is not None and previous.webhook is not None:  # same subscription, new URL: keep the key
        return Delivery(
            webhook=WebhookDelivery(url=url, secret=previous.webhook.secret), stream=body.stream
        ), False
    return Delivery(webhook=WebhookDelivery(url=url, secret=new_secret()), stream=body.stream), True


class SubscriptionStore:
    """Per-tenant subscription CRUD over ES + Kafka; another tenant's subscription is a 404."""

    def __init__(
        self,
        es: AsyncElasticsearch,
        indices: IndexNames,
        publisher: SubscriptionPublisher,
        settings: Settings,
    ) -> None:
        self.es = es
        self.index = indices.subscriptions
        self.publisher = publisher
        self.settings = settings

    async def _load(self, tenant: str, sub_id: str) -> tuple[Subscription, int, int]:
        try:
            doc = await self.es.get(index=self.index, id=sub_id)
        except NotFoundError:
            raise not_found("subscription", sub_id) from None
        sub = Subscription.model_validate(doc["_source"])
        if sub.tenant != tenant:  # never reveal that the id exists for someone else
            raise not_found("subscription", sub_id)
        return sub, doc["_seq_no"], doc["_primary_term"]

    async def _write(self, sub: Subscription, **concurrency: Any) -> dict[str, Any]:
        try:
            resp = await self.es.index(
                index=self.index,
                id=sub.id,
                document=sub.model_dump(mode="json"),
                refresh="wait_for",
                # never let ES auto-create a plain index where the alias belongs
                require_alias=True,
                **concurrency,
            )
        except NotFoundError:
            raise ApiError(
                503, "not_ready", "the subscriptions index is not prepared yet, retry shortly"
            ) from None
        return {"if_seq_no": resp["_seq_no"], "if_primary_term": resp["_primary_term"]}

    async def create(self, tenant: str, body: SubscriptionCreate) -> SubscriptionOut:
        parse_user_query(body.query, "query")
        delivery, reveal = await _delivery(body.delivery, None, self.settings)
        now = datetime.now(UTC)
        sub = Subscription(
            id=new_subscription_id(),
            tenant=tenant,
            name=body.name,
            query=body.query.strip(),
            filters=_filters(body.filters),
            delivery=delivery,
            created_at=now,
            updated_at=now,
            version=1,
            active=body.active,
        )
        await self._write(sub, op_type="create")
        try:
            await self.publisher.publish(sub)
        except ApiError:
            await self.es.delete(index=self.index, id=sub.id, refresh="wait_for")
            raise
        log.info("subscription %s created for tenant %s", sub.id, tenant)
        return SubscriptionOut.of(sub, reveal_secret=reveal)

    async def get(self, tenant: str, sub_id: str) -> Subscription:
        sub, _, _ = await self._load(tenant, sub_id)
        return sub

    async def list(self, tenant: str, size: int, cursor: str | None, active: bool | None) -> SubscriptionPage:
        fingerprint = f"subs:{tenant}:{active}"
        filters: list[dict[str, Any]] = [{"term": {"tenant": tenant}}]
        if active is not None:
            filters.append({"term": {"active": active}})
        kwargs = search_after(cursor, fingerprint)
        resp = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            sort=[{"created_at": "desc"}, {"id": "asc"}],
            size=size,
            ignore_unavailable=True,
            allow_no_indices=True,
            **kwargs,
        )
        hits = resp["hits"]["hits"]
        items = [SubscriptionOut.of(Subscription.model_validate(h["_source"])) for h in hits]
        next_cursor = encode_cursor(fingerprint, search_after=hits[-1]["sort"]) if len(hits) == size else None
        return SubscriptionPage(subscriptions=items, next_cursor=next_cursor)

    async def patch(self, tenant: str, sub_id: str, body: SubscriptionPatch) -> SubscriptionOut:
        old, seq_no, term = await self._load(tenant, sub_id)
        changes: dict[str, Any] = {}
        reveal = False
        if body.name is not None:
            changes["name"] = body.name
        if body.query is not None:
            parse_user_query(body.query, "query")
            changes["query"] = body.query.strip()
        if body.filters is not None:
            changes["filters"] = _filters(body.filters)
        if body.delivery is not None:
            changes["delivery"], reveal = await _delivery(body.delivery, old.delivery, self.settings)
        if body.active is not None:
            changes["active"] = body.active
        new = old.model_copy(update={**changes, "version": old.version + 1, "updated_at": datetime.now(UTC)})
        try:
            written = await self._write(new, if_seq_no=seq_no, if_primary_term=term)
        except ConflictError:
            raise ApiError(409, "conflict", "subscription changed concurrently; fetch it and retry") from None
        try:
            await self.publisher.publish(new)
        except ApiError:
            try:
                await self._write(old, **written)
            except ConflictError:  # someone changed it again meanwhile; their publish decides
                log.warning("could not roll back subscription %s after a failed publish", sub_id)
            raise
        return SubscriptionOut.of(new, reveal_secret=reveal)

    async def delete(self, tenant: str, sub_id: str) -> None:
        """Tell the alerter first (``active=false``), then forget it: a failure leaves it deletable."""
        old, _, _ = await self._load(tenant, sub_id)
        tombstone = old.model_copy(
            update={"active": False, "version": old.version + 1, "updated_at": datetime.now(UTC)}
        )
        await self.publisher.publish(tombstone)
        with contextlib.suppress(NotFoundError):  # deleted concurrently
            await self.es.delete(index=self.index, id=sub_id, refresh="wait_for")
        log.info("subscription %s deleted by tenant %s", sub_id, tenant)


async def preview(
    es: AsyncElasticsearch, indices: IndexNames, settings: Settings, body: PreviewRequest
) -> PreviewResponse:
    """Run a would-be subscription over the last ``days`` days, one hit per story, newest first."""
    if body.days > settings.preview_max_days:
        raise ApiError(
            400,
            "invalid_parameter",
            f"days: at most {settings.preview_max_days}",
            {"param": "days", "max": settings.preview_max_days},
        )
    query = parse_user_query(body.query, "query")
    since = datetime.now(UTC) - timedelta(days=body.days)
    filters = _filters(body.filters)
    spec = SearchSpec(
        text=body.query,
        query=query,
        languages=tuple(filters.languages),
        topics=tuple(filters.topics),
        entities=tuple(filters.entities),
        sources=tuple(filters.sources),
        since=since,
        sort=SortOrder.newest,
        size=body.size,
        collapse_story=True,
        facets=False,
    )
    result = await run_search(es, indices, spec)
    return PreviewResponse(query=body.query, since=since, total=result.total, results=result.results)
