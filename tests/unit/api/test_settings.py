"""The API reads common variables as WARTA_* and its own as WARTA_API_*."""

from __future__ import annotations

from warta_api.settings import Settings


def test_settings_read_common_and_api_prefixes(monkeypatch) -> None:
    monkeypatch.setenv("WARTA_ES_URL", "http://es.example:9200")
    monkeypatch.setenv("WARTA_TOPIC_PREFIX", "ns.")
    monkeypatch.setenv("WARTA_API_PORT", "9001")
    monkeypatch.setenv("WARTA_API_KEYS", "k1:t1,k2:t2")
    monkeypatch.setenv("WARTA_API_ALLOW_PRIVATE_WEBHOOKS", "true")
    settings = Settings()
    assert settings.es_url == "http://es.example:9200"
    assert settings.topic_prefix == "ns."
    assert settings.port == 9001
    assert settings.api_keys() == {"k1": "t1", "k2": "t2"}
    assert settings.allow_private_webhooks is True


def test_defaults_bind_loopback_and_refuse_private_webhooks(monkeypatch) -> None:
    for name in (
        "WARTA_API_HOST",
        "WARTA_API_PORT",
        "WARTA_API_ALLOW_PRIVATE_WEBHOOKS",
        "WARTA_API_PUBLIC_READ",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.allow_private_webhooks is False and settings.public_read is False
