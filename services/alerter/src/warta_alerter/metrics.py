"""Prometheus metrics of one alerter (own registry, so tests can run several apps in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class AlerterMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.articles = Counter("warta_alerter_articles_total", "indexed articles consumed", registry=r)
        self.matched = Counter(
            "warta_alerter_matches_total",
            "article x subscription matches (before once-per-story)",
            registry=r,
        )
        self.alerts_fired = Counter(
            "warta_alerter_alerts_fired_total",
            "new alerts (first article of a story per subscription)",
            registry=r,
        )
        self.alerts_counted = Counter(
            "warta_alerter_alerts_counted_total", "later articles counted on an existing alert", registry=r
        )
        self.deliveries_ok = Counter(
            "warta_alerter_deliveries_ok_total", "webhook deliveries accepted (2xx)", registry=r
        )
        self.deliveries_failed = Counter(
            "warta_alerter_deliveries_failed_total", "webhook attempts that failed (will retry)", registry=r
        )
        self.deliveries_dead = Counter(
            "warta_alerter_deliveries_dead_total", "alerts given up on (status dead)", registry=r
        )
        self.dlq = Counter("warta_alerter_dlq_total", "events sent to articles.indexed.v1.dlq", registry=r)
        self.transient_errors = Counter(
            "warta_alerter_transient_errors_total", "ES/Kafka errors that were retried", registry=r
        )
        self.subscriptions = Gauge("warta_alerter_subscriptions", "active subscriptions held", registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
