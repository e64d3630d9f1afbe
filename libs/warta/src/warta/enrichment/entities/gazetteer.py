"""Gazetteer: compiled alias tables (see ``deploy/build/build_gazetteers.py``) and a longest-match scanner."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from itertools import compress

from warta.enrichment.entities.tokens import fold

MAX_ALIAS_TOKENS = 8


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """One gazetteer entry: canonical name, type, Wikidata QID (if any) and reliability tier (1 = best)."""

    canonical: str
    type: str
    kb_id: str | None
    tier: int


@dataclass(frozen=True, slots=True)
class GazetteerMatch:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    entity: KnownEntity


class Gazetteer:
    """Alias tables: folded token keys -> entity, and case-sensitive short acronyms -> entity."""

    def __init__(self, entities: list[KnownEntity], folded: dict[str, int], cased: dict[str, int]) -> None:
        self.entities = entities
        self.folded = folded
        self.cased = cased
        # Memo of fuzzy_person answers: names recur across articles and a miss probes ~20 variants.
        self._fuzzy_memo: dict[tuple[str, ...], KnownEntity | None] = {}
        # Every proper prefix of a multi-token key, so a scan stops as soon as no alias can continue.
        prefixes: set[str] = set()
        for key in folded:
            parts = key.split(" ")
            for n in range(1, len(parts)):
                prefixes.add(" ".join(parts[:n]))
        self.prefixes = frozenset(prefixes)

    @classmethod
    def load_default(cls) -> Gazetteer:
        """Load the gazetteer compiled into the ``warta`` package."""
        path = resources.files("warta.data.entities").joinpath("gazetteer.json.gz")
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        entities = [KnownEntity(c, t, q, tier) for c, t, q, tier in data["entities"]]
        return cls(entities, data["folded"], data["cased"])

    def lookup(self, tokens: list[str]) -> KnownEntity | None:
        """Entity whose alias is exactly this token sequence (acronyms case-sensitively), else None."""
        if len(tokens) == 1:
            idx = self.cased.get(tokens[0])
            if idx is not None:
                return self.entities[idx]
        idx = self.folded.get(" ".join(fold(t) for t in tokens))
        return self.entities[idx] if idx is not None else None

    def scan(self, tokens: list[str], folded: list[str], starts: list[bool]) -> list[GazetteerMatch]:
        """Longest non-overlapping alias matches, left to right, beginning only where ``starts[i]``."""
        matches: list[GazetteerMatch] = []
        n = len(tokens)
        resume = 0  # first token not inside the previous match
        for i in compress(range(n), starts):
            if i < resume:
                continue
            best_end = -1
            best_idx = -1
            idx = self.cased.get(tokens[i])
            if idx is not None:
                best_end, best_idx = i + 1, idx
            key = folded[i]
            j = i + 1
            while True:
                idx = self.folded.get(key)
                if idx is not None:
                    best_end, best_idx = j, idx
                if j >= n or j - i >= MAX_ALIAS_TOKENS or key not in self.prefixes:
                    break
                key = key + " " + folded[j]
                j += 1
            if best_idx >= 0:
                matches.append(GazetteerMatch(i, best_end, self.entities[best_idx]))
                resume = best_end
        return matches

    @cached_property
    def person_fuzzy_index(self) -> dict[str, int]:
        """Single-deletion keys of person aliases (>= 8 chars) -> entity, for spelling variants.

        "Zelenskky" and "Zelenskyy" share the deletion "zelensky"; built on first use only.
        """
        index: dict[str, int] = {}
        ambiguous: set[str] = set()
        for key, idx in self.folded.items():
            if self.entities[idx].type != "PER" or len(key) < 8:
                continue
            for variant in {key, *(key[:k] + key[k + 1 :] for k in range(len(key)))}:
                prev = index.get(variant)
                if prev is not None and prev != idx:
                    ambiguous.add(variant)
                index[variant] = idx
        for variant in ambiguous:
            del index[variant]
        return index

    def fuzzy_person(self, tokens: list[str]) -> KnownEntity | None:
        """Person whose alias is within one deletion on each side of ``tokens`` (len >= 8), else None."""
        memo_key = tuple(tokens)
        if memo_key in self._fuzzy_memo:
            return self._fuzzy_memo[memo_key]
        found = self._fuzzy_person(tokens)
        if len(self._fuzzy_memo) >= 100_000:
            self._fuzzy_memo.clear()
        self._fuzzy_memo[memo_key] = found
        return found

    def _fuzzy_person(self, tokens: list[str]) -> KnownEntity | None:
        key = " ".join(fold(t) for t in tokens)
        if len(key) < 8 or " " not in key:
            return None
        index = self.person_fuzzy_index
        for variant in (key, *(key[:k] + key[k + 1 :] for k in range(len(key)))):
            idx = index.get(variant)
            if idx is not None:
                return self.entities[idx]
        return None
