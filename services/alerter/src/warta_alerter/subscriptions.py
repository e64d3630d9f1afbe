"""Every active subscription, in memory, on every alerter instance.

Articles are partitioned by article id and subscriptions by subscription id, so an instance that
holds only "its" subscriptions would miss matches: each instance keeps them all. They come from two
places, merged by version:

1. the ES subscriptions alias (written by the API; the source of truth), read in full at start-up;
2. the compacted ``subscriptions.v1`` topic, read from the beginning with a group-less consumer
   (every instance sees every partition) and then followed live, so a create, update or delete
   reaches the matcher within the consumer's poll interval.

Reading the compacted topic from the beginning as well as ES closes the gap between "ES loaded"
and "topic followed" whichever order the API writes the two in. An update applies when its
``version`` is >= the one held (equal = a later copy of the same write, harmless to re-apply).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from warta.analysis.query import Query, QuerySyntaxError, parse_query
from warta.events import Subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveSubscription:
    """A subscription with its query parsed once."""

    subscription: Subscription
    query: Query

    @property
    def id(self) -> str:
        return self.subscription.id


class SubscriptionRegistry:
    """The active subscriptions by id, with their parsed queries.

    ``generation`` increases on every change so derived structures (the matcher's term index)
    know when to rebuild. Deleted subscriptions are remembered by version so an older copy read
    later (ES load racing the topic) cannot resurrect them.
    """

    def __init__(self) -> None:
        self._active: dict[str, ActiveSubscription] = {}
        self._versions: dict[str, int] = {}
        self.generation = 0
        self.ready = asyncio.Event()
        self.rejected = 0  # subscriptions whose query does not parse (the API validates, so rare)
        self.listeners: list[Callable[[], None]] = []

    def __len__(self) -> int:
        return len(self._active)

    def get(self, subscription_id: str) -> ActiveSubscription | None:
        return self._active.get(subscription_id)

    def active(self) -> list[ActiveSubscription]:
        return list(self._active.values())

    def apply(self, sub: Subscription) -> bool:
        """Apply a create/update/delete; returns True when the registry changed."""
        held = self._versions.get(sub.id)
        if held is not None and sub.version < held:
            return False
        self._versions[sub.id] = sub.version
        if not sub.active:
            return self.remove(sub.id, sub.version)
        try:
            query = parse_query(sub.query)
        except QuerySyntaxError as exc:
            # An unparseable query never matches; keep the service running and say why.
            self.rejected += 1
            log.warning("subscription %s has an invalid query %r: %s", sub.id, sub.query, exc)
            return self.remove(sub.id, sub.version)
        self._active[sub.id] = ActiveSubscription(sub, query)
        self._changed()
        return True

    def remove(self, subscription_id: str, version: int | None = None) -> bool:
        """Forget a subscription (a delete, or a tombstone on the compacted topic)."""
        if version is not None:
            self._versions[subscription_id] = max(version, self._versions.get(subscription_id, version))
        if self._active.pop(subscription_id, None) is None:
            return False
        self._changed()
        return True

    def apply_raw(self, key: bytes | None, value: bytes | None) -> bool:
        """Apply one record of ``subscriptions.v1``; a null value (tombstone) deletes ``key``.

        Raises ``pydantic.ValidationError`` for a record that is not a Subscription.
        """
        if value is None:
            if key:
                return self.remove(key.decode("utf-8", "replace"))
            return False
        return self.apply(Subscription.from_bytes(value))

    def load(self, docs: Iterable[dict[str, Any]]) -> int:
        """Apply ES ``_source`` documents; returns how many were valid."""
        n = 0
        for doc in docs:
            try:
                sub = Subscription.model_validate(doc)
            except ValidationError as exc:
                log.warning("skipping invalid subscription document %s: %s", doc.get("id"), exc)
                continue
            self.apply(sub)
            n += 1
        return n

    def _changed(self) -> None:
        self.generation += 1
        for listener in self.listeners:
            listener()


async def load_from_es(es: Any, alias: str, page_size: int = 1000) -> list[dict[str, Any]]:
    """Every subscription document behind ``alias`` (paged with search_after on ``id``).

    A missing alias means no subscriptions yet (returns []); other errors propagate so the caller
    can retry.
    """
    from elasticsearch import NotFoundError

    out: list[dict[str, Any]] = []
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {
            "size": page_size,
            "sort": [{"id": "asc"}],
            "query": {"match_all": {}},
        }
        if after is not None:
            body["search_after"] = after
        try:
            resp = await es.search(index=alias, **body)
        except NotFoundError:
            return out
        hits = resp["hits"]["hits"]
        out.extend(h["_source"] for h in hits)
        if len(hits) < page_size:
            return out
        after = hits[-1]["sort"]


class SubscriptionFollower:
    """Reads ``subscriptions.v1`` from the beginning with no consumer group, then follows it.

    ``caught_up`` is set once every partition has been read up to the end offsets seen at start;
    together with the ES load that makes the registry ready.
    """

    def __init__(self, registry: SubscriptionRegistry, bootstrap: str, topic: str, client_id: str) -> None:
        self.registry = registry
        self.bootstrap = bootstrap
        self.topic = topic
        self.client_id = client_id
        self.caught_up = asyncio.Event()
        self.invalid_records = 0
        self.last_poll_ok: float = 0.0
        self._consumer: Any = None

    async def run(self, stopping: asyncio.Event) -> None:
        """Consume until ``stopping`` is set; reconnects with backoff when Kafka is unavailable."""
        delay = 0.5
        while not stopping.is_set():
            try:
                await self._consume(stopping)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("subscriptions follower error (%s: %s); reconnecting", type(exc).__name__, exc)
                await _sleep_or_stop(stopping, delay)
                delay = min(delay * 2, 30.0)

    async def _consume(self, stopping: asyncio.Event) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        loop = asyncio.get_running_loop()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap.split(","),
            group_id=None,  # no group: every instance reads every partition
            client_id=self.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        self._consumer = consumer
        try:
            partitions: set[int] | None = None
            for _ in range(50):
                partitions = consumer.partitions_for_topic(self.topic)
                if partitions:
                    break
                await consumer._client.force_metadata_update()  # topic just created: metadata lags
                await asyncio.sleep(0.2)
            if not partitions:
                raise RuntimeError(f"topic {self.topic} has no partitions (does it exist?)")
            tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            pending = {tp for tp in tps if ends[tp] > 0}
            if not pending:
                self.caught_up.set()
            while not stopping.is_set():
                batches = await consumer.getmany(timeout_ms=250, max_records=1000)
                self.last_poll_ok = loop.time()
                for tp, records in batches.items():
                    for rec in records:
                        try:
                            self.registry.apply_raw(rec.key, rec.value)
                        except (ValidationError, ValueError) as exc:
                            self.invalid_records += 1
                            log.warning(
                                "ignoring invalid subscription record at %s@%s: %s", tp, rec.offset, exc
                            )
                if pending:
                    for tp in list(pending):
                        if await consumer.position(tp) >= ends[tp]:
                            pending.discard(tp)
                    if not pending:
                        self.caught_up.set()
        finally:
            self._consumer = None
            await consumer.stop()

    async def kafka_reachable(self) -> bool:
        consumer = self._consumer
        if consumer is None:
            return False
        try:
            await asyncio.wait_for(consumer.topics(), timeout=2.0)
            return True
        except Exception:
            return False


async def _sleep_or_stop(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
