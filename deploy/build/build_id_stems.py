"""Precompute Sastrawi stems of frequent Indonesian/Malay word forms.

Sastrawi is exact but slow on a word it has not seen (PySastrawi ~0.2 ms: it tries affix
combinations against its root dictionary; ~3-5 us through the gated port in
warta/analysis/indonesian.py, which gives the same stems and rebuilds this table byte for byte).
This table, built from the
TRAINING text in ../shared/data (Indonesian NER training splits, WikiANN id/ms train, SIB-200
ind/zsm train), turns the common forms into dictionary look-ups; everything else still goes to
Sastrawi at run time and is cached. Same stems either way: the table only stores Sastrawi's answers.

    uv run python deploy/build/build_id_stems.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from warta.analysis.indonesian import sastrawi_stem

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "libs" / "warta" / "src" / "warta" / "data" / "id_stems.json.gz"
WORD = re.compile(r"[a-z]+")


def corpus_tokens(data: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    ner = data / "training" / "ner"
    files = [p for p in (ner / "id").rglob("*") if p.is_file() and "train" in p.name]
    files += [ner / "wikiann_rahimi" / "train-id.tsv", ner / "wikiann_rahimi" / "train-ms.tsv"]
    for path in files:
        for line in path.read_text("utf-8", "replace").splitlines():
            if line and not line.startswith("#"):
                counts.update(WORD.findall(line.split()[0].lower() if line.split() else ""))
    for lang in ("ind_Latn", "zsm_Latn"):
        path = data / "topics" / "sib200" / lang / "train.tsv"
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) >= 3:
                    counts.update(WORD.findall(row[2].lower()))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--min-count", type=int, default=1)
    args = parser.parse_args()
    counts = corpus_tokens(args.data)
    table = {}
    for word, n in counts.most_common():
        if n < args.min_count or len(word) < 3:
            continue
        stem = sastrawi_stem(word)
        table[word] = "" if stem == word else stem  # "" = the word is its own root
    OUT.write_bytes(gzip.compress(json.dumps(table, separators=(",", ":"), sort_keys=True).encode(), mtime=0))
    print(
        f"{len(counts)} word forms read, {len(table)} stems stored -> {OUT} ({OUT.stat().st_size // 1024} KiB)"
    )


if __name__ == "__main__":
    main()
