"""``/healthz`` (the process is alive), ``/readyz`` (Elasticsearch and Kafka reachable), ``/metrics``."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from warta_api.deps import Es, Indices, SettingsDep
from warta_api.errors import error_response
from warta_api.kafka_io import kafka_reachable

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _es_check(es: Any, alias: str, timeout: float) -> tuple[bool, str]:
    """The cluster answers and the subscriptions alias we write through exists (templates installed)."""
    try:
        health = await asyncio.wait_for(es.cluster.health(timeout=f"{int(timeout)}s"), timeout + 1)
        status = health["status"]
        if status not in ("green", "yellow"):
            return False, f"cluster {status}"
        if not await asyncio.wait_for(es.indices.exists_alias(name=alias), timeout):
            return False, f"cluster {status}, alias {alias} not created yet"
        return True, f"cluster {status}"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"[:200]


@router.get("/readyz", summary="Readiness: Elasticsearch and Kafka reachable")
async def readyz(es: Es, indices: Indices, settings: SettingsDep) -> JSONResponse:
    """200 with each check when ES (with our aliases) and Kafka answer, else 503 in the standard
    error shape."""
    (es_ok, es_detail), (kafka_ok, kafka_detail) = await asyncio.gather(
        _es_check(es, indices.subscriptions, settings.readiness_timeout_seconds),
        kafka_reachable(settings.kafka_bootstrap, settings.readiness_timeout_seconds),
    )
    checks = {
        "elasticsearch": {"ok": es_ok, "detail": es_detail},
        "kafka": {"ok": kafka_ok, "detail": kafka_detail},
    }
    if es_ok and kafka_ok:
        return JSONResponse({"status": "ready", "checks": checks})
    failing = [name for name, check in checks.items() if not check["ok"]]
    return error_response(503, "not_ready", f"unreachable: {', '.join(failing)}", checks)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
