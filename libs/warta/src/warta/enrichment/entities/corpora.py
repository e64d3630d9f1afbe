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
CorpusFormat = Literal["space", "tsv", "uner", "indexed", "men"]

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
    ``uner`` (# comments, idx TAB token TAB tag …), ``indexed`` (idx TAB token TAB tag) or ``men``
    (the MEN ``annotated_set.json``: char-offset spans into ``article_text/*.txt``, see ``read_men``)."""
    if fmt == "men":
        yield from read_men(path)
        return
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


# MEN labels kept (OntoNotes-style); ROLE and TITLE spans are what we strip off person names.
_MEN_TYPES = {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"}
_MEN_MODIFIERS = frozenset({"ROLE", "TITLE"})


def read_men(path: Path) -> Iterator[Sentence]:
    """Sentences (one per paragraph) of the MEN Malaysian English news set, BIO over PER/LOC/ORG.

    MEN spans nest ("director-general Tan Sri Dr Noor Hisham Abdullah" ⊃ "Noor Hisham Abdullah"):
    spans that contain a ROLE or TITLE span are dropped (UNER/CoNLL do not count titles as part of
    a name), then the outermost remaining PERSON/ORGANIZATION/LOCATION span wins.
    """
    import json

    from warta.enrichment.entities.tokens import tokenize_columns

    articles = json.loads(path.read_text(encoding="utf-8"))
    for article in articles:
        text_path = path.parent / "article_text" / f"{article['id']}.txt"
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf-8")
        raw = [
            (e["position"]["start_offset"], e["position"]["end_offset"], e["label"])
            for e in article["entities"]
        ]
        modifiers = [(s, e) for s, e, lab in raw if lab in _MEN_MODIFIERS]
        kept = [
            (s, e, _MEN_TYPES[lab])
            for s, e, lab in raw
            if lab in _MEN_TYPES and not any(s <= ms and me <= e for ms, me in modifiers)
        ]
        kept.sort(key=lambda x: (x[0], -x[1]))
        outer: list[tuple[int, int, str]] = []
        for s, e, typ in kept:
            if outer and s < outer[-1][1]:
                continue  # nested in (or overlapping) the previous outer span
            outer.append((s, e, typ))
        tokens, starts, ends = tokenize_columns(text)
        tags = ["O"] * len(tokens)
        for s, e, typ in outer:
            inside = [i for i in range(len(tokens)) if starts[i] >= s and ends[i] <= e]
            for k, i in enumerate(inside):
                tags[i] = ("B-" if k == 0 else "I-") + typ
        # One sentence per paragraph (blank-line or double-space separated in these files).
        sent_tokens: list[str] = []
        sent_tags: list[str] = []
        for i, tok in enumerate(tokens):
            if sent_tokens and (
                "\n" in text[ends[i - 1] : starts[i]] or "  " in text[ends[i - 1] : starts[i]]
            ):
                yield sent_tokens, sent_tags
                sent_tokens, sent_tags = [], []
            sent_tokens.append(tok)
            sent_tags.append(tags[i])
        if sent_tokens:
            yield sent_tokens, sent_tags
