"""Extraction quality and speed on trafilatura's evaluation pages, ours vs plain trafilatura.

Counts as trafilatura's own evaluation does: per page, each ``with`` snippet found in the extracted
text is a true positive (missing = false negative), each ``without`` snippet found is a false
positive (absent = true negative). Also reports title/author/date agreement where gold exists (the
gold date is the one the page shows, so ``published_date`` is compared; the UTC day of
``published_at`` is printed too), the subset of pages carrying related-article blocks, and pages/s
on one core (CPU time, after a warm-up that loads dateparser's locales, as the service does).

Usage: uv run python bench/fetch_extraction.py [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

import trafilatura

import warta_fetcher.extract as extract_module
from warta_fetcher.extract import extract_article, warm_up_extraction

DATA = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "article_extraction" / "trafilatura_eval"
)
RELATED_MARKER = re.compile(
    rb"""(class|id)\s*=\s*["'][^"']*(related|read-?more|baca-?juga|also-?read|more-stories|recommended)""",
    re.I,
)


def _norm(text: str) -> str:
    return " ".join(text.split())


class Score:
    def __init__(self) -> None:
        self.tp = self.fn = self.fp = self.tn = 0

    def add(self, text: str, row: dict) -> None:
        text = _norm(text)
        for snippet in row.get("with") or []:
            if _norm(snippet) in text:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in row.get("without") or []:
            if _norm(snippet) in text:
                self.fp += 1
            else:
                self.tn += 1

    def line(self, name: str) -> str:
        p = self.tp / max(1, self.tp + self.fp)
        r = self.tp / max(1, self.tp + self.fn)
        f1 = 2 * p * r / max(1e-9, p + r)
        acc = (self.tp + self.tn) / max(1, self.tp + self.tn + self.fp + self.fn)
        return f"{name:<28} precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  accuracy {acc:.3f}  (TP {self.tp} FN {self.fn} FP {self.fp} TN {self.tn})"


def _meta_match(gold: str | list | None, got: str | None) -> bool | None:
    if isinstance(gold, list):
        gold = ", ".join(str(g) for g in gold)
    if not gold:
        return None
    if not got:
        return False
    g, o = _norm(gold).lower(), _norm(got).lower()
    return g == o or g in o or o in g


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--accurate", action="store_true", help="always run trafilatura's fallbacks")
    args = parser.parse_args()
    if args.accurate:
        extract_module.FAST_EXTRACTION = False
    gold_path = DATA / "gold.jsonl"
    if not gold_path.exists():
        print(f"no evaluation data at {DATA}; skipping")
        return 0
    rows = [json.loads(line) for line in gold_path.open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    ours, plain, plain_nc = Score(), Score(), Score()
    ours_rel, plain_rel = Score(), Score()
    meta = {"title": [0, 0], "author": [0, 0], "date": [0, 0]}
    meta_ref = {"title": [0, 0], "author": [0, 0], "date": [0, 0]}  # trafilatura's own metadata
    date_utc = [0, 0]
    t_ours = t_plain = 0.0
    related_pages = 0
    # Warm-up outside the timings: one-time initialisation (justext stop lists, dateparser's locales
    # for htmldate's text search, lxml XPath compilation) would otherwise be charged to whichever
    # extractor runs first. The fetcher service does the same at start-up.
    warm_up_extraction()
    for row in rows[:5]:
        warm = gzip.decompress((DATA / row["html_gz"]).read_bytes())
        extract_article(warm, url=row["url"])
        trafilatura.extract(warm, url=row["url"])
    for row in rows:
        html = gzip.decompress((DATA / row["html_gz"]).read_bytes())
        start = time.process_time()
        article = extract_article(html, url=row["url"])
        t_ours += time.process_time() - start
        text = article.text if article else ""
        ours.add(text, row)
        start = time.process_time()
        baseline = trafilatura.extract(html, url=row["url"]) or ""
        t_plain += time.process_time() - start
        plain.add(baseline, row)
        plain_nc.add(trafilatura.extract(html, url=row["url"], include_comments=False) or "", row)
        if RELATED_MARKER.search(html):
            related_pages += 1
            ours_rel.add(text, row)
            plain_rel.add(baseline, row)
        got = {
            "title": article.title if article else None,
            "author": ", ".join(article.authors) if article else None,
            # The gold is the date the page shows (publisher's time zone), so compare the shown date;
            # the UTC day of ``published_at`` is reported separately below.
            "date": article.published_date.isoformat() if article and article.published_date else None,
        }
        utc_day = article.published_at.date().isoformat() if article and article.published_at else None
        verdict = _meta_match(row.get("date"), utc_day)
        if verdict is not None:
            date_utc[0] += int(verdict)
            date_utc[1] += 1
        ref_doc = trafilatura.bare_extraction(html, url=row["url"], with_metadata=True)
        ref = ref_doc.as_dict() if ref_doc is not None else {}
        ref_got = {"title": ref.get("title"), "author": ref.get("author"), "date": ref.get("date")}
        for key in meta:
            for table, values in ((meta, got), (meta_ref, ref_got)):
                verdict = _meta_match(row.get(key), values[key])
                if verdict is not None:
                    table[key][0] += int(verdict)
                    table[key][1] += 1
    print(f"pages: {len(rows)}  (with related-article markup: {related_pages})")
    print(ours.line("warta extract"))
    print(plain.line("trafilatura.extract default"))
    print(plain_nc.line("trafilatura no comments"))
    print("-- pages with related-article blocks --")
    print(ours_rel.line("warta extract"))
    print(plain_rel.line("trafilatura.extract default"))
    for key, (ok, total) in meta.items():
        ref_ok = meta_ref[key][0]
        print(
            f"{key:<7} match {ok}/{total} = {ok / max(1, total):.1%}   (trafilatura metadata: {ref_ok / max(1, total):.1%})"
        )
    print(
        f"date (UTC day of published_at) {date_utc[0]}/{date_utc[1]} = {date_utc[0] / max(1, date_utc[1]):.1%}"
    )
    print(
        f"speed: warta {len(rows) / max(t_ours, 1e-9):.1f} pages/s per core (CPU time), "
        f"trafilatura {len(rows) / max(t_plain, 1e-9):.1f} pages/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
