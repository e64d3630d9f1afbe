"""Fetcher settings (env prefix ``WARTA_FETCHER_``), built in ``main()`` / the CLI, never at import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from warta.settings import CommonSettings


def _default_state_dir() -> Path:
    return Path.home() / ".cache" / "warta" / "fetcher"


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="WARTA_FETCHER_", extra="ignore", frozen=True)

    # Common WARTA_* values are re-read under their shared names by ``load_settings``.
    sources: Path = Field(default=Path("samples/sources.yaml"), description="sources YAML file")
    state_dir: Path = Field(
        default_factory=_default_state_dir, description="sqlite state (sent ids, ETags, leases)"
    )
    metrics_port: int = Field(default=9101, description="/metrics and /healthz port; 0 disables")
    metrics_host: str = "0.0.0.0"
    user_agent: str = "WartaBot/0.1 (+https://github.com/warta/warta; news ingestion)"
    timeout_s: float = Field(default=15.0, description="connect/read timeout per request")
    total_timeout_s: float = Field(default=60.0, description="wall-clock cap per response (slow drip)")
    max_bytes: int = Field(default=8 * 1024 * 1024, description="cap on a decoded response body")
    max_redirects: int = 5
    max_compression_ratio: int = Field(default=200, description="decoded/encoded ratio above which = bomb")
    allow_private_networks: bool = Field(
        default=False, description="allow private/loopback/link-local targets"
    )
    allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CIDRs allowed even though private, comma-separated or JSON, e.g. 127.0.0.0/8 for tests",
    )
    respect_robots: bool = True
    per_host_concurrency: int = 2
    per_host_delay_s: float = Field(default=1.0, description="minimum gap between requests to one host")
    max_retry_after_wait_s: float = Field(default=10.0, description="wait in-line for Retry-After up to this")
    workers: int = Field(default=8, description="sources fetched in parallel")
    default_interval_s: float = 900.0
    min_interval_s: float = 60.0
    max_interval_s: float = 6 * 3600.0
    max_entries_per_poll: int = 200
    fetch_article_pages: bool = Field(default=True, description="fetch each feed entry's page and extract it")
    min_article_chars: int = 200
    instance: int = Field(default=0, description="this instance's index (0-based) among INSTANCES")
    instances: int = Field(default=1, description="number of fetcher instances sharing the sources")
    lease_s: float = Field(default=300.0, description="how long a source lease is held while fetching")
    send_timeout_s: float = 60.0
    send_attempts: int = 5

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        # Env values come as "" (none), "a,b" or a JSON list.
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Fetcher settings with the shared ``WARTA_*`` values (Kafka, topic prefix…) merged in."""
    common = CommonSettings()
    values: dict[str, object] = {k: getattr(common, k) for k in CommonSettings.model_fields}
    fetcher_only = Settings()
    for name in Settings.model_fields:
        if name not in CommonSettings.model_fields or name in fetcher_only.model_fields_set:
            values[name] = getattr(fetcher_only, name)
    values.update(overrides)
    return Settings.model_validate(values)
