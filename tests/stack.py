"""pytest plugin: the real Kafka and Elasticsearch that integration and e2e tests run against.

Fixtures
- ``stack`` (session): a :class:`RunningStack` with ``kafka_bootstrap`` and ``es_url``. Reuses
  servers that already run (the ones `make up` started, or ``WARTA_TEST_KAFKA`` /
  ``WARTA_TEST_ES`` pointing elsewhere); otherwise starts both once per session with
  ``deploy/local/stack.py`` (downloading them into the cache the first time). Servers this session
  started are stopped at its end when ``CI`` is set or ``WARTA_TEST_STOP_STACK=1``; otherwise they
  stay up so the next run starts instantly (and so concurrent sessions do not pull them away from
  each other).
- ``test_namespace`` (session): a unique ``t<hex>`` string. Use ``f"{ns}."`` as
  ``WARTA_TOPIC_PREFIX`` and ``ns`` as ``WARTA_ES_PREFIX`` so runs never collide; the stack fixture
  deletes those topics and indices at the end of the session (``WARTA_TEST_KEEP_DATA=1`` keeps them).

A test that asks for ``stack`` must be marked ``integration`` or ``e2e``; collection fails otherwise,
so that ``-m "not integration and not e2e"`` really runs without servers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
STACK_SCRIPT = REPO_ROOT / "deploy" / "local" / "stack.py"
INFRA_MARKERS = ("integration", "e2e")

_namespaces: list[str] = []


def load_stack_module() -> ModuleType:
    """``deploy/local/stack.py`` as a module (deploy/ is not a package)."""
    name = "warta_local_stack"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, STACK_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class RunningStack:
    """Where the test servers are. ``started_here``: this session started at least one of them."""

    kafka_bootstrap: str
    es_url: str
    started_here: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def env(self, namespace: str | None = None) -> dict[str, str]:
        """Environment variables for a service or CLI run against this stack (and a namespace)."""
        env = {"WARTA_KAFKA_BOOTSTRAP": self.kafka_bootstrap, "WARTA_ES_URL": self.es_url}
        if namespace:
            env["WARTA_TOPIC_PREFIX"] = f"{namespace}."
            env["WARTA_ES_PREFIX"] = namespace
        return env


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if "stack" in getattr(item, "fixturenames", ())
        and not any(item.get_closest_marker(m) for m in INFRA_MARKERS)
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests use the `stack` fixture (real Kafka/ES) but are not marked "
            f"{' or '.join(INFRA_MARKERS)}:\n  " + "\n  ".join(unmarked)
        )


def _check_external(stack_mod: ModuleType, kafka: str, es_url: str) -> None:
    host, _, port = kafka.split(",")[0].rpartition(":")
    if not stack_mod.kafka_probe(host or "127.0.0.1", int(port)):
        pytest.fail(f"WARTA_TEST_KAFKA={kafka}: no Kafka broker answers there", pytrace=False)
    if not stack_mod.es_health(es_url.rstrip("/")):
        pytest.fail(f"WARTA_TEST_ES={es_url}: no healthy Elasticsearch answers there", pytrace=False)


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> Iterator[RunningStack]:
    """Real Kafka + Elasticsearch for the whole session (see the module docstring)."""
    stack_mod = load_stack_module()
    external_kafka = os.environ.get("WARTA_TEST_KAFKA")
    external_es = os.environ.get("WARTA_TEST_ES")
    layout = stack_mod.Layout(stack_mod.default_home())
    if external_kafka and external_es:
        _check_external(stack_mod, external_kafka, external_es)
        running = RunningStack(external_kafka, external_es.rstrip("/"))
    else:
        # Show the download/start progress instead of hiding it in captured output.
        capture = request.config.pluginmanager.getplugin("capturemanager")
        ctx = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with ctx:
            print()  # the progress lines start on a line of their own, not after a test file name
            try:
                infra = stack_mod.ensure_infra(layout)
            except stack_mod.StackError as exc:
                pytest.fail(f"could not start the test stack: {exc}", pytrace=False)
        running = RunningStack(
            external_kafka or infra.kafka_bootstrap, (external_es or infra.es_url).rstrip("/"), infra.started
        )
    saved = {k: os.environ.get(k) for k in ("WARTA_KAFKA_BOOTSTRAP", "WARTA_ES_URL")}
    os.environ.update(running.env())  # subprocesses and Settings() built in tests see the stack
    try:
        yield running
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if not _truthy("WARTA_TEST_KEEP_DATA"):
            for namespace in _namespaces:
                _drop_namespace(running, namespace)
        if running.started_here and (_truthy("CI") or _truthy("WARTA_TEST_STOP_STACK")):
            stack_mod.stop_infra(layout)


@pytest.fixture(scope="session")
def test_namespace() -> str:
    """A fresh ``t<hex>`` namespace for topic (``f"{ns}."``) and index (``ns``) prefixes."""
    namespace = f"t{secrets.token_hex(4)}"
    _namespaces.append(namespace)
    return namespace


def _es_request(method: str, url: str) -> Any:
    req = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def _drop_namespace(running: RunningStack, namespace: str) -> None:
    """Best effort: delete the namespace's indices, templates and topics (never fails the session)."""
    with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
        _es_request("DELETE", f"{running.es_url}/{namespace}*?expand_wildcards=all&ignore_unavailable=true")
    with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
        templates = _es_request("GET", f"{running.es_url}/_index_template/{namespace}*")
        for template in (templates or {}).get("index_templates", []):
            _es_request("DELETE", f"{running.es_url}/_index_template/{template['name']}")
    try:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(
            bootstrap_servers=running.kafka_bootstrap.split(","), request_timeout_ms=10_000
        )
        try:
            doomed = [t for t in admin.list_topics() if t.startswith(f"{namespace}.")]
            if doomed:
                admin.delete_topics(doomed, timeout_ms=10_000)
        finally:
            admin.close()
    except Exception:  # noqa: BLE001 - cleanup must never turn a green session red
        pass
