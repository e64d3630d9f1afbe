"""The Faust agent glue, driven through ``agent.test_context()`` (no broker)."""

from __future__ import annotations

import asyncio

from warta.events import Alert, DeadLetter
from warta_alerter.app import create_app
from warta_alerter.processor import ArticleProcessor
from warta_alerter.retry import Stopped
from warta_alerter.settings import Settings
from warta_alerter.store import AlertStore

from .fakes import FakeES, make_article, make_subscription

TEXT = "Sekretaris Jenderal NATO Jens Stoltenberg bertemu para menteri di Brussels."


def build(settings: Settings | None = None):
    app, runtime = create_app(settings or Settings(topic_prefix="t.", web_port=0))
    runtime.registry.apply(make_subscription("sub-1", "Stoltenberg"))
    published: list[Alert] = []
    letters: list[DeadLetter] = []

    async def publish(alert: Alert) -> None:
        published.append(alert)

    async def dead_letter(letter: DeadLetter) -> None:
        letters.append(letter)

    runtime.processor = ArticleProcessor(
        runtime.matcher,
        AlertStore(FakeES(), "t-alerts"),
        publish,
        dead_letter,
        lambda _id: None,
        runtime.metrics,
        source_topic=runtime.articles_topic,
    )
    runtime.registry.ready.set()
    return app.agents["alert_on_articles"], runtime, published, letters


async def test_agent_dead_letters_a_bad_event_keeps_running_and_acks_what_it_handled():
    agent, runtime, published, letters = build()
    async with agent.test_context() as ctx:
        good_1 = await ctx.put(make_article("a1", "story-1", "NATO", TEXT).to_bytes(), key=b"a1")
        bad = await ctx.put(b"not json", key=b"bad")
        good_2 = await ctx.put(make_article("a2", "story-2", "NATO", TEXT).to_bytes(), key=b"a2")
        await asyncio.sleep(0.1)
    assert [a.story_id for a in published] == ["story-1", "story-2"]
    assert [(x.key, x.topic) for x in letters] == [("bad", "t.articles.indexed.v1")]
    assert all(e.message.acked for e in (good_1, bad, good_2))


async def test_agent_leaves_the_event_unacknowledged_when_stopping_mid_outage():
    agent, runtime, published, letters = build()

    async def stopping_handle(*_args, **_kwargs):
        raise Stopped("recording alert")

    runtime.processor.handle = stopping_handle  # type: ignore[method-assign]
    async with agent.test_context() as ctx:
        event = await ctx.put(make_article("a1", "story-1", "NATO", TEXT).to_bytes(), key=b"a1")
        await asyncio.sleep(0.1)
    assert not event.message.acked  # its offset will not be committed; a restart redelivers it
