"""``warta enrich``: run the enrichment pipeline on JSON lines, the way anyone checks it on their own
articles. Uses the very :class:`~warta.enrichment.pipeline.Enricher` the Faust agent runs."""

from __future__ import annotations

import json
import sys
from typing import IO

import click


@click.command("enrich")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write (default stdout).",
)
@click.option("--with-terms", is_flag=True, help="Also output the analysed terms the indexer stores.")
@click.option("--pretty", is_flag=True, help="Indent the JSON (one object per line no longer holds).")
def enrich_command(source: IO[str], output: IO[str], with_terms: bool, pretty: bool) -> None:
    """Enrich JSON lines {"id"?, "title"?, "text", "url"?, "language_hint"?} from SOURCE (a file, or
    stdin when omitted or "-") and write one JSON line per article with language, entities, topics,
    keywords and signature.

    A line that is not valid JSON or cannot be enriched is reported on stderr with its line number;
    the others are still processed, and the exit status is 1 if any line failed.
    """
    from warta.enrichment.pipeline import Enricher, EnrichmentError

    enricher = Enricher()
    failures = 0
    done = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            result = enricher.enrich_record(record, with_terms=with_terms)
        except json.JSONDecodeError as exc:
            failures += 1
            click.echo(f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})", err=True)
            continue
        except EnrichmentError as exc:
            failures += 1
            click.echo(f"line {number}: cannot enrich: {exc}", err=True)
            continue
        output.write(json.dumps(result, ensure_ascii=False, indent=2 if pretty else None) + "\n")
        output.flush()
        done += 1
    click.echo(f"enriched {done} article(s), {failures} failed", err=True)
    if failures:
        sys.exit(1)
