"""Build the Indonesian-vs-Malay word weights shipped in ``warta/data/id_ms_weights.tsv``.

Trains one smoothed word-unigram naive Bayes (log-likelihood ratios, Malay positive) on
**training** text only, three sources:

* WikiANN ``id`` / ``ms`` (``../shared/data/training/ner/wikiann_rahimi``), tokens inside entity
  spans ignored (names say nothing about the language they are written in);
* SIB-200 (Flores) ``ind_Latn`` / ``zsm_Latn`` train splits: the *same* sentences translated into
  both languages, so their counts carry language differences without topical bias (Wikipedia
  fragments are skewed: Malay WikiANN is full of football "musim" seasons); each of their tokens
  counts ``SIB_WEIGHT`` times;
* Indonesian news (the NER training splits under ``training/ner/id``, non-entity tokens), on the
  Indonesian side only, scaled to the size of the Indonesian Wikipedia counts.

The previous build kept a Wikipedia weight only where the parallel data agreed and capped
Malay-leaning words common in Indonesian news at 0.3: 190 words, which found only half of the
real Malay (Flores) sentences. Counting the three sources together gives ~4000 words and ~0.92
on held-out Flores Malay with Indonesian news still ~0.98 Indonesian.

The last 10% of each source is held out and the accuracy printed, so the weights are never tuned on
the dev set (``langid/``) that the quality benchmark measures.

Run: ``uv run python bench/build_id_ms_weights.py``.
"""

from __future__ import annotations

import gzip
import math
import sys
from collections import Counter
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "training" / "ner" / "wikiann_rahimi"
SIB = REPO.parent / "shared" / "data" / "topics" / "sib200"
OUT = REPO / "libs" / "warta" / "src" / "warta" / "data" / "id_ms_weights.tsv"
# Sastrawi's Indonesian root words (MIT): recognises Indonesian/Malay headlines lingua misreads.
ROOTS_IN = REPO.parent / "shared" / "data" / "lexicon" / "id" / "sastrawi" / "kata-dasar.txt"
ROOTS_OUT = OUT.with_name("id_roots.txt.gz")
# Common English words (non-entity tokens of the WikiANN en and UNER EWT *training* splits): lets
# an English headline full of names ("Liverpool beat Chelsea at Anfield") be recognised.
EN_SOURCES = [
    (REPO.parent / "shared" / "data" / "training" / "ner" / "wikiann_rahimi" / "train-en.tsv", 0, 1),
    (
        REPO.parent
        / "shared"
        / "data"
        / "training"
        / "ner"
        / "uner"
        / "en_ewt"
        / "en_ewt-ud-train.PROVISIONAL_first_commit_0c7ce0de.iob2",
        1,
        2,
    ),
]
EN_OUT = OUT.with_name("en_words.txt.gz")
EN_MIN_COUNT = 3
WORD = regex.compile(r"^\p{L}[\p{L}\-']*$")
MIN_COUNT = 5
MAX_WEIGHT = 2.0
MIN_ABS_WEIGHT = 0.3
# The SIB-200 (Flores) sentences are the same text in both languages: their word differences are
# linguistic, not topical, so each of their tokens counts as this many Wikipedia tokens.
SIB_WEIGHT = 5
# Indonesian *news* training text (the NER training splits under training/ner/id): a "Malay" word
# that is common there ("kepada", "telah", "mempunyai", "beliau", "boleh") is a frequency
# difference, not a marker, and must not outvote an Indonesian sentence on its own.
ID_NEWS = REPO.parent / "shared" / "data" / "training" / "ner" / "id"
ID_NEWS_COMMON = 1e-4  # relative frequency from which a word counts as common Indonesian
ID_NEWS_CAP = 0.3  # largest Malay weight such a word keeps
# Shrink weights of rarely seen words: Wikipedia fragments are topically skewed, so a word seen a
# dozen times mostly in one language is weak evidence.
SHRINK = 10


def read_sentences(path: Path) -> list[list[str]]:
    """Sentences as lists of lower-cased non-entity word tokens."""
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        token, _, tag = line.partition("\t")
        if tag.strip() == "O" and WORD.match(token):
            current.append(token.lower())
    if current:
        sentences.append(current)
    return sentences


def read_sib(lang_dir: str) -> list[list[str]]:
    """SIB-200 train sentences as lower-cased word tokens (``index_id<TAB>category<TAB>text``)."""
    rows = (SIB / lang_dir / "train.tsv").read_text(encoding="utf-8").split("\n")[1:]
    return [
        [w.lower() for w in regex.findall(r"\p{L}[\p{L}\-']*", r.split("\t", 2)[2])]
        for r in rows
        if r.count("\t") >= 2
    ]


def indonesian_news_counts() -> Counter[str]:
    """Lower-cased word counts of the Indonesian NER *training* splits (first column)."""
    counts: Counter[str] = Counter()
    for path in sorted(ID_NEWS.glob("*/train*")):
        for line in path.read_text(encoding="utf-8").splitlines():
            token = line.split()[0] if line.strip() else ""
            if WORD.match(token):
                counts[token.lower()] += 1
    return counts


def log_ratios(counts: dict[str, Counter[str]], min_count: int = MIN_COUNT) -> dict[str, float]:
    """Smoothed log P(w|ms)/P(w|id), shrunk towards 0 for rarely seen words."""
    totals = {lang: sum(c.values()) for lang, c in counts.items()}
    vocab = {w for c in counts.values() for w in c if counts["id"][w] + counts["ms"][w] >= min_count}
    v = max(1, len(vocab))
    out: dict[str, float] = {}
    for w in vocab:
        seen = counts["id"][w] + counts["ms"][w]
        p_ms = (counts["ms"][w] + 1) / (totals["ms"] + v)
        p_id = (counts["id"][w] + 1) / (totals["id"] + v)
        out[w] = math.log(p_ms / p_id) * seen / (seen + SHRINK)
    return out


def main() -> int:
    if not DATA.is_dir():
        print(f"training data not found at {DATA}", file=sys.stderr)
        return 1
    corpora = {lang: read_sentences(DATA / f"train-{lang}.tsv") for lang in ("id", "ms")}
    train, held = {}, {}
    for lang, sents in corpora.items():
        cut = int(len(sents) * 0.9)
        train[lang], held[lang] = sents[:cut], sents[cut:]
    counts: dict[str, Counter[str]] = {
        lang: Counter(w for s in sents for w in s) for lang, sents in train.items()
    }
    wiki_tokens = sum(counts["id"].values())
    if SIB.is_dir():
        for lang, sib_dir in (("id", "ind_Latn"), ("ms", "zsm_Latn")):
            sents = read_sib(sib_dir)
            cut = int(len(sents) * 0.9)
            held[f"{lang} (sib)"] = sents[cut:]
            for s in sents[:cut]:
                for w in s:
                    counts[lang][w] += SIB_WEIGHT
    news = indonesian_news_counts()
    news_total = max(1, sum(news.values()))
    # Indonesian news, scaled to the size of the Indonesian Wikipedia counts so it counts as one
    # source among three: it teaches the model that "kepada", "telah", "mempunyai" are ordinary
    # Indonesian news words (the Malay side has no news, so those words looked Malay).
    for w, n in news.items():
        counts["id"][w] += n * wiki_tokens / news_total
    print(f"Indonesian news tokens: {news_total} (scaled to {wiki_tokens})")
    weights = {
        w: max(-MAX_WEIGHT, min(MAX_WEIGHT, lr))
        for w, lr in log_ratios(counts, min_count=MIN_COUNT).items()
        if abs(lr) >= MIN_ABS_WEIGHT  # near-neutral words only add noise and bytes
    }
    for w, weight in list(weights.items()):
        if weight > ID_NEWS_CAP and news[w] / news_total >= ID_NEWS_COMMON:
            weights[w] = ID_NEWS_CAP
    print(
        f"capped {sum(v == ID_NEWS_CAP for v in weights.values())} Malay-leaning words common in Indonesian news"
    )

    def score(words: list[str]) -> float:
        return sum(weights.get(w, 0.0) for w in words)

    for lang, sents in held.items():
        decided = [s for s in sents if any(w in weights for w in s)]
        right = sum((score(s) > 0) == lang.startswith("ms") for s in decided)
        print(
            f"held-out {lang}: {right}/{len(decided)} = {right / max(1, len(decided)):.3f} (of {len(sents)} sentences)"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write(
            "# word<TAB>log P(w|ms)/P(w|id), built by bench/build_id_ms_weights.py (WikiANN, SIB-200, Indonesian NER train)\n"
        )
        for w in sorted(weights):
            fh.write(f"{w}\t{weights[w]:.3f}\n")
    print(f"wrote {len(weights)} weights to {OUT} ({OUT.stat().st_size // 1024} KiB)")
    if ROOTS_IN.exists():
        roots = sorted({w.strip().lower() for w in ROOTS_IN.read_text(encoding="utf-8").split() if w.strip()})
        header = "# Sastrawi kata-dasar (https://github.com/sastrawi/sastrawi, MIT licence)\n"
        # mtime=0: rebuilding from the same list gives byte-identical output.
        ROOTS_OUT.write_bytes(gzip.compress((header + "\n".join(roots) + "\n").encode("utf-8"), mtime=0))
        print(f"wrote {len(roots)} root words to {ROOTS_OUT} ({ROOTS_OUT.stat().st_size // 1024} KiB)")
    write_english_words()
    return 0


def write_english_words() -> None:
    counts: Counter[str] = Counter()
    for path, token_col, tag_col in EN_SOURCES:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) <= max(token_col, tag_col) or cols[tag_col].strip() != "O":
                continue
            token = cols[token_col]
            if WORD.match(token) and token[0].islower():  # capitalised non-entities are often names too
                counts[token.lower()] += 1
    from warta.analysis.analyzer import stopwords

    # Foreign function words leak into English Wikipedia fragments ("de", "na"): drop the stop
    # words of other common languages that are not English stop words too.
    english = stopwords("en")
    foreign = set().union(
        *(stopwords(lang) for lang in ("fr", "es", "pt", "it", "de", "nl", "id", "ms", "tl", "sw"))
    )
    words = sorted(
        w
        for w, n in counts.items()
        if n >= EN_MIN_COUNT and len(w) > 1 and (w in english or w not in foreign)
    )
    if not words:
        return
    header = "# common English words from WikiANN en / UNER EWT training splits (non-entity tokens)\n"
    EN_OUT.write_bytes(gzip.compress((header + "\n".join(words) + "\n").encode("utf-8"), mtime=0))
    print(f"wrote {len(words)} English words to {EN_OUT} ({EN_OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    raise SystemExit(main())
