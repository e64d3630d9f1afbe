"""Where fetched articles go: Kafka (``articles.fetched.v1``) or, in tests and dry runs, memory."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from kafka.errors import KafkaError

from warta.events import ArticleFetched
from warta.kafka import make_producer
from warta.topics import ARTICLES_FETCHED, topic_name

log = logging.getLogger(__name__)


class ArticleSink(Protocol):
    def send_batch(self, events: list[ArticleFetched]) -> None:
        """Deliver every event; return only once all are durably accepted, raise otherwise."""

    def close(self) -> None: ...


class SendFailed(Exception):
    """The broker did not acknowledge an article after every retry; it was NOT marked as sent."""


class KafkaArticleSink:
    """kafka-python producer (acks=all, idempotent, gzip). ``send`` waits for the acknowledgement so
    the caller marks an article as sent only when the broker has it; failures are retried with
    back-off and finally raised, never swallowed."""

    def __init__(
        self, bootstrap: str, topic_prefix: str = "", attempts: int = 5, timeout_s: float = 60.0
    ) -> None:
        self.topic = topic_name(ARTICLES_FETCHED, topic_prefix)
        self.attempts = attempts
        self.timeout_s = timeout_s
        self._producer = make_producer(bootstrap, client_id="warta-fetcher")

    def send_batch(self, events: list[ArticleFetched]) -> None:
        pending = list(events)
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            futures = [
                (event, self._producer.send(self.topic, key=event.id.encode("utf-8"), value=event.to_bytes()))
                for event in pending
            ]
            failed: list[ArticleFetched] = []
            last_error: Exception | None = None
            for event, future in futures:
                try:
                    future.get(timeout=self.timeout_s)
                except KafkaError as exc:
                    failed.append(event)
                    last_error = exc
            if not failed:
                return
            if attempt == self.attempts:
                raise SendFailed(
                    f"{len(failed)} articles not acknowledged after {attempt} attempts: {last_error}"
                )
            log.warning("%d sends failed (%s), retry %d in %.1fs", len(failed), last_error, attempt, delay)
            pending = failed
            time.sleep(delay)
            delay = min(delay * 2, 10.0)

    def close(self) -> None:
        self._producer.flush(timeout=self.timeout_s)
        self._producer.close(timeout=self.timeout_s)


class MemorySink:
    """Keeps events in a list (tests, ``--dry-run``)."""

    def __init__(self) -> None:
        self.events: list[ArticleFetched] = []

    def send_batch(self, events: list[ArticleFetched]) -> None:
        self.events.extend(events)

    def close(self) -> None:
        return
