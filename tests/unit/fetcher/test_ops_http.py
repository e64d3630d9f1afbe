"""The fetcher's ops HTTP server, started the way `warta-fetcher` starts it, queried over real HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.fetcher.conftest import REPO_ROOT
from warta_fetcher.main import serve_fetcher_ops
from warta_fetcher.metrics import FetcherMetrics, serve_metrics
from warta_fetcher.service import Scheduler, build_harvester, close_harvester
from warta_fetcher.settings import Settings
from warta_fetcher.sink import MemorySink, SendFailed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], json.loads(err.read())


@pytest.fixture
def running_fetcher(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Scheduler]]:
    """A scheduler polling the seed folder (plus a disabled feed), its ops server on a free port."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - {{id: seeds, name: Seed articles, kind: folder, path: '{REPO_ROOT / 'samples' / 'seeds'}', language: id}}\n"
        "  - {id: paused, name: Paused feed, kind: rss, url: 'https://example.org/rss.xml', enabled: false,"
        " poll_interval: 600}\n"
    )
    port = _free_port()
    settings = settings.model_copy(update={"metrics_port": port, "metrics_host": "127.0.0.1"})
    metrics = FetcherMetrics()
    harvester = build_harvester(settings, sink=MemorySink(), metrics=metrics)
    scheduler = Scheduler(settings, harvester, sources)
    scheduler.reload_sources()
    server = serve_fetcher_ops(settings, metrics, scheduler)
    assert server is not None
    loop = threading.Thread(target=scheduler.run, kwargs={"tick_s": 0.05})
    loop.start()
    try:
        yield f"http://127.0.0.1:{port}", scheduler
    finally:
        scheduler.stop()
        loop.join(timeout=30)
        server.shutdown()
        server.server_close()
        close_harvester(harvester)


def test_get_sources_lists_every_source_with_live_counters(running_fetcher: tuple[str, Scheduler]) -> None:
    base, _ = running_fetcher
    deadline = time.monotonic() + 20
    while True:
        status, ctype, body = _get(f"{base}/sources")
        seeds = body["sources"][0]
        if seeds["new_articles"] == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status == 200 and ctype == "application/json"
    assert [s["id"] for s in body["sources"]] == ["seeds", "paused"]
    assert seeds["fetches"] == 1 and seeds["new_articles"] == 2 and seeds["errors"] == 0
    assert seeds["kind"] == "folder" and seeds["language"] == "id" and seeds["last_status"] == "ok"
    assert seeds["last_fetch_at"].endswith("Z") and seeds["next_poll_at"] is not None
    paused = body["sources"][1]
    assert paused["enabled"] is False and paused["fetches"] == 0 and paused["poll_interval_s"] == 600


def test_get_one_source_by_id_and_404_for_an_unknown_one(running_fetcher: tuple[str, Scheduler]) -> None:
    base, _ = running_fetcher
    status, _, body = _get(f"{base}/sources/paused")
    assert status == 200 and body["url"] == "https://example.org/rss.xml" and body["kind"] == "rss"
    status, ctype, body = _get(f"{base}/sources/Seed%20articles")
    assert status == 200 and body["id"] == "seeds"
    status, ctype, body = _get(f"{base}/sources/no-such-feed")
    assert status == 404 and ctype == "application/json"
    assert "no-such-feed" in body["detail"]


def test_sources_follow_edits_of_the_sources_file(running_fetcher: tuple[str, Scheduler]) -> None:
    base, scheduler = running_fetcher
    time.sleep(0.05)  # a later mtime than the first load, even on coarse clocks
    scheduler.sources_path.write_text(
        "sources:\n  - {id: other, name: Other, kind: rss, url: 'https://example.org/other.xml', enabled: false}\n"
    )
    deadline = time.monotonic() + 10
    while _get(f"{base}/sources")[2]["sources"][0]["id"] != "other" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [s["id"] for s in _get(f"{base}/sources")[2]["sources"]] == ["other"]


def test_metrics_and_healthz_still_served(running_fetcher: tuple[str, Scheduler]) -> None:
    base, _ = running_fetcher
    assert _get(f"{base}/healthz")[:2] == (200, "application/json")
    with urllib.request.urlopen(f"{base}/metrics", timeout=5) as resp:
        assert b"warta_fetcher_fetches" in resp.read()


def test_a_failing_json_route_answers_500_and_the_server_lives_on() -> None:
    def broken(path: str) -> tuple[int, Any] | None:
        raise RuntimeError("state store gone")

    port = _free_port()
    server = serve_metrics(FetcherMetrics(), "127.0.0.1", port, json_routes=broken)
    try:
        status, _, body = _get(f"http://127.0.0.1:{port}/sources")
        assert status == 500 and "RuntimeError" in body["detail"]
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_readyz_answers_ready_once_the_loop_runs_and_503_with_the_reason_when_stopping(
    running_fetcher: tuple[str, Scheduler],
) -> None:
    base, scheduler = running_fetcher
    deadline = time.monotonic() + 10
    while _get(f"{base}/readyz")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    status, ctype, body = _get(f"{base}/readyz")
    assert (status, ctype, body) == (200, "application/json", {"status": "ready", "reason": "ok"})
    scheduler.stop()
    status, _, body = _get(f"{base}/readyz")
    assert status == 503 and body == {"status": "not ready", "reason": "stopping"}


def test_scheduler_is_not_ready_before_its_loop_or_without_a_sources_file(
    settings: Settings, tmp_path: Path
) -> None:
    harvester = build_harvester(settings, sink=MemorySink(), metrics=FetcherMetrics())
    try:
        scheduler = Scheduler(settings, harvester, tmp_path / "missing.yaml")
        assert scheduler.readiness() == (False, "scheduler loop not started")
        scheduler.last_tick = time.monotonic()
        ready, reason = scheduler.readiness()
        assert not ready and "no valid sources file" in reason and "missing.yaml" in reason
        scheduler.last_tick = time.monotonic() - 120
        ready, reason = scheduler.readiness(max_tick_age_s=30)
        assert not ready and reason.startswith("scheduler loop stalled")
        scheduler.fatal = SendFailed("broker did not acknowledge")
        assert scheduler.readiness() == (False, "Kafka send failed: broker did not acknowledge")
    finally:
        close_harvester(harvester)
