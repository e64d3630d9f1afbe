"""Warta HTTP API: search, articles, stories, subscriptions, alerts (FastAPI)."""

__version__ = "0.1.0"
