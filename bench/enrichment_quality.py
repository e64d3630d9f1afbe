"""The enrichment quality benchmark: every section, one command, figures printed (not a test).

Sections (each a module in ``bench/`` exposing ``run()``):

* language   — accuracy per language and macro on lingua's sentences and word pairs, id↔ms confusion
* entities   — typed entity-level P/R/F1 on each NER dev set
* topics     — accuracy on each topic set after mapping to IPTC
* stories    — same-story P/R/F1 on SemEval-2022 task 8 same-language pairs
* throughput — articles/s per core of the whole pipeline on ~600-word articles, peak RSS

A section that cannot run (its module missing or failing) prints ``section X unavailable: <error>``
and the others still run. Data is read from ``../shared/data`` relative to the repository.

Run: ``uv run python bench/enrichment_quality.py [section ...]``
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SECTIONS = {
    "language": "quality_language",
    "entities": "quality_entities",
    "topics": "quality_topics",
    "stories": "quality_stories",
    "throughput": "enrich_throughput",
}


def main(argv: list[str]) -> int:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    wanted = argv or list(SECTIONS)
    unknown = [name for name in wanted if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
        return 2
    failed = 0
    for name in wanted:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(SECTIONS[name])
            module.run()
        except Exception as exc:  # one broken section must not hide the others' figures
            failed += 1
            print(f"section {name} unavailable: {type(exc).__name__}: {exc}")
            traceback.print_exc(limit=3, file=sys.stderr)
        print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
