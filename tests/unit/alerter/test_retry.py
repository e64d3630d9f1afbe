"""The delivery retry schedule and the transient-error backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warta_alerter.retry import RetryPolicy, Stopped, retry_transient

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_delays_grow_exponentially_and_are_capped_without_jitter():
    p = RetryPolicy(base=10, factor=2, max_delay=60, jitter=0, give_up_after=10_000)
    assert [p.delay(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_jitter_stays_within_bounds_differs_between_alerts_and_is_stable_across_calls():
    p = RetryPolicy(base=100, factor=1, max_delay=100, jitter=0.2, give_up_after=10_000)
    delays = [p.delay(1, f"alert-{i}") for i in range(200)]
    assert all(80 <= d <= 120 for d in delays)
    assert len({round(d, 6) for d in delays}) > 150  # spread apart, not in lockstep
    assert p.delay(1, "alert-7") == p.delay(1, "alert-7")  # same after a restart


def test_first_attempt_is_due_at_creation_and_later_ones_follow_the_schedule():
    p = RetryPolicy(base=10, factor=2, max_delay=1000, jitter=0, give_up_after=10_000)
    assert p.next_due(T0, 0) == T0
    assert p.next_due(T0, 1) == T0 + timedelta(seconds=10)
    assert p.next_due(T0, 2) == T0 + timedelta(seconds=30)
    assert p.next_due(T0, 3) == T0 + timedelta(seconds=70)


def test_gives_up_once_the_next_attempt_would_be_past_the_give_up_age():
    p = RetryPolicy(base=1, factor=2, max_delay=1000, jitter=0, give_up_after=10)
    # attempts at 0, 1, 3, 7 seconds; the next (15 s) is past 10 s
    assert p.schedule() == [0, 1, 3, 7]
    assert p.next_due(T0, 3) == T0 + timedelta(seconds=7)
    assert p.next_due(T0, 4) is None


def test_default_production_policy_keeps_retrying_for_at_least_24_hours():
    p = RetryPolicy()
    for alert in ("a", "b", "c"):
        offsets = p.schedule(alert)
        assert offsets[-1] >= 24 * 3600
        assert len(offsets) < 60  # ... without hammering the receiver


class Flaky(Exception):
    pass


async def test_retry_transient_retries_transient_errors_until_success():
    calls = 0

    async def op() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise Flaky()
        return "done"

    seen: list[BaseException] = []
    result = await retry_transient(
        op, is_transient=lambda e: isinstance(e, Flaky), what="op", first_delay=0.001, on_retry=seen.append
    )
    assert result == "done" and calls == 3 and len(seen) == 2


async def test_retry_transient_propagates_non_transient_errors_at_once():
    calls = 0

    async def op() -> None:
        nonlocal calls
        calls += 1
        raise KeyError("bad data")

    with pytest.raises(KeyError):
        await retry_transient(op, is_transient=lambda e: isinstance(e, Flaky), what="op", first_delay=0.001)
    assert calls == 1


async def test_retry_transient_raises_stopped_when_the_service_is_stopping():
    async def op() -> None:
        raise Flaky()

    with pytest.raises(Stopped):
        await retry_transient(
            op, is_transient=lambda e: True, what="op", first_delay=0.001, should_stop=lambda: True
        )
