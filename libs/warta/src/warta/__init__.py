"""Warta shared library: events, settings, Kafka/ES helpers, text analysis, enrichment."""
