"""Adaptive poll intervals and the split of sources between fetcher instances."""

from __future__ import annotations

from warta.ids import stable_hash


def next_interval(
    current: float | None,
    *,
    configured: float | None,
    default: float,
    minimum: float,
    maximum: float,
    new_articles: int,
    feed_floor: float | None = None,
    failed: bool = False,
) -> float:
    """The next poll interval of a source.

    Halves when a poll found new articles, grows by half when it found none (or failed), stays within
    ``[minimum, maximum]`` and never goes below what the feed itself asks for (``ttl`` /
    ``sy:updatePeriod``). A configured ``poll_interval`` is the starting point.
    """
    interval = current or configured or default
    if failed:
        interval *= 2.0
    elif new_articles > 0:
        interval *= 0.5 if new_articles >= 3 else 0.75
    else:
        interval *= 1.5
    floor = max(minimum, feed_floor or 0.0)
    return max(floor, min(maximum, interval))


def owned_by(source_id: str, instance: int, instances: int) -> bool:
    """Whether ``instance`` (0-based, of ``instances``) is the one that polls ``source_id``.

    Static hashing: every instance computes the same split without talking to the others, so no
    source is fetched twice per round even across hosts (see docs/decisions.md).
    """
    if instances <= 1:
        return True
    return int(stable_hash("shard", source_id), 16) % instances == instance % instances
