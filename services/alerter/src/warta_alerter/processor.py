"""One indexed article in, alerts out: the work the Faust agent does per event.

Per event: parse → match every active subscription → for each match record the alert in ES
(``create``; a conflict = the story already fired, so only count) → publish new alerts on
``alerts.v1`` → hand them to webhook delivery. Failure handling, per event:

- the event is not a valid ``ArticleIndexed`` (or matching it raises): dead-lettered to
  ``articles.indexed.v1.dlq`` with the reason, and the stream moves on;
- ES or Kafka unavailable: retried with capped backoff for as long as it takes; the event is not
  acknowledged meanwhile, so its offset is not committed and a restart picks it up again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from pydantic import ValidationError

from warta.analysis.query import highlight
from warta.events import Alert, AlertArticle, ArticleIndexed, DeadLetter
from warta.ids import alert_id
from warta.kafka import dead_letter_event
from warta_alerter.matching import Match, SubscriptionMatcher
from warta_alerter.metrics import AlerterMetrics
from warta_alerter.retry import Stopped, retry_transient
from warta_alerter.store import AlertStore, Outcome, Recorded, is_transient

log = logging.getLogger(__name__)

SERVICE = "alerter"


def build_alert(article: ArticleIndexed, match: Match) -> Alert:
    """The alert for ``match``: deterministic id from subscription + story, snippet with matched words."""
    sub = match.subscription.subscription
    lang = article.language.code
    snippet, _ = highlight(article.text, lang, match.subscription.query)
    if "<em>" not in snippet and article.title:
        title_snippet, _ = highlight(article.title, lang, match.subscription.query)
        if "<em>" in title_snippet:
            snippet = title_snippet
    return Alert(
        id=alert_id(sub.id, article.story_id),
        subscription_id=sub.id,
        tenant=sub.tenant,
        article=AlertArticle(
            id=article.id,
            title=article.title,
            url=article.canonical_url or article.url,
            source=article.source.name,
            language=lang,
            published_at=article.published_at,
            snippet=snippet,
        ),
        story_id=article.story_id,
        matched_terms=match.matched_terms,
    )


@dataclass
class Handled:
    """What happened to one event (for tests and logs)."""

    dead_lettered: DeadLetter | None = None
    recorded: list[Recorded] = field(default_factory=list)


class ArticleProcessor:
    def __init__(
        self,
        matcher: SubscriptionMatcher,
        store: AlertStore,
        publish_alert: Callable[[Alert], Awaitable[None]],
        publish_dead_letter: Callable[[DeadLetter], Awaitable[None]],
        submit_delivery: Callable[[str], None],
        metrics: AlerterMetrics,
        *,
        source_topic: str,
        max_backoff: float = 30.0,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.matcher = matcher
        self.store = store
        self.publish_alert = publish_alert
        self.publish_dead_letter = publish_dead_letter
        self.submit_delivery = submit_delivery
        self.metrics = metrics
        self.source_topic = source_topic
        self.max_backoff = max_backoff
        self.should_stop = should_stop

    async def _transient(self, operation: Callable[[], Awaitable[object]], what: str) -> object:
        return await retry_transient(
            operation,
            is_transient=is_transient,
            what=what,
            max_delay=self.max_backoff,
            should_stop=self.should_stop,
            on_retry=lambda _exc: self.metrics.transient_errors.inc(),
        )

    async def handle(
        self,
        raw: bytes | None,
        *,
        key: bytes | str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> Handled:
        """Process one event of ``articles.indexed.v1``. Raises only ``retry.Stopped`` (shutting
        down mid-outage: the event must stay unacknowledged) - everything else is handled here."""
        self.metrics.articles.inc()
        try:
            if raw is None:
                raise ValueError("empty message (no value)")
            article = ArticleIndexed.from_bytes(raw)
            matches = self.matcher.match(article)
        except (ValidationError, ValueError, UnicodeDecodeError) as exc:
            return await self._dead_letter(raw, exc, key, partition, offset)
        except Exception as exc:  # a bug in matching must not stop the stream: quarantine the event
            log.exception("matching failed for event at %s@%s", partition, offset)
            return await self._dead_letter(raw, exc, key, partition, offset)

        handled = Handled()
        for match in matches:
            self.metrics.matched.inc()
            alert = build_alert(article, match)
            try:
                recorded = await self._transient(
                    partial(self.store.record, alert), f"recording alert {alert.id}"
                )
            except Stopped:
                raise
            except Exception as exc:
                # e.g. a mapping rejection: no retry will help; keep the event for a human
                return await self._dead_letter(raw, exc, key, partition, offset, handled)
            assert isinstance(recorded, Recorded)
            handled.recorded.append(recorded)
            if recorded.outcome is Outcome.COUNTED:
                self.metrics.alerts_counted.inc()
                continue
            if recorded.outcome is Outcome.ALREADY_COUNTED:
                continue
            if recorded.outcome is Outcome.FIRED:
                self.metrics.alerts_fired.inc()
                log.info(
                    "alert %s: subscription %s matched story %s (article %s)",
                    alert.id,
                    alert.subscription_id,
                    alert.story_id,
                    article.id,
                )
            # FIRED, or REPLAYED (the firing article seen again: its publish may not have happened)
            stored = recorded.alert
            await self._transient(partial(self.publish_alert, stored), f"publishing alert {stored.id}")
            self.submit_delivery(stored.id)
        return handled

    async def _dead_letter(
        self,
        raw: bytes | None,
        exc: BaseException,
        key: bytes | str | None,
        partition: int | None,
        offset: int | None,
        handled: Handled | None = None,
    ) -> Handled:
        letter = dead_letter_event(
            topic=self.source_topic,
            raw=raw,
            error=exc,
            service=SERVICE,
            key=key,
            partition=partition,
            offset=offset,
        )
        await self._transient(lambda: self.publish_dead_letter(letter), "dead-lettering")
        self.metrics.dlq.inc()
        log.warning("dead-lettered event at %s@%s: %s", partition, offset, letter.error)
        out = handled or Handled()
        out.dead_lettered = letter
        return out
