"""Request dependencies (``Annotated`` aliases). Resources live on ``app.state``, built by the app
factory; tests replace them with ``app.dependency_overrides``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, Request

from warta.elastic import IndexNames
from warta_api.kafka_io import SubscriptionPublisher
from warta_api.settings import Settings

if TYPE_CHECKING:
    from warta_api.alerts.stream import AlertHub


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_es(request: Request) -> AsyncElasticsearch:
    return request.app.state.es


def get_indices(request: Request) -> IndexNames:
    return IndexNames(request.app.state.settings.es_prefix)


def get_publisher(request: Request) -> SubscriptionPublisher:
    return request.app.state.publisher


def get_alert_hub(request: Request) -> AlertHub:
    return request.app.state.alert_hub


SettingsDep = Annotated[Settings, Depends(get_settings)]
Es = Annotated[AsyncElasticsearch, Depends(get_es)]
Indices = Annotated[IndexNames, Depends(get_indices)]
Publisher = Annotated[SubscriptionPublisher, Depends(get_publisher)]
