"""Several fetcher instances share the sources: no source is polled twice in a round."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from tests.unit.fetcher.httpfixture import LocalServer, Reply
from warta_fetcher.metrics import FetcherMetrics
from warta_fetcher.service import Scheduler, build_harvester, close_harvester
from warta_fetcher.settings import Settings
from warta_fetcher.sink import MemorySink


def _sources_file(tmp_path: Path, server: LocalServer, count: int) -> Path:
    lines = ["sources:"]
    for i in range(count):
        server.routes[f"/feed{i}.xml"] = Reply(
            200,
            f'<rss version="2.0"><channel><title>F{i}</title><item><title>Item {i}</title>'
            f"<link>{server.base}/item/{i}</link><description>Text {i}</description></item></channel></rss>".encode(),
        )
        lines.append(f"  - {{id: feed-{i}, name: Feed {i}, kind: rss, url: '{server.url(f'/feed{i}.xml')}'}}")
    path = tmp_path / "sources.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(schedulers: list[Scheduler], seconds: float) -> None:
    threads = [threading.Thread(target=s.run, kwargs={"tick_s": 0.05}) for s in schedulers]
    for t in threads:
        t.start()
    time.sleep(seconds)
    for s in schedulers:
        s.stop()
    for t in threads:
        t.join(timeout=30)


def _feed_hits(server: LocalServer) -> Counter[str]:
    return Counter(p for p in server.paths_hit() if p.startswith("/feed"))


def test_processes_sharing_a_state_dir_never_poll_a_source_twice(
    server: LocalServer, settings: Settings, tmp_path: Path
) -> None:
    path = _sources_file(tmp_path, server, 4)
    settings = settings.model_copy(update={"fetch_article_pages": False, "workers": 2})
    harvesters = [build_harvester(settings, sink=MemorySink(), metrics=FetcherMetrics()) for _ in range(3)]
    schedulers = [Scheduler(settings, h, path) for h in harvesters]
    for i, s in enumerate(schedulers):
        s.owner = f"process-{i}"  # three processes on one host
    _run(schedulers, 2.0)
    assert _feed_hits(server) == Counter({f"/feed{i}.xml": 1 for i in range(4)})
    sent = [e.id for h in harvesters for e in h.sink.events]  # type: ignore[attr-defined]
    assert len(sent) == 4 and len(set(sent)) == 4
    for h in harvesters:
        close_harvester(h)


def test_instances_on_different_hosts_split_the_sources(
    server: LocalServer, settings: Settings, tmp_path: Path
) -> None:
    path = _sources_file(tmp_path, server, 8)
    schedulers = []
    harvesters = []
    for instance in range(2):
        own = settings.model_copy(
            update={
                "fetch_article_pages": False,
                "instance": instance,
                "instances": 2,
                "state_dir": tmp_path / f"host-{instance}",  # no shared disk between hosts
            }
        )
        harvester = build_harvester(own, sink=MemorySink(), metrics=FetcherMetrics())
        harvesters.append(harvester)
        schedulers.append(Scheduler(own, harvester, path))
    _run(schedulers, 2.0)
    assert _feed_hits(server) == Counter({f"/feed{i}.xml": 1 for i in range(8)})
    per_instance = [len(h.sink.events) for h in harvesters]  # type: ignore[attr-defined]
    assert sum(per_instance) == 8 and all(n > 0 for n in per_instance)
    for h in harvesters:
        close_harvester(h)
