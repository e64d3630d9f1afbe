"""IPTC Media Topics: taxonomy look-ups come from IPTC's data; obvious stories get the obvious topic."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from warta.enrichment.topics import TOP_LEVEL, classify_topics, iptc_label, mediatopic, resolve_topic

SPORT, POLITICS, ECONOMY = "medtop:15000000", "medtop:11000000", "medtop:04000000"
HEALTH, LIFESTYLE, ARTS = "medtop:07000000", "medtop:10000000", "medtop:01000000"

SPORT_ID = (
    "Timnas Indonesia Menang 2-0 atas Vietnam di Piala AFF",
    "Tim nasional Indonesia meraih kemenangan 2-0 atas Vietnam dalam laga kedua Piala AFF di Stadion "
    "Utama Gelora Bung Karno. Gol dicetak oleh penyerang muda pada babak pertama dan sundulan gelandang "
    "di babak kedua. Pelatih mengatakan para pemain tampil disiplin dan suporter memadati stadion.",
)
SPORT_EN = (
    "Late penalty sends United into the Champions League semi-finals",
    "Manchester United reached the Champions League semi-finals after a late penalty from their striker "
    "sealed a 2-1 win. The coach praised his players and the goalkeeper made three fine saves as fans "
    "celebrated at the stadium.",
)
POLITICS_ID = (
    "DPR Sahkan RUU Pemilu, Partai Oposisi Walk Out",
    "Rapat paripurna DPR mengesahkan revisi undang-undang pemilu. Fraksi partai oposisi memilih walk out "
    "karena menilai aturan ambang batas pencalonan presiden merugikan partai kecil. Menteri Dalam Negeri "
    "menyatakan pemerintah menghormati perbedaan pendapat di parlemen menjelang pemilihan umum.",
)
POLITICS_EN = (
    "Prime minister calls snap election after coalition collapses",
    "The prime minister called a snap election on Tuesday after his coalition partners quit the "
    "government. Opposition leaders said voters deserved a say, and the parliament will be dissolved "
    "next week ahead of the campaign. The ruling party has trailed in recent polls.",
)
ECONOMY_ID = (
    "IHSG Menguat, Saham Perbankan Jadi Penopang",
    "Indeks Harga Saham Gabungan (IHSG) ditutup menguat 1,2 persen pada perdagangan Senin. Saham "
    "perbankan seperti BBRI dan BMRI menjadi penopang, sementara investor asing mencatat pembelian "
    "bersih Rp 500 miliar. Analis memperkirakan suku bunga Bank Indonesia tetap.",
)


SPORT_MS = (
    "Harimau Malaya tewaskan Thailand 2-1",
    "Skuad kebangsaan Harimau Malaya menewaskan Thailand 2-1 dalam perlawanan persahabatan di Stadium "
    "Nasional Bukit Jalil malam tadi. Jurulatih memuji semangat pemain yang bangkit selepas ketinggalan "
    "pada separuh masa pertama.",
)
HEALTH_MS = (
    "Kes denggi meningkat, hospital kerajaan bersiap sedia",
    "Kementerian Kesihatan melaporkan peningkatan kes denggi di Selangor minggu ini. Pesakit yang "
    "mengalami demam digesa mendapatkan rawatan segera di klinik kesihatan berhampiran, manakala "
    "jururawat dan doktor di hospital kerajaan bersiap sedia menerima lebih ramai pesakit.",
)
TRAVEL_MS = (
    "Pelancong asing banjiri Langkawi musim cuti sekolah",
    "Jumlah pelancong asing ke Langkawi meningkat ketika musim cuti sekolah. Hotel dan resort di pulau "
    "itu hampir penuh, manakala pengusaha feri menambah perjalanan untuk pelawat yang mahu bercuti.",
)


def _stored_concepts() -> dict[str, dict]:
    raw = json.loads(resources.files("warta.data.iptc").joinpath("mediatopics.json").read_text("utf-8"))
    return {c["code"]: c for c in raw["concepts"]}


@pytest.mark.parametrize(("story", "lang"), [(SPORT_ID, "id"), (SPORT_EN, "en"), (SPORT_MS, "ms")])
def test_obvious_sports_story_is_sport(story: tuple[str, str], lang: str) -> None:
    topics = classify_topics(*story, lang)
    assert topics, "a plain sports story must get a topic"
    assert topics[0].code == SPORT
    assert topics[0].label == "sport"
    assert topics[0].score > 0.5


@pytest.mark.parametrize(("story", "lang"), [(POLITICS_ID, "id"), (POLITICS_EN, "en")])
def test_politics_story_is_politics(story: tuple[str, str], lang: str) -> None:
    topics = classify_topics(*story, lang)
    assert topics[0].code == POLITICS


@pytest.mark.parametrize(("story", "code"), [(HEALTH_MS, HEALTH), (TRAVEL_MS, LIFESTYLE)])
def test_malay_stories_use_malay_vocabulary(story: tuple[str, str], code: str) -> None:
    # Malay words Indonesian does not share (kesihatan, pesakit, pelancong, bercuti) carry the topic.
    topics = classify_topics(*story, "ms")
    assert topics[0].code == code
    assert topics[0].score > 0.5


@pytest.mark.parametrize(
    ("sentence", "lang", "code"),
    [
        (
            "Pastikan paspor dan visa Anda masih berlaku sebelum memesan tiket pesawat dan hotel untuk "
            "liburan ke luar negeri.",
            "id",
            LIFESTYLE,
        ),
        (
            "Make sure your passport is valid for at least six months before you book flights and a hotel "
            "for your holiday abroad.",
            "en",
            LIFESTYLE,
        ),
        ("Penyanyi itu merilis album baru dan akan menggelar konser di Jakarta bulan depan.", "id", ARTS),
        ("The singer released a new album and will play a concert in London next month.", "en", ARTS),
    ],
)
def test_single_sentence_without_title_gets_its_topic(sentence: str, lang: str, code: str) -> None:
    # Headline-free, one-sentence input (a lede, a caption): the topic still comes out.
    topics = classify_topics(None, sentence, lang)
    assert topics[0].code == code


def test_model_ships_small_without_unmatchable_unspaced_script_clauses() -> None:
    from warta.analysis.analyzer import has_unspaced_script
    from warta.enrichment.topics import _model

    model_file = resources.files("warta.data.topics").joinpath("model.npz")
    assert len(model_file.read_bytes()) < 3 * 1024 * 1024
    # A Chinese/Japanese/Thai "token" is a whole clause between spaces: never seen again, so never kept.
    assert not [t for t in _model().vocab if len(t) > 4 and has_unspaced_script(t)]


def test_stock_market_story_is_economy() -> None:
    assert classify_topics(*ECONOMY_ID, "id")[0].code == ECONOMY


def test_election_story_gets_the_election_second_level_topic_under_politics() -> None:
    topics = classify_topics(*POLITICS_EN, "en")
    codes = [t.code for t in topics]
    assert "medtop:20000574" in codes  # IPTC "election"
    assert codes.index(POLITICS) < codes.index("medtop:20000574")
    assert mediatopic("medtop:20000574").parent == POLITICS  # type: ignore[union-attr]


def test_topics_are_sorted_scored_and_labelled_from_iptc_data() -> None:
    stored = _stored_concepts()
    for story in (SPORT_ID, SPORT_EN, POLITICS_ID, POLITICS_EN, ECONOMY_ID):
        topics = classify_topics(*story, "und")
        scores = [t.score for t in topics]
        assert scores == sorted(scores, reverse=True)
        for topic in topics:
            assert 0.0 <= topic.score <= 1.0
            assert topic.label == stored[topic.code]["labels"]["en"]


def test_text_without_any_known_word_gets_no_topic() -> None:
    assert classify_topics(None, "zzqx vrrpt qqlm", "und") == []


def test_top_level_is_iptcs_seventeen_from_the_stored_data() -> None:
    stored = _stored_concepts()
    assert len(TOP_LEVEL) == 17
    assert set(TOP_LEVEL) == {c for c, v in stored.items() if v["level"] == 1 and "retired" not in v}
    assert all(stored[c]["parent"] is None for c in TOP_LEVEL)


def test_labels_are_iptcs_published_labels_in_each_language() -> None:
    stored = _stored_concepts()
    assert iptc_label(SPORT) == stored[SPORT]["labels"]["en"] == "sport"
    assert iptc_label(POLITICS, "fr") == stored[POLITICS]["labels"]["fr"]
    assert iptc_label(ECONOMY, "de") == stored[ECONOMY]["labels"]["de"]
    # IPTC publishes no Indonesian labels: fall back to English rather than inventing one.
    assert iptc_label(ECONOMY, "id") == stored[ECONOMY]["labels"]["en"]
    assert iptc_label("medtop:99999999") is None


def test_stored_taxonomy_records_its_iptc_provenance_and_licence() -> None:
    raw = json.loads(resources.files("warta.data.iptc").joinpath("mediatopics.json").read_text("utf-8"))
    assert "IPTC" in raw["title"]
    assert "CC BY 4.0" in raw["provenance"]["licence"]
    assert len(raw["provenance"]["file_sha256"]) == 64


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("politics", POLITICS),
        ("Politics", POLITICS),
        ("sport", SPORT),
        ("sports", SPORT),
        ("economy", ECONOMY),
        ("business", ECONOMY),
        ("economy-business-and-finance", ECONOMY),
        ("medtop:11000000", POLITICS),
        ("11000000", POLITICS),
        ("Politique", POLITICS),  # IPTC's French label
        ("crime", "medtop:02000000"),
        ("health", "medtop:07000000"),
        ("election", "medtop:20000574"),
    ],
)
def test_resolve_topic_maps_names_slugs_and_codes(query: str, code: str) -> None:
    assert resolve_topic(query) == code


@pytest.mark.parametrize("query", ["", "   ", "not-a-topic-at-all", "medtop:99999999"])
def test_resolve_topic_returns_none_for_unknown(query: str) -> None:
    assert resolve_topic(query) is None


def test_tokenizer_reduces_elisions_possessives_and_reduplicated_plurals_to_the_word() -> None:
    from warta.enrichment.topics import tokenize

    assert tokenize("L'inflation d'Abidjan qu'il the company's negara-negara") == [
        "inflation",
        "abidjan",
        "il",
        "the",
        "company",
        "negara",
    ]
    # Apostrophes and hyphens that are part of a word are kept: names, "Jum'at", compounds.
    assert tokenize("O'Brien Jum'at demi-finale don't") == ["o'brien", "jum'at", "demi-finale", "don't"]


def test_lexicon_bigrams_of_two_function_words_are_not_features() -> None:
    from warta.enrichment.topics import _model

    # "chancellor of the exchequer", "coût de la vie": only their content bigrams are evidence.
    vocab = _model().vocab
    assert "of the" not in vocab
    assert "de la" not in vocab


def test_unknown_inflected_malay_word_counts_as_its_stem_in_malay_only() -> None:
    from warta.enrichment.topics import _model, top_level_scores

    # Neither word is in the vocabulary; their Sastrawi stems (johan, sukan) are.
    for word in ("kejohanannya", "bersukan"):
        assert word not in _model().vocab
        malay = top_level_scores(None, word, "ms")
        assert max(malay, key=malay.__getitem__) == SPORT
        assert malay[SPORT] > 0.5
        # Other languages have no stem fallback: an unknown word is no evidence at all.
        english = top_level_scores(None, word, "en")
        assert max(english.values()) == pytest.approx(1 / len(TOP_LEVEL))


def test_malay_health_story_with_suffixed_words_is_health() -> None:
    title = "Pesakitnya dirawat di hospital"
    text = (
        "Pesakitnya dirawat di wad kecemasan selepas dijangkiti jangkitan paru-paru. Doktor berkata "
        "rawatannya berjalan lancar dan kesihatannya semakin pulih."
    )
    assert classify_topics(title, text, "ms")[0].code == HEALTH


def test_scorelines_are_one_sport_feature_whatever_the_numbers() -> None:
    from warta.enrichment.topics import SCORELINE, tokenize, top_level_scores

    assert tokenize("won 24-17, then 2-1; the 2004-05 season; covid-19") == [
        "won",
        SCORELINE,
        "then",
        SCORELINE,
        "the",
        "2004-05",
        "season",
        "covid-19",
    ]
    scores = top_level_scores(None, "3-1")
    assert max(scores, key=scores.__getitem__) == SPORT
