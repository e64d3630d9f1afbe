"""Language-identification quality on ``../shared/data/langid`` (lingua's Leipzig test sentences and
two-word snippets): accuracy per language, macro average, and the id↔ms confusion.

Run alone: ``uv run python bench/quality_language.py [--high | --no-refine]`` (``--high`` = lingua
high-accuracy mode for all languages, ~1.3 GB, for comparison only; ``--no-refine`` = without the
high-accuracy second stage for close relatives). Prints ms per text and the process's peak RSS
after the whole run (lingua loads models lazily, so the peak is only known after all languages
have been seen).
"""

from __future__ import annotations

import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LANGID = REPO.parent / "shared" / "data" / "langid"
TARGETS = {"lingua_sentences.tsv": 0.97, "lingua_word_pairs.tsv": 0.85}


def _rows(path: Path) -> list[tuple[str, str]]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        lang, _, text = line.partition("\t")
        if not text:
            continue
        if i == 0 and lang == "lang":
            continue
        rows.append((lang, text))
    return rows


def run(accuracy: str = "low", refine: bool = False, vote: bool = True) -> None:
    from warta.enrichment.language import LanguageDetector

    if not LANGID.is_dir():
        print(f"language: data not found at {LANGID}")
        return
    detector = LanguageDetector(accuracy=accuracy, refine=refine, second_opinions=vote)  # type: ignore[arg-type]
    label = accuracy + (", refine" if refine and accuracy == "low" else "") + ("" if vote else ", no vote")
    for name, target in TARGETS.items():
        rows = _rows(LANGID / name)
        right: dict[str, int] = defaultdict(int)
        total: dict[str, int] = defaultdict(int)
        idms: Counter[tuple[str, str]] = Counter()
        confusions: Counter[tuple[str, str]] = Counter()
        started = time.perf_counter()
        for lang, text in rows:
            code = detector.detect(text).code
            total[lang] += 1
            right[lang] += code == lang
            if code != lang:
                confusions[(lang, code)] += 1
            if lang in ("id", "ms"):
                idms[(lang, code if code in ("id", "ms") else "other")] += 1
        elapsed = time.perf_counter() - started
        acc = {lang: right[lang] / total[lang] for lang in total}
        macro = sum(acc.values()) / len(acc)
        print(
            f"language [{label}] {name}: {len(rows)} texts, {len(acc)} languages, {elapsed / len(rows) * 1000:.3f} ms/text"
        )
        print(f"  macro accuracy {macro:.4f} (target >= {target})")
        print(f"  id {acc.get('id', 0):.4f}  ms {acc.get('ms', 0):.4f} (target >= 0.98 each on sentences)")
        print(
            "  id/ms confusion (gold -> predicted): "
            + ", ".join(f"{g}->{p}: {n}" for (g, p), n in sorted(idms.items()))
        )
        worst = sorted(acc.items(), key=lambda kv: kv[1])[:8]
        print("  weakest: " + ", ".join(f"{lang} {a:.2f}" for lang, a in worst))
        print(
            "  most frequent errors (gold->predicted): "
            + ", ".join(f"{g}->{p} {n}" for (g, p), n in confusions.most_common(12))
        )
        und = sum(n for (_, p), n in confusions.items() if p == "und")
        print(f"  answered 'und' (counted as wrong): {und} of {len(rows)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process after both sets: {peak:.0f} MB")


if __name__ == "__main__":
    run(
        "high" if "--high" in sys.argv else "low",
        refine="--refine" in sys.argv,
        vote="--no-vote" not in sys.argv,
    )
