"""The one text analyser: every indexed term, every search query and every alert match goes
through here, so search and alerts agree on what a word is.

Steps: Unicode NFKC → case folding → accent folding (diacritics removed, base letters kept) →
tokenisation on Unicode word characters (hyphenated words such as Indonesian reduplication
"negara-negara" split into their parts; CJK split per character) → language-aware Snowball
stemming (Indonesian and Malay share the Indonesian stemmer).

Stop words are *not* removed from indexed terms: positions stay exact, so phrase queries behave
the same in Elasticsearch and in the stream matcher; relevance scoring discounts frequent words.
``is_stopword`` is offered for keyword extraction and signatures.

A query word can meet documents in any language; since each document was stemmed in its own
language, :func:`term_forms` gives the word's index form per document language. Elasticsearch
queries pair each form with a language filter and the alert matcher stems with the article's
language, so both apply exactly the same rule.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex

try:  # PyStemmer (C) is ~10x faster; snowballstemmer (pure Python) implements the same algorithms.
    import Stemmer as _stemmer_impl

    def _new_stemmer(name: str):  # type: ignore[no-untyped-def]
        return _stemmer_impl.Stemmer(name)
except ImportError:  # pragma: no cover - exercised only where PyStemmer cannot install
    import snowballstemmer as _stemmer_impl  # type: ignore[no-redef]

    def _new_stemmer(name: str):  # type: ignore[no-untyped-def]
        return _stemmer_impl.stemmer(name)


# ISO 639-1 → Snowball algorithm.
STEMMERS: dict[str, str] = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "eo": "esperanto",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ms": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "fa": "persian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}

# Words: letters/marks/digits, with inner apostrophes kept ("don't", "Qur'an"); CJK ideographs,
# kana and Thai are emitted one character at a time because they are written without spaces.
# Terms are joined with spaces and re-split in ES by the core `standard` tokenizer (the only one in
# the minimal distribution); every term this pattern yields is a single token for it.
_TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]"
    r"|[[\p{L}\p{M}\p{N}]--[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]]{1,100}"
    r"(?:['’][[\p{L}\p{M}\p{N}]--[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]]{1,100})*",
    regex.VERSION1,
)
_APOSTROPHES = str.maketrans({"’": "'"})


@lru_cache(maxsize=64)
def _stemmer(lang: str):  # type: ignore[no-untyped-def]
    algo = STEMMERS.get(lang)
    return _new_stemmer(algo) if algo else None


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case- and accent-folded form of one token (``"Zelenskyy"`` → ``"zelenskyy"``, ``"Écoute"`` → ``"ecoute"``)."""
    w = unicodedata.normalize("NFKC", word).casefold().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFD", w)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped) or w


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(token, start, end)`` for every word of ``text`` (offsets into the original string)."""
    for m in _TOKEN.finditer(text):
        yield m.group(), m.start(), m.end()


def normalize_lang(lang: str | None) -> str | None:
    if not lang or lang == "und":
        return None
    return lang.split("-")[0].split("_")[0].lower()


@lru_cache(maxsize=400_000)
def _stem_cached(folded: str, lang: str | None) -> str:
    stemmer = _stemmer(lang) if lang else None  # unknown codes: no stemmer, folded form
    if stemmer is None or folded.isdigit():
        return folded
    return stemmer.stemWord(folded) or folded


def term(word: str, lang: str | None) -> str:
    """The index term of one token in a document of language ``lang``."""
    return _stem_cached(fold(word), normalize_lang(lang))


def analyze(text: str, lang: str | None) -> list[str]:
    """Terms of ``text`` in order (positions matter for phrases); ``lang`` = ISO 639-1 or None."""
    lang = normalize_lang(lang)
    return [_stem_cached(fold(tok), lang) for tok, _, _ in tokenize(text)]


def analyze_with_offsets(text: str, lang: str | None) -> list[tuple[str, int, int]]:
    """Like :func:`analyze` but keeps each term's character span (used for highlighting)."""
    lang = normalize_lang(lang)
    return [(_stem_cached(fold(tok), lang), s, e) for tok, s, e in tokenize(text)]


def stemmed_languages() -> frozenset[str]:
    """Languages that get a stemmer; every other language is indexed with folded words only."""
    return frozenset(STEMMERS)


@dataclass(frozen=True)
class TermForm:
    """One way a query word sequence is written in the index.

    Matches documents whose language is in ``languages``, or - when ``other`` is true - documents
    in a language without a stemmer (including unknown language).
    """

    terms: tuple[str, ...]
    languages: frozenset[str]
    other: bool

    def applies_to(self, lang: str | None) -> bool:
        lang = normalize_lang(lang)
        if lang in STEMMERS:
            return lang in self.languages
        return self.other


def term_forms(words: tuple[str, ...] | list[str]) -> tuple[TermForm, ...]:
    """How a sequence of query words is written in the index, grouped by document language.

    Documents are stemmed in their own language, so a query word is stemmed the same way for
    each language it may meet; languages whose stemmers agree share one form.
    """
    return _term_forms(tuple(fold(w) for w in words))


@lru_cache(maxsize=20_000)
def _term_forms(folded: tuple[str, ...]) -> tuple[TermForm, ...]:
    groups: dict[tuple[str, ...], set[str]] = {}
    for code in STEMMERS:
        seq = tuple(_stem_cached(w, code) for w in folded)
        groups.setdefault(seq, set()).add(code)
    forms = [TermForm(seq, frozenset(langs), seq == folded) for seq, langs in groups.items()]
    if folded not in groups:
        forms.append(TermForm(folded, frozenset(), True))
    return tuple(forms)


def terms_for_language(words: tuple[str, ...] | list[str], lang: str | None) -> tuple[str, ...]:
    """The index form of query words for a document in ``lang`` (the stream matcher's view)."""
    lang = normalize_lang(lang)
    return tuple(_stem_cached(fold(w), lang if lang in STEMMERS else None) for w in words)


@lru_cache(maxsize=64)
def stopwords(lang: str | None) -> frozenset[str]:
    """Folded stop words of ``lang`` (stopwords-iso lists); empty when unknown."""
    lang = normalize_lang(lang)
    if lang is None:
        return frozenset()
    import stopwordsiso

    try:
        words = stopwordsiso.stopwords(lang)
    except Exception:
        return frozenset()
    return frozenset(fold(w) for w in words)


def is_stopword(word: str, lang: str | None) -> bool:
    return fold(word) in stopwords(lang)
