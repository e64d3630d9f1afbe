"""Adaptive intervals, the instance split, and sqlite leases."""

from __future__ import annotations

from pathlib import Path

from warta_fetcher.schedule import next_interval, owned_by
from warta_fetcher.state import StateStore

LIMITS = {"configured": None, "default": 900.0, "minimum": 60.0, "maximum": 21600.0}


def test_interval_shrinks_when_publishing_and_grows_when_quiet() -> None:
    busy = next_interval(900.0, new_articles=5, **LIMITS)
    quiet = next_interval(900.0, new_articles=0, **LIMITS)
    assert busy < 900.0 < quiet
    assert next_interval(70.0, new_articles=10, **LIMITS) == 60.0
    assert next_interval(20000.0, new_articles=0, **LIMITS) == 21600.0


def test_interval_never_below_feed_ttl() -> None:
    assert next_interval(900.0, new_articles=50, feed_floor=3600.0, **LIMITS) == 3600.0


def test_configured_interval_is_the_starting_point() -> None:
    assert next_interval(None, new_articles=0, **{**LIMITS, "configured": 100.0}) == 150.0


def test_instances_split_sources_without_overlap_or_gaps() -> None:
    ids = [f"source-{i}" for i in range(200)]
    owners = [[i for i in range(3) if owned_by(s, i, 3)] for s in ids]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {0, 1, 2}


def test_only_one_process_holds_a_lease(tmp_path: Path) -> None:
    a = StateStore(tmp_path / "s.db")
    b = StateStore(tmp_path / "s.db")  # a second process on the same host
    assert a.try_lease("feed", "A", 60)
    assert not b.try_lease("feed", "B", 60)
    a.release("feed", "A")
    assert b.try_lease("feed", "B", 60)
    a.close()
    b.close()


def test_source_not_due_is_not_leased(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.db")
    store.record_poll("feed", status="ok", next_poll_at=10**12)
    assert not store.try_lease("feed", "A", 60)
    store.close()


def test_sent_ids_survive_a_restart(tmp_path: Path) -> None:
    first = StateStore(tmp_path / "s.db")
    first.mark_sent("abc", "src", "https://x/1", entry_key="https://x/1")
    first.close()
    again = StateStore(tmp_path / "s.db")
    assert again.is_sent("abc") and again.is_entry_seen("src", "https://x/1")
    assert not again.is_sent("other")
    again.close()
