"""The test stack is real: a Kafka broker that stores and serves messages and an Elasticsearch node
that indexes and searches, both reached through the ``stack`` fixture."""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from tests.stack import RunningStack, load_stack_module

pytestmark = pytest.mark.integration


def _es(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def test_kafka_broker_round_trips_a_keyed_message(stack: RunningStack, test_namespace: str) -> None:
    topic = f"{test_namespace}.stack-check"
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    payload = json.dumps({"probe": uuid.uuid4().hex}).encode()
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    try:
        metadata = producer.send(topic, key=b"article-1", value=payload).get(timeout=30)
    finally:
        producer.close()
    assert metadata.topic == topic and metadata.offset == 0

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        group_id=f"{test_namespace}-stack-check",
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        received = next(iter(consumer))
    finally:
        consumer.close()
    assert (received.key, received.value) == (b"article-1", payload)


def test_elasticsearch_indexes_and_searches_a_document(stack: RunningStack, test_namespace: str) -> None:
    index = f"{test_namespace}-stack-check"
    _es("PUT", f"{stack.es_url}/{index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0}})
    _es("PUT", f"{stack.es_url}/{index}/_doc/seed-1?refresh=true", {"title": "Stoltenberg bertemu Prabowo"})
    _es("PUT", f"{stack.es_url}/{index}/_doc/seed-2?refresh=true", {"title": "Harga beras naik"})

    found = _es("POST", f"{stack.es_url}/{index}/_search", {"query": {"match": {"title": "stoltenberg"}}})

    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["seed-1"]


def test_stack_probes_tell_a_live_server_from_a_closed_port(stack: RunningStack) -> None:
    stack_mod = load_stack_module()
    host, _, port = stack.kafka_bootstrap.split(",")[0].rpartition(":")
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]

    assert stack_mod.kafka_probe(host, int(port)) is True
    assert stack_mod.kafka_probe("127.0.0.1", closed) is False
    assert stack_mod.es_health(stack.es_url)["status"] in ("yellow", "green")
    assert stack_mod.es_health(f"http://127.0.0.1:{closed}") is None


def test_namespace_is_a_valid_topic_and_index_prefix(test_namespace: str) -> None:
    # ES index names must be lowercase and must not start with _ - + ; topics allow [a-zA-Z0-9._-]
    assert test_namespace[0] == "t" and test_namespace == test_namespace.lower()
    assert test_namespace[1:].isalnum()
