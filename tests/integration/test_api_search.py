"""Search, articles and stories through the API against a real Elasticsearch: words, phrases,
AND/OR/NOT, filters, highlights, cursor paging, story collapse, facets, and 400s for bad queries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from warta.analysis.analyzer import analyze
from warta.analysis.query import match_article, parse_query
from warta.elastic import IndexNames, article_document, ensure_indices, make_es
from warta.events import ArticleIndexed, Entity, Language, SourceRef, Topic
from warta.ids import content_hash
from warta_api.app import create_app
from warta_api.settings import Settings

pytestmark = pytest.mark.integration

AUTH = {"Authorization": "Bearer key-a"}
NATO = Entity(text="NATO", type="ORG", canonical="NATO", kb_id="Q7184")
JENS = Entity(text="Jens Stoltenberg", type="PER", canonical="Jens Stoltenberg", kb_id="Q57286")
POLITICS = Topic(code="medtop:11000000", label="politics", score=0.8)


def article(
    doc_id: str,
    lang: str,
    title: str,
    text: str,
    story: str,
    published: str,
    url: str,
    entities=(),
    topics=(),
) -> ArticleIndexed:
    return ArticleIndexed(
        id=doc_id,
        url=url,
        canonical_url=url,
        source=SourceRef(id=url.split("/")[2], name=url.split("/")[2], kind="rss"),
        published_at=datetime.fromisoformat(published),
        title=title,
        text=text,
        content_hash=content_hash(text),
        language=Language(code=lang, confidence=0.99),
        entities=list(entities),
        topics=list(topics),
        terms=analyze(f"{title}\n\n{text}", lang),
        enricher_version="test",
        story_id=story,
    )


CORPUS = [
    article(
        "a1",
        "id",
        "Stoltenberg: NATO dukung Ukraina",
        "Sekretaris Jenderal NATO Jens Stoltenberg mengatakan negara-negara anggota akan mendukung Ukraina.",
        "s-nato",
        "2026-11-20T08:00:00+00:00",
        "https://www.antaranews.com/berita/1",
        [NATO, JENS],
        [POLITICS],
    ),
    article(
        "a2",
        "id",
        "Jens Stoltenberg bertemu Zelensky di Kyiv",
        "Jens Stoltenberg bertemu Presiden Zelensky di Kyiv untuk membahas bantuan musim dingin.",
        "s-nato",
        "2026-11-20T10:00:00+00:00",
        "https://kompas.com/read/2",
        [JENS],
        [POLITICS],
    ),
    article(
        "a3",
        "en",
        "NATO chief Jens Stoltenberg warns Russia",
        "NATO Secretary General Jens Stoltenberg warned Russia on Tuesday as the alliance met in Brussels.",
        "s-en",
        "2026-11-21T09:00:00+00:00",
        "https://www.reuters.com/world/3",
        [NATO, JENS],
        [POLITICS],
    ),
    article(
        "a4",
        "en",
        "Floods hit Jakarta",
        "Heavy rains flooded Jakarta on Monday, officials said, and thousands were evacuated.",
        "s-flood",
        "2026-11-19T06:00:00+00:00",
        "https://www.reuters.com/world/4",
    ),
    article(
        "a5",
        "id",
        "Banjir melanda Jakarta",
        "Hujan deras menyebabkan banjir di Jakarta, kata pejabat setempat.",
        "s-banjir",
        "2026-11-18T06:00:00+00:00",
        "https://www.antaranews.com/berita/5",
    ),
    article(
        "a6",
        "en",
        "A memoir from Oslo",
        "The memoir by Stoltenberg recalls his years as prime minister of Norway.",
        "s-book",
        "2026-10-15T12:00:00+00:00",
        "https://books.example.org/6",
    ),
]


@pytest.fixture(scope="module")
def search_prefix(stack, test_namespace) -> str:
    """An index prefix of this module's own, filled with CORPUS (two monthly indices)."""
    prefix = f"{test_namespace}-apisearch"
    es = make_es(stack.es_url)
    try:
        ensure_indices(es, prefix)
        names = IndexNames(prefix)
        for art in CORPUS:
            es.index(
                index=names.articles_index_for(art.published_at), id=art.id, document=article_document(art)
            )
        es.indices.refresh(index=f"{prefix}-articles-*")
    finally:
        es.close()
    return prefix


@pytest.fixture(scope="module")
async def client(stack, search_prefix, test_namespace) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        es_url=stack.es_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        es_prefix=search_prefix,
        topic_prefix=f"{test_namespace}.apisearch.",
        keys="key-a:tenant-a",
    )
    app = create_app(settings, prepare_indices=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test", headers=AUTH) as c:
        yield c
    await app.state.es.close()


async def search(client: httpx.AsyncClient, **params) -> dict:
    resp = await client.get("/v1/search", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def ids(body: dict) -> set[str]:
    return {h["id"] for h in body["results"]}


async def test_word_search_finds_every_language_and_highlights(client) -> None:
    body = await search(client, q="Stoltenberg")
    assert ids(body) == {"a1", "a2", "a3", "a6"}
    assert body["total"] == {"value": 4, "relation": "eq", "stories": None}
    for hit in body["results"]:
        assert "<em>Stoltenberg</em>" in hit["highlight"]["snippet"]
        assert hit["highlight"]["matched_terms"] == ["Stoltenberg"]
    a1 = next(h for h in body["results"] if h["id"] == "a1")
    assert a1["highlight"]["title"] == "<em>Stoltenberg</em>: NATO dukung Ukraina"
    assert a1["language"] == "id" and a1["source"]["host"] == "antaranews.com" and a1["story_id"] == "s-nato"


async def test_words_match_through_the_shared_stemmer(client) -> None:
    # "mendukung" in a1's text and "dukung" in its title share the Indonesian stem
    body = await search(client, q="mendukung")
    assert ids(body) == {"a1"}
    assert "<em>mendukung</em>" in body["results"][0]["highlight"]["snippet"]


async def test_phrase_requires_adjacent_words(client) -> None:
    assert ids(await search(client, q='"Jens Stoltenberg"')) == {"a1", "a2", "a3"}
    assert ids(await search(client, q='"Stoltenberg Jens"')) == set()


async def test_boolean_operators(client) -> None:
    assert ids(await search(client, q="Stoltenberg AND Zelensky")) == {"a2"}
    assert ids(await search(client, q="Stoltenberg Zelensky")) == {"a2"}  # adjacency = AND
    assert ids(await search(client, q="Zelensky OR banjir")) == {"a2", "a5"}
    assert ids(await search(client, q="Stoltenberg NOT Russia")) == {"a1", "a2", "a6"}
    assert ids(await search(client, q="Stoltenberg -Russia")) == {"a1", "a2", "a6"}
    assert ids(await search(client, q="(banjir OR floods) AND Jakarta")) == {"a4", "a5"}


async def test_language_filter_as_parameter_and_in_query(client) -> None:
    assert ids(await search(client, q="Stoltenberg", lang="en")) == {"a3", "a6"}
    assert ids(await search(client, q="Stoltenberg lang:id")) == {"a1", "a2"}
    assert ids(await search(client, q="Jakarta", lang=["id", "en"])) == {"a4", "a5"}


async def test_entity_source_topic_and_date_filters(client) -> None:
    assert ids(await search(client, entity="Jens Stoltenberg")) == {"a1", "a2", "a3"}
    assert ids(await search(client, q='entity:"jens stoltenberg" AND NOT lang:en')) == {"a1", "a2"}
    assert ids(await search(client, source="reuters.com")) == {"a3", "a4"}
    assert ids(await search(client, q="source:antaranews.com")) == {"a1", "a5"}
    assert ids(await search(client, topic="politics")) == {"a1", "a2", "a3"}
    assert ids(await search(client, since="2026-11-20", until="2026-11-21")) == {"a1", "a2"}


async def test_newest_sort_and_cursor_paging_visit_each_hit_once(client) -> None:
    first = await search(client, q="Stoltenberg", sort="newest", size=3)
    assert [h["id"] for h in first["results"]] == ["a3", "a2", "a1"]
    assert first["results"][0]["score"] is None
    second = await search(client, q="Stoltenberg", sort="newest", size=3, cursor=first["next_cursor"])
    assert [h["id"] for h in second["results"]] == ["a6"]
    assert second["next_cursor"] is None

    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {"q": "Stoltenberg OR Jakarta", "size": 2, **({"cursor": cursor} if cursor else {})}
        page = await search(client, **params)
        seen.extend(h["id"] for h in page["results"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == ["a1", "a2", "a3", "a4", "a5", "a6"]


async def test_cursor_of_another_query_is_400(client) -> None:
    first = await search(client, q="Stoltenberg", size=1)
    resp = await client.get("/v1/search", params={"q": "Jakarta", "size": 1, "cursor": first["next_cursor"]})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_cursor"


async def test_collapse_returns_one_hit_per_story_and_pages(client) -> None:
    body = await search(client, q="Stoltenberg", collapse="story", sort="newest")
    assert [h["story_id"] for h in body["results"]] == ["s-en", "s-nato", "s-book"]
    assert body["results"][1]["id"] == "a2"  # newest article of the story represents it
    assert body["results"][1]["story_articles"] == 2
    assert body["total"]["stories"] == 3 and body["total"]["value"] == 4
    first = await search(client, q="Stoltenberg", collapse="story", sort="newest", size=2)
    second = await search(
        client, q="Stoltenberg", collapse="story", sort="newest", size=2, cursor=first["next_cursor"]
    )
    assert [h["story_id"] for h in first["results"] + second["results"]] == ["s-en", "s-nato", "s-book"]


async def test_facets_count_languages_sources_entities_topics_and_days(client) -> None:
    facets = (await search(client, q="Stoltenberg"))["facets"]
    as_dict = {name: {b["key"]: b["count"] for b in buckets} for name, buckets in facets.items()}
    assert as_dict["language"] == {"id": 2, "en": 2}
    assert as_dict["source"] == {
        "antaranews.com": 1,
        "kompas.com": 1,
        "reuters.com": 1,
        "books.example.org": 1,
    }
    assert as_dict["entity"]["Jens Stoltenberg"] == 3 and as_dict["entity"]["NATO"] == 2
    assert as_dict["topic"] == {"politics": 3}
    assert as_dict["day"] == {"2026-10-15": 1, "2026-11-20": 2, "2026-11-21": 1}


async def test_malformed_query_is_400_with_position(client) -> None:
    resp = await client.get("/v1/search", params={"q": "Stoltenberg AND ("})
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "query_syntax" and err["detail"]["position"] == 17 and err["detail"]["expected"]


async def test_article_by_id_and_404(client) -> None:
    resp = await client.get("/v1/articles/a6")  # in the October index: found through the alias
    assert resp.status_code == 200
    body = resp.json()
    assert body["title"] == "A memoir from Oslo" and body["language"]["code"] == "en"
    assert "terms" not in body and "signature" not in body
    missing = await client.get("/v1/articles/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_story_lists_its_articles_oldest_first(client) -> None:
    resp = await client.get("/v1/stories/s-nato")
    assert resp.status_code == 200
    story = resp.json()
    assert [a["id"] for a in story["articles"]] == ["a1", "a2"]
    assert story["article_count"] == 2 and story["languages"] == ["id"]
    assert (await client.get("/v1/stories/s-none")).status_code == 404


async def test_search_without_query_lists_newest_first(client) -> None:
    body = await search(client, sort="newest", size=100, facets=False)
    assert [h["id"] for h in body["results"]] == ["a3", "a2", "a1", "a4", "a5", "a6"]
    assert body["facets"] is None
    assert body["results"][0]["highlight"]["matched_terms"] == []


async def test_search_before_any_index_exists_is_empty_not_an_error(stack, test_namespace) -> None:
    settings = Settings(es_url=stack.es_url, es_prefix=f"{test_namespace}-apiempty", keys="k:t")
    app = create_app(settings, prepare_indices=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
        resp = await c.get("/v1/search", params={"q": "x"}, headers={"Authorization": "Bearer k"})
    await app.state.es.close()
    assert resp.status_code == 200 and resp.json()["results"] == []


AGREEMENT_QUERIES = [
    "Stoltenberg",
    '"Jens Stoltenberg"',
    "NATO AND NOT Russia",
    "(Zelensky OR floods) -Kyiv",
    "mendukung",
    "memoir OR banjir OR warns",
    'entity:"Jens Stoltenberg" lang:en',
    "source:kompas.com OR topic:politics",
    "Jakarta -lang:en",
]


@pytest.mark.parametrize("q", AGREEMENT_QUERIES)
async def test_search_finds_exactly_what_the_alert_matcher_matches(client, q) -> None:
    """ARCHITECTURE §4: a subscription query matches the same articles in search and in the stream."""
    query = parse_query(q)
    expected = {a.id for a in CORPUS if match_article(query, a) is not None}
    assert expected  # every query here matches something, so agreement is not vacuous
    assert ids(await search(client, q=q, size=100)) == expected


async def test_headline_match_ranks_above_body_only_repetition(stack, test_namespace) -> None:
    prefix = f"{test_namespace}-apirank"
    body_only = article(
        "r-body",
        "id",
        "Ekonomi pekan ini",
        "Inflasi naik. Pemerintah menyebut inflasi bulan lalu dan inflasi tahunan sebagai tantangan utama.",
        "s-r1",
        "2026-11-20T08:00:00+00:00",
        "https://example.id/r1",
    )
    headline = article(
        "r-title", "id", "Inflasi melambat",
        "Harga bahan pokok stabil sepanjang bulan ini menurut data terbaru pemerintah daerah setempat.",
        "s-r2", "2026-11-20T08:00:00+00:00", "https://example.id/r2",
    )  # fmt: skip
    es = make_es(stack.es_url)
    try:
        ensure_indices(es, prefix)
        for art in (body_only, headline):
            es.index(
                index=IndexNames(prefix).articles_index_for(art.published_at),
                id=art.id,
                document=article_document(art),
                refresh="wait_for",
            )
    finally:
        es.close()
    app = create_app(Settings(es_url=stack.es_url, es_prefix=prefix, keys="k:t"), prepare_indices=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test") as c:
        resp = await c.get("/v1/search", params={"q": "inflasi"}, headers={"Authorization": "Bearer k"})
    await app.state.es.close()
    assert [h["id"] for h in resp.json()["results"]] == ["r-title", "r-body"]
