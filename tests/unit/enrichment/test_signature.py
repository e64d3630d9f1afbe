"""Story signatures: a rewrite of the same story is the same story, an unrelated article is not,
and only near-exact copies are duplicates."""

from __future__ import annotations

import json
import random
import zlib
from collections import Counter
from pathlib import Path

import pytest

from warta.enrichment import signature as sig
from warta.enrichment.boilerplate import clean_text, split_title

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _article(path: Path) -> str:
    title, body = split_title(path.read_text(encoding="utf-8"))
    return f"{title or ''}\n\n{clean_text(body)}"


EGINDO = _article(FIXTURES / "seeds" / "000_b7ca16f26af62a2d.txt")
ANTARA = _article(FIXTURES / "seeds" / "001_d5006e6d1023d86e.txt")
UNRELATED = _article(FIXTURES / "enrichment" / "unrelated_id.txt")


def test_signature_has_fixed_size_and_is_deterministic() -> None:
    a = sig.signature(EGINDO, "id")
    assert len(a) == sig.SIGNATURE_SIZE
    assert a == sig.signature(EGINDO, "id")
    assert all(isinstance(v, int) and 0 <= v < 2**31 for v in a)


def test_seed_rewrites_from_two_outlets_are_the_same_story_but_not_duplicates() -> None:
    a, b = sig.signature(EGINDO, "id"), sig.signature(ANTARA, "id")
    assert sig.same_story(a, b)
    assert not sig.is_duplicate(a, b)


def test_unrelated_article_is_not_the_same_story() -> None:
    unrelated = sig.signature(UNRELATED, "id")
    for seed in (EGINDO, ANTARA):
        s = sig.signature(seed, "id")
        assert not sig.same_story(s, unrelated)
        assert sig.similarity(s, unrelated) < sig.similarity(
            sig.signature(EGINDO, "id"), sig.signature(ANTARA, "id")
        )


def test_light_edit_of_an_article_is_a_duplicate() -> None:
    paragraphs = ANTARA.split("\n\n")
    edited = "\n\n".join(paragraphs[:-1]).replace("Selasa", "Selasa malam") + "\n\nEditor: Redaksi"
    a, b = sig.signature(ANTARA, "id"), sig.signature(edited, "id")
    assert sig.is_duplicate(a, b)
    assert sig.same_story(a, b)


def test_spelling_and_inflection_differences_do_not_matter() -> None:
    a = sig.signature("Presiden Ukraina memperingatkan warga tentang serangan Rusia", "id")
    b = sig.signature("presiden ukraina MEMPERINGATKAN warganya tentang serangan-serangan rusia", "id")
    assert sig.similarity(a, b) > 0.5


def test_empty_signature_matches_nothing() -> None:
    empty = sig.signature("", "id")
    assert len(empty) == sig.SIGNATURE_SIZE
    assert sig.similarity(empty, empty) == 0.0
    assert not sig.same_story(empty, sig.signature(EGINDO, "id"))


def test_signatures_of_different_layouts_do_not_compare() -> None:
    a = sig.signature(EGINDO, "id")
    assert sig.similarity(a, a[:64]) == 0.0
    assert not sig.is_duplicate(a, a[:64])


def test_story_key_terms_are_about_the_story() -> None:
    keys = sig.story_key_terms(EGINDO, "id", k=10)
    assert {"nato", "ukraina", "stoltenberg"} <= set(keys)


def test_chinese_text_gets_character_bigrams() -> None:
    terms = sig.content_terms("北约外长会议", "zh")
    assert "北约" in terms and "会议" in terms


def test_seed_signature_values_are_pinned() -> None:
    """Signatures are stored in Elasticsearch and compared across processes and versions: the
    values themselves must not change (re-pinned when Indonesian stemming moved from Snowball to
    Sastrawi, which changes the terms of Indonesian text; such a change means re-indexing)."""
    a = sig.signature(EGINDO, "id")
    assert a[:4] == [14915978, 20308880, 36393693, 76522270]
    assert a[96:98] == [16480933, 32007955]
    assert a[128:130] == [36393693, 76522270]
    assert zlib.crc32(json.dumps(a).encode()) == 3639551172


def _reference_key_terms(terms: list[str], k: int) -> list[str]:
    """The key-term ranking as first written: float scores, stable sort on (-score, first position)."""
    bare = [t[1:] if t[0] == "^" else t for t in terms]
    scores = Counter(bare)
    n = max(1, len(bare))
    first_seen = dict(zip(reversed(bare), range(n - 1, -1, -1), strict=False))
    names = {t[1:] for t in terms if t[0] == "^"}
    ranked = {t: c * (2.0 if t in names else 1.0) + 1.0 - first_seen[t] / n for t, c in scores.items()}
    return sorted(ranked, key=lambda t: (-ranked[t], first_seen[t]))[:k]


def test_key_term_ranking_equals_the_float_scored_ranking() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(60)]
    for _ in range(500):
        terms = [
            ("^" if rng.random() < 0.2 else "") + rng.choice(vocabulary[: rng.randrange(1, 60)])
            for _ in range(rng.randrange(1, 400))
        ]
        for k in (1, 5, sig.KEY_TERMS):
            assert sig._key_terms(terms, k) == _reference_key_terms(terms, k)
    content = sig.content_terms(EGINDO, "id")
    assert sig.story_key_terms(EGINDO, "id") == _reference_key_terms(content, sig.KEY_TERMS)


def test_pipeline_signature_path_equals_signature_from_content_terms() -> None:
    title, body = EGINDO.split("\n\n", 1)
    title_part, body_part = sig.AnalysedText.of(title, "id"), sig.AnalysedText.of(body, "id")
    expected = sig.signature_from_terms(sig.content_terms_of(title_part) + sig.content_terms_of(body_part))
    assert sig.signature_of(title_part, body_part) == expected
    assert sig.signature_of(None, body_part) == sig.signature_from_terms(sig.content_terms_of(body_part))


def test_facts_memo_rolling_over_generations_gives_the_same_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-token memo is bounded in two generations; tokens found in the previous generation or
    analysed again must give exactly what a fresh analysis gives."""
    texts = [EGINDO, EGINDO.upper(), EGINDO.lower(), EGINDO]
    expected = [sig.AnalysedText.of(t, "id") for t in texts]
    monkeypatch.setattr(sig, "_FACTS", {})
    monkeypatch.setattr(sig, "_FACTS_PREVIOUS", {})
    monkeypatch.setattr(sig, "_MEMO_LIMIT", 20)
    for _ in range(2):
        assert [sig.AnalysedText.of(t, "id") for t in texts] == expected
    assert len(sig._FACTS_PREVIOUS["id"]) > 20  # a generation was rolled over
