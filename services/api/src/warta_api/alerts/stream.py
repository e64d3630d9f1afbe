"""Live alerts for Server-Sent Events: one Kafka consumer per API process fans ``alerts.v1`` out to
the connected clients of each tenant.

Why Kafka rather than polling the alerts index: alerts arrive as soon as the alerter publishes
them, the cost does not grow with the number of connected clients (one consumer, not one ES query
per client per second), and each API replica reads the whole topic without a consumer group, so a
client gets its alerts whichever replica it is connected to. History and reconnect catch-up come
from the alerts index (``since``), which the alerter writes for every alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from aiokafka import AIOKafkaConsumer

from warta.events import Alert
from warta.topics import ALERTS, topic_name

log = logging.getLogger(__name__)

CLIENT_QUEUE_SIZE = 1000
RETRY_SECONDS = 2.0


class AlertHub:
    """Fan-out of alerts to per-tenant client queues; the consumer starts with the first client."""

    def __init__(self, bootstrap: str, topic_prefix: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic_name(ALERTS, topic_prefix)
        self._clients: dict[str, set[asyncio.Queue[Alert]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.dropped = 0  # alerts not queued because a client fell too far behind

    @property
    def client_count(self) -> int:
        return sum(len(queues) for queues in self._clients.values())

    async def subscribe(self, tenant: str, timeout: float) -> asyncio.Queue[Alert]:
        """A queue receiving ``tenant``'s alerts from now on; ``TimeoutError`` if Kafka is not reachable."""
        if self._task is None or self._task.done():
            self._ready.clear()
            self._task = asyncio.create_task(self._consume(), name="alert-hub")
        await asyncio.wait_for(self._ready.wait(), timeout)
        queue: asyncio.Queue[Alert] = asyncio.Queue(maxsize=CLIENT_QUEUE_SIZE)
        self._clients[tenant].add(queue)
        return queue

    def unsubscribe(self, tenant: str, queue: asyncio.Queue[Alert]) -> None:
        self._clients[tenant].discard(queue)
        if not self._clients[tenant]:
            del self._clients[tenant]

    def dispatch(self, alert: Alert) -> None:
        for queue in self._clients.get(alert.tenant, ()):
            try:
                queue.put_nowait(alert)
            except asyncio.QueueFull:
                self.dropped += 1

    async def _consume(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                self.topic,
                bootstrap_servers=self.bootstrap.split(","),
                group_id=None,  # every replica sees every alert; no offsets to commit
                auto_offset_reset="latest",
                enable_auto_commit=False,
                client_id="warta-api-alerts",
            )
            try:
                await consumer.start()
                # position on every partition now, so "ready" means "nothing published from here on is missed"
                await consumer.getmany(timeout_ms=0)
                for tp in consumer.assignment():
                    await consumer.position(tp)
                self._ready.set()
                while True:
                    batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                    for records in batches.values():
                        for record in records:
                            try:
                                alert = Alert.from_bytes(record.value)
                            except Exception as exc:  # the alerter's DLQ is not ours; skip and say so
                                log.warning(
                                    "skipping undecodable alert at %s/%s: %s",
                                    record.partition,
                                    record.offset,
                                    exc,
                                )
                                continue
                            self.dispatch(alert)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._ready.clear()
                log.warning("alert stream consumer failed, retrying in %.0fs: %s", RETRY_SECONDS, exc)
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
