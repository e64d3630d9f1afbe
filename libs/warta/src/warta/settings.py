"""Settings shared by every service. Each service subclasses :class:`CommonSettings` with its own
env prefix and builds it in ``main()`` (never at import time).

Common variables use the ``WARTA_`` prefix (``WARTA_KAFKA_BOOTSTRAP``, ``WARTA_ES_URL`` …);
service-specific ones use ``WARTA_<SERVICE>_``. Every variable is listed in ``.env.example``.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    # Common fields carry explicit aliases so that subclasses with a service prefix
    # (``WARTA_INDEXER_`` …) still read them as ``WARTA_KAFKA_BOOTSTRAP`` etc.
    model_config = SettingsConfigDict(env_prefix="WARTA_", extra="ignore", frozen=True, populate_by_name=True)

    kafka_bootstrap: str = Field(
        validation_alias=AliasChoices("WARTA_KAFKA_BOOTSTRAP", "kafka_bootstrap"),
        default="127.0.0.1:9092",
        description="Kafka bootstrap servers",
    )
    es_url: str = Field(
        validation_alias=AliasChoices("WARTA_ES_URL", "es_url"),
        default="http://127.0.0.1:9200",
        description="Elasticsearch URL",
    )
    es_prefix: str = Field(
        validation_alias=AliasChoices("WARTA_ES_PREFIX", "es_prefix"),
        default="warta",
        description="prefix of every index and alias",
    )
    topic_prefix: str = Field(
        validation_alias=AliasChoices("WARTA_TOPIC_PREFIX", "topic_prefix"),
        default="",
        description="namespace prepended to every topic name (tests use it)",
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("WARTA_LOG_LEVEL", "log_level"))
    log_json: bool = Field(default=False, validation_alias=AliasChoices("WARTA_LOG_JSON", "log_json"))
    topic_partitions: int = Field(
        validation_alias=AliasChoices("WARTA_TOPIC_PARTITIONS", "topic_partitions"),
        default=3,
        description="partitions for topics this service creates",
    )
    topic_replication: int = Field(
        default=1, validation_alias=AliasChoices("WARTA_TOPIC_REPLICATION", "topic_replication")
    )


def common_settings() -> CommonSettings:
    return CommonSettings()
