"""Webhook URLs: http(s) only; private, loopback and link-local targets refused unless allowed."""

from __future__ import annotations

import pytest

from warta_api.errors import ApiError
from warta_api.subscriptions.webhooks import validate_webhook_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
async def test_private_targets_are_refused_by_default(url: str) -> None:
    with pytest.raises(ApiError) as info:
        await validate_webhook_url(url, allow_private=False)
    assert info.value.status == 400
    assert info.value.detail["reason"] == "private_address"
    assert "WARTA_API_ALLOW_PRIVATE_WEBHOOKS" in info.value.message


async def test_private_targets_are_accepted_when_configured() -> None:
    assert (
        await validate_webhook_url("http://127.0.0.1:9000/hook", allow_private=True)
        == "http://127.0.0.1:9000/hook"
    )


async def test_public_address_is_accepted() -> None:
    assert await validate_webhook_url("https://8.8.8.8/x", allow_private=False) == "https://8.8.8.8/x"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://8.8.8.8/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https:///nohost", "host"),
        ("https://8.8.8.8:99999/x", "malformed"),
        ("https://no-such-host.invalid/x", "unresolvable"),
    ],
)
async def test_malformed_urls_are_refused_with_reason(url: str, reason: str) -> None:
    with pytest.raises(ApiError) as info:
        await validate_webhook_url(url, allow_private=False)
    assert info.value.detail["reason"] == reason


async def test_api_refuses_loopback_webhook_with_400(api) -> None:
    body = {"name": "x", "query": "nato", "delivery": {"webhook": {"url": "http://127.0.0.1:8080/h"}}}
    resp = await api.client.post("/v1/subscriptions", json=body, headers={"Authorization": "Bearer key-a"})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "invalid_webhook"
    assert resp.json()["error"]["detail"]["field"] == "delivery.webhook.url"
