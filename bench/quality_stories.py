"""Same-story quality of ``warta.enrichment.signature``.

Prints:
* the seed pair's similarity (must be judged the same story);
* precision / recall / F1 on same-language SemEval-2022 task 8 pairs (Overall ≤ 1.5 = same story,
  ≥ 3.5 = different; pairs in between are ambiguous and skipped), at the shipped threshold and at
  the best threshold of a sweep (to show how much tuning is left);
* the false-positive rate on unrelated pairs: Tribunnews (Indonesian) and MasakhaNEWS English
  articles from different categories, i.e. certainly different stories in the same language.

Run alone: ``uv run python bench/quality_stories.py``.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SEMEVAL = DATA / "near_duplicates" / "semeval2022_task8_hfl" / "training_set.csv"
SEEDS = REPO / "tests" / "fixtures" / "seeds"


def _prf(pairs: list[tuple[bool, float]], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for gold, s in pairs if gold and s >= threshold)
    fp = sum(1 for gold, s in pairs if not gold and s >= threshold)
    fn = sum(1 for gold, s in pairs if gold and s < threshold)
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return p, r, 2 * p * r / max(1e-9, p + r)


def _seed_texts() -> list[str]:
    from warta.enrichment.boilerplate import clean_text, split_title

    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        title, body = split_title(path.read_text(encoding="utf-8"))
        texts.append(f"{title or ''}\n\n{clean_text(body)}")
    return texts


def _unrelated_pairs(n: int = 300) -> dict[str, list[tuple[str, str]]]:
    """Pairs of articles from different categories of the same news set (certainly not one story)."""
    rng = random.Random(7)
    out: dict[str, list[tuple[str, str]]] = {}
    tribun = DATA / "topics" / "tribunnews_id" / "news.json"
    if tribun.exists():
        items = json.loads(tribun.read_text(encoding="utf-8"))
        by_cat: dict[str, list[str]] = defaultdict(list)
        for it in items:
            by_cat[it["kategori"]].append(f"{it['title']}\n\n{it['content']}")
        out["id tribunnews"] = _cross_pairs(by_cat, rng, n)
    masakha = DATA / "topics" / "masakhanews" / "eng" / "dev.tsv"
    if masakha.exists():
        csv.field_size_limit(10**9)
        by_cat = defaultdict(list)
        with masakha.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                by_cat[row["category"]].append(f"{row['headline']}\n\n{row['text']}")
        out["en masakhanews"] = _cross_pairs(by_cat, rng, n)
    return out


def _cross_pairs(by_cat: dict[str, list[str]], rng: random.Random, n: int) -> list[tuple[str, str]]:
    cats = sorted(by_cat)
    pairs: list[tuple[str, str]] = []
    while len(pairs) < n and len(cats) > 1:
        c1, c2 = rng.sample(cats, 2)
        pairs.append((rng.choice(by_cat[c1]), rng.choice(by_cat[c2])))
    return pairs


def _tribunnews_duplicates() -> None:
    """Near-duplicate detection inside Tribunnews (the set carries exact and near copies):
    how many pairs ``is_duplicate`` flags, and whether every identical text is among them."""
    from warta.enrichment import signature as sig

    path = DATA / "topics" / "tribunnews_id" / "news.json"
    if not path.exists():
        return
    items = json.loads(path.read_text(encoding="utf-8"))
    texts = [f"{it['title']}\n\n{it['content']}" for it in items]
    sigs = [sig.signature(t, "id") for t in texts]
    unigram_sets = [set(s[: sig.UNIGRAM_SKETCH]) - {sig.SIGNATURE_EMPTY} for s in sigs]
    norm = [" ".join(it["content"].split()) for it in items]
    flagged = identical = identical_missed = 0
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            same_text = norm[i] == norm[j]
            # Cheap pre-filter on shared sketch values before the real comparison.
            close = len(unigram_sets[i] & unigram_sets[j]) >= 24
            dup = close and sig.is_duplicate(sigs[i], sigs[j])
            flagged += dup
            identical += same_text
            identical_missed += same_text and not dup
    print(
        f"  Tribunnews ({len(texts)} articles): {flagged} pairs flagged duplicate; "
        f"{identical} pairs have identical bodies, {identical_missed} of those not flagged"
    )


def run() -> None:
    from warta.enrichment import signature as sig

    seeds = _seed_texts()
    if len(seeds) == 2:
        a, b = (sig.signature(t, "id") for t in seeds)
        print(
            f"stories: seed pair similarity {sig.similarity(a, b):.3f} "
            f"(threshold {sig.SAME_STORY_THRESHOLD}) same_story={sig.same_story(a, b)} "
            f"duplicate={sig.is_duplicate(a, b)}"
        )
    if not SEMEVAL.exists():
        print(f"stories: SemEval data not found at {SEMEVAL}")
        return
    csv.field_size_limit(10**9)
    scored: list[tuple[bool, float, str]] = []
    with SEMEVAL.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["lang1"] != row["lang2"] or not row["text1"].strip() or not row["text2"].strip():
                continue
            overall = float(row["Overall"])
            if 1.5 < overall < 3.5:
                continue
            lang = row["lang1"]
            s = sig.similarity(sig.signature(row["text1"], lang), sig.signature(row["text2"], lang))
            scored.append((overall <= 1.5, s, lang))
    pairs = [(g, s) for g, s, _ in scored]
    p, r, f1 = _prf(pairs, sig.SAME_STORY_THRESHOLD)
    positives = sum(g for g, _ in pairs)
    print(
        f"stories: SemEval same-language pairs: {len(pairs)} ({positives} same, {len(pairs) - positives} different)"
    )
    print(f"  at threshold {sig.SAME_STORY_THRESHOLD}: P {p:.3f} R {r:.3f} F1 {f1:.3f} (target F1 >= 0.80)")
    sweep = max((_prf(pairs, t / 100) + (t / 100,) for t in range(2, 60)), key=lambda x: x[2])
    print(f"  best of sweep: threshold {sweep[3]:.2f} P {sweep[0]:.3f} R {sweep[1]:.3f} F1 {sweep[2]:.3f}")
    by_lang: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    for g, s, lang in scored:
        by_lang[lang].append((g, s))
    print(
        "  per language F1: "
        + ", ".join(
            f"{lang} {_prf(v, sig.SAME_STORY_THRESHOLD)[2]:.2f} (n={len(v)})"
            for lang, v in sorted(by_lang.items())
        )
    )
    _tribunnews_duplicates()
    for name, unrelated in _unrelated_pairs().items():
        lang = name.split()[0]
        sims = [sig.similarity(sig.signature(x, lang), sig.signature(y, lang)) for x, y in unrelated]
        fp = sum(s >= sig.SAME_STORY_THRESHOLD for s in sims)
        print(
            f"  unrelated {name}: {fp}/{len(sims)} judged same story "
            f"(false-positive rate {fp / max(1, len(sims)):.3f}; max similarity {max(sims, default=0):.3f})"
        )


if __name__ == "__main__":
    run()
