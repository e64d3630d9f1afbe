"""``GET /v1/alerts`` (history), ``GET /v1/alerts/stream`` (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from sse_starlette import EventSourceResponse

from warta.events import Alert
from warta_api.alerts.schemas import AlertPage, AlertStatus
from warta_api.alerts.service import alert_created_at, list_alerts
from warta_api.alerts.stream import AlertHub
from warta_api.auth import Tenant
from warta_api.deps import Es, Indices, SettingsDep, get_alert_hub
from warta_api.errors import ERROR_RESPONSES, ApiError
from warta_api.params import parse_instant

router = APIRouter(prefix="/v1/alerts", tags=["alerts"], responses=ERROR_RESPONSES)

BACKFILL_MAX = 500


@router.get("", response_model=AlertPage, summary="The caller's alerts, newest first")
async def read_alerts(
    tenant: Tenant,
    es: Es,
    indices: Indices,
    status: AlertStatus | None = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD, ISO date-time or relative (24h)")] = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> AlertPage:
    """Every alert of every subscription of the caller (including dead-lettered deliveries)."""
    since_at = parse_instant(since, "since") if since else None
    return await list_alerts(es, indices, tenant, status=status, since=since_at, size=size, cursor=cursor)


def _sse(alert: Alert) -> dict[str, Any]:
    return {"event": "alert", "id": alert.id, "data": alert.model_dump_json()}


@router.get(
    "/stream",
    summary="Live alerts (Server-Sent Events)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "`ready`, then `alert` events"}},
)
async def stream_alerts(
    request: Request,
    tenant: Tenant,
    es: Es,
    indices: Indices,
    settings: SettingsDep,
    hub: Annotated[AlertHub, Depends(get_alert_hub)],
    since: Annotated[
        str | None,
        Query(description="first replay stored alerts created after this instant"),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="sent by EventSource on reconnect: replay stored alerts created after that alert",
            max_length=200,
        ),
    ] = None,
) -> EventSourceResponse:
    """An ``event: ready`` once the stream is live, then one ``event: alert`` (JSON ``Alert``, ``id`` =
    alert id) per alert of the caller's subscriptions. With ``since`` (or a ``Last-Event-ID``
    header, as browsers send on reconnect), stored alerts created after that instant (or that
    alert) are replayed first, oldest first, at most 500. Keep-alive comments every
    ``WARTA_API_SSE_HEARTBEAT_SECONDS``. An alert whose delivery status changes may be sent again
    with the same id."""
    since_at = parse_instant(since, "since") if since else None
    if since_at is None and last_event_id:
        since_at = await alert_created_at(es, indices, tenant, last_event_id)
    try:
        queue = await hub.subscribe(tenant, settings.readiness_timeout_seconds * 3)
    except TimeoutError:
        raise ApiError(503, "kafka_unavailable", "the alert stream is unavailable, retry later") from None
    metrics = request.app.state.metrics

    async def events() -> AsyncIterator[dict[str, Any]]:
        metrics.sse_clients.inc()
        try:
            yield {"event": "ready", "data": json.dumps({"tenant": tenant})}
            if since_at is not None:
                page = await list_alerts(
                    es, indices, tenant, since=since_at, size=BACKFILL_MAX, oldest_first=True
                )
                for alert in page.alerts:
                    yield _sse(alert)
            while True:
                try:
                    alert = await asyncio.wait_for(queue.get(), timeout=settings.sse_heartbeat_seconds)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    continue
                metrics.alerts_streamed.inc()
                yield _sse(alert)
        finally:
            hub.unsubscribe(tenant, queue)
            metrics.sse_clients.dec()

    return EventSourceResponse(events(), ping=max(1, int(settings.sse_heartbeat_seconds)))
