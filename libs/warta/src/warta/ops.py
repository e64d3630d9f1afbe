"""Health and metrics endpoints for services that are not web apps (fetcher, indexer, enricher).

``serve_ops(port, ready)`` starts a daemon-thread HTTP server with ``/healthz`` (the process is
alive), ``/readyz`` (``ready()`` is true: dependencies reachable) and ``/metrics`` (Prometheus).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger(__name__)


def serve_ops(port: int, ready: Callable[[], bool], host: str = "0.0.0.0") -> ThreadingHTTPServer | None:
    """Start the ops server; returns None (and logs) when ``port`` is 0 or already taken."""
    if not port:
        return None

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.startswith("/metrics"):
                body, ctype, status = generate_latest(), CONTENT_TYPE_LATEST, 200
            elif self.path.startswith("/healthz"):
                body, ctype, status = b'{"status":"ok"}', "application/json", 200
            elif self.path.startswith("/readyz"):
                ok = _safe(ready)
                body = json.dumps({"status": "ready" if ok else "not ready"}).encode()
                ctype, status = "application/json", 200 if ok else 503
            else:
                body, ctype, status = (
                    b'{"error":{"code":"not_found","message":"no such path"}}',
                    "application/json",
                    404,
                )
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep access logs quiet
            return

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        log.warning("ops endpoints not started on port %s: %s", port, exc)
        return None
    threading.Thread(target=server.serve_forever, name=f"ops-{port}", daemon=True).start()
    log.info("health and metrics on http://%s:%s/{healthz,readyz,metrics}", host, port)
    return server


def _safe(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:
        return False
