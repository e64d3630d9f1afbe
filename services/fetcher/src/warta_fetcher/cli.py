"""``warta extract``, ``warta parse-feed``, ``warta sources list|status`` and ``warta fetch``."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from warta_fetcher.feeds import parse_feed
from warta_fetcher.settings import Settings, load_settings


def _read_input(target: str, accept: str) -> tuple[bytes, str | None, dict[str, str]]:
    """Bytes of a local file, or of a URL fetched with the fetcher's polite client."""
    if target.startswith(("http://", "https://")):
        from warta_fetcher.net import HttpPolicy, PoliteHttp

        http = PoliteHttp(HttpPolicy.from_settings(load_settings()))
        try:
            result = http.get(target, accept=accept)
        finally:
            http.close()
        return result.body, result.url, result.headers
    return Path(target).read_bytes(), None, {}


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.command("extract")
@click.argument("target")
@click.option(
    "--url", "base_url", default=None, help="URL the file was saved from (for links and canonical URL)"
)
def extract_command(target: str, base_url: str | None) -> None:
    """Extract the article in FILE_OR_URL and print it as JSON."""
    from warta_fetcher.extract import extract_article
    from warta_fetcher.net import FetchError

    try:
        body, final_url, _ = _read_input(target, "text/html,application/xhtml+xml")
    except (OSError, FetchError) as exc:
        _fail(str(exc))
    article = extract_article(body, url=base_url or final_url)
    if article is None:
        _fail("no article body found")
    click.echo(json.dumps(article.to_json(), ensure_ascii=False, indent=2))


@click.command("parse-feed")
@click.argument("target")
def parse_feed_command(target: str) -> None:
    """Parse the feed at FILE_OR_URL and print its entries as JSON lines (status on stderr)."""
    from warta_fetcher.net import FetchError

    try:
        body, final_url, headers = _read_input(target, "application/rss+xml, application/atom+xml, */*;q=0.5")
    except (OSError, FetchError) as exc:
        _fail(str(exc))
    feed = parse_feed(body, url=final_url, headers=headers)
    for entry in feed.entries:
        click.echo(json.dumps(entry.to_json(), ensure_ascii=False))
    click.echo(
        f"feed: {feed.status} format={feed.format or '?'} encoding={feed.encoding} entries={len(feed.entries)}"
        + (f" reason={feed.reason}" if feed.reason else ""),
        err=True,
    )
    if feed.status == "malformed":
        sys.exit(2)


@click.group("sources")
def sources_group() -> None:
    """List configured sources and show their fetch status."""


def _sources_path(path: str | None) -> Path:
    return Path(path) if path else load_settings().sources


@sources_group.command("list")
@click.argument("sources_file", required=False)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines instead of a table")
def sources_list(sources_file: str | None, as_json: bool) -> None:
    """List the sources in SOURCES_FILE (default: WARTA_FETCHER_SOURCES)."""
    from warta_fetcher.sources import load_sources

    try:
        sources = load_sources(_sources_path(sources_file))
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        for s in sources:
            click.echo(json.dumps(s.model_dump(), ensure_ascii=False))
        return
    rows = [("ID", "KIND", "LANG", "INTERVAL", "LOCATION")]
    rows += [
        (
            s.id,
            s.declared_kind or s.kind,
            s.language or "-",
            f"{s.poll_interval:.0f}s" if s.poll_interval else "auto",
            s.location,
        )
        for s in sources
    ]
    _table(rows)


@sources_group.command("status")
@click.argument("sources_file", required=False)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines (the form GET /sources serves)")
def sources_status(sources_file: str | None, as_json: bool) -> None:
    """Per-source fetches, 304s, errors, new articles, last lag and next poll (from the state dir)."""
    from warta_fetcher.service import state_namespace
    from warta_fetcher.sources import load_sources
    from warta_fetcher.state import StateStore, latest_state_path, state_path
    from warta_fetcher.status import source_statuses

    settings = load_settings()
    try:
        sources = load_sources(_sources_path(sources_file))
    except (OSError, ValueError) as exc:
        _fail(str(exc))
    stores = list(Path(settings.state_dir).expanduser().glob("fetcher-*.sqlite3"))
    if len(stores) == 1:
        path = stores[0]  # the usual case: one cluster, no need to ask Kafka which store is current
    else:
        path = state_path(settings.state_dir, state_namespace(settings, timeout_s=3.0))
        if not path.exists():
            path = latest_state_path(settings.state_dir) or path
    state = StateStore(path)
    try:
        statuses = source_statuses(sources, state)
    finally:
        state.close()
    if as_json:
        for status in statuses:
            click.echo(json.dumps(status.to_json(), ensure_ascii=False))
        return
    rows = [("ID", "FETCHES", "304", "ERRORS", "NEW", "LAG", "LAST", "NEXT", "STATUS")]
    for st in statuses:
        rows.append(
            (
                st.id,
                str(st.fetches),
                str(st.not_modified),
                str(st.errors),
                str(st.new_articles),
                _dur(st.last_lag_s),
                (_dur(st.as_of - st.last_fetch_at) + " ago") if st.last_fetch_at else "never",
                ("in " + _dur(st.next_poll_in_s)) if st.next_poll_at else "due",
                (st.last_status or "-") + (f": {st.last_error[:60]}" if st.last_error else ""),
            )
        )
    _table(rows)


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


@click.command("fetch")
@click.argument("sources_file", required=False)
@click.option("--once", is_flag=True, help="poll every source once, flush, print a summary and exit")
@click.option(
    "--dry-run", is_flag=True, help="do not send to Kafka or record anything; print articles as JSON"
)
def fetch_command(sources_file: str | None, once: bool, dry_run: bool) -> None:
    """Fetch SOURCES_FILE into Kafka: once (``--once``) or continuously (the scheduler loop)."""
    from warta.logs import setup_logging

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_json)
    path = _sources_path(sources_file)
    if not once:
        from warta_fetcher.main import run_service

        sys.exit(run_service(settings, path))
    sys.exit(run_once(settings, path, dry_run=dry_run))


def run_once(settings: Settings, path: Path, dry_run: bool = False) -> int:
    """Poll every enabled source once; returns the process exit code (0 unless Kafka failed)."""
    import tempfile

    from warta_fetcher.service import build_harvester, close_harvester, ensure_fetcher_topics, state_namespace
    from warta_fetcher.sink import MemorySink, SendFailed
    from warta_fetcher.sources import load_sources

    try:
        sources = [s for s in load_sources(path) if s.enabled]
    except (OSError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    sink = None
    if dry_run:
        sink = MemorySink()
        settings = settings.model_copy(update={"state_dir": Path(tempfile.mkdtemp(prefix="warta-dry-"))})
    else:
        try:
            ensure_fetcher_topics(settings)
        except Exception as exc:  # kafka-python raises a zoo of errors; all mean "broker not usable"
            click.echo(f"error: Kafka at {settings.kafka_bootstrap} not usable: {exc}", err=True)
            return 1
    harvester = build_harvester(
        settings, sink=sink, namespace="dry-run" if dry_run else state_namespace(settings)
    )
    totals = {"new": 0, "already_sent": 0, "errors": 0, "not_modified": 0}
    exit_code = 0
    started = time.monotonic()
    try:
        for index, source in enumerate(sources, 1):
            try:
                report = harvester.poll(source)
            except SendFailed as exc:
                click.echo(
                    f"[{index}/{len(sources)}] {source.id}: Kafka did not acknowledge: {exc}", err=True
                )
                exit_code = 1
                break
            totals["new"] += report.new
            totals["already_sent"] += report.already_sent
            totals["errors"] += int(report.status == "error") + report.page_errors
            totals["not_modified"] += int(report.status == "not_modified")
            line = f"[{index}/{len(sources)}] {source.id} ({source.declared_kind}): {report.status}, {report.new} new, {report.already_sent} already sent"
            if report.page_errors:
                line += f", {report.page_errors} page errors"
            if report.error:
                line += f" - {report.error}"
            click.echo(line + f" ({report.duration_s:.1f}s)")
    finally:
        close_harvester(harvester)  # flushes the producer before we report success
    if dry_run and isinstance(sink, MemorySink):
        for event in sink.events:
            click.echo(event.model_dump_json())
    click.echo(
        f"done: {len(sources)} sources, {totals['new']} new articles sent, {totals['already_sent']} already sent, "
        f"{totals['not_modified']} not modified, {totals['errors']} errors in {time.monotonic() - started:.1f}s"
    )
    return exit_code
