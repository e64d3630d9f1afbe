"""Once per story per subscription, dead-lettering and riding out ES outages (in-memory ES)."""

from __future__ import annotations

import json

from warta.events import Alert, DeadLetter
from warta.ids import alert_id
from warta_alerter.matching import SubscriptionMatcher
from warta_alerter.metrics import AlerterMetrics
from warta_alerter.processor import ArticleProcessor
from warta_alerter.store import AlertStore, Outcome
from warta_alerter.subscriptions import SubscriptionRegistry

from .fakes import FakeES, make_article, make_subscription

TEXT_A = "Sekretaris Jenderal NATO Jens Stoltenberg bertemu para menteri di Brussels."
TEXT_B = "Jens Stoltenberg mengatakan NATO akan memperkuat pertahanan di Eropa timur."
TEXT_OTHER = "Gempa berkekuatan 5,2 mengguncang Jakarta pada Senin pagi."


class Harness:
    def __init__(self, *queries: str) -> None:
        self.es = FakeES()
        self.registry = SubscriptionRegistry()
        for i, q in enumerate(queries):
            self.registry.apply(make_subscription(f"sub-{i}", q))
        self.published: list[Alert] = []
        self.letters: list[DeadLetter] = []
        self.submitted: list[str] = []
        self.metrics = AlerterMetrics()
        self.store = AlertStore(self.es, "t-alerts")
        self.processor = ArticleProcessor(
            SubscriptionMatcher(self.registry),
            self.store,
            self._publish,
            self._dead_letter,
            self.submitted.append,
            self.metrics,
            source_topic="t.articles.indexed.v1",
            max_backoff=0.01,
        )

    async def _publish(self, alert: Alert) -> None:
        self.published.append(alert)

    async def _dead_letter(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


async def test_two_articles_of_one_story_fire_one_alert_and_count_both():
    h = Harness("Stoltenberg")
    first = await h.processor.handle(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    second = await h.processor.handle(make_article("art-2", "story-1", "NATO lagi", TEXT_B).to_bytes())
    assert [r.outcome for r in first.recorded] == [Outcome.FIRED]
    assert [r.outcome for r in second.recorded] == [Outcome.COUNTED]
    expected_id = alert_id("sub-0", "story-1")
    assert [a.id for a in h.published] == [expected_id]
    assert h.submitted == [expected_id]
    doc = h.es.docs[expected_id]
    assert doc["article_count"] == 2
    assert doc["article"]["id"] == "art-1"
    assert doc["status"] == "pending" and doc["attempts"] == 0
    assert doc["matched_terms"] == ["Stoltenberg"]
    assert "<em>Stoltenberg</em>" in doc["article"]["snippet"]


async def test_another_story_fires_its_own_alert_and_a_non_matching_article_fires_none():
    h = Harness("Stoltenberg")
    await h.processor.handle(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    await h.processor.handle(make_article("art-3", "story-2", "NATO", TEXT_B).to_bytes())
    none = await h.processor.handle(make_article("art-4", "story-3", "Gempa", TEXT_OTHER).to_bytes())
    assert none.recorded == []
    assert {a.story_id for a in h.published} == {"story-1", "story-2"}


async def test_each_subscription_gets_its_own_alert_for_the_same_story():
    h = Harness("Stoltenberg", "NATO", "gempa")
    handled = await h.processor.handle(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    assert sorted(r.alert.subscription_id for r in handled.recorded) == ["sub-0", "sub-1"]
    assert len({a.id for a in h.published}) == 2


async def test_replaying_the_firing_article_republishes_but_does_not_count_again():
    h = Harness("Stoltenberg")
    raw = make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes()
    await h.processor.handle(raw)
    replay = await h.processor.handle(raw)
    assert [r.outcome for r in replay.recorded] == [Outcome.REPLAYED]
    assert len(h.published) == 2 and h.published[0].id == h.published[1].id
    assert h.es.docs[h.published[0].id]["article_count"] == 1


async def test_malformed_event_is_dead_lettered_with_reason_and_the_next_event_still_alerts():
    h = Harness("Stoltenberg")
    bad = await h.processor.handle(b'{"id": "half an article"', key=b"k1", partition=2, offset=41)
    assert bad.dead_lettered is not None
    (letter,) = h.letters
    assert letter.topic == "t.articles.indexed.v1"
    assert letter.partition == 2 and letter.offset == 41 and letter.key == "k1"
    assert letter.original == '{"id": "half an article"'
    assert letter.error_type == "ValidationError" and letter.service == "alerter"
    good = await h.processor.handle(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    assert [r.outcome for r in good.recorded] == [Outcome.FIRED]


async def test_valid_json_that_is_not_an_indexed_article_is_dead_lettered():
    h = Harness("Stoltenberg")
    article = json.loads(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    del article["story_id"]
    handled = await h.processor.handle(json.dumps(article).encode())
    assert handled.dead_lettered is not None and "story_id" in handled.dead_lettered.error
    assert h.published == []


async def test_empty_and_binary_payloads_are_dead_lettered():
    h = Harness("Stoltenberg")
    await h.processor.handle(None)
    await h.processor.handle(b"\xff\xfe\x00garbage")
    assert len(h.letters) == 2
    assert h.letters[1].original.startswith("base64:")
    assert h.metrics.dlq._value.get() == 2


async def test_es_outage_is_retried_and_the_alert_is_recorded_once():
    h = Harness("Stoltenberg")
    h.es.fail_next = 3
    handled = await h.processor.handle(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    assert [r.outcome for r in handled.recorded] == [Outcome.FIRED]
    assert len(h.es.docs) == 1 and len(h.published) == 1
    assert h.metrics.transient_errors._value.get() == 3


async def test_a_later_article_delivered_again_is_not_counted_twice():
    h = Harness("Stoltenberg")
    await h.processor.handle(make_article("art-1", "story-1", "NATO", TEXT_A).to_bytes())
    second = make_article("art-2", "story-1", "NATO lagi", TEXT_B).to_bytes()
    await h.processor.handle(second)
    again = await h.processor.handle(second)  # the same files fed twice, or a Kafka redelivery
    assert [r.outcome for r in again.recorded] == [Outcome.ALREADY_COUNTED]
    doc = h.es.docs[alert_id("sub-0", "story-1")]
    assert doc["article_count"] == 2 and doc["article_ids"] == ["art-1", "art-2"]
    assert len(h.published) == 1
