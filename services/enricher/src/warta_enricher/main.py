"""``warta-enricher``: run the Faust enrichment worker."""

from __future__ import annotations

import sys

from warta.kafka import ensure_topics, wait_for_kafka
from warta.logs import setup_logging
from warta_enricher.app import create_app
from warta_enricher.settings import Settings


def main() -> None:
    settings = Settings()
    setup_logging(settings.log_level, settings.log_json)
    wait_for_kafka(settings.kafka_bootstrap, timeout=120)
    ensure_topics(
        settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions, settings.topic_replication
    )
    app = create_app(settings)
    # Faust's own CLI parses argv: run the worker with a fixed, explicit command line.
    sys.argv = [sys.argv[0], "worker", "-l", settings.log_level.lower()]
    app.main()


if __name__ == "__main__":
    main()
