"""Alerter settings: common WARTA_* names plus WARTA_ALERTER_* ones, and the policy built from them."""

from __future__ import annotations

from warta_alerter.app import retry_policy
from warta_alerter.settings import Settings


def test_common_and_service_variables_are_read_from_their_prefixes(monkeypatch):
    monkeypatch.setenv("WARTA_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("WARTA_TOPIC_PREFIX", "t1.")
    monkeypatch.setenv("WARTA_ALERTER_WEB_PORT", "7070")
    monkeypatch.setenv("WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS", "true")
    monkeypatch.setenv("WARTA_ALERTER_RETRY_BASE_SECONDS", "0.5")
    s = Settings()
    assert s.kafka_bootstrap == "kafka-1:9092,kafka-2:9092" and s.topic_prefix == "t1."
    assert s.web_port == 7070 and s.allow_private_webhooks is True
    assert retry_policy(s).base == 0.5


def test_defaults_are_safe_for_production(monkeypatch):
    for name in ("WARTA_ALERTER_ALLOW_PRIVATE_WEBHOOKS", "WARTA_ALERTER_RETRY_GIVE_UP_AFTER_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.allow_private_webhooks is False
    assert s.retry_give_up_after_seconds >= 24 * 3600
    assert retry_policy(s).schedule("x")[-1] >= 24 * 3600
