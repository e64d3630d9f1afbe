"""Readers for the CoNLL-style NER corpora used to train and measure the tagger.

Tag sets are mapped onto PER / LOC / ORG / MISC (README of the shared data): PERSON/PPL -> PER,
PLACE/LOCATION/PLC -> LOC, ORGANISATION/ORGANIZATION/IND (and WNUT's corporation/group) -> ORG,
EVT/OTH/MISC -> MISC, the rest -> O.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

Sentence = tuple[list[str], list[str]]  # tokens, BIO tags over PER/LOC/ORG/MISC
CorpusFormat = Literal["space", "tsv", "uner", "indexed"]

TYPE_MAP = {
    "PER": "PER", "PERSON": "PER", "PPL": "PER",
    "LOC": "LOC", "LOCATION": "LOC", "PLACE": "LOC", "PLC": "LOC", "GPE": "LOC",
    "ORG": "ORG", "ORGANISATION": "ORG", "ORGANIZATION": "ORG", "IND": "ORG",
    "MISC": "MISC", "OTH": "MISC", "EVT": "MISC",
    # WNUT-17 (emerging entities): companies and groups (teams, bands, parties) are organisations.
    "CORPORATION": "ORG", "GROUP": "ORG", "PRODUCT": "MISC", "CREATIVE-WORK": "MISC",
}  # fmt: skip


def map_tag(tag: str) -> str:
    """Map one source tag ("B-PERSON", "I-PLC", "B-O", "O") onto BIO over PER/LOC/ORG/MISC."""
    if len(tag) < 3 or tag[1] != "-" or tag[0] not in "BIES":
        return "O"
    mapped = TYPE_MAP.get(tag[2:].upper())
    if mapped is None:
        return "O"
    return ("B-" if tag[0] in "BS" else "I-") + mapped


def read_corpus(path: Path, fmt: CorpusFormat) -> Iterator[Sentence]:
    """Sentences of a corpus file: ``space`` (token POS TAG), ``tsv`` (token TAB tag),
    ``uner`` (# comments, idx TAB token TAB tag …) or ``indexed`` (idx TAB token TAB tag)."""
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n").rstrip("\r")
            if fmt == "uner" and line.startswith("#"):
                continue
            if not line.strip():
                if tokens:
                    yield tokens, tags
                tokens, tags = [], []
                continue
            if fmt == "space":
                parts = line.split()
                token, tag = parts[0], parts[-1]
            else:
                parts = line.split("\t")
                if fmt == "tsv":
                    token, tag = parts[0], parts[-1]
                else:
                    token, tag = parts[1], parts[2]
            if not token.strip():
                continue
            tokens.append(token.strip())
            tags.append(map_tag(tag.strip()))
    if tokens:
        yield tokens, tags


def spans(
    tags: list[str], types: frozenset[str] = frozenset({"PER", "LOC", "ORG"})
) -> set[tuple[int, int, str]]:
    """Entity spans ``(start, end, type)`` of a BIO sequence (conlleval: a stray I- opens an entity)."""
    out: set[tuple[int, int, str]] = set()
    start = -1
    cur = ""
    for i, tag in enumerate([*tags, "O"]):
        typ = tag[2:] if tag != "O" else ""
        if cur and (tag == "O" or tag.startswith("B-") or typ != cur):
            if cur in types:
                out.add((start, i, cur))
            cur = ""
        if tag != "O" and not cur:
            start, cur = i, typ
    return out
