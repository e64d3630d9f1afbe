"""Kafka helpers (kafka-python): a durable producer, topic creation and dead-lettering.

Producers use ``acks=all`` with idempotence and retries so a send is never silently dropped;
callers that must not lose data wait on the returned future (or ``flush()``) before acknowledging
their own input.
"""

from __future__ import annotations

import base64
import logging
import time
import traceback
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewPartitions, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from warta.events import DeadLetter
from warta.topics import TopicSpec, all_topics, dlq, topic_name

log = logging.getLogger(__name__)


def make_producer(bootstrap: str, client_id: str = "warta", **overrides: Any) -> KafkaProducer:
    """A producer that waits for all in-sync replicas, retries, and compresses.

    Keys and values are bytes; serialise events with ``Event.to_bytes()``.
    """
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap.split(","),
        "client_id": client_id,
        "acks": "all",
        "retries": 2_147_483_647,
        "enable_idempotence": True,
        "max_in_flight_requests_per_connection": 5,
        "compression_type": "gzip",
        "linger_ms": 20,
        "delivery_timeout_ms": 120_000,
        "request_timeout_ms": 30_000,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def wait_for_kafka(bootstrap: str, timeout: float = 60.0) -> None:
    """Block until the broker answers a metadata request, or raise ``TimeoutError``."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), request_timeout_ms=5000)
            try:
                consumer.topics()
                return
            finally:
                consumer.close()
        except (KafkaError, OSError) as exc:
            last = exc
            time.sleep(1.0)
    raise TimeoutError(f"Kafka at {bootstrap} not reachable within {timeout:.0f}s: {last}")


def ensure_topics(
    bootstrap: str,
    prefix: str = "",
    partitions: int = 3,
    replication: int = 1,
    specs: Iterable[TopicSpec] | None = None,
) -> list[str]:
    """Create every topic (and its DLQ twin) that is missing; grow partitions that are too few.

    Returns the names of topics created. Safe to call from every service at start-up.
    """
    specs = list(specs) if specs is not None else all_topics()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","), client_id="warta-admin")
    try:
        existing = set(admin.list_topics())
        wanted = []
        for spec in specs:
            name = topic_name(spec.name, prefix)
            if name in existing:
                continue
            configs = {"cleanup.policy": "compact"} if spec.compacted else {}
            wanted.append(
                NewTopic(
                    name, num_partitions=partitions, replication_factor=replication, topic_configs=configs
                )
            )
        created: list[str] = []
        for topic in wanted:
            try:
                admin.create_topics([topic])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass
        _grow_partitions(admin, [topic_name(s.name, prefix) for s in specs], partitions)
        return created
    finally:
        admin.close()


def _grow_partitions(admin: KafkaAdminClient, names: list[str], partitions: int) -> None:
    try:
        described = admin.describe_topics(names)
    except KafkaError:
        return
    grow = {}
    for topic in described:
        count = len(topic.get("partitions") or [])
        if 0 < count < partitions:
            grow[topic["topic"]] = NewPartitions(total_count=partitions)
    if grow:
        admin.create_partitions(grow)


def encode_original(raw: bytes | None) -> str:
    if raw is None:
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(raw).decode("ascii")


def dead_letter_event(
    *,
    topic: str,
    raw: bytes | None,
    error: BaseException | str,
    service: str,
    key: bytes | str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> DeadLetter:
    """Build the DLQ record for a message that cannot be processed (``topic`` = where it came from)."""
    if isinstance(error, BaseException):
        message = f"{type(error).__name__}: {error}"
        error_type = type(error).__name__
        log.debug("dead-lettering: %s", "".join(traceback.format_exception(error)))
    else:
        message, error_type = error, "Rejected"
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    return DeadLetter(
        topic=topic,
        partition=partition,
        offset=offset,
        key=key,
        error=message[:4000],
        error_type=error_type,
        service=service,
        original=encode_original(raw),
    )


def send_dead_letter(producer: KafkaProducer, letter: DeadLetter, timeout: float = 30.0) -> None:
    """Write ``letter`` to ``<topic>.dlq`` and wait for the broker's acknowledgement."""
    key = letter.key.encode("utf-8") if letter.key else None
    producer.send(dlq(letter.topic), key=key, value=letter.to_bytes()).get(timeout=timeout)
