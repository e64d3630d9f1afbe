"""Tokenisation and alias keys shared by the gazetteer builder, the tagger and its trainer.

One tokeniser everywhere matters: a gazetteer alias only matches if the text is cut into the same
tokens at run time as the alias was cut at build time.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

# A token is a run of letters/digits with inner hyphens or dots ("Bistrița-Năsăud", "U.S.") or an inner
# apostrophe followed by 2+ letters ("Ma'ruf", "O'Brien" but "Biden" + "'s"), or a single other
# non-space character (punctuation is kept: it marks sentence and name ends).
_WORD = r"[\p{L}\p{N}\p{M}]+(?:[-.&][\p{L}\p{N}\p{M}]+|['’][\p{L}\p{N}\p{M}]{2,})*"
TOKEN_RE = regex.compile(_WORD + r"\.?(?<=\b[\p{Lu}]\.)|" + _WORD + r"|\S")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Split ``text`` into ``(token, start, end)`` triples with character offsets into ``text``."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


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
