"""Runs the whole pipeline (enricher, indexer, alerter, api) as real processes against the
session's Kafka and Elasticsearch, in a namespace of its own."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("enricher", "indexer", "alerter", "api")
KEYS = {"tenant-a": "key-a", "tenant-b": "key-b"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Pipeline:
    env: dict[str, str]
    api_url: str
    workdir: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def client(self, tenant: str = "tenant-a") -> httpx.Client:
        return httpx.Client(
            base_url=self.api_url, headers={"Authorization": f"Bearer {KEYS[tenant]}"}, timeout=30
        )

    def logs(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text("utf-8", "replace")[-6000:] if path.exists() else ""

    def warta(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run the ``warta`` CLI with the pipeline's environment."""
        return subprocess.run(
            [sys.executable, "-m", "warta.cli", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="session")
def pipeline(stack, test_namespace, tmp_path_factory) -> Iterator[Pipeline]:
    workdir = tmp_path_factory.mktemp("pipeline")
    api_port = free_port()
    env = {
        **os.environ,
        "WARTA_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "WARTA_ES_URL": stack.es_url,
        "WARTA_ES_PREFIX": test_namespace,
        "WARTA_TOPIC_PREFIX": f"{test_namespace}.",
        "WARTA_TOPIC_PARTITIONS": "2",
        "WARTA_LOG_LEVEL": "INFO",
        "WARTA_API_HOST": "127.0.0.1",
        "WARTA_API_PORT": str(api_port),
        "WARTA_API_KEYS": ",".join(f"{k}:{t}" for t, k in KEYS.items()),
        "WARTA_API_ALLOW_PRIVATE_WEBHOOKS": "true",
        "WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS": "true",
        "WARTA_ALERTER_WEB_PORT": str(free_port()),
        "WARTA_ALERTER_APP_ID": f"{test_namespace}-alerter",
        "WARTA_ENRICHER_WEB_PORT": str(free_port()),
        "WARTA_ENRICHER_APP_ID": f"{test_namespace}-enricher",
        "WARTA_INDEXER_METRICS_PORT": str(free_port()),
        "WARTA_INDEXER_GROUP_ID": f"{test_namespace}-indexer",
        "WARTA_INDEXER_BATCH_MAX_WAIT": "0.5",
        "WARTA_FETCHER_STATE_DIR": str(workdir / "fetcher-state"),
        "PYTHONUNBUFFERED": "1",
    }
    # topics and indices first, so no service races another to create them
    init = subprocess.run(
        [sys.executable, "-m", "warta.cli", "init"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    pipe = Pipeline(env=env, api_url=f"http://127.0.0.1:{api_port}", workdir=workdir)
    for name in SERVICES:
        log = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        pipe.procs[name] = subprocess.Popen(
            [sys.executable, "-m", f"warta_{name}.main"],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(pipe)
        yield pipe
    finally:
        for proc in pipe.procs.values():
            proc.terminate()
        for name, proc in pipe.procs.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            if os.environ.get("WARTA_TEST_SHOW_LOGS"):
                print(f"---- {name} ----\n{pipe.logs(name)}")


def _wait_ready(pipe: Pipeline, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in pipe.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{pipe.logs(name)}")
        try:
            if httpx.get(f"{pipe.api_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("API not ready in time:\n" + pipe.logs("api"))


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that records every POST."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.deliveries.append(Delivery({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def valid_signature(delivery: Delivery, secret: str) -> bool:
    expected = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    header = delivery.headers.get("x-warta-signature", "")
    return hmac.compare_digest(header.removeprefix("sha256="), expected)


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def write_sources(path: Path, seeds_dir: Path) -> Path:
    path.write_text(
        "sources:\n"
        "  - id: seeds\n"
        "    name: Seed articles\n"
        "    kind: folder\n"
        f"    path: {seeds_dir}\n"
        "    language: id\n",
        "utf-8",
    )
    return path


def copy_seeds(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in (REPO / "tests" / "fixtures" / "seeds").glob("*.txt"):
        shutil.copy(f, dest / f.name)
    return dest


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)[:3000]
