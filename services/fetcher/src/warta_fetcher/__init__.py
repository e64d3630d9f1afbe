"""Warta fetcher service."""
