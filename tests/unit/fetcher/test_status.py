"""Per-source status: one builder behind `warta sources status` and the ops server's /sources routes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.fetcher.conftest import REPO_ROOT
from warta.cli import main as warta
from warta_fetcher.sources import Source, load_sources
from warta_fetcher.state import StateStore, state_path
from warta_fetcher.status import JsonReply, find_source, source_statuses, sources_routes

SAMPLES = REPO_ROOT / "samples" / "sources.yaml"


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    store = StateStore(state_path(tmp_path / "state", "abc"))
    # an ok poll, then a 304 poll that schedules the next one for 2026-11-22T06:00:00Z
    store.record_poll("seeds", status="ok", new_articles=2, lag_s=90.0, interval_s=600.0)
    store.record_poll("seeds", status="not_modified", not_modified=True, next_poll_at=1_795_327_200.0)
    store.record_poll("warta-sample-feed", status="error", error="HTTP 503")
    return store


def test_statuses_join_config_and_counters_in_file_order(store: StateStore) -> None:
    sources = load_sources(SAMPLES)
    seeds, feed = source_statuses(sources, store, now=1_795_326_600.0)
    assert (seeds.id, seeds.kind, seeds.language, seeds.poll_interval_s) == ("seeds", "folder", "id", None)
    assert seeds.path and seeds.path.endswith("samples/seeds") and seeds.url is None
    assert (seeds.fetches, seeds.not_modified, seeds.errors, seeds.new_articles) == (2, 1, 0, 2)
    assert seeds.last_lag_s == 90.0 and seeds.interval_s == 600.0
    assert seeds.next_poll_in_s == 600.0 and seeds.last_status == "not_modified"
    assert (feed.kind, feed.poll_interval_s, feed.errors, feed.last_error) == ("rss", 900.0, 1, "HTTP 503")


def test_never_polled_source_has_zero_counters_and_is_due(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "empty.sqlite3")
    source = Source.model_validate(
        {"name": "Brand new", "kind": "atom", "url": "https://example.org/atom.xml"}
    )
    (status,) = source_statuses([source], store)
    payload = status.to_json()
    assert payload["id"] == "brand-new" and payload["kind"] == "atom"
    assert payload["fetches"] == payload["errors"] == payload["new_articles"] == 0
    assert payload["last_fetch_at"] is None and payload["next_poll_at"] is None
    assert payload["next_poll_in_s"] == 0.0


def test_json_form_has_utc_timestamps_and_every_counter(store: StateStore) -> None:
    (seeds,) = source_statuses(load_sources(SAMPLES)[:1], store, now=1_795_326_600.0)
    payload = seeds.to_json()
    assert payload["next_poll_at"] == "2026-11-22T06:00:00Z"
    assert payload["last_fetch_at"].endswith("Z")
    assert {"name", "url", "path", "language", "poll_interval_s", "not_modified", "last_error"} <= set(
        payload
    )
    json.dumps(payload)  # serialisable as is


def test_find_source_by_id_then_by_exact_name() -> None:
    sources = load_sources(SAMPLES)
    assert find_source(sources, "seeds") is sources[0]
    assert find_source(sources, "Warta sample news feed") is sources[1]
    assert find_source(sources, "warta sample news feed") is None


def _reply(resolve: Callable[[str], JsonReply | None], path: str) -> JsonReply:
    reply = resolve(path)
    assert reply is not None, path
    return reply


def test_routes_list_one_and_404_naming_the_unknown_source(store: StateStore) -> None:
    sources = load_sources(SAMPLES)
    resolve = sources_routes(lambda: sources, store)
    status, body = _reply(resolve, "/sources?pretty=1")
    assert status == 200 and [s["id"] for s in body["sources"]] == ["seeds", "warta-sample-feed"]
    status, body = _reply(resolve, "/sources/Warta%20sample%20news%20feed")
    assert status == 200 and body["id"] == "warta-sample-feed" and body["errors"] == 1
    status, body = _reply(resolve, "/sources/nope")
    assert status == 404 and "'nope'" in body["detail"] and "seeds" in body["detail"]
    assert resolve("/elsewhere") is None


def test_cli_status_json_is_the_http_form(
    store: StateStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    monkeypatch.setenv("WARTA_FETCHER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WARTA_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    result = CliRunner().invoke(warta, ["sources", "status", "--json", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    reopened = StateStore(state_path(tmp_path / "state", "abc"))
    expected = [s.to_json() for s in source_statuses(load_sources(SAMPLES), reopened)]
    reopened.close()
    for line, want in zip(lines, expected, strict=True):
        line.pop("next_poll_in_s"), want.pop("next_poll_in_s")  # depends on the clock
        assert line == want
