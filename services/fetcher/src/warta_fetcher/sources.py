"""The sources file: what to fetch, how, and how often.

```yaml
sources:
  - name: Antara top news          # required
    kind: rss                      # rss | atom | rdf | jsonfeed | feed | sitemap | page | folder
    url: https://www.antaranews.com/rss/terkini.xml   # or a path (relative to this file) for feeds
    language: id                   # hint for the enricher
    poll_interval: 600             # seconds, optional (adaptive otherwise)
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warta.events import SourceRef

_KIND_ALIASES = {
    "rss": "feed",
    "atom": "feed",
    "rdf": "feed",
    "jsonfeed": "feed",
    "json": "feed",
    "feed": "feed",
}
SourceKind = Literal["feed", "sitemap", "page", "folder"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "source"


class Source(BaseModel):
    """One configured source. ``location`` is an absolute path or an http(s) URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = ""
    name: str
    kind: SourceKind
    declared_kind: str = ""
    url: str | None = None
    path: str | None = None
    language: str | None = None
    poll_interval: float | None = Field(default=None, gt=0)
    fetch_articles: bool | None = None  # feeds/sitemaps: fetch each article page (default: settings)
    enabled: bool = True
    max_entries: int | None = Field(default=None, gt=0)

    @field_validator("kind", mode="before")
    @classmethod
    def _normalise_kind(cls, value: object) -> object:
        if isinstance(value, str):
            return _KIND_ALIASES.get(value.strip().lower(), value.strip().lower())
        return value

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            if "kind" in data and not data.get("declared_kind"):
                data["declared_kind"] = str(data["kind"]).lower()
            if not data.get("id") and data.get("name"):
                data["id"] = _slug(str(data["name"]))
        return data

    @model_validator(mode="after")
    def _location_given(self) -> Source:
        if not (self.url or self.path):
            raise ValueError(f"source {self.name!r} needs a url or a path")
        if self.kind == "folder" and not self.path:
            raise ValueError(f"folder source {self.name!r} needs a path")
        return self

    @property
    def location(self) -> str:
        return self.url or self.path or ""

    @property
    def is_remote(self) -> bool:
        return bool(self.url and self.url.startswith(("http://", "https://")))

    def ref(self) -> SourceRef:
        return SourceRef(id=self.id, name=self.name, kind=self.declared_kind or self.kind, feed_url=self.url)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[Source]


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; relative paths are resolved against the file's folder.

    Raises ``ValueError`` with the offending entry on invalid content or duplicate ids.
    """
    path = Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(raw, list):
        raw = {"sources": raw}
    base = path.resolve().parent
    fixed = []
    for item in raw.get("sources") or []:
        if not isinstance(item, dict):
            raise ValueError(f"{path}: each source must be a mapping, got {item!r}")
        item = dict(item)
        location = item.get("path") or item.get("url")
        if isinstance(location, str) and not location.startswith(("http://", "https://")):
            if item.get("url") and not item.get("path"):
                item["path"], item["url"] = item.pop("url"), None
            resolved = Path(item["path"]).expanduser()
            item["path"] = str(resolved if resolved.is_absolute() else (base / resolved).resolve())
        fixed.append(item)
    sources = SourcesFile.model_validate({"sources": fixed}).sources
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ValueError(f"{path}: duplicate source id {source.id!r}")
        seen.add(source.id)
    return sources
