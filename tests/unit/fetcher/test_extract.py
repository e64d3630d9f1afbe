"""Article extraction: body without related blocks, share bars or cookie text; metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.unit.fetcher.conftest import FIXTURES
from warta_fetcher.extract import drop_noise_lines, extract_article


def test_related_share_and_cookie_blocks_are_removed() -> None:
    article = extract_article(
        (FIXTURES / "article_related.html").read_bytes(), url="https://berita.example.id/x"
    )
    assert article is not None
    text = article.text
    assert "Petani di Jawa Tengah memanen lebih banyak padi" in text
    assert "Dinas pertanian provinsi berencana" in text
    for leak in (
        "Baca",
        "Harga beras diperkirakan",
        "Nelayan Cilacap",
        "Bagikan",
        "WhatsApp",
        "cookie",
        "Beranda",
    ):
        assert leak not in text, leak
    assert "\n\n" in text  # paragraphs kept


def test_metadata_title_author_date_canonical_and_language() -> None:
    article = extract_article(
        (FIXTURES / "article_related.html").read_bytes(), url="https://berita.example.id/x"
    )
    assert article is not None
    assert article.title == "Petani Jawa Tengah panen raya melampaui target"
    assert article.authors == ["Siti Rahmawati"]
    assert article.published_at == datetime(2026, 11, 21, 2, 15, tzinfo=UTC)
    assert article.canonical_url == "https://berita.example.id/ekonomi/2026/11/21/panen-raya-jawa-tengah"
    assert article.html_lang == "id-id"


def test_noise_lines_are_dropped_in_several_languages() -> None:
    text = "Keep this.\nBaca Juga: Something else\nRead more: other story\nShare on Facebook\nWe use cookies to improve your experience.\nKeep that."
    assert drop_noise_lines(text) == "Keep this.\nKeep that."


def test_page_without_article_gives_none() -> None:
    assert extract_article(b"<html><body></body></html>") is None


def test_related_teasers_in_other_languages_are_dropped_but_prose_is_kept() -> None:
    text = "À lire aussi » Autre sujet\nCzytaj też: inny\nLesen Sie auch: Anderes\nPolecamy: coś\nPolecamy odwiedzić muzeum.\nLesen ist gut."
    assert drop_noise_lines(text) == "Polecamy odwiedzić muzeum.\nLesen ist gut."
