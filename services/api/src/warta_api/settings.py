"""Settings of the HTTP API (env prefix ``WARTA_API_``), built once in :func:`warta_api.main.main`."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from warta.settings import CommonSettings


class Settings(CommonSettings):
    """API settings: the common ``WARTA_*`` variables (Kafka, ES, prefixes) plus ``WARTA_API_*``."""

    model_config = SettingsConfigDict(
        env_prefix="WARTA_API_", extra="ignore", frozen=True, populate_by_name=True
    )

    host: str = Field(default="127.0.0.1", description="address uvicorn binds to")
    port: int = Field(default=8000, ge=1, le=65535)
    keys: str = Field(
        default="dev-key:dev",
        description='API keys and their tenants, "key1:tenant1,key2:tenant2" (the default is for local dev only)',
    )
    public_read: bool = Field(
        default=False,
        description="serve search, articles and stories without an API key (subscriptions always need one)",
    )
    allow_private_webhooks: bool = Field(
        default=False, description="accept webhook URLs on private, loopback or link-local addresses"
    )
    preview_max_days: int = Field(
        default=90, ge=1, description="longest window a subscription preview may scan"
    )
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0, description="SSE keep-alive comment interval")
    kafka_timeout_seconds: float = Field(default=10.0, gt=0, description="wait for a Kafka ack this long")
    readiness_timeout_seconds: float = Field(default=3.0, gt=0)
    max_body_bytes: int = Field(default=65_536, ge=1024, description="larger request bodies get a 413")

    @field_validator("keys")
    @classmethod
    def _keys_well_formed(cls, value: str) -> str:
        parse_api_keys(value)
        return value

    def api_keys(self) -> dict[str, str]:
        """``{api key: tenant}`` parsed from :attr:`keys`."""
        return parse_api_keys(self.keys)


def parse_api_keys(spec: str) -> dict[str, str]:
    """Parse ``"key1:tenant1,key2:tenant2"``; raises ``ValueError`` on an entry without both parts."""
    keys: dict[str, str] = {}
    for entry in spec.split(","):
        entry = entry.strip()
        if not entry:
            continue
        key, sep, tenant = entry.partition(":")
        if not sep or not key.strip() or not tenant.strip():
            raise ValueError(f"API key entry {entry[:4]}… must look like key:tenant")
        keys[key.strip()] = tenant.strip()
    return keys
