"""Warta indexer service."""
