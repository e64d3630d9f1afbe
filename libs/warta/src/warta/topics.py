"""Topic names and their specs. Every topic has a ``.dlq`` twin."""

from __future__ import annotations

from dataclasses import dataclass

ARTICLES_FETCHED = "articles.fetched.v1"
ARTICLES_ENRICHED = "articles.enriched.v1"
ARTICLES_INDEXED = "articles.indexed.v1"
SUBSCRIPTIONS = "subscriptions.v1"
ALERTS = "alerts.v1"


def topic_name(base: str, prefix: str = "") -> str:
    """The topic as it exists on the broker: ``prefix`` (``WARTA_TOPIC_PREFIX``) + base name."""
    return f"{prefix}{base}"


def dlq(topic: str) -> str:
    return f"{topic}.dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    compacted: bool = False


MAIN_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(ARTICLES_FETCHED),
    TopicSpec(ARTICLES_ENRICHED),
    TopicSpec(ARTICLES_INDEXED),
    TopicSpec(SUBSCRIPTIONS, compacted=True),
    TopicSpec(ALERTS),
)


def all_topics() -> list[TopicSpec]:
    """Main topics plus their dead-letter twins (DLQs are never compacted)."""
    out: list[TopicSpec] = []
    for spec in MAIN_TOPICS:
        out.append(spec)
        out.append(TopicSpec(dlq(spec.name)))
    return out
