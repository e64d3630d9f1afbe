"""``warta init``: create every topic (with its ``.dlq`` twin) and the ES templates, indices and
aliases. Idempotent; services also run the same steps at start-up."""

from __future__ import annotations

import click

from warta.elastic import ensure_indices, make_es, wait_for_es
from warta.kafka import ensure_topics, wait_for_kafka
from warta.settings import CommonSettings


@click.command("init")
@click.option("--timeout", default=120.0, show_default=True, help="seconds to wait for Kafka and ES")
def init_command(timeout: float) -> None:
    """Create Kafka topics (+ DLQs) and Elasticsearch templates/aliases."""
    settings = CommonSettings()
    click.echo(f"waiting for Kafka at {settings.kafka_bootstrap} …")
    wait_for_kafka(settings.kafka_bootstrap, timeout=timeout)
    created = ensure_topics(
        settings.kafka_bootstrap, settings.topic_prefix, settings.topic_partitions, settings.topic_replication
    )
    click.echo(f"topics: {len(created)} created ({', '.join(created) or 'all present'})")
    click.echo(f"waiting for Elasticsearch at {settings.es_url} …")
    es = make_es(settings.es_url)
    wait_for_es(es, timeout=timeout)
    ensure_indices(es, settings.es_prefix)
    click.echo(f"indices: templates and aliases for prefix '{settings.es_prefix}' ready")
