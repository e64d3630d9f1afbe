"""The alerter against real Kafka and Elasticsearch, delivering to a real local HTTP receiver.

One alerter worker (a ``warta-alerter`` subprocess) runs for the module; each test uses its own
subscriptions and story ids. The last test restarts the worker to prove deliveries survive it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer

from warta.analysis.analyzer import analyze
from warta.elastic import IndexNames, ensure_indices, make_es
from warta.events import (
    Alert,
    ArticleIndexed,
    DeadLetter,
    Delivery,
    Language,
    SourceRef,
    Subscription,
    WebhookDelivery,
)
from warta.ids import alert_id
from warta.kafka import ensure_topics, make_producer
from warta.topics import ALERTS, ARTICLES_INDEXED, SUBSCRIPTIONS, dlq, topic_name
from warta_alerter.webhook import verify

pytestmark = pytest.mark.integration

NATO_A = (
    "Sekretaris Jenderal NATO Jens Stoltenberg mengatakan aliansi itu akan terus mendukung Ukraina "
    "dalam pertemuan para menteri pertahanan di Brussels."
)
NATO_B = (
    "Jens Stoltenberg menegaskan bahwa negara-negara anggota NATO sepakat meningkatkan bantuan "
    "pertahanan udara bagi Ukraina."
)
QUAKE = "Gempa berkekuatan 5,2 magnitudo mengguncang wilayah Jakarta pada Senin pagi, tidak ada korban jiwa."


# ----------------------------------------------------------------------------- webhook receiver


class Receiver:
    """A threaded HTTP server on 127.0.0.1 that records every POST and answers per path.

    ``script[path]`` is a list of status codes used in turn (the last one repeats); default 200.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    codes = receiver.script.get(self.path, [200])
                    code = codes.pop(0) if len(codes) > 1 else codes[0]
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "code": code}
                    )
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def at(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def close(self) -> None:
        self.server.shutdown()


# ----------------------------------------------------------------------------- the alerter process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class AlerterHarness:
    def __init__(
        self,
        stack: Any,
        namespace: str,
        log_dir: Path,
        tag: str = "alr",
        es_url_for_alerter: str | None = None,
    ) -> None:
        self.stack = stack
        self.topic_prefix = f"{namespace}.{tag}."
        self.es_prefix = f"{namespace}{tag}"
        self.port = _free_port()
        self.log_path = log_dir / "alerter.log"
        self.env = {
            **os.environ,
            **stack.env(),
            "WARTA_TOPIC_PREFIX": self.topic_prefix,
            "WARTA_ES_PREFIX": self.es_prefix,
            "WARTA_TOPIC_PARTITIONS": "2",
            "WARTA_ALERTER_APP_ID": "alerter-it",
            "WARTA_ALERTER_WEB_HOST": "127.0.0.1",
            "WARTA_ALERTER_WEB_PORT": str(self.port),
            "WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS": "true",
            "WARTA_ALERTER_RETRY_BASE_SECONDS": "0.5",
            "WARTA_ALERTER_RETRY_FACTOR": "2",
            "WARTA_ALERTER_RETRY_MAX_DELAY_SECONDS": "2",
            "WARTA_ALERTER_RETRY_GIVE_UP_AFTER_SECONDS": "60",
            "WARTA_ALERTER_RETRY_POLL_SECONDS": "0.3",
            "WARTA_ALERTER_WEBHOOK_TIMEOUT_SECONDS": "5",
            "WARTA_LOG_LEVEL": "INFO",
            "WARTA_ALERTER_DATA_DIR": str(log_dir / "faust"),
        }
        if es_url_for_alerter:
            self.env["WARTA_ES_URL"] = es_url_for_alerter
        self.indices = IndexNames(self.es_prefix)
        self.es = make_es(stack.es_url)
        ensure_topics(stack.kafka_bootstrap, self.topic_prefix, partitions=2)
        ensure_indices(self.es, self.es_prefix)
        self.producer = make_producer(stack.kafka_bootstrap, client_id="alerter-it")
        self.proc: subprocess.Popen[bytes] | None = None

    def topic(self, base: str) -> str:
        return topic_name(base, self.topic_prefix)

    # --- process
    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "warta_alerter.main"], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        wait_for(self.ready, 90, "alerter /readyz")

    def ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"alerter exited with {self.proc.returncode}:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=5) as resp:
                return resp.status == 200
        except OSError:
            return False

    def readyz(self) -> dict[str, Any]:
        """The /readyz body, whether ready (200) or not (503)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=5) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read())

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as resp:
                return resp.status == 200
        except OSError:
            return False

    def stop(self, timeout: float = 40) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"alerter did not stop within {timeout}s of SIGTERM") from None
        self.proc = None
        return code

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])

    def metrics(self) -> dict[str, float]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=2) as resp:
            text = resp.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name] = float(value)
        return out

    # --- inputs
    def put_subscription(self, sub: Subscription, *, to_es: bool = True, to_kafka: bool = True) -> None:
        if to_es:
            self.es.index(
                index=self.indices.subscriptions,
                id=sub.id,
                document=sub.model_dump(mode="json"),
                refresh=True,
            )
        if to_kafka:
            self.producer.send(self.topic(SUBSCRIPTIONS), key=sub.id.encode(), value=sub.to_bytes()).get(
                timeout=30
            )

    def put_article(self, article: ArticleIndexed) -> None:
        self.producer.send(
            self.topic(ARTICLES_INDEXED), key=article.id.encode(), value=article.to_bytes()
        ).get(timeout=30)

    def put_raw(self, raw: bytes, key: bytes = b"broken") -> None:
        self.producer.send(self.topic(ARTICLES_INDEXED), key=key, value=raw).get(timeout=30)

    # --- outputs
    def alert_doc(self, aid: str) -> dict[str, Any] | None:
        resp = self.es.options(ignore_status=404).get(index=self.indices.alerts, id=aid)
        return resp["_source"] if resp.get("found") else None

    def read_topic(self, base: str, timeout_ms: int = 5000) -> list[bytes]:
        consumer = KafkaConsumer(
            self.topic(base),
            bootstrap_servers=self.stack.kafka_bootstrap.split(","),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=timeout_ms,
        )
        try:
            return [record.value for record in consumer]
        finally:
            consumer.close()

    def close(self) -> None:
        if self.proc is not None:
            self.stop()
        self.producer.close(timeout=5)
        self.es.close()


def subscription(
    sub_id: str, query: str, url: str, secret: str, version: int = 1, active: bool = True
) -> Subscription:
    return Subscription(
        id=sub_id,
        tenant="tenant-it",
        name=sub_id,
        query=query,
        delivery=Delivery(webhook=WebhookDelivery(url=url, secret=secret)),
        version=version,
        active=active,
    )


def article(article_id: str, story_id: str, title: str, text: str) -> ArticleIndexed:
    return ArticleIndexed(
        id=article_id,
        url=f"https://www.antaranews.com/berita/{article_id}",
        canonical_url=f"https://www.antaranews.com/berita/{article_id}",
        source=SourceRef(id="antaranews.com", name="antaranews.com", kind="rss"),
        title=title,
        text=text,
        content_hash=f"h-{article_id}",
        language=Language(code="id", confidence=0.99),
        terms=analyze(f"{title}\n\n{text}", "id"),
        enricher_version="it",
        story_id=story_id,
        indexed_at=datetime.now(UTC),
    )


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def alerter(stack, test_namespace, receiver, tmp_path_factory) -> Iterator[AlerterHarness]:
    harness = AlerterHarness(stack, test_namespace, tmp_path_factory.mktemp("alerter"))
    # Written to ES only, before start: proves the start-up load from the subscriptions alias.
    harness.put_subscription(
        subscription("sub-es-only", "Brussels", f"{receiver.url}/es-only", "es-secret"), to_kafka=False
    )
    harness.start()
    try:
        yield harness
    except BaseException:
        print(harness.log_tail())
        raise
    finally:
        harness.close()


# ----------------------------------------------------------------------------- tests


def test_one_signed_webhook_per_story_and_the_later_article_is_counted(alerter, receiver):
    sub = subscription("sub-story", "Stoltenberg", f"{receiver.url}/story", "story-secret")
    alerter.put_subscription(sub)
    time.sleep(1.5)  # the live follower applies it within its poll interval
    alerter.put_article(article("st-art-1", "story-nato-1", "Stoltenberg: NATO dukung Ukraina", NATO_A))
    alerter.put_article(article("st-art-2", "story-nato-1", "NATO tingkatkan bantuan", NATO_B))
    alerter.put_article(article("st-art-3", "story-quake-1", "Gempa guncang Jakarta", QUAKE))

    aid = alert_id(sub.id, "story-nato-1")
    doc = wait_for(
        lambda: (
            (d := alerter.alert_doc(aid)) and d["article_count"] == 2 and d["status"] == "delivered" and d
        ),
        60,
        "alert counted twice and delivered",
    )
    time.sleep(2.0)  # room for a wrong second delivery to show up
    (delivery,) = receiver.at("/story")
    assert delivery["headers"]["Idempotency-Key"] == aid
    assert delivery["headers"]["Content-Type"] == "application/json"
    assert verify(delivery["body"], "story-secret", delivery["headers"]["X-Warta-Signature"])
    body = Alert.model_validate_json(delivery["body"])
    # articles are keyed (partitioned) by article id, so either may be the story's first
    assert body.id == aid and body.story_id == "story-nato-1" and body.article.id in ("st-art-1", "st-art-2")
    assert doc["article"]["id"] == body.article.id
    assert body.matched_terms == ["Stoltenberg"] and "<em>Stoltenberg</em>" in body.article.snippet
    assert doc["attempts"] == 1 and doc["delivered_at"] and doc["tenant"] == "tenant-it"
    assert alerter.alert_doc(alert_id(sub.id, "story-quake-1")) is None

    published = [Alert.from_bytes(v) for v in alerter.read_topic(ALERTS)]
    assert [a.id for a in published if a.subscription_id == sub.id] == [aid]

    # the same two articles again (a re-fetch, or a redelivery): no new alert, no extra count
    alerter.put_article(article("st-art-2", "story-nato-1", "NATO tingkatkan bantuan", NATO_B))
    alerter.put_article(article("st-art-1", "story-nato-1", "Stoltenberg: NATO dukung Ukraina", NATO_A))
    time.sleep(3.0)
    assert alerter.alert_doc(aid)["article_count"] == 2
    assert len(receiver.at("/story")) == 1


def test_subscription_loaded_from_es_at_start_alerts_too(alerter, receiver):
    alerter.put_article(article("es-art-1", "story-brussels", "Pertemuan di Brussels", NATO_A))
    aid = alert_id("sub-es-only", "story-brussels")
    calls = wait_for(
        lambda: [c for c in receiver.at("/es-only") if c["headers"]["Idempotency-Key"] == aid],
        60,
        "delivery for the ES-only subscription",
    )
    assert verify(calls[0]["body"], "es-secret", calls[0]["headers"]["X-Warta-Signature"])


def test_malformed_event_is_dead_lettered_and_later_events_still_alert(alerter, receiver):
    sub = subscription("sub-dlq", "Stoltenberg", f"{receiver.url}/after-dlq", "dlq-secret")
    alerter.put_subscription(sub)
    time.sleep(1.5)
    alerter.put_raw(b'{"id": "not an article", ', key=b"broken-1")
    alerter.put_article(article("dlq-art-1", "story-after-dlq", "Stoltenberg lagi", NATO_B))

    wait_for(lambda: receiver.at("/after-dlq"), 60, "delivery after the malformed event")
    letters = [DeadLetter.from_bytes(v) for v in alerter.read_topic(dlq(ARTICLES_INDEXED))]
    (letter,) = [x for x in letters if x.key == "broken-1"]
    assert letter.topic == alerter.topic(ARTICLES_INDEXED)
    assert letter.service == "alerter" and letter.error and letter.original == '{"id": "not an article", '
    assert letter.offset is not None and letter.partition is not None
    assert alerter.metrics()["warta_alerter_dlq_total"] >= 1


def test_failing_receiver_is_retried_with_the_same_idempotency_key_until_it_accepts(alerter, receiver):
    receiver.script["/flaky"] = [500, 500, 200]
    sub = subscription("sub-flaky", "Ukraina", f"{receiver.url}/flaky", "flaky-secret")
    alerter.put_subscription(sub)
    time.sleep(1.5)
    alerter.put_article(article("fl-art-1", "story-flaky", "Bantuan untuk Ukraina", NATO_B))

    aid = alert_id(sub.id, "story-flaky")
    doc = wait_for(
        lambda: (d := alerter.alert_doc(aid)) and d["status"] == "delivered" and d,
        60,
        "delivery after retries",
    )
    calls = receiver.at("/flaky")
    assert [c["code"] for c in calls] == [500, 500, 200]
    assert {c["headers"]["Idempotency-Key"] for c in calls} == {aid}
    assert all(verify(c["body"], "flaky-secret", c["headers"]["X-Warta-Signature"]) for c in calls)
    assert doc["attempts"] == 3 and doc["last_error"] is None
    m = alerter.metrics()
    assert m["warta_alerter_deliveries_failed_total"] >= 2 and m["warta_alerter_deliveries_ok_total"] >= 1


def test_deleted_subscription_no_longer_alerts(alerter, receiver):
    sub = subscription("sub-deleted", "Stoltenberg", f"{receiver.url}/deleted", "del-secret")
    control = subscription("sub-deleted-control", "Stoltenberg", f"{receiver.url}/control", "ctl-secret")
    alerter.put_subscription(control)
    alerter.put_subscription(sub)
    alerter.put_subscription(sub.model_copy(update={"version": 2, "active": False}), to_es=False)
    time.sleep(1.5)
    alerter.put_article(article("del-art-1", "story-deleted", "Stoltenberg", NATO_A))
    # the control subscription's alert proves the article was processed
    wait_for(
        lambda: alerter.alert_doc(alert_id(control.id, "story-deleted")), 60, "the article being processed"
    )
    assert alerter.alert_doc(alert_id(sub.id, "story-deleted")) is None
    assert receiver.at("/deleted") == []


def test_pending_delivery_survives_a_graceful_restart(alerter, receiver):
    receiver.script["/down"] = [503]
    sub = subscription("sub-restart", "pertahanan", f"{receiver.url}/down", "restart-secret")
    alerter.put_subscription(sub)
    time.sleep(1.5)
    alerter.put_article(article("rs-art-1", "story-restart", "Menteri pertahanan bertemu", NATO_A))
    aid = alert_id(sub.id, "story-restart")
    wait_for(lambda: (d := alerter.alert_doc(aid)) and d["status"] == "failed", 60, "a failed first attempt")

    assert alerter.stop() == 0  # SIGTERM: graceful exit
    attempts_before = len(receiver.at("/down"))
    receiver.script["/down"] = [200]
    alerter.start()
    doc = wait_for(
        lambda: (d := alerter.alert_doc(aid)) and d["status"] == "delivered" and d,
        60,
        "delivery after restart",
    )
    calls = receiver.at("/down")
    assert len(calls) == attempts_before + 1 and calls[-1]["code"] == 200
    assert doc["attempts"] == attempts_before + 1
    assert doc["article_count"] == 1  # the restart did not count the article again
    # SIGTERM committed the consumed offsets: the new process re-reads no article
    assert alerter.metrics()["warta_alerter_articles_total"] == 0
