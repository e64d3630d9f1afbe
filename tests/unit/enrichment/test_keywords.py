"""Keywords: the story's words and names, shown as the article writes them."""

from __future__ import annotations

from pathlib import Path

from warta.enrichment.boilerplate import clean_text, split_title
from warta.enrichment.keywords import extract_keywords
from warta.events import Entity

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def _seed(name: str) -> tuple[str | None, str]:
    title, body = split_title((SEEDS / name).read_text(encoding="utf-8"))
    return title, clean_text(body)


def test_seed_keywords_name_the_story() -> None:
    title, body = _seed("000_b7ca16f26af62a2d.txt")
    keywords = extract_keywords(title, body, "id", k=10)
    assert len(keywords) == 10
    assert {"NATO", "Ukraina", "Stoltenberg"} <= set(keywords)
    assert "bantuan" in keywords  # ordinary words are lower case
    assert not {"yang", "dan", "untuk", "akan"} & {k.lower() for k in keywords}  # stop words


def test_keywords_are_unique_per_stem() -> None:
    title, body = _seed("001_d5006e6d1023d86e.txt")
    keywords = extract_keywords(title, body, "id", k=15)
    assert len({k.lower() for k in keywords}) == len(keywords)


def test_name_phrases_replace_their_single_words() -> None:
    keywords = extract_keywords(
        "Liverpool beat Chelsea at Anfield",
        "Mohamed Salah scored twice as Liverpool beat Chelsea. Mohamed Salah was named player of the match.",
        "en",
    )
    assert "Mohamed Salah" in keywords
    assert "mohamed" not in {k.lower() for k in keywords}


def test_entities_supply_names_in_the_articles_spelling() -> None:
    text = "Kepala NATO Jens Stoltenberg bertemu menteri. Stoltenberg meminta bantuan untuk Ukraina."
    entities = [
        Entity(
            text="Jens Stoltenberg",
            type="PER",
            canonical="Jens Stoltenberg",
            count=2,
            offsets=[(12, 28), (46, 57)],
        ),
        Entity(
            text="NATO",
            type="ORG",
            canonical="North Atlantic Treaty Organization",
            count=1,
            offsets=[(7, 11)],
        ),
    ]
    keywords = extract_keywords(None, text, "id", entities=entities)
    assert "Jens Stoltenberg" in keywords
    assert "NATO" in keywords
    assert "North Atlantic Treaty Organization" not in keywords
    assert "stoltenberg" not in {k.lower() for k in keywords if k != "Jens Stoltenberg"}


def test_empty_or_stopword_only_text_gives_no_keywords() -> None:
    assert extract_keywords(None, "", "id") == []
    assert extract_keywords(None, "dan yang di ke dari", "id") == []
    assert extract_keywords("x", "some text", None, k=0) == []
