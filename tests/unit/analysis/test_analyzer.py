"""The analyser's fast paths (stdlib-``re`` tokeniser, ASCII folding, per-process memo tables)
give exactly the terms of its reference definition: the ``regex``-module pattern, full Unicode
folding and uncached Snowball stemming. Indexed documents, queries and alert matching all depend
on these terms staying the same."""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

import pytest
import regex

from warta.analysis import analyzer
from warta.analysis.analyzer import (
    analyze,
    analyze_tokens,
    analyze_with_offsets,
    fold,
    fold_tokens,
    has_unspaced_script,
    normalize_lang,
    term,
    tokenize,
)

REPO = Path(__file__).resolve().parents[3]
LANGID_SENTENCES = REPO.parent / "shared" / "data" / "langid" / "lingua_sentences.tsv"

# The analyser as first written (before the fast paths): the definition the fast paths must match.
_NO_SPACE = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}"
_REFERENCE_TOKEN = regex.compile(
    rf"[{_NO_SPACE}]|[[\p{{L}}\p{{M}}\p{{N}}]--[{_NO_SPACE}]]{{1,100}}(?:['’][[\p{{L}}\p{{M}}\p{{N}}]--[{_NO_SPACE}]]{{1,100}})*",
    regex.VERSION1,
)


def _reference_fold(word: str) -> str:
    w = unicodedata.normalize("NFKC", word).casefold().translate(str.maketrans({"’": "'"}))
    stripped = "".join(c for c in unicodedata.normalize("NFD", w) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped) or w


def _reference_analyze_with_offsets(text: str, lang: str | None) -> list[tuple[str, int, int]]:
    code = normalize_lang(lang)
    # The analyser's own stemmer objects (no memo in front of them): this test pins the fast
    # paths, not the choice of stemming algorithm.
    stemmer = analyzer._stemmer(code) if code else None
    out = []
    for m in _REFERENCE_TOKEN.finditer(text):
        folded = _reference_fold(m.group())
        stem = folded if stemmer is None or folded.isdigit() else (stemmer.stemWord(folded) or folded)
        out.append((stem, m.start(), m.end()))
    return out


MULTILINGUAL = [
    ("id", "Presiden Joko Widodo bertemu Sekretaris Jenderal NATO di Jakarta; negara-negara ASEAN hadir."),
    ("ms", "Perdana Menteri Malaysia berkata kerajaan akan menyemak semula cukai pada tahun hadapan."),
    ("en", 'Don\'t panic: the U.S. economy grew 2.5% in Q3, officials’ figures show — "robust".'),
    ("fr", "L'Élysée a annoncé qu'Emmanuel Macron se rendrait à Kyiv ; «\u00a0c'est historique\u00a0»."),
    ("de", "Die Bundesregierung beschließt Maßnahmen gegen Straßenlärm – Größe ÜBER alles."),
    ("es", "El niño comió piñatas en Año Nuevo; ¿Por qué? ¡Qué sorpresa!"),
    ("tr", "İstanbul'da DİYANET ve ıspanak; Iğdır ilçesinde"),
    ("ru", "Президент России Владимир Путин заявил о переговорах в Ёлкино."),
    ("el", "Η Αθήνα ΚΑΙ η Θεσσαλονίκη· ΣΟΦΊΑ όδός"),
    ("ar", "قال الرئيس إن المفاوضات مستمرة في القاهرة ٢٠٢٤"),
    ("hi", "प्रधानमंत्री नरेंद्र मोदी ने नई दिल्ली में कहा"),
    ("zh", "习近平在北京会见了美国总统拜登。2024年"),
    ("ja", "東京でカタカナとひらがなのテストを行いました。ＡＢＣ１２３"),
    ("th", "นายกรัฐมนตรีกล่าวที่กรุงเทพมหานคร"),
    ("vi", "Thủ tướng Phạm Minh Chính phát biểu tại Hà Nội"),
    ("ko", "윤석열 대통령이 서울에서 말했다"),
    (
        None,
        "ﬁnancial ﬂows, Ⅻ chapters, x² + y² and ｆｕｌｌｗｉｄｔｈ; e\u0301cole vs école; 🙂 emoji 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    ),
    ("xx", "A" * 250 + "'" + "b" * 120 + " and ''' quotes 'twixt ’tis rock’n’roll"),
    ("und", "Mixed 中文 and English — 한국어 + العربية, 3.14 and ٣"),
]


def _corpus() -> list[tuple[str | None, str]]:
    texts = list(MULTILINGUAL)
    if LANGID_SENTENCES.exists():
        with LANGID_SENTENCES.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        texts += [(r["lang"], r["text"]) for r in rows[::15]]  # every language, ~1,500 sentences
    seeds = REPO / "tests" / "fixtures" / "seeds"
    texts += [("id", p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))]
    return texts


def test_analyze_matches_the_reference_on_a_multilingual_corpus() -> None:
    for lang, text in _corpus():
        for code in (lang, None, "en", "id"):
            expected = _reference_analyze_with_offsets(text, code)
            assert analyze_with_offsets(text, code) == expected, (code, text[:80])
            assert analyze(text, code) == [t for t, _, _ in expected]
            tokens, spans, terms = analyze_tokens(text, code)
            assert terms == [t for t, _, _ in expected]
            assert spans == [(s, e) for _, s, e in expected]
            assert tokens == [text[s:e] for s, e in spans]
            assert [(tok, s, e) for tok, s, e in tokenize(text)] == [
                (text[s:e], s, e) for _, s, e in expected
            ]
            assert [term(tok, code) for tok in tokens] == terms


def test_tokeniser_matches_the_reference_on_random_unicode() -> None:
    """Fuzz over letters, marks, digits, apostrophes, CJK/Thai, punctuation and any code point
    (astral ones take the ``regex`` path, BMP-only strings the ``re`` path)."""
    rng = random.Random(20221129)
    pools = [
        "abcXYZ09'’ -._",
        "éÉàçÑñ\u0301\u0308\u0651’'·",
        "中文日本語ひらがなカタカナไทย々〆ー",
        "русскийΑΒΓ عربي हिन्दी ٣४",
        "\u00a0\u2000\u200b\u200c\u200d\ufeff\u3000",
    ]
    for _ in range(6000):
        chars = []
        for _ in range(rng.randrange(0, 50)):
            if rng.random() < 0.9:
                chars.append(rng.choice(rng.choice(pools)))
            else:
                chars.append(chr(rng.randrange(0x10000 if rng.random() < 0.7 else 0x110000)))
        text = "".join(chars)
        expected = _reference_analyze_with_offsets(text, "en")
        assert analyze_with_offsets(text, "en") == expected, repr(text)
    every_bmp_letter = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    assert analyze_with_offsets(every_bmp_letter, None) == _reference_analyze_with_offsets(
        every_bmp_letter, None
    )


def test_long_words_split_every_100_characters_like_the_reference() -> None:
    text = "x" * 230 + " " + "y" * 100 + "'" + "z" * 150
    assert analyze_with_offsets(text, None) == _reference_analyze_with_offsets(text, None)
    assert [len(t) for t in analyze(text, None)] == [100, 100, 30, 201, 50]


@pytest.mark.parametrize(
    "word", ["Zelenskyy", "NATO", "don't", "x2", "É", "Ǆemal", "İstanbul", "ß", "ﬁ", "e\u0301"]
)
def test_fold_fast_path_equals_full_unicode_folding(word: str) -> None:
    assert fold(word) == _reference_fold(word)
    assert fold_tokens([word, word]) == [_reference_fold(word)] * 2


def test_memo_tables_restart_when_full_without_changing_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer, "_MEMO_LIMIT", 3)
    text = "Para menteri membahas kebijakan ekonomi dan perdagangan internasional di Jakarta"
    assert analyze(text, "id") == [t for t, _, _ in _reference_analyze_with_offsets(text, "id")]
    assert analyze(text, "id") == analyze(text, "ms")
    assert all(len(analyzer._TERMS[code]) <= 3 + len(text.split()) for code in ("id", "ms"))


def test_has_unspaced_script_agrees_with_the_property_class() -> None:
    reference = regex.compile(rf"[{_NO_SPACE}]", regex.VERSION1)
    samples = [text for _, text in _corpus()] + [
        "plain ascii",
        "𠀀 astral Han",
        "🙂 emoji only",
        "ไทย",
        "ｶﾀｶﾅ",
    ]
    for text in samples:
        assert has_unspaced_script(text) == (reference.search(text) is not None), text[:40]


# --- Indonesian/Malay stemming: the gated Sastrawi port against PySastrawi itself ---------------

_ID_PREFIXES = [
    "", "di", "ke", "se", "ber", "be", "bel", "ter", "te", "me", "mem", "men", "meng", "meny",
    "menge", "pe", "pel", "pem", "pen", "peng", "peny", "penge", "per", "memper", "mempe",
    "diper", "ku", "kau",
]  # fmt: skip
_ID_SUFFIXES = [
    "", "i", "kan", "an", "lah", "kah", "tah", "pun", "ku", "mu", "nya", "is", "isme", "isasi",
    "kannya", "annya", "nyalah", "kanlah",
]  # fmt: skip
_ID_HAND_WORDS = [
    "menteri", "mengatakan", "bertemu", "belajar", "mempelajari", "menyapu", "pengebom",
    "kemenangan", "perekonomian", "memperbaiki", "diberitakan", "pertanggungjawaban", "telunjuk",
    "gerigi", "kinerja", "jokowi", "prabowo", "a", "ku", "kan", "lah", "meng", "penge", "tersebut",
    "kebersamaan", "sepengetahuan", "bersekolah", "mengerikan", "menginginkan", "pembangunannya",
]  # fmt: skip


def _id_word_sample(n: int, seed: int = 3) -> list[str]:
    """Affix combinations around Sastrawi's own roots (cut, infixed) and random letter strings:
    words that reach every step of the algorithm, prefix rules, suffix loop and all."""
    from warta.analysis.indonesian import _gated

    roots = sorted(_gated().words)
    rng = random.Random(seed)
    words = set(_ID_HAND_WORDS)
    while len(words) < n:
        if rng.random() < 0.2:
            words.add("".join(rng.choice("aiueobcdgklmnprstyw") for _ in range(rng.randint(1, 10))))
            continue
        root = rng.choice(roots)
        if rng.random() < 0.3 and len(root) > 1:
            root = root[1:]
        if rng.random() < 0.2:
            root = root[0] + rng.choice(["er", "el", "em", "in"]) + root[1:]
        words.add(rng.choice(_ID_PREFIXES) + root + rng.choice(_ID_SUFFIXES))
    return sorted(words)


def test_gated_sastrawi_gives_pysastrawis_stems() -> None:
    from warta.analysis.indonesian import sastrawi_reference_stem, sastrawi_stem

    words = _id_word_sample(5000)
    mismatches = [(w, sastrawi_reference_stem(w), sastrawi_stem(w)) for w in words]
    mismatches = [m for m in mismatches if m[1] != m[2]]
    assert mismatches == []
    # The hand-picked words show the algorithm at work, not only agreement.
    assert [sastrawi_stem(w) for w in ("menteri", "mengatakan", "belajar", "menyapu", "jokowi")] == [
        "menteri", "kata", "ajar", "sapu", "jokowi",
    ]  # fmt: skip


def test_prefix_rules_skipped_by_the_gate_would_have_returned_nothing() -> None:
    from warta.analysis.indonesian import _gated, rule_may_match

    stemmer = _gated()
    rules = [rule for group in stemmer.rules for rule in group]
    assert len(rules) > 50  # every disambiguator of Sastrawi's provider has a gate (KeyError otherwise)
    words = _id_word_sample(4000, seed=11)
    for rule in rules:
        name = type(rule).__name__
        skipped = [w for w in words if not rule_may_match(name, w)]
        assert skipped, name
        assert [w for w in skipped if rule.disambiguate(w) is not None] == [], name


def test_words_with_other_letters_keep_sastrawis_normalisation() -> None:
    from warta.analysis.indonesian import sastrawi_reference_stem, sastrawi_stem

    for word in ("mengatakän", "ßaya", "Ménteri", "berçerita", "123", "don't"):
        assert sastrawi_stem(word) == sastrawi_reference_stem(word)


def test_word_tokens_equal_the_pattern_tokens_on_spaced_and_long_chunks() -> None:
    from warta.analysis.analyzer import word_tokens

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    rng = random.Random(17)
    pieces = ["a" * 99, "b" * 100, "c" * 101, "x" * 250, "don't", "Qur’an", "abc123", "naïve", "北约", "ไทย",
              "12.000", "—", "e-mail", "😀", "\u200b", *spaces]  # fmt: skip
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 10)))
        assert word_tokens(text) == [t for t, _, _ in tokenize(text)], repr(text)
