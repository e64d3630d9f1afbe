"""Language identification: seeds are Indonesian, Indonesian vs Malay, headlines, hints, und."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warta.enrichment.boilerplate import clean_text, split_title
from warta.enrichment.language import (
    default_detector,
    detect_language,
    id_ms_score,
    language_sample,
    latin_is_noise,
    normalise_hint,
    running_text_family,
    standard_contrast,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
PAIR = json.loads((FIXTURES / "enrichment" / "id_ms_pair.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_articles_are_indonesian_not_malay(path: Path) -> None:
    title, body = split_title(path.read_text(encoding="utf-8"))
    lang = detect_language(clean_text(body), title=title)
    assert lang.code == "id"
    assert lang.confidence > 0.5


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_raw_seed_with_boilerplate_is_still_indonesian(path: Path) -> None:
    assert detect_language(path.read_text(encoding="utf-8")).code == "id"


def test_indonesian_and_malay_versions_of_one_paragraph_are_told_apart() -> None:
    assert detect_language(PAIR["id"]).code == "id"
    assert detect_language(PAIR["ms"]).code == "ms"


def test_id_ms_discriminator_points_the_right_way_on_contrastive_words() -> None:
    assert id_ms_score("kerana kerajaan boleh memberi wang") > 0
    assert id_ms_score("karena pemerintah bisa memberi uang") < 0
    assert id_ms_score("") == 0


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("Para Menlu NATO Bahas Bantuan Musim Dingin Untuk Kyiv", "id"),
        ("Bundesregierung beschließt neues Gesetz zur Rente", "de"),
        ("Le gouvernement annonce une nouvelle réforme des retraites", "fr"),
        ("El Gobierno aprueba los presupuestos generales del Estado", "es"),
        ("Правительство одобрило новый бюджет", "ru"),
        ("政府批准了新的预算", "zh"),
        ("Liverpool beat Chelsea at Anfield", "en"),
        ("Biden meets Xi in Bali", "en"),
        ("Gempa Magnitudo 5,6 Guncang Cianjur", "id"),
        ("Merkel trifft Macron in Berlin", "de"),
    ],
)
def test_headlines_are_detected(headline: str, expected: str) -> None:
    assert detect_language(headline).code == expected


@pytest.mark.parametrize("text", ["", "   ", "12345 67", "!!! ??? ...", "😀😀😀"])
def test_text_without_letters_is_undetermined(text: str) -> None:
    lang = detect_language(text)
    assert lang.code == "und"
    assert lang.confidence == 0.0


def test_declared_language_breaks_an_id_ms_tie() -> None:
    neutral = "Harga minyak dunia naik tajam minggu ini."
    assert detect_language(neutral, hint="ms").code == "ms"
    assert detect_language(neutral, hint="id-ID").code == "id"


def test_hints_are_normalised_to_iso_639_1() -> None:
    assert normalise_hint("id-ID") == "id"
    assert normalise_hint("in") == "id"
    assert normalise_hint("ms_MY") == "ms"
    assert normalise_hint("EN") == "en"
    assert normalise_hint("zzz-invalid") is None
    assert normalise_hint(None) is None


def test_language_sample_is_bounded_and_skips_short_caption_lines() -> None:
    text = "Foto: Reuters\n\n" + "Kalimat yang cukup panjang untuk menjadi bagian dari sampel bahasa. " * 40
    sample = language_sample(text, title="Judul Berita")
    assert sample.startswith("Judul Berita")
    assert "Foto" not in sample
    assert len(sample) <= 200


URDU = "پاکستان کی حکومت نے نئے بجٹ کا اعلان کیا ہے اور اس میں تعلیم کے لیے زیادہ رقم رکھی گئی ہے۔"
BANNER = "Daily News Home Business Economy Sports Entertainment Contact Us "


def test_english_site_banner_does_not_outvote_an_urdu_article() -> None:
    assert latin_is_noise(BANNER + URDU)
    assert detect_language(BANNER + URDU).code == "ur"


def test_latin_text_with_a_few_foreign_script_names_keeps_its_latin_words() -> None:
    assert not latin_is_noise("Vladimir Putin met Xi Jinping (习近平) in Moscow today to talk about trade")
    assert not latin_is_noise("Pemerintah mengumumkan anggaran baru untuk pendidikan")


def test_croatian_news_sentence_is_croatian_after_the_second_stage() -> None:
    text = "Vlada je u četvrtak usvojila prijedlog državnog proračuna za sljedeću godinu."
    assert detect_language(text).code == "hr"


def test_words_common_in_indonesian_do_not_make_a_literary_sentence_malay() -> None:
    # "telah" and "kepada" are more frequent in Malay but ordinary Indonesian.
    assert detect_language("Ia telah menyampaikan pesan itu kepada suaminya.").code == "id"


ENGLISH_PARAGRAPH = (
    "The central bank said on Tuesday that it would keep interest rates unchanged for the third month "
    "in a row, after inflation slowed more than expected in October. Analysts had been divided over the "
    "decision, but most of them said that the bank was right to wait for more data before it changed course."
)
GERMAN_PARAGRAPH = (
    "Die Zentralbank hat am Dienstag mitgeteilt, dass sie die Leitzinsen den dritten Monat in Folge "
    "unverändert lässt, nachdem sich die Inflation im Oktober stärker als erwartet abgeschwächt hatte. "
    "Die Analysten waren über die Entscheidung geteilter Meinung, doch die meisten hielten das Abwarten "
    "für richtig, bevor die Bank ihren Kurs ändert."
)


def test_running_text_in_english_or_indonesian_is_recognised_without_lingua() -> None:
    assert running_text_family(ENGLISH_PARAGRAPH) == "en"
    assert running_text_family(PAIR["id"] * 3) == "id/ms"
    assert detect_language(ENGLISH_PARAGRAPH).code == "en"


def test_other_languages_and_short_texts_do_not_take_the_function_word_shortcut() -> None:
    assert running_text_family(GERMAN_PARAGRAPH) == ""
    assert running_text_family("The bank kept rates unchanged.") == ""
    assert detect_language(GERMAN_PARAGRAPH).code == "de"


@pytest.mark.parametrize(
    "text",
    [
        "Kerajaan negeri akan menyediakan peruntukan tambahan kepada penduduk yang terjejas akibat "
        "banjir, kata Menteri Besar semalam.",
        "Beliau berkata, pihak polis sedang menjalankan siasatan lanjut dan orang ramai dinasihatkan "
        "supaya tidak menyebarkan maklumat palsu.",
    ],
)
def test_malaysian_news_sentences_are_malay(text: str) -> None:
    assert detect_language(text).code == "ms"


def test_catalan_sentence_with_english_looking_words_stays_catalan() -> None:
    # "de" is in the common-English word list; the identifiers' agreement must win over it.
    assert detect_language("El govern català ha aprovat els pressupostos de l'any vinent.").code == "ca"


def test_second_opinions_outvote_a_wrong_lingua_guess() -> None:
    voters = default_detector()._voters
    assert voters is not None
    catalan = "El govern català ha aprovat els pressupostos de l'any vinent."
    ranked = voters.vote(catalan, [("st", 0.9), ("ca", 0.1)])
    assert ranked[0][0] == "ca"
    assert 0.0 < ranked[0][1] <= 1.0


def test_cld2_abstains_on_two_word_snippets_instead_of_guessing_english() -> None:
    voters = default_detector()._voters
    assert voters is not None
    assert voters.cld2("al mare") == {}
    sentence = voters.cld2("The central bank kept interest rates unchanged for the third month.")
    assert set(sentence) == {"en"}
    assert sentence["en"] > 0.9


def test_bosnian_and_croatian_standard_words_point_opposite_ways() -> None:
    assert standard_contrast("Tokom sedmice je hiljadu ljudi posjetilo univerzitet.", ("bs", "hr")) > 0
    assert standard_contrast("Tijekom tjedna je tisuću ljudi posjetilo sveučilište.", ("bs", "hr")) < 0
    assert standard_contrast("Ljudi su posjetili grad.", ("bs", "hr")) == 0


def test_unanimous_second_opinions_skip_lingua_except_for_indonesian_and_malay() -> None:
    from warta.enrichment.language import SecondOpinions

    assert SecondOpinions.unanimous(({"de": 0.99}, {"de": 0.97})) == ("de", 0.97)
    assert SecondOpinions.unanimous(({"de": 0.99}, {"nl": 0.97})) is None
    assert SecondOpinions.unanimous(({"de": 0.6, "nl": 0.4}, {"de": 0.97})) is None
    assert SecondOpinions.unanimous(({"id": 0.99}, {"id": 0.97})) is None
    assert SecondOpinions.unanimous(({"de": 0.99}, {})) is None
    assert detect_language(GERMAN_PARAGRAPH).code == "de"


def test_bokmal_and_nynorsk_standard_forms_point_opposite_ways() -> None:
    assert standard_contrast("Jeg vet ikke hva hun sa.", ("nb", "nn")) > 0
    assert standard_contrast("Eg veit ikkje kva ho sa.", ("nb", "nn")) < 0


def test_text_with_lone_surrogates_does_not_raise() -> None:
    broken = "Das ist ein Test \udcff mit einem Text, der lang genug ist, sagte er am Montag."
    assert detect_language(broken).code == "de"
    assert detect_language("abc \ud800 def").code == detect_language("abc ? def").code


# Close written standards: sentences written for these tests from the standards' own forms.
STANDARD_PAIRS = {
    "bs": "Tokom protekle sedmice više od hiljadu ljudi posjetilo je izložbu o historiji grada, saopćeno je "
    "iz muzeja.",
    "ca": "L'ajuntament també va anunciar que la nova biblioteca obrirà les portes l'any vinent amb més de "
    "mil llibres.",
    "es": "El ayuntamiento también anunció que la nueva biblioteca abrirá sus puertas el próximo año con "
    "más de mil libros.",
    "cs": "Řekl, že se to stalo před měsícem a že policie případ ještě vyšetřuje.",
    "sk": "Povedal, že sa to stalo pred mesiacom a že polícia prípad ešte vyšetruje.",
    "st": "Ke batla ho tseba hore na o phela jwang kajeno.",
    "tn": "Ke batla go itse gore a o tshela sentle gompieno.",
    "xh": "Ndiyabulela kakhulu, kwaye ndiyathemba ukuba uza kufika ngoku.",
    "zu": "Ngiyabonga kakhulu, futhi ngithemba ukuthi uzofika manje.",
    "eu": "Gaur goizean etxera joan da eta ez du ezer esan bere lagunei.",
    "la": "Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae.",
    "nb": "Det er vanlig at kjærligheten kommer når man minst venter det.",
    "nn": "Det er vanleg at kjærleiken kjem når ein minst ventar det.",
}


@pytest.mark.parametrize(
    ("pair", "first_text", "second_text"),
    [
        (("ca", "es"), STANDARD_PAIRS["ca"], STANDARD_PAIRS["es"]),
        (("cs", "sk"), STANDARD_PAIRS["cs"], STANDARD_PAIRS["sk"]),
        (("st", "tn"), STANDARD_PAIRS["st"], STANDARD_PAIRS["tn"]),
        (("eu", "la"), STANDARD_PAIRS["eu"], STANDARD_PAIRS["la"]),
        (("nb", "nn"), STANDARD_PAIRS["nb"], STANDARD_PAIRS["nn"]),
    ],
)
def test_standard_contrasts_point_to_the_standard_the_text_is_written_in(
    pair: tuple[str, str], first_text: str, second_text: str
) -> None:
    assert standard_contrast(first_text, pair) > 0
    assert standard_contrast(second_text, pair) < 0
    # The pair read the other way round gives the opposite sign.
    assert standard_contrast(first_text, (pair[1], pair[0])) < 0


@pytest.mark.parametrize("code", sorted(STANDARD_PAIRS))
def test_sentences_in_close_standards_get_their_own_language(code: str) -> None:
    assert detect_language(STANDARD_PAIRS[code]).code == code


def test_spelling_and_ending_markers_count_without_listed_words() -> None:
    # Letters only one standard writes (Czech ř/ě, Slovak ľ/ô), Catalan -cions against Spanish
    # -ciones, Bokmål -lig/-het against Nynorsk -leg/-heit, Sesotho initial h (Setswana has none).
    assert standard_contrast("přítel měl", ("cs", "sk")) == 2
    assert standard_contrast("priateľ môj", ("cs", "sk")) == -2
    assert standard_contrast("organitzacions", ("ca", "es")) == 1
    assert standard_contrast("organizaciones", ("ca", "es")) == -1
    assert standard_contrast("anunció", ("ca", "es")) == 0  # a Spanish preterite as well as Catalan -ció
    assert standard_contrast("mulighet vanskelig", ("nb", "nn")) == 2
    assert standard_contrast("moglegheit vanskeleg", ("nb", "nn")) == -2
    assert standard_contrast("haholo", ("st", "tn")) > 0
    assert standard_contrast("hantle", ("st", "tn")) > 0  # not listed: the initial h counts
    # g alone is no Setswana marker: Sesotho writes it in loanwords and names.
    assert standard_contrast("Gauteng gauta kgomo", ("st", "tn")) == 0


def test_bosnian_sa_and_da_li_constructions_count_for_bosnian() -> None:
    assert standard_contrast("Razgovarao je sa predsjednikom.", ("bs", "hr")) > 0
    assert standard_contrast("Razgovarao je sa svima.", ("bs", "hr")) == 0  # Croatian "sa" before s
    assert standard_contrast("Da li je došao?", ("bs", "hr")) > 0
    assert standard_contrast("Je li došao?", ("bs", "hr")) < 0


def test_short_foreign_sentence_of_indonesian_root_words_keeps_the_identifiers_answer() -> None:
    # "kas", "tas", "par" are Indonesian root words; the identifiers agree it is Latvian.
    assert detect_language("Kas tas par cilvēku?").code == "lv"


def test_cyrillic_letters_outside_a_languages_alphabet_move_the_answer_to_one_that_has_them() -> None:
    from warta.enrichment.language import _alphabet_fit, foreign_letter_count

    bulgarian = "Държавата ще плати за всичко това през тази година."
    assert foreign_letter_count(bulgarian, "sr") >= 2  # ъ, щ are not Serbian letters
    assert foreign_letter_count(bulgarian, "bg") == 0
    assert _alphabet_fit(bulgarian, [("sr", 0.5), ("mk", 0.3), ("bg", 0.2)])[0][0] == "bg"
    serbian = "Он је рекао да ће доћи у среду."
    assert _alphabet_fit(serbian, [("sr", 0.5), ("bg", 0.4)])[0][0] == "sr"
    assert foreign_letter_count("Das ist ein Test.", "de") == 0  # languages without a list


def test_serbian_and_macedonian_standard_forms_point_opposite_ways() -> None:
    assert standard_contrast("Он је рекао да ће доћи у среду.", ("sr", "mk")) > 0
    assert standard_contrast("Тој рече дека ќе дојде во среда.", ("sr", "mk")) < 0


@pytest.mark.parametrize(
    ("pair", "first_text", "second_text"),
    [
        (
            ("da", "nb"),
            "Hun sagde, at hun måske ville købe noget mad efter arbejde.",
            "Hun sa at hun kanskje ville kjøpe noe mat etter jobb.",
        ),
        (("mr", "hi"), "मी आज शाळेत जाणार आहे आणि नंतर घरी येईन.", "मैं आज स्कूल जाऊँगा और फिर घर आऊँगा।"),
        (
            ("az", "tr"),
            "Bu il çox yaxşı keçdi və hamı xoşbəxt idi.",
            "Bu yıl çok iyi geçti ve herkes mutluydu.",
        ),
    ],
)
def test_more_close_standards_point_their_own_way(
    pair: tuple[str, str], first_text: str, second_text: str
) -> None:
    assert standard_contrast(first_text, pair) > 0
    assert standard_contrast(second_text, pair) < 0


def test_devanagari_contrast_words_keep_their_vowel_signs() -> None:
    # "है" is ह + a combining vowel sign: split at the sign, Hindi markers would never match.
    assert standard_contrast("यह है", ("mr", "hi")) == -2


def test_a_language_in_two_pairs_moves_to_the_relative_with_the_clearer_evidence() -> None:
    from warta.enrichment.language import contrast_winner

    danish = "Hun sagde, at hun måske ville købe noget mad efter arbejde."
    nynorsk = "Ho sa at ho kanskje ville kjøpe noko mat etter jobben, men eg veit ikkje."
    assert contrast_winner(danish, "nb") == "da"
    assert contrast_winner(nynorsk, "nb") == "nn"
    assert contrast_winner("Han kom hjem.", "nb") == "nb"  # Bokmål "hjem": stays
    assert contrast_winner("Er ist nach Hause gekommen.", "de") == "de"  # no pair: unchanged


def test_turkish_with_foreign_names_in_x_and_q_is_not_azerbaijani() -> None:
    # Only ə marks Azerbaijani spelling; x and q come with names in Turkish text.
    assert standard_contrast("Texas ve Qatar için yeni bir anlaşma imzalandı.", ("az", "tr")) < 0
