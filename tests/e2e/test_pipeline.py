"""The whole pipeline on the seed articles: fetch → enrich → index → search, and alerts."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer

from tests.e2e.conftest import (
    WebhookReceiver,
    copy_seeds,
    dumps,
    valid_signature,
    wait_for,
    write_sources,
)
from warta.events import ArticleFetched, SourceRef
from warta.ids import content_hash

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def ingested(pipeline, tmp_path_factory):
    """A Stoltenberg subscription is created first, then the seeds folder is fetched once."""
    receiver = WebhookReceiver()
    with pipeline.client("tenant-a") as api:
        created = api.post(
            "/v1/subscriptions",
            json={
                "name": "NATO chief",
                "query": "Stoltenberg",
                "delivery": {"webhook": {"url": receiver.url}},
            },
        )
        assert created.status_code == 201, created.text
        sub = created.json()
    time.sleep(3)  # the alerter follows subscriptions.v1 live; give it a moment before articles flow
    work = tmp_path_factory.mktemp("seeds")
    sources = write_sources(work / "sources.yaml", copy_seeds(work / "seeds"))
    run = pipeline.warta("fetch", "--once", str(sources))
    assert run.returncode == 0, run.stdout + run.stderr

    def both_searchable():
        with pipeline.client() as api:
            body = api.get("/v1/search", params={"q": "Stoltenberg", "size": 10}).json()
        return body if body.get("total", {}).get("value") == 2 else None

    try:
        result = wait_for(both_searchable, timeout=150, what="both seed articles to be searchable")
    except AssertionError:
        raise AssertionError("\n".join(f"--- {n}\n{pipeline.logs(n)}" for n in pipeline.procs)) from None
    yield {"search": result, "subscription": sub, "receiver": receiver, "sources": sources}
    receiver.close()


def test_seed_articles_are_searchable_in_indonesian(ingested):
    hits = ingested["search"]["results"]
    assert len(hits) == 2
    assert {h["language"] for h in hits} == {"id"}
    assert all("<em>Stoltenberg</em>" in h["highlight"]["snippet"] for h in hits)


def test_seed_articles_share_one_story(ingested):
    stories = {h["story_id"] for h in ingested["search"]["results"]}
    assert len(stories) == 1, dumps(ingested["search"])


def test_seed_entities_include_nato_and_stoltenberg(pipeline, ingested):
    with pipeline.client() as api:
        for hit in ingested["search"]["results"]:
            article = api.get(f"/v1/articles/{hit['id']}").json()
            names = {(e[k], e["type"]) for e in article["entities"] for k in ("text", "canonical")}
            assert ("NATO", "ORG") in names, dumps(article["entities"])
            nato = next(e for e in article["entities"] if e["text"] == "NATO")
            assert nato["kb_id"] == "Q7184"
            assert ("Jens Stoltenberg", "PER") in names, dumps(article["entities"])


def test_boilerplate_never_reaches_the_index(pipeline, ingested):
    with pipeline.client() as api:
        for hit in ingested["search"]["results"]:
            text = api.get(f"/v1/articles/{hit['id']}").json()["text"]
            for junk in ("Baca Juga", "Baca juga", "Bagikan", "Scroll to Top", "Sumber :"):
                assert junk not in text


def test_subscription_gets_exactly_one_signed_webhook_for_the_story(pipeline, ingested):
    receiver = ingested["receiver"]
    wait_for(lambda: receiver.deliveries, timeout=60, what="a webhook delivery")
    time.sleep(5)  # a second delivery for the same story would arrive by now
    assert len(receiver.deliveries) == 1
    delivery = receiver.deliveries[0]
    assert valid_signature(delivery, ingested["subscription"]["delivery"]["webhook"]["secret"])
    alert = __import__("json").loads(delivery.body)
    assert delivery.headers["idempotency-key"] == alert["id"]
    assert alert["subscription_id"] == ingested["subscription"]["id"]
    assert alert["story_id"] == ingested["search"]["results"][0]["story_id"]
    with pipeline.client() as api:
        alerts = api.get(f"/v1/subscriptions/{ingested['subscription']['id']}/alerts").json()
    assert len(alerts["alerts"]) == 1


def test_feeding_the_same_files_again_adds_no_document_and_no_alert(
    pipeline, ingested, stack, test_namespace
):
    es = Elasticsearch(stack.es_url)
    before = {h["id"]: h for h in ingested["search"]["results"]}
    started = datetime.now(UTC)
    # a fresh fetcher state forgets what was sent, so the events really flow through again
    env_state = pipeline.env["WARTA_FETCHER_STATE_DIR"]
    pipeline.env["WARTA_FETCHER_STATE_DIR"] = env_state + "-again"
    try:
        run = pipeline.warta("fetch", "--once", str(ingested["sources"]))
    finally:
        pipeline.env["WARTA_FETCHER_STATE_DIR"] = env_state
    assert run.returncode == 0, run.stdout + run.stderr

    def reindexed():
        docs = es.search(index=f"{test_namespace}-articles", size=10, query={"match_all": {}})["hits"]["hits"]
        fresh = [d for d in docs if datetime.fromisoformat(d["_source"]["indexed_at"]) > started]
        return docs if len(fresh) == 2 else None

    docs = wait_for(reindexed, timeout=120, what="the re-fed articles to pass through the indexer")
    assert len(docs) == 2
    assert {d["_id"] for d in docs} == set(before)
    assert {d["_source"]["story_id"] for d in docs} == {next(iter(before.values()))["story_id"]}
    time.sleep(5)  # the alerter sees the re-indexed articles shortly after
    assert len(ingested["receiver"].deliveries) == 1
    with pipeline.client() as api:
        alerts = api.get(f"/v1/subscriptions/{ingested['subscription']['id']}/alerts").json()
    assert len(alerts["alerts"]) == 1
    assert alerts["alerts"][0]["article_count"] == 2


def test_malformed_event_goes_to_dlq_and_later_good_events_are_indexed(pipeline, stack, test_namespace):
    topic = f"{test_namespace}.articles.fetched.v1"
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    producer.send(topic, key=b"broken", value=b'{"this is": "not an article"')
    text = f"Warta checks dead letters {uuid.uuid4().hex}. The indexer keeps running after a bad message arrives."
    good = ArticleFetched(
        id="e2e-good-" + uuid.uuid4().hex[:8],
        source=SourceRef(id="e2e", name="e2e", kind="test"),
        title="Pipeline survives malformed input",
        text=text,
        content_hash=content_hash(text),
    )
    producer.send(topic, key=good.id.encode(), value=good.to_bytes())
    producer.flush()
    producer.close()

    consumer = KafkaConsumer(
        f"{topic}.dlq",
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
    )
    letters = []

    def dead_lettered():
        for msg in consumer:
            letters.append(__import__("json").loads(msg.value))
        return [x for x in letters if x.get("key") == "broken"]

    found = wait_for(dead_lettered, timeout=60, what="the malformed event in the DLQ")
    consumer.close()
    assert found[0]["error"], found[0]
    assert found[0]["original"].startswith('{"this is"')

    def good_indexed():
        with pipeline.client() as api:
            r = api.get(f"/v1/articles/{good.id}")
        return r.status_code == 200

    wait_for(good_indexed, timeout=90, what="the good event after the malformed one to be indexed")


def test_a_tenant_cannot_read_or_delete_another_tenants_subscription(pipeline, ingested):
    sub_id = ingested["subscription"]["id"]
    with pipeline.client("tenant-b") as other:
        assert other.get(f"/v1/subscriptions/{sub_id}").status_code == 404
        assert other.delete(f"/v1/subscriptions/{sub_id}").status_code == 404
        assert other.get(f"/v1/subscriptions/{sub_id}/alerts").status_code == 404
    with pipeline.client("tenant-a") as owner:
        assert owner.get(f"/v1/subscriptions/{sub_id}").status_code == 200


def test_every_service_reports_healthy_ready_and_metrics(pipeline, ingested):
    ports = {
        "enricher": pipeline.env["WARTA_ENRICHER_WEB_PORT"],
        "indexer": pipeline.env["WARTA_INDEXER_METRICS_PORT"],
        "alerter": pipeline.env["WARTA_ALERTER_WEB_PORT"],
        "api": pipeline.env["WARTA_API_PORT"],
    }
    for name, port in ports.items():
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200, name
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200, name
        metrics = httpx.get(f"{base}/metrics", timeout=5)
        assert metrics.status_code == 200 and "# TYPE" in metrics.text, name
    indexer_metrics = httpx.get(f"http://127.0.0.1:{ports['indexer']}/metrics", timeout=5).text
    assert "warta_indexer_articles_indexed_total" in indexer_metrics
