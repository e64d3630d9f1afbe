"""Alert history from the alerts index (written by the alerter), always scoped to one tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from warta.elastic import IndexNames
from warta.events import Alert
from warta_api.alerts.schemas import AlertPage
from warta_api.cursors import encode_cursor, search_after


async def list_alerts(
    es: AsyncElasticsearch,
    indices: IndexNames,
    tenant: str,
    *,
    subscription_id: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    size: int = 20,
    cursor: str | None = None,
    oldest_first: bool = False,
) -> AlertPage:
    """The tenant's alerts, newest first (or oldest first, for stream back-fill), paged by cursor."""
    filters: list[dict[str, Any]] = [{"term": {"tenant": tenant}}]
    if subscription_id:
        filters.append({"term": {"subscription_id": subscription_id}})
    if status:
        filters.append({"term": {"status": status}})
    if since:
        filters.append({"range": {"created_at": {"gt": since.isoformat()}}})
    order = "asc" if oldest_first else "desc"
    fingerprint = f"alerts:{tenant}:{subscription_id}:{status}:{since}:{order}"
    kwargs = search_after(cursor, fingerprint)
    resp = await es.search(
        index=indices.alerts,
        query={"bool": {"filter": filters}},
        sort=[{"created_at": order}, {"id": "asc"}],
        size=size,
        ignore_unavailable=True,
        allow_no_indices=True,
        **kwargs,
    )
    hits = resp["hits"]["hits"]
    items = [Alert.model_validate(h["_source"]) for h in hits]
    next_cursor = encode_cursor(fingerprint, search_after=hits[-1]["sort"]) if len(hits) == size else None
    return AlertPage(alerts=items, next_cursor=next_cursor)


async def alert_created_at(
    es: AsyncElasticsearch, indices: IndexNames, tenant: str, alert_id: str
) -> datetime | None:
    """When the tenant's alert ``alert_id`` was created (None if unknown or someone else's)."""
    resp = await es.search(
        index=indices.alerts,
        query={"bool": {"filter": [{"ids": {"values": [alert_id]}}, {"term": {"tenant": tenant}}]}},
        size=1,
        source_includes=["created_at"],
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    hits = resp["hits"]["hits"]
    if not hits or not hits[0]["_source"].get("created_at"):
        return None
    return datetime.fromisoformat(hits[0]["_source"]["created_at"].replace("Z", "+00:00"))
