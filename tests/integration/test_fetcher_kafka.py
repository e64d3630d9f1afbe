"""The fetcher against a real Kafka broker: local feed → articles.fetched.v1, once, across restarts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from tests.stack import RunningStack
from tests.unit.fetcher.httpfixture import LocalServer, Reply
from warta.events import ArticleFetched
from warta.topics import ARTICLES_FETCHED

pytestmark = pytest.mark.integration
REPO_ROOT = Path(__file__).resolve().parents[2]
BOILERPLATE = ("Baca Juga", "Baca juga", "Sumber :", "Bagikan", "Scroll to Top")


def _feed(base: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Local story {i}</title><link>{base}/story/{i}?utm_source=rss&amp;fbclid=x</link>"
        f"<pubDate>Sat, 21 Nov 2026 1{i}:00:00 GMT</pubDate>"
        f"<description>Body of local story number {i}, long enough to be an article.</description></item>"
        for i in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>L</title><link>{base}/</link><description>d</description>{items}</channel></rss>'.encode()


@pytest.fixture
def feed_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nAllow: /\n")
    server.routes["/rss.xml"] = Reply(200, _feed(server.base, 3), {"Content-Type": "application/rss+xml"})
    yield server
    server.stop()


def _env(stack: RunningStack, namespace: str, state_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(stack.env(namespace))
    env.update(
        {
            "WARTA_FETCHER_STATE_DIR": str(state_dir),
            "WARTA_FETCHER_ALLOWED_NETWORKS": '["127.0.0.0/8"]',
            "WARTA_FETCHER_PER_HOST_DELAY_S": "0",
            "WARTA_FETCHER_FETCH_ARTICLE_PAGES": "false",
            "WARTA_TOPIC_PARTITIONS": "1",
        }
    )
    env.update(extra)
    return env


def _fetch_once(sources: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warta.cli", "fetch", "--once", str(sources)],
        env=env, capture_output=True, text=True, timeout=180, cwd=REPO_ROOT,
    )  # fmt: skip


def _consume(
    stack: RunningStack, topic: str, group: str, expect: int, timeout_s: float = 30.0
) -> list[ArticleFetched]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    events: list[ArticleFetched] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for message in consumer:
                event = ArticleFetched.from_bytes(message.value)
                assert message.key == event.id.encode()
                events.append(event)
            if len(events) >= expect:
                # read a little longer: duplicates would show up here
                for message in consumer:
                    events.append(ArticleFetched.from_bytes(message.value))
                break
    finally:
        consumer.close()
    return events


def test_local_feed_reaches_kafka_once_across_restarts(
    stack: RunningStack, test_namespace: str, feed_server: LocalServer, tmp_path: Path
) -> None:
    namespace = f"{test_namespace}f1"
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - {{id: local, name: Local feed, kind: rss, url: '{feed_server.url('/rss.xml')}', language: en}}\n"
    )
    env = _env(stack, namespace, tmp_path / "state")
    first = _fetch_once(sources, env)
    assert first.returncode == 0, first.stderr
    assert "3 new articles sent" in first.stdout
    # restart (a new process) with one more item in the feed
    feed_server.routes["/rss.xml"] = Reply(
        200, _feed(feed_server.base, 4), {"Content-Type": "application/rss+xml"}
    )
    second = _fetch_once(sources, env)
    assert second.returncode == 0, second.stderr
    assert "1 new articles sent" in second.stdout
    events = _consume(stack, f"{namespace}.{ARTICLES_FETCHED}", f"{namespace}-check", expect=4)
    ids = [e.id for e in events]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert all(
        e.canonical_url and "utm_" not in e.canonical_url and "fbclid" not in e.canonical_url for e in events
    )
    assert {e.source.id for e in events} == {"local"}


def test_seed_folder_gives_two_events_with_stable_ids(
    stack: RunningStack, test_namespace: str, tmp_path: Path
) -> None:
    namespace = f"{test_namespace}f2"
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - {{id: seeds, name: Seeds, kind: folder, path: '{REPO_ROOT / 'samples' / 'seeds'}', language: id}}\n"
    )
    run = _fetch_once(sources, _env(stack, namespace, tmp_path / "state-a"))
    assert run.returncode == 0, run.stderr
    # a second fetcher with its own (empty) state re-sends, but with the very same ids
    rerun = _fetch_once(sources, _env(stack, namespace, tmp_path / "state-b"))
    assert rerun.returncode == 0, rerun.stderr
    events = _consume(stack, f"{namespace}.{ARTICLES_FETCHED}", f"{namespace}-check", expect=4)
    assert len(events) == 4 and len({e.id for e in events}) == 2
    for event in events:
        assert event.source.kind == "folder" and event.language_hint == "id"
        assert not any(b in event.text for b in BOILERPLATE)
        assert "Stoltenberg" in event.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_service_serves_metrics_and_stops_cleanly_on_sigterm(
    stack: RunningStack, test_namespace: str, feed_server: LocalServer, tmp_path: Path
) -> None:
    namespace = f"{test_namespace}f3"
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - {{id: local, name: Local feed, kind: rss, url: '{feed_server.url('/rss.xml')}'}}\n"
    )
    port = _free_port()
    env = _env(
        stack, namespace, tmp_path / "state",
        WARTA_FETCHER_SOURCES=str(sources), WARTA_FETCHER_METRICS_PORT=str(port), WARTA_FETCHER_METRICS_HOST="127.0.0.1",
    )  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "warta_fetcher.main"], env=env, cwd=REPO_ROOT)
    try:
        events = _consume(
            stack, f"{namespace}.{ARTICLES_FETCHED}", f"{namespace}-check", expect=3, timeout_s=60
        )
        assert len({e.id for e in events}) == 3
        metrics = ""
        for _ in range(30):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
                    metrics = resp.read().decode()
                if 'warta_fetcher_new_articles_total{source="local"} 3.0' in metrics:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert 'warta_fetcher_new_articles_total{source="local"} 3.0' in metrics
        assert 'warta_fetcher_fetches_total{source="local"}' in metrics
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            assert json.loads(resp.read())["status"] == "ok"
        # ready: the loop runs, the sources file is loaded, no Kafka send has failed
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as resp:
            assert json.loads(resp.read()) == {"status": "ready", "reason": "ok"}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
