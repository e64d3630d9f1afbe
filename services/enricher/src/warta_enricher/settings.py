"""Enricher settings (env prefix ``WARTA_ENRICHER_``; common ones ``WARTA_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warta.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="WARTA_ENRICHER_", extra="ignore", frozen=True)

    app_id: str = Field(default="warta-enricher", description="Faust app id = Kafka consumer group")
    web_host: str = Field(default="0.0.0.0", description="bind address of /healthz /readyz /metrics")
    web_port: int = Field(default=6066, description="port of /healthz /readyz /metrics")
    concurrency: int = Field(default=1, ge=1, le=32, description="agent instances per worker process")
