"""The alerts alias in Elasticsearch: the record of what fired and how its delivery went.

- The document ``_id`` is the alert id (hash of subscription id + story id), and the first write
  is ``op_type=create``: a 409 means the story already fired for that subscription, so the later
  article is only counted (``article_count``), never sent again.
- Counting is replay-proof: the document keeps the ids of the articles counted (``article_ids``,
  a field this service adds to the alerts mapping at start-up, see :meth:`AlertStore.ensure_mapping`),
  so an article delivered again (at-least-once, or the same files fed twice) is not counted twice.
- Updates use optimistic concurrency (``if_seq_no``/``if_primary_term``) rather than scripts, so
  they run on the minimal ES distribution (no Painless) and so that only one alerter instance can
  claim a given delivery attempt.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, ConflictError, NotFoundError

from warta.events import Alert
from warta_alerter.retry import RetryPolicy

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
UNDELIVERED = ("pending", "failed")


def is_transient(exc: BaseException) -> bool:
    """Errors worth waiting out (ES or Kafka unavailable), as opposed to bad data or bugs."""
    if isinstance(exc, TransportError | asyncio.TimeoutError | ConnectionError):
        return True
    if isinstance(exc, ApiError):
        return exc.meta.status in TRANSIENT_STATUS
    try:
        from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, KafkaTimeoutError | KafkaConnectionError):
        return True
    return isinstance(exc, KafkaError) and bool(getattr(exc, "retriable", False))


class Outcome(enum.Enum):
    FIRED = "fired"  # first article of the story for this subscription: new alert
    COUNTED = "counted"  # a later article of the story: counted on the existing alert
    REPLAYED = "replayed"  # the very article that fired, seen again (at-least-once replay)
    ALREADY_COUNTED = "already_counted"  # a later article of the story seen again: nothing to do


@dataclass(frozen=True)
class Recorded:
    outcome: Outcome
    alert: Alert  # the stored alert (for FIRED: the one just written)


@dataclass(frozen=True)
class Versioned:
    alert: Alert
    seq_no: int
    primary_term: int
    article_ids: tuple[str, ...] = ()  # articles counted on the alert (first one first)


# Not part of the Alert event: bookkeeping for exact, replay-proof article counts.
ARTICLE_IDS_MAPPING = {"article_ids": {"type": "keyword"}}


class AlertStore:
    def __init__(self, es: Any, alias: str) -> None:
        self.es = es
        self.alias = alias

    async def ensure_mapping(self) -> None:
        """Add ``article_ids`` to the alerts mapping (additive, idempotent; the template is strict)."""
        await self.es.indices.put_mapping(index=self.alias, properties=ARTICLE_IDS_MAPPING)

    async def record(self, alert: Alert, max_cas_rounds: int = 20) -> Recorded:
        """Create the alert, or count ``alert.article`` on the alert that already exists.

        Idempotent per (alert, article): the same article never counts twice.
        """
        doc = alert.model_dump(mode="json")
        doc["article_ids"] = [alert.article.id]
        try:
            # require_alias: never let ES auto-create a concrete "<prefix>-alerts" index with a
            # guessed mapping when the alias is missing (ensure_indices() creates it at start-up).
            await self.es.create(index=self.alias, id=alert.id, document=doc, require_alias=True)
            return Recorded(Outcome.FIRED, alert)
        except ConflictError:
            pass
        for _ in range(max_cas_rounds):
            current = await self.get(alert.id)
            if current is None:  # deleted in between (retention); write it again
                return await self.record(alert, max_cas_rounds - 1)
            if current.alert.article.id == alert.article.id:
                return Recorded(Outcome.REPLAYED, current.alert)
            if alert.article.id in current.article_ids:
                return Recorded(Outcome.ALREADY_COUNTED, current.alert)
            count = current.alert.article_count + 1
            try:
                await self.es.update(
                    index=self.alias,
                    id=alert.id,
                    doc={"article_count": count, "article_ids": [*current.article_ids, alert.article.id]},
                    if_seq_no=current.seq_no,
                    if_primary_term=current.primary_term,
                )
                return Recorded(Outcome.COUNTED, current.alert.model_copy(update={"article_count": count}))
            except ConflictError:
                continue  # a concurrent count or delivery update; read again
        raise RuntimeError(f"could not count article on alert {alert.id}: too much contention")

    async def get(self, alert_id: str) -> Versioned | None:
        try:
            resp = await self.es.get(index=self.alias, id=alert_id)
        except NotFoundError:
            return None
        source = resp["_source"]
        alert = Alert.model_validate(source)
        # documents written before article_ids existed know at least their first article
        ids = tuple(source.get("article_ids") or (alert.article.id,))
        return Versioned(alert, resp["_seq_no"], resp["_primary_term"], ids)

    async def claim_attempt(self, current: Versioned) -> int | None:
        """Reserve the next attempt number (``attempts + 1``) for this instance, or None if another got it.

        Leaves ``status`` as it is; a ``pending`` alert with attempts > 0 therefore means "an
        attempt is in flight (or its instance died)" - see :meth:`undelivered`.
        """
        attempt = current.alert.attempts + 1
        try:
            await self.es.update(
                index=self.alias,
                id=current.alert.id,
                doc={"attempts": attempt},
                if_seq_no=current.seq_no,
                if_primary_term=current.primary_term,
            )
        except ConflictError:
            return None
        return attempt

    async def finish_attempt(
        self,
        alert_id: str,
        *,
        status: str,
        last_error: str | None,
        delivered_at: datetime | None = None,
    ) -> None:
        """Record how an attempt ended (``delivered``, ``failed`` = will retry, ``dead`` = gave up)."""
        doc: dict[str, Any] = {"status": status, "last_error": last_error}
        if delivered_at is not None:
            doc["delivered_at"] = delivered_at.isoformat()
        await self.es.update(index=self.alias, id=alert_id, doc=doc, retry_on_conflict=10)

    async def undelivered(
        self,
        page_size: int = 500,
        limit: int = 10_000,
        *,
        policy: RetryPolicy | None = None,
        now: datetime | None = None,
    ) -> list[Alert]:
        """Alerts whose delivery is not finished (``pending`` or ``failed``), oldest first.

        With ``policy`` and ``now``, only those that *may* be due are read: an alert with ``k``
        attempts cannot be due before ``created_at + policy.earliest_offset(k + 1)``. That keeps
        the sweep cheap while a receiver is down for hours with many failed alerts waiting; the
        caller still decides exactly (with jitter) what is due.
        """
        query: dict[str, Any] = {"terms": {"status": list(UNDELIVERED)}}
        if policy is not None and now is not None:
            query = {
                "bool": {"filter": [query], "should": _due_clauses(policy, now), "minimum_should_match": 1}
            }
        out: list[Alert] = []
        after: list[Any] | None = None
        while len(out) < limit:
            body: dict[str, Any] = {
                "size": page_size,
                "query": query,
                "sort": [{"created_at": "asc"}, {"id": "asc"}],
            }
            if after is not None:
                body["search_after"] = after
            try:
                resp = await self.es.search(index=self.alias, **body)
            except NotFoundError:
                return out
            hits = resp["hits"]["hits"]
            out.extend(Alert.model_validate(h["_source"]) for h in hits)
            if len(hits) < page_size:
                break
            after = hits[-1]["sort"]
        return out


def _due_clauses(policy: RetryPolicy, now: datetime, max_clauses: int = 64) -> list[dict[str, Any]]:
    """One clause per attempt count k: ``attempts == k`` and old enough for attempt k + 1 to be due."""
    clauses: list[dict[str, Any]] = []
    for k in range(max_clauses):
        earliest = policy.earliest_offset(k + 1)
        cutoff = (now - timedelta(seconds=earliest)).isoformat()
        clauses.append(
            {"bool": {"filter": [{"term": {"attempts": k}}, {"range": {"created_at": {"lte": cutoff}}}]}}
        )
        if earliest > policy.give_up_after:  # every later count is past giving up: one catch-all
            clauses.append({"range": {"attempts": {"gt": k}}})
            return clauses
    clauses.append({"range": {"attempts": {"gte": max_clauses}}})
    return clauses
