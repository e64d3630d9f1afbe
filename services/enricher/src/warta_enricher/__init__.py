"""Warta enricher service."""
