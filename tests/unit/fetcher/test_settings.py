from __future__ import annotations

import pytest

from warta_fetcher.settings import load_settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        ("127.0.0.0/8, 10.0.0.0/8", ["127.0.0.0/8", "10.0.0.0/8"]),
        ('["127.0.0.0/8"]', ["127.0.0.0/8"]),
    ],
)
def test_allowed_networks_accept_empty_comma_and_json(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    monkeypatch.setenv("WARTA_FETCHER_ALLOWED_NETWORKS", raw)
    assert load_settings().allowed_networks == expected


def test_shared_and_fetcher_variables_are_merged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARTA_TOPIC_PREFIX", "t1.")
    monkeypatch.setenv("WARTA_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("WARTA_FETCHER_WORKERS", "3")
    settings = load_settings()
    assert (settings.topic_prefix, settings.kafka_bootstrap, settings.workers) == ("t1.", "kafka:9092", 3)
    assert settings.metrics_port == 9101 and not settings.allow_private_networks
