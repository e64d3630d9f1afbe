"""Named entities: spans, offsets, counts, canonical forms and KB ids on small in-repo fixtures."""

from __future__ import annotations

from pathlib import Path

import pycrfsuite
import pytest

from warta.enrichment.entities import extract_entities
from warta.events import Entity

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
SEED_EGINDO = "000_b7ca16f26af62a2d.txt"
SEED_ANTARA = "001_d5006e6d1023d86e.txt"

TITLE_WORDS_NEVER_IN_NAMES = {
    "Presiden",
    "Menteri",
    "Pemimpin",
    "Kepala",
    "President",
    "Minister",
    "PM",
    "Menlu",
}


def seed_entities(name: str) -> tuple[str, list[Entity]]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return text, extract_entities(text, "id")


def by_canonical(entities: list[Entity]) -> dict[str, Entity]:
    return {e.canonical: e for e in entities}


def find(entities: list[Entity], surface: str) -> Entity:
    for e in entities:
        if e.text == surface or e.canonical == surface:
            return e
    raise AssertionError(f"{surface!r} not among {[(e.text, e.type) for e in entities]}")


@pytest.mark.parametrize("seed", [SEED_EGINDO, SEED_ANTARA])
def test_seed_articles_name_nato_stoltenberg_bucharest_and_g7(seed: str) -> None:
    _, entities = seed_entities(seed)
    nato = find(entities, "NATO")
    assert nato.type == "ORG"
    assert nato.kb_id == "Q7184"
    assert find(entities, "Jens Stoltenberg").type == "PER"
    bucharest = find(entities, "Bucharest")
    assert bucharest.type == "LOC"
    assert bucharest.kb_id == "Q19660"
    assert find(entities, "G7").type == "ORG"


@pytest.mark.parametrize(
    ("seed", "countries"),
    [
        (SEED_EGINDO, {"Ukraina": "Q212", "Rusia": "Q159", "Jerman": "Q183", "Polandia": "Q36", "AS": "Q30"}),
        (
            SEED_ANTARA,
            {"Ukraina": "Q212", "Rusia": "Q159", "Jerman": "Q183", "Polandia": "Q36", "Prancis": "Q142"},
        ),
    ],
)
def test_seed_countries_written_the_indonesian_way_are_places_with_country_qids(
    seed: str, countries: dict[str, str]
) -> None:
    _, entities = seed_entities(seed)
    for surface, qid in countries.items():
        entity = find(entities, surface)
        assert entity.type == "LOC", surface
        assert entity.kb_id == qid, surface


def test_zelenskyy_and_zelenskky_across_seed_articles_meet_in_one_canonical_form() -> None:
    _, egindo = seed_entities(SEED_EGINDO)
    _, antara = seed_entities(SEED_ANTARA)
    first = [e for e in egindo if e.type == "PER" and "Zelensk" in e.text]
    second = [e for e in antara if e.type == "PER" and "Zelensk" in e.text]
    assert len(first) == 1
    assert len(second) == 1  # "Volodymyr Zelenskky" and the lone "Zelenskyy" are one entity
    assert first[0].canonical == second[0].canonical == "Volodymyr Zelenskyy"
    assert first[0].kb_id == second[0].kb_id == "Q3874799"
    assert second[0].count == 2


@pytest.mark.parametrize(
    "variants",
    [
        ["Kyiv", "Kiev"],
        ["Rusia", "Russia"],
        ["AS", "Amerika Serikat", "United States"],
        ["PBB", "Perserikatan Bangsa-Bangsa", "United Nations"],
    ],
)
def test_spelling_variants_share_canonical_form_and_kb_id(variants: list[str]) -> None:
    found = []
    for variant in variants:
        text = f"Delegasi dari {variant} tiba pada hari Senin untuk perundingan."
        entities = [e for e in extract_entities(text, "id") if e.text == variant]
        assert entities, f"{variant!r} not found in {text!r}"
        found.append(entities[0])
    assert len({(e.canonical, e.kb_id) for e in found}) == 1
    assert found[0].kb_id is not None


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        ("Presiden Joko Widodo meresmikan bendungan baru di Jawa Tengah.", "id", "Joko Widodo"),
        ("Menlu Retno Marsudi bertemu mitranya di Jakarta pada Senin.", "id", "Retno Marsudi"),
        ("Pemimpin NATO Jens Stoltenberg tiba di Bucharest.", "id", "Jens Stoltenberg"),
        ("Kepala NATO Jens Stoltenberg akan meminta sekutu untuk membantu.", "id", "Jens Stoltenberg"),
        ("PM Anwar Ibrahim berbicara kepada wartawan di Putrajaya.", "ms", "Anwar Ibrahim"),
        ("President Joe Biden met Prime Minister Fumio Kishida in Tokyo on Monday.", "en", "Joe Biden"),
    ],
)
def test_titles_and_roles_are_not_part_of_person_names(text: str, lang: str, name: str) -> None:
    entities = extract_entities(text, lang)
    persons = [e for e in entities if e.type == "PER"]
    assert any(e.text == name for e in persons), [(e.text, e.type) for e in entities]
    for e in entities:
        assert e.text.split()[0] not in TITLE_WORDS_NEVER_IN_NAMES, e.text


@pytest.mark.parametrize("seed", [SEED_EGINDO, SEED_ANTARA])
def test_offsets_point_at_the_surface_text_and_counts_match_offsets(seed: str) -> None:
    text, entities = seed_entities(seed)
    assert entities
    for e in entities:
        assert e.count == len(e.offsets) >= 1
        assert text[e.offsets[0][0] : e.offsets[0][1]] == e.text
        for start, end in e.offsets:
            surface = text[start:end]
            assert surface.strip() == surface and surface
    assert sorted(e.offsets[0][0] for e in entities) == [e.offsets[0][0] for e in entities]


def test_every_mention_is_counted_including_lone_surnames() -> None:
    text = (
        "Sekjen NATO Jens Stoltenberg tiba di Bucharest. Stoltenberg mengatakan NATO akan terus membantu "
        "Ukraina. NATO juga membahas keanggotaan Ukraina, kata Stoltenberg."
    )
    entities = by_canonical(extract_entities(text, "id"))
    assert entities["Jens Stoltenberg"].count == 3
    assert entities["North Atlantic Treaty Organisation"].count == 3
    assert entities["Ukraine"].count == 2
    assert [text[s:e] for s, e in entities["Jens Stoltenberg"].offsets] == [
        "Jens Stoltenberg",
        "Stoltenberg",
        "Stoltenberg",
    ]


def test_indonesian_institutions_are_organisations_with_kb_ids_where_known() -> None:
    text = "KPK memeriksa pejabat OJK, sementara BNPB dan TNI membantu korban banjir. DPR memanggil Polri."
    entities = {e.text: e for e in extract_entities(text, "id")}
    for acronym in ["KPK", "OJK", "BNPB", "TNI", "DPR", "Polri"]:
        assert entities[acronym].type == "ORG", acronym
    assert entities["KPK"].kb_id == "Q3273955"
    assert entities["TNI"].kb_id == "Q855515"


def test_lowercase_words_spelled_like_acronyms_are_not_entities() -> None:
    entities = extract_entities("As far as I know, the un-named committee will meet as planned.", "en")
    assert all(e.canonical not in {"United States", "United Nations"} for e in entities)


def test_headline_in_title_case_keeps_only_known_names() -> None:
    text = (
        "Para Menlu NATO Bahas Bantuan Musim Dingin Untuk Kyiv\n\n"
        "Para menteri luar negeri NATO bertemu di Bucharest untuk membahas bantuan bagi Kyiv."
    )
    entities = extract_entities(text, "id")
    surfaces = {text[s:e] for ent in entities for s, e in ent.offsets}
    assert {"NATO", "Kyiv", "Bucharest"} <= surfaces
    assert not any("Bantuan" in s or "Musim" in s for s in surfaces)
    assert by_canonical(entities)["Kyiv"].count == 2


def test_empty_and_entity_free_text_yield_no_entities() -> None:
    assert extract_entities("", "und") == []
    assert extract_entities("hujan turun sejak pagi dan jalanan mulai tergenang.", "id") == []


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        (
            "NATO Secretary-General Jens Stoltenberg said allies would step up support.",
            "en",
            "Jens Stoltenberg",
        ),
        ("Bundeskanzler Olaf Scholz hat am Dienstag in Berlin gesprochen.", "de", "Olaf Scholz"),
    ],
)
def test_hyphenated_and_foreign_titles_are_stripped_too(text: str, lang: str, name: str) -> None:
    persons = [e for e in extract_entities(text, lang) if e.type == "PER"]
    assert [e.text for e in persons] == [name]


def test_lowercased_indonesian_text_uses_the_lowercase_model() -> None:
    text = "presiden joko widodo bertemu perdana menteri malaysia di jakarta pada senin ."
    entities = {e.text: e for e in extract_entities(text, "id")}
    assert entities["joko widodo"].type == "PER"
    assert entities["joko widodo"].kb_id == "Q3318231"
    assert entities["jakarta"].kb_id == "Q3630"


def test_english_news_links_countries_cities_and_organisations() -> None:
    text = (
        "Speaking in Bucharest, Stoltenberg warned that Russia was using winter as a weapon. "
        "The U.S. and Germany pledged generators, and the World Bank offered help, Reuters reported."
    )
    entities = {e.text: e for e in extract_entities(text, "en")}
    assert entities["Bucharest"].kb_id == "Q19660"
    assert entities["Russia"].kb_id == "Q159"
    assert entities["U.S."].kb_id == "Q30"
    assert entities["Germany"].kb_id == "Q183"
    assert entities["World Bank"].type == "ORG"


def test_english_given_names_that_are_indonesian_words_stay_in_the_name() -> None:
    # "Dan" is "and" in Indonesian and stripped there; in English it is a given name.
    entities = extract_entities("The column was written by Dan Froomkin for the paper.", "en")
    assert find(entities, "Dan Froomkin").type == "PER"


def test_english_place_joined_by_of_to_a_country_is_one_place() -> None:
    entities = extract_entities("Oil production in the Gulf of Mexico fell sharply this week.", "en")
    assert find(entities, "Gulf of Mexico").type == "LOC"
    assert "Mexico" not in {e.text for e in entities}


def test_company_legal_form_after_a_comma_is_part_of_the_organisation() -> None:
    entities = extract_entities("Shares of Enron Broadband Services, Inc. fell on Monday.", "en")
    assert find(entities, "Enron Broadband Services, Inc.").type == "ORG"
    assert "Inc" not in {e.text for e in entities}


def test_arabic_article_in_lower_case_is_part_of_the_name() -> None:
    entities = extract_entities("The attack was claimed by al-Qaeda in Yemen, officials said.", "en")
    assert find(entities, "al-Qaeda").type == "ORG"


def test_lowercase_english_place_names_are_places_but_ordinary_words_are_not() -> None:
    # Cased text (so the English tagger runs), places written in lower case as in web posts.
    text = "We are living in malaysia now, Tom said, and we will suspend the trip to kerala."
    entities = extract_entities(text, "en")
    malaysia = find(entities, "malaysia")
    assert (malaysia.type, malaysia.kb_id) == ("LOC", "Q833")
    assert find(entities, "kerala").type == "LOC"
    assert "suspend" not in {e.text for e in entities}  # an alias of Shiselweni in the gazetteer


def test_lowercase_english_places_are_found_in_all_lower_case_text_too() -> None:
    # No capitalised word at all: the tagger does not run, the lower-case place pass still does.
    entities = extract_entities("any tips about migratory birds in punjab or kerala ?", "en")
    assert {e.text for e in entities} >= {"punjab", "kerala"}
    assert all(e.type == "LOC" for e in entities)


def test_lowercase_english_city_names_from_geonames_are_places_but_word_names_are_not() -> None:
    # Not in the gazetteer (no country, capital or province): from the shipped GeoNames city list.
    text = "We flew to san francisco , then took a bus to lucknow near the long beach of reading ."
    entities = {e.text: e for e in extract_entities(text, "en")}
    assert entities["san francisco"].type == "LOC"
    assert entities["lucknow"].type == "LOC"
    # "Long Beach" and "Reading" are cities too, but written in lower case they are ordinary words.
    assert not {"long beach", "beach", "reading"} & set(entities)


def test_company_with_legal_form_and_city_in_one_english_sentence() -> None:
    entities = {e.text: e.type for e in extract_entities("She works at Acme Holdings Inc. in Boston", "en")}
    assert entities == {"Acme Holdings Inc.": "ORG", "Boston": "LOC"}


def test_english_word_lists_know_given_names_surnames_and_ordinary_words() -> None:
    from importlib import resources

    from warta.enrichment.entities.features import load_word_lexicon

    lexicon = load_word_lexicon(str(resources.files("warta.data.entities")), "en")
    assert lexicon is not None
    assert "fn" in lexicon["traci"] and "ln" in lexicon["johnson"]
    assert "lc" in lexicon["visit"] and "fn" not in lexicon.get("the", ())
    assert load_word_lexicon(str(resources.files("warta.data.entities")), "id") is None


def test_plain_words_lists_hold_ordinary_words_not_names() -> None:
    from importlib import resources

    from warta.enrichment.entities.features import load_plain_words

    folder = str(resources.files("warta.data.entities"))
    english, indonesian = load_plain_words(folder, "en"), load_plain_words(folder, "id")
    assert {"if", "when", "after"} <= english and not {"london", "obama"} & english
    assert {"hasil", "secara"} <= indonesian and not {"jakarta", "jokowi"} & indonesian


def test_sentence_initial_ordinary_word_is_skipped_but_names_around_it_are_found() -> None:
    entities = extract_entities(
        "When Angela Merkel visited Paris, crowds gathered. If it rains, we stay.", "en"
    )
    assert {e.text for e in entities} == {"Angela Merkel", "Paris"}


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("id", (SEEDS / SEED_ANTARA).read_text(encoding="utf-8")),
        ("en", "When Angela Merkel met Emmanuel Macron in Paris, the Bank of England and NATO said so.\nUN"),
    ],
)
def test_numpy_window_scorer_gives_the_labels_crfsuite_gives(family: str, text: str) -> None:
    from warta.enrichment.entities import get_extractor
    from warta.enrichment.entities.features import candidate_windows, prepare
    from warta.enrichment.entities.tokens import tokenize_columns

    extractor = get_extractor()
    tokens = tokenize_columns(text)[0]
    _, gaz = prepare(extractor.gazetteer, tokens)
    line_starts = [i == 0 or tokens[i - 1] == "." for i in range(len(tokens))]
    windows = candidate_windows(tokens, line_starts=line_starts, context=1 if family == "id" else 0)
    assert len(windows) >= 3
    featurize, tagger = extractor.featurizer(family).window, extractor.tagger(family)
    expected = [tagger.tag(featurize(tokens, gaz, lo, hi, line_starts)) for lo, hi in windows]
    assert extractor.scorer(family).tag_windows(tokens, gaz, windows, line_starts) == expected
    assert any(label != "O" for labels in expected for label in labels)


def test_span_typer_gives_the_probabilities_crfsuite_gives() -> None:
    from warta.enrichment.entities import get_extractor
    from warta.enrichment.entities.features import prepare, span_type_features
    from warta.enrichment.entities.tokens import tokenize_columns

    extractor = get_extractor()
    typer = extractor.span_typer("en")
    assert typer is not None
    text = "Tom Brandt met Lisa Wong at Crestview Hospital in Ohio , then flew Skyward Airlines home ."
    tokens = tokenize_columns(text)[0]
    _, gaz = prepare(extractor.gazetteer, tokens)
    names = [(0, 2), (3, 5), (6, 8), (9, 10), (13, 15), (0, 1)]
    got = typer.probabilities(tokens, gaz, names)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(Path(extractor.model_dir) / "span_types_en.bin"))
    for (s, e), row in zip(names, got, strict=True):
        tagger.set([span_type_features(tokens, gaz, s, e, extractor.clusters("en"), typer.lexicon)])
        expected = [tagger.marginal(label, 0) for label in typer.labels]
        assert row.tolist() == pytest.approx(expected, abs=1e-6)  # crfsuite sums in single precision
    assert got[0].argmax() == typer.labels.index("PER")  # "Tom Brandt"


def test_english_facility_name_is_retyped_a_place_by_the_whole_name() -> None:
    # The CRF calls "Crestview Hospital" an organisation; the span-type model, seeing the name's last
    # word, calls it a place (UNER counts hospitals, hotels and the like as locations).
    text = "Tom Brandt and Lisa Wong met at Crestview Hospital ."
    entities = {e.text: e.type for e in extract_entities(text, "en")}
    assert entities == {"Tom Brandt": "PER", "Lisa Wong": "PER", "Crestview Hospital": "LOC"}
