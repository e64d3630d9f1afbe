"""Matching glue: the anchor prefilter never loses a match, filters and the backfill rule apply."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from warta.analysis.query import filters_match, match_article, parse_query
from warta_alerter.matching import SubscriptionMatcher, anchors
from warta_alerter.subscriptions import SubscriptionRegistry

from .fakes import make_article, make_subscription

SEED_TEXT = (
    "Sekretaris Jenderal NATO Jens Stoltenberg mengatakan aliansi akan memperkuat pertahanan di "
    "kawasan timur Eropa setelah pertemuan para menteri pertahanan di Brussels."
)


def test_anchors_of_and_or_not_and_fields():
    assert anchors(parse_query("nato")) == [("nato",)]
    assert anchors(parse_query("nato stoltenberg")) in ([("nato",)], [("stoltenberg",)])
    assert sorted(anchors(parse_query("nato OR brussels"))) == [("brussels",), ("nato",)]
    assert anchors(parse_query('"jens stoltenberg"')) == [("jens", "stoltenberg")]
    assert anchors(parse_query("NOT nato")) is None
    assert anchors(parse_query("lang:id")) is None
    assert anchors(parse_query("lang:id nato")) == [("nato",)]
    assert anchors(parse_query("nato OR lang:id")) is None


def test_matcher_finds_the_subscription_with_matched_words_and_skips_others():
    reg = SubscriptionRegistry()
    reg.apply(make_subscription("s-match", "Stoltenberg"))
    reg.apply(make_subscription("s-other", "gempa"))
    reg.apply(make_subscription("s-phrase", '"Jens Stoltenberg" AND pertahanan'))
    matcher = SubscriptionMatcher(reg)
    found = {
        m.subscription.id: m.matched_terms
        for m in matcher.match(make_article("a1", "st1", "NATO", SEED_TEXT))
    }
    assert set(found) == {"s-match", "s-phrase"}
    assert found["s-match"] == ["Stoltenberg"]


def test_stemmed_forms_match_like_search_does():
    reg = SubscriptionRegistry()
    reg.apply(make_subscription("s1", "pertahanan"))  # "pertahanan" and "bertahan" share the stem "tahan"
    matcher = SubscriptionMatcher(reg)
    article = make_article("a1", "st1", "Ukraina bertahan", "Pasukan Ukraina bertahan di timur.")
    assert [m.subscription.id for m in matcher.match(article)] == ["s1"]


def test_subscription_filters_restrict_matches():
    reg = SubscriptionRegistry()
    reg.apply(make_subscription("s-en", "nato", languages=["en"]))
    reg.apply(make_subscription("s-id", "nato", languages=["id"]))
    matcher = SubscriptionMatcher(reg)
    ids = [m.subscription.id for m in matcher.match(make_article("a1", "st1", "NATO", SEED_TEXT, lang="id"))]
    assert ids == ["s-id"]


def test_articles_indexed_long_before_the_subscription_existed_do_not_alert_it():
    reg = SubscriptionRegistry()
    now = datetime.now(UTC)
    reg.apply(make_subscription("s1", "nato", created_at=now))
    matcher = SubscriptionMatcher(reg, backfill_seconds=300)
    old = make_article("a-old", "st1", "NATO", SEED_TEXT, indexed_at=now - timedelta(hours=2))
    recent = make_article("a-new", "st2", "NATO", SEED_TEXT, indexed_at=now - timedelta(seconds=30))
    assert matcher.match(old) == []
    assert [m.subscription.id for m in matcher.match(recent)] == ["s1"]


def test_index_follows_registry_changes():
    reg = SubscriptionRegistry()
    matcher = SubscriptionMatcher(reg)
    article = make_article("a1", "st1", "NATO", SEED_TEXT)
    assert matcher.match(article) == []
    reg.apply(make_subscription("s1", "brussels"))
    assert [m.subscription.id for m in matcher.match(article)] == ["s1"]
    reg.apply(make_subscription("s1", "brussels", version=2, active=False))
    assert matcher.match(article) == []


def test_prefilter_gives_exactly_the_brute_force_matches_on_random_queries():
    rng = random.Random(7)
    vocab = [
        "nato",
        "stoltenberg",
        "brussels",
        "menteri",
        "pertahanan",
        "gempa",
        "banjir",
        "jakarta",
        "eropa",
    ]
    texts = [" ".join(rng.choices(vocab, k=12)) for _ in range(40)]
    articles = [make_article(f"a{i}", f"st{i}", "Berita", t) for i, t in enumerate(texts)]
    queries = []
    for _ in range(120):
        a, b, c = rng.sample(vocab, 3)
        queries.append(
            rng.choice(
                [
                    a,
                    f"{a} {b}",
                    f"{a} OR {b}",
                    f"{a} -{b}",
                    f"({a} OR {b}) {c}",
                    f'"{a} {b}"',
                    f"NOT {a}",
                    f"lang:id {a}",
                ]
            )
        )
    reg = SubscriptionRegistry()
    for i, q in enumerate(queries):
        reg.apply(make_subscription(f"s{i}", q))
    matcher = SubscriptionMatcher(reg)
    for article in articles:
        fast = {m.subscription.id: m.matched_terms for m in matcher.match(article)}
        slow = {
            s.id: match_article(s.query, article)
            for s in reg.active()
            if filters_match(s.subscription.filters, article) and match_article(s.query, article) is not None
        }
        assert fast == slow  # same subscriptions and the same matched words
    assert matcher.evaluated < len(articles) * len(queries)  # the prefilter did skip work
