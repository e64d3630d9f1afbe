"""Parsing of query-string values shared by the routers: the query language, instants, lists."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from warta.analysis.query import Query, QuerySyntaxError, parse_query
from warta_api.errors import ApiError


def parse_user_query(text: str, param: str = "q") -> Query:
    """Parse with the shared query language; a syntax error becomes a 400 saying where and what."""
    try:
        return parse_query(text)
    except QuerySyntaxError as exc:
        raise ApiError(
            400,
            "query_syntax",
            f"{param}: {exc}",
            {"param": param, "position": exc.position, "expected": exc.expected, "reason": exc.message},
        ) from exc


_RELATIVE = re.compile(r"^(\d{1,5})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_instant(value: str, param: str, now: datetime | None = None) -> datetime:
    """``2026-11-20``, ``2026-11-20T08:00:00+07:00`` (naive = UTC) or relative ``30m``/``24h``/``7d``/``2w`` ago."""
    value = value.strip()
    if m := _RELATIVE.match(value):
        base = now or datetime.now(UTC)
        return base - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(
            400,
            "invalid_parameter",
            f"{param}: {value!r} is not a date, a date-time or a relative time like 7d",
            {"param": param, "expected": "YYYY-MM-DD, ISO 8601 date-time, or <n>m|h|d|w"},
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def split_values(values: Sequence[str] | None) -> tuple[str, ...]:
    """Repeated parameters and comma-separated lists alike: ``lang=id&lang=en`` = ``lang=id,en``."""
    out: list[str] = []
    for value in values or ():
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(dict.fromkeys(out))
