"""Every 4xx/5xx has the body {"error": {"code", "message", "detail"}} and no stack trace."""

from __future__ import annotations

from elastic_transport import ConnectionError as TransportConnectionError

from tests.unit.api.conftest import A


def assert_error_shape(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert "Traceback" not in resp.text
    return body["error"]


async def test_unknown_route_is_json_404(api) -> None:
    assert_error_shape(await api.client.get("/v1/nothing-here", headers=A), 404, "not_found")


async def test_wrong_method_is_json_405(api) -> None:
    assert_error_shape(await api.client.put("/v1/search", headers=A), 405, "method_not_allowed")


async def test_parameter_validation_is_422_naming_the_parameter(api) -> None:
    err = assert_error_shape(
        await api.client.get("/v1/search", params={"size": 0}, headers=A), 422, "validation_error"
    )
    assert err["message"].startswith("size:")
    assert err["detail"][0]["loc"] == ["query", "size"]


async def test_body_validation_is_422_and_does_not_echo_input(api) -> None:
    body = {
        "name": "x",
        "query": "nato",
        "delivery": {"webhook": {"url": "https://e.org", "secret": "short-secret"}},
    }
    err = assert_error_shape(
        await api.client.post("/v1/subscriptions", json=body, headers=A), 422, "validation_error"
    )
    assert err["detail"][0]["field"] == "delivery.webhook.secret"
    assert "short-secret" not in str(err)


async def test_unknown_body_field_is_422(api) -> None:
    body = {"name": "x", "query": "nato", "colour": "red"}
    err = assert_error_shape(
        await api.client.post("/v1/subscriptions", json=body, headers=A), 422, "validation_error"
    )
    assert err["detail"][0]["field"] == "colour"


async def test_non_json_body_is_422(api) -> None:
    resp = await api.client.post(
        "/v1/subscriptions", content=b"{not json", headers={**A, "Content-Type": "application/json"}
    )
    assert_error_shape(resp, 422, "validation_error")


async def test_malformed_search_query_is_400_with_position_and_expectation(api) -> None:
    err = assert_error_shape(
        await api.client.get("/v1/search", params={"q": "(nato OR"}, headers=A), 400, "query_syntax"
    )
    assert err["detail"]["position"] == 8
    assert err["detail"]["expected"]
    assert err["detail"]["param"] == "q"
    assert "position 8" in err["message"]
    assert api.es.searches == []  # never reached Elasticsearch


async def test_unterminated_phrase_points_at_the_quote(api) -> None:
    err = assert_error_shape(
        await api.client.get("/v1/search", params={"q": 'nato "jens'}, headers=A), 400, "query_syntax"
    )
    assert err["detail"]["position"] == 5


async def test_bad_date_is_400_naming_the_parameter(api) -> None:
    err = assert_error_shape(
        await api.client.get("/v1/search", params={"since": "last tuesday"}, headers=A),
        400,
        "invalid_parameter",
    )
    assert err["message"].startswith("since:")


async def test_since_after_until_is_400(api) -> None:
    resp = await api.client.get(
        "/v1/search", params={"since": "2026-02-01", "until": "2026-01-01"}, headers=A
    )
    assert_error_shape(resp, 400, "invalid_parameter")


async def test_garbage_cursor_is_400(api) -> None:
    resp = await api.client.get("/v1/search", params={"q": "nato", "cursor": "!!not-a-cursor"}, headers=A)
    assert_error_shape(resp, 400, "invalid_cursor")


async def test_unexpected_failure_is_json_500_without_details(api) -> None:
    api.es.fail_with = RuntimeError("secret internals at /srv/app.py line 3")
    err = assert_error_shape(
        await api.client.get("/v1/search", params={"q": "nato"}, headers=A), 500, "internal_error"
    )
    assert "secret internals" not in str(err)


async def test_elasticsearch_down_is_503(api) -> None:
    api.es.fail_with = TransportConnectionError("connection refused")
    assert_error_shape(
        await api.client.get("/v1/search", params={"q": "nato"}, headers=A), 503, "elasticsearch_unavailable"
    )


async def test_missing_article_is_json_404(api) -> None:
    err = assert_error_shape(await api.client.get("/v1/articles/abc", headers=A), 404, "not_found")
    assert err["detail"] == {"id": "abc"}


async def test_readyz_reports_unreachable_dependencies_as_503(make_harness) -> None:
    h = await make_harness(kafka_bootstrap="127.0.0.1:1", readiness_timeout_seconds=1.0)
    h.es.fail_with = TransportConnectionError("refused")
    err = assert_error_shape(await h.client.get("/readyz"), 503, "not_ready")
    assert err["detail"]["elasticsearch"]["ok"] is False
    assert err["detail"]["kafka"]["ok"] is False


async def test_healthz_and_openapi_need_no_key(api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    spec = (await api.client.get("/openapi.json")).json()
    assert "/v1/search" in spec["paths"]
    assert (await api.client.get("/docs")).status_code == 200


async def test_oversized_body_is_json_413(api) -> None:
    body = {"name": "x", "query": "nato " * 40_000}
    resp = await api.client.post("/v1/subscriptions", json=body, headers=A)
    assert_error_shape(resp, 413, "payload_too_large")


async def test_oversized_chunked_body_is_json_413(api) -> None:
    async def chunks():
        for _ in range(100):
            yield b"x" * 1024

    resp = await api.client.post(
        "/v1/subscriptions", content=chunks(), headers={**A, "Content-Type": "application/json"}
    )
    assert_error_shape(resp, 413, "payload_too_large")
