"""Story decisions: join the best matching earlier story, or start one with a deterministic id."""

from __future__ import annotations

from warta.enrichment.signature import signature
from warta.events import ArticleEnriched, Language, SourceRef
from warta_indexer.stories import Candidate, candidate_query, decide, new_story_id

BASE = (
    "Kepala NATO Jens Stoltenberg akan meminta sekutu untuk menjanjikan lebih banyak bantuan musim dingin "
    "untuk Kyiv pada pertemuan di Bucharest, setelah presiden Ukraina Volodymyr Zelenskyy mengatakan kepada "
    "warga untuk bersiap menghadapi dingin dan gelap karena serangan Rusia di infrastruktur energi."
)
COPY = BASE.replace("Kepala", "Pemimpin")
OTHER = "Timnas Indonesia menang 2-0 atas Vietnam dalam laga Piala AFF di Stadion Gelora Bung Karno, Jakarta."


def art(id_: str, text: str) -> ArticleEnriched:
    return ArticleEnriched(
        id=id_,
        source=SourceRef(id="s", name="s", kind="t"),
        text=text,
        content_hash=id_,
        language=Language(code="id", confidence=1.0),
        signature=signature(text, "id"),
        keywords=["nato"],
        enricher_version="t",
    )


def test_unmatched_article_starts_a_story_derived_from_its_id():
    decision = decide(art("a", BASE), [])
    assert decision.story_id == new_story_id("a") == decide(art("a", BASE), []).story_id
    assert decision.duplicate_of is None


def test_near_copy_joins_the_story_and_is_marked_duplicate():
    first = Candidate("a", "story-1", signature(BASE, "id"))
    decision = decide(art("b", COPY), [first])
    assert decision.story_id == "story-1"
    assert decision.duplicate_of == "a"


def test_unrelated_candidate_is_ignored():
    other = Candidate("c", "story-2", signature(OTHER, "id"))
    assert decide(art("b", BASE), [other]).story_id == new_story_id("b")


def test_candidate_query_excludes_the_article_itself_and_bounds_time():
    body = candidate_query(art("a", BASE), window_days=3)
    assert body["query"]["bool"]["must_not"] == [{"ids": {"values": ["a"]}}]
    assert body["query"]["bool"]["filter"]
