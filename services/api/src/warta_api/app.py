"""The app factory: ``create_app(settings) -> FastAPI``. Resources (ES client, Kafka publisher, alert
hub) are built here and closed by the lifespan; tests inject fakes or override dependencies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from elasticsearch import AsyncElasticsearch
from fastapi import FastAPI

from warta.elastic import ensure_indices, make_async_es, make_es
from warta_api import __version__
from warta_api.alerts.router import router as alerts_router
from warta_api.alerts.stream import AlertHub
from warta_api.articles.router import router as articles_router
from warta_api.auth import ApiKeys
from warta_api.errors import install_error_handlers
from warta_api.health.router import router as health_router
from warta_api.kafka_io import SubscriptionPublisher
from warta_api.limits import BodyLimitMiddleware
from warta_api.metrics import ApiMetrics, MetricsMiddleware
from warta_api.search.router import router as search_router
from warta_api.settings import Settings
from warta_api.subscriptions.router import router as subscriptions_router

log = logging.getLogger(__name__)

ENSURE_INDICES_RETRY_SECONDS = 5.0

DESCRIPTION = """
Search multilingual news and subscribe to alerts.

* **Query language** (search `q` and subscription `query`): words, `"quoted phrases"`, `AND` / `OR` /
  `NOT` (and `-word`), parentheses, and field filters `lang:id`, `topic:politics`,
  `entity:"Jens Stoltenberg"`, `source:antaranews.com`. Adjacent words are ANDed.
* **Auth**: `Authorization: Bearer <api key>`; each key belongs to a tenant, and a tenant sees only its
  own subscriptions and alerts.
* **Errors**: every 4xx/5xx body is `{"error": {"code", "message", "detail"}}`.
"""


async def _ensure_indices_until_done(settings: Settings) -> None:
    """Install templates/aliases in the background, retrying while ES is down (the API stays up)."""
    while True:
        try:
            es = make_es(settings.es_url, request_timeout=10)
            try:
                await asyncio.to_thread(ensure_indices, es, settings.es_prefix)
            finally:
                es.close()
            log.info("Elasticsearch templates and aliases for %r in place", settings.es_prefix)
            return
        except Exception as exc:
            log.warning("cannot prepare Elasticsearch indices yet (%s); retrying", exc)
            await asyncio.sleep(ENSURE_INDICES_RETRY_SECONDS)


def create_app(
    settings: Settings,
    *,
    es: AsyncElasticsearch | None = None,
    publisher: SubscriptionPublisher | None = None,
    alert_hub: AlertHub | None = None,
    prepare_indices: bool = True,
) -> FastAPI:
    """Build the API. Injected resources are used as given (and not closed by the app)."""
    owned_es = es is None
    owned_publisher = publisher is None
    owned_hub = alert_hub is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare = asyncio.create_task(_ensure_indices_until_done(settings)) if prepare_indices else None
        try:
            yield
        finally:
            if prepare is not None:
                prepare.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await prepare
            if owned_hub:
                await app.state.alert_hub.close()
            if owned_publisher:
                await asyncio.to_thread(app.state.publisher.close)
            if owned_es:
                await app.state.es.close()

    app = FastAPI(
        title="Warta API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.api_keys = ApiKeys(settings.api_keys())
    app.state.es = es if es is not None else make_async_es(settings.es_url)
    app.state.publisher = publisher or SubscriptionPublisher(
        settings.kafka_bootstrap, settings.topic_prefix, settings.kafka_timeout_seconds
    )
    app.state.alert_hub = alert_hub or AlertHub(settings.kafka_bootstrap, settings.topic_prefix)
    app.state.metrics = ApiMetrics()

    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    for router in (search_router, articles_router, subscriptions_router, alerts_router, health_router):
        app.include_router(router)
    return app
