"""Webhook signing, headers and target vetting."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from warta_alerter.webhook import (
    SIGNATURE_HEADER,
    TargetRefused,
    check_target,
    delivery_headers,
    post_alert,
    sign,
    verify,
)


def test_signature_is_hex_hmac_sha256_of_the_exact_body_prefixed_with_sha256():
    body = json.dumps({"id": "a1", "snippet": "Sekjen <em>NATO</em>"}).encode()
    expected = hmac.new(b"topsecret", body, hashlib.sha256).hexdigest()
    assert sign(body, "topsecret") == f"sha256={expected}"
    assert verify(body, "topsecret", f"sha256={expected}")


def test_signature_does_not_verify_with_another_secret_or_a_changed_body():
    body = b'{"id":"a1"}'
    header = sign(body, "k1")
    assert not verify(body, "k2", header)
    assert not verify(b'{"id":"a2"}', "k1", header)
    assert not verify(body, "k1", "")


def test_delivery_headers_carry_idempotency_key_signature_timestamp_and_attempt():
    body = b'{"id":"alert-1"}'
    headers = delivery_headers(body, "k", "alert-1", attempt=3, now=1_700_000_000.5)
    assert headers["Idempotency-Key"] == "alert-1"
    assert headers["Content-Type"] == "application/json"
    assert headers[SIGNATURE_HEADER] == sign(body, "k")
    assert headers["X-Warta-Timestamp"] == "1700000000"
    assert headers["X-Warta-Attempt"] == "3"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost/hook",
    ],
)
async def test_private_loopback_and_link_local_targets_are_refused_by_default(url):
    with pytest.raises(TargetRefused):
        await check_target(url, allow_private=False)


async def test_private_targets_are_accepted_when_explicitly_allowed():
    await check_target("http://127.0.0.1:8080/hook", allow_private=True)


async def test_public_ip_target_is_accepted():
    await check_target("https://93.184.216.34/hook", allow_private=False)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http:///nohost"])
async def test_non_http_targets_are_refused_even_when_private_is_allowed(url):
    with pytest.raises(TargetRefused):
        await check_target(url, allow_private=True)


async def test_post_alert_sends_the_signed_body_and_reports_2xx_as_ok():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    body = b'{"id":"alert-9"}'
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await post_alert(client, "http://127.0.0.1/h", "k", "alert-9", body, 1, allow_private=True)
    assert result.ok and result.status_code == 204
    (request,) = seen
    assert request.method == "POST"
    assert request.content == body
    assert verify(request.content, "k", request.headers[SIGNATURE_HEADER])
    assert request.headers["Idempotency-Key"] == "alert-9"


async def test_post_alert_reports_5xx_and_network_errors_as_retryable_failures():
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(500, text="boom"))
    ) as c:
        result = await post_alert(c, "http://127.0.0.1/h", "k", "a", b"{}", 1, allow_private=True)
    assert not result.ok and not result.permanent and result.status_code == 500

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as c:
        result = await post_alert(c, "http://127.0.0.1/h", "k", "a", b"{}", 1, allow_private=True)
    assert not result.ok and not result.permanent and "ConnectError" in (result.error or "")


async def test_post_alert_to_a_refused_target_is_a_permanent_failure_without_a_request():
    calls = []
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200))
    ) as c:
        result = await post_alert(c, "http://10.0.0.1/h", "k", "a", b"{}", 1, allow_private=False)
    assert result.permanent and not result.ok
    assert calls == []


async def test_redirects_are_not_followed_and_count_as_failure():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False) as c:
        result = await post_alert(c, "http://127.0.0.1/h", "k", "a", b"{}", 1, allow_private=True)
    assert not result.ok and result.status_code == 302
