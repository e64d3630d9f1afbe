"""The enrichment pipeline end to end on the seeds, without Kafka."""

from __future__ import annotations

from pathlib import Path

import pytest

from warta.analysis.analyzer import analyze
from warta.enrichment import signature as sig
from warta.enrichment.boilerplate import split_title
from warta.enrichment.pipeline import ENRICHER_VERSION, Enricher, EnrichmentError, article_from_record
from warta.events import ArticleEnriched, ArticleFetched, SourceRef

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


def _seed_article(name: str, **extra: object) -> ArticleFetched:
    title, body = split_title((SEEDS / name).read_text(encoding="utf-8"))
    return ArticleFetched(
        id=name,
        source=SourceRef(id="seeds", name="seeds", kind="local"),
        title=title,
        text=body,
        content_hash="x",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def seeds(enricher: Enricher) -> list[ArticleEnriched]:
    return [enricher.enrich(_seed_article(p.name)) for p in sorted(SEEDS.glob("*.txt"))]


def test_seeds_are_enriched_as_indonesian_with_clean_text(seeds: list[ArticleEnriched]) -> None:
    for article in seeds:
        assert article.language.code == "id"
        assert "Baca Juga" not in article.text and "Baca juga" not in article.text
        assert "Scroll to Top" not in article.text
        assert article.enricher_version == ENRICHER_VERSION


def test_seed_enrichment_carries_entities_topics_keywords(seeds: list[ArticleEnriched]) -> None:
    for article in seeds:
        canon = {e.canonical for e in article.entities}
        assert "Jens Stoltenberg" in canon
        assert any("NATO" in (e.text, e.canonical) or "Treaty" in e.canonical for e in article.entities)
        assert article.topics and all(t.code.startswith("medtop:") for t in article.topics)
        assert "Ukraina" in article.keywords
        assert len(article.signature) == sig.SIGNATURE_SIZE


def test_entity_offsets_index_title_blank_line_text(seeds: list[ArticleEnriched]) -> None:
    first = seeds[0]
    full = f"{first.title}\n\n{first.text}"
    for entity in first.entities:
        for start, end in entity.offsets:
            assert full[start:end], entity


def test_terms_are_the_analyser_output_of_title_and_text(seeds: list[ArticleEnriched]) -> None:
    for article in seeds:
        full = f"{article.title}\n\n{article.text}" if article.title else article.text
        assert article.terms == analyze(full, article.language.code)


def test_seed_pair_is_one_story(seeds: list[ArticleEnriched]) -> None:
    assert sig.same_story(seeds[0].signature, seeds[1].signature)
    assert not sig.is_duplicate(seeds[0].signature, seeds[1].signature)


def test_declared_malay_page_does_not_override_clear_indonesian_text(enricher: Enricher) -> None:
    article = enricher.enrich(_seed_article("001_d5006e6d1023d86e.txt", html_lang="ms"))
    assert article.language.code == "id"


def test_text_that_is_only_boilerplate_is_an_enrichment_error(enricher: Enricher) -> None:
    with pytest.raises(EnrichmentError, match="empty after boilerplate"):
        enricher.enrich_text("Baca Juga : Berita lain\n\nBagikan :\nScroll to Top")


@pytest.mark.parametrize(
    "text",
    [
        "😀 " * 50 + "ok fine",
        "a",
        "x" * 50_000,
        "\u202eمرحبا بالعالم\u202c and some English words here",
        "Line\x00with\x07controls and words",
        "ÀÉÎÕÜ " * 200,
        "1 2 3 4 5 6 7 8 9 ab",
    ],
)
def test_weird_input_never_raises_anything_but_enrichment_error(enricher: Enricher, text: str) -> None:
    try:
        result = enricher.enrich_text(text)
    except EnrichmentError:
        return
    assert isinstance(result, ArticleEnriched)
    assert len(result.signature) == sig.SIGNATURE_SIZE


def test_record_without_text_is_rejected_with_a_clear_error() -> None:
    with pytest.raises(EnrichmentError, match='"text"'):
        article_from_record({"title": "no body"})
    with pytest.raises(EnrichmentError):
        article_from_record(["not", "an", "object"])  # type: ignore[arg-type]


def test_record_ids_are_deterministic_when_absent() -> None:
    a = article_from_record({"text": "Sama persis."})
    b = article_from_record({"text": "Sama persis."})
    assert a.id == b.id
    assert article_from_record({"id": "given", "text": "x y"}).id == "given"


def test_enrich_record_returns_json_ready_fields(enricher: Enricher) -> None:
    out = enricher.enrich_record(
        {"id": "r1", "title": "Judul", "text": "Presiden Joko Widodo berkunjung ke Jakarta hari ini."}
    )
    assert set(out) == {
        "id", "url", "title", "text", "language", "entities", "topics", "keywords", "signature", "enricher_version",
    }  # fmt: skip
    assert out["id"] == "r1"
    assert out["language"]["code"] == "id"
    assert "terms" in enricher.enrich_record({"text": "Presiden berkunjung ke Jakarta."}, with_terms=True)
