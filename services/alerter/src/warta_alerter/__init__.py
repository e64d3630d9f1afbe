"""Warta alerter service."""
