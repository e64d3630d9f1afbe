"""Kafka from the API: publishing subscription changes (kafka-python, blocking sends in a thread)
and a cheap reachability probe for ``/readyz`` (aiokafka metadata request)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from aiokafka.client import AIOKafkaClient
from kafka import KafkaProducer

from warta.events import Subscription
from warta.kafka import make_producer
from warta.topics import SUBSCRIPTIONS, topic_name
from warta_api.errors import ApiError

log = logging.getLogger(__name__)


class SubscriptionPublisher:
    """Publishes :class:`Subscription` snapshots to ``subscriptions.v1`` (key = subscription id).

    The producer is created on first use, not at start-up, so the API starts (and reports
    not-ready) while Kafka is down instead of crashing.
    """

    def __init__(self, bootstrap: str, topic_prefix: str, timeout: float) -> None:
        self._bootstrap = bootstrap
        self.topic = topic_name(SUBSCRIPTIONS, topic_prefix)
        self._timeout = timeout
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _get_producer(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                # max_block_ms bounds how long send() waits for metadata when the broker is gone.
                self._producer = make_producer(
                    self._bootstrap, client_id="warta-api", max_block_ms=int(self._timeout * 1000)
                )
            return self._producer

    def _send_blocking(self, subscription: Subscription) -> None:
        producer = self._get_producer()
        future = producer.send(self.topic, key=subscription.id.encode("utf-8"), value=subscription.to_bytes())
        future.get(timeout=self._timeout)

    async def publish(self, subscription: Subscription) -> None:
        """Send and wait for the broker's ack; raises :class:`ApiError` 503 when Kafka is unavailable."""
        try:
            await asyncio.to_thread(self._send_blocking, subscription)
        except Exception as exc:  # every kafka-python failure mode means "not published"
            log.warning("publishing subscription %s failed: %s", subscription.id, exc)
            raise ApiError(
                503, "kafka_unavailable", "could not publish the subscription change to Kafka, retry later"
            ) from exc

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=5)
                self._producer = None


async def kafka_reachable(bootstrap: str, timeout: float) -> tuple[bool, str]:
    """``(ok, detail)``: can we fetch cluster metadata from ``bootstrap`` within ``timeout`` seconds?"""
    client = AIOKafkaClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(client.bootstrap(), timeout)
        return True, f"{len(client.cluster.brokers())} broker(s)"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"[:200]
    finally:
        # closing a half-open client must not mask the probe result
        with contextlib.suppress(Exception):
            await client.close()
