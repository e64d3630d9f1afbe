"""Indonesian (and Malay) stemming with Sastrawi's dictionary-based stemmer.

Snowball's Indonesian stemmer strips affixes by rule alone and damages common news words
(``menteri`` → ``teri``, ``mengatakan`` → ``ata``, ``bertemu`` → ``berte``), which makes a search for
"menteri" match "teri" (anchovies). Sastrawi removes an affix only when what remains is in its
29,932-word root dictionary (shipped inside the PySastrawi wheel), so ``menteri``, ``mengatakan``
and ``bertemu`` stem to ``menteri``, ``kata`` and ``temu``.
"""

from __future__ import annotations

from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_stemmer = None


def _get():  # type: ignore[no-untyped-def]
    global _stemmer
    if _stemmer is None:
        _stemmer = StemmerFactory().create_stemmer(isDev=False)
    return _stemmer


@lru_cache(maxsize=200_000)
def stem_id(word: str) -> str:
    """The root of one already-folded Indonesian/Malay token (the token itself when in doubt)."""
    if not word.isalpha():  # digits, apostrophes: Sastrawi would split or strip them
        return word
    root = _get().stem(word)
    return root if root and " " not in root else word


class SastrawiStemmer:
    """Adapter with the ``stemWord`` interface of the Snowball stemmers."""

    def stemWord(self, word: str) -> str:  # noqa: N802 - PyStemmer's method name
        return stem_id(word)
