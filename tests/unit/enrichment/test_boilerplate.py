"""Boilerplate removal on the seeds and in other languages; title splitting for .txt inputs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from warta.enrichment import boilerplate
from warta.enrichment.boilerplate import clean_text, is_boilerplate_line, split_title

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
EGINDO = (SEEDS / "000_b7ca16f26af62a2d.txt").read_text(encoding="utf-8")
ANTARA = (SEEDS / "001_d5006e6d1023d86e.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("raw", [EGINDO, ANTARA], ids=["egindo", "antara"])
def test_seed_boilerplate_lines_are_removed(raw: str) -> None:
    cleaned = clean_text(raw)
    for marker in ("Baca Juga", "Baca juga", "Sumber", "Bagikan", "Scroll to Top"):
        assert marker not in cleaned


def test_repeated_caption_is_kept_once() -> None:
    cleaned = clean_text(EGINDO)
    assert cleaned.count("Pemimpin NATO Jens Stoltenberg") == 1


@pytest.mark.parametrize("raw", [EGINDO, ANTARA], ids=["egindo", "antara"])
def test_article_paragraphs_survive_and_stay_separated(raw: str) -> None:
    cleaned = clean_text(raw)
    assert "Stoltenberg" in cleaned
    assert "\n\n\n" not in cleaned
    # every kept paragraph of the original is still there, word for word
    assert "Prancis dan Jerman" in cleaned or "Menteri NATO juga akan berbicara" in cleaned
    assert cleaned == cleaned.strip()
    assert len(cleaned.split("\n\n")) >= 10


def test_file_ending_without_newline_still_loses_scroll_to_top() -> None:
    assert EGINDO.endswith("Scroll to Top")
    assert not clean_text(EGINDO).endswith("Scroll to Top")


@pytest.mark.parametrize(
    "line",
    [
        "Baca Juga :  Fosun Pertimbangkan Jual Produsen Obat India Gland Pharma",
        "Baca juga: Para dubes untuk NATO gelar pertemuan darurat",
        "Sumber : CNA/SL",
        "Sumber: Reuters",
        "Bagikan :",
        "Scroll to Top",
        "Read more: Why rates are rising",
        "Related: Five things to know",
        "Share this",
        "Lihat juga: Video terbaru",
        "Simak juga video berikut ini",
        "ADVERTISEMENT",
        "Advertisement",
        "Leer más: El Gobierno aprueba",
        "Lire aussi : La réforme des retraites",
        "Lesen Sie auch: Die Rentenreform",
        "Leia também: O governo aprova",
        "Leggi anche: Il governo approva",
        "Czytaj też: Rząd przyjął",
        "Читайте также: Правительство одобрило",
        "Dapatkan update berita pilihan setiap hari di Google News",
    ],
)
def test_boilerplate_lines_in_many_languages_are_recognised(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Related to the case, police said two men had been arrested.",
        "Sumber daya alam Indonesia harus dijaga bersama oleh pemerintah dan rakyat.",
        "Share prices fell sharply on Monday after the announcement.",
        "Bucharest (ANTARA) - Pemimpin NATO Jens Stoltenberg akan menyeru para negara anggota.",
        "Watch the full interview on Sunday evening.",
    ],
)
def test_ordinary_sentences_that_start_like_boilerplate_are_kept(line: str) -> None:
    assert not is_boilerplate_line(line)
    assert clean_text(line) == line


def test_language_hint_limits_patterns_to_that_language_and_english() -> None:
    assert is_boilerplate_line("Lesen Sie auch: Die Rentenreform", lang_hint="de")
    assert not is_boilerplate_line("Lesen Sie auch: Die Rentenreform", lang_hint="id")
    assert is_boilerplate_line("Read more: the story", lang_hint="id")


def test_clean_text_handles_crlf_and_empty_input() -> None:
    assert clean_text("") == ""
    assert clean_text("Baca juga: x\r\n\r\nBagikan :") == ""
    assert clean_text("Satu.\r\nDua.\r\n\r\n\r\nTiga.") == "Satu.\nDua.\n\nTiga."


def test_title_is_split_from_a_txt_article_when_it_looks_like_a_headline() -> None:
    title, body = split_title(EGINDO)
    assert title == "Para Menlu NATO Bahas Bantuan Musim Dingin Untuk Kyiv"
    assert body.startswith("Pemimpin NATO Jens Stoltenberg")


def test_first_sentence_ending_with_a_period_is_not_a_title() -> None:
    title, body = split_title(ANTARA)
    assert title is None
    assert body == ANTARA


def test_first_line_without_blank_line_after_it_is_not_a_title() -> None:
    assert split_title("Short line\nnext line of the same paragraph") == (
        None,
        "Short line\nnext line of the same paragraph",
    )


def _reference_is_boilerplate_line(line: str, lang_hint: str | None = None) -> bool:
    """Every pattern run in full, without the cheap pre-checks."""
    stripped = line.strip()
    if not stripped:
        return False
    return any(
        pattern.match(stripped)
        for pattern in (*boilerplate._patterns(lang_hint), boilerplate._PROMO, boilerplate._COPYRIGHT)
    )


def test_promotion_shortcut_never_changes_the_verdict() -> None:
    """The pre-checks before the costly promotion pattern are necessary conditions only: fuzz
    lines mixing promotion words, case variants and characters (?i) equates with ASCII letters."""
    rng = random.Random(11)
    vocabulary = (
        "Follow us on Google News GOOGLE NEWS telegram subscribe ſubscribe Join channel ÇHANNEL Kanal "
        "ikuti saluran whatsapp İnstagram ınstagram inﬆagram YOUTUBE tiktok 𝐘𝐨𝐮𝐓𝐮𝐛𝐞 ﬁ ß news © (c) "
        "hak cipta Copyright Baca Juga : Sumber: the and of dan yang"
    )
    words = vocabulary.split(" ")
    for _ in range(5000):
        line = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 45)))
        for hint in (None, "id"):
            assert is_boilerplate_line(line, hint) == _reference_is_boilerplate_line(line, hint), line
    assert is_boilerplate_line("Ikuti kami di İnstagram dan Telegram")
    assert is_boilerplate_line("ſubscribe to our telegram channel")


def test_repeated_line_key_shortcut_equals_collapsing_whitespace() -> None:
    """``_norm`` skips split/join for printable lines without a double space: the result must be
    the collapsed, case-folded line for every kind of whitespace (all of Python's, fuzzed)."""
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert len(spaces) > 20
    rng = random.Random(5)
    pieces = ["Foto", "ANTARA", "ß", "İ", "a", "x", " ", "  ", *spaces]
    for _ in range(5000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12))).strip()
        assert boilerplate._norm(line) == " ".join(line.split()).casefold(), repr(line)
    # A repeated caption differing only in spacing and case is still dropped.
    caption = "Presiden tiba di Jakarta"
    assert (
        clean_text(f"{caption}\nPRESIDEN  tiba di\u00a0Jakarta\n\nBody text here.")
        == f"{caption}\n\nBody text here."
    )
