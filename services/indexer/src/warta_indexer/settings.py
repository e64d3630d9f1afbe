"""Indexer settings (env prefix ``WARTA_INDEXER_``; common ones ``WARTA_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warta.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="WARTA_INDEXER_", extra="ignore", frozen=True)

    group_id: str = Field(default="warta-indexer", description="Kafka consumer group")
    batch_size: int = Field(default=500, ge=1, le=10_000, description="max articles per ES bulk request")
    batch_max_wait: float = Field(default=1.0, gt=0, description="max seconds to wait while filling a batch")
    story_window_days: int = Field(
        default=3, ge=0, description="how far apart two articles of a story can be"
    )
    metrics_port: int = Field(default=9102, description="port of /healthz /readyz /metrics (0 = off)")
