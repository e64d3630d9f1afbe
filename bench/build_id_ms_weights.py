"""Build the Indonesian-vs-Malay word weights shipped in ``warta/data/id_ms_weights.tsv``.

Trains a smoothed word-unigram naive Bayes (log-likelihood ratios, Malay positive) on the WikiANN
**training** splits for ``id`` and ``ms`` (``../shared/data/training/ner/wikiann_rahimi``). Tokens
inside entity spans are ignored: names say nothing about the language they are written in. The last
10% of each file is held out and the accuracy printed, so the weights are never tuned on the dev set
(``langid/``) that the quality benchmark measures.

Run: ``uv run python bench/build_id_ms_weights.py``.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

import regex

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "training" / "ner" / "wikiann_rahimi"
OUT = REPO / "libs" / "warta" / "src" / "warta" / "data" / "id_ms_weights.tsv"
WORD = regex.compile(r"^\p{L}[\p{L}\-']*$")
MIN_COUNT = 10
MAX_WEIGHT = 2.0
# Shrink weights of rarely seen words: Wikipedia fragments are topically skewed, so a word seen a
# dozen times mostly in one language is weak evidence.
SHRINK = 30


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


def main() -> int:
    if not DATA.is_dir():
        print(f"training data not found at {DATA}", file=sys.stderr)
        return 1
    corpora = {lang: read_sentences(DATA / f"train-{lang}.tsv") for lang in ("id", "ms")}
    train, held = {}, {}
    for lang, sents in corpora.items():
        cut = int(len(sents) * 0.9)
        train[lang], held[lang] = sents[:cut], sents[cut:]
    counts = {lang: Counter(w for s in sents for w in s) for lang, sents in train.items()}
    totals = {lang: sum(c.values()) for lang, c in counts.items()}
    vocab = {
        w for c in counts.values() for w, n in c.items() if counts["id"][w] + counts["ms"][w] >= MIN_COUNT
    }
    v = len(vocab)
    weights: dict[str, float] = {}
    for w in vocab:
        p_ms = (counts["ms"][w] + 1) / (totals["ms"] + v)
        p_id = (counts["id"][w] + 1) / (totals["id"] + v)
        seen = counts["id"][w] + counts["ms"][w]
        lr = math.log(p_ms / p_id) * seen / (seen + SHRINK)
        if abs(lr) >= 0.5:  # near-neutral words only add noise and bytes
            weights[w] = max(-MAX_WEIGHT, min(MAX_WEIGHT, lr))

    def score(words: list[str]) -> float:
        return sum(weights.get(w, 0.0) for w in words)

    for lang, sents in held.items():
        decided = [s for s in sents if any(w in weights for w in s)]
        right = sum((score(s) > 0) == (lang == "ms") for s in decided)
        print(
            f"held-out {lang}: {right}/{len(decided)} = {right / max(1, len(decided)):.3f} (of {len(sents)} sentences)"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write(
            "# word<TAB>log P(w|ms)/P(w|id), built by bench/build_id_ms_weights.py from WikiANN train splits\n"
        )
        for w in sorted(weights):
            fh.write(f"{w}\t{weights[w]:.3f}\n")
    print(f"wrote {len(weights)} weights to {OUT} ({OUT.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
