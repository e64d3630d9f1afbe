"""Alerter end to end on real Kafka + Elasticsearch: article event in → signed webhook out.

Starts a ``warta-alerter`` subprocess in a fresh namespace (topics ``bench<hex>.*``, indices
``bench<hex>-*``), a local webhook receiver, and ``--subs`` subscriptions (one of them matches the
latency probes). Then prints:

* start-up: seconds from process start to ``/readyz`` with all subscriptions loaded;
* latency: ``--probes`` matching articles sent one at a time (each its own story): Kafka produce →
  webhook received, p50 / p95 / max;
* throughput: ``--burst`` articles produced at once (``--match-share`` of them matching some
  subscription): articles/s consumed and alerts/s fired, until every article is counted.

Needs Kafka and ES (``WARTA_KAFKA_BOOTSTRAP``, ``WARTA_ES_URL``; default 127.0.0.1), e.g. after
``make up``. Cleans its namespace up afterwards.

    uv run python bench/alerts_end_to_end.py [--subs 1000] [--probes 30] [--burst 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from elasticsearch import helpers
from kafka import KafkaAdminClient

from warta.analysis.analyzer import analyze
from warta.elastic import IndexNames, ensure_indices, make_es
from warta.events import ArticleIndexed, Delivery, Language, SourceRef, Subscription, WebhookDelivery
from warta.ids import alert_id
from warta.kafka import ensure_topics, make_producer
from warta.topics import ARTICLES_INDEXED, SUBSCRIPTIONS, topic_name

PROBE_TEXT = "Sekretaris Jenderal NATO Jens Stoltenberg bertemu para menteri pertahanan di Brussels."
FILLER = (
    "Harga cabai dan bawang merah di sejumlah pasar tradisional terpantau stabil menjelang akhir pekan, "
    "menurut pedagang setempat yang ditemui pada Jumat pagi."
)


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}  # Idempotency-Key → first arrival (monotonic)
        self.count = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    outer.count += 1
                    outer.arrivals.setdefault(self.headers["Idempotency-Key"], time.monotonic())
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article(i: int, story: str, text: str) -> ArticleIndexed:
    return ArticleIndexed(
        id=f"bench-{i}",
        source=SourceRef(id="bench", name="bench", kind="bench"),
        title=f"Berita {i}",
        text=text,
        content_hash=str(i),
        language=Language(code="id", confidence=1.0),
        terms=analyze(f"Berita {i}\n\n{text}", "id"),
        enricher_version="bench",
        story_id=story,
        indexed_at=datetime.now(UTC),
    )


def metric(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


def ready(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            return json.loads(resp.read())
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subs", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--match-share", type=float, default=0.1)
    args = parser.parse_args()

    bootstrap = os.environ.get("WARTA_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    es_url = os.environ.get("WARTA_ES_URL", "http://127.0.0.1:9200")
    ns = f"bench{secrets.token_hex(3)}"
    topic_prefix, es_prefix = f"{ns}.", ns
    port = free_port()
    receiver = Receiver()
    es = make_es(es_url)
    ensure_topics(bootstrap, topic_prefix, partitions=3)
    ensure_indices(es, es_prefix)
    producer = make_producer(bootstrap, client_id="bench", linger_ms=5)

    # Subscriptions: one probe subscription + (subs - 1) on other words ("kata0" … never in articles,
    # except the share of burst articles that carry one on purpose).
    subs = [("sub-probe", "Stoltenberg")] + [(f"sub-{i}", f"kata{i}") for i in range(args.subs - 1)]
    docs = []
    for sub_id, query in subs:
        sub = Subscription(
            id=sub_id,
            tenant="bench",
            name=sub_id,
            query=query,
            delivery=Delivery(webhook=WebhookDelivery(url=receiver.url, secret="k")),
        )
        docs.append(
            {
                "_index": IndexNames(es_prefix).subscriptions,
                "_id": sub_id,
                "_source": sub.model_dump(mode="json"),
            }
        )
        producer.send(topic_name(SUBSCRIPTIONS, topic_prefix), key=sub_id.encode(), value=sub.to_bytes())
    helpers.bulk(es, docs, refresh=True)
    producer.flush()

    env = {
        **os.environ,
        "WARTA_KAFKA_BOOTSTRAP": bootstrap,
        "WARTA_ES_URL": es_url,
        "WARTA_TOPIC_PREFIX": topic_prefix,
        "WARTA_ES_PREFIX": es_prefix,
        "WARTA_ALERTER_WEB_HOST": "127.0.0.1",
        "WARTA_ALERTER_WEB_PORT": str(port),
        "WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS": "true",
        "WARTA_LOG_LEVEL": "WARNING",
        "WARTA_ALERTER_DATA_DIR": (data_dir := tempfile.mkdtemp(prefix="alerter-bench-")),
    }
    log = tempfile.NamedTemporaryFile(prefix="alerter-bench-", suffix=".log", delete=False)  # noqa: SIM115 - kept open for the child
    t_start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "warta_alerter.main"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        while not ((r := ready(port)) and r.get("subscriptions") == args.subs and r["status"] == "ready"):
            if proc.poll() is not None or time.monotonic() - t_start > 180:
                raise SystemExit(f"alerter did not become ready; log: {log.name}")
            time.sleep(0.2)
        print(f"subscriptions: {args.subs}; start-up to ready: {time.monotonic() - t_start:.1f}s")

        # --- latency
        lat = []
        for i in range(args.probes):
            sent = time.monotonic()
            producer.send(
                topic_name(ARTICLES_INDEXED, topic_prefix),
                key=f"probe-{i}".encode(),
                value=article(i, f"probe-story-{i}", PROBE_TEXT).to_bytes(),
            ).get(timeout=30)
            key = alert_id("sub-probe", f"probe-story-{i}")
            while key not in receiver.arrivals:
                if time.monotonic() - sent > 30:
                    raise SystemExit(f"probe {i} not delivered within 30s; log: {log.name}")
                time.sleep(0.002)
            lat.append((receiver.arrivals[key] - sent) * 1000)
        lat.sort()
        p95 = lat[max(0, int(len(lat) * 0.95) - 1)]
        print(
            f"latency article→webhook (ms): p50 {statistics.median(lat):.0f}  p95 {p95:.0f}  max {lat[-1]:.0f}"
            f"  (n={len(lat)})"
        )

        # --- throughput
        before_articles = metric(port, "warta_alerter_articles_total")
        before_fired = metric(port, "warta_alerter_alerts_fired_total")
        t0 = time.monotonic()
        n_match = 0
        for i in range(args.burst):
            if i % max(1, round(1 / args.match_share)) == 0:
                text = f"{FILLER} kata{i % (args.subs - 1)}"
                n_match += 1
            else:
                text = FILLER
            producer.send(
                topic_name(ARTICLES_INDEXED, topic_prefix),
                key=f"burst-{i}".encode(),
                value=article(10_000 + i, f"burst-story-{i}", text).to_bytes(),
            )
        producer.flush()
        t_produced = time.monotonic() - t0
        while metric(port, "warta_alerter_articles_total") - before_articles < args.burst:
            if time.monotonic() - t0 > 600:
                raise SystemExit("burst not consumed within 10 min")
            time.sleep(0.2)
        elapsed = time.monotonic() - t0
        fired = metric(port, "warta_alerter_alerts_fired_total") - before_fired
        print(
            f"burst: {args.burst} articles ({n_match} matching) produced in {t_produced:.1f}s, consumed in "
            f"{elapsed:.1f}s → {args.burst / elapsed:,.0f} articles/s, {fired / elapsed:,.0f} alerts/s "
            f"(each alert = ES create + alerts.v1 publish; webhooks run concurrently)"
        )
        deadline = time.monotonic() + 120
        while receiver.count < args.probes + n_match and time.monotonic() < deadline:
            time.sleep(0.2)
        print(f"webhooks received: {receiver.count} (expected {args.probes + n_match})")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            t_stop = time.monotonic()
            code = proc.wait(timeout=60)
            print(f"SIGTERM → exit {code} in {time.monotonic() - t_stop:.1f}s")
        except subprocess.TimeoutExpired:
            proc.kill()
            print("alerter did not stop within 60s of SIGTERM (killed)")
        producer.close(timeout=5)
        es.options(ignore_status=404).indices.delete(index=f"{es_prefix}-*", expand_wildcards="all")
        for name in ("subscriptions", "alerts", "articles"):
            es.options(ignore_status=404).indices.delete_index_template(name=f"{es_prefix}-{name}")
        admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","))
        try:
            admin.delete_topics([t for t in admin.list_topics() if t.startswith(topic_prefix)])
        finally:
            admin.close()
        es.close()
        Path(log.name).unlink(missing_ok=True)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
