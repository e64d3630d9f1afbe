"""Search request building (sort, cursor, collapse, facets) and response shaping, without ES."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.unit.api.conftest import A
from warta.analysis.query import compile_es, parse_query
from warta_api.cursors import decode_cursor, encode_cursor
from warta_api.errors import ApiError
from warta_api.params import parse_instant, split_values
from warta_api.search.schemas import SortOrder
from warta_api.search.service import SearchSpec, build_request, make_highlight


def es_hit(
    doc_id: str, *, sort: list, story: str = "s1", text: str = "Sekjen NATO Jens Stoltenberg berkata."
) -> dict:
    return {
        "_id": doc_id,
        "_score": 1.5,
        "sort": sort,
        "_source": {
            "id": doc_id,
            "title": "NATO & Ukraina",
            "text": text,
            "url": f"https://example.id/{doc_id}",
            "source": {"id": "src", "name": "Example", "kind": "rss", "host": "example.id"},
            "language": {"code": "id", "confidence": 0.99},
            "published_at": "2026-11-20T08:00:00Z",
            "story_id": story,
            "entities": [{"canonical": "NATO", "type": "ORG", "count": 2}],
            "topics": [{"code": "medtop:11000000", "label": "politics", "score": 0.8}],
        },
    }


def test_relevance_sort_ends_with_unique_tiebreak() -> None:
    body, _ = build_request(SearchSpec(text="x", query=parse_query("x")))
    assert body["sort"][0] == {"_score": "desc"}
    assert body["sort"][-1] == {"id": "asc"}


def test_newest_sort_ignores_score() -> None:
    body, _ = build_request(SearchSpec(sort=SortOrder.newest))
    assert "_score" not in str(body["sort"])
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]


def test_filters_are_passed_as_es_filters() -> None:
    spec = SearchSpec(languages=("id",), sources=("antaranews.com",), since=datetime(2026, 11, 1, tzinfo=UTC))
    body, _ = build_request(spec)
    flat = str(body["query"]["bool"]["filter"])
    assert "language.code" in flat and "source_keys" in flat and "2026-11-01" in flat


def test_cursor_round_trips_search_after() -> None:
    spec = SearchSpec(text="nato", query=parse_query("nato"), size=2)
    cursor = encode_cursor(spec.fingerprint(), search_after=[1.5, 1700000000000, "a2"])
    body, _ = build_request(SearchSpec(text="nato", query=parse_query("nato"), size=2, cursor=cursor))
    assert body["search_after"] == [1.5, 1700000000000, "a2"]


def test_cursor_from_another_search_is_refused() -> None:
    cursor = encode_cursor(SearchSpec(text="nato").fingerprint(), search_after=[1])
    with pytest.raises(ApiError) as info:
        decode_cursor(cursor, SearchSpec(text="ukraina").fingerprint())
    assert info.value.code == "invalid_cursor"


def test_collapse_pages_by_offset_and_counts_stories() -> None:
    spec = SearchSpec(collapse_story=True, size=5)
    cursor = encode_cursor(spec.fingerprint(), offset=5)
    body, offset = build_request(SearchSpec(collapse_story=True, size=5, cursor=cursor))
    assert offset == 5 and body["from_"] == 5
    assert body["collapse"]["field"] == "story_id"
    assert "stories" in body["aggs"] and "search_after" not in body


def test_facets_can_be_turned_off() -> None:
    body, _ = build_request(SearchSpec(facets=False))
    assert "aggs" not in body


def test_parse_instant_accepts_dates_datetimes_and_relative() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_instant("2026-11-20", "since") == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_instant("2026-11-20T08:00:00+07:00", "since") == datetime(2026, 11, 20, 1, tzinfo=UTC)
    assert parse_instant("2026-11-20T08:00:00Z", "since").tzinfo is not None
    assert parse_instant("24h", "since", now) == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_instant("2w", "since", now) == datetime(2026, 11, 8, 12, 0, tzinfo=UTC)


def test_multi_values_accept_repeats_and_commas() -> None:
    assert split_values(["id,en", "en", " fr "]) == ("id", "en", "fr")


def test_highlight_marks_query_words_with_the_shared_analyser() -> None:
    source = {
        "title": "Stoltenberg <b>NATO</b>",
        "text": "Sekjen NATO Jens Stoltenberg berkata.",
        "language": {"code": "id"},
    }
    hl = make_highlight(source, parse_query('"jens stoltenberg"'))
    assert "<em>Jens</em> <em>Stoltenberg</em>" in hl.snippet
    assert hl.title == "<em>Stoltenberg</em> &lt;b&gt;NATO&lt;/b&gt;"  # escaped, not injected
    assert hl.matched_terms == ["Stoltenberg", "Jens"]


def test_without_query_snippet_is_escaped_text_start() -> None:
    hl = make_highlight({"title": "a<b", "text": "x < y " * 100, "language": {"code": "en"}}, None)
    assert hl.title == "a&lt;b" and hl.snippet.endswith("…") and "<" not in hl.snippet


async def test_search_endpoint_shapes_hits_facets_and_next_cursor(api) -> None:
    api.es.search_response = {
        "took": 3,
        "hits": {
            "total": {"value": 7, "relation": "eq"},
            "hits": [es_hit("a1", sort=[2.0, 1, "a1"]), es_hit("a2", sort=[1.5, 1, "a2"])],
        },
        "aggregations": {
            "language": {"buckets": [{"key": "id", "doc_count": 7}]},
            "topic": {"buckets": [{"key": "politics", "doc_count": 3}]},
            "entity": {"buckets": []},
            "source": {"buckets": [{"key": "example.id", "doc_count": 7}]},
            "day": {"buckets": [{"key": 1, "key_as_string": "2026-11-20", "doc_count": 7}]},
        },
    }
    resp = await api.client.get("/v1/search", params={"q": "NATO", "size": 2, "lang": "ID"}, headers=A)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == {"value": 7, "relation": "eq", "stories": None}
    assert [h["id"] for h in body["results"]] == ["a1", "a2"]
    hit = body["results"][0]
    assert hit["language"] == "id" and hit["source"]["host"] == "example.id" and hit["story_id"] == "s1"
    assert "<em>NATO</em>" in hit["highlight"]["snippet"] and hit["highlight"]["matched_terms"] == ["NATO"]
    assert body["facets"]["day"] == [{"key": "2026-11-20", "count": 7}]
    assert body["facets"]["language"] == [{"key": "id", "count": 7}]
    assert body["next_cursor"]
    sent = api.es.searches[-1]
    assert sent["index"] == "unit-articles" and sent["size"] == 2
    assert {"terms": {"language.code": ["id"]}} in sent["query"]["bool"]["filter"]

    await api.client.get(
        "/v1/search", params={"q": "NATO", "size": 2, "lang": "ID", "cursor": body["next_cursor"]}, headers=A
    )
    assert api.es.searches[-1]["search_after"] == [1.5, 1, "a2"]


async def test_last_page_has_no_cursor(api) -> None:
    api.es.search_response = {
        "took": 1,
        "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [es_hit("a1", sort=[1.0, 1, "a1"])]},
    }
    body = (await api.client.get("/v1/search", params={"q": "NATO", "size": 5}, headers=A)).json()
    assert body["next_cursor"] is None


async def test_metrics_count_requests_by_route_template(api) -> None:
    await api.client.get("/v1/articles/does-not-exist", headers=A)
    text = (await api.client.get("/metrics")).text
    assert 'warta_api_requests_total{method="GET",route="/v1/articles/{article_id}",status="404"} 1.0' in text


def test_relevance_boosts_title_matches_without_changing_what_matches() -> None:
    spec = SearchSpec(text="nato -rusia", query=parse_query('"jens stoltenberg" nato -rusia'))
    query = build_request(spec)[0]["query"]["bool"]
    assert query["must"] == [compile_es(spec.query)]  # matching is exactly the compiled query
    boost = str(query["should"])
    assert "title_terms" in boost and "'terms': 'nato'" not in boost
    assert "rusia" not in boost  # negated words never boost
    assert "language.code" in boost  # per-language word forms keep their language filters
    newest = build_request(SearchSpec(text="nato", query=parse_query("nato"), sort=SortOrder.newest))[0]
    assert "should" not in newest["query"]["bool"]
