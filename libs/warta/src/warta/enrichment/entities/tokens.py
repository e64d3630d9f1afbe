"""Tokenisation and alias keys shared by the gazetteer builder, the tagger and its trainer.

One tokeniser everywhere matters: a gazetteer alias only matches if the text is cut into the same
tokens at run time as the alias was cut at build time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import add

# A token is a run of letters/digits with inner hyphens or dots ("Bistrița-Năsăud", "U.S.") or an inner
# apostrophe followed by 2+ letters ("Ma'ruf", "O'Brien" but "Biden" + "'s"), or a single other
# non-space character (punctuation is kept: it marks sentence and name ends).
# Standard-library ``re`` (Unicode-aware ``[^\W_]``) is ~2x faster than ``regex`` here, and this runs
# on every article. Abbreviations with dots come first so that "A.S." keeps its final dot.
_WORD = r"[^\W_]+(?:[-.&][^\W_]+|['’][^\W_]{2,})*"
TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|" + _WORD + r"|\S")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Split ``text`` into ``(token, start, end)`` triples with character offsets into ``text``."""
    tokens, starts, ends = tokenize_columns(text)
    return list(zip(tokens, starts, ends, strict=True))


def tokenize_columns(text: str) -> tuple[list[str], list[int], list[int]]:
    """Tokens, start offsets and end offsets of ``text`` as three parallel lists (the fast path)."""
    tokens: list[str] = []
    starts: list[int] = []
    add_token = tokens.append
    add_start = starts.append
    find = text.find
    pieces_of = _CHUNK_TOKENS.get
    pos = 0
    for chunk in text.split():
        # Most whitespace-separated chunks are plain words, which are exactly one token.
        if chunk.isalnum():
            pos = find(chunk, pos)
            add_token(chunk)
            add_start(pos)
            pos += len(chunk)
            continue
        # Others ("Jakarta,", "(ANTARA)") recur across articles: their cut is cached.
        pieces = pieces_of(chunk)
        if pieces is None:
            pieces = tuple(TOKEN_RE.findall(chunk))
            if len(_CHUNK_TOKENS) >= _MAX_CHUNKS:
                _CHUNK_TOKENS.clear()
            _CHUNK_TOKENS[chunk] = pieces
        for tok in pieces:
            pos = find(tok, pos)
            add_token(tok)
            add_start(pos)
            pos += len(tok)
    return tokens, starts, list(map(add, starts, map(len, tokens)))


_CHUNK_TOKENS: dict[str, tuple[str, ...]] = {}
_MAX_CHUNKS = 100_000


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """Case- and accent-folded form of one token, used as the gazetteer key ("Bucureşti" -> "bucuresti")."""
    folded = token.casefold().replace("’", "'")
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def alias_key(tokens: list[str] | tuple[str, ...]) -> str:
    """Gazetteer key of a token sequence: folded tokens joined by single spaces."""
    return " ".join(fold(t) for t in tokens)


def text_key(text: str) -> str:
    """Gazetteer key of a free-text name, tokenised like article text."""
    return alias_key([t for t, _, _ in tokenize(text)])
