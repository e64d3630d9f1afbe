"""Per-source status: what each source is (config) and how fetching it goes (state counters).

One builder, :func:`source_statuses`, feeds both ``warta sources status`` (a table) and the fetcher's
``GET /sources`` and ``GET /sources/{name}`` (JSON), so the two can never disagree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from warta_fetcher.sources import Source
from warta_fetcher.state import StateStore

# (HTTP status, JSON-serialisable body) or None when the path is not one of ours.
JsonReply = tuple[int, Any]


@dataclass(frozen=True)
class SourceStatus:
    """A source's configuration joined with its fetch counters, as of ``as_of`` (epoch seconds)."""

    id: str
    name: str
    kind: str
    url: str | None
    path: str | None
    language: str | None
    enabled: bool
    poll_interval_s: float | None  # configured; None = adaptive
    interval_s: float | None  # the interval the scheduler currently uses
    next_poll_at: float | None  # None = due now (never scheduled)
    fetches: int
    not_modified: int
    errors: int
    new_articles: int
    last_lag_s: float | None
    last_fetch_at: float | None
    last_status: str | None
    last_error: str | None
    as_of: float

    @property
    def location(self) -> str:
        return self.url or self.path or ""

    @property
    def next_poll_in_s(self) -> float:
        """Seconds until the next poll; 0 when due."""
        return max(0.0, self.next_poll_at - self.as_of) if self.next_poll_at else 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON form: raw numbers, timestamps as ISO 8601 UTC (``...Z``) or null."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "path": self.path,
            "language": self.language,
            "enabled": self.enabled,
            "poll_interval_s": self.poll_interval_s,
            "interval_s": self.interval_s,
            "next_poll_at": _iso(self.next_poll_at),
            "next_poll_in_s": round(self.next_poll_in_s, 1),
            "fetches": self.fetches,
            "not_modified": self.not_modified,
            "errors": self.errors,
            "new_articles": self.new_articles,
            "last_lag_s": self.last_lag_s,
            "last_fetch_at": _iso(self.last_fetch_at),
            "last_status": self.last_status,
            "last_error": self.last_error,
        }


def source_statuses(
    sources: Sequence[Source], state: StateStore, now: float | None = None
) -> list[SourceStatus]:
    """Status of every source in ``sources`` (file order), counters read from ``state``.

    A source never polled yet shows zero counters and no timestamps.
    """
    as_of = time.time() if now is None else now
    statuses = []
    for source in sources:
        st = state.get(source.id)
        statuses.append(
            SourceStatus(
                id=source.id,
                name=source.name,
                kind=source.declared_kind or source.kind,
                url=source.url,
                path=source.path,
                language=source.language,
                enabled=source.enabled,
                poll_interval_s=source.poll_interval,
                interval_s=st.interval_s,
                next_poll_at=st.next_poll_at or None,
                fetches=st.fetches,
                not_modified=st.not_modified,
                errors=st.errors,
                new_articles=st.new_articles,
                last_lag_s=st.last_lag_s,
                last_fetch_at=st.last_fetch_at,
                last_status=st.last_status,
                last_error=st.last_error,
                as_of=as_of,
            )
        )
    return statuses


def find_source(sources: Sequence[Source], key: str) -> Source | None:
    """The source whose id, or failing that exact name, is ``key``."""
    for source in sources:
        if source.id == key:
            return source
    for source in sources:
        if source.name == key:
            return source
    return None


def sources_routes(
    current_sources: Callable[[], Sequence[Source]], state: StateStore
) -> Callable[[str], JsonReply | None]:
    """A path resolver for the ops HTTP server: ``/sources`` and ``/sources/{id or name}``.

    ``current_sources`` is asked on every request (the running scheduler's list follows edits of the
    sources file). Unknown sources answer 404 ``{"detail": ...}``; other paths answer None.
    """

    def resolve(path: str) -> JsonReply | None:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path in ("/sources", "/sources/"):
            statuses = source_statuses(current_sources(), state)
            return 200, {"sources": [s.to_json() for s in statuses]}
        if not path.startswith("/sources/"):
            return None
        key = unquote(path[len("/sources/") :].rstrip("/"))
        sources = current_sources()
        source = find_source(sources, key)
        if source is None:
            known = ", ".join(s.id for s in sources[:20]) + (", ..." if len(sources) > 20 else "")
            return 404, {"detail": f"unknown source {key!r}; known ids: {known or 'none'}"}
        return 200, source_statuses([source], state)[0].to_json()

    return resolve


def _iso(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
