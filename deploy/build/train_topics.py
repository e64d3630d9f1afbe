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

Model: one naive-Bayes "expert" per source, summed with ``SOURCE_WEIGHTS`` (see ``fit``). Features
are word unigrams, plus bigrams for multi-word IPTC labels and lexicon terms. The second-level
table maps IPTC labels (level >= 2, Latin-script languages) and lexicon terms of second-level codes
to their second-level ancestor. Chinese, Japanese and Thai clause-long "tokens" (no spaces to cut
at) are dropped from the vocabulary: no other text repeats them. Takes ~10 s on one core.
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
from warta.enrichment.topics import MEDTOP_PREFIX, _taxonomy, features, tokenize

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
SECOND_LEVEL_LANGS = ("en", "en-US", "fr", "de", "es", "pt", "pt-PT")


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


def sib_documents(keep: set[str]) -> list[tuple[str, list[str], float]]:
    docs = []
    root = DATA / "topics" / "sib200"
    for path in sorted(root.glob("*/train.tsv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                code = SIB_TO_IPTC[row["category"]]
                weight = SIB_GEOGRAPHY_WEIGHT if row["category"] == "geography" else 1.0
                # Unigrams only: SIB-200 bigrams are too sparse to help and would make every word a
                # bigram starter at run time (see topics._feature_counts).
                docs.append((code, content_words(tokenize(row["text"]), keep), weight))
    return docs


def iptc_documents() -> list[tuple[str, list[str], float]]:
    docs = []
    for concept in _taxonomy().concepts.values():
        # Labels only: IPTC's definitions are generic prose ("matters pertaining to...") whose words
        # are noise for news text (measured: they cost 3-10 points on every dev set).
        for label in concept.labels.values():
            tokens = tokenize(label)
            docs.append(
                (concept.top_level, tokens if len(tokens) == 1 else features(tokens)[len(tokens) :], 1.0)
            )
    return docs


def lexicon_documents(rows: list[tuple[str, str, str]]) -> list[tuple[str, list[str], float]]:
    docs = []
    for code, _lang, term in rows:
        concept = _taxonomy().concepts[code]
        tokens = tokenize(term)
        # A multi-word term is evidence as a whole (its bigrams), not through its common words.
        feats = tokens if len(tokens) == 1 else features(tokens)[len(tokens) :]
        docs.append((concept.top_level, feats, 1.0))
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
    raw_total = np.sum(list(matrices.values()), axis=0).sum(axis=1)
    vocab_array = np.array(vocab)
    keep = ((raw_total >= MIN_FEATURE_COUNT) | np.isin(vocab_array, list(lexicon_feats))) & (
        np.abs(weights).max(axis=1) >= MIN_ABS_WEIGHT
    )
    # Second-level terms must be look-up-able even when they carry no top-level evidence.
    keep |= np.isin(vocab_array, list(second_level))
    keep &= np.array([len(f) <= MAX_UNSPACED_FEATURE_CHARS or not has_unspaced_script(f) for f in vocab])
    kept_vocab = [f for f, k in zip(vocab, keep, strict=True) if k]
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
        },
        "iptc_source": _taxonomy().title,
    }
    out = OUT_DIR / "model.npz"
    save(out, kept_vocab, weights[keep], second_level_of, meta)
    stats = {"features": len(kept_vocab), "bytes": out.stat().st_size}
    print(json.dumps(stats))
    return stats


def save(out: Path, vocab: list[str], weights: np.ndarray, second_level_of: np.ndarray, meta: dict) -> None:
    np.savez_compressed(
        out,
        weights=weights.astype(np.float16),
        second_level_of=second_level_of,
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
    )


if __name__ == "__main__":
    train()
