"""Near-duplicate and same-story signatures (MinHash family), and the similarity functions the
indexer uses to assign stories and duplicates.

A signature is ``SIGNATURE_SIZE`` (160) ints in [0, 2^31-1], three parts side by side, all over
*content terms* (analysed with :mod:`warta.analysis.analyzer`: folded, stemmed, stop words and
short tokens dropped; CJK/Thai as character bigrams), so inflection and casing differences between
outlets vanish:

* ``[0:96]``     bottom-96 sketch of the set of content unigrams: overlap of vocabulary;
* ``[96:128]``   bottom-32 sketch of 3-term shingles (hashed from their terms' hashes): overlap of *phrasing*, high only for copies
                 and light rewrites;
* ``[128:160]``  hashes of the story's 32 key terms (:func:`story_key_terms`: most repeated terms,
                 names weighted up, early mentions first): what the article is about.

Unused slots hold ``SIGNATURE_EMPTY``. A bottom-k sketch (the k smallest hashes of the set) is the
one-permutation form of MinHash: the same Jaccard estimator quality as k permutations for one hash
per feature. Hashes are CRC-32 of the UTF-8 feature mixed by a fixed-seed universal hash modulo
the Mersenne prime 2^31-1: stable across processes and Python versions, JSON- and ES-``long``-safe.

Two outlets rewriting the same wire story share names, places and the topic's vocabulary but few
phrases, so :func:`same_story` compares unigrams and key terms, while :func:`is_duplicate` asks
for phrasing overlap too.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

import numpy as np
import regex

from warta.analysis.analyzer import (
    fold,
    has_unspaced_script,
    memo_map,
    normalize_lang,
    stopwords,
    term_of_folded,
    token_pattern,
)

UNIGRAM_SKETCH = 96
SHINGLE_SKETCH = 32
KEY_TERMS = 32
SIGNATURE_SIZE = UNIGRAM_SKETCH + SHINGLE_SKETCH + KEY_TERMS
SHINGLE_SIZE = 3
SEED = 20221129  # fixed: signatures must be comparable across processes, versions and restarts

_PRIME = (1 << 31) - 1
_EMPTY = _PRIME  # larger than any hash value: pads sketches of small sets
SIGNATURE_EMPTY = _EMPTY
_rng = np.random.default_rng(SEED)
_A, _B = (int(v) for v in _rng.integers(1, _PRIME, size=2, dtype=np.int64))
_SHINGLE_MULTIPLIERS = [int(v) for v in _rng.integers(1, _PRIME, size=SHINGLE_SIZE, dtype=np.int64)]

# Thresholds on the scales of :func:`similarity` and :func:`duplicate_similarity`.
# Tuned on the seed pair and SemEval-2022 task 8 pairs (see bench/quality_stories.py).
SAME_STORY_THRESHOLD = 0.1
DUPLICATE_THRESHOLD = 0.6


_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
# Characters that end a sentence or a clause for the name heuristics (none is a word character).
_BREAK_SPLIT = re.compile(r"[.!?\n:;“”\"()\[\]|–—]").split


# Keyword candidates (keywords.py) are folded tokens of at least this many characters, not stop
# words nor numbers; defined here because the analysis pass records the flag once per token.
KEYWORD_MIN_LENGTH = 3

# Per token, in one memo per language: (term, folded form, content word?, keyword candidate?,
# capitalised?, all capitals?, the term's 31-bit CRC). One look-up per token serves the terms, the
# signature's content filter and hashes, the keyword candidates and the name heuristics (instead
# of one memo per question).
# Bounded in two generations: when the current table is full it becomes the previous one and a new
# table starts; a token missing from the current table is looked up in the previous one before it
# is analysed again. So a long-running enricher keeps the words it keeps meeting (instead of
# forgetting everything at once and paying a cold start), and memory stays under 2 x the limit.
_Facts = tuple[str, str, bool, bool, bool, bool, int]
_FACTS: dict[str | None, dict[str, _Facts]] = {}
_FACTS_PREVIOUS: dict[str | None, dict[str, _Facts]] = {}
_MEMO_LIMIT = 100_000


def _facts_table(lang: str | None) -> dict[str, _Facts]:
    table = _FACTS.get(lang)
    if table is None:
        table = _FACTS[lang] = {}
    elif len(table) > _MEMO_LIMIT:
        _FACTS_PREVIOUS[lang] = table
        table = _FACTS[lang] = {}
    return table


def _facts_of(token: str, lang: str | None) -> _Facts:
    folded = fold(token)
    stops = stopwords(lang)
    capital = token[0].isupper()
    term = term_of_folded(folded, lang)
    return (
        term,
        folded,
        # content word (signature): not a stop word, one letter or a number under 4 digits
        len(folded) > 1 and folded not in stops and not (len(folded) < 4 and folded.isdigit()),
        # keyword candidate: long enough, not a stop word nor a number
        len(folded) >= KEYWORD_MIN_LENGTH and folded not in stops and not folded.isdigit(),
        capital,
        capital and token.isupper(),
        _crc31(term),
    )


@dataclass
class AnalysedText:
    """One tokenisation of an article shared by terms, keywords and signature (analysing the text
    once is what keeps enrichment within its per-article time budget).

    ``terms`` is exactly :func:`warta.analysis.analyzer.analyze` of ``text`` and ``folded`` the
    :func:`~warta.analysis.analyzer.fold` of each token; ``sentence_start[i]`` tells whether
    capitalised token ``i`` starts a sentence (capitalisation there says nothing about names); it
    is False for every token that is not capitalised. Per token also: ``content`` (a content word
    for the signature: not a stop word of ``lang``, one letter or a number under 4 digits),
    ``candidate`` (a possible keyword: at least ``KEYWORD_MIN_LENGTH`` characters, not a stop word
    nor a number), ``name_like`` (capitalised in mid-sentence, or all capitals at a sentence
    start: the signature's name mark) and ``term_hashes`` (CRC-32 of each term, 31 bits).
    """

    text: str
    lang: str | None
    tokens: list[str]
    terms: list[str]
    folded: list[str]
    sentence_start: list[bool]
    content: Sequence[bool]
    candidate: Sequence[bool]
    name_like: list[bool]
    term_hashes: Sequence[int]

    @classmethod
    def of(cls, text: str, lang: str | None) -> AnalysedText:
        code = normalize_lang(lang)
        # Tokens never contain a break character, so tokenising the pieces between breaks gives the
        # text's tokens, and a token starts a sentence exactly when it is first in its piece.
        # Within a piece, whitespace-separated chunks of ASCII letters and digits are tokens as
        # they stand (analyzer.word_tokens, inlined: this runs on every chunk of every article).
        findall = token_pattern(text).findall
        tokens: list[str] = []
        append = tokens.append
        firsts: list[int] = []
        for piece in _BREAK_SPLIT(text):
            count = len(tokens)
            for chunk in piece.split():
                if chunk.isascii() and len(chunk) <= 100 and chunk.isalnum():
                    append(chunk)
                else:
                    tokens += findall(chunk)
            if len(tokens) > count:
                firsts.append(count)
        if not tokens:
            return cls(text, code, [], [], [], [], [], [], [], [])
        table = _facts_table(code)
        get = table.get
        facts = [get(t) for t in tokens]
        if None in facts:
            previous = _FACTS_PREVIOUS.get(code, {})
            for i, known in enumerate(facts):
                if known is None:
                    token = tokens[i]
                    found_facts = table.get(token)  # the same new word earlier in this text
                    if found_facts is None:
                        found_facts = previous.get(token) or _facts_of(token, code)
                        table[token] = found_facts
                    facts[i] = found_facts
        terms, folded, content, candidate, capital, capitals, hashes = zip(*facts, strict=True)  # type: ignore[misc]
        starts = [False] * len(tokens)
        name_like = list(capital)
        for i in firsts:
            # Only a capitalised token needs to know: elsewhere case carries no name signal.
            starts[i] = capital[i]
            name_like[i] = capitals[i]
        return cls(
            text, code, tokens, list(terms), list(folded), starts, content, candidate, name_like, hashes
        )


def content_terms(text: str, lang: str | None = None) -> list[str]:
    """Analysed terms of ``text`` without stop words, one-letter tokens and short numbers.

    Scripts written without spaces (CJK, Thai), which the analyser splits per character, give
    character bigrams instead. Each term is marked with a leading ``^`` when the token was
    capitalised in mid-sentence position (a likely name); callers strip it where it does not matter.
    """
    return content_terms_of(AnalysedText.of(text, lang))


def content_terms_of(analysed: AnalysedText) -> list[str]:
    """:func:`content_terms` of an already analysed text."""
    bare, is_name = _content_terms_and_names(analysed)
    return ["^" + t if name else t for t, name in zip(bare, is_name, strict=True)]


def _content_terms_and_names(analysed: AnalysedText) -> tuple[list[str], list[bool]]:
    """Content terms without marks, and for each whether it is name-like (the ``^`` mark)."""
    terms, is_name, _ = _content_terms_names_hashes(analysed)
    return terms, is_name


def _content_terms_names_hashes(analysed: AnalysedText) -> tuple[list[str], list[bool], list[int]]:
    """:func:`_content_terms_and_names` and the terms' :func:`_hashes_of`."""
    if has_unspaced_script(analysed.text):
        marked = _content_terms_slow(analysed)
        terms = [t[1:] if t[0] == "^" else t for t in marked]
        return terms, [t[0] == "^" for t in marked], _hashes_of(terms)  # bigrams: not token terms
    content = analysed.content
    return (
        list(compress(analysed.terms, content)),
        list(compress(analysed.name_like, content)),
        list(compress(analysed.term_hashes, content)),
    )


def _content_terms_slow(analysed: AnalysedText) -> list[str]:
    """Token by token, for texts with CJK/Thai characters (turned into character bigrams)."""
    stops = stopwords(analysed.lang)
    out: list[str] = []
    tokens = analysed.tokens
    previous_cjk = ""
    for i, folded in enumerate(analysed.folded):
        token = tokens[i]
        if len(token) == 1 and _CJK.match(token):
            if previous_cjk:
                out.append(previous_cjk + token)
            previous_cjk = token
            continue
        previous_cjk = ""
        if len(folded) < 2 or folded in stops or (len(folded) < 4 and folded.isdigit()):
            continue
        stem = analysed.terms[i]
        if token[0].isupper() and (not analysed.sentence_start[i] or token.isupper()):
            out.append("^" + stem)
        else:
            out.append(stem)
    return out


def story_key_terms(text: str, lang: str | None = None, k: int = KEY_TERMS) -> list[str]:
    """The ``k`` terms that say what the article is about, most important first.

    Score = occurrences, doubled for name-like (capitalised mid-sentence) terms, with a bonus for
    appearing early. Deterministic for a given text and language; the indexer may store these to
    explain a story assignment.
    """
    return _key_terms(content_terms(text, lang), k)


def _key_terms(terms: list[str], k: int) -> list[str]:
    bare = [t[1:] if t[0] == "^" else t for t in terms]
    return _key_terms_of(bare, {t[1:] for t in terms if t[0] == "^"}, k)


def _key_terms_of(bare: list[str], names: set[str], k: int) -> list[str]:
    """:func:`_key_terms` of unmarked terms and the set of those that were ever marked as names.

    The score is ``count * (2 if name else 1) + 1 - first_position / n``: an integer weight plus
    an early-mention bonus in (0, 1], so terms rank by weight, then by first position. Counter
    keeps first-occurrence order and ``sorted`` is stable (also with ``reverse``), so a sort on
    the weight alone gives that order without building a float and a tuple per term.
    """
    weights = Counter(bare)  # first-occurrence order, as the ranking's tie-break needs
    for t in names & weights.keys():  # names doubles, in place: the order stays
        weights[t] *= 2
    # Most terms occur once (weight 1) and rank after every heavier one: when at least k terms are
    # heavier, the k best are among them (compress keeps their order, so ties break the same).
    heavier = list(compress(weights, map((1).__lt__, weights.values())))
    ranked = heavier if len(heavier) >= k else weights
    return sorted(ranked, key=weights.__getitem__, reverse=True)[:k]


# CRC-32 of terms, memoised per process (the same few thousand terms recur in every article).
_HASHES: dict[str, int] = {}


def _crc31(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def _hashes_of(bare: list[str]) -> list[int]:
    """CRC-32 (31 bits) of each term's UTF-8 bytes: stable across processes and versions."""
    return memo_map(_HASHES, bare, _crc31)


def _mix(x: np.ndarray) -> np.ndarray:
    """Fixed-seed universal hash, so the ranks bottom-k sketches rely on are not CRC's linear
    structure; sorted and deduplicated."""
    mixed = np.sort((_A * x + _B) % _PRIME)  # x < 2^31, a < 2^31: a*x+b < 2^63, no overflow
    # Same result as np.unique, which is ~10x slower on arrays this small (hash-based in numpy 2).
    return mixed[np.concatenate(([True], mixed[1:] != mixed[:-1]))] if len(mixed) > 1 else mixed


def _bottom_k(hashed: np.ndarray, k: int) -> np.ndarray:
    smallest = hashed[:k]  # _mix sorts, so these are the k smallest
    return np.concatenate([smallest, np.full(k - len(smallest), _EMPTY, dtype=np.int64)])


def signature_from_terms(terms: list[str]) -> list[int]:
    """Signature of an already computed :func:`content_terms` list (lets the pipeline analyse once)."""
    bare = [t[1:] if t[0] == "^" else t for t in terms]
    return _signature(bare, {t[1:] for t in terms if t[0] == "^"})


def signature_of(*parts: AnalysedText | None) -> list[int]:
    """:func:`signature_from_terms` of the content terms of ``parts`` in order (``None`` skipped):
    the pipeline's path, without building and stripping the ``^`` marks, and with the term hashes
    the analysis pass memoised per token."""
    bare: list[str] = []
    hashes: list[int] = []
    names: set[str] = set()
    for part in parts:
        if part is not None:
            terms, is_name, term_hashes = _content_terms_names_hashes(part)
            bare += terms
            names.update(compress(terms, is_name))
            hashes += term_hashes
    return _signature(bare, names, hashes)


def _signature(bare: list[str], names: set[str], hashes: list[int] | None = None) -> list[int]:
    """The signature of content terms ``bare`` (``hashes``: their :func:`_hashes_of`, when known)."""
    if hashes is None:
        hashes = _hashes_of(bare)
    seq = np.array(hashes, dtype=np.int64)
    # A shingle's hash combines its terms' hashes positionally (vectorised; no string joins).
    n = max(0, len(seq) - SHINGLE_SIZE + 1)
    # sum of SHINGLE_SIZE products mod P, each < P = 2^31 - 1: the sum stays far below 2^63
    shingles = seq[0:n] * _SHINGLE_MULTIPLIERS[0] % _PRIME
    for offset, multiplier in enumerate(_SHINGLE_MULTIPLIERS[1:], start=1):
        shingles += seq[offset : offset + n] * multiplier % _PRIME
    shingles %= _PRIME
    keys = np.array(_hashes_of(_key_terms_of(bare, names, KEY_TERMS)), dtype=np.int64)
    sig = np.concatenate(
        [
            _bottom_k(_mix(seq), UNIGRAM_SKETCH),
            _bottom_k(_mix(shingles), SHINGLE_SKETCH),
            _bottom_k(_mix(keys), KEY_TERMS),  # all of them: the exact set
        ]
    )
    return sig.tolist()  # type: ignore[no-any-return]


def signature(text: str, lang: str | None = None) -> list[int]:
    """MinHash signature (``SIGNATURE_SIZE`` ints in [0, 2^31-1]) of ``text`` analysed in ``lang``.

    Deterministic across processes. An empty or stop-word-only text gives a signature whose
    similarity to everything is 0.
    """
    return signature_from_terms(content_terms(text, lang))


def _jaccard(a: Sequence[int], b: Sequence[int], lo: int, hi: int) -> float:
    """Bottom-k Jaccard estimate: among the k smallest hashes of the union, the share in both."""
    if len(a) < hi or len(b) < hi:
        return 0.0
    sa = {v for v in a[lo:hi] if v != _EMPTY}
    sb = {v for v in b[lo:hi] if v != _EMPTY}
    if not sa or not sb:
        return 0.0
    k = hi - lo
    union_k = sorted(sa | sb)[:k]
    both = sa & sb
    return sum(1 for v in union_k if v in both) / len(union_k)


def part_similarities(a: Sequence[int], b: Sequence[int]) -> tuple[float, float, float]:
    """Estimated Jaccard similarity of (unigrams, shingles, key terms) of two signatures."""
    u = UNIGRAM_SKETCH
    s = u + SHINGLE_SKETCH
    return _jaccard(a, b, 0, u), _jaccard(a, b, u, s), _jaccard(a, b, s, SIGNATURE_SIZE)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Story similarity in [0, 1] of two signatures: mean of the unigram and key-term estimates.

    Signatures of different lengths (another version) compare as 0.
    """
    if len(a) != len(b):
        return 0.0
    uni, _, keys = part_similarities(a, b)
    return (uni + keys) / 2.0


def same_story(a: Sequence[int], b: Sequence[int], threshold: float = SAME_STORY_THRESHOLD) -> bool:
    """True when two articles' signatures say they report the same story (rewrites included)."""
    return similarity(a, b) >= threshold


def duplicate_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Copy similarity in [0, 1]: mean of the unigram and shingle (phrasing) estimates."""
    if len(a) != len(b):
        return 0.0
    uni, shingles, _ = part_similarities(a, b)
    return (uni + shingles) / 2.0


def is_duplicate(a: Sequence[int], b: Sequence[int], threshold: float = DUPLICATE_THRESHOLD) -> bool:
    """True for near-exact copies: same wording up to small edits, boilerplate or truncation."""
    return duplicate_similarity(a, b) >= threshold
