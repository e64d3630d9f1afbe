"""Token features for the CRF tagger, and the candidate windows it is run on.

Shared by the trainer (``deploy/build/train_ner.py``) and run time, so both see identical features.
Speed matters (the whole enrichment has ~3 ms per 600-word article): features that depend only on
the word are cached per word type, and the tagger only sees windows around capitalised tokens.
"""

from __future__ import annotations

from functools import lru_cache

from warta.enrichment.entities.gazetteer import Gazetteer
from warta.enrichment.entities.titles import TITLE_WORDS
from warta.enrichment.entities.tokens import fold

SENTENCE_END = frozenset(".!?\"“”'‘’:;|–—-•*()[]")


@lru_cache(maxsize=100_000)
def shape(word: str) -> str:
    """Compressed word shape: "Zelenskyy" -> "Xx", "G7" -> "Xd", "KPK" -> "X", "30/11" -> "d/d"."""
    out: list[str] = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


@lru_cache(maxsize=100_000)
def word_features(word: str) -> tuple[str, ...]:
    """Features of the word itself (identity, affixes, shape, title cue)."""
    low = fold(word)
    feats = ["w=" + low, "s3=" + low[-3:], "p3=" + low[:3], "sh=" + shape(word)]
    if len(low) > 3:
        feats.append("s2=" + low[-2:])
    if low in TITLE_WORDS:
        feats.append("title")
    return tuple(feats)


def is_candidate(token: str) -> bool:
    """Could this token be (part of) a name in cased text: capitalised, or letters mixed with digits."""
    first = token[0]
    if first.isupper():
        return True
    return first.isdigit() and any(ch.isalpha() for ch in token)


def candidate_windows(
    tokens: list[str], lowercase: bool = False, line_starts: list[bool] | None = None
) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` the tagger runs on: each candidate token +-1, overlapping merged.

    Windows never cross a line start (``line_starts[i]``: token i begins a new line). In lower-case
    text (``lowercase=True``) every alphabetic token is a candidate.
    """
    windows: list[tuple[int, int]] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if not ((tok[0].isalpha() or tok[0].isdigit()) if lowercase else is_candidate(tok)):
            continue
        lo, hi = max(0, i - 1), min(n, i + 2)
        if line_starts is not None:
            if line_starts[i]:
                lo = i
            if hi - 1 > i and line_starts[i + 1]:
                hi = i + 1
        if windows:
            last_lo, last_hi = windows[-1]
            if lo <= last_hi and (
                line_starts is None or not any(line_starts[k] for k in range(max(last_hi, last_lo + 1), hi))
            ):
                windows[-1] = (last_lo, max(hi, last_hi))
                continue
            lo = max(lo, last_hi)
        windows.append((lo, hi))
    return windows


def gazetteer_tags(
    gazetteer: Gazetteer, tokens: list[str], folded: list[str], starts: list[bool]
) -> list[str]:
    """Per-token gazetteer evidence ("B-LOC1", "I-PER2", "" ...): type, position and source tier."""
    tags = [""] * len(tokens)
    for m in gazetteer.scan(tokens, folded, starts):
        label = f"{m.entity.type}{m.entity.tier}"
        tags[m.start] = "B-" + label
        for k in range(m.start + 1, m.end):
            tags[k] = "I-" + label
    return tags


def window_features(
    tokens: list[str], gaz: list[str], lo: int, hi: int, line_starts: list[bool] | None = None
) -> list[list[str]]:
    """CRF feature lists for tokens ``lo..hi-1``, with context taken from the whole token list."""
    n = len(tokens)
    out: list[list[str]] = []
    for i in range(lo, hi):
        tok = tokens[i]
        feats = list(word_features(tok))
        if i > 0:
            prev = tokens[i - 1]
            pf = fold(prev)
            feats.append("w-1=" + pf)
            feats.append("sh-1=" + shape(prev))
            if pf in TITLE_WORDS:
                feats.append("title-1")
            if i > 1:
                feats.append("w-2=" + fold(tokens[i - 2]))
        if i == 0 or tokens[i - 1] in SENTENCE_END or (line_starts is not None and line_starts[i]):
            feats.append("bos")
        if i + 1 < n:
            nxt = tokens[i + 1]
            feats.append("w+1=" + fold(nxt))
            feats.append("sh+1=" + shape(nxt))
            if i + 2 < n:
                feats.append("w+2=" + fold(tokens[i + 2]))
        else:
            feats.append("eos")
        g = gaz[i]
        if g:
            feats.append("gz=" + g)
            feats.append("gzt=" + g[2:5])
        if i > 0 and gaz[i - 1]:
            feats.append("gz-1=" + gaz[i - 1][:5])
        if i + 1 < n and gaz[i + 1]:
            feats.append("gz+1=" + gaz[i + 1][:5])
        out.append(feats)
    return out


def prepare(gazetteer: Gazetteer, tokens: list[str], lowercase: bool = False) -> tuple[list[str], list[str]]:
    """Folded tokens and gazetteer tags for a token list (gazetteer matches start on candidates only)."""
    folded = [fold(t) for t in tokens]
    starts = [True] * len(tokens) if lowercase else [is_candidate(t) for t in tokens]
    return folded, gazetteer_tags(gazetteer, tokens, folded, starts)
