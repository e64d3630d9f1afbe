"""The query language: parsing, errors with positions, and the stream matcher's semantics."""

from __future__ import annotations

import pytest

from warta.analysis.analyzer import analyze
from warta.analysis.query import (
    And,
    FieldFilter,
    Not,
    Or,
    QuerySyntaxError,
    Terms,
    compile_es,
    filters_match,
    highlight,
    match_article,
    parse_query,
)
from warta.events import ArticleEnriched, Entity, Language, SourceRef, Topic


def make_article(title: str, text: str, lang: str = "id", **kw) -> ArticleEnriched:
    return ArticleEnriched(
        id="a1",
        url=kw.get("url", "https://www.antaranews.com/berita/1"),
        source=SourceRef(id="antara", name="ANTARA", kind="feed"),
        title=title,
        text=text,
        content_hash="x",
        language=Language(code=lang, confidence=0.99),
        entities=kw.get("entities", []),
        topics=kw.get("topics", []),
        terms=analyze(f"{title}\n\n{text}", lang),
        enricher_version="test",
    )


SEED = make_article(
    "Para Menlu NATO Bahas Bantuan Musim Dingin Untuk Kyiv",
    "Kepala NATO Jens Stoltenberg akan meminta sekutu untuk menjanjikan lebih banyak bantuan.",
    entities=[Entity(text="Jens Stoltenberg", type="PER", canonical="Jens Stoltenberg", kb_id="Q57545")],
    topics=[Topic(code="medtop:11000000", label="politics", score=0.9)],
)


def test_adjacent_words_are_anded_and_operators_nest():
    q = parse_query('"Jens Stoltenberg" AND (NATO OR PBB) -Rusia lang:id')
    assert q == And(
        (
            Terms(("Jens", "Stoltenberg"), phrase=True),
            Or((Terms(("NATO",)), Terms(("PBB",)))),
            Not(Terms(("Rusia",))),
            FieldFilter("lang", "id"),
        )
    )
    assert parse_query("a b") == And((Terms(("a",)), Terms(("b",))))


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("(nato", 5, "closing parenthesis"),
        ('"jens', 0, "unterminated phrase"),
        ("nato OR", 7, "ends too early"),
        ("foo:bar", 0, "unknown field 'foo:'"),
        ("nato )", 5, "unexpected ')'"),
        ("", 0, "empty query"),
        ("NOT", 3, "nothing after"),
    ],
)
def test_syntax_errors_say_where_and_what_was_expected(query, position, fragment):
    with pytest.raises(QuerySyntaxError) as err:
        parse_query(query)
    assert err.value.position == position
    assert fragment in err.value.message
    assert err.value.expected


def test_word_matches_inflected_indonesian_forms_through_the_stemmer():
    # "bantuan" in the text and "membantu" in the query share the stem "bantu"
    assert match_article(parse_query("membantu"), SEED) == ["membantu"]


def test_phrase_needs_words_in_order():
    assert match_article(parse_query('"Jens Stoltenberg"'), SEED) == ["Jens Stoltenberg"]
    assert match_article(parse_query('"Stoltenberg Jens"'), SEED) is None


def test_not_excludes_and_or_accepts_either():
    assert match_article(parse_query("NATO -Stoltenberg"), SEED) is None
    assert match_article(parse_query("Rusia OR Kyiv"), SEED) == ["Kyiv"]
    assert match_article(parse_query("NOT Rusia"), SEED) == []


def test_field_filters_use_article_keys():
    assert match_article(parse_query("lang:id"), SEED) == []
    assert match_article(parse_query("lang:en"), SEED) is None
    assert match_article(parse_query('entity:"jens stoltenberg"'), SEED) == []
    assert match_article(parse_query("entity:Q57545"), SEED) == []
    assert match_article(parse_query("source:antaranews.com"), SEED) == []
    assert match_article(parse_query("topic:medtop:11000000"), SEED) == []


def test_language_of_document_decides_stemming():
    english = make_article("Aid for Kyiv", "Allies pledged winter assistance", lang="en")
    assert match_article(parse_query("pledges"), english) == ["pledges"]
    assert match_article(parse_query("pledges"), SEED) is None


def test_subscription_filters_need_every_nonempty_group():
    assert filters_match({"languages": ["id"], "entities": ["Jens Stoltenberg"]}, SEED)
    assert not filters_match({"languages": ["en"]}, SEED)
    assert filters_match({}, SEED)


def test_es_query_pairs_each_stem_with_the_languages_that_produce_it():
    es = compile_es(parse_query("bantuan"))
    forms = es["bool"]["should"]
    indonesian = [f for f in forms if {"term": {"terms": "bantu"}} in f["bool"]["must"]]
    assert len(indonesian) == 1
    langs = indonesian[0]["bool"]["filter"][0]["bool"]["should"][0]["terms"]["language.code"]
    assert "id" in langs and "ms" in langs and "en" not in langs


def test_highlight_marks_what_matched_and_escapes_html():
    snippet, words = highlight(
        "Kepala NATO <b>Jens</b> Stoltenberg berbicara", "id", parse_query("stoltenberg")
    )
    assert "<em>Stoltenberg</em>" in snippet
    assert "&lt;b&gt;" in snippet
    assert words == ["Stoltenberg"]


def test_indonesian_stems_come_from_the_root_dictionary():
    from warta.analysis.analyzer import analyze

    assert analyze("menteri mengatakan bertemu pertemuan", "id") == ["menteri", "kata", "temu", "temu"]
    teri = make_article("Harga ikan teri naik", "Pedagang ikan teri di pasar mengeluh.")
    assert match_article(parse_query("menteri"), teri) is None


def test_second_level_topic_is_filed_under_its_top_level_parent():
    from warta.enrichment.topics import mediatopic, resolve_topic

    election = resolve_topic("election")
    assert election and mediatopic(election).parent
    article = make_article(
        "Pemilu", "Pemilihan umum digelar.", topics=[Topic(code=election, label="election", score=0.8)]
    )
    assert match_article(parse_query("topic:election"), article) == []
    assert match_article(parse_query("topic:politics"), article) == []
    assert match_article(parse_query("topic:sport"), article) is None
