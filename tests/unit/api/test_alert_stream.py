"""The alert hub fans alerts out per tenant and never lets one slow client block the others."""

from __future__ import annotations

import asyncio

from warta.events import Alert, AlertArticle
from warta_api.alerts import stream
from warta_api.alerts.stream import AlertHub


def alert(tenant: str, story: str) -> Alert:
    return Alert(
        id=f"{tenant}-{story}",
        subscription_id="sub",
        tenant=tenant,
        article=AlertArticle(id="a", source="s", language="id"),
        story_id=story,
    )


def hub_with_clients(*tenants: str) -> tuple[AlertHub, dict[str, asyncio.Queue]]:
    hub = AlertHub("127.0.0.1:1", "t.")
    queues: dict[str, asyncio.Queue] = {}
    for tenant in tenants:
        queue: asyncio.Queue = asyncio.Queue(maxsize=stream.CLIENT_QUEUE_SIZE)
        hub._clients[tenant].add(queue)
        queues[tenant] = queue
    return hub, queues


def test_alerts_reach_only_their_tenants_clients() -> None:
    hub, queues = hub_with_clients("a", "b")
    hub.dispatch(alert("a", "s1"))
    hub.dispatch(alert("c", "s2"))  # nobody of tenant c is listening
    assert queues["a"].get_nowait().story_id == "s1"
    assert queues["b"].empty()
    assert hub.topic == "t.alerts.v1"


def test_full_client_queue_drops_instead_of_blocking() -> None:
    hub, queues = hub_with_clients("a")
    for i in range(stream.CLIENT_QUEUE_SIZE + 5):
        hub.dispatch(alert("a", str(i)))
    assert queues["a"].qsize() == stream.CLIENT_QUEUE_SIZE
    assert hub.dropped == 5


def test_unsubscribe_forgets_the_tenant_when_its_last_client_leaves() -> None:
    hub, queues = hub_with_clients("a")
    hub.unsubscribe("a", queues["a"])
    assert hub.client_count == 0
    hub.dispatch(alert("a", "s1"))  # no error with nobody listening


async def test_stream_without_kafka_is_503(make_harness) -> None:
    h = await make_harness(kafka_bootstrap="127.0.0.1:1", readiness_timeout_seconds=0.3)
    resp = await h.client.get("/v1/alerts/stream", headers={"Authorization": "Bearer key-a"})
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "kafka_unavailable"
