"""The one text analyser: every indexed term, every search query and every alert match goes
through here, so search and alerts agree on what a word is.

Steps: Unicode NFKC → case folding → accent folding (diacritics removed, base letters kept) →
tokenisation on Unicode word characters (hyphenated words such as Indonesian reduplication
"negara-negara" split into their parts; CJK split per character) → language-aware Snowball
stemming (Indonesian and Malay share Sastrawi's dictionary-based stemmer, see indonesian.py).

Stop words are *not* removed from indexed terms: positions stay exact, so phrase queries behave
the same in Elasticsearch and in the stream matcher; relevance scoring discounts frequent words.
``is_stopword`` is offered for keyword extraction and signatures.

A query word can meet documents in any language; since each document was stemmed in its own
language, :func:`term_forms` gives the word's index form per document language. Elasticsearch
queries pair each form with a language filter and the alert matcher stems with the article's
language, so both apply exactly the same rule.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import regex

try:  # PyStemmer (C) is ~10x faster; snowballstemmer (pure Python) implements the same algorithms.
    import Stemmer as _stemmer_impl

    def _new_stemmer(name: str):  # type: ignore[no-untyped-def]
        stemmer = _stemmer_impl.Stemmer(name)
        # Results are memoised in front of the stemmer (_stem_cached): PyStemmer's own cache would
        # only add a second copy and, when full, a purge that sorts its 10,000 entries.
        stemmer.maxCacheSize = 0
        return stemmer
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
# ``_TOKEN`` is the definition (Unicode properties of the ``regex`` module). The hot path runs
# ``_BMP_TOKEN``: the same pattern for the stdlib ``re`` engine (2-3x faster on this simple pattern)
# with both classes spelled out as the Basic Multilingual Plane code points ``regex`` itself puts in
# them, so the two agree on every string without astral characters (emoji, rare scripts), which
# keep going through ``_TOKEN``. (Astral ranges in an ``re`` class are tested one by one on every
# character, which would make the fast pattern slower than ``regex``.) Pinned by
# tests/unit/analysis/test_analyzer.py.
_CJK_CLASS = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]"
_WORD_CLASS = r"[[\p{L}\p{M}\p{N}]--[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]]"
_TOKEN = regex.compile(
    rf"{_CJK_CLASS}|{_WORD_CLASS}{{1,100}}(?:['’]{_WORD_CLASS}{{1,100}})*",
    regex.VERSION1,
)
_APOSTROPHES = str.maketrans({"’": "'"})


def _bmp_class(property_class: str) -> str:
    """A stdlib-``re`` class of exactly the BMP code points ``regex`` puts in ``property_class``."""
    # Every BMP code point once, in order (surrogates included: they match nothing, as in ``regex``).
    bmp = array("I", range(0x10000)).tobytes().decode("utf-32-le", "surrogatepass")
    ranges = [m.span() for m in regex.finditer(property_class + "+", bmp, regex.VERSION1)]
    body = "".join(
        f"\\u{start:04x}" + (f"-\\u{end - 1:04x}" if end - 1 > start else "") for start, end in ranges
    )
    return f"[{body}]"


_BMP_WORD = _bmp_class(_WORD_CLASS)
_BMP_CJK = _bmp_class(_CJK_CLASS)
_BMP_TOKEN = re.compile(rf"{_BMP_CJK}|{_BMP_WORD}{{1,100}}(?:['’]{_BMP_WORD}{{1,100}})*")
_UNSPACED = regex.compile(_CJK_CLASS, regex.VERSION1)
_BMP_UNSPACED = re.compile(_BMP_CJK)


def _is_bmp(text: str) -> bool:
    # UTF-16 spends 4 bytes only on astral characters; encoding is ~20x faster than max(text).
    return text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)


def token_pattern(text: str) -> re.Pattern[str] | regex.Pattern[str]:
    """The compiled token pattern to run on ``text`` (both give the same matches on it): the fast
    stdlib one unless ``text`` has astral characters. For callers that tokenise pieces of a text."""
    return _BMP_TOKEN if _is_bmp(text) else _TOKEN


def has_unspaced_script(text: str) -> bool:
    """True when ``text`` has characters the tokeniser emits one at a time (CJK ideographs, kana,
    Thai: scripts written without spaces)."""
    if text.isascii():
        return False
    return (_BMP_UNSPACED if _is_bmp(text) else _UNSPACED).search(text) is not None


@lru_cache(maxsize=64)
def _stemmer(lang: str):  # type: ignore[no-untyped-def]
    algo = STEMMERS.get(lang)
    if algo == "indonesian":
        # dictionary-based: Snowball's rule-only stems turn "menteri" into "teri" (see indonesian.py)
        from warta.analysis.indonesian import SastrawiStemmer

        return SastrawiStemmer()
    return _new_stemmer(algo) if algo else None


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case- and accent-folded form of one token (``"Zelenskyy"`` → ``"zelenskyy"``, ``"Écoute"`` → ``"ecoute"``)."""
    if word.isascii():
        # NFKC/NFD/NFC are identities on ASCII and casefold() is lower(): same result, 5x faster.
        return word.lower()
    w = unicodedata.normalize("NFKC", word).casefold().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFD", w)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped) or w


# Per-process memo tables for the hot path (a plain dict lookup is ~3x cheaper than two nested
# lru_cache calls). Tokens → folded form; per stemming language, tokens → term. Each table is
# dropped and restarted when it outgrows ``_MEMO_LIMIT`` entries, which bounds memory on
# long-running workers without LRU bookkeeping on every hit (100k entries ~ 10 MB: a language's
# news vocabulary fits, and a restart costs only re-stemming the words that come back).
_MEMO_LIMIT = 100_000
_FOLDED: dict[str, str] = {}
_TERMS: dict[str | None, dict[str, str]] = {}


def _term_table(lang: str | None) -> dict[str, str]:
    key = lang if lang in STEMMERS else None  # other languages: folded form, like no language
    table = _TERMS.get(key)
    if table is None or len(table) > _MEMO_LIMIT:
        table = _TERMS[key] = {}
    return table


def _term_of_new_token(table: dict[str, str], token: str, lang: str | None) -> str:
    value = table[token] = _stem_cached(fold(token), lang if lang in STEMMERS else None)
    return value


T = TypeVar("T")


def memo_map(table: dict[str, T], keys: list[str], compute: Callable[[str], T]) -> list[T]:
    """``[compute(k) for k in keys]`` through a per-process memo ``table`` (cleared past
    ``_MEMO_LIMIT`` entries so memory stays bounded). Hot path: one dict lookup per key."""
    if len(table) > _MEMO_LIMIT:
        table.clear()
    get = table.get
    out = [get(k) for k in keys]
    if None in out:
        for i, value in enumerate(out):
            if value is None:
                out[i] = table[keys[i]] = compute(keys[i])
    return out  # type: ignore[return-value]


def fold_tokens(tokens: list[str]) -> list[str]:
    """:func:`fold` of each token (memoised per process; same values as calling ``fold``)."""
    return memo_map(_FOLDED, tokens, fold)


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(token, start, end)`` for every word of ``text`` (offsets into the original string)."""
    for m in token_pattern(text).finditer(text):
        start, end = m.span()
        yield m.group(), start, end


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


def term_of_folded(folded: str, lang: str | None) -> str:
    """:func:`term` of any token whose :func:`fold` is ``folded``, for a ``lang`` already passed
    through :func:`normalize_lang` (callers that fold tokens themselves skip a second fold)."""
    return _stem_cached(folded, lang if lang in STEMMERS else None)


def term(word: str, lang: str | None) -> str:
    """The index term of one token in a document of language ``lang``."""
    code = normalize_lang(lang)
    table = _term_table(code)
    value = table.get(word)
    return value if value is not None else _term_of_new_token(table, word, code)


def _terms_of(tokens: list[str], lang: str | None) -> list[str]:
    table = _term_table(lang)
    get = table.get
    out = [get(t) for t in tokens]
    if None in out:
        for i, value in enumerate(out):
            if value is None:
                out[i] = _term_of_new_token(table, tokens[i], lang)
    return out  # type: ignore[return-value]


def terms_of_tokens(tokens: list[str], lang: str | None) -> list[str]:
    """:func:`term` of each token (what :func:`analyze` gives for the text they were found in)."""
    return _terms_of(tokens, normalize_lang(lang))


def word_tokens(text: str) -> list[str]:
    """The tokens of ``text`` (``[t for t, _, _ in tokenize(text)]``), faster: tokens never contain
    whitespace, so each whitespace-separated chunk is tokenised alone, and a chunk of ASCII letters
    and digits (at most 100: the pattern splits longer runs) is one token as it stands."""
    findall = token_pattern(text).findall
    tokens: list[str] = []
    append = tokens.append
    for chunk in text.split():
        if chunk.isascii() and len(chunk) <= 100 and chunk.isalnum():
            append(chunk)
        else:
            tokens += findall(chunk)
    return tokens


def analyze(text: str, lang: str | None) -> list[str]:
    """Terms of ``text`` in order (positions matter for phrases); ``lang`` = ISO 639-1 or None."""
    return _terms_of(word_tokens(text), normalize_lang(lang))


def analyze_tokens(text: str, lang: str | None) -> tuple[list[str], list[tuple[int, int]], list[str]]:
    """One tokenisation of ``text``: ``(tokens, spans, terms)``, index-aligned.

    ``tokens[i] == text[start:end]`` for ``(start, end) = spans[i]``, and ``terms`` is exactly
    :func:`analyze` of ``text`` (what callers that need both surface forms and terms share).
    """
    spans = [m.span() for m in token_pattern(text).finditer(text)]
    tokens = [text[start:end] for start, end in spans]
    return tokens, spans, _terms_of(tokens, normalize_lang(lang))


def analyze_with_offsets(text: str, lang: str | None) -> list[tuple[str, int, int]]:
    """Like :func:`analyze` but keeps each term's character span (used for highlighting)."""
    _, spans, terms = analyze_tokens(text, lang)
    return [(t, start, end) for t, (start, end) in zip(terms, spans, strict=True)]


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
