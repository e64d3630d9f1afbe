"""API keys map to tenants; a tenant only ever sees its own subscriptions."""

from __future__ import annotations

import pytest

from tests.unit.api.conftest import A, B, MakeHarness
from warta_api.auth import ApiKeys
from warta_api.settings import Settings, parse_api_keys

SUB = {"name": "nato", "query": "Stoltenberg", "delivery": {"stream": True}}


def test_api_keys_parse_into_tenants() -> None:
    assert parse_api_keys("k1:t1, k2:t2,") == {"k1": "t1", "k2": "t2"}
    assert ApiKeys({"k1": "t1"}).tenant_for("k1") == "t1"
    assert ApiKeys({"k1": "t1"}).tenant_for("k") is None


@pytest.mark.parametrize("spec", ["just-a-key", ":tenant", "key:"])
def test_malformed_key_spec_is_refused_at_startup(spec: str) -> None:
    with pytest.raises(ValueError, match="key:tenant"):
        Settings(keys=spec)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/search?q=x", "GET"),
        ("/v1/subscriptions", "GET"),
        ("/v1/articles/a1", "GET"),
        ("/v1/alerts", "GET"),
    ],
)
async def test_missing_key_is_401_with_bearer_challenge(api, path: str, method: str) -> None:
    resp = await api.client.request(method, path)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"
    assert resp.json()["error"]["code"] == "unauthorized"
    assert "Authorization: Bearer" in resp.json()["error"]["message"]


async def test_unknown_key_is_401(api) -> None:
    resp = await api.client.get("/v1/subscriptions", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.json()["error"]["message"] == "unknown API key"


async def test_non_bearer_scheme_is_401(api) -> None:
    resp = await api.client.get("/v1/subscriptions", headers={"Authorization": "Basic a2V5LWE6"})
    assert resp.status_code == 401


async def test_public_read_serves_search_without_key_but_not_subscriptions(make_harness: MakeHarness) -> None:
    h = await make_harness(public_read=True)
    assert (await h.client.get("/v1/search", params={"q": "nato"})).status_code == 200
    assert (await h.client.get("/v1/subscriptions")).status_code == 401
    # a key that is sent must still be valid
    assert (await h.client.get("/v1/search", headers={"Authorization": "Bearer bad"})).status_code == 401


async def test_subscription_is_owned_by_the_key_tenant(api) -> None:
    created = await api.client.post("/v1/subscriptions", json=SUB, headers=A)
    assert created.status_code == 201
    assert created.json()["tenant"] == "tenant-a"
    assert api.publisher.published[0].tenant == "tenant-a"


async def test_other_tenant_cannot_read_change_delete_or_list_a_subscription(api) -> None:
    sub_id = (await api.client.post("/v1/subscriptions", json=SUB, headers=A)).json()["id"]
    for method, path, body in [
        ("GET", f"/v1/subscriptions/{sub_id}", None),
        ("PATCH", f"/v1/subscriptions/{sub_id}", {"name": "stolen"}),
        ("DELETE", f"/v1/subscriptions/{sub_id}", None),
        ("GET", f"/v1/subscriptions/{sub_id}/alerts", None),
    ]:
        resp = await api.client.request(method, path, json=body, headers=B)
        assert resp.status_code == 404, (method, path)
        assert resp.json()["error"]["code"] == "not_found"
    assert (await api.client.get("/v1/subscriptions", headers=B)).json()["subscriptions"] == []
    # untouched for its owner
    mine = await api.client.get(f"/v1/subscriptions/{sub_id}", headers=A)
    assert mine.status_code == 200 and mine.json()["name"] == "nato" and mine.json()["version"] == 1
    assert len(api.publisher.published) == 1
