"""Alert history bodies (alerts are :class:`warta.events.Alert` as the alerter records them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from warta.events import Alert

# the delivery states of warta.events.Alert.status
AlertStatus = Literal["pending", "delivered", "failed", "dead"]


class AlertPage(BaseModel):
    alerts: list[Alert]
    next_cursor: str | None = None
