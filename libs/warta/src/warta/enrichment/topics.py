"""IPTC Media Topics for an article: taxonomy look-ups and a light multilingual classifier.

The taxonomy (codes, tree, labels in the languages IPTC translates) is IPTC's published NewsCodes
``mediatopic`` vocabulary, derived into ``warta/data/iptc/mediatopics.json`` by
``deploy/build/build_iptc_mediatopics.py`` (provenance in ``deploy/build/IPTC_PROVENANCE.md``).
Nothing here types a label by hand.

The classifier (``warta/data/topics/model.npz``, built by ``deploy/build/train_topics.py``) is a
class-balanced naive Bayes over word unigrams and bigrams, trained on the SIB-200 training split (23
languages), IPTC's own labels (every language IPTC publishes) for every concept under each top-level
topic, and a curated seed lexicon (``warta/data/topics/seed_lexicon.tsv``, news vocabulary pointing
at IPTC codes), plus a logistic-regression residual fitted on top of it: one linear weight table
either way. Inference is a dict look-up per token and one numpy row sum: no scikit-learn at run time.
Second-level topics come from matches of IPTC's own second-level-and-below labels (and seed lexicon
terms for second-level codes) under the chosen top-level topic, and are only emitted with several
matches. For Malay (the thinnest training vocabulary) an unknown word counts as the row of its
Sastrawi stem, when the model stores one (see ``_StemFallbackTable``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from warta.events import Topic

MEDTOP_PREFIX = "medtop:"
# Scores below this are not reported: with 17 classes a flat posterior is ~0.06, and 0.2 keeps the
# clear winner plus a genuine runner-up (politics + economy on a budget story) without noise.
MIN_TOP_LEVEL_SCORE = 0.2
# A runner-up only needs this much: it is reported next to a confident winner, not on its own.
MIN_SECONDARY_SCORE = 0.1
MAX_TOPICS = 3
# A second-level topic needs this many label matches under its parent before we trust it.
MIN_SECOND_LEVEL_HITS = 2
# Long articles add nothing past their first few thousand characters for topic, only cost.
MAX_BODY_CHARS = 4000
TITLE_WEIGHT = 1
SHORT_TEXT_FEATURES = 25
MAX_LOGIT = 5.0

# Stem rows are stored in the vocabulary under keys no token can produce (see ``stem_key``).
STEM_KEY_MARK = "\x01"
MIN_STEM_FALLBACK_CHARS = 3
_FALLBACK_MEMO_LIMIT = 100_000

_TOKEN_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# Every "N-M" of one- or two-digit numbers (a match result, mostly) is this one token.
SCORELINE = "0-0"
_APOSTROPHE_RE = re.compile(r"['’]")
# Elided articles and conjunctions glued to the next word by an apostrophe (French l'/d'/qu'...,
# Italian dell'/all'/un'...): "l'inflation" is the word "inflation" for topic purposes.
_ELIDED_PREFIXES = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"}
    | {"dell", "all", "dall", "nell", "sull", "un", "quest", "quell"}
)


def _normalise_token(token: str) -> str:
    """One regex token with an apostrophe or hyphen in it, reduced to the word that carries topic.

    French/Italian elisions lose their article ("l'économie" -> "économie", "d'affaires" ->
    "affaires"), English possessives their "'s" ("company's" -> "company"), and Indonesian/Malay
    plural reduplication is one word ("negara-negara" -> "negara"). A scoreline ("2-1", "24-17") is
    the one token ``SCORELINE``, whatever its numbers. Anything else is unchanged.
    """
    if "'" in token or "’" in token:
        parts = _APOSTROPHE_RE.split(token)
        if len(parts) == 2:
            head, tail = parts
            if head in _ELIDED_PREFIXES:
                return tail
            if tail == "s":
                return head
        return token
    head, sep, tail = token.partition("-")
    if sep and head == tail:
        return head
    if sep and head.isdigit() and tail.isdigit() and len(head) <= 2 and len(tail) <= 2:
        return SCORELINE
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters/digits, keeping inner hyphens and apostrophes).

    Elided articles, possessive "'s" and reduplicated plurals are reduced to their word (see
    ``_normalise_token``). Shared by training and inference so both see exactly the same features.
    """
    # Tokens never span whitespace, so each whitespace chunk is cut alone; most are one plain
    # word (``isalnum`` is exactly the class ``[^\W_]`` matches), which skips the regex entirely.
    out: list[str] = []
    add, cut = out.append, _TOKEN_RE.findall
    for chunk in text.lower().split():
        if chunk.isalnum():
            add(chunk)
        else:
            for token in cut(chunk):
                add(token if token.isalnum() else _normalise_token(token))
    return out


def features(tokens: list[str]) -> list[str]:
    """Unigrams followed by space-joined bigrams: the classifier's feature strings.

    At run time bigrams are only looked up when their first word starts a known bigram.
    """
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


# --------------------------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaTopic:
    """One IPTC Media Topic concept as published by IPTC."""

    code: str
    parent: str | None
    level: int
    labels: dict[str, str]
    definitions: dict[str, str]
    retired: str | None = None

    @property
    def top_level(self) -> str:
        """Code of the level-1 ancestor (itself for a top-level topic)."""
        node = self
        taxonomy = _taxonomy()
        while node.parent is not None:
            node = taxonomy.concepts[node.parent]
        return node.code


@dataclass(frozen=True)
class _Taxonomy:
    concepts: dict[str, MediaTopic]
    title: str
    provenance: dict[str, Any]
    aliases: dict[str, str]


def _slug(name: str) -> str:
    """'Economy, business and finance' -> 'economy-business-and-finance' (accents folded)."""
    folded = unicodedata.normalize("NFKD", name.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", "-", folded).strip("-")


@cache
def _taxonomy() -> _Taxonomy:
    raw = json.loads(resources.files("warta.data.iptc").joinpath("mediatopics.json").read_text("utf-8"))
    concepts = {
        c["code"]: MediaTopic(
            code=c["code"],
            parent=c["parent"],
            level=c["level"],
            labels=c["labels"],
            definitions=c.get("definitions", {}),
            retired=c.get("retired"),
        )
        for c in raw["concepts"]
    }
    aliases: dict[str, str] = {}

    def add(alias: str, code: str) -> None:
        key = _slug(alias)
        if key:
            aliases.setdefault(key, code)

    # Active concepts first and shallow before deep, so "sport" resolves to the top-level topic.
    ordered = sorted(concepts.values(), key=lambda c: (c.retired is not None, c.level))
    for concept in ordered:
        add(concept.code.removeprefix(MEDTOP_PREFIX), concept.code)
    # Short query names for the top-level topics come before deeper labels: each part of the English
    # label split at commas and "and" ("economy", "business", "finance", "crime", "law", ...), so
    # "topic:economy" means the whole IPTC top-level topic, not its second-level "economy" concept.
    for concept in ordered:
        if concept.level == 1 and not concept.retired:
            for label in concept.labels.values():
                add(label, concept.code)
            for word in re.split(r",|\band\b", concept.labels.get("en", "")):
                add(word.strip(), concept.code)
    for concept in ordered:
        for label in concept.labels.values():
            add(label, concept.code)
    return _Taxonomy(
        concepts=concepts, title=raw.get("title", ""), provenance=raw.get("provenance", {}), aliases=aliases
    )


def mediatopic(code: str) -> MediaTopic | None:
    """The concept for ``code`` ("medtop:15000000" or "15000000"), or None if IPTC has no such code."""
    return _taxonomy().concepts.get(_qualify(code))


def _qualify(code: str) -> str:
    code = code.strip()
    return code if code.startswith(MEDTOP_PREFIX) else MEDTOP_PREFIX + code


def _top_level_codes() -> tuple[str, ...]:
    return tuple(c.code for c in _taxonomy().concepts.values() if c.level == 1 and c.retired is None)


TOP_LEVEL: tuple[str, ...] = _top_level_codes()
"""The 17 IPTC Media Topics top-level codes, in IPTC's order."""


def iptc_label(code: str, lang: str = "en") -> str | None:
    """IPTC's published label for ``code`` in ``lang`` (falls back to English), or None if unknown.

    ``lang`` is a tag as stored (en, fr, de, es, pt, ar, zh, da, nb, nn, sv, en-US, pt-PT); a region
    suffix not stored falls back to the base language. IPTC publishes no Indonesian or Malay labels,
    so ``id``/``ms`` get English.
    """
    concept = mediatopic(code)
    if concept is None:
        return None
    return concept.labels.get(lang) or concept.labels.get(lang.split("-")[0]) or concept.labels.get("en")


def resolve_topic(name_or_code: str) -> str | None:
    """Map what a user types after ``topic:`` to an IPTC code, or None if nothing matches.

    Accepts a qcode ("medtop:11000000"), a bare code ("11000000"), a label in any language IPTC
    publishes, its slug ("economy-business-and-finance", case and accents ignored), or a short name
    for a top-level topic ("politics", "sport", "sports", "economy", "business", "crime").
    """
    text = name_or_code.strip()
    if not text:
        return None
    if (concept := mediatopic(text)) is not None and re.fullmatch(r"(medtop:)?\d{8}", text):
        return concept.code
    aliases = _taxonomy().aliases
    key = _slug(text)
    if key in aliases:
        return aliases[key]
    # Plural/singular slack for query words ("sports", "elections").
    if key.endswith("s") and key[:-1] in aliases:
        return aliases[key[:-1]]
    if key + "s" in aliases:
        return aliases[key + "s"]
    return None


# --------------------------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    classes: tuple[str, ...]
    vocab: dict[str, int]
    starters: frozenset[str]  # first words of the bigram features: only these pay for a bigram look-up
    weights: np.ndarray  # (len(vocab), len(classes)) float32, evidence for (> 0) or against each class
    temperature: float
    second_level_of: np.ndarray  # (len(vocab),) index into second_level_codes, -1 for none
    second_level_codes: tuple[str, ...]
    # feature id -> (second-level code, its parent) for the few features that name a branch
    branch_of: dict[int, tuple[str, str]] = field(default_factory=dict)
    # language -> its stop words, for the languages whose unknown words fall back to a stem row
    stem_fallback: dict[str, frozenset[str]] = field(default_factory=dict)
    # language -> its _StemFallbackTable, built on first use
    fallback_tables: dict[str, _StemFallbackTable] = field(default_factory=dict, compare=False, repr=False)


@cache
def _model() -> _Model:
    with resources.files("warta.data.topics").joinpath("model.npz").open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
        vocab_list = bytes(data["vocab"]).decode("utf-8").split("\n")
        weights = data["weights"].astype(np.float32)
        second_level_of = data["second_level_of"].astype(np.int32)
    second_level_codes = tuple(meta["second_level_codes"])
    taxonomy = _taxonomy().concepts
    stem_fallback = {lang: frozenset(stop) for lang, stop in meta.get("stem_fallback", {}).items()}
    return _Model(
        classes=tuple(meta["classes"]),
        vocab={term: i for i, term in enumerate(vocab_list)},
        starters=frozenset(term.split(" ", 1)[0] for term in vocab_list if " " in term),
        weights=weights,
        temperature=float(meta["temperature"]),
        second_level_of=second_level_of,
        second_level_codes=second_level_codes,
        branch_of={
            i: (second_level_codes[b], taxonomy[second_level_codes[b]].parent or "")
            for i, b in enumerate(second_level_of.tolist())
            if b >= 0
        },
        stem_fallback=stem_fallback,
    )


def stem_key(lang: str, stem: str) -> str:
    """Vocabulary key of the stem row for ``stem`` in ``lang`` (no token can contain it)."""
    return f"{STEM_KEY_MARK}{lang}{STEM_KEY_MARK}{stem}"


class _StemFallbackTable(dict[str, int | None]):
    """Token -> feature id for one language: the vocabulary, plus unknown words resolved to the
    row of their stem (``warta.analysis`` stems, as the index uses) the first time they are seen.

    Looked up with ``__getitem__`` so known tokens stay a C-speed dict hit; only a token never seen
    before reaches ``__missing__``. Restarted from the vocabulary past ``_FALLBACK_MEMO_LIMIT``
    entries, which bounds memory on a long-running worker.
    """

    def __init__(self, model: _Model, lang: str) -> None:
        super().__init__(model.vocab)
        self._vocab, self._lang, self._stop = model.vocab, lang, model.stem_fallback[lang]

    def __missing__(self, token: str) -> int | None:
        if len(self) > len(self._vocab) + _FALLBACK_MEMO_LIMIT:
            self.clear()
            self.update(self._vocab)
        found = None
        if len(token) > MIN_STEM_FALLBACK_CHARS and token not in self._stop and not token.isdigit():
            from warta.analysis.analyzer import term

            stem = term(token, self._lang)
            found = self._vocab.get(stem_key(self._lang, stem))
            if found is None:  # no row stored when the stem's only word is the stem itself
                found = self._vocab.get(stem)
        self[token] = found
        return found


def _feature_counter(model: _Model, title: str | None, text: str, lang: str | None = None) -> Counter[int]:
    """Known feature ids in title + body with their (title-weighted) counts.

    For a ``lang`` with a stem fallback (``model.stem_fallback``), an unknown word counts as the
    row of its stem when the vocabulary has one.
    """
    get, starters = model.vocab.get, model.starters
    word_of: Callable[[str], int | None] = get
    if lang in model.stem_fallback:
        table = model.fallback_tables.get(lang)
        if table is None:
            table = model.fallback_tables[lang] = _StemFallbackTable(model, lang)
        word_of = table.__getitem__
    ids: list[int] = []
    for tokens, repeat in (
        (tokenize(text[:MAX_BODY_CHARS]), 1),
        (tokenize(title) if title else [], TITLE_WEIGHT),
    ):
        # map() keeps the per-token look-ups at C speed; bigrams are only built after a known starter.
        pairs = [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False) if a in starters]
        found = [i for i in map(word_of, tokens) if i is not None]
        found.extend([i for i in map(get, pairs) if i is not None])
        ids.extend(found * repeat)
    return Counter(ids)


def _feature_counts(model: _Model, title: str | None, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Distinct known feature ids (ascending) in title + body and their (title-weighted) counts."""
    counter = _feature_counter(model, title, text)
    ids = sorted(counter)
    return np.array(ids, dtype=np.int64), np.array([counter[i] for i in ids], dtype=np.int64)


def _probabilities(model: _Model, ids: list[int], counts: list[int]) -> list[float]:
    """Posterior over ``model.classes`` for features ``ids`` seen ``counts`` times (ids non-empty).

    Few numpy calls on purpose: on a cold cache (the other enrichment steps run in between) each
    one costs microseconds, more than the arithmetic on 17 numbers done in plain Python.
    """
    # Sub-linear term frequency: a word said ten times is stronger evidence than once, not ten times.
    tf = np.array([1.0 + math.log(n) for n in counts], dtype=np.float32)
    raw = (tf @ model.weights[ids]).tolist()
    best = max(raw)
    # Evidence grows with length; dividing by sqrt(#features) (past a headline/sentence's worth)
    # keeps a long article from being pushed to 0/1 scores while more text still means more certain.
    # The scale is also at least best/MAX_LOGIT, so the winner's logit never exceeds MAX_LOGIT: a
    # story with half as much conflict evidence as politics evidence keeps a visible second topic.
    scale = max(model.temperature * math.sqrt(max(1.0, len(ids) / SHORT_TEXT_FEATURES)), best / MAX_LOGIT)
    exps = [math.exp((r - best) / scale) for r in raw]
    total = sum(exps)
    return [e / total for e in exps]


def _posterior(model: _Model, unique: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``_probabilities`` for the arrays ``_feature_counts`` returns (used by the training script)."""
    return np.array(_probabilities(model, unique.tolist(), counts.tolist()))


def top_level_scores(title: str | None, text: str, lang: str | None = None) -> dict[str, float]:
    """Posterior over the 17 top-level codes (sums to 1); uniform when no known word is present.

    ``lang`` (ISO 639-1) only matters for languages with a stem fallback (see ``classify_topics``).
    """
    model = _model()
    counter = _feature_counter(model, title, text, lang)
    if not counter:
        return dict.fromkeys(model.classes, 1.0 / len(model.classes))
    ids = sorted(counter)
    probs = _probabilities(model, ids, [counter[i] for i in ids])
    return dict(zip(model.classes, probs, strict=True))


@cache
def _english_label(code: str) -> str:
    return iptc_label(code) or code


def classify_topics(title: str | None, text: str, lang: str) -> list[Topic]:
    """IPTC Media Topics for an article, best first.

    Returns the best top-level topic if its posterior is at least ``MIN_TOP_LEVEL_SCORE``, then
    runners-up with at least ``MIN_SECONDARY_SCORE`` (at most ``MAX_TOPICS`` top-level topics), each with its best second-level topic when at least ``MIN_SECOND_LEVEL_HITS``
    IPTC labels (or seed-lexicon terms) of that branch occur in the text; a second-level score is the
    parent's score times the branch's share of matches, so it never outranks its parent. Scores are
    in [0, 1]; labels are IPTC's English labels. An empty list means nothing was confident (e.g. no
    known word at all). The vocabulary is shared by all languages; ``lang`` (ISO 639-1 or "und")
    only lets languages with a stem fallback (Malay: the thinnest training vocabulary) count an
    unknown inflected word as its stem's row.
    """
    model = _model()
    counter = _feature_counter(model, title, text, lang)
    if not counter:
        return []
    # Ascending ids: ties between second-level branches break the same way on every run.
    ids = sorted(counter)
    probs = _probabilities(model, ids, [counter[i] for i in ids])
    order = sorted(range(len(probs)), key=probs.__getitem__, reverse=True)[:MAX_TOPICS]
    if probs[order[0]] < MIN_TOP_LEVEL_SCORE:
        return []
    # Second-level matches: the branch of every matched feature, weighted like the features.
    hits: dict[tuple[str, str], int] = {}
    branch_of = model.branch_of
    for i in ids:
        if (branch := branch_of.get(i)) is not None:
            hits[branch] = hits.get(branch, 0) + counter[i]
    topics: list[Topic] = []
    for k in order:
        score = probs[k]
        if score < MIN_SECONDARY_SCORE:
            continue
        code = model.classes[k]
        topics.append(Topic(code=code, label=_english_label(code), score=round(score, 4)))
        branch_hits = {c: n for (c, parent), n in hits.items() if parent == code}
        if not branch_hits:
            continue
        best, n = max(branch_hits.items(), key=lambda kv: kv[1])
        if n >= MIN_SECOND_LEVEL_HITS:
            share = n / sum(branch_hits.values())
            topics.append(Topic(code=best, label=_english_label(best), score=round(score * share, 4)))
    topics.sort(key=lambda t: t.score, reverse=True)
    return topics
