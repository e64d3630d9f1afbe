"""Enrichment throughput and memory: the whole ``Enricher.enrich`` on ~600-word articles.

Articles are built from real news text: consecutive Tribunnews (Indonesian) articles, and
MasakhaNEWS English articles, concatenated until each has at least 600 words. The work runs in a
fresh child process so the peak resident memory reported is that of an enricher process alone
(models + working set), as the service would run.

Figures: articles/s per core (articles / CPU seconds of the process; robust to other load on the
machine), wall-clock articles/s, mean ms per article and peak RSS.

Run alone: ``uv run python bench/enrich_throughput.py [--articles N]``.
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
TARGET_WORDS = 600
TARGET_RATE = 300.0
TARGET_RSS_MB = 700.0


def build_articles(limit: int) -> list[tuple[str, str, str]]:
    """(title, text, expected language) of ~600-word articles made of real news text."""
    sources: list[tuple[str, list[tuple[str, str]]]] = []
    tribun = DATA / "topics" / "tribunnews_id" / "news.json"
    if tribun.exists():
        items = json.loads(tribun.read_text(encoding="utf-8"))
        sources.append(("id", [(it["title"], it["content"]) for it in items]))
    masakha = DATA / "topics" / "masakhanews" / "eng" / "dev.tsv"
    if masakha.exists():
        csv.field_size_limit(10**9)
        with masakha.open(encoding="utf-8", newline="") as fh:
            rows = [(r["headline"], r["text"]) for r in csv.DictReader(fh, delimiter="\t")]
        sources.append(("en", rows))
    articles: list[tuple[str, str, str]] = []
    per_source = max(1, limit // max(1, len(sources)))
    for lang, rows in sources:
        made = 0
        i = 0
        while made < per_source and i < len(rows):
            title = rows[i][0]
            parts: list[str] = []
            words = 0
            while words < TARGET_WORDS and i < len(rows):
                parts.append(rows[i][1])
                words += len(rows[i][1].split())
                i += 1
            if words >= TARGET_WORDS:
                # Trim the last piece so articles are ~600 words, not 600 + a whole article.
                excess = words - TARGET_WORDS
                last = parts[-1].split(" ")
                parts[-1] = " ".join(last[: max(1, len(last) - excess)])
                articles.append((title, "\n\n".join(parts), lang))
                made += 1
    return articles


def stage_times(enricher: object, articles: list) -> dict[str, float]:  # type: ignore[type-arg]
    """Mean CPU ms per article of each pipeline step, run one step at a time as
    ``Enricher.enrich`` runs them (same inputs), so a regression points at its step.
    Steps keep per-word caches across articles, so the first call on an article costs more than a
    repeat: the caller decides which it measures by what the enricher has seen before."""
    from warta.analysis.analyzer import analyze
    from warta.enrichment.boilerplate import clean_text
    from warta.enrichment.keywords import keywords_of
    from warta.enrichment.pipeline import KEYWORDS
    from warta.enrichment.signature import AnalysedText, signature_of

    totals: dict[str, float] = {}
    clock = time.process_time

    def timed(name: str, func, *args):  # type: ignore[no-untyped-def]
        started = clock()
        result = func(*args)
        totals[name] = totals.get(name, 0.0) + clock() - started
        return result

    for article in articles:
        title = " ".join(article.title.split()) if article.title else None
        text = timed("clean text", clean_text, article.text, None)
        language = timed("language", enricher._language.detect, text, title, None)  # type: ignore[attr-defined]
        lang = language.code if language.code != "und" else None
        full = f"{title}\n\n{text}" if title else text
        entities = timed("entities", enricher._extract_entities, full, lang or "und")  # type: ignore[attr-defined]
        timed("topics", enricher._classify_topics, title, text, lang or "und")  # type: ignore[attr-defined]
        title_part = timed("analysis pass", AnalysedText.of, title, lang) if title else None
        body = timed("analysis pass", AnalysedText.of, text, lang)
        timed("keywords", keywords_of, title_part, body, KEYWORDS, entities)
        timed("signature", signature_of, title_part, body)
    # What the indexer stores as terms, analysed on its own (the pipeline reuses the pass above).
    for article in articles:
        timed("analyze() alone", analyze, article.text, "id")
    return {name: 1000 * seconds / len(articles) for name, seconds in totals.items()}


def child(limit: int) -> None:
    """Runs in the child process: load, warm up, enrich, print one JSON line of figures."""
    from warta.enrichment.pipeline import Enricher, article_from_record

    started = time.perf_counter()
    enricher = Enricher()
    load_s = time.perf_counter() - started
    built = [article_from_record({"title": t, "text": x}) for t, x, _ in build_articles(2 * limit)]
    # Every other article is kept unseen for the per-step timing: a running enricher meets new
    # words (names above all) in every article, and the per-word caches only help with the rest.
    articles, unseen = built[0::2], built[1::2]
    if not articles:
        print(json.dumps({"error": f"no articles could be built from {DATA}"}))
        return
    for article in articles[:5]:
        enricher.enrich(article)
    words = sum(len(a.text.split()) for a in articles)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for article in articles:
        enricher.enrich(article)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    stages_first = stage_times(enricher, unseen)
    stages = stage_times(enricher, unseen)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "mean_words": words / len(articles),
                "cpu_s": cpu,
                "wall_s": wall,
                "load_s": load_s,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "stages_ms": stages,
                "stages_first_ms": stages_first,
            }
        )
    )


def run(limit: int = 200) -> None:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(limit)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=REPO,
    )
    if proc.returncode != 0:
        print(f"throughput: child failed: {proc.stderr.strip()[-800:]}")
        return
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    if "error" in figures:
        print(f"throughput: {figures['error']}")
        return
    n = figures["articles"]
    per_core = n / figures["cpu_s"]
    print(
        f"throughput: {n} articles of {figures['mean_words']:.0f} words on average; models loaded in {figures['load_s']:.1f} s"
    )
    print(
        f"  {per_core:.0f} articles/s per core (CPU time; target >= {TARGET_RATE:.0f}), {1000 / per_core:.2f} ms/article"
    )
    print(f"  {n / figures['wall_s']:.0f} articles/s wall clock (machine shared with other work)")
    stages = figures.get("stages_ms", {})
    first = figures.get("stages_first_ms", {})
    if stages:
        print("  CPU ms per article by step (each step timed alone), on articles the process had not")
        print("  seen (after the pass above) and on the same articles again (per-word caches warm):")
        print(f"    {'step':<16} {'unseen':>7} {'again':>7}")
        for name, ms in stages.items():
            print(f"    {name:<16} {first.get(name, float('nan')):7.3f} {ms:7.3f}")
    print(
        f"  peak RSS of the enricher process {figures['peak_rss_mb']:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)"
    )


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "--articles":
        run(int(sys.argv[2]))
    else:
        run()
