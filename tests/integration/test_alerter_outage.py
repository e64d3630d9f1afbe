"""The alerter while Elasticsearch is unreachable: alive, not ready, nothing lost.

The alerter talks to ES through a TCP proxy this test can switch off (it then drops every
connection), while Kafka and the test's own ES client stay direct.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.integration.test_alerter_webhooks import (
    NATO_A,
    AlerterHarness,
    Receiver,
    article,
    subscription,
    wait_for,
)
from warta.ids import alert_id
from warta_alerter.webhook import verify

pytestmark = pytest.mark.integration


class SwitchableProxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``down()`` cuts every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.up = True
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def down(self) -> None:
        self.up = False
        with self._lock:
            conns, self._conns = self._conns, set()
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.down()
        self.listener.close()


@pytest.fixture(scope="module")
def outage_setup(
    stack, test_namespace, tmp_path_factory
) -> Iterator[tuple[AlerterHarness, SwitchableProxy, Receiver]]:
    host, _, port = stack.es_url.removeprefix("http://").rstrip("/").rpartition(":")
    proxy = SwitchableProxy(host or "127.0.0.1", int(port))
    receiver = Receiver()
    harness = AlerterHarness(
        stack,
        test_namespace,
        tmp_path_factory.mktemp("alerter-outage"),
        tag="out",
        es_url_for_alerter=f"http://127.0.0.1:{proxy.port}",
    )
    harness.env["WARTA_ALERTER_ES_RETRY_MAX_SECONDS"] = "1"
    harness.start()
    try:
        yield harness, proxy, receiver
    except BaseException:
        print(harness.log_tail())
        raise
    finally:
        proxy.restore()
        harness.close()
        proxy.close()
        receiver.close()


def test_es_outage_keeps_the_alerter_alive_and_not_ready_and_loses_no_alert(outage_setup):
    alerter, proxy, receiver = outage_setup
    sub = subscription("sub-outage", "Stoltenberg", f"{receiver.url}/outage", "outage-secret")
    alerter.put_subscription(sub)
    time.sleep(1.5)

    proxy.down()
    alerter.put_article(article("out-art-1", "story-outage", "Stoltenberg di Brussels", NATO_A))
    wait_for(lambda: not alerter.ready(), 20, "/readyz to report not ready")
    time.sleep(3.0)  # the event is being retried, not dropped
    assert alerter.alive()
    assert alerter.proc is not None and alerter.proc.poll() is None
    assert receiver.at("/outage") == []
    assert alerter.metrics()["warta_alerter_transient_errors_total"] >= 1

    proxy.restore()
    aid = alert_id(sub.id, "story-outage")
    calls = wait_for(lambda: receiver.at("/outage"), 60, "the alert after ES came back")
    assert calls[0]["headers"]["Idempotency-Key"] == aid
    assert verify(calls[0]["body"], "outage-secret", calls[0]["headers"]["X-Warta-Signature"])
    wait_for(alerter.ready, 30, "/readyz to recover")
    doc = wait_for(
        lambda: (d := alerter.alert_doc(aid)) and d["status"] == "delivered" and d, 30, "ES record"
    )
    assert doc["article_count"] == 1 and doc["attempts"] == 1
