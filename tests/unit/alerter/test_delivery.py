"""Delivery state machine: attempts, retries, give-up, stream-only and the restart sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from warta.events import Alert, AlertArticle
from warta.ids import alert_id
from warta_alerter.delivery import DeliveryService
from warta_alerter.metrics import AlerterMetrics
from warta_alerter.retry import RetryPolicy
from warta_alerter.store import AlertStore
from warta_alerter.subscriptions import SubscriptionRegistry
from warta_alerter.webhook import verify

from .fakes import FakeES, make_subscription

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Receiver:
    """Answers with the given status codes in turn (the last one repeats) and keeps the requests."""

    def __init__(self, *codes: int) -> None:
        self.codes = list(codes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        code = self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]
        return httpx.Response(code)


async def make_service(
    receiver: Receiver, *, url: str | None = "http://127.0.0.1:9/hook", allow_private=True
):
    es = FakeES()
    store = AlertStore(es, "t-alerts")
    registry = SubscriptionRegistry()
    registry.apply(make_subscription("sub-1", "nato", url=url, secret="k"))
    clock = Clock(T0)
    service = DeliveryService(
        store,
        registry,
        RetryPolicy(base=10, factor=2, max_delay=100, jitter=0, give_up_after=60),
        AlerterMetrics(),
        allow_private=allow_private,
        timeout=5,
        clock=clock,
    )
    service._client = httpx.AsyncClient(transport=httpx.MockTransport(receiver))
    alert = Alert(
        id=alert_id("sub-1", "story-1"),
        subscription_id="sub-1",
        tenant="tenant-a",
        article=AlertArticle(id="art-1", source="antaranews.com", language="id", snippet="<em>NATO</em>"),
        story_id="story-1",
        matched_terms=["nato"],
        created_at=T0,
    )
    await store.record(alert)
    return service, es, clock, alert.id


async def test_successful_first_attempt_marks_delivered_with_a_valid_signature():
    receiver = Receiver(200)
    service, es, clock, aid = await make_service(receiver)
    assert await service.attempt(aid) == "delivered"
    doc = es.docs[aid]
    assert doc["status"] == "delivered" and doc["attempts"] == 1 and doc["delivered_at"]
    (request,) = receiver.requests
    assert request.headers["Idempotency-Key"] == aid
    assert verify(request.content, "k", request.headers["X-Warta-Signature"])
    assert Alert.model_validate_json(request.content).id == aid
    assert service.metrics.deliveries_ok._value.get() == 1


async def test_failure_then_success_follows_the_schedule():
    receiver = Receiver(500, 200)
    service, es, clock, aid = await make_service(receiver)
    assert await service.attempt(aid) == "failed"
    assert es.docs[aid]["status"] == "failed" and "HTTP 500" in es.docs[aid]["last_error"]
    # not due yet: the second attempt waits base=10 s
    clock.now = T0 + timedelta(seconds=5)
    assert await service.attempt(aid) is None
    assert len(receiver.requests) == 1
    clock.now = T0 + timedelta(seconds=10)
    assert await service.attempt(aid) == "delivered"
    assert es.docs[aid]["attempts"] == 2 and es.docs[aid]["last_error"] is None
    assert [r.headers["Idempotency-Key"] for r in receiver.requests] == [aid, aid]


async def test_gives_up_as_dead_when_the_schedule_runs_out():
    receiver = Receiver(503)
    service, es, clock, aid = await make_service(receiver)
    statuses = []
    for offset in (0, 10, 30):  # attempts at 0, 10, 30 s; the next (70 s) is past give_up_after=60 s
        clock.now = T0 + timedelta(seconds=offset)
        statuses.append(await service.attempt(aid))
    assert statuses == ["failed", "failed", "dead"]
    assert es.docs[aid]["status"] == "dead" and es.docs[aid]["attempts"] == 3
    clock.now = T0 + timedelta(days=2)
    assert await service.attempt(aid) is None  # dead stays dead
    assert len(receiver.requests) == 3


async def test_refused_private_target_is_dead_at_once_without_a_request():
    receiver = Receiver(200)
    service, es, clock, aid = await make_service(receiver, url="http://10.0.0.5/hook", allow_private=False)
    assert await service.attempt(aid) == "dead"
    assert "non-public" in es.docs[aid]["last_error"]
    assert receiver.requests == []


async def test_stream_only_subscription_is_delivered_by_publishing():
    receiver = Receiver(200)
    service, es, clock, aid = await make_service(receiver, url=None)
    assert await service.attempt(aid) == "delivered"
    assert receiver.requests == []


async def test_deleted_subscription_stops_the_retries():
    receiver = Receiver(200)
    service, es, clock, aid = await make_service(receiver)
    service.registry.apply(make_subscription("sub-1", "nato", version=2, active=False))
    assert await service.attempt(aid) == "dead"
    assert receiver.requests == []


async def test_a_claimed_attempt_cannot_be_made_twice():
    receiver = Receiver(200)
    service, es, clock, aid = await make_service(receiver)
    current = await service.store.get(aid)
    assert await service.store.claim_attempt(current) == 1
    assert await service.store.claim_attempt(current) is None  # stale seq_no: someone else has it


async def test_sweep_after_restart_queues_due_alerts_and_not_the_ones_in_flight_or_waiting():
    receiver = Receiver(500)
    service, es, clock, aid = await make_service(receiver)
    await service.attempt(aid)  # failed; next due at +10 s
    clock.now = T0 + timedelta(seconds=3)
    assert await service.sweep() == 0
    clock.now = T0 + timedelta(seconds=11)
    assert await service.sweep() == 1
    assert service._queue.get_nowait() == aid
    # an attempt claimed by an instance that then died: pending with attempts > 0
    es.docs[aid].update({"status": "pending", "attempts": 2})
    service._queued.clear()
    clock.now = T0 + timedelta(seconds=31)  # due (30 s) but maybe still in flight elsewhere
    assert await service.sweep() == 0
    clock.now = T0 + timedelta(seconds=30 + 5 + 31)  # past due + timeout + grace: abandoned
    assert await service.sweep() == 1


async def test_sweep_reads_only_alerts_that_may_be_due():
    receiver = Receiver(500)
    service, es, clock, aid = await make_service(receiver)
    # 50 more alerts, each already failed once, created at T0: their second attempt is due at +10 s
    for i in range(50):
        doc = dict(es.docs[aid], id=f"other-{i}", status="failed", attempts=1)
        await es.create(index="t-alerts", id=f"other-{i}", document=doc)
    await service.attempt(aid)  # the original alert fails too
    es.searched_docs = 0
    clock.now = T0 + timedelta(seconds=5)
    assert await service.sweep() == 0
    assert es.searched_docs == 0  # nothing due, nothing read
    clock.now = T0 + timedelta(seconds=10)
    assert await service.sweep() == 51
    assert es.searched_docs == 51


def test_earliest_offset_is_a_lower_bound_of_every_jittered_schedule():
    policy = RetryPolicy(base=10, factor=2, max_delay=100, jitter=0.3, give_up_after=1000)
    for attempt in range(1, 12):
        bound = policy.earliest_offset(attempt)
        assert all(policy.offset_of_attempt(attempt, f"alert-{i}") >= bound for i in range(200))
