"""Prometheus metrics per source, and the fetcher's small ops HTTP server (/metrics, /healthz, extras)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

log = logging.getLogger(__name__)


class FetcherMetrics:
    """All fetcher metrics in their own registry (tests build as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.fetches = Counter("warta_fetcher_fetches", "Polls of a source", ["source"], registry=r)
        self.not_modified = Counter(
            "warta_fetcher_not_modified", "Polls answered 304 Not Modified", ["source"], registry=r
        )
        self.errors = Counter(
            "warta_fetcher_errors", "Failed polls or pages", ["source", "reason"], registry=r
        )
        self.new_articles = Counter(
            "warta_fetcher_new_articles", "Articles sent to Kafka", ["source"], registry=r
        )
        self.skipped = Counter(
            "warta_fetcher_already_sent", "Articles skipped as already sent", ["source"], registry=r
        )
        self.lag = Histogram(
            "warta_fetcher_publication_lag_seconds",
            "Publication to fetch delay",
            ["source"],
            buckets=(30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600, 7 * 86400),
            registry=r,
        )
        self.interval = Gauge(
            "warta_fetcher_poll_interval_seconds", "Current poll interval", ["source"], registry=r
        )
        self.last_success = Gauge(
            "warta_fetcher_last_success_timestamp_seconds", "Last successful poll", ["source"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def serve_metrics(
    metrics: FetcherMetrics,
    host: str,
    port: int,
    healthy: Callable[[], bool] = lambda: True,
    json_routes: Callable[[str], tuple[int, Any] | None] | None = None,
    ready: Callable[[], tuple[bool, str]] | None = None,
) -> ThreadingHTTPServer:
    """Start ``/metrics``, ``/healthz`` and ``/readyz`` on a daemon thread; returns the server (call
    ``shutdown()``). ``ready()`` gives ``(ready, reason)``; without it readiness follows ``healthy()``.

    ``json_routes(path)`` answers any other GET: ``(status, body)`` is sent as JSON, ``None`` is a
    404; if it raises, the client gets a 500 ``{"detail": ...}`` and the server keeps running.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path.startswith("/metrics"):
                body, status, ctype = metrics.render(), 200, CONTENT_TYPE_LATEST
            elif self.path.startswith("/healthz"):
                ok = healthy()
                body, status, ctype = (
                    (b'{"status":"ok"}' if ok else b'{"status":"stopping"}'),
                    (200 if ok else 503),
                    "application/json",
                )
            elif self.path.startswith("/readyz"):
                ok, reason = ready() if ready is not None else (healthy(), "ok")
                payload = {"status": "ready" if ok else "not ready", "reason": reason}
                body, status, ctype = json.dumps(payload).encode(), (200 if ok else 503), "application/json"
            else:
                body, status, ctype = self._extra()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _extra(self) -> tuple[bytes, int, str]:
            reply = None
            if json_routes is not None:
                try:
                    reply = json_routes(self.path)
                except Exception as exc:  # a broken route must not take the health endpoint down
                    log.exception("ops route %s failed", self.path)
                    reply = (500, {"detail": f"internal error: {type(exc).__name__}"})
            if reply is None:
                return b"not found", 404, "text/plain"
            status, payload = reply
            return json.dumps(payload, ensure_ascii=False).encode(), status, "application/json"

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    return server
