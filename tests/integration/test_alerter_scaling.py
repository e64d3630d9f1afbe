"""Two alerter instances in one consumer group: the articles are shared out, the subscriptions are
not (each instance holds them all), and every story still alerts exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.integration.test_alerter_webhooks import (
    NATO_A,
    AlerterHarness,
    Receiver,
    article,
    subscription,
    wait_for,
)
from warta.ids import alert_id

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def two_instances(
    stack, test_namespace, tmp_path_factory
) -> Iterator[tuple[AlerterHarness, AlerterHarness, Receiver]]:
    receiver = Receiver()
    first = AlerterHarness(stack, test_namespace, tmp_path_factory.mktemp("alerter-a"), tag="scl")
    second = AlerterHarness(stack, test_namespace, tmp_path_factory.mktemp("alerter-b"), tag="scl")
    first.start()
    second.start()
    try:
        yield first, second, receiver
    except BaseException:
        print(first.log_tail(), second.log_tail(), sep="\n----\n")
        raise
    finally:
        second.close()
        first.close()
        receiver.close()


def test_two_instances_share_the_articles_and_each_story_alerts_once(two_instances):
    first, second, receiver = two_instances
    sub = subscription("sub-scale", "Stoltenberg", f"{receiver.url}/scale", "scale-secret")
    first.put_subscription(sub)
    # the group has settled once each instance consumes one of the two partitions
    wait_for(
        lambda: [h.readyz()["assigned_partitions"] for h in (first, second)] == [1, 1],
        60,
        "the group to rebalance",
    )
    time.sleep(1.0)
    stories = [f"story-scale-{i}" for i in range(12)]
    for i, story in enumerate(stories):
        # two articles per story, with different keys so they may land on different instances
        first.put_article(article(f"sc-{i}-a", story, "Stoltenberg", NATO_A))
        first.put_article(article(f"sc-{i}-b", story, "Stoltenberg lagi", NATO_A))

    expected = {alert_id(sub.id, s) for s in stories}
    wait_for(
        lambda: {c["headers"]["Idempotency-Key"] for c in receiver.at("/scale")} == expected,
        90,
        "one delivery per story",
    )
    time.sleep(2.0)
    keys = [c["headers"]["Idempotency-Key"] for c in receiver.at("/scale")]
    assert sorted(keys) == sorted(expected)  # no story twice
    for aid in expected:
        assert first.alert_doc(aid)["article_count"] == 2
    seen = [h.metrics()["warta_alerter_articles_total"] for h in (first, second)]
    assert sum(seen) >= 2 * len(stories)
    assert all(n > 0 for n in seen), f"one instance got no articles: {seen}"
