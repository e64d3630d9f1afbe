"""Alert history bodies (alerts are :class:`warta.events.Alert` as the alerter records them)."""

from __future__ import annotations

from pydantic import BaseModel

from warta.events import Alert


class AlertPage(BaseModel):
    alerts: list[Alert]
    next_cursor: str | None = None
