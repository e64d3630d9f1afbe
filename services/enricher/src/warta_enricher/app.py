"""Faust app: ``articles.fetched.v1`` → enrichment → ``articles.enriched.v1``.

Each event is handled on its own: an event that cannot be decoded or enriched is written to
``articles.fetched.v1.dlq`` with the reason and the agent carries on (an agent that raised would
have acked the event and lost it). The enriched event is awaited until the broker acknowledged
it before the agent moves on, so the source offset is committed only after the result is safe.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import ValidationError

from warta.enrichment.pipeline import Enricher, EnrichmentError
from warta.events import ArticleFetched
from warta.kafka import dead_letter_event
from warta.topics import ARTICLES_ENRICHED, ARTICLES_FETCHED, dlq, topic_name
from warta_enricher.settings import Settings

log = logging.getLogger("warta_enricher")

ENRICHED = Counter("warta_enricher_articles_total", "articles enriched")
DEAD = Counter("warta_enricher_dead_letters_total", "events sent to the DLQ", ["reason"])
LATENCY = Histogram("warta_enricher_seconds", "time to enrich one article")


def create_app(settings: Settings, enricher: Enricher | None = None) -> faust.App:
    """Build the Faust app (no I/O until it is started)."""
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{b}" for b in settings.kafka_bootstrap.split(",")],
        store="memory://",
        autodiscover=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        web_enabled=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
    )
    source_name = topic_name(ARTICLES_FETCHED, settings.topic_prefix)
    source = app.topic(
        source_name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    sink = app.topic(
        topic_name(ARTICLES_ENRICHED, settings.topic_prefix),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    dead = app.topic(
        dlq(source_name), key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    state: dict[str, Any] = {"enricher": enricher}

    def get_enricher() -> Enricher:
        if state["enricher"] is None:
            state["enricher"] = Enricher()  # loads models once per process
        return state["enricher"]

    async def handle(key: bytes | None, raw: bytes | None, partition: int | None, offset: int | None) -> str:
        try:
            if raw is None:
                raise ValueError("empty message (tombstone) on an article topic")
            article = ArticleFetched.from_bytes(raw)
            started = time.perf_counter()
            enriched = get_enricher().enrich(article)
            LATENCY.observe(time.perf_counter() - started)
        except (ValidationError, EnrichmentError, ValueError, UnicodeDecodeError) as exc:
            reason = "invalid" if isinstance(exc, ValidationError | ValueError) else "unenrichable"
            return await _dead_letter(key, raw, exc, partition, offset, reason)
        except Exception as exc:  # a bug on one article must not stop the stream
            log.exception("enrichment failed for a message at %s@%s", partition, offset)
            return await _dead_letter(key, raw, exc, partition, offset, "error")
        fut = await sink.send(key=enriched.id.encode(), value=enriched.to_bytes())
        await fut  # wait for the broker's ack before this event's offset can be committed
        ENRICHED.inc()
        return "ok"

    async def _dead_letter(
        key: bytes | None,
        raw: bytes | None,
        exc: BaseException,
        partition: int | None,
        offset: int | None,
        reason: str,
    ) -> str:
        DEAD.labels(reason).inc()
        letter = dead_letter_event(
            topic=source_name,
            raw=raw,
            error=exc,
            service="enricher",
            key=key,
            partition=partition,
            offset=offset,
        )
        log.warning("event %s@%s → DLQ: %s", partition, offset, letter.error[:300])
        fut = await dead.send(key=key, value=letter.to_bytes())
        await fut
        return "dead"

    @app.agent(source, concurrency=settings.concurrency)
    async def enrich(stream: Any) -> Any:
        async for event in stream.events():
            msg = event.message
            yield await handle(event.key, event.value, msg.partition, msg.offset)

    @app.page("/healthz")
    async def healthz(self: Any, request: Any) -> Any:
        return self.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(self: Any, request: Any) -> Any:
        ready = bool(app.consumer and app.consumer.assignment() is not None and not app.should_stop)
        return self.json({"status": "ready" if ready else "not ready"}, status=200 if ready else 503)

    @app.page("/metrics")
    async def metrics(self: Any, request: Any) -> Any:
        # aiohttp wants the charset outside content_type
        return self.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    app.warta_handle = handle  # type: ignore[attr-defined]  # exposed for tests
    return app
