"""Bulk writer: enriched articles → Elasticsearch → ``articles.indexed.v1``.

One batch = at most ``batch_size`` records or ``batch_max_wait`` seconds. Per batch: decode
(invalid → DLQ), assign stories, bulk-index through the alias with ``refresh=wait_for`` (so an
article is searchable before anyone is told it is indexed), publish ``ArticleIndexed`` events and
wait for the broker, and only then commit the consumer offsets. A transient failure (ES or
Kafka unreachable, 429/5xx) retries the same batch with backoff: nothing is committed, so a
crash at any point replays the batch, and deterministic ids make the replay harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError
from kafka import KafkaProducer
from prometheus_client import Counter, Histogram
from pydantic import ValidationError

from warta.elastic import IndexNames, article_document
from warta.events import ArticleEnriched, ArticleIndexed
from warta.kafka import dead_letter_event, send_dead_letter
from warta_indexer.stories import (
    Candidate,
    candidate_from_article,
    candidate_from_hit,
    candidate_query,
    decide,
)

log = logging.getLogger(__name__)

INDEXED = Counter("warta_indexer_articles_indexed_total", "articles written to Elasticsearch")
DEAD = Counter("warta_indexer_dead_letters_total", "records sent to the DLQ", ["reason"])
BATCHES = Histogram("warta_indexer_batch_seconds", "time to index one batch")
RETRIES = Counter("warta_indexer_retries_total", "batch retries after a transient failure")


class TransientError(RuntimeError):
    """ES or Kafka could not take the batch now; retry the whole batch later."""


@dataclass(frozen=True)
class Record:
    """What the indexer needs of a consumed Kafka message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


class Indexer:
    def __init__(
        self,
        es: Elasticsearch,
        producer: KafkaProducer,
        *,
        es_prefix: str,
        source_topic: str,
        indexed_topic: str,
        story_window_days: int = 3,
        service: str = "indexer",
    ) -> None:
        self.es = es
        self.producer = producer
        self.names = IndexNames(es_prefix)
        self.source_topic = source_topic
        self.indexed_topic = indexed_topic
        self.window = story_window_days
        self.service = service

    # -- decoding ---------------------------------------------------------------------------
    def _decode(self, records: list[Record]) -> list[ArticleEnriched]:
        articles: dict[str, ArticleEnriched] = {}
        for rec in records:
            try:
                if rec.value is None:
                    raise ValueError("empty message (tombstone) on an article topic")
                article = ArticleEnriched.from_bytes(rec.value)
            except (ValidationError, ValueError) as exc:
                DEAD.labels("invalid").inc()
                letter = dead_letter_event(
                    topic=rec.topic,
                    raw=rec.value,
                    error=exc,
                    service=self.service,
                    key=rec.key,
                    partition=rec.partition,
                    offset=rec.offset,
                )
                log.warning(
                    "invalid event at %s[%s]@%s → DLQ: %s",
                    rec.topic,
                    rec.partition,
                    rec.offset,
                    letter.error[:200],
                )
                send_dead_letter(self.producer, letter)
                continue
            articles[article.id] = article  # the latest version of an id in a batch wins
        return list(articles.values())

    # -- stories ------------------------------------------------------------------------------
    def _existing(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        resp = self.es.search(
            index=self.names.articles,
            query={"ids": {"values": ids}},
            source_includes=["story_id", "duplicate_of"],
            size=len(ids),
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        return {h["_id"]: {"index": h["_index"], **h["_source"]} for h in resp["hits"]["hits"]}

    def _candidates(self, articles: list[ArticleEnriched]) -> list[list[Candidate]]:
        if not articles:
            return []
        searches: list[dict[str, Any]] = []
        for article in articles:
            searches.append(
                {"index": self.names.articles, "ignore_unavailable": True, "allow_no_indices": True}
            )
            searches.append(candidate_query(article, self.window))
        resp = self.es.msearch(searches=searches)
        out: list[list[Candidate]] = []
        for item in resp["responses"]:
            if "error" in item:
                raise TransientError(f"candidate search failed: {item['error']}")
            out.append([candidate_from_hit(h) for h in item["hits"]["hits"]])
        return out

    def assign_stories(self, articles: list[ArticleEnriched]) -> list[ArticleIndexed]:
        existing = self._existing([a.id for a in articles])
        fresh = [a for a in articles if a.id not in existing]
        candidates = dict(zip([a.id for a in fresh], self._candidates(fresh), strict=True))
        in_batch: list[Candidate] = []
        out: list[ArticleIndexed] = []
        for article in articles:
            prev = existing.get(article.id)
            if prev is not None:  # re-delivery or re-fetch: keep the story it already has
                story_id, dup = prev["story_id"], prev.get("duplicate_of")
            else:
                decision = decide(article, candidates[article.id] + in_batch)
                story_id, dup = decision.story_id, decision.duplicate_of
                in_batch.append(candidate_from_article(article, decision))
            out.append(ArticleIndexed(**article.model_dump(), story_id=story_id, duplicate_of=dup))
        return out

    # -- writing ------------------------------------------------------------------------------
    def _bulk(self, docs: list[ArticleIndexed], existing_index: dict[str, str]) -> list[ArticleIndexed]:
        operations: list[dict[str, Any]] = []
        for doc in docs:
            index = existing_index.get(doc.id) or self.names.articles_index_for(
                doc.published_at or doc.fetched_at
            )
            operations.append({"index": {"_index": index, "_id": doc.id}})
            operations.append(article_document(doc))
        resp = self.es.bulk(operations=operations, refresh="wait_for")
        accepted: list[ArticleIndexed] = []
        for doc, item in zip(docs, resp["items"], strict=True):
            result = item.get("index", {})
            status = result.get("status", 500)
            if status < 300:
                accepted.append(doc)
            elif status == 429 or status >= 500:
                raise TransientError(f"bulk item {doc.id} rejected with {status}: {result.get('error')}")
            else:  # the document itself is unacceptable: quarantine it, keep the rest
                DEAD.labels("rejected_by_es").inc()
                letter = dead_letter_event(
                    topic=self.source_topic,
                    raw=doc.to_bytes(),
                    error=f"Elasticsearch rejected the document: {result.get('error')}",
                    service=self.service,
                    key=doc.id,
                )
                send_dead_letter(self.producer, letter)
        return accepted

    def process(self, records: list[Record]) -> int:
        """Index one batch end to end; returns articles indexed. Raises ``TransientError`` to retry."""
        with BATCHES.time():
            try:
                articles = self._decode(records)
                if not articles:
                    return 0
                docs = self.assign_stories(articles)
                existing = {d.id: d for d in docs}
                index_of = {k: v["index"] for k, v in self._existing(list(existing)).items()}
                accepted = self._bulk(docs, index_of)
                futures = [
                    self.producer.send(self.indexed_topic, key=d.id.encode(), value=d.to_bytes())
                    for d in accepted
                ]
                for fut in futures:
                    fut.get(timeout=60)
            except (TransportError, ApiError) as exc:
                raise TransientError(f"Elasticsearch: {exc}") from exc
            except TransientError:
                raise
            except Exception as exc:
                if type(exc).__module__.startswith("kafka"):
                    raise TransientError(f"Kafka: {exc}") from exc
                raise
        INDEXED.inc(len(accepted))
        log.info("indexed %d article(s) (%d record(s))", len(accepted), len(records))
        return len(accepted)


def retry_delays(first: float = 0.5, cap: float = 30.0):  # type: ignore[no-untyped-def]
    """0.5, 1, 2, 4 … seconds, capped: the wait between retries of a failing batch."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * 2)


def process_with_retry(indexer: Indexer, records: list[Record], stop: Any) -> bool:
    """Retry a batch until it succeeds or ``stop`` is set; True when it was processed."""
    delays = retry_delays()
    while not stop.is_set():
        try:
            indexer.process(records)
            return True
        except TransientError as exc:
            RETRIES.inc()
            wait = next(delays)
            log.warning("batch not indexed (%s); retrying in %.1fs", exc, wait)
            stop.wait(wait)
    return False
