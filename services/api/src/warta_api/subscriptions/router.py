"""``/v1/subscriptions``: create, list, read, change, delete, preview, alert history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from warta_api.alerts.schemas import AlertPage, AlertStatus
from warta_api.alerts.service import list_alerts
from warta_api.auth import Tenant
from warta_api.deps import Es, Indices, Publisher, SettingsDep
from warta_api.errors import ERROR_RESPONSES, ApiError, not_found
from warta_api.params import parse_instant
from warta_api.subscriptions.schemas import (
    PreviewRequest,
    PreviewResponse,
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionPage,
    SubscriptionPatch,
)
from warta_api.subscriptions.service import SubscriptionStore, preview

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"], responses=ERROR_RESPONSES)

SubscriptionId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]


def get_store(es: Es, indices: Indices, publisher: Publisher, settings: SettingsDep) -> SubscriptionStore:
    return SubscriptionStore(es, indices, publisher, settings)


Store = Annotated[SubscriptionStore, Depends(get_store)]


@router.post(
    "",
    response_model=SubscriptionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a subscription",
)
async def create_subscription(
    body: SubscriptionCreate, tenant: Tenant, store: Store, response: Response
) -> SubscriptionOut:
    """Validates the query (400 with position on a syntax error) and the webhook URL, stores the
    subscription and publishes it to the alerter. A generated webhook secret is returned in this
    response only."""
    created = await store.create(tenant, body)
    response.headers["Location"] = f"/v1/subscriptions/{created.id}"
    return created


@router.get("", response_model=SubscriptionPage, summary="The caller's subscriptions, newest first")
async def list_subscriptions(
    tenant: Tenant,
    store: Store,
    active: bool | None = None,
    size: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> SubscriptionPage:
    return await store.list(tenant, size, cursor, active)


@router.post("/preview", response_model=PreviewResponse, summary="Try a query over the last days")
async def preview_subscription(
    body: PreviewRequest, _tenant: Tenant, es: Es, indices: Indices, settings: SettingsDep
) -> PreviewResponse:
    """What a subscription with this query and filters would have matched in the last ``days``
    days, one hit per story (alerts fire once per story)."""
    return await preview(es, indices, settings, body)


@router.get("/{subscription_id}", response_model=SubscriptionOut, summary="One subscription")
async def read_subscription(subscription_id: SubscriptionId, tenant: Tenant, store: Store) -> SubscriptionOut:
    return SubscriptionOut.of(await store.get(tenant, subscription_id))


@router.patch("/{subscription_id}", response_model=SubscriptionOut, summary="Change a subscription")
async def change_subscription(
    subscription_id: SubscriptionId, body: SubscriptionPatch, tenant: Tenant, store: Store
) -> SubscriptionOut:
    """409 when it changed concurrently. Omitted fields keep their value; ``active: false`` pauses. Bumps ``version`` and republishes."""
    return await store.patch(tenant, subscription_id, body)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a subscription")
async def delete_subscription(subscription_id: SubscriptionId, tenant: Tenant, store: Store) -> Response:
    """Stops matching (published with ``active: false``) and removes it; its alert history stays readable."""
    await store.delete(tenant, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{subscription_id}/alerts", response_model=AlertPage, summary="Alerts of one subscription")
async def read_subscription_alerts(
    subscription_id: SubscriptionId,
    tenant: Tenant,
    store: Store,
    es: Es,
    indices: Indices,
    status_: Annotated[AlertStatus | None, Query(alias="status")] = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD, ISO date-time or relative (24h)")] = None,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> AlertPage:
    """Newest first. A deleted subscription's history stays readable by its tenant; another
    tenant's subscription is a 404."""
    since_at = parse_instant(since, "since") if since else None
    try:
        await store.get(tenant, subscription_id)
        exists = True
    except ApiError as exc:
        if exc.status != 404:
            raise
        exists = False
    page = await list_alerts(
        es,
        indices,
        tenant,
        subscription_id=subscription_id,
        status=status_,
        since=since_at,
        size=size,
        cursor=cursor,
    )
    if not exists and not page.alerts and cursor is None:
        raise not_found("subscription", subscription_id)
    return page
