"""When to try a webhook again, and how to wait out a transient outage.

The delivery schedule is a pure function of the alert (its id, ``created_at`` and how many attempts
were made), not of in-memory timers: any alerter instance, including one that just restarted, can
tell from the ES document alone whether a delivery is due or has run out of time. Jitter is derived
from a hash of the alert id and the attempt number, so it spreads retries of many alerts apart yet
stays the same when recomputed after a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with deterministic jitter and an overall give-up age.

    Attempt 1 is made at ``created_at``; attempt ``n + 1`` waits ``delay(n)`` after attempt ``n``'s
    due time. Once the next attempt would be due after ``created_at + give_up_after`` the alert is
    dead (the architecture asks for at least 24 h of retries in production).
    """

    base: float = 30.0
    factor: float = 2.0
    max_delay: float = 3600.0
    jitter: float = 0.2
    give_up_after: float = 26 * 3600.0

    def delay(self, retry: int, alert_id: str = "") -> float:
        """Seconds between attempt ``retry`` and attempt ``retry + 1`` (``retry`` >= 1)."""
        if retry < 1:
            raise ValueError("retry numbers start at 1")
        raw = min(self.base * self.factor ** (retry - 1), self.max_delay)
        return raw * (1.0 + self.jitter * _unit_noise(alert_id, retry))

    def offset_of_attempt(self, attempt: int, alert_id: str = "") -> float:
        """Seconds after ``created_at`` at which attempt number ``attempt`` (1-based) is due."""
        return sum(self.delay(n, alert_id) for n in range(1, attempt))

    def next_due(self, created_at: datetime, attempts_made: int, alert_id: str = "") -> datetime | None:
        """When the next attempt is due after ``attempts_made`` attempts, or None when it is time to give up."""
        offset = self.offset_of_attempt(attempts_made + 1, alert_id)
        if attempts_made > 0 and offset > self.give_up_after:
            return None
        return created_at + timedelta(seconds=offset)

    def earliest_offset(self, attempt: int) -> float:
        """A lower bound of :meth:`offset_of_attempt` over every alert id (all jitter at its minimum)."""
        return sum(
            min(self.base * self.factor ** (n - 1), self.max_delay) * (1.0 - self.jitter)
            for n in range(1, attempt)
        )

    def schedule(self, alert_id: str = "") -> list[float]:
        """Offsets (seconds after creation) of every attempt before giving up - for docs and benches."""
        out: list[float] = []
        attempt = 1
        while True:
            offset = self.offset_of_attempt(attempt, alert_id)
            if attempt > 1 and offset > self.give_up_after:
                return out
            out.append(offset)
            attempt += 1


def _unit_noise(alert_id: str, retry: int) -> float:
    """A stable pseudo-random number in [-1, 1) for (alert, retry)."""
    digest = hashlib.blake2b(f"{alert_id}\x00{retry}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**63 - 1.0


class Stopped(Exception):
    """Raised by :func:`retry_transient` when the service is stopping and the work must not complete."""


async def retry_transient(
    operation: Callable[[], Awaitable[T]],
    *,
    is_transient: Callable[[BaseException], bool],
    what: str,
    max_delay: float = 30.0,
    first_delay: float = 0.2,
    should_stop: Callable[[], bool] = lambda: False,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    """Run ``operation`` until it succeeds, waiting with capped exponential backoff (full jitter)
    after each transient failure. Non-transient errors propagate at once. Raises :class:`Stopped`
    when ``should_stop()`` turns true while waiting, so a stopping worker does not ack the event.
    """
    delay = first_delay
    while True:
        try:
            return await operation()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if on_retry is not None:
                on_retry(exc)
            if should_stop():
                raise Stopped(what) from exc
            wait = random.uniform(delay / 2, delay)
            log.warning("%s failed (%s: %s); retrying in %.1fs", what, type(exc).__name__, exc, wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, max_delay)
