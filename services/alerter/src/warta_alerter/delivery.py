"""Webhook delivery with retries that survive restarts.

State lives in the ES alert document, not in memory: ``status`` (pending → delivered | failed →
... → delivered | dead), ``attempts``, ``last_error``, ``delivered_at``. A new alert is handed to
the queue at once; everything else is found by the *sweeper*, which reads undelivered alerts from
ES every ``retry_poll_seconds`` (and right after start-up) and queues those whose next attempt is
due by :class:`~warta_alerter.retry.RetryPolicy`. So a restart, a crash mid-POST or a second
instance never loses a delivery; a claim on the attempt number (optimistic concurrency in ES)
keeps two instances from making the same attempt.

A ``pending`` alert with ``attempts > 0`` has an attempt in flight; it is only considered
abandoned (its instance died) once its next due time plus the HTTP timeout and a grace period
has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from warta.events import Alert
from warta_alerter.metrics import AlerterMetrics
from warta_alerter.retry import RetryPolicy
from warta_alerter.store import UNDELIVERED, AlertStore, is_transient
from warta_alerter.subscriptions import SubscriptionRegistry
from warta_alerter.webhook import post_alert

log = logging.getLogger(__name__)

IN_FLIGHT_GRACE_SECONDS = 30.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class DeliveryService:
    def __init__(
        self,
        store: AlertStore,
        registry: SubscriptionRegistry,
        policy: RetryPolicy,
        metrics: AlerterMetrics,
        *,
        allow_private: bool,
        timeout: float = 10.0,
        concurrency: int = 16,
        poll_seconds: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.registry = registry
        self.policy = policy
        self.metrics = metrics
        self.allow_private = allow_private
        self.timeout = timeout
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._client: httpx.AsyncClient | None = None
        self._inflight: set[asyncio.Task[str | None]] = set()
        self.sweeps = 0

    # ------------------------------------------------------------------ scheduling

    def submit(self, alert_id: str) -> None:
        """Queue an attempt now (a just-fired alert); duplicates while queued are ignored."""
        if alert_id not in self._queued:
            self._queued.add(alert_id)
            self._queue.put_nowait(alert_id)

    def due_at(self, alert: Alert) -> datetime | None:
        """When this alert's next attempt may start; None = retries exhausted (give up)."""
        due = self.policy.next_due(alert.created_at, alert.attempts, alert.id)
        if due is None:
            return None
        if alert.status == "pending" and alert.attempts > 0:
            due += timedelta(seconds=self.timeout + IN_FLIGHT_GRACE_SECONDS)
        return due

    async def sweep(self) -> int:
        """Queue every undelivered alert that is due (or past giving up); returns how many were queued."""
        now = self.clock()
        queued = 0
        for alert in await self.store.undelivered(policy=self.policy, now=now):
            due = self.due_at(alert)
            if due is None or due <= now:
                if alert.id not in self._queued:
                    queued += 1
                self.submit(alert.id)
        self.sweeps += 1
        return queued

    async def run(self, stopping: asyncio.Event) -> None:
        """Workers plus the sweeper, until ``stopping`` is set; in-flight attempts get to finish."""
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            self._client = client
            workers = [asyncio.create_task(self._worker(stopping)) for _ in range(self.concurrency)]
            try:
                while not stopping.is_set():
                    try:
                        await self.sweep()
                    except Exception as exc:
                        if not is_transient(exc):
                            log.exception("delivery sweep failed")
                        else:
                            log.warning("delivery sweep: ES unavailable (%s)", exc)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), timeout=self.poll_seconds)
            finally:
                for w in workers:
                    w.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                if self._inflight:  # let started POSTs finish and record their outcome
                    await asyncio.wait(set(self._inflight), timeout=self.timeout + 2.0)
                self._client = None

    async def _worker(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            alert_id = await self._queue.get()
            task = asyncio.create_task(self.attempt(alert_id))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            try:
                # Shielded: a shutdown waits for the POST and its ES update (see run()) instead of
                # leaving an attempt half-recorded (the sweeper would still recover it, later).
                await asyncio.shield(task)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_transient(exc):
                    self.metrics.transient_errors.inc()
                    log.warning("delivery of %s postponed: %s", alert_id, exc)
                else:
                    log.exception("delivery of %s failed unexpectedly", alert_id)
            finally:
                self._queued.discard(alert_id)

    # ------------------------------------------------------------------ one attempt

    async def attempt(self, alert_id: str) -> str | None:
        """Make the next attempt for ``alert_id`` if it is due; returns the status written (or None)."""
        current = await self.store.get(alert_id)
        if current is None or current.alert.status not in UNDELIVERED:
            return None
        alert = current.alert
        sub = self.registry.get(alert.subscription_id)
        if sub is None:
            await self.store.finish_attempt(
                alert_id, status="dead", last_error="subscription deleted or inactive"
            )
            self.metrics.deliveries_dead.inc()
            return "dead"
        webhook = sub.subscription.delivery.webhook
        if webhook is None:  # stream-only: publishing on alerts.v1 was the delivery
            await self.store.finish_attempt(
                alert_id, status="delivered", last_error=None, delivered_at=self.clock()
            )
            return "delivered"
        due = self.due_at(alert)
        if due is None:
            await self.store.finish_attempt(
                alert_id,
                status="dead",
                last_error=f"gave up after {alert.attempts} attempts: {alert.last_error}",
            )
            self.metrics.deliveries_dead.inc()
            return "dead"
        if due > self.clock():
            return None
        attempt = await self.store.claim_attempt(current)
        if attempt is None:
            return (
                None  # another instance (or a concurrent count) got there first; the sweeper will look again
            )
        body = alert.model_copy(update={"attempts": attempt}).to_bytes()
        client = self._client or httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        try:
            result = await post_alert(
                client, webhook.url, webhook.secret, alert.id, body, attempt, self.allow_private
            )
        finally:
            if client is not self._client:
                await client.aclose()
        if result.ok:
            await self.store.finish_attempt(
                alert_id, status="delivered", last_error=None, delivered_at=self.clock()
            )
            self.metrics.deliveries_ok.inc()
            log.info("alert %s delivered to %s (attempt %d)", alert_id, webhook.url, attempt)
            return "delivered"
        self.metrics.deliveries_failed.inc()
        gives_up = result.permanent or self.policy.next_due(alert.created_at, attempt, alert.id) is None
        status = "dead" if gives_up else "failed"
        if gives_up:
            self.metrics.deliveries_dead.inc()
        await self.store.finish_attempt(alert_id, status=status, last_error=result.error)
        log.warning(
            "alert %s attempt %d to %s failed (%s) -> %s",
            alert_id,
            attempt,
            webhook.url,
            result.error,
            status,
        )
        return status
