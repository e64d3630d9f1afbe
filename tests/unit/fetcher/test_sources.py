from __future__ import annotations

from pathlib import Path

import pytest

from warta_fetcher.sources import load_sources

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_sample_sources_file_loads_with_resolved_paths() -> None:
    sources = {s.id: s for s in load_sources(REPO_ROOT / "samples" / "sources.yaml")}
    assert sources["seeds"].kind == "folder"
    assert Path(sources["seeds"].path or "").is_dir()
    feed = sources["warta-sample-feed"]
    assert feed.kind == "feed" and feed.declared_kind == "rss" and not feed.is_remote
    assert Path(feed.path or "").is_file()
    assert feed.language == "en" and feed.poll_interval == 900


def test_kinds_aliases_and_generated_ids(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "sources:\n"
        "  - {name: Antara Terkini, kind: rss, url: 'https://example.id/rss.xml', language: id}\n"
        "  - {name: Guardian, kind: atom, url: 'https://example.com/atom'}\n"
        "  - {name: JSON, kind: jsonfeed, url: 'https://example.com/feed.json'}\n"
        "  - {name: Sitemap, kind: sitemap, url: 'https://example.com/news-sitemap.xml.gz'}\n"
        "  - {name: One page, kind: page, url: 'https://example.com/a'}\n"
    )
    sources = load_sources(tmp_path / "s.yaml")
    assert [s.kind for s in sources] == ["feed", "feed", "feed", "sitemap", "page"]
    assert sources[0].id == "antara-terkini" and sources[0].ref().kind == "rss"


@pytest.mark.parametrize(
    "content",
    [
        "sources:\n  - {name: a, kind: rss}\n",  # no location
        "sources:\n  - {name: a, kind: carrier-pigeon, url: 'https://x'}\n",
        "sources:\n  - {name: a, kind: rss, url: 'https://x'}\n  - {name: a, kind: rss, url: 'https://y'}\n",
        "sources:\n  - {name: a, kind: rss, url: 'https://x', colour: red}\n",
    ],
)
def test_invalid_sources_are_rejected_with_a_reason(tmp_path: Path, content: str) -> None:
    (tmp_path / "s.yaml").write_text(content)
    with pytest.raises(ValueError):
        load_sources(tmp_path / "s.yaml")
