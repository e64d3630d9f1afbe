"""The in-memory subscription registry: versions, deletes, tombstones, invalid queries."""

from __future__ import annotations

from pydantic import ValidationError

from warta_alerter.subscriptions import SubscriptionRegistry

from .fakes import make_subscription


def test_create_update_and_delete_apply_in_version_order():
    reg = SubscriptionRegistry()
    assert reg.apply(make_subscription("s1", "nato", version=1))
    assert reg.get("s1").subscription.query == "nato"
    assert reg.apply(make_subscription("s1", "stoltenberg", version=2))
    assert reg.get("s1").subscription.query == "stoltenberg"
    assert reg.apply(make_subscription("s1", "stoltenberg", version=3, active=False))
    assert reg.get("s1") is None and len(reg) == 0


def test_an_older_version_read_later_does_not_override_or_resurrect():
    reg = SubscriptionRegistry()
    reg.apply(make_subscription("s1", "new query", version=5))
    assert not reg.apply(make_subscription("s1", "old query", version=4))
    assert reg.get("s1").subscription.query == "new query"
    reg.apply(make_subscription("s1", "new query", version=6, active=False))
    assert not reg.apply(make_subscription("s1", "new query", version=5))
    assert reg.get("s1") is None


def test_query_is_parsed_once_when_applied():
    reg = SubscriptionRegistry()
    reg.apply(make_subscription("s1", '"Jens Stoltenberg" OR nato'))
    parsed = reg.get("s1").query
    assert parsed is reg.get("s1").query
    assert type(parsed).__name__ == "Or"


def test_an_unparseable_query_is_rejected_without_raising():
    reg = SubscriptionRegistry()
    assert not reg.apply(make_subscription("s1", "(nato AND"))
    assert reg.get("s1") is None and reg.rejected == 1


def test_a_tombstone_on_the_compacted_topic_deletes_the_key():
    reg = SubscriptionRegistry()
    sub = make_subscription("s1", "nato")
    reg.apply_raw(b"s1", sub.to_bytes())
    assert reg.get("s1") is not None
    assert reg.apply_raw(b"s1", None)
    assert reg.get("s1") is None


def test_a_record_that_is_not_a_subscription_raises_validation_error():
    reg = SubscriptionRegistry()
    try:
        reg.apply_raw(b"x", b'{"id": 1}')
    except ValidationError:
        pass
    else:  # pragma: no cover
        raise AssertionError("expected ValidationError")
    assert len(reg) == 0


def test_loading_es_documents_skips_invalid_ones_and_counts_generation_changes():
    reg = SubscriptionRegistry()
    before = reg.generation
    docs = [make_subscription("s1", "nato").model_dump(mode="json"), {"id": "broken"}]
    assert reg.load(docs) == 1
    assert reg.get("s1") is not None
    assert reg.generation > before
