"""Article extraction: body without related blocks, share bars or cookie text; metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime

from lxml import etree
from trafilatura.utils import load_html

from tests.unit.fetcher.conftest import FIXTURES
from warta_fetcher.extract import drop_noise_lines, extract_article, parse_html, strip_inert


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


def _page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


_PROSE = "".join(
    f"<p>Paragraf {i}: petani di Jawa Tengah memanen padi lebih awal karena hujan datang tepat waktu tahun ini.</p>"
    for i in range(14)
)


def test_publication_date_keeps_the_publishers_calendar_day() -> None:
    html = _page('<meta property="article:published_time" content="2022-05-03T21:25:00-03:00">', _PROSE)
    article = extract_article(html, url="https://example.com/politica/nota-1")
    assert article is not None
    assert article.published_at == datetime(2022, 5, 4, 0, 25, tzinfo=UTC)
    assert article.published_date == date(2022, 5, 3)
    assert article.to_json()["published_date"] == "2022-05-03"


def test_bare_copyright_year_is_not_turned_into_a_date() -> None:
    html = _page("<title>Tanpa tanggal</title>", _PROSE + "<div class='legal'>© 2016 Contoh Media</div>")
    article = extract_article(html, url="https://example.com/tentang")
    assert article is not None
    assert article.published_at is None
    assert article.published_date is None


def test_article_body_under_a_read_more_class_is_not_pruned_but_a_teaser_box_is() -> None:
    body = (
        f"<div class='entry-content entry-content-read-more'>{_PROSE}</div>"
        "<div class='read-more'><a href='/a'>Harga beras naik lagi di pasar induk</a></div>"
    )
    article = extract_article(_page("<title>Panen</title>", body), url="https://example.com/panen")
    assert article is not None
    assert "Paragraf 13" in article.text
    assert "Harga beras naik" not in article.text


def test_our_parser_builds_the_same_tree_as_trafilatura_for_pages_and_junk() -> None:
    pages: list[bytes | str] = [
        (FIXTURES / "article_related.html").read_bytes(),
        b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
        "<html><body><p>caf\u00e9</p></body></html>".encode("latin-1"),
        b"",
        b"garbage",
        "<p>fragment only</p>",
    ]
    for page in pages:
        ours, theirs = parse_html(page), load_html(page)
        assert (ours is None) == (theirs is None), page
        if ours is not None:
            assert etree.tostring(ours) == etree.tostring(theirs)


def test_inert_subtrees_go_but_json_ld_and_tail_text_stay() -> None:
    tree = parse_html(
        "<html><body><p>Awal <script>var x=1;</script>tengah<svg><path d='M0'/></svg> akhir</p>"
        '<nav><a href="/">Beranda</a></nav>'
        '<script type="application/ld+json">{"@type": "NewsArticle"}</script></body></html>'
    )
    assert tree is not None
    strip_inert(tree)
    assert tree.find(".//p").text_content() == "Awal tengah akhir"
    assert tree.find(".//nav") is None and tree.find(".//svg") is None
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"]
