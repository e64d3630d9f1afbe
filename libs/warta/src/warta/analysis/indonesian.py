"""Indonesian (and Malay) stemming with Sastrawi's dictionary-based stemmer.

Snowball's Indonesian stemmer strips affixes by rule alone and damages common news words
(``menteri`` → ``teri``, ``mengatakan`` → ``ata``, ``bertemu`` → ``berte``), which makes a search for
"menteri" match "teri" (anchovies). Sastrawi removes an affix only when what remains is in its
29,932-word root dictionary (shipped inside the PySastrawi wheel), so ``menteri``, ``mengatakan``
and ``bertemu`` stem to ``menteri``, ``kata`` and ``temu``.

Speed. Every word a running enricher has not met yet goes through Sastrawi, and a stream brings
new words (names above all) in every article. PySastrawi's ``Context`` offers a word to all 41
prefix rules one after another (each an ``re.match`` on a pattern string, ~0.18 ms a word in all);
:class:`_GatedSastrawi` runs the same algorithm - Sastrawi's own ``Context`` steps, rule objects and
dictionary - but offers a word only to the rules whose pattern can match its first letters (a rule
whose literal prefix the word lacks returns ``None``, which Sastrawi treats as "no change"). Same
stems, several times faster; pinned against PySastrawi by tests/unit/analysis/test_indonesian.py.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_stemmer = None


def _get():  # type: ignore[no-untyped-def]
    global _stemmer
    if _stemmer is None:
        _stemmer = StemmerFactory().create_stemmer(isDev=False)
    return _stemmer


def sastrawi_reference_stem(word: str) -> str:
    """PySastrawi itself (slow): the reference :func:`sastrawi_stem` must agree with."""
    if not word.isalpha():  # digits, apostrophes: Sastrawi would split or strip them
        return word
    root = _get().stem(word)
    return root if root and " " not in root else word


# Which first letters each of Sastrawi's prefix rules needs (from the rule's ``re.match`` pattern,
# e.g. DisambiguatorPrefixRule17a ``^meng([aiueo])(.*)$`` needs "meng"): a word without them gets
# ``None`` from the rule. Literal prefixes are cut to 4 letters so that a word's rule list depends
# on ``word[:4]`` only (memoised). ``("infix", "er")``: ``word[1:3] == "er"`` (the CS infix rules
# 37-40, ``^([consonant])(er[aiueo])...``).
_RULE_GATES: dict[str, tuple[str, ...] | tuple[str, str]] = {
    "DisambiguatorPrefixRule1a": ("ber",),
    "DisambiguatorPrefixRule1b": ("ber",),
    "DisambiguatorPrefixRule2": ("ber",),
    "DisambiguatorPrefixRule3": ("ber",),  # pattern lacks "^" but re.match anchors it
    "DisambiguatorPrefixRule4": ("bela",),  # word == "belajar"
    "DisambiguatorPrefixRule5": ("be",),
    "DisambiguatorPrefixRule6a": ("ter",),
    "DisambiguatorPrefixRule6b": ("ter",),
    "DisambiguatorPrefixRule7": ("ter",),
    "DisambiguatorPrefixRule8": ("ter",),
    "DisambiguatorPrefixRule9": ("te",),
    "DisambiguatorPrefixRule10": ("mel", "mer", "mew", "mey"),
    "DisambiguatorPrefixRule11": ("memb", "memf", "memv"),
    "DisambiguatorPrefixRule12": ("memp",),  # ^mempe
    "DisambiguatorPrefixRule13a": ("mema", "memi", "memu", "meme", "memo"),
    "DisambiguatorPrefixRule13b": ("mema", "memi", "memu", "meme", "memo"),
    "DisambiguatorPrefixRule14": ("menc", "mend", "menj", "mens", "ment", "menz"),
    "DisambiguatorPrefixRule15a": ("mena", "meni", "menu", "mene", "meno"),
    "DisambiguatorPrefixRule15b": ("mena", "meni", "menu", "mene", "meno"),
    "DisambiguatorPrefixRule16": ("meng",),
    "DisambiguatorPrefixRule17a": ("meng",),
    "DisambiguatorPrefixRule17b": ("meng",),
    "DisambiguatorPrefixRule17c": ("meng",),  # ^menge
    "DisambiguatorPrefixRule17d": ("meng",),
    "DisambiguatorPrefixRule18a": ("meny",),
    "DisambiguatorPrefixRule18b": ("meny",),
    "DisambiguatorPrefixRule19": ("memp",),
    "DisambiguatorPrefixRule20": ("pew", "pey"),
    "DisambiguatorPrefixRule21a": ("per",),
    "DisambiguatorPrefixRule21b": ("per",),
    "DisambiguatorPrefixRule23": ("per",),
    "DisambiguatorPrefixRule24": ("per",),
    "DisambiguatorPrefixRule25": ("pemb", "pemf", "pemv"),
    "DisambiguatorPrefixRule26a": ("pema", "pemi", "pemu", "peme", "pemo"),
    "DisambiguatorPrefixRule26b": ("pema", "pemi", "pemu", "peme", "pemo"),
    "DisambiguatorPrefixRule27": ("penc", "pend", "penj", "pens", "pent", "penz"),
    "DisambiguatorPrefixRule28a": ("pena", "peni", "penu", "pene", "peno"),
    "DisambiguatorPrefixRule28b": ("pena", "peni", "penu", "pene", "peno"),
    "DisambiguatorPrefixRule29": ("peng",),
    "DisambiguatorPrefixRule30a": ("peng",),
    "DisambiguatorPrefixRule30b": ("peng",),
    "DisambiguatorPrefixRule30c": ("peng",),  # ^penge
    "DisambiguatorPrefixRule31a": ("peny",),
    "DisambiguatorPrefixRule31b": ("peny",),
    "DisambiguatorPrefixRule32": ("pel",),
    "DisambiguatorPrefixRule34": ("pe",),
    "DisambiguatorPrefixRule35": ("ter",),
    "DisambiguatorPrefixRule36": ("pe",),
    "DisambiguatorPrefixRule37a": ("infix", "er"),
    "DisambiguatorPrefixRule37b": ("infix", "er"),
    "DisambiguatorPrefixRule38a": ("infix", "el"),
    "DisambiguatorPrefixRule38b": ("infix", "el"),
    "DisambiguatorPrefixRule39a": ("infix", "em"),
    "DisambiguatorPrefixRule39b": ("infix", "em"),
    "DisambiguatorPrefixRule40a": ("infix", "in"),
    "DisambiguatorPrefixRule40b": ("infix", "in"),
    "DisambiguatorPrefixRule41": ("ku",),
    "DisambiguatorPrefixRule42": ("kau",),
}
_PLAIN_PREFIXES = ("di", "ke", "se")  # RemovePlainPrefix: ^(di|ke|se)


def rule_may_match(rule_name: str, word: str) -> bool:
    """Whether Sastrawi's prefix rule ``rule_name`` can return something for ``word`` (a
    necessary condition read off the rule's pattern; False means the rule returns ``None``)."""
    gate = _RULE_GATES[rule_name]
    if gate[0] == "infix":
        return word[1:3] == gate[1]
    return word.startswith(gate)


# Sastrawi's suffix visitors in order (affix types P, PP, DS) and its confix-stripping precedence
# test (PrecedenceAdjustmentSpecification), as compiled patterns; same expressions.
# Each with the endings it can remove: a word with none of them is left unchanged (our words have
# no hyphen, so "-*" matches nothing), which str.endswith tells without running the pattern.
_SUFFIX_RULES = (
    ("P", ("lah", "kah", "tah", "pun"), re.compile(r"-*(lah|kah|tah|pun)$")),
    ("PP", ("ku", "mu", "nya"), re.compile(r"-*(ku|mu|nya)$")),
    ("DS", ("is", "isme", "isasi", "i", "kan", "an"), re.compile(r"(is|isme|isasi|i|kan|an)$")),
)
_PREFIX_FIRST = re.compile(r"^(?:be.*lah|be.*an|me.*i|di.*i|pe.*i|ter.*i)$")
_SUFFIX_TYPES = frozenset({"DS", "PP", "P"})
_ASCII_WORD = re.compile(r"[a-z]+")

# A removal, as Sastrawi's Removal object: (subject, result, removed part, affix type).
_Removal = tuple[str, str, str, str]


class _GatedSastrawi:
    """Sastrawi's ``Stemmer.stem_singular_word`` (ECS: Context.execute) for ``[a-z]+`` words, with
    each prefix pass offered only to the rules :func:`rule_may_match`. The control flow mirrors
    ``Sastrawi.Stemmer.Context.Context`` method for method so the two can be compared line by line."""

    def __init__(self) -> None:
        inner = _get().delegatedStemmer
        self.words = frozenset(inner.dictionary.words)
        visitors = inner.visitor_provider.get_prefix_visitors()
        # Index 0 is RemovePlainPrefix; the others are PrefixDisambiguators (lists of rules).
        self.rules: list[list[Any]] = [[]] + [list(v.disambiguators) for v in visitors[1:]]
        # First letters -> prefix visitors whose gate they open (gates are prefixes of 2-4 letters
        # or a 2-letter infix after the first letter), so a word's candidates are 4 look-ups.
        self._by_prefix: dict[str, set[int]] = {}
        self._by_infix: dict[str, set[int]] = {}
        for prefix in _PLAIN_PREFIXES:
            self._by_prefix.setdefault(prefix, set()).add(0)
        for i, rules in enumerate(self.rules[1:], start=1):
            for rule in rules:
                gate = _RULE_GATES[type(rule).__name__]
                if gate[0] == "infix":
                    self._by_infix.setdefault(gate[1], set()).add(i)
                else:
                    for prefix in gate:
                        self._by_prefix.setdefault(prefix, set()).add(i)
        self._candidates: dict[str, tuple[int, ...]] = {}

    def candidates(self, word: str) -> tuple[int, ...]:
        """Indices of the prefix visitors that may change ``word`` (depends on ``word[:4]``), in
        Sastrawi's order."""
        key = word[:4]
        found = self._candidates.get(key)
        if found is None:
            by_prefix = self._by_prefix
            empty: set[int] = set()
            found = tuple(
                sorted(
                    by_prefix.get(key[:2], empty)
                    | by_prefix.get(key[:3], empty)
                    | by_prefix.get(key, empty)
                    | self._by_infix.get(key[1:3], empty)
                )
            )
            if len(self._candidates) > 100_000:
                self._candidates.clear()
            self._candidates[key] = found
        return found

    def stem(self, word: str) -> str:
        return _Context(self, word).execute()


class _Context:
    __slots__ = ("stemmer", "words", "original", "current", "removals", "stopped")

    def __init__(self, stemmer: _GatedSastrawi, word: str) -> None:
        self.stemmer = stemmer
        self.words = stemmer.words
        self.original = word
        self.current = word
        self.removals: list[_Removal] = []
        self.stopped = False

    def execute(self) -> str:
        self.start_stemming_process()
        return self.current if self.current in self.words else self.original

    def start_stemming_process(self) -> None:
        words = self.words
        if self.current in words:
            return
        # The one general visitor, DontStemShortWord: it only raises the stop flag.
        if len(self.current) <= 3:
            self.stopped = True
        if self.current in words:
            return
        if _PREFIX_FIRST.match(self.original):
            self.remove_prefixes()
            if self.current in words:
                return
            self.remove_suffixes()
            if self.current in words:
                return
            self.current = self.original
            self.removals = []
        self.remove_suffixes()
        if self.current in words:
            return
        self.remove_prefixes()
        if self.current in words:
            return
        self.loop_pengembalian_akhiran()

    def remove_prefixes(self) -> None:
        for _ in range(3):
            if not self.stemmer.candidates(self.current):
                return  # this pass and the next ones would change nothing
            self.accept_prefix_visitors()
            if self.current in self.words:
                return

    def remove_suffixes(self) -> None:
        for affix_type, endings, pattern in _SUFFIX_RULES:
            word = self.current
            result = pattern.sub("", word, count=1) if word.endswith(endings) else word
            if result != word:
                # Sastrawi: re.sub(result, '', word, count=1); result is [a-z]*, so a literal.
                self.removals.append((word, result, word.replace(result, "", 1), affix_type))
                self.current = result
            if self.current in self.words or self.stopped:
                return

    def accept_prefix_visitors(self) -> None:
        count = len(self.removals)
        previous = -1
        for i in self.stemmer.candidates(self.current):
            # Sastrawi visits the skipped rules too: each is a no-op, after which it stops the pass
            # when the word is in the dictionary or the process was stopped.
            if i != previous + 1 and (self.current in self.words or self.stopped):
                return
            self.visit_prefix(i)
            if self.current in self.words or self.stopped or len(self.removals) > count:
                return
            previous = i

    def visit_prefix(self, index: int) -> None:
        word = self.current
        if index == 0:  # RemovePlainPrefix
            result = word[2:] if word.startswith(_PLAIN_PREFIXES) else word
            if result != word:
                self.removals.append((word, result, "", "DP"))
                self.current = result
            return
        found = None
        for rule in self.stemmer.rules[index]:
            found = rule.disambiguate(word)
            if found in self.words:
                break
        if found is None:
            return
        self.removals.append((word, found, "", "DP"))  # removed part of a prefix is never read
        self.current = found

    def loop_pengembalian_akhiran(self) -> None:
        self.restore_prefix()
        removals = list(self.removals)
        current_word = self.current
        for subject, result, removed, affix_type in reversed(removals):
            if affix_type not in _SUFFIX_TYPES:
                continue
            if removed == "kan":
                self.current = result + "k"
                self.remove_prefixes()
                if self.current in self.words:
                    return
                self.current = result + "kan"
            else:
                self.current = subject
            self.remove_prefixes()
            if self.current in self.words:
                return
            self.removals = removals
            self.current = current_word

    def restore_prefix(self) -> None:
        if self.removals:
            self.current = self.removals[0][0]
        self.removals[:] = [r for r in self.removals if r[3] != "DP"]


@cache
def _gated() -> _GatedSastrawi:
    return _GatedSastrawi()


def sastrawi_stem(word: str) -> str:
    """Sastrawi's root of one folded token (the token itself when in doubt); no table, no cache."""
    if _ASCII_WORD.fullmatch(word):
        return _gated().stem(word)
    return sastrawi_reference_stem(word)  # other letters: Sastrawi's own text normalisation


@cache
def _table() -> dict[str, str]:
    """Precomputed Sastrawi stems of frequent forms (deploy/build/build_id_stems.py)."""
    path = resources.files("warta.data").joinpath("id_stems.json.gz")
    try:
        return json.loads(gzip.decompress(path.read_bytes()))  # type: ignore[no-any-return]
    except FileNotFoundError:
        return {}


def stem_id(word: str) -> str:
    """The root of one already-folded Indonesian/Malay token (the token itself when in doubt).
    Not memoised here: the analyser memoises every stemmer's answers (``_stem_cached``)."""
    known = _table().get(word)
    if known is None:
        return sastrawi_stem(word)
    return known or word


class SastrawiStemmer:
    """Adapter with the ``stemWord`` interface of the Snowball stemmers."""

    def stemWord(self, word: str) -> str:  # noqa: N802 - PyStemmer's method name
        return stem_id(word)
