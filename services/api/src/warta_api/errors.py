"""One error shape for every 4xx/5xx: ``{"error": {"code", "message", "detail"}}``, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from elastic_transport import ConnectionError as EsConnectionError
from elastic_transport import ConnectionTimeout as EsConnectionTimeout
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorResponse(BaseModel):
    """The body of every error response (documented in OpenAPI)."""

    error: ErrorBody


class ApiError(Exception):
    """A caller-visible failure; handlers turn it into the standard error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} {ident!r} not found", {"id": ident})


def error_response(
    status: int, code: str, message: str, detail: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "detail": detail}}
    return JSONResponse(status_code=status, content=body, headers=headers)


# Error codes for plain HTTP statuses raised by Starlette itself (unknown route, wrong method...).
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}

# Response documentation reused by routers.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed request (e.g. query syntax error)"},
    401: {"model": ErrorResponse, "description": "Missing or unknown API key"},
    404: {"model": ErrorResponse, "description": "Not found (or owned by another tenant)"},
    422: {"model": ErrorResponse, "description": "Parameters or body fail validation"},
    503: {"model": ErrorResponse, "description": "Elasticsearch or Kafka unavailable"},
}


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, without echoing the rejected input (it may carry a secret)."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append(
            {
                "loc": loc,
                "field": ".".join(loc[1:]) or loc[0] if loc else "",
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through :func:`error_response`."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = _validation_detail(exc)
        first = detail[0] if detail else {"field": "", "message": "invalid request"}
        message = f"{first['field'] or 'request'}: {first['message']}"
        if len(detail) > 1:
            message += f" (and {len(detail) - 1} more)"
        return error_response(422, "validation_error", message, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error" if exc.status_code < 500 else "server_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, None, getattr(exc, "headers", None))

    @app.exception_handler(EsConnectionError)
    @app.exception_handler(EsConnectionTimeout)
    async def _es_down(_: Request, exc: Exception) -> JSONResponse:
        log.warning("Elasticsearch unavailable: %s", exc)
        return error_response(503, "elasticsearch_unavailable", "Elasticsearch is unavailable, retry later")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "internal error", None)
