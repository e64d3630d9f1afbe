"""Warta api service."""
