"""Prometheus metrics of the API, on a registry per app (several apps may live in one test process)."""

from __future__ import annotations

import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Counter(
            "warta_api_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "warta_api_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.sse_clients = Gauge(
            "warta_api_sse_clients", "connected alert stream clients", registry=self.registry
        )
        self.alerts_streamed = Counter(
            "warta_api_alerts_streamed_total", "alerts sent to stream clients", registry=self.registry
        )


class MetricsMiddleware:
    """Counts and times every request by its route template (not the raw path: bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            # a stream's duration is not a latency
            elapsed = None if template == "/v1/alerts/stream" else time.perf_counter() - started
            method = scope.get("method", "")
            self.metrics.requests.labels(method, template, str(status)).inc()
            if elapsed is not None:
                self.metrics.latency.labels(method, template).observe(elapsed)
