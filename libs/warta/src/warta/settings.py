"""Settings shared by every service. Each service subclasses :class:`CommonSettings` with its own
env prefix and builds it in ``main()`` (never at import time).

Common variables use the ``WARTA_`` prefix (``WARTA_KAFKA_BOOTSTRAP``, ``WARTA_ES_URL`` …);
service-specific ones use ``WARTA_<SERVICE>_``. Every variable is listed in ``.env.example``.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARTA_", extra="ignore", frozen=True)

    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    es_url: str = Field(default="http://127.0.0.1:9200", description="Elasticsearch URL")
    es_prefix: str = Field(default="warta", description="prefix of every index and alias")
    topic_prefix: str = Field(
        default="", description="namespace prepended to every topic name (tests use it)"
    )
    log_level: str = "INFO"
    log_json: bool = False
    topic_partitions: int = Field(default=3, description="partitions for topics this service creates")
    topic_replication: int = 1


def common_settings() -> CommonSettings:
    return CommonSettings()
