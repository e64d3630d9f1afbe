"""The Faust app: one agent on ``articles.indexed.v1`` plus the runtime it needs.

:func:`create_app` wires, from :class:`~warta_alerter.settings.Settings`:

- the agent ``alert_on_articles`` (consumer group = app id), which acknowledges an event only after
  it was fully handled (``stream.noack()`` + explicit ack): a Faust agent that raises or is
  cancelled would otherwise have acked the event it was working on;
- :class:`AlerterRuntime` (a mode service started with the app): the ES client, the subscription
  registry (ES load + live ``subscriptions.v1`` follower), webhook delivery with its sweeper, and
  a small aiohttp server with ``/healthz``, ``/readyz`` and ``/metrics``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

import faust
from aiohttp import web
from mode import Service

from warta.elastic import IndexNames, make_async_es
from warta.events import Alert, DeadLetter
from warta.topics import ALERTS, ARTICLES_INDEXED, SUBSCRIPTIONS, dlq, topic_name
from warta_alerter.delivery import DeliveryService
from warta_alerter.matching import SubscriptionMatcher
from warta_alerter.metrics import AlerterMetrics
from warta_alerter.processor import ArticleProcessor
from warta_alerter.retry import RetryPolicy, Stopped, retry_transient
from warta_alerter.settings import Settings
from warta_alerter.store import AlertStore, is_transient
from warta_alerter.subscriptions import SubscriptionFollower, SubscriptionRegistry, load_from_es

log = logging.getLogger(__name__)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        base=settings.retry_base_seconds,
        factor=settings.retry_factor,
        max_delay=settings.retry_max_delay_seconds,
        jitter=settings.retry_jitter,
        give_up_after=settings.retry_give_up_after_seconds,
    )


class AlerterRuntime(Service):
    """Everything the agent relies on, started and stopped with the Faust app."""

    shutdown_timeout = 30.0

    def __init__(self, settings: Settings, app: faust.App, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.app = app
        prefix = settings.topic_prefix
        self.articles_topic = topic_name(ARTICLES_INDEXED, prefix)
        self.subscriptions_topic = topic_name(SUBSCRIPTIONS, prefix)
        self.alerts_topic = topic_name(ALERTS, prefix)
        self.indices = IndexNames(settings.es_prefix)
        self.metrics = AlerterMetrics()
        self.registry = SubscriptionRegistry()
        self.registry.listeners.append(lambda: self.metrics.subscriptions.set(len(self.registry)))
        self.matcher = SubscriptionMatcher(self.registry, settings.backfill_seconds)
        self.stopping = asyncio.Event()
        self.es: Any = None
        self.store: AlertStore | None = None
        self.delivery: DeliveryService | None = None
        self.processor: ArticleProcessor | None = None
        self.follower = SubscriptionFollower(
            self.registry,
            settings.kafka_bootstrap,
            self.subscriptions_topic,
            client_id=f"{settings.app_id}-subscriptions-{os.getpid()}",
        )
        self._alerts_out = app.topic(self.alerts_topic, key_serializer="raw", value_serializer="raw")
        self._dlq_out = app.topic(dlq(self.articles_topic), key_serializer="raw", value_serializer="raw")
        self._background: list[asyncio.Task[Any]] = []
        self._web_runner: web.AppRunner | None = None
        self._es_ok_at = 0.0

    # --------------------------------------------------------------- lifecycle

    async def on_start(self) -> None:
        s = self.settings
        self.es = make_async_es(s.es_url, request_timeout=10)
        self.store = AlertStore(self.es, self.indices.alerts)
        self.delivery = DeliveryService(
            self.store,
            self.registry,
            retry_policy(s),
            self.metrics,
            allow_private=s.allow_private_webhooks,
            timeout=s.webhook_timeout_seconds,
            concurrency=s.delivery_concurrency,
            poll_seconds=s.retry_poll_seconds,
        )
        self.processor = ArticleProcessor(
            self.matcher,
            self.store,
            self.publish_alert,
            self.publish_dead_letter,
            self.delivery.submit,
            self.metrics,
            source_topic=self.articles_topic,
            max_backoff=s.es_retry_max_seconds,
            should_stop=self.stopping.is_set,
        )
        await self._start_web()
        self._background.append(asyncio.create_task(self._bootstrap(), name="alerter-bootstrap"))

    async def on_stop(self) -> None:
        self.stopping.set()
        if self._background:
            _, pending = await asyncio.wait(
                self._background, timeout=self.settings.webhook_timeout_seconds + 5
            )
            for task in pending:
                task.cancel()
        if self._web_runner is not None:
            await self._web_runner.cleanup()
        if self.es is not None:
            await self.es.close()

    async def _bootstrap(self) -> None:
        try:
            await self._bootstrap_steps()
        except Exception as exc:  # not transient (those are retried): a broken set-up must not idle silently
            log.exception("alerter start-up failed")
            await self.crash(exc)

    async def _bootstrap_steps(self) -> None:
        """Mapping, subscriptions from ES, catch up on the topic, then delivery (incl. restart recovery)."""
        assert self.store is not None
        store = self.store
        try:
            await retry_transient(
                store.ensure_mapping,
                is_transient=is_transient,
                what="adding article_ids to the alerts mapping",
                max_delay=self.settings.es_retry_max_seconds,
                should_stop=self.stopping.is_set,
            )
            docs = await retry_transient(
                lambda: load_from_es(self.es, self.indices.subscriptions),
                is_transient=is_transient,
                what="loading subscriptions from ES",
                max_delay=self.settings.es_retry_max_seconds,
                should_stop=self.stopping.is_set,
            )
        except Stopped:
            return
        loaded = self.registry.load(docs)
        log.info("loaded %d subscriptions from ES (%d active)", loaded, len(self.registry))
        self._background.append(
            asyncio.create_task(self.follower.run(self.stopping), name="subscriptions-follower")
        )
        caught_up = asyncio.create_task(self.follower.caught_up.wait())
        stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait({caught_up, stop}, return_when=asyncio.FIRST_COMPLETED)
        caught_up.cancel()
        stop.cancel()
        if self.stopping.is_set():
            return
        self.metrics.subscriptions.set(len(self.registry))
        self.registry.ready.set()
        log.info("subscriptions ready: %d active; following %s", len(self.registry), self.subscriptions_topic)
        assert self.delivery is not None
        self._background.append(
            asyncio.create_task(self.delivery.run(self.stopping), name="webhook-delivery")
        )
        if self.settings.subscriptions_refresh_seconds > 0:
            self._background.append(asyncio.create_task(self._refresh_loop(), name="subscriptions-refresh"))

    async def _refresh_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(
                    self.stopping.wait(), timeout=self.settings.subscriptions_refresh_seconds
                )
                return
            except TimeoutError:
                pass
            try:
                self.registry.load(await load_from_es(self.es, self.indices.subscriptions))
            except Exception as exc:
                log.warning("periodic subscription refresh failed: %s", exc)

    # --------------------------------------------------------------- producing

    async def publish_alert(self, alert: Alert) -> None:
        """Publish on ``alerts.v1`` (key = subscription id) and wait for the broker's ack."""
        fut = await self._alerts_out.send(
            key=alert.subscription_id.encode("utf-8"), value=alert.to_bytes(), force=True
        )
        await fut

    async def publish_dead_letter(self, letter: DeadLetter) -> None:
        key = letter.key.encode("utf-8") if letter.key else None
        fut = await self._dlq_out.send(key=key, value=letter.to_bytes(), force=True)
        await fut

    # --------------------------------------------------------------- ops endpoints

    async def _start_web(self) -> None:
        webapp = web.Application()
        webapp.router.add_get("/healthz", self._healthz)
        webapp.router.add_get("/readyz", self._readyz)
        webapp.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(webapp, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.web_host, self.settings.web_port)
        await site.start()
        self._web_runner = runner
        log.info(
            "health and metrics on http://%s:%s/{healthz,readyz,metrics}",
            self.settings.web_host,
            self.settings.web_port,
        )

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readiness(self) -> dict[str, bool]:
        """Ready = subscriptions loaded and caught up, ES answers, Kafka answers."""
        checks = {"subscriptions": self.registry.ready.is_set(), "elasticsearch": False, "kafka": False}
        try:
            # cluster health, not ping: the minimal ES distribution answers HEAD / with 405
            health = await asyncio.wait_for(self.es.cluster.health(timeout="2s"), timeout=3.0)
            checks["elasticsearch"] = health.get("status") in ("green", "yellow")
        except Exception:
            checks["elasticsearch"] = False
        checks["kafka"] = await self.follower.kafka_reachable()
        return checks

    async def _readyz(self, _request: web.Request) -> web.Response:
        checks = await self.readiness()
        ok = all(checks.values())
        body = {
            "status": "ready" if ok else "not ready",
            "checks": checks,
            "subscriptions": len(self.registry),
            # informational (an instance beyond the partition count is ready with none)
            "assigned_partitions": self.assigned_partitions(),
        }
        return web.Response(text=json.dumps(body), status=200 if ok else 503, content_type="application/json")

    def assigned_partitions(self) -> int:
        """Partitions of ``articles.indexed.v1`` this instance consumes right now."""
        try:
            return sum(1 for tp in self.app.consumer.assignment() if tp.topic == self.articles_topic)
        except Exception:  # consumer not started yet
            return 0

    async def _metrics(self, _request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render(), headers={"Content-Type": "text/plain; version=0.0.4"})


def create_app(settings: Settings) -> tuple[faust.App, AlerterRuntime]:
    """Build the Faust app and its runtime (nothing connects until the worker starts)."""
    prefix = settings.topic_prefix
    os.makedirs(settings.data_dir, exist_ok=True)
    app = faust.App(
        f"{prefix}{settings.app_id}",
        broker=[f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")],
        store="memory://",
        # Faust insists on a data directory; keep it out of the working directory (the repo).
        datadir=os.path.join(settings.data_dir, "{conf.name}-data"),
        autodiscover=False,
        web_enabled=False,  # our own ops server (AlerterRuntime) serves /healthz, /readyz, /metrics
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        topic_allow_declare=False,  # topics are created by ensure_topics() with their DLQ twins
        topic_disable_leader=True,  # no tables, so no need for the assignor leader topic
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
    )
    runtime = AlerterRuntime(settings, app, loop=None)
    app.service(runtime)  # type: ignore[arg-type]  # an instance is accepted too (_prepare_subservice)

    articles = app.topic(runtime.articles_topic, key_serializer="raw", value_serializer="raw")

    @app.agent(articles, name="alert_on_articles", concurrency=settings.agent_concurrency)
    async def alert_on_articles(stream: faust.StreamT) -> None:
        await runtime.registry.ready.wait()
        manual = stream.noack()  # type: ignore[attr-defined]  # on Stream, not on the StreamT protocol
        async for event in manual.events():
            message = event.message
            processor = runtime.processor
            assert processor is not None
            try:
                await processor.handle(
                    event.value, key=message.key, partition=message.partition, offset=message.offset
                )
            except Stopped:
                return  # shutting down during an outage: leave the event unacknowledged
            await manual.ack(event)

    return app, runtime
