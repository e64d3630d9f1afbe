"""Wiring (settings → state, HTTP, sink, metrics) and the scheduler loop of the long-running fetcher."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from warta.ids import stable_hash
from warta.kafka import ensure_topics
from warta.topics import ARTICLES_FETCHED, TopicSpec, dlq
from warta_fetcher.harvest import Harvester, PollReport
from warta_fetcher.metrics import FetcherMetrics
from warta_fetcher.net import HttpPolicy, PoliteHttp
from warta_fetcher.schedule import owned_by
from warta_fetcher.settings import Settings
from warta_fetcher.sink import ArticleSink, KafkaArticleSink, SendFailed
from warta_fetcher.sources import Source, load_sources
from warta_fetcher.state import StateStore

log = logging.getLogger(__name__)


def state_namespace(settings: Settings, timeout_s: float = 10.0) -> str:
    """Names the state store after the Kafka cluster id and topic prefix articles are sent to.

    "Already sent" only holds for the cluster that received the articles: a fresh broker (new
    cluster id) gets them again. Falls back to the bootstrap address when the cluster cannot be
    described.
    """
    cluster = settings.kafka_bootstrap
    try:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap.split(","),
            client_id="warta-fetcher-state",
            request_timeout_ms=int(timeout_s * 1000),
        )
        try:
            cluster = str(admin.describe_cluster().get("cluster_id") or cluster)
        finally:
            admin.close()
    except Exception as exc:  # any client error: the fallback name is still stable per address
        log.warning("cannot describe Kafka cluster (%s); state keyed by bootstrap address", exc)
    return stable_hash("fetcher-state", cluster, settings.topic_prefix, length=12)


def build_harvester(
    settings: Settings,
    sink: ArticleSink | None = None,
    metrics: FetcherMetrics | None = None,
    namespace: str = "local",
) -> Harvester:
    """A :class:`Harvester` with its state store, polite HTTP client and (by default) Kafka sink."""
    state = StateStore.in_dir(settings.state_dir, namespace)
    http = PoliteHttp(HttpPolicy.from_settings(settings))
    if sink is None:
        sink = KafkaArticleSink(
            settings.kafka_bootstrap,
            settings.topic_prefix,
            attempts=settings.send_attempts,
            timeout_s=settings.send_timeout_s,
        )
    return Harvester(settings, state, http, sink, metrics)


def close_harvester(harvester: Harvester) -> None:
    """Flush and close the sink first (nothing in flight is lost), then HTTP and state."""
    harvester.sink.close()
    harvester.http.close()
    harvester.state.close()


def owner_name(settings: Settings) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{settings.instance}"


def ensure_fetcher_topics(settings: Settings) -> None:
    """Create the fetcher's output topic and its dead-letter topic if missing (idempotent)."""
    ensure_topics(
        settings.kafka_bootstrap,
        settings.topic_prefix,
        partitions=settings.topic_partitions,
        replication=settings.topic_replication,
        specs=[TopicSpec(ARTICLES_FETCHED), TopicSpec(dlq(ARTICLES_FETCHED))],
    )


class Scheduler:
    """Polls every owned source when due, several at a time, until :meth:`stop` is called.

    Ownership: a source belongs to one instance by hash (``WARTA_FETCHER_INSTANCE`` of
    ``WARTA_FETCHER_INSTANCES``); processes sharing a state dir additionally take a sqlite lease, so a
    source is never polled twice at once.
    """

    def __init__(self, settings: Settings, harvester: Harvester, sources_path: Path) -> None:
        self.settings = settings
        self.harvester = harvester
        self.sources_path = sources_path
        self.owner = owner_name(settings)
        self._stop = threading.Event()
        self._configured: list[Source] = []  # everything in the file, disabled ones too (for /sources)
        self._sources: list[Source] = []  # the enabled ones: what gets polled
        self._sources_mtime = 0.0
        self.fatal: BaseException | None = None
        self.last_tick: float | None = None  # time.monotonic() of the loop's last pass (readiness)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def configured_sources(self) -> list[Source]:
        """Every source of the last valid sources file, disabled ones included, in file order."""
        return self._configured

    def reload_sources(self) -> None:
        """Re-read the sources file if it changed; an invalid file keeps the previous list."""
        try:
            mtime = self.sources_path.stat().st_mtime
        except OSError as exc:
            log.error("sources file %s unreadable: %s", self.sources_path, exc)
            return
        if mtime == self._sources_mtime:
            return
        try:
            configured = load_sources(self.sources_path)
            # Rebind, never mutate: the ops HTTP thread may be reading the previous lists.
            self._configured = configured
            self._sources = [s for s in configured if s.enabled]
            self._sources_mtime = mtime
            log.info("loaded %d sources from %s", len(self._sources), self.sources_path)
        except (ValueError, OSError) as exc:
            log.error("sources file %s invalid, keeping previous list: %s", self.sources_path, exc)

    def run(self, tick_s: float = 1.0) -> None:
        """Block until stopped; in-flight polls are finished before returning."""
        running: dict[str, Future[PollReport]] = {}
        with ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="poll") as pool:
            while not self._stop.is_set():
                self.last_tick = time.monotonic()
                self.reload_sources()
                for source_id, future in list(running.items()):
                    if future.done():
                        del running[source_id]
                        self._finished(source_id, future)
                for source in self._sources:
                    if self._stop.is_set() or len(running) >= self.settings.workers:
                        break
                    if source.id in running or not owned_by(
                        source.id, self.settings.instance, self.settings.instances
                    ):
                        continue
                    if not self.harvester.state.try_lease(source.id, self.owner, self.settings.lease_s):
                        continue
                    running[source.id] = pool.submit(self.harvester.poll, source)
                self._stop.wait(tick_s)
            for source_id, future in running.items():
                future.exception()  # waits: finish in-flight work before the producer is flushed
                self._finished(source_id, future)

    def readiness(self, max_tick_age_s: float = 30.0) -> tuple[bool, str]:
        """``(ready, reason)``: the loop is running and recent and a sources file was loaded. Kafka
        is checked where it matters: every send waits for the broker's ack, and a failed send stops
        the loop (``fatal``), which makes this not ready with the reason."""
        if self.fatal is not None:
            return False, f"Kafka send failed: {self.fatal}"
        if self._stop.is_set():
            return False, "stopping"
        if self.last_tick is None:
            return False, "scheduler loop not started"
        age = time.monotonic() - self.last_tick
        if age > max_tick_age_s:
            return False, f"scheduler loop stalled for {age:.0f}s"
        if not self._sources_mtime:
            return False, f"no valid sources file loaded from {self.sources_path}"
        return True, "ok"

    def _finished(self, source_id: str, future: Future[PollReport]) -> None:
        self.harvester.state.release(source_id, self.owner)
        exc = future.exception()
        if isinstance(exc, SendFailed):
            # Kafka is not acknowledging: stop instead of polling on and piling up unsent work.
            log.error("Kafka send failed for %s: %s", source_id, exc)
            self.fatal = exc
            self._stop.set()
        elif exc is not None:
            log.exception("poll of %s crashed", source_id, exc_info=exc)
        else:
            report = future.result()
            log.info(
                "source %s: %s, %d new, %d already sent, next in %.0fs%s",
                source_id, report.status, report.new, report.already_sent, report.interval_s or 0,
                f" ({report.error})" if report.error else "",
            )  # fmt: skip
