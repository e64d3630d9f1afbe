"""``warta-alerter``: build settings, make sure topics and indices exist, run the Faust worker.

SIGTERM/SIGINT stop the worker gracefully: the article agent stops taking events (the one in
hand stays unacknowledged unless it finished), in-flight webhook POSTs finish and record their
outcome, the producer is flushed and acked offsets are committed.
"""

from __future__ import annotations

import logging

import faust

from warta.elastic import ensure_indices, make_es, wait_for_es
from warta.kafka import ensure_topics, wait_for_kafka
from warta.logs import setup_logging
from warta_alerter.app import create_app
from warta_alerter.settings import Settings

log = logging.getLogger("warta_alerter")


def prepare_infrastructure(settings: Settings, timeout: float = 120.0) -> None:
    """Wait for Kafka and ES, then create missing topics (with DLQ twins) and index templates/aliases."""
    wait_for_kafka(settings.kafka_bootstrap, timeout=timeout)
    created = ensure_topics(
        settings.kafka_bootstrap,
        prefix=settings.topic_prefix,
        partitions=settings.topic_partitions,
        replication=settings.topic_replication,
    )
    if created:
        log.info("created topics: %s", ", ".join(created))
    es = make_es(settings.es_url)
    try:
        wait_for_es(es, timeout=timeout)
        ensure_indices(es, settings.es_prefix)
    finally:
        es.close()


def main() -> None:
    settings = Settings()
    setup_logging(settings.log_level, settings.log_json)
    prepare_infrastructure(settings)
    app, _runtime = create_app(settings)
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        override_logging=False,
        redirect_stdouts=False,
        quiet=True,
    )
    worker.spinner = None  # no terminal progress escapes in service logs
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
