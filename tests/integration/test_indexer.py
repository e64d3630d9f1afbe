"""The indexer against real Kafka and Elasticsearch: bulk writes, stories, DLQ, idempotency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from warta.analysis.analyzer import analyze
from warta.elastic import ensure_indices, make_es
from warta.enrichment.boilerplate import clean_text, split_title
from warta.enrichment.signature import signature
from warta.events import ArticleEnriched, Entity, Language, SourceRef
from warta.ids import article_id, content_hash
from warta.kafka import ensure_topics, make_producer
from warta.topics import ARTICLES_ENRICHED, ARTICLES_INDEXED, dlq, topic_name
from warta_indexer.indexer import Indexer, Record

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def seed_article(name: str) -> ArticleEnriched:
    title, body = split_title(clean_text((SEEDS / name).read_text("utf-8")))
    text_hash = content_hash(body)
    return ArticleEnriched(
        id=article_id(None, "seeds", text_hash),
        source=SourceRef(id="seeds", name="seeds", kind="folder"),
        title=title,
        text=body,
        content_hash=text_hash,
        language=Language(code="id", confidence=0.99),
        entities=[
            Entity(text="NATO", type="ORG", canonical="NATO", kb_id="Q7184"),
            Entity(text="Jens Stoltenberg", type="PER", canonical="Jens Stoltenberg"),
        ],
        keywords=["nato", "stoltenberg", "ukraina"],
        signature=signature(f"{title or ''}\n\n{body}", "id"),
        terms=analyze(f"{title or ''}\n\n{body}", "id"),
        enricher_version="test",
    )


@pytest.fixture()
def indexer(stack, test_namespace, request):
    prefix = f"{test_namespace}{request.node.name[-6:].lower()}"
    ensure_topics(stack.kafka_bootstrap, f"{prefix}.", partitions=1)
    es = make_es(stack.es_url)
    ensure_indices(es, prefix)
    producer = make_producer(stack.kafka_bootstrap)
    idx = Indexer(
        es,
        producer,
        es_prefix=prefix,
        source_topic=topic_name(ARTICLES_ENRICHED, f"{prefix}."),
        indexed_topic=topic_name(ARTICLES_INDEXED, f"{prefix}."),
    )
    yield idx
    producer.close()
    es.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)


def record(idx: Indexer, value: bytes, offset: int, key: bytes | None = None) -> Record:
    return Record(idx.source_topic, 0, offset, key, value)


def drain(bootstrap: str, topic: str) -> list[dict]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=3000
    )
    try:
        return [json.loads(m.value) for m in consumer]
    finally:
        consumer.close()


def test_seed_articles_in_one_batch_share_a_story_and_bad_records_are_dead_lettered(indexer, stack):
    a, b = seed_article("000_b7ca16f26af62a2d.txt"), seed_article("001_d5006e6d1023d86e.txt")
    records = [
        record(indexer, a.to_bytes(), 0, a.id.encode()),
        record(indexer, b"{not json", 1, b"bad"),
        record(indexer, b.to_bytes(), 2, b.id.encode()),
    ]
    assert indexer.process(records) == 2
    docs = indexer.es.search(index=indexer.names.articles, query={"match_all": {}})["hits"]["hits"]
    assert {d["_id"] for d in docs} == {a.id, b.id}
    assert len({d["_source"]["story_id"] for d in docs}) == 1
    letters = drain(stack.kafka_bootstrap, dlq(indexer.source_topic))
    assert [x["key"] for x in letters] == ["bad"]
    assert "JSON" in letters[0]["error"] or "json" in letters[0]["error"]
    indexed = drain(stack.kafka_bootstrap, indexer.indexed_topic)
    assert {e["id"] for e in indexed} == {a.id, b.id}
    assert {e["story_id"] for e in indexed} == {docs[0]["_source"]["story_id"]}


def test_story_is_found_in_elasticsearch_across_batches_and_redelivery_changes_nothing(indexer):
    a, b = seed_article("000_b7ca16f26af62a2d.txt"), seed_article("001_d5006e6d1023d86e.txt")
    indexer.process([record(indexer, a.to_bytes(), 0)])
    indexer.process([record(indexer, b.to_bytes(), 1)])
    indexer.process([record(indexer, b.to_bytes(), 2), record(indexer, a.to_bytes(), 3)])
    docs = indexer.es.search(index=indexer.names.articles, query={"match_all": {}})["hits"]["hits"]
    assert len(docs) == 2
    stories = {d["_id"]: d["_source"]["story_id"] for d in docs}
    assert stories[a.id] == stories[b.id]
    assert indexer.es.count(index=indexer.names.articles)["count"] == 2


def test_unrelated_article_starts_its_own_story(indexer):
    a = seed_article("000_b7ca16f26af62a2d.txt")
    text = (
        "Timnas Indonesia menang 2-0 atas Vietnam dalam laga Piala AFF di Stadion Gelora Bung Karno, Jakarta."
    )
    other = a.model_copy(
        update={
            "id": "other",
            "title": "Timnas menang",
            "text": text,
            "signature": signature(text, "id"),
            "terms": analyze(text, "id"),
        }
    )
    indexer.process([record(indexer, a.to_bytes(), 0), record(indexer, other.to_bytes(), 1)])
    docs = indexer.es.search(index=indexer.names.articles, query={"match_all": {}})["hits"]["hits"]
    assert len({d["_source"]["story_id"] for d in docs}) == 2
