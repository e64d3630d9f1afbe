"""Local fetcher state in sqlite: what was sent, conditional-GET validators, schedule, leases, counters.

One file per state dir, shared safely by several fetcher processes on the same host (WAL mode, short
transactions). Leases make sure two processes never fetch the same source in the same round.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_state (
    source_id TEXT PRIMARY KEY,
    etag TEXT, last_modified TEXT,
    interval_s REAL, next_poll_at REAL DEFAULT 0,
    lease_owner TEXT, lease_until REAL DEFAULT 0,
    fetches INTEGER DEFAULT 0, not_modified INTEGER DEFAULT 0, errors INTEGER DEFAULT 0,
    new_articles INTEGER DEFAULT 0, last_lag_s REAL, last_fetch_at REAL, last_error TEXT,
    last_status TEXT
);
CREATE TABLE IF NOT EXISTS sent_article (
    article_id TEXT PRIMARY KEY, source_id TEXT, url TEXT, sent_at REAL
);
CREATE TABLE IF NOT EXISTS seen_entry (
    source_id TEXT, entry_key TEXT, article_id TEXT, seen_at REAL,
    PRIMARY KEY (source_id, entry_key)
);
"""


@dataclass
class SourceState:
    source_id: str
    etag: str | None = None
    last_modified: str | None = None
    interval_s: float | None = None
    next_poll_at: float = 0.0
    fetches: int = 0
    not_modified: int = 0
    errors: int = 0
    new_articles: int = 0
    last_lag_s: float | None = None
    last_fetch_at: float | None = None
    last_error: str | None = None
    last_status: str | None = None


class StateStore:
    """Thread-safe sqlite store; every method is one short transaction."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=30.0, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_dir(cls, state_dir: str | Path, namespace: str = "local") -> StateStore:
        """The store for ``namespace`` (the Kafka cluster + topic prefix it delivers to), because
        "already sent" only holds for the cluster the articles went to: a fresh broker gets them again."""
        return cls(state_path(state_dir, namespace))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _ensure(self, source_id: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO source_state (source_id) VALUES (?)", (source_id,))

    # -- sent articles / seen entries -------------------------------------------------------------
    def is_sent(self, article_id: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM sent_article WHERE article_id=?", (article_id,)).fetchone()
        return row is not None

    def mark_sent(
        self, article_id: str, source_id: str, url: str | None, entry_key: str | None = None
    ) -> None:
        """Record an article as delivered (call only after the broker acknowledged it)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR IGNORE INTO sent_article VALUES (?,?,?,?)", (article_id, source_id, url, now)
                )
                if entry_key:
                    self._db.execute(
                        "INSERT OR REPLACE INTO seen_entry VALUES (?,?,?,?)",
                        (source_id, entry_key, article_id, now),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def is_entry_seen(self, source_id: str, entry_key: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM seen_entry WHERE source_id=? AND entry_key=?", (source_id, entry_key)
            ).fetchone()
        return row is not None

    def mark_entry_seen(self, source_id: str, entry_key: str, article_id: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO seen_entry VALUES (?,?,?,?)",
                (source_id, entry_key, article_id, time.time()),
            )

    def sent_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM sent_article").fetchone()[0])

    # -- per-source state -----------------------------------------------------------------------
    def get(self, source_id: str) -> SourceState:
        with self._lock:
            self._ensure(source_id)
            cur = self._db.execute(
                "SELECT source_id, etag, last_modified, interval_s, next_poll_at, fetches, not_modified, errors,"
                " new_articles, last_lag_s, last_fetch_at, last_error, last_status"
                " FROM source_state WHERE source_id=?",
                (source_id,),
            )
            row = cur.fetchone()
        return SourceState(*row)

    def record_poll(
        self,
        source_id: str,
        *,
        status: str,
        etag: str | None = None,
        last_modified: str | None = None,
        keep_validators: bool = False,
        interval_s: float | None = None,
        next_poll_at: float | None = None,
        not_modified: bool = False,
        error: str | None = None,
        new_articles: int = 0,
        lag_s: float | None = None,
    ) -> None:
        """Update counters and schedule after one poll of a source."""
        now = time.time()
        with self._lock:
            self._ensure(source_id)
            sets = [
                "fetches = fetches + 1",
                "not_modified = not_modified + ?",
                "errors = errors + ?",
                "new_articles = new_articles + ?",
                "last_fetch_at = ?",
                "last_status = ?",
                "last_error = ?",
            ]
            args: list[object] = [int(not_modified), int(error is not None), new_articles, now, status, error]
            if not keep_validators:
                sets += ["etag = ?", "last_modified = ?"]
                args += [etag, last_modified]
            if interval_s is not None:
                sets.append("interval_s = ?")
                args.append(interval_s)
            if next_poll_at is not None:
                sets.append("next_poll_at = ?")
                args.append(next_poll_at)
            if lag_s is not None:
                sets.append("last_lag_s = ?")
                args.append(lag_s)
            args.append(source_id)
            self._db.execute(f"UPDATE source_state SET {', '.join(sets)} WHERE source_id = ?", args)

    # -- leases ---------------------------------------------------------------------------------
    def try_lease(self, source_id: str, owner: str, seconds: float, only_if_due: bool = True) -> bool:
        """Atomically take the source for ``seconds`` if nobody else holds it (and it is due)."""
        now = time.time()
        with self._lock:
            self._ensure(source_id)
            due = " AND next_poll_at <= ?" if only_if_due else ""
            args: list[object] = [owner, now + seconds, source_id, now, owner]
            if only_if_due:
                args.append(now)
            cur = self._db.execute(
                "UPDATE source_state SET lease_owner = ?, lease_until = ?"
                " WHERE source_id = ? AND (lease_until <= ? OR lease_owner = ?)" + due,
                args,
            )
            return cur.rowcount == 1

    def release(self, source_id: str, owner: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE source_state SET lease_owner = NULL, lease_until = 0 WHERE source_id = ? AND lease_owner = ?",
                (source_id, owner),
            )


def state_path(state_dir: str | Path, namespace: str) -> Path:
    return Path(state_dir).expanduser() / f"fetcher-{namespace}.sqlite3"


def latest_state_path(state_dir: str | Path) -> Path | None:
    """The most recently used store in ``state_dir`` (for status when Kafka cannot be asked)."""
    candidates = sorted(
        Path(state_dir).expanduser().glob("fetcher-*.sqlite3"), key=lambda p: p.stat().st_mtime
    )
    return candidates[-1] if candidates else None
