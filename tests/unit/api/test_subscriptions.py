"""Subscription create/patch/delete: validation, secrets shown once, Kafka publication, rollback."""

from __future__ import annotations

from tests.unit.api.conftest import A, MakeHarness

HOOK = "https://8.8.8.8/hooks/warta"  # a public IP literal: validated without DNS


def sub_body(**over) -> dict:
    body = {"name": "nato", "query": '"Jens Stoltenberg" OR NATO', "filters": {"languages": ["ID"]}}
    body.update(over)
    return body


async def test_create_stores_publishes_and_returns_generated_secret_once(api) -> None:
    resp = await api.client.post(
        "/v1/subscriptions", json=sub_body(delivery={"webhook": {"url": HOOK}}), headers=A
    )
    assert resp.status_code == 201
    created = resp.json()
    assert resp.headers["location"] == f"/v1/subscriptions/{created['id']}"
    secret = created["delivery"]["webhook"]["secret"]
    assert secret and len(secret) >= 32
    assert created["filters"]["languages"] == ["id"]
    assert created["version"] == 1 and created["active"] is True
    published = api.publisher.published[-1]
    assert published.id == created["id"] and published.delivery.webhook.secret == secret
    stored = api.es.docs[("unit-subscriptions", created["id"])][0]
    assert stored["delivery"]["webhook"]["secret"] == secret
    again = (await api.client.get(f"/v1/subscriptions/{created['id']}", headers=A)).json()
    assert again["delivery"]["webhook"] == {"url": HOOK, "secret": None}


async def test_caller_chosen_secret_is_kept_and_not_echoed(api) -> None:
    body = sub_body(delivery={"webhook": {"url": HOOK, "secret": "s" * 20}})
    created = (await api.client.post("/v1/subscriptions", json=body, headers=A)).json()
    assert created["delivery"]["webhook"]["secret"] is None
    assert api.publisher.published[-1].delivery.webhook.secret == "s" * 20


async def test_query_syntax_error_on_create_is_400_with_position_and_nothing_stored(api) -> None:
    resp = await api.client.post("/v1/subscriptions", json=sub_body(query="NATO AND"), headers=A)
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "query_syntax"
    assert err["detail"]["param"] == "query" and err["detail"]["position"] == 8
    assert api.es.docs == {} and api.publisher.published == []


async def test_patch_validates_query_bumps_version_and_republishes(api) -> None:
    sub_id = (await api.client.post("/v1/subscriptions", json=sub_body(), headers=A)).json()["id"]
    bad = await api.client.patch(f"/v1/subscriptions/{sub_id}", json={"query": "(NATO"}, headers=A)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "query_syntax"
    ok = await api.client.patch(
        f"/v1/subscriptions/{sub_id}", json={"query": "Stoltenberg", "active": False}, headers=A
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2 and ok.json()["query"] == "Stoltenberg" and ok.json()["active"] is False
    assert ok.json()["name"] == "nato"  # untouched field kept
    assert [s.version for s in api.publisher.published] == [1, 2]
    assert api.publisher.published[-1].active is False


async def test_patch_new_webhook_url_keeps_existing_secret(api) -> None:
    created = (
        await api.client.post(
            "/v1/subscriptions", json=sub_body(delivery={"webhook": {"url": HOOK}}), headers=A
        )
    ).json()
    secret = created["delivery"]["webhook"]["secret"]
    patched = await api.client.patch(
        f"/v1/subscriptions/{created['id']}",
        json={"delivery": {"webhook": {"url": "https://1.1.1.1/h"}}},
        headers=A,
    )
    assert patched.json()["delivery"]["webhook"] == {"url": "https://1.1.1.1/h", "secret": None}
    assert api.publisher.published[-1].delivery.webhook.secret == secret


async def test_delete_publishes_inactive_then_removes(api) -> None:
    sub_id = (await api.client.post("/v1/subscriptions", json=sub_body(), headers=A)).json()["id"]
    resp = await api.client.delete(f"/v1/subscriptions/{sub_id}", headers=A)
    assert resp.status_code == 204
    last = api.publisher.published[-1]
    assert last.id == sub_id and last.active is False and last.version == 2
    assert (await api.client.get(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 404
    assert (await api.client.delete(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 404


async def test_kafka_down_on_create_is_503_and_leaves_nothing_behind(api) -> None:
    api.publisher.fail = True
    resp = await api.client.post("/v1/subscriptions", json=sub_body(), headers=A)
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "kafka_unavailable"
    assert api.es.docs == {}


async def test_kafka_down_on_patch_restores_previous_version(api) -> None:
    sub_id = (await api.client.post("/v1/subscriptions", json=sub_body(), headers=A)).json()["id"]
    api.publisher.fail = True
    resp = await api.client.patch(f"/v1/subscriptions/{sub_id}", json={"name": "renamed"}, headers=A)
    assert resp.status_code == 503
    api.publisher.fail = False
    current = (await api.client.get(f"/v1/subscriptions/{sub_id}", headers=A)).json()
    assert current["name"] == "nato" and current["version"] == 1


async def test_kafka_down_on_delete_keeps_the_subscription(api) -> None:
    sub_id = (await api.client.post("/v1/subscriptions", json=sub_body(), headers=A)).json()["id"]
    api.publisher.fail = True
    assert (await api.client.delete(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 503
    api.publisher.fail = False
    assert (await api.client.get(f"/v1/subscriptions/{sub_id}", headers=A)).status_code == 200


async def test_list_returns_only_own_subscriptions(api) -> None:
    for name in ("one", "two"):
        await api.client.post("/v1/subscriptions", json=sub_body(name=name), headers=A)
    items = (await api.client.get("/v1/subscriptions", headers=A)).json()["subscriptions"]
    assert sorted(i["name"] for i in items) == ["one", "two"]
    assert all(i["delivery"]["webhook"] is None for i in items)


async def test_preview_rejects_window_beyond_limit(make_harness: MakeHarness) -> None:
    h = await make_harness(preview_max_days=30)
    resp = await h.client.post("/v1/subscriptions/preview", json={"query": "nato", "days": 31}, headers=A)
    assert resp.status_code == 400 and resp.json()["error"]["detail"]["max"] == 30


async def test_preview_searches_recent_window_collapsed_by_story(api) -> None:
    resp = await api.client.post("/v1/subscriptions/preview", json={"query": "nato", "days": 3}, headers=A)
    assert resp.status_code == 200
    sent = api.es.searches[-1]
    assert sent["collapse"]["field"] == "story_id"
    assert any("range" in str(f) for f in sent["query"]["bool"]["filter"])


async def test_subscription_id_path_is_validated(api) -> None:
    resp = await api.client.get("/v1/subscriptions/bad$id", headers=A)
    assert resp.status_code == 422
