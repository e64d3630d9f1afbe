"""Named entities: ``extract_entities(text, lang) -> list[Entity]``.

PER / LOC / ORG spans with character offsets and counts, a canonical form per entity and a Wikidata
QID where the shipped gazetteer knows it. Models load once, lazily, on first call; nothing is fetched
at run time (the gazetteer and CRF model ship in ``warta/data/entities``).
"""

from __future__ import annotations

import threading

from warta.enrichment.entities.extractor import EntityExtractor, Mention
from warta.events import Entity

__all__ = ["EntityExtractor", "Mention", "extract_entities", "get_extractor"]

_extractor: EntityExtractor | None = None
_lock = threading.Lock()


def get_extractor() -> EntityExtractor:
    """The process-wide extractor (gazetteer + CRF model), loaded on first use."""
    global _extractor
    if _extractor is None:
        with _lock:
            if _extractor is None:
                _extractor = EntityExtractor()
    return _extractor


def extract_entities(text: str, lang: str = "und") -> list[Entity]:
    """Entities of ``text`` (the enricher passes ``title + "\\n\\n" + body``) in order of first mention.

    ``lang`` is an ISO 639-1 code or "und". Each Entity has the first surface form as ``text``, a type
    in PER|LOC|ORG|MISC, a ``canonical`` form shared by spelling variants ("Kiev"/"Kyiv",
    "Rusia"/"Russia"), ``kb_id`` (Wikidata QID) when known, ``count`` and ``offsets`` = (start, end)
    character offsets into ``text`` of every mention. Titles ("Presiden", "PM") are not part of names.
    """
    return get_extractor().extract(text, lang)
