"""The fetcher's `warta` subcommands, run through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.unit.fetcher.conftest import FIXTURES, REPO_ROOT
from warta.cli import main as warta
from warta_fetcher.state import StateStore, state_path

SAMPLES = REPO_ROOT / "samples" / "sources.yaml"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WARTA_FETCHER_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WARTA_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # nothing listens: no broker in unit tests
    return CliRunner()


def test_parse_feed_prints_one_json_line_per_entry(runner: CliRunner) -> None:
    result = runner.invoke(warta, ["parse-feed", str(REPO_ROOT / "samples" / "feeds" / "warta-sample.xml")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 3
    assert lines[0]["link"] == "https://news.example.org/2026/11/20/jakarta-mrt-east-west-line"
    assert lines[0]["published_at"] == "2026-11-19T23:30:00Z"


def test_parse_feed_of_garbage_exits_non_zero_with_reason(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<html><body>this is a web page, not a feed</body></html>")
    result = runner.invoke(warta, ["parse-feed", str(bad)])
    assert result.exit_code == 2
    assert "malformed" in result.stderr


def test_extract_prints_article_json(runner: CliRunner) -> None:
    result = runner.invoke(warta, ["extract", str(FIXTURES / "article_related.html")])
    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert article["title"] == "Petani Jawa Tengah panen raya melampaui target"
    assert "Baca" not in article["text"] and article["html_lang"] == "id-id"


def test_sources_list_shows_every_source(runner: CliRunner) -> None:
    result = runner.invoke(warta, ["sources", "list", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "seeds" in result.stdout and "warta-sample-feed" in result.stdout and "rss" in result.stdout


def test_sources_status_shows_counters_from_state(runner: CliRunner, tmp_path: Path) -> None:
    store = StateStore(state_path(tmp_path / "state", "abc"))
    store.record_poll("seeds", status="ok", new_articles=2, lag_s=90.0, next_poll_at=0)
    store.record_poll("seeds", status="not_modified", not_modified=True)
    store.close()
    result = runner.invoke(warta, ["sources", "status", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("seeds"))
    assert row.split()[1:5] == ["2", "1", "0", "2"]  # fetches, 304s, errors, new
    assert "1.5m" in row  # publication lag


def test_fetch_once_dry_run_prints_progress_and_summary(runner: CliRunner) -> None:
    result = runner.invoke(warta, ["fetch", "--once", "--dry-run", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "[1/2] seeds (folder): ok, 2 new" in result.stdout
    assert "done: 2 sources, 5 new articles sent" in result.stdout
