"""``warta-fetcher``: the long-running fetcher (scheduler loop, /metrics, graceful SIGTERM)."""

from __future__ import annotations

import logging
import signal
import sys
from http.server import ThreadingHTTPServer
from pathlib import Path

from warta.kafka import wait_for_kafka
from warta.logs import setup_logging
from warta_fetcher.extract import warm_up_extraction
from warta_fetcher.metrics import FetcherMetrics, serve_metrics
from warta_fetcher.service import (
    Scheduler,
    build_harvester,
    close_harvester,
    ensure_fetcher_topics,
    state_namespace,
)
from warta_fetcher.settings import Settings, load_settings
from warta_fetcher.status import sources_routes

log = logging.getLogger("warta_fetcher")


def run_service(settings: Settings, sources_path: Path) -> int:
    """Run until SIGTERM/SIGINT: finish in-flight polls, flush the producer, exit 0 (1 if Kafka failed)."""
    wait_for_kafka(settings.kafka_bootstrap, timeout=120.0)
    ensure_fetcher_topics(settings)
    # One-time extraction costs (dateparser locales...) paid at start-up, not on the first pages.
    warm_up_extraction()
    metrics = FetcherMetrics()
    harvester = build_harvester(settings, metrics=metrics, namespace=state_namespace(settings))
    scheduler = Scheduler(settings, harvester, sources_path)
    scheduler.reload_sources()  # so /sources lists them from the first request on
    server = serve_fetcher_ops(settings, metrics, scheduler)

    def _on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d: finishing in-flight polls, then exiting", signum)
        scheduler.stop()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        scheduler.run()
    finally:
        close_harvester(harvester)
        if server is not None:
            server.shutdown()
    log.info("fetcher stopped")
    return 1 if scheduler.fatal else 0


def serve_fetcher_ops(
    settings: Settings, metrics: FetcherMetrics, scheduler: Scheduler
) -> ThreadingHTTPServer | None:
    """The ops server on ``metrics_host:metrics_port`` (None when the port is 0).

    ``/metrics``, ``/healthz`` (503 once stopping), ``/readyz`` (503 until the scheduler loop runs with a
    loaded sources file; 503 with the reason after a failed Kafka send), ``/sources`` and ``/sources/{id or name}``
    (config and fetch counters of the scheduler's current sources, as ``warta sources status --json``).
    """
    if not settings.metrics_port:
        return None
    server = serve_metrics(
        metrics,
        settings.metrics_host,
        settings.metrics_port,
        healthy=lambda: not scheduler.stopping,
        ready=scheduler.readiness,
        json_routes=sources_routes(lambda: scheduler.configured_sources, scheduler.harvester.state),
    )
    log.info(
        "ops on http://%s:%d/{metrics,healthz,readyz,sources}",
        settings.metrics_host,
        server.server_address[1],
    )
    return server


def main() -> None:
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_json)
    sys.exit(run_service(settings, settings.sources))


if __name__ == "__main__":
    main()
