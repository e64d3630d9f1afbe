"""Train Warta's IPTC top-level topic model -> libs/warta/src/warta/data/topics/model.npz.

Usage (repo root; reads training splits from ../shared/data, never dev/test splits)::

    uv run python deploy/build/train_topics.py

Three sources of labelled text, each labelled with an IPTC top-level code:

1. SIB-200 ``train.tsv`` in all 23 languages (Flores sentences), stop words (stopwords-iso, all
   languages) removed: science/technology -> science and technology, travel -> lifestyle and
   leisure (IPTC files "travel and tourism" under leisure), politics -> politics and government,
   sports -> sport, health -> health, entertainment -> arts, culture, entertainment and media,
   geography -> science and technology (IPTC files "geography" under science / social sciences),
   at half weight so encyclopaedic place sentences do not own every place name.
2. IPTC's own labels, in every language IPTC publishes, for every concept, filed under its
   top-level ancestor (definitions are left out: generic prose that measured 3-10 points worse).
3. The seed lexicon ``data/topics/seed_lexicon.tsv``: curated news vocabulary (id, ms, en, fr, es,
   pt, de) pointing at IPTC top-level or second-level codes; each term is one pseudo-document. Malay
   has its own rows for every top-level topic with Malay-only news words (kesihatan, pesakit,
   kerajaan, pelancong, mahkamah...), since Indonesian rows cover only the vocabulary both share.

Model: one naive-Bayes "expert" per source, summed with ``SOURCE_WEIGHTS`` (see ``fit``), plus a
discriminative residual: multinomial logistic regression with the naive-Bayes evidence as a fixed
offset, fitted on SIB-200 sentences (with out-of-fold naive-Bayes evidence) and lexicon terms (see
``residual_training_set`` and ``fit_residual``). Features are word unigrams, plus bigrams for
multi-word IPTC labels and lexicon terms. The second-level
table maps IPTC labels (level >= 2, Latin-script languages) and lexicon terms of second-level codes
to their second-level ancestor. Chinese, Japanese and Thai clause-long "tokens" (no spaces to cut
at) are dropped from the vocabulary: no other text repeats them. Stem rows for Malay (``stem_rows``)
are appended after the residual: the mean row of the vocabulary words sharing a Sastrawi stem, used
at run time for Malay words the vocabulary lacks. Takes ~30 s on one core.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import stopwordsiso

from warta.analysis.analyzer import has_unspaced_script
from warta.analysis.analyzer import term as index_term
from warta.enrichment.topics import (
    MEDTOP_PREFIX,
    _feature_counts,
    _Model,
    _posterior,
    _taxonomy,
    features,
    stem_key,
    tokenize,
)

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
OUT_DIR = REPO / "libs/warta/src/warta/data/topics"
LEXICON = OUT_DIR / "seed_lexicon.tsv"

SIB_TO_IPTC = {
    "science/technology": "medtop:13000000",
    "travel": "medtop:10000000",
    "politics": "medtop:11000000",
    "sports": "medtop:15000000",
    "health": "medtop:07000000",
    "entertainment": "medtop:01000000",
    "geography": "medtop:13000000",
}
# Hyper-parameters (chosen by the dev-set benchmark bench/quality_topics.py; see docs/decisions.md).
SOURCE_WEIGHTS = {"sib200": 0.7, "iptc": 0.3, "lexicon": 1.0}
SIB_GEOGRAPHY_WEIGHT = 0.5  # encyclopaedic place sentences: keep them from owning every place name
SMOOTHING = 3.0  # Dirichlet prior mass as a multiple of the mean class mass
TEMPERATURE = 0.35
MIN_FEATURE_COUNT = 1.0
MIN_ABS_WEIGHT = 0.25
# Chinese, Japanese and Thai are written without spaces, so a "token" there is a whole clause that
# another text never repeats: such features only cost dictionary space (and cache) at run time.
MAX_UNSPACED_FEATURE_CHARS = 4
# Discriminative residual on top of the naive-Bayes weights (see ``fit_residual``).
RESIDUAL_FOLDS = 5
RESIDUAL_L2 = 3e-5
RESIDUAL_STEPS = 120
RESIDUAL_LEARNING_RATE = 0.05
RESIDUAL_LEXICON_WEIGHT = 0.5  # a lexicon term counts half a SIB-200 sentence
RESIDUAL_ANCHOR_WEIGHT = 0.5  # an unlabelled news window the naive Bayes is sure about: half a sentence
RESIDUAL_ANCHOR_CONFIDENCE = 0.5
NER_TRAINING = DATA / "training" / "ner"
# Unlabelled news text (training splits of NER sets, never a topic dev/test split): (path, token
# column, separator); sentences are read in windows of ``ANCHOR_WINDOW`` for some context.
ANCHOR_SOURCES = (
    ("id/indonlu_nerp/train_preprocess.txt", 0, "\t"),
    ("id/idner_news_2k/train.txt", 0, " "),
    ("id/indonlu_nergrit/train_preprocess.txt", 0, "\t"),
    ("id/indolem_nerui/train.01.tsv", 0, "\t"),
    ("conll2002/es/train.conllu", 1, "\t"),
    ("uner/pt_bosque/pt_bosque-ud-train.iob2", 1, "\t"),
)
ANCHOR_WINDOW = 4
MAX_ANCHOR_SENTENCES_PER_SOURCE = 4000
# Weights this close to 0 are stored as 0: the residual leaves tens of thousands of them, which cost
# 1.3 MB compressed and no measurable accuracy (same figures on every dev set).
WEIGHT_FLOOR = 0.02
SECOND_LEVEL_LANGS = ("en", "en-US", "fr", "de", "es", "pt", "pt-PT")
# Languages whose unknown words fall back to their stem's row at run time (``stem_rows``). Malay only:
# its training vocabulary is the thinnest (SIB-200 zsm and a short lexicon; Indonesian rows cover only
# what both share). Measured on the dev sets: SIB-200 zsm +6 points; for Indonesian it cost Tribunnews
# 1 point, for English it moved MasakhaNEWS eng +1.7 / SIB-200 eng -1, for French -3 on MasakhaNEWS fra.
STEM_FALLBACK_LANGS = ("ms",)


def read_lexicon() -> list[tuple[str, str, str]]:
    """(code, lang, term) rows of the seed lexicon."""
    rows: list[tuple[str, str, str]] = []
    for line in LEXICON.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, lang, terms = line.split("\t")
        rows.extend((code, lang, term.strip()) for term in terms.split("|") if term.strip())
    return rows


def content_words(tokens: list[str], keep: set[str]) -> list[str]:
    """Tokens minus stop words of any language (stopwords-iso), except words the lexicon uses."""
    stop = _stopwords()
    return [t for t in tokens if t not in stop or t in keep]


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords(stopwordsiso.langs()))


def sib_rows() -> list[tuple[int, str, str]]:
    """(index_id, category, text) of every SIB-200 training sentence, all languages."""
    rows = []
    for path in sorted((DATA / "topics" / "sib200").glob("*/train.tsv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows.append((int(row["index_id"]), row["category"], row["text"]))
    return rows


def sib_documents(
    keep: set[str], rows: list[tuple[int, str, str]] | None = None
) -> list[tuple[str, list[str], float]]:
    """SIB-200 sentences as (IPTC code, content words, weight) documents."""
    docs = []
    for _index_id, category, text in sib_rows() if rows is None else rows:
        weight = SIB_GEOGRAPHY_WEIGHT if category == "geography" else 1.0
        # Unigrams only: SIB-200 bigrams are too sparse to help and would make every word a
        # bigram starter at run time (see topics._feature_counts).
        docs.append((SIB_TO_IPTC[category], content_words(tokenize(text), keep), weight))
    return docs


def iptc_documents() -> list[tuple[str, list[str], float]]:
    docs = []
    for concept in _taxonomy().concepts.values():
        # Labels only: IPTC's definitions are generic prose ("matters pertaining to...") whose words
        # are noise for news text (measured: they cost 3-10 points on every dev set).
        for lang, label in concept.labels.items():
            docs.append((concept.top_level, term_features(tokenize(label), lang), 1.0))
    return docs


def term_features(tokens: list[str], lang: str) -> list[str]:
    """Features of one lexicon term or IPTC label: the word itself, or a multi-word term's bigrams.

    A multi-word term is evidence as a whole (its bigrams), not through its common words; bigrams
    made of two function words of the term's language ("of the" in "chancellor of the exchequer",
    "de la" in "coût de la vie") are left out, or every article would match them.
    """
    if len(tokens) == 1:
        return tokens
    bigrams = features(tokens)[len(tokens) :]
    stop = _language_stopwords(lang)
    content = [b for b in bigrams if not all(w in stop for w in b.split(" "))]
    return content or bigrams


@cache
def _language_stopwords(lang: str) -> frozenset[str]:
    base = lang.split("-")[0]
    return frozenset(stopwordsiso.stopwords(base)) if stopwordsiso.has_lang(base) else frozenset()


def lexicon_documents(rows: list[tuple[str, str, str]]) -> list[tuple[str, list[str], float]]:
    docs = []
    for code, lang, term in rows:
        concept = _taxonomy().concepts[code]
        docs.append((concept.top_level, term_features(tokenize(term), lang), 1.0))
    return docs


def second_level_table(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    """Normalised label/term -> second-level code, from IPTC labels under level 2 and lexicon rows."""
    taxonomy = _taxonomy().concepts
    candidates: dict[str, set[str]] = defaultdict(set)

    def level2_of(code: str) -> str | None:
        node = taxonomy[code]
        while node.level > 2 and node.parent is not None:
            node = taxonomy[node.parent]
        return node.code if node.level == 2 else None

    for concept in taxonomy.values():
        if concept.level < 2 or concept.retired:
            continue
        target = level2_of(concept.code)
        for lang in SECOND_LEVEL_LANGS:
            label = concept.labels.get(lang)
            if label:
                tokens = tokenize(label)
                if 1 <= len(tokens) <= 2 and target:
                    candidates[" ".join(tokens)].add(target)
    for code, _lang, term in rows:
        if taxonomy[code].level == 2:
            tokens = tokenize(term)
            if 1 <= len(tokens) <= 2:
                candidates[" ".join(tokens)].add(code)
    # A string IPTC files under two branches says nothing about which one: drop it.
    return {term: next(iter(codes)) for term, codes in sorted(candidates.items()) if len(codes) == 1}


def build_counts() -> tuple[list[str], dict[str, np.ndarray], list[str], set[str], dict[str, str]]:
    """Vocabulary, per-source (V, C) count matrices, class codes, lexicon features, second-level table."""
    if not (DATA / "topics" / "sib200").is_dir():
        sys.exit(f"training data not found under {DATA}")
    class_codes = [c.code for c in _taxonomy().concepts.values() if c.level == 1 and c.retired is None]
    assert all(code.startswith(MEDTOP_PREFIX) for code in class_codes)
    lexicon_rows = read_lexicon()
    lexicon_words = {w for _c, _l, term in lexicon_rows for w in tokenize(term)}
    sources = {
        "sib200": sib_documents(lexicon_words),
        "iptc": iptc_documents(),
        "lexicon": lexicon_documents(lexicon_rows),
    }
    vocab = sorted({f for docs in sources.values() for _c, feats, _w in docs for f in feats})
    matrices = {name: to_matrix(docs, vocab, class_codes) for name, docs in sources.items()}
    lexicon_feats = {f for _c, feats, _w in sources["lexicon"] for f in feats}
    return vocab, matrices, class_codes, lexicon_feats, second_level_table(lexicon_rows)


def to_matrix(
    docs: list[tuple[str, list[str], float]], vocab: list[str], class_codes: list[str]
) -> np.ndarray:
    """(V, C) weighted feature counts of labelled documents."""
    position = {f: i for i, f in enumerate(vocab)}
    column = {code: i for i, code in enumerate(class_codes)}
    matrix = np.zeros((len(vocab), len(class_codes)))
    for code, feats, weight in docs:
        for feat, n in Counter(feats).items():
            if (row := position.get(feat)) is not None:
                matrix[row, column[code]] += weight * n
    return matrix


def fit(
    matrices: dict[str, np.ndarray],
    source_weights: dict[str, float],
    smoothing: float = SMOOTHING,
    clip: bool = True,
) -> np.ndarray:
    """Per-feature class weights (V, C): a weighted sum of one naive-Bayes expert per source.

    Each source is its own expert because the sources cover different classes in different
    languages (SIB-200 has no economy class but 23 languages of function words; IPTC has every class
    but few words): pooling them would let function words vote for whichever classes SIB-200 covers.
    Within a source every class it covers gets the same mass; a feature's weight for a class is
    log p(f|class) - log p(f|source background), with Dirichlet smoothing whose prior mass is
    ``smoothing`` times the mean class mass. A class a source does not cover gets weight 0 (no
    opinion) from that expert.
    """
    total = np.zeros(next(iter(matrices.values())).shape)
    for name, matrix in matrices.items():
        totals = matrix.sum(axis=0)
        present = totals > 0
        scaled = matrix[:, present] * (1000.0 / totals[present])
        background = scaled.sum(axis=1) / scaled.sum()
        seen = background > 0
        mu = smoothing * 1000.0
        p_class = (scaled[seen] + mu * background[seen, None]) / (1000.0 + mu)
        expert = np.zeros_like(matrix)
        expert[np.ix_(seen, present)] = np.log(p_class) - np.log(background[seen])[:, None]
        if clip:
            # Evidence only ever speaks *for* a class: with sparse sources, "never seen with class c"
            # is mostly an accident of coverage, not evidence against c.
            np.maximum(expert, 0.0, out=expert)
        total += source_weights[name] * expert
    return total


def kept_features(
    vocab: list[str],
    weights: np.ndarray,
    matrices: dict[str, np.ndarray],
    lexicon_feats: set[str],
    second_level: dict[str, str],
) -> np.ndarray:
    """Boolean mask of the features the model ships (evidence strong enough, matchable at run time)."""
    raw_total = np.sum(list(matrices.values()), axis=0).sum(axis=1)
    vocab_array = np.array(vocab)
    keep = ((raw_total >= MIN_FEATURE_COUNT) | np.isin(vocab_array, list(lexicon_feats))) & (
        np.abs(weights).max(axis=1) >= MIN_ABS_WEIGHT
    )
    # Second-level terms must be look-up-able even when they carry no top-level evidence.
    keep |= np.isin(vocab_array, list(second_level))
    keep &= np.array([len(f) <= MAX_UNSPACED_FEATURE_CHARS or not has_unspaced_script(f) for f in vocab])
    return keep


def scorer(vocab: list[str], weights: np.ndarray, class_codes: list[str]) -> _Model:
    """An in-memory model that extracts features exactly as ``topics.classify_topics`` does."""
    return _Model(
        classes=tuple(class_codes),
        vocab={f: i for i, f in enumerate(vocab)},
        starters=frozenset(f.split(" ", 1)[0] for f in vocab if " " in f),
        weights=weights.astype(np.float32),
        temperature=TEMPERATURE,
        second_level_of=np.full(len(vocab), -1, dtype=np.int32),
        second_level_codes=(),
    )


def doc_features(model: _Model, texts: list[str]) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Run-time features (ids, counts) of each text and its summed evidence (N, C) under ``model``."""
    feats, raw = [], np.zeros((len(texts), len(model.classes)))
    for n, text in enumerate(texts):
        ids, counts = _feature_counts(model, None, text)
        feats.append((ids, counts))
        if len(ids):
            raw[n] = (model.weights[ids] * (1.0 + np.log(counts))[:, None]).sum(axis=0)
    return feats, raw


def conll_sentences(path: Path, column: int, separator: str) -> list[str]:
    """Sentences of a CoNLL-style token-per-line file (blank line between sentences, # comments)."""
    sentences: list[str] = []
    current: list[str] = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        if not line.strip():
            if current:
                sentences.append(" ".join(current))
                current = []
        elif not line.startswith("#"):
            parts = line.split(separator)
            if len(parts) > column:
                current.append(parts[column])
    if current:
        sentences.append(" ".join(current))
    return sentences


def unlabelled_news() -> list[str]:
    """News text without topic labels: the Malaysian English news articles of the MEN NER set and
    windows of consecutive sentences from Indonesian, Spanish and Portuguese NER training splits."""
    men = NER_TRAINING / "en_other" / "men_malaysian_english_news" / "article_text"
    texts = [p.read_text("utf-8") for p in sorted(men.glob("*.txt"))] if men.is_dir() else []
    for name, column, separator in ANCHOR_SOURCES:
        path = NER_TRAINING / name
        if not path.exists():
            continue
        sentences = conll_sentences(path, column, separator)[:MAX_ANCHOR_SENTENCES_PER_SOURCE]
        texts += [" ".join(sentences[i : i + ANCHOR_WINDOW]) for i in range(0, len(sentences), ANCHOR_WINDOW)]
    return texts


def residual_training_set(
    vocab: list[str],
    matrices: dict[str, np.ndarray],
    class_codes: list[str],
    lexicon_feats: set[str],
    second_level: dict[str, str],
    kept_vocab: list[str],
    final_weights: np.ndarray,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray, np.ndarray]:
    """Documents for the residual: (features, naive-Bayes evidence, label, weight).

    SIB-200 sentences get *out-of-fold* evidence: the naive-Bayes model is refitted without the
    fold's sentences (folds by ``index_id``, so a sentence's 22 translations are held out together),
    or every training sentence would already look right and there would be nothing to learn. Lexicon
    terms (under their top-level code) anchor the classes SIB-200 lacks, with the full model's evidence.
    Unlabelled news windows the naive Bayes is confident about (``RESIDUAL_ANCHOR_CONFIDENCE``) keep
    its answer as their label: they stop a residual learnt on encyclopaedic sentences from moving
    news stories the naive Bayes already gets right.
    """
    column = {code: i for i, code in enumerate(class_codes)}
    lexicon_words = {w for _c, _l, term in read_lexicon() for w in tokenize(term)}
    rows = sib_rows()
    fold_of = {index_id: k % RESIDUAL_FOLDS for k, index_id in enumerate(sorted({r[0] for r in rows}))}
    final = scorer(kept_vocab, final_weights, class_codes)
    sib_feats, _ = doc_features(final, [text for _i, _c, text in rows])
    sib_raw = np.zeros((len(rows), len(class_codes)))
    for fold in range(RESIDUAL_FOLDS):
        held = [n for n, r in enumerate(rows) if fold_of[r[0]] == fold]
        rest = [r for r in rows if fold_of[r[0]] != fold]
        fold_matrices = dict(
            matrices, sib200=to_matrix(sib_documents(lexicon_words, rest), vocab, class_codes)
        )
        fold_weights = fit(fold_matrices, SOURCE_WEIGHTS)
        keep = kept_features(vocab, fold_weights, fold_matrices, lexicon_feats, second_level)
        fold_model = scorer(
            [f for f, k in zip(vocab, keep, strict=True) if k], fold_weights[keep], class_codes
        )
        _, sib_raw[held] = doc_features(fold_model, [rows[n][2] for n in held])
    taxonomy = _taxonomy().concepts
    terms = read_lexicon()
    lex_feats, lex_raw = doc_features(final, [term for _c, _l, term in terms])
    labels = np.array(
        [column[SIB_TO_IPTC[c]] for _i, c, _t in rows]
        + [column[taxonomy[c].top_level] for c, _l, _t in terms]
    )
    weights = np.array(
        [SIB_GEOGRAPHY_WEIGHT if c == "geography" else 1.0 for _i, c, _t in rows]
        + [RESIDUAL_LEXICON_WEIGHT] * len(terms)
    )
    news_feats, news_raw = doc_features(final, unlabelled_news())
    sure = []
    for n, (ids, counts) in enumerate(news_feats):
        if len(ids):
            posterior = _posterior(final, ids, counts)
            if posterior.max() >= RESIDUAL_ANCHOR_CONFIDENCE:
                sure.append((n, int(posterior.argmax())))
    labels = np.concatenate([labels, np.array([label for _n, label in sure], dtype=labels.dtype)])
    weights = np.concatenate([weights, np.full(len(sure), RESIDUAL_ANCHOR_WEIGHT)])
    feats = sib_feats + lex_feats + [news_feats[n] for n, _label in sure]
    evidence = np.vstack(
        [sib_raw, lex_raw, news_raw[[n for n, _label in sure]].reshape(-1, len(class_codes))]
    )
    return feats, evidence, labels, weights


def fit_residual(
    kept_vocab: list[str],
    feats: list[tuple[np.ndarray, np.ndarray]],
    evidence: np.ndarray,
    labels: np.ndarray,
    doc_weights: np.ndarray,
) -> np.ndarray:
    """(V, C) corrections to the naive-Bayes weights: multinomial logistic regression on top of it.

    The naive-Bayes evidence (divided by the temperature, as at run time) is a fixed offset, and the
    residual is fitted with L2 (``RESIDUAL_L2``) and Adam, full batch, on sub-linear counts as at run
    time. Two things keep it from learning SIB-200's quirks instead of topics: stop words (all
    stopwords-iso languages, including bigrams of two stop words) get no residual, and a per-class
    intercept that is thrown away absorbs SIB-200's class mix (science is 2-3x every other class):
    without it the regression used "of the", "de la" as a science prior.
    """
    stop = _stopwords()
    usable = np.array([not all(w in stop for w in f.split(" ")) for f in kept_vocab])
    keep_doc = np.array([len(ids) > 0 for ids, _c in feats])
    feats = [f for f, k in zip(feats, keep_doc, strict=True) if k]
    offset = evidence[keep_doc] / TEMPERATURE
    labels, doc_weights = labels[keep_doc], doc_weights[keep_doc]
    n_docs, n_feats, n_classes = len(feats), len(kept_vocab), evidence.shape[1]
    rows = np.concatenate([np.full(len(ids), n) for n, (ids, _c) in enumerate(feats)] + [np.arange(n_docs)])
    cols = np.concatenate([ids for ids, _c in feats] + [np.full(n_docs, n_feats)])  # last column: intercept
    vals = np.concatenate([1.0 + np.log(c) for _i, c in feats] + [np.ones(n_docs)])
    mask = np.concatenate([usable, [True]])[cols]
    rows, cols, vals = rows[mask], cols[mask], vals[mask]
    order = np.argsort(rows, kind="stable")
    rows, cols, vals = rows[order], cols[order], vals[order]
    row_starts = np.unique(rows, return_index=True)[1]
    by_col = np.argsort(cols, kind="stable")
    used_cols, col_starts = np.unique(cols[by_col], return_index=True)
    target = np.zeros((n_docs, n_classes))
    target[np.arange(n_docs), labels] = 1.0
    share = doc_weights / doc_weights.sum()
    w = np.zeros((n_feats + 1, n_classes))
    m1, m2 = np.zeros_like(w), np.zeros_like(w)
    beta1, beta2 = 0.9, 0.999
    for step in range(1, RESIDUAL_STEPS + 1):
        scores = np.add.reduceat(w[cols] * vals[:, None], row_starts, axis=0) + offset
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        err = (probs - target) * share[:, None]
        grad = RESIDUAL_L2 * w
        grad[used_cols] += np.add.reduceat((err[rows] * vals[:, None])[by_col], col_starts, axis=0)
        m1 = beta1 * m1 + (1 - beta1) * grad
        m2 = beta2 * m2 + (1 - beta2) * grad * grad
        w -= RESIDUAL_LEARNING_RATE * (m1 / (1 - beta1**step)) / (np.sqrt(m2 / (1 - beta2**step)) + 1e-8)
    # Back to raw evidence units (run time divides by the temperature again); intercept dropped.
    return TEMPERATURE * w[:n_feats]


def stem_rows(vocab: list[str], weights: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Stem rows for the languages in ``STEM_FALLBACK_LANGS``: keys (``topics.stem_key``) and weights.

    Every alphabetic unigram of the vocabulary is stemmed as the index stems that language
    (``warta.analysis.analyzer.term``: Sastrawi for Malay); a stem's row is the mean row of the words
    that share it. At run time an unknown word of that language counts as its stem's row (or, when
    no row is stored because the stem is its only word, that word's row), so "pelancongan" or
    "kejohanannya" get the evidence of "pelancong" and "kejohanan".
    """
    keys: list[str] = []
    rows: list[np.ndarray] = []
    for lang in STEM_FALLBACK_LANGS:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, feature in enumerate(vocab):
            if feature.isalpha() and not has_unspaced_script(feature):
                groups[index_term(feature, lang)].append(i)
        position = {f: i for i, f in enumerate(vocab)}
        for stem, ids in sorted(groups.items()):
            if ids == [position.get(stem)]:
                continue  # the stem is itself the only word: run time falls back to the word's own row
            row = weights[ids].mean(axis=0)
            if np.abs(row).max() >= MIN_ABS_WEIGHT:  # as for words: weaker evidence is not worth a row
                keys.append(stem_key(lang, stem))
                rows.append(row)
    return keys, np.array(rows).reshape(-1, weights.shape[1])


def train() -> dict[str, int]:
    vocab, matrices, class_codes, lexicon_feats, second_level = build_counts()
    # Second-level terms that never occur in training text still need a row (of zeros).
    missing = sorted(set(second_level) - set(vocab))
    if missing:
        vocab = vocab + missing
        matrices = {
            name: np.vstack([m, np.zeros((len(missing), m.shape[1]))]) for name, m in matrices.items()
        }
    weights = fit(matrices, SOURCE_WEIGHTS)
    keep = kept_features(vocab, weights, matrices, lexicon_feats, second_level)
    kept_vocab = [f for f, k in zip(vocab, keep, strict=True) if k]
    weights = weights[keep]
    feats, evidence, labels, doc_weights = residual_training_set(
        vocab, matrices, class_codes, lexicon_feats, second_level, kept_vocab, weights
    )
    weights = weights + fit_residual(kept_vocab, feats, evidence, labels, doc_weights)
    stem_vocab, stem_weights = stem_rows(kept_vocab, weights)
    kept_vocab, weights = kept_vocab + stem_vocab, np.vstack([weights, stem_weights])
    second_level_codes = sorted(set(second_level.values()))
    branch_index = {code: i for i, code in enumerate(second_level_codes)}
    second_level_of = np.array(
        [branch_index.get(second_level.get(f, ""), -1) for f in kept_vocab], dtype=np.int16
    )
    meta = {
        "classes": class_codes,
        "temperature": TEMPERATURE,
        "second_level_codes": second_level_codes,
        "hyperparameters": {
            "source_weights": SOURCE_WEIGHTS,
            "sib_geography_weight": SIB_GEOGRAPHY_WEIGHT,
            "smoothing": SMOOTHING,
            "min_feature_count": MIN_FEATURE_COUNT,
            "min_abs_weight": MIN_ABS_WEIGHT,
            "residual": {
                "folds": RESIDUAL_FOLDS,
                "l2": RESIDUAL_L2,
                "steps": RESIDUAL_STEPS,
                "learning_rate": RESIDUAL_LEARNING_RATE,
                "lexicon_weight": RESIDUAL_LEXICON_WEIGHT,
                "anchor_weight": RESIDUAL_ANCHOR_WEIGHT,
                "anchor_confidence": RESIDUAL_ANCHOR_CONFIDENCE,
            },
        },
        "iptc_source": _taxonomy().title,
        "stem_fallback": {lang: sorted(stopwordsiso.stopwords(lang)) for lang in STEM_FALLBACK_LANGS},
    }
    out = OUT_DIR / "model.npz"
    save(out, kept_vocab, weights, second_level_of, meta)
    stats = {"features": len(kept_vocab), "bytes": out.stat().st_size}
    print(json.dumps(stats))
    return stats


def save(out: Path, vocab: list[str], weights: np.ndarray, second_level_of: np.ndarray, meta: dict) -> None:
    np.savez_compressed(
        out,
        weights=np.where(np.abs(weights) < WEIGHT_FLOOR, 0.0, weights).astype(np.float16),
        second_level_of=second_level_of,
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
    )


if __name__ == "__main__":
    train()
