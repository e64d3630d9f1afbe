"""Alert matching throughput: indexed articles × subscriptions, in process (no Kafka, no ES).

Articles: the Indonesian Tribunnews set in ``../shared/data/topics/tribunnews_id/news.json``
(analysed with the real analyser, as the enricher does); falls back to the two seed articles.
Subscriptions: queries drawn from the articles' own title words (so a realistic share matches),
in the shapes users write - a word, two words, an OR, a phrase, a NOT, a field filter.

Prints, per subscription count (rates in CPU time of this process, as the machine is shared): articles/s with the anchor-term prefilter, articles/s when every
subscription is evaluated (what a plain loop would do), full evaluations per article, and matches
per article; both paths are checked to return the same matches.

    uv run python bench/alerts_matching.py [--subs 100,1000,10000] [--articles 400]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from warta.analysis.analyzer import analyze, is_stopword, tokenize
from warta.analysis.query import filters_match, match_article
from warta.events import ArticleIndexed, Delivery, Language, SourceRef, Subscription, WebhookDelivery
from warta_alerter.matching import SubscriptionMatcher
from warta_alerter.subscriptions import SubscriptionRegistry

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "topics" / "tribunnews_id" / "news.json"
SEEDS = REPO / "tests" / "fixtures" / "seeds"


def load_articles(limit: int) -> list[ArticleIndexed]:
    rows: list[tuple[str, str]] = []
    if DATA.exists():
        rows = [(r["title"], r["content"]) for r in json.loads(DATA.read_text("utf-8"))]
    elif SEEDS.exists():
        for path in sorted(SEEDS.glob("*.txt")):
            title, _, body = path.read_text("utf-8").partition("\n")
            rows.append((title, body))
    out = []
    for i, (title, text) in enumerate(rows[:limit]):
        out.append(
            ArticleIndexed(
                id=f"a{i}",
                source=SourceRef(id="tribunnews.com", name="tribunnews.com", kind="bench"),
                title=title,
                text=text or title,
                content_hash=str(i),
                language=Language(code="id", confidence=1.0),
                terms=analyze(f"{title}\n\n{text}", "id"),
                enricher_version="bench",
                story_id=f"s{i}",
            )
        )
    return out


def make_queries(articles: list[ArticleIndexed], n: int, rng: random.Random) -> list[str]:
    # Title words found in at most 3% of the articles: topical words, as people subscribe to
    # ("Askrindo", "gempa"), not "jakarta" or "tahun".
    df: dict[str, int] = {}
    for a in articles:
        for t in set(a.terms):
            df[t] = df.get(t, 0) + 1
    limit = max(2, int(0.03 * len(articles)))
    words = sorted(
        {
            tok
            for a in articles
            for tok, _, _ in tokenize(a.title or "")
            if len(tok) > 3
            and tok.isalpha()
            and not is_stopword(tok, "id")
            and df.get(analyze(tok, "id")[0], 0) <= limit
        }
    )
    shapes = [
        lambda a, b: a,
        lambda a, b: f"{a} {b}",
        lambda a, b: f"{a} OR {b}",
        lambda a, b: f'"{a} {b}"',
        lambda a, b: f"{a} -{b}",
        lambda a, b: f"lang:id {a}",
        lambda a, b: f"({a} OR {b}) AND NOT sepak",
    ]
    return [rng.choice(shapes)(*rng.sample(words, 2)) for _ in range(n)]


def registry_for(queries: list[str]) -> SubscriptionRegistry:
    reg = SubscriptionRegistry()
    created = datetime(2020, 1, 1, tzinfo=UTC)
    for i, q in enumerate(queries):
        reg.apply(
            Subscription(
                id=f"sub{i}",
                tenant="bench",
                name=str(i),
                query=q,
                delivery=Delivery(webhook=WebhookDelivery(url="https://example.com/h", secret="k")),
                created_at=created,
            )
        )
    return reg


def brute_force(reg: SubscriptionRegistry, article: ArticleIndexed) -> set[str]:
    return {
        s.id
        for s in reg.active()
        if filters_match(s.subscription.filters, article) and match_article(s.query, article) is not None
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subs", default="100,1000,10000")
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--brute-max", type=int, default=1000, help="skip the slow path above this many subs")
    args = parser.parse_args()
    rng = random.Random(42)
    articles = load_articles(args.articles)
    if not articles:
        print("no articles available (../shared/data and tests/fixtures/seeds both missing)")
        return
    avg_terms = sum(len(a.terms) for a in articles) / len(articles)
    print(
        f"articles: {len(articles)} ({'tribunnews_id' if DATA.exists() else 'seeds'}), avg {avg_terms:.0f} terms"
    )
    print(f"{'subs':>7} {'prefilter art/s':>16} {'evals/art':>10} {'matches/art':>12} {'all-subs art/s':>15}")
    for n in (int(x) for x in args.subs.split(",")):
        reg = registry_for(make_queries(articles, n, rng))
        matcher = SubscriptionMatcher(reg, backfill_seconds=None)
        matcher.match(articles[0])  # build the index outside the timing
        matcher.evaluated = 0
        t0 = time.process_time()
        results = [{m.subscription.id for m in matcher.match(a)} for a in articles]
        fast = len(articles) / (time.process_time() - t0)
        matches = sum(len(r) for r in results) / len(articles)
        evals = matcher.evaluated / len(articles)
        slow_txt = "-"
        if n <= args.brute_max:
            t0 = time.process_time()
            slow_results = [brute_force(reg, a) for a in articles]
            slow = len(articles) / (time.process_time() - t0)
            assert slow_results == results, "prefilter changed the matches"
            slow_txt = f"{slow:,.0f}"
        print(f"{n:>7} {fast:>16,.0f} {evals:>10.1f} {matches:>12.2f} {slow_txt:>15}")


if __name__ == "__main__":
    main()
