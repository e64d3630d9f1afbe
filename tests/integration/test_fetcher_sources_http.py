"""The running `warta-fetcher` (real Kafka) lists its sources with live counters over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.stack import RunningStack

pytestmark = pytest.mark.integration
REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_fetcher_service_serves_sources_with_counters_and_404(
    stack: RunningStack, test_namespace: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - {{id: seeds, name: Seeds, kind: folder, path: '{REPO_ROOT / 'samples' / 'seeds'}', language: id}}\n"
        "  - {id: paused, name: Paused, kind: rss, url: 'https://example.org/rss.xml', enabled: false}\n"
    )
    port = _free_port()
    env = dict(os.environ)
    env.update(stack.env(f"{test_namespace}s1"))
    env.update(
        {
            "WARTA_FETCHER_STATE_DIR": str(tmp_path / "state"),
            "WARTA_FETCHER_SOURCES": str(sources),
            "WARTA_FETCHER_METRICS_PORT": str(port),
            "WARTA_FETCHER_METRICS_HOST": "127.0.0.1",
            "WARTA_TOPIC_PARTITIONS": "1",
        }
    )
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "warta_fetcher.main"], env=env, cwd=REPO_ROOT)
    try:
        listing: dict[str, Any] = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, listing = _get(f"{base}/sources")
                if status == 200 and listing["sources"][0]["new_articles"] == 2:
                    break
            except OSError:
                pass  # still waiting for Kafka / start-up
            assert proc.poll() is None, "fetcher exited early"
            time.sleep(1)
        assert [s["id"] for s in listing["sources"]] == ["seeds", "paused"]
        seeds = listing["sources"][0]
        assert seeds["new_articles"] == 2 and seeds["fetches"] == 1 and seeds["last_status"] == "ok"
        assert seeds["kind"] == "folder" and seeds["language"] == "id" and seeds["last_fetch_at"]
        status, one = _get(f"{base}/sources/seeds")
        assert status == 200 and one["new_articles"] == 2
        status, missing = _get(f"{base}/sources/not-configured")
        assert status == 404 and "not-configured" in missing["detail"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
