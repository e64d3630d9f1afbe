"""Search latency and throughput of the API on real data, against the running Elasticsearch.

Indexes AG News (English title + lead, 3,800 rows) and Tribunnews (762 Indonesian articles) from
``../shared/data`` into a throw-away prefix, starts ``warta-api`` as a subprocess, and prints
p50/p95/max latency per query kind (sequential) and requests/s with concurrent clients. Also times
subscription create (ES write with refresh=wait_for + Kafka ack). Deletes its indices at the end.

    uv run python bench/api_search_latency.py [--es http://127.0.0.1:9200] [--kafka 127.0.0.1:9092]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from elasticsearch import helpers

from warta.analysis.analyzer import analyze
from warta.elastic import IndexNames, article_document, ensure_indices, make_es
from warta.events import ArticleIndexed, Language, SourceRef
from warta.ids import content_hash, stable_hash

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "topics"

QUERIES = {
    "word": ["oil", "Jakarta", "election", "pemerintah", "Microsoft", "football"],
    "phrase": ['"prime minister"', '"bank indonesia"', '"oil prices"', '"world cup"'],
    "boolean": ["(oil OR gas) AND prices -Iraq", "Jakarta AND (banjir OR macet)", "Google NOT search"],
    "filtered": ["lang:id pemerintah", "lang:en AND (stocks OR shares)"],
}


def load_articles() -> list[ArticleIndexed]:
    now = datetime.now(UTC)
    rnd = random.Random(7)
    rows: list[tuple[str, str, str]] = []
    with (DATA / "ag_news" / "test.csv").open(encoding="utf-8") as f:
        rows.extend(("en", title, text) for _, title, text in csv.reader(f))
    for item in json.loads((DATA / "tribunnews_id" / "news.json").read_text("utf-8")):
        rows.append(("id", item["title"], item["content"]))
    out = []
    for i, (lang, title, text) in enumerate(rows):
        if not text.strip():
            continue
        doc_id = stable_hash("bench", str(i))
        host = "agnews.example" if lang == "en" else "tribunnews.com"
        out.append(
            ArticleIndexed(
                id=doc_id,
                url=f"https://{host}/{doc_id}",
                source=SourceRef(id=host, name=host, kind="bench"),
                published_at=now - timedelta(hours=rnd.randint(1, 24 * 25)),
                title=title,
                text=text,
                content_hash=content_hash(text),
                language=Language(code=lang, confidence=1.0),
                terms=analyze(f"{title}\n\n{text}", lang),
                enricher_version="bench",
                story_id=f"st-{i // 3}",  # three articles per story, to give collapse work to do
            )
        )
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def timed(client: httpx.AsyncClient, method: str, url: str, **kw) -> float:
    started = time.perf_counter()
    resp = await client.request(method, url, **kw)
    elapsed = time.perf_counter() - started
    if resp.status_code >= 400:
        raise RuntimeError(f"{url}: {resp.status_code} {resp.text[:200]}")
    return elapsed * 1000


async def load(
    client: httpx.AsyncClient, queries: list[str], concurrency: int, total: int
) -> tuple[float, list[float]]:
    """Wall time and per-request latencies of ``total`` searches spread over ``concurrency`` clients."""
    lat: list[float] = []

    async def worker(n: int) -> None:
        for i in range(n):
            lat.append(await timed(client, "GET", "/v1/search", params={"q": queries[i % len(queries)]}))

    started = time.perf_counter()
    await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))
    return time.perf_counter() - started, lat


async def run(api: str) -> None:
    headers = {"Authorization": "Bearer bench-key"}
    async with httpx.AsyncClient(base_url=api, headers=headers, timeout=30) as client:
        for _ in range(5):  # warm caches and connections
            await timed(client, "GET", "/v1/search", params={"q": "oil"})
        print(f"{'query kind':<28}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        variants = {
            "": {},
            " +collapse": {"collapse": "story"},
            " no facets": {"facets": "false"},
        }
        for kind, queries in QUERIES.items():
            for label, extra in variants.items():
                samples = []
                for _ in range(5):
                    for q in queries:
                        samples.append(await timed(client, "GET", "/v1/search", params={"q": q, **extra}))
                print(
                    f"{kind + label:<28}{len(samples):>5}{pct(samples, 50):>9.1f}{pct(samples, 95):>9.1f}{max(samples):>9.1f}"
                )
        page_samples = []
        cursor = None
        for _ in range(20):
            params = {
                "q": "oil OR pemerintah",
                "sort": "newest",
                "size": 20,
                **({"cursor": cursor} if cursor else {}),
            }
            started = time.perf_counter()
            body = (await client.get("/v1/search", params=params)).json()
            page_samples.append((time.perf_counter() - started) * 1000)
            cursor = body["next_cursor"]
            if not cursor:
                break
        print(
            f"{'cursor pages (size 20)':<28}{len(page_samples):>5}{pct(page_samples, 50):>9.1f}{pct(page_samples, 95):>9.1f}{max(page_samples):>9.1f}"
        )

        all_queries = [q for qs in QUERIES.values() for q in qs]
        for concurrency in (1, 8, 32):
            wall, lat = await load(client, all_queries, concurrency, total=200)
            print(
                f"throughput, {concurrency:>2} concurrent clients: {len(lat) / wall:7.1f} req/s "
                f"(p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms)"
            )

        creates = []
        for i in range(20):
            body = {"name": f"bench {i}", "query": "oil AND prices", "delivery": {"stream": True}}
            creates.append(await timed(client, "POST", "/v1/subscriptions", json=body))
        print(
            f"subscription create (ES wait_for + Kafka ack): p50 {pct(creates, 50):.1f} ms, p95 {pct(creates, 95):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--es", default=os.environ.get("WARTA_ES_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--kafka", default=os.environ.get("WARTA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found")
        return
    prefix = f"bench{os.getpid()}"
    es = make_es(args.es)
    proc = None
    try:
        ensure_indices(es, prefix)
        started = time.perf_counter()
        articles = load_articles()
        names = IndexNames(prefix)
        actions = (
            {"_index": names.articles_index_for(a.published_at), "_id": a.id, "_source": article_document(a)}
            for a in articles
        )
        ok, _ = helpers.bulk(es, actions, chunk_size=500, refresh="wait_for")
        print(f"indexed {ok} articles (en + id) in {time.perf_counter() - started:.1f}s")
        port = free_port()
        env = {
            **os.environ,
            "WARTA_ES_URL": args.es,
            "WARTA_KAFKA_BOOTSTRAP": args.kafka,
            "WARTA_ES_PREFIX": prefix,
            "WARTA_TOPIC_PREFIX": f"{prefix}.",
            "WARTA_API_PORT": str(port),
            "WARTA_API_KEYS": "bench-key:bench",
            "WARTA_LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen([sys.executable, "-m", "warta_api.main"], env=env, cwd=REPO)
        api = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{api}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(run(api))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(15)
        es.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, expand_wildcards="all")
        for name in ("articles", "subscriptions", "alerts"):
            es.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-{name}")
        try:
            from kafka import KafkaAdminClient

            admin = KafkaAdminClient(bootstrap_servers=args.kafka.split(","))
            doomed = [t for t in admin.list_topics() if t.startswith(f"{prefix}.")]
            if doomed:
                admin.delete_topics(doomed)
            admin.close()
        except Exception as exc:  # cleanup is best effort
            print(f"(topic cleanup skipped: {exc})")
        es.close()


if __name__ == "__main__":
    main()
