"""Deterministic ids: the same input always yields the same id, so every sink is idempotent."""

from __future__ import annotations

import hashlib


def stable_hash(*parts: str, length: int = 16) -> str:
    """Hex digest (``length`` chars) of the parts joined unambiguously."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()[:length]


def content_hash(text: str) -> str:
    """Hash of whitespace-normalised text, used to recognise an unchanged article body."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def article_id(canonical_url: str | None, source_id: str, text_hash: str) -> str:
    """Article id: hash of the canonical URL, or of source id + content hash for URL-less inputs."""
    if canonical_url:
        return stable_hash("url", canonical_url)
    return stable_hash("content", source_id, text_hash)


def alert_id(subscription_id: str, story_id: str) -> str:
    return stable_hash("alert", subscription_id, story_id)
