"""Indonesian (and Malay) stemming with Sastrawi's dictionary-based stemmer.

Snowball's Indonesian stemmer strips affixes by rule alone and damages common news words
(``menteri`` → ``teri``, ``mengatakan`` → ``ata``, ``bertemu`` → ``berte``), which makes a search for
"menteri" match "teri" (anchovies). Sastrawi removes an affix only when what remains is in its
29,932-word root dictionary (shipped inside the PySastrawi wheel), so ``menteri``, ``mengatakan``
and ``bertemu`` stem to ``menteri``, ``kata`` and ``temu``.
"""

from __future__ import annotations

import gzip
import json
from functools import cache, lru_cache
from importlib import resources

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_stemmer = None


def _get():  # type: ignore[no-untyped-def]
    global _stemmer
    if _stemmer is None:
        _stemmer = StemmerFactory().create_stemmer(isDev=False)
    return _stemmer


def sastrawi_stem(word: str) -> str:
    """Sastrawi's root of one folded token (the token itself when in doubt); no table, no cache."""
    if not word.isalpha():  # digits, apostrophes: Sastrawi would split or strip them
        return word
    root = _get().stem(word)
    return root if root and " " not in root else word


@cache
def _table() -> dict[str, str]:
    """Precomputed Sastrawi stems of frequent forms (deploy/build/build_id_stems.py)."""
    path = resources.files("warta.data").joinpath("id_stems.json.gz")
    try:
        return json.loads(gzip.decompress(path.read_bytes()))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return {}


@lru_cache(maxsize=200_000)
def stem_id(word: str) -> str:
    """The root of one already-folded Indonesian/Malay token (the token itself when in doubt)."""
    known = _table().get(word)
    if known is None:
        return sastrawi_stem(word)
    return known or word


class SastrawiStemmer:
    """Adapter with the ``stemWord`` interface of the Snowball stemmers."""

    def stemWord(self, word: str) -> str:  # noqa: N802 - PyStemmer's method name
        return stem_id(word)
