"""Alerter settings: the common ``WARTA_*`` variables plus ``WARTA_ALERTER_*`` ones.

Common fields keep their ``WARTA_`` names (aliases in :class:`warta.settings.CommonSettings`);
the fields below are read as ``WARTA_ALERTER_<NAME>`` (``WARTA_ALERTER_WEB_PORT`` …).
Built in :func:`warta_alerter.main.main`, never at import time.
"""

from __future__ import annotations

import os
import tempfile

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from warta.settings import CommonSettings


class Settings(CommonSettings):
    model_config = SettingsConfigDict(
        env_prefix="WARTA_ALERTER_", extra="ignore", frozen=True, populate_by_name=True
    )

    app_id: str = Field(
        default="warta-alerter",
        description="Faust app id = Kafka consumer group of the article agent (topic prefix is prepended)",
    )
    data_dir: str = Field(
        default_factory=lambda: os.path.join(tempfile.gettempdir(), "warta-alerter"),
        description="Faust's working directory (nothing durable: no tables, memory store)",
    )
    web_host: str = Field(default="0.0.0.0", description="bind address of /healthz, /readyz, /metrics")
    web_port: int = Field(default=6067, description="port of /healthz, /readyz, /metrics")
    allow_private_webhooks: bool = Field(
        default=False,
        description="deliver to loopback/private/link-local webhook targets (tests, trusted networks only)",
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="timeout of one webhook POST")
    agent_concurrency: int = Field(
        default=8,
        ge=1,
        description="indexed articles handled at once per instance (acks commit only contiguous offsets)",
    )
    delivery_concurrency: int = Field(default=16, ge=1, description="webhook POSTs in flight at once")
    # Retry schedule: retry n waits min(base * factor**(n-1), max) ± jitter after the previous try;
    # an alert whose next try would fall after created_at + give_up_after is marked ``dead``.
    retry_base_seconds: float = Field(default=30.0, gt=0, description="wait before the second attempt")
    retry_factor: float = Field(default=2.0, ge=1.0, description="growth of each following wait")
    retry_max_delay_seconds: float = Field(default=3600.0, gt=0, description="cap of one wait")
    retry_jitter: float = Field(default=0.2, ge=0.0, lt=1.0, description="± fraction of each delay")
    retry_give_up_after_seconds: float = Field(default=26 * 3600.0, gt=0, description=">= 24 h in production")
    retry_poll_seconds: float = Field(
        default=5.0, gt=0, description="how often ES is swept for deliveries that are due"
    )
    es_retry_max_seconds: float = Field(
        default=30.0, gt=0, description="cap of the backoff while ES or Kafka is unavailable"
    )
    backfill_seconds: float = Field(
        default=300.0,
        ge=0,
        description="articles indexed up to this long before a subscription was created still alert it",
    )
    subscriptions_refresh_seconds: float = Field(
        default=0.0,
        ge=0,
        description="if > 0, also re-read all subscriptions from ES this often (belt and braces)",
    )
