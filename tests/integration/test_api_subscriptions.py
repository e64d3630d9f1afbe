"""Subscriptions, alert history and the live alert stream through the API against real
Elasticsearch and Kafka: storage, publication on subscriptions.v1, tenant isolation, preview,
SSE fan-out per tenant, readiness."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from kafka import KafkaConsumer

from warta.analysis.analyzer import analyze
from warta.elastic import IndexNames, article_document, ensure_indices, make_es
from warta.events import Alert, AlertArticle, ArticleIndexed, Language, SourceRef, Subscription
from warta.ids import alert_id, content_hash
from warta.kafka import ensure_topics, make_producer
from warta.topics import ALERTS, SUBSCRIPTIONS, topic_name
from warta_api.app import create_app
from warta_api.settings import Settings

pytestmark = pytest.mark.integration

A = {"Authorization": "Bearer key-a"}
B = {"Authorization": "Bearer key-b"}


def topics_of(test_namespace: str) -> str:
    """This module's topic prefix: inside the session namespace, so the stack fixture drops them."""
    return f"{test_namespace}.apisubs."


@pytest.fixture(scope="module")
def prefix(stack, test_namespace) -> str:
    """This module's own index prefix; its topics (``topics_of``) are created up front."""
    prefix = f"{test_namespace}-apisubs"
    ensure_topics(stack.kafka_bootstrap, topics_of(test_namespace), partitions=1)
    es = make_es(stack.es_url)
    try:
        ensure_indices(es, prefix)
    finally:
        es.close()
    return prefix


@pytest.fixture(scope="module")
def settings(stack, prefix, test_namespace) -> Settings:
    return Settings(
        es_url=stack.es_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        es_prefix=prefix,
        topic_prefix=topics_of(test_namespace),
        keys="key-a:tenant-a,key-b:tenant-b",
        allow_private_webhooks=True,  # the webhook receivers in tests live on loopback
        sse_heartbeat_seconds=1.0,
    )


@pytest.fixture(scope="module")
async def client(settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, prepare_indices=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
        yield c
    await app.state.es.close()
    await asyncio.to_thread(app.state.publisher.close)


def published(settings: Settings, sub_id: str, expect: int, timeout: float = 15.0) -> list[Subscription]:
    """The records keyed ``sub_id`` on subscriptions.v1 (waits until ``expect`` are there)."""
    consumer = KafkaConsumer(
        topic_name(SUBSCRIPTIONS, settings.topic_prefix),
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1500,
    )
    found: list[Subscription] = []
    try:
        for _ in range(int(timeout / 1.5) + 1):  # each pass ends after 1.5 s without a new record
            for msg in consumer:
                if msg.key == sub_id.encode():
                    found.append(Subscription.from_bytes(msg.value))
            if len(found) >= expect:
                break
    finally:
        consumer.close()
    return found


async def create(client: httpx.AsyncClient, headers: dict, **over) -> dict:
    body = {
        "name": "NATO chief",
        "query": '"Jens Stoltenberg" OR NATO',
        "filters": {"languages": ["id"]},
        "delivery": {"webhook": {"url": "http://127.0.0.1:9/hook"}},
        **over,
    }
    resp = await client.post("/v1/subscriptions", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_create_stores_in_es_and_publishes_to_kafka(client, settings) -> None:
    created = await create(client, A)
    assert created["delivery"]["webhook"]["secret"]
    fetched = await client.get(f"/v1/subscriptions/{created['id']}", headers=A)
    assert fetched.status_code == 200 and fetched.json()["query"] == '"Jens Stoltenberg" OR NATO'

    records = await asyncio.to_thread(published, settings, created["id"], 1)
    assert len(records) == 1
    record = records[0]
    assert record.tenant == "tenant-a" and record.active and record.version == 1
    assert record.filters.languages == ["id"]
    assert record.delivery.webhook is not None
    assert record.delivery.webhook.secret == created["delivery"]["webhook"]["secret"]


async def test_patch_and_delete_are_published_in_order(client, settings) -> None:
    sub_id = (await create(client, A))["id"]
    patched = await client.patch(f"/v1/subscriptions/{sub_id}", json={"query": "Zelensky"}, headers=A)
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert (await client.delete(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 204
    assert (await client.get(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 404

    records = await asyncio.to_thread(published, settings, sub_id, 3)
    assert [(r.version, r.query, r.active) for r in records] == [
        (1, '"Jens Stoltenberg" OR NATO', True),
        (2, "Zelensky", True),
        (3, "Zelensky", False),
    ]


async def test_tenant_cannot_see_change_or_delete_another_tenants_subscription(client) -> None:
    sub_id = (await create(client, A, name="tenant A only"))["id"]
    assert (await client.get(f"/v1/subscriptions/{sub_id}", headers=B)).status_code == 404
    assert (
        await client.patch(f"/v1/subscriptions/{sub_id}", json={"name": "x"}, headers=B)
    ).status_code == 404
    assert (await client.delete(f"/v1/subscriptions/{sub_id}", headers=B)).status_code == 404
    assert (await client.get(f"/v1/subscriptions/{sub_id}/alerts", headers=B)).status_code == 404
    listed_b = (await client.get("/v1/subscriptions", headers=B)).json()["subscriptions"]
    assert sub_id not in {s["id"] for s in listed_b}
    listed_a = (await client.get("/v1/subscriptions", headers=A)).json()["subscriptions"]
    assert sub_id in {s["id"] for s in listed_a}
    still = await client.get(f"/v1/subscriptions/{sub_id}", headers=A)
    assert still.status_code == 200 and still.json()["name"] == "tenant A only"


async def test_list_pages_with_cursor(client) -> None:
    for i in range(3):
        await create(client, B, name=f"b{i}")
    first = (await client.get("/v1/subscriptions", params={"size": 2}, headers=B)).json()
    rest = (
        await client.get("/v1/subscriptions", params={"size": 2, "cursor": first["next_cursor"]}, headers=B)
    ).json()
    names = [s["name"] for s in first["subscriptions"] + rest["subscriptions"]]
    assert sorted(names) == ["b0", "b1", "b2"]


async def test_invalid_query_and_private_webhook_are_400(client, settings) -> None:
    bad = await client.post("/v1/subscriptions", json={"name": "x", "query": "NATO OR"}, headers=A)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "query_syntax" and bad.json()["error"]["detail"]["position"] == 7
    strict = create_app(settings.model_copy(update={"allow_private_webhooks": False}), prepare_indices=False)
    transport = httpx.ASGITransport(app=strict)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
        resp = await c.post(
            "/v1/subscriptions",
            json={"name": "x", "query": "NATO", "delivery": {"webhook": {"url": "http://127.0.0.1:9/h"}}},
            headers=A,
        )
    await strict.state.es.close()
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_webhook"


async def test_preview_runs_the_query_over_recent_days_only(client, settings, stack) -> None:
    now = datetime.now(UTC)
    names = IndexNames(settings.es_prefix)
    es = make_es(stack.es_url)
    try:
        for doc_id, age_days in (("p-recent", 1), ("p-old", 40)):
            text = f"Preview check {doc_id}: Stoltenberg spoke in Brussels."
            art = ArticleIndexed(
                id=doc_id,
                source=SourceRef(id="t", name="t", kind="test"),
                published_at=now - timedelta(days=age_days),
                title="Preview",
                text=text,
                content_hash=content_hash(text),
                language=Language(code="en", confidence=1.0),
                terms=analyze(f"Preview\n\n{text}", "en"),
                enricher_version="test",
                story_id=f"story-{doc_id}",
            )
            es.index(
                index=names.articles_index_for(art.published_at), id=art.id, document=article_document(art)
            )
        es.indices.refresh(index=f"{settings.es_prefix}-articles-*")
    finally:
        es.close()
    resp = await client.post("/v1/subscriptions/preview", json={"query": "Stoltenberg", "days": 7}, headers=A)
    assert resp.status_code == 200, resp.text
    assert [h["id"] for h in resp.json()["results"]] == ["p-recent"]
    wide = await client.post(
        "/v1/subscriptions/preview", json={"query": "Stoltenberg", "days": 60}, headers=A
    )
    assert {h["id"] for h in wide.json()["results"]} == {"p-recent", "p-old"}
    assert "<em>Stoltenberg</em>" in wide.json()["results"][0]["highlight"]["snippet"]


def make_alert(sub_id: str, tenant: str, story: str, created_at: datetime | None = None) -> Alert:
    return Alert(
        id=alert_id(sub_id, story),
        subscription_id=sub_id,
        tenant=tenant,
        article=AlertArticle(
            id=f"art-{story}", title="t", source="antaranews.com", language="id", snippet="s"
        ),
        story_id=story,
        matched_terms=["Stoltenberg"],
        created_at=created_at or datetime.now(UTC),
        status="delivered",
    )


async def test_alert_history_is_per_subscription_and_per_tenant(client, settings, stack) -> None:
    sub_id = (await create(client, A))["id"]
    other_sub = (await create(client, B))["id"]
    now = datetime.now(UTC)
    es = make_es(stack.es_url)
    try:
        for alert in (
            make_alert(sub_id, "tenant-a", "s1", now - timedelta(minutes=2)),
            make_alert(sub_id, "tenant-a", "s2", now - timedelta(minutes=1)),
            make_alert(other_sub, "tenant-b", "s1", now),
        ):
            es.index(
                index=IndexNames(settings.es_prefix).alerts,
                id=alert.id,
                document=alert.model_dump(mode="json"),
            )
        es.indices.refresh(index=IndexNames(settings.es_prefix).alerts)
    finally:
        es.close()
    page = (await client.get(f"/v1/subscriptions/{sub_id}/alerts", headers=A)).json()
    assert [a["story_id"] for a in page["alerts"]] == ["s2", "s1"]  # newest first
    assert {a["tenant"] for a in page["alerts"]} == {"tenant-a"}
    assert (await client.get(f"/v1/subscriptions/{other_sub}/alerts", headers=A)).status_code == 404
    mine = (await client.get("/v1/alerts", headers=A)).json()["alerts"]
    assert {a["subscription_id"] for a in mine} == {sub_id}
    # history outlives the subscription, for its owner only
    assert (await client.delete(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 204
    after = await client.get(f"/v1/subscriptions/{sub_id}/alerts", headers=A)
    assert after.status_code == 200 and len(after.json()["alerts"]) == 2


async def test_readyz_is_200_when_es_and_kafka_answer(client) -> None:
    resp = await client.get("/readyz")
    assert resp.status_code == 200, resp.text
    assert resp.json()["checks"]["kafka"]["ok"] and resp.json()["checks"]["elasticsearch"]["ok"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def read_events(lines: AsyncIterator[str], count: int, timeout: float) -> list[tuple[str, str]]:
    """The next ``count`` SSE events as (event, data), skipping keep-alive comments."""
    events: list[tuple[str, str]] = []
    event, data = "message", ""

    async def pump() -> None:
        nonlocal event, data
        async for line in lines:
            if line.startswith(":"):
                continue
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif line == "" and data:
                events.append((event, data))
                event, data = "message", ""
                if len(events) == count:
                    return

    await asyncio.wait_for(pump(), timeout)
    return events


@contextlib.asynccontextmanager
async def serving_api(settings: Settings) -> AsyncIterator[str]:
    """The API on a real uvicorn server (SSE needs a streaming transport); yields its base URL."""
    port = free_port()
    app = create_app(settings, prepare_indices=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


async def publish_alerts(settings: Settings, *alerts: Alert) -> None:
    producer = make_producer(settings.kafka_bootstrap)
    topic = topic_name(ALERTS, settings.topic_prefix)
    try:
        for alert in alerts:
            await asyncio.to_thread(
                lambda a=alert: producer.send(topic, key=a.subscription_id.encode(), value=a.to_bytes()).get(
                    10
                )
            )
    finally:
        producer.close()


async def test_alert_stream_delivers_live_alerts_of_the_callers_tenant_only(settings) -> None:
    async with (
        serving_api(settings) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        http.stream("GET", "/v1/alerts/stream", headers=A) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        lines = resp.aiter_lines()
        (ready,) = await read_events(lines, 1, timeout=30)
        assert ready[0] == "ready" and json.loads(ready[1]) == {"tenant": "tenant-a"}
        await publish_alerts(
            settings,
            make_alert("sub-a", "tenant-a", "live-1"),
            make_alert("sub-b", "tenant-b", "live-2"),
            make_alert("sub-a", "tenant-a", "live-3"),
        )
        received = await read_events(lines, 2, timeout=30)
    assert [e for e, _ in received] == ["alert", "alert"]
    assert [json.loads(d)["story_id"] for _, d in received] == ["live-1", "live-3"]
    assert {json.loads(d)["tenant"] for _, d in received} == {"tenant-a"}


async def test_alert_stream_replays_stored_alerts_since_then_goes_live(settings, stack) -> None:
    now = datetime.now(UTC)
    alerts_alias = IndexNames(settings.es_prefix).alerts
    es = make_es(stack.es_url)
    try:
        for alert in (
            make_alert("sub-old", "tenant-a", "replay-old", now - timedelta(hours=2)),
            make_alert("sub-r", "tenant-a", "replay-1", now - timedelta(seconds=30)),
            make_alert("sub-rb", "tenant-b", "replay-b", now - timedelta(seconds=20)),
        ):
            es.index(
                index=alerts_alias, id=alert.id, document=alert.model_dump(mode="json"), refresh="wait_for"
            )
    finally:
        es.close()
    since = (now - timedelta(minutes=1)).isoformat()
    async with (
        serving_api(settings) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        http.stream("GET", "/v1/alerts/stream", params={"since": since}, headers=A) as resp,
    ):
        lines = resp.aiter_lines()
        events = await read_events(lines, 1, timeout=30)
        assert events[0][0] == "ready"
        await publish_alerts(settings, make_alert("sub-r", "tenant-a", "replay-live"))
        while not any(json.loads(d).get("story_id") == "replay-live" for e, d in events if e == "alert"):
            events += await read_events(lines, 1, timeout=30)
    stories = [json.loads(d)["story_id"] for e, d in events if e == "alert"]
    assert "replay-1" in stories and stories.index("replay-1") < stories.index("replay-live")
    assert "replay-old" not in stories and "replay-b" not in stories
    assert {json.loads(d)["tenant"] for e, d in events if e == "alert"} == {"tenant-a"}


async def test_alert_stream_resumes_after_last_event_id(settings, stack) -> None:
    now = datetime.now(UTC)
    seen = make_alert("sub-resume", "tenant-a", "resume-seen", now - timedelta(seconds=40))
    missed = make_alert("sub-resume", "tenant-a", "resume-missed", now - timedelta(seconds=10))
    es = make_es(stack.es_url)
    try:
        for alert in (seen, missed):
            es.index(
                index=IndexNames(settings.es_prefix).alerts,
                id=alert.id,
                document=alert.model_dump(mode="json"),
                refresh="wait_for",
            )
    finally:
        es.close()
    async with (
        serving_api(settings) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        http.stream("GET", "/v1/alerts/stream", headers={**A, "Last-Event-ID": seen.id}) as resp,
    ):
        lines = resp.aiter_lines()
        events = await read_events(lines, 1, timeout=30)
        assert events[0][0] == "ready"
        # other tests of this module store tenant-a alerts too; read until the missed one shows up
        while not any(e == "alert" and json.loads(d)["id"] == missed.id for e, d in events):
            events += await read_events(lines, 1, timeout=30)
    replayed = [json.loads(d)["id"] for e, d in events if e == "alert"]
    assert seen.id not in replayed


async def test_alert_stream_needs_a_key(client) -> None:
    resp = await client.get("/v1/alerts/stream")
    assert resp.status_code == 401


async def test_before_indices_exist_create_is_503_readyz_is_503_and_no_stray_index(
    stack, test_namespace
) -> None:
    prefix = f"{test_namespace}-apinoidx"
    settings = Settings(
        es_url=stack.es_url, kafka_bootstrap=stack.kafka_bootstrap, es_prefix=prefix, keys="key-a:tenant-a"
    )
    app = create_app(settings, prepare_indices=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as c:
        resp = await c.post("/v1/subscriptions", json={"name": "x", "query": "NATO"}, headers=A)
        ready = await c.get("/readyz")
    await app.state.es.close()
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "not_ready"
    assert ready.status_code == 503
    assert "not created yet" in ready.json()["error"]["detail"]["elasticsearch"]["detail"]
    es = make_es(stack.es_url)
    try:
        assert not es.indices.exists(index=f"{prefix}-subscriptions")
    finally:
        es.close()
