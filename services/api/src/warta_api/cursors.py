"""Opaque page cursors: base64url JSON of ES ``search_after`` values (or an offset) plus a
fingerprint of the search they belong to, so a cursor replayed against another search is a 400."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from warta_api.errors import ApiError


def encode_cursor(
    fingerprint: str, *, search_after: list[Any] | None = None, offset: int | None = None
) -> str:
    payload: dict[str, Any] = {"f": fingerprint}
    if search_after is not None:
        payload["a"] = search_after
    else:
        payload["o"] = offset
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> dict[str, Any]:
    """The cursor's payload; 400 when it is not ours or belongs to another search."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if not isinstance(payload, dict) or not isinstance(payload.get("f"), str):
            raise ValueError("not a cursor")
        if "a" in payload and not isinstance(payload["a"], list):
            raise ValueError("bad search_after")
        if "o" in payload and (not isinstance(payload["o"], int) or payload["o"] < 0):
            raise ValueError("bad offset")
        if "a" not in payload and "o" not in payload:
            raise ValueError("empty cursor")
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(
            400, "invalid_cursor", "cursor is malformed; use next_cursor from a previous page"
        ) from exc
    if payload["f"] != fingerprint:
        raise ApiError(
            400,
            "invalid_cursor",
            "cursor belongs to a different search (query, filters, sort or collapse changed)",
        )
    return payload


def search_after(cursor: str | None, fingerprint: str) -> dict[str, Any]:
    """``{"search_after": …}`` for keyset-paged listings (empty without a cursor); 400 otherwise."""
    if not cursor:
        return {}
    payload = decode_cursor(cursor, fingerprint)
    if "a" not in payload:
        raise ApiError(400, "invalid_cursor", "cursor is malformed")
    return {"search_after": payload["a"]}
