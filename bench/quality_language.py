"""Language-identification quality on ``../shared/data/langid`` (lingua's Leipzig test sentences and
two-word snippets): accuracy per language, macro average, and the id↔ms confusion.

Run alone: ``uv run python bench/quality_language.py [--high] [--refine] [--no-vote]`` (``--high`` =
lingua high-accuracy mode for all languages, ~1.3 GB, for comparison only; ``--refine`` = with the
high-accuracy second stage for close relatives, off by default; ``--no-vote`` = without the
py3langid/CLD2 second opinions). Prints ms per text (wall clock), the most frequent confusions,
how many texts were answered ``und`` (counted as wrong: the targets are plain accuracy) and the
process's peak RSS after the whole run (lingua loads models lazily, so the peak is only known
after all languages have been seen).
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
        voters = getattr(detector, "_voters", None)
        ms_rows = [text for lang, text in rows if lang == "ms"]
        if voters is not None and ms_rows:
            # Evidence on the ms gold: what two independent identifiers say between id and ms.
            langid_id = sum(
                (r := dict(voters._langid.rank(t))).get("id", 0.0) > r.get("ms", 0.0) for t in ms_rows
            )
            cld2_id = sum((c := voters.cld2(t)).get("id", 0.0) > c.get("ms", 0.0) for t in ms_rows)
            print(
                f"  ms gold called Indonesian rather than Malay: py3langid {langid_id}, "
                f"CLD2 {cld2_id} of {len(ms_rows)}"
            )
        und = sum(n for (_, p), n in confusions.items() if p == "und")
        print(f"  answered 'und' (counted as wrong): {und} of {len(rows)}")
    idms_on_flores(detector)
    headlines(detector)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process after both sets: {peak:.0f} MB")


def idms_on_flores(detector: object) -> None:
    """Indonesian vs Malay on text that really is Malay: the SIB-200 (Flores) *dev* sentences in
    ``ind_Latn`` and ``zsm_Latn`` (the same 99 sentences translated into each). The id/ms weights
    are built from the SIB-200 *train* split, never from these."""
    sib = REPO.parent / "shared" / "data" / "topics" / "sib200"
    if not sib.is_dir():
        return
    parts = []
    for gold, folder in (("id", "ind_Latn"), ("ms", "zsm_Latn")):
        lines = (sib / folder / "dev.tsv").read_text(encoding="utf-8").split("\n")[1:]
        texts = [line.split("\t", 2)[2] for line in lines if line.count("\t") >= 2]
        codes = Counter(detector.detect(t).code for t in texts)  # type: ignore[attr-defined]
        parts.append(f"{gold} {codes[gold] / max(1, len(texts)):.3f} ({dict(codes.most_common(3))})")
    print("language id/ms on SIB-200 (Flores) dev sentences: " + ", ".join(parts))


def headlines(detector: object) -> None:
    """Accuracy on real news headlines whose language is known from their source: Tribunnews
    titles (id), AG News titles (en, first 800), MasakhaNEWS eng/fra headlines (dev)."""
    import csv
    import json

    topics = REPO.parent / "shared" / "data" / "topics"
    sets: list[tuple[str, str, list[str]]] = []
    tribun = topics / "tribunnews_id" / "news.json"
    if tribun.exists():
        sets.append(
            ("Tribunnews", "id", [it["title"] for it in json.loads(tribun.read_text(encoding="utf-8"))])
        )
    ag = topics / "ag_news" / "test.csv"
    if ag.exists():
        with ag.open(encoding="utf-8", newline="") as fh:
            sets.append(("AG News", "en", [r[1] for r in list(csv.reader(fh))[:800] if len(r) > 1]))
    csv.field_size_limit(10**9)
    for folder, gold in (("eng", "en"), ("fra", "fr")):
        path = topics / "masakhanews" / folder / "dev.tsv"
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                titles = [r["headline"] for r in csv.DictReader(fh, delimiter="\t")]
            sets.append((f"MasakhaNEWS {folder}", gold, titles))
    parts = []
    for name, gold, titles in sets:
        codes = Counter(detector.detect(t).code for t in titles)  # type: ignore[attr-defined]
        parts.append(f"{name} ({gold}) {codes[gold] / max(1, len(titles)):.3f} of {len(titles)}")
    if parts:
        print("language on news headlines: " + ", ".join(parts))


if __name__ == "__main__":
    run(
        "high" if "--high" in sys.argv else "low",
        refine="--refine" in sys.argv,
        vote="--no-vote" not in sys.argv,
    )
