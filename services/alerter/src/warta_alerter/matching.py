"""Which active subscriptions an indexed article matches.

The decision itself is :func:`warta.analysis.query.match_article` and ``filters_match`` - the same
code and analyser search uses, so a subscription fires for exactly what its query finds in search.
This module only avoids asking every subscription about every article: each query yields a set of
*anchor* word sequences, one of which must occur in any article it matches (for ``a AND b``: the
anchors of one side; for ``a OR b``: the anchors of both). Subscriptions are indexed by the first
analysed term of their anchors, per article language, and only those whose anchor term occurs in
the article (plus the few with no anchor, e.g. ``lang:id`` or ``NOT x``) are evaluated in full.
The prefilter is conservative: it may let through a subscription that then does not match, never
the other way round.

The article is also analysed for matching (term positions, filter keys) once per article rather
than once per candidate subscription, through :class:`PreparedArticle`; a unit test checks that
this gives exactly what the public ``match_article`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from warta.analysis.analyzer import terms_for_language
from warta.analysis.query import And, FieldFilter, Not, Or, Query, Terms
from warta.analysis.query import PreparedArticle as _PreparedArticle
from warta.events import ArticleIndexed
from warta_alerter.subscriptions import ActiveSubscription, SubscriptionRegistry


def anchors(query: Query) -> list[tuple[str, ...]] | None:
    """Word sequences of which at least one occurs in every matching article; None = no such set."""
    if isinstance(query, Terms):
        return [query.words] if query.words else None
    if isinstance(query, And):
        best: list[tuple[str, ...]] | None = None
        for child in query.children:
            found = anchors(child)
            if found is not None and (best is None or len(found) < len(best)):
                best = found
        return best
    if isinstance(query, Or):
        union: list[tuple[str, ...]] = []
        for child in query.children:
            found = anchors(child)
            if found is None:
                return None
            union.extend(found)
        return union
    if isinstance(query, Not | FieldFilter):
        return None
    return None


class PreparedArticle(_PreparedArticle):
    """An article with its matching structures built once (the query module's own evaluator)."""

    def __init__(self, article: ArticleIndexed) -> None:
        super().__init__(article)


@dataclass(frozen=True)
class Match:
    subscription: ActiveSubscription
    matched_terms: list[str]


class SubscriptionMatcher:
    """Matches articles against the registry, with a per-language anchor-term index."""

    def __init__(self, registry: SubscriptionRegistry, backfill_seconds: float | None = 300.0) -> None:
        self.registry = registry
        # An article indexed well before a subscription existed does not alert it (a first
        # deployment reading the topic from the start must not flood new subscribers with old
        # news); the slack absorbs clock skew between API and indexer. None = no such rule.
        self.backfill = timedelta(seconds=backfill_seconds) if backfill_seconds is not None else None
        self._generation = -1
        self._anchors: dict[str, list[tuple[str, ...]]] = {}
        self._unanchored: list[str] = []
        self._by_lang: dict[str, dict[str, list[str]]] = {}
        self.evaluated = 0  # full evaluations (for benches)

    def _refresh(self) -> None:
        if self._generation == self.registry.generation:
            return
        self._anchors.clear()
        self._unanchored = []
        self._by_lang.clear()
        for sub in self.registry.active():
            found = anchors(sub.query)
            if found is None:
                self._unanchored.append(sub.id)
            else:
                self._anchors[sub.id] = found
        self._generation = self.registry.generation

    def _index_for(self, lang: str) -> dict[str, list[str]]:
        index = self._by_lang.get(lang)
        if index is None:
            index = {}
            for sub_id, seqs in self._anchors.items():
                for seq in seqs:
                    first = terms_for_language(seq, lang)[0]
                    bucket = index.setdefault(first, [])
                    if not bucket or bucket[-1] != sub_id:
                        bucket.append(sub_id)
            self._by_lang[lang] = index
        return index

    def candidates(self, article: ArticleIndexed) -> list[str]:
        """Ids of subscriptions that may match ``article`` (a superset of the real matches)."""
        self._refresh()
        index = self._index_for((article.language.code or "und").lower())
        seen: dict[str, None] = dict.fromkeys(self._unanchored)
        for t in set(article.terms):
            for sub_id in index.get(t, ()):
                seen.setdefault(sub_id, None)
        return list(seen)

    def match(self, article: ArticleIndexed) -> list[Match]:
        """Every active subscription whose filters and query match ``article``."""
        out: list[Match] = []
        prepared: PreparedArticle | None = None
        for sub_id in self.candidates(article):
            sub = self.registry.get(sub_id)
            if sub is None:
                continue
            if self.backfill is not None and article.indexed_at < sub.subscription.created_at - self.backfill:
                continue
            self.evaluated += 1
            if prepared is None:
                prepared = PreparedArticle(article)
            if not prepared.passes(sub.subscription.filters):
                continue
            words = prepared.match(sub.query)
            if words is not None:
                out.append(Match(sub, words))
        return out
