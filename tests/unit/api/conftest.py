"""Unit-test fixtures for the API: the real app with an in-memory stand-in for Elasticsearch and a
recording Kafka publisher, driven through httpx's ASGI transport (no servers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from copy import deepcopy
from typing import Any

import httpx
import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ConflictError, NotFoundError

from warta.events import Subscription
from warta_api.app import create_app
from warta_api.errors import ApiError
from warta_api.settings import Settings

KEYS = "key-a:tenant-a,key-b:tenant-b"
A = {"Authorization": "Bearer key-a"}
B = {"Authorization": "Bearer key-b"}


def _meta(status: int) -> ApiResponseMeta:
    return ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "es", 9200),
    )


class FakeEs:
    """Just enough of AsyncElasticsearch: a document store with get/index/delete by id (with
    seq_no concurrency), and ``search`` that records its arguments and answers with
    ``search_response`` (or, for the subscriptions index, the documents of the filtered tenant)."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}
        self.searches: list[dict[str, Any]] = []
        self.search_response: dict[str, Any] = {
            "took": 1,
            "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []},
        }
        self.fail_with: BaseException | None = None
        self._seq = 0

    def _check(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    async def get(self, *, index: str, id: str) -> dict[str, Any]:
        self._check()
        if (index, id) not in self.docs:
            raise NotFoundError("not found", _meta(404), {"found": False})
        source, seq = self.docs[(index, id)]
        return {"_id": id, "_source": deepcopy(source), "_seq_no": seq, "_primary_term": 1}

    async def index(
        self,
        *,
        index: str,
        id: str,
        document: dict[str, Any],
        op_type: str | None = None,
        if_seq_no: int | None = None,
        if_primary_term: int | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        self._check()
        current = self.docs.get((index, id))
        if op_type == "create" and current is not None:
            raise ConflictError("exists", _meta(409), {})
        if if_seq_no is not None and (current is None or current[1] != if_seq_no):
            raise ConflictError("version conflict", _meta(409), {})
        self._seq += 1
        self.docs[(index, id)] = (deepcopy(document), self._seq)
        return {"_id": id, "_seq_no": self._seq, "_primary_term": 1, "result": "created"}

    async def delete(self, *, index: str, id: str, **_: Any) -> dict[str, Any]:
        self._check()
        if self.docs.pop((index, id), None) is None:
            raise NotFoundError("not found", _meta(404), {})
        return {"result": "deleted"}

    async def search(self, **kwargs: Any) -> dict[str, Any]:
        self._check()
        self.searches.append(kwargs)
        if kwargs["index"].endswith("-subscriptions"):
            tenant = next(
                f["term"]["tenant"]
                for f in kwargs["query"]["bool"]["filter"]
                if "tenant" in f.get("term", {})
            )
            hits = [
                {"_source": deepcopy(src), "sort": [src["created_at"], src["id"]]}
                for (idx, _), (src, _) in self.docs.items()
                if idx == kwargs["index"] and src["tenant"] == tenant
            ]
            return {"took": 1, "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits}}
        return deepcopy(self.search_response)

    async def close(self) -> None:
        return None


class FakePublisher:
    """Records what would go to ``subscriptions.v1``; ``fail`` simulates Kafka being down."""

    def __init__(self) -> None:
        self.published: list[Subscription] = []
        self.fail = False

    async def publish(self, subscription: Subscription) -> None:
        if self.fail:
            raise ApiError(
                503, "kafka_unavailable", "could not publish the subscription change to Kafka, retry later"
            )
        self.published.append(subscription)

    def close(self) -> None:
        return None


class Harness:
    def __init__(self, client: httpx.AsyncClient, es: FakeEs, publisher: FakePublisher) -> None:
        self.client = client
        self.es = es
        self.publisher = publisher


MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness() -> AsyncIterator[MakeHarness]:
    clients: list[httpx.AsyncClient] = []
    apps = []

    async def make(**overrides: Any) -> Harness:
        settings = Settings(
            **{"keys": KEYS, "es_prefix": "unit", "allow_private_webhooks": False, **overrides}
        )
        es, publisher = FakeEs(), FakePublisher()
        app = create_app(settings, es=es, publisher=publisher, prepare_indices=False)  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://api.test")
        clients.append(client)
        apps.append(app)
        return Harness(client, es, publisher)

    yield make
    for client in clients:
        await client.aclose()
    for app in apps:  # ASGITransport runs no lifespan: stop the alert hub a test may have started
        await app.state.alert_hub.close()


@pytest.fixture
async def api(make_harness: MakeHarness) -> Harness:
    return await make_harness()
