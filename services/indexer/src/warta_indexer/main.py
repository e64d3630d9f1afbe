"""``warta-indexer``: consume ``articles.enriched.v1`` in bounded batches into Elasticsearch."""

from __future__ import annotations

import logging
import signal
import threading
import time

from kafka import KafkaConsumer

from warta.elastic import ensure_indices, make_es, wait_for_es
from warta.kafka import ensure_topics, make_producer, wait_for_kafka
from warta.logs import setup_logging
from warta.ops import serve_ops
from warta.topics import ARTICLES_ENRICHED, ARTICLES_INDEXED, topic_name
from warta_indexer.indexer import Indexer, Record, process_with_retry
from warta_indexer.settings import Settings

log = logging.getLogger("warta_indexer")


def run(settings: Settings, stop: threading.Event) -> None:
    """Consume until ``stop`` is set; commits only what was indexed and published."""
    wait_for_kafka(settings.kafka_bootstrap, timeout=120)
    es = make_es(settings.es_url)
    wait_for_es(es, timeout=120)
    ensure_indices(es, settings.es_prefix)
    ensure_topics(
        settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions, settings.topic_replication
    )
    source = topic_name(ARTICLES_ENRICHED, settings.topic_prefix)
    producer = make_producer(settings.kafka_bootstrap, client_id="warta-indexer")
    indexer = Indexer(
        es,
        producer,
        es_prefix=settings.es_prefix,
        source_topic=source,
        indexed_topic=topic_name(ARTICLES_INDEXED, settings.topic_prefix),
        story_window_days=settings.story_window_days,
    )
    consumer = KafkaConsumer(
        source,
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id=settings.group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=settings.batch_size,
        max_poll_interval_ms=30 * 60 * 1000,
    )

    # The consumer is not thread-safe, so readiness reads what the loop last reported instead
    # of asking Kafka from the ops thread: ready = the loop polled recently and ES answers.
    last_poll = [time.monotonic()]

    def ready() -> bool:
        # the minimal ES distribution answers GET / with 405, so ping() is always False there
        es.cluster.health(timeout="2s")
        return time.monotonic() - last_poll[0] < 60

    ops = serve_ops(settings.metrics_port, ready)
    log.info(
        "indexing %s → %s (batch ≤ %d / %.1fs)",
        source,
        indexer.names.articles,
        settings.batch_size,
        settings.batch_max_wait,
    )
    try:
        while not stop.is_set():
            batch: list[Record] = []
            deadline = time.monotonic() + settings.batch_max_wait
            while len(batch) < settings.batch_size and not stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0 and batch:
                    break
                last_poll[0] = time.monotonic()
                polled = consumer.poll(
                    timeout_ms=max(50, int(remaining * 1000)), max_records=settings.batch_size - len(batch)
                )
                for records in polled.values():
                    batch.extend(Record(r.topic, r.partition, r.offset, r.key, r.value) for r in records)
                if remaining <= 0:
                    break
            if not batch:
                continue
            if process_with_retry(indexer, batch, stop):
                consumer.commit()
    finally:
        log.info("indexer stopping: flushing and closing")
        producer.flush(timeout=30)
        consumer.close(autocommit=False)
        producer.close(timeout=30)
        if ops is not None:
            ops.shutdown()


def main() -> None:
    settings = Settings()
    setup_logging(settings.log_level, settings.log_json)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run(settings, stop)


if __name__ == "__main__":
    main()
