"""Token features for the CRF tagger, and the candidate windows it is run on.

Shared by the trainer (``deploy/build/train_ner.py``) and run time, so both see identical features.
Speed matters (the whole enrichment has ~3 ms per 600-word article): features that depend only on
the word are cached per word type, and the tagger only sees windows around capitalised tokens.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from functools import lru_cache
from itertools import compress

from warta.enrichment.entities.gazetteer import Gazetteer, GazetteerMatch
from warta.enrichment.entities.titles import TITLE_WORDS
from warta.enrichment.entities.tokens import fold

SENTENCE_END = frozenset(".!?\"“”'‘’:;|–—-•*()[]")


# ASCII characters to their shape class; other ASCII characters stand for themselves.
_ASCII_SHAPE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "X" * 26 + "x" * 26 + "d" * 10
)
_RUNS = re.compile(r"(.)\1+", re.DOTALL)


@lru_cache(maxsize=20_000)
def _collapse_runs(classes: str) -> str:
    return _RUNS.sub(r"\1", classes)[:6]


@lru_cache(maxsize=100_000)
def shape(word: str) -> str:
    """Compressed word shape: "Zelenskyy" -> "Xx", "G7" -> "Xd", "KPK" -> "X", "30/11" -> "d/d"."""
    if word.isascii():
        # Same result as the loop below: map classes at C speed, then collapse runs (cached: many
        # words share a class string, "Xxxxx" for every five-letter capitalised word).
        return _collapse_runs(word.translate(_ASCII_SHAPE))
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


# Arabic articles written lower-case before a capitalised name: "al-Qaeda", "el-Sisi", "az-Zaman".
ARABIC_ARTICLES = frozenset({"al", "el", "ad", "an", "ar", "as", "at", "az"})


def is_candidate(token: str) -> bool:
    """Could this token be (part of) a name in cased text: capitalised, letters mixed with digits,
    or an Arabic article glued to a capitalised name ("al-Qaeda")."""
    first = token[0]
    if first.isupper():
        return True
    if len(token) > 3 and token[2] == "-":
        return token[3].isupper() and token[:2] in ARABIC_ARTICLES
    return first.isdigit() and any(ch.isalpha() for ch in token)


CONNECTOR_PUNCT = frozenset("-&'’.")


def candidate_windows(
    tokens: list[str],
    lowercase: bool = False,
    line_starts: list[bool] | None = None,
    candidates: list[bool] | None = None,
    context: int = 0,
) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` the tagger runs on: runs of candidate tokens (+- ``context``).

    Two candidates share a window when at most two tokens separate them and those are lower-case
    words or joining punctuation ("Bank of America", "Ursula von der Leyen", "Al - Zaman"). Windows
    never cross a line start (``line_starts[i]``: token i begins a new line). In lower-case text
    (``lowercase=True``) every alphanumeric token is a candidate; ``candidates`` may pass the
    per-token flags when the caller has them already. ``context`` widens each window by that many
    neighbouring tokens (worth ~2 F1 points on Indonesian news, nothing on English; costs time). Tagging only these tokens (not the whole
    text) is what keeps the CRF within the enrichment's time budget; their features still look at
    the neighbouring tokens.
    """
    if candidates is None:
        candidates = [t[0].isalnum() for t in tokens] if lowercase else [is_candidate(t) for t in tokens]
    windows: list[tuple[int, int]] = []
    n = len(tokens)
    for i in compress(range(n), candidates):
        if windows:
            last_lo, last_hi = windows[-1]
            gap = i - last_hi
            if gap == 0 and (line_starts is None or not line_starts[i]):
                windows[-1] = (last_lo, i + 1)
                continue
            if (
                0 < gap <= 2
                and all(
                    (tokens[k][0].islower() or tokens[k] in CONNECTOR_PUNCT)
                    and (line_starts is None or not line_starts[k])
                    for k in range(last_hi, i + 1)
                    if k < i
                )
                and (line_starts is None or not line_starts[i])
            ):
                windows[-1] = (last_lo, i + 1)
                continue
        windows.append((i, i + 1))
    if context:
        widened: list[tuple[int, int]] = []
        for lo, hi in windows:
            for _ in range(context):
                if (
                    lo > 0
                    and (line_starts is None or not line_starts[lo])
                    and (not widened or lo > widened[-1][1])
                ):
                    lo -= 1
                if hi < n and (line_starts is None or not line_starts[hi]):
                    hi += 1
            if widened and lo < widened[-1][1]:
                lo = widened[-1][1]
            if lo < hi:
                widened.append((lo, hi))
        windows = widened
    return windows


def gazetteer_tags(n_tokens: int, matches: list[GazetteerMatch]) -> list[str]:
    """Per-token gazetteer evidence ("B-LOC1", "I-PER2", "" ...): type, position and source tier."""
    tags = [""] * n_tokens
    for m in matches:
        label = f"{m.entity.type}{m.entity.tier}"
        tags[m.start] = "B-" + label
        for k in range(m.start + 1, m.end):
            tags[k] = "I-" + label
    return tags


def window_features(
    tokens: list[str],
    gaz: list[str],
    lo: int,
    hi: int,
    line_starts: list[bool] | None = None,
    clusters: dict[str, str] | None = None,
    folded: list[str] | None = None,
    lexicon: dict[str, tuple[str, ...]] | None = None,
    long_affixes: bool = False,
) -> list[list[str]]:
    """CRF feature lists for tokens ``lo..hi-1``, with context taken from the whole token list.

    Each token gets the features of its own word, of the words one and two to either side (in those
    roles: see ``word_role_features``), of its own and its neighbours' gazetteer tags, and "bos" /
    "eos" at a sentence start / the end of the text. ``clusters`` (folded word -> cluster id as a
    string, the English model only) adds the clusters of the word and its neighbours, so rare or
    unseen names share weight with the words they resemble; ``lexicon`` (folded word -> its
    word-list classes, see ``load_word_lexicon``) adds their word-list classes ("lx=fn": a known
    first name); ``long_affixes`` adds 4-letter prefixes and suffixes (``LONG_AFFIX_FAMILIES``).
    ``folded`` is accepted for compatibility and not needed.
    """
    del folded
    n = len(tokens)
    roles: dict[int, tuple[list[str], list[str], list[str], list[str], list[str]]] = {}

    def role(k: int) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
        found = roles.get(k)
        if found is None:
            found = roles[k] = word_role_features(tokens[k], clusters, lexicon, long_affixes)
        return found

    out: list[list[str]] = []
    for i in range(lo, hi):
        feats = list(role(i)[0])
        if i > 0:
            feats += role(i - 1)[1]
            if i > 1:
                feats += role(i - 2)[3]
            if tokens[i - 1] in SENTENCE_END or (line_starts is not None and line_starts[i]):
                feats.append("bos")
            if gaz[i - 1]:
                feats += gazetteer_role_features(gaz[i - 1])[1]
        else:
            feats.append("bos")
        if i + 1 < n:
            feats += role(i + 1)[2]
            if i + 2 < n:
                feats += role(i + 2)[4]
            if gaz[i + 1]:
                feats += gazetteer_role_features(gaz[i + 1])[2]
        else:
            feats.append("eos")
        if gaz[i]:
            feats += gazetteer_role_features(gaz[i])[0]
        out.append(feats)
    return out


def word_role_features(
    word: str,
    clusters: dict[str, str] | None = None,
    lexicon: dict[str, tuple[str, ...]] | None = None,
    long_affixes: bool = False,
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """The features ``window_features`` gives because of one word, by the word's role: on the word
    itself, on the word after it ("w-1=..."), on the word before it ("w+1=..."), two words after it
    ("w-2=...") and two words before it ("w+2=...")."""
    low = fold(word)
    sh = shape(word)
    own = ["w=" + low, "s3=" + low[-3:], "p3=" + low[:3], "sh=" + sh]
    if len(low) > 3:
        own.append("s2=" + low[-2:])
    if long_affixes and len(low) > 4:
        own += ["s4=" + low[-4:], "p4=" + low[:4]]
    prev = ["w-1=" + low, "sh-1=" + sh]
    if low in TITLE_WORDS:
        own.append("title")
        prev.append("title-1")
    nxt = ["w+1=" + low, "sh+1=" + sh]
    if clusters is not None:
        cluster = clusters.get(low, "-1")
        own.append("c=" + cluster)
        prev.append("c-1=" + cluster)
        nxt.append("c+1=" + cluster)
    if lexicon is not None:
        for c in lexicon.get(low, ()):
            own.append("lx=" + c)
            prev.append("lx-1=" + c)
            nxt.append("lx+1=" + c)
    prev2 = ["w-2=" + low]
    next2 = ["w+2=" + low]
    if clusters is not None:
        prev2.append("c-2=" + cluster)
        next2.append("c+2=" + cluster)
    return own, prev, nxt, prev2, next2


def gazetteer_role_features(tag: str) -> tuple[list[str], list[str], list[str]]:
    """The features ``window_features`` gives because of one token's gazetteer tag (non-empty), by
    role: on the token itself, on the token after it, on the token before it."""
    return ["gz=" + tag, "gzt=" + tag[2:5]], ["gz-1=" + tag[:5]], ["gz+1=" + tag[:5]]


_Bundle = tuple[
    tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...], bool
]


class WindowFeaturizer:
    """Run-time twin of :func:`window_features` for one CRF: the same features (as a multiset, and
    UTF-8 encoded), built from per-word-type bundles cached across articles, without attributes the
    model never saw.

    Every feature of a token except the gazetteer, ``bos`` and ``eos`` ones depends on one
    neighbouring word type alone ("w-1=", "sh+1=", "c+1=" ...), so each word type's contributions in
    each role are computed once and reused; an attribute absent from the model adds nothing to a CRF
    score (crfsuite drops it), so dropping it here changes no label and spares crfsuite the look-up.
    Features are handed over as ``bytes``: pycrfsuite then copies them instead of encoding each
    string on every call (~30 % of the tagging time). Safe to share between threads (the caches
    only ever gain complete entries).
    """

    def __init__(
        self,
        known: frozenset[str] | None,
        clusters: dict[str, str] | None = None,
        lexicon: dict[str, tuple[str, ...]] | None = None,
        long_affixes: bool = False,
    ) -> None:
        """``known``: the model's attributes (None keeps all); ``clusters``, ``lexicon`` and
        ``long_affixes`` as for window_features."""
        self.known = known
        self.clusters = clusters
        self.lexicon = lexicon
        self.long_affixes = long_affixes
        # word -> its features as the tagged word, as word i-1, as word i+1, as word i-2, as word i+2,
        # and whether it ends a sentence (then the word after it gets "bos")
        self._bundles: dict[str, _Bundle] = {}
        self._max_entries = 200_000
        # gazetteer tag -> its features on the tagged word, on the word after it, on the word before
        self._gaz: dict[str, tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]] = {
            "": ((), (), ())
        }
        self._bos = (b"bos",) if known is None or "bos" in known else ()
        self._eos = (b"eos",) if known is None or "eos" in known else ()

    def _keep(self, feats: list[str]) -> tuple[bytes, ...]:
        known = self.known
        return tuple([f.encode() for f in feats if known is None or f in known])

    def _keep_one(self, feat: str) -> tuple[bytes, ...]:
        return (feat.encode(),) if self.known is None or feat in self.known else ()

    def _bundle(self, word: str) -> _Bundle:
        # The strings word_features, _prev_features, _next_features, _prev2_feature and
        # _next2_feature make, built in one go: a new word type costs this once.
        own, prev, nxt, prev2, next2 = word_role_features(
            word, self.clusters, self.lexicon, self.long_affixes
        )
        bundle = (
            self._keep(own),
            self._keep(prev),
            self._keep(nxt),
            self._keep(prev2),
            self._keep(next2),
            word in SENTENCE_END,
        )
        if len(self._bundles) >= self._max_entries:
            self._bundles.clear()  # a bound on memory; the vocabulary of the next articles refills it
        self._bundles[word] = bundle
        return bundle

    def _gaz_features(self, tag: str) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]:
        own, after, before = gazetteer_role_features(tag)
        entry = (self._keep(own), self._keep(after), self._keep(before))
        self._gaz[tag] = entry
        return entry

    def window(
        self, tokens: list[str], gaz: list[str], lo: int, hi: int, line_starts: list[bool] | None = None
    ) -> list[list[bytes]]:
        """Feature lists for tokens ``lo..hi-1`` (context from the whole token list)."""
        n = len(tokens)
        base = lo - 2 if lo >= 2 else 0
        top = hi + 2 if hi + 2 <= n else n
        get = self._bundles.get
        bundles = [get(t) or self._bundle(t) for t in tokens[base:top]]
        get_gaz = self._gaz.get
        gaz_features = [get_gaz(g) or self._gaz_features(g) for g in gaz[base:top]]
        bos, eos = self._bos, self._eos
        out: list[list[bytes]] = []
        for i in range(lo, hi):
            k = i - base
            feats = list(bundles[k][0])
            if i > 0:
                before = bundles[k - 1]
                feats.extend(before[1])
                if i > 1:
                    feats.extend(bundles[k - 2][3])
                if before[5] or (line_starts is not None and line_starts[i]):
                    feats.extend(bos)
                feats.extend(gaz_features[k - 1][1])
            else:
                feats.extend(bos)
            if i + 1 < n:
                feats.extend(bundles[k + 1][2])
                if i + 2 < n:
                    feats.extend(bundles[k + 2][4])
                feats.extend(gaz_features[k + 1][2])
            else:
                feats.extend(eos)
            feats.extend(gaz_features[k][0])
            out.append(feats)
        return out


def prepare(gazetteer: Gazetteer, tokens: list[str], lowercase: bool = False) -> tuple[list[str], list[str]]:
    """Folded tokens and gazetteer tags for a token list (gazetteer matches start on candidates only)."""
    folded = [fold(t) for t in tokens]
    starts = [True] * len(tokens) if lowercase else [is_candidate(t) for t in tokens]
    return folded, gazetteer_tags(len(tokens), gazetteer.scan(tokens, folded, starts))


# Model families whose CRF has 4-letter prefix/suffix features (dev-measured: with them and the
# clusters of the words two away, UNER EWT 0.690 -> 0.703; the Indonesian model gained nothing).
LONG_AFFIX_FAMILIES = frozenset({"en"})

# Model families whose CRF uses word-cluster features (dev-measured: they help English; the
# Indonesian models are left as they were).
CLUSTER_FAMILIES = frozenset({"en"})


def word_clusters_path(model_dir: str | os.PathLike[str], family: str) -> str:
    """Where the word clusters of a model family live (next to its CRF)."""
    return os.path.join(model_dir, f"word_clusters_{family}.json.gz")


def load_word_clusters(model_dir: str | os.PathLike[str], family: str) -> dict[str, str] | None:
    """Folded word -> cluster id (as a string) for ``family``, or None when it uses no clusters.

    Raises FileNotFoundError when the family should have clusters but the file is missing (the CRF
    was trained with them; tagging without them would silently lose accuracy).
    """
    if family not in CLUSTER_FAMILIES:
        return None
    with gzip.open(word_clusters_path(model_dir, family), "rt", encoding="utf-8") as fh:
        clusters: dict[str, int] = json.load(fh)
    return {word: str(cluster) for word, cluster in clusters.items()}


# Model families whose CRF uses word-list features (first names, surnames, ordinary lower-case words).
LEXICON_FAMILIES = frozenset({"en"})


def word_lexicon_path(model_dir: str | os.PathLike[str], family: str) -> str:
    """Where the word lists of a model family live (next to its CRF)."""
    return os.path.join(model_dir, f"word_lexicon_{family}.json.gz")


def load_word_lexicon(model_dir: str | os.PathLike[str], family: str) -> dict[str, tuple[str, ...]] | None:
    """Folded word -> the sorted classes of the word lists holding it ("fn" given name, "ln" surname,
    "lc" ordinary lower-case word, "np" / "no" / "nl" word of person / organisation / place names,
    "ci" / "cm" one-word city name / word of a longer one, "st" US state name or code, "rg" / "rm"
    the same for provinces and states of every country), or None
    when ``family`` uses none. The file maps each class to its words (``train_ner.py`` writes it).

    Raises FileNotFoundError when the family should have the lists but the file is missing.
    """
    if family not in LEXICON_FAMILIES:
        return None
    with gzip.open(word_lexicon_path(model_dir, family), "rt", encoding="utf-8") as fh:
        lists: dict[str, list[str]] = json.load(fh)
    classes: dict[str, list[str]] = {}
    for cls in sorted(lists):
        for word in lists[cls]:
            classes.setdefault(word, []).append(cls)
    return {word: tuple(cs) for word, cs in classes.items()}


# Model families that skip a lone capitalised ordinary word at a sentence start (see load_plain_words).
PLAIN_WORD_FAMILIES = frozenset({"en", "id"})


def plain_words_path(model_dir: str | os.PathLike[str], family: str) -> str:
    """Where the plain-word list of a model family lives (next to its CRF)."""
    return os.path.join(model_dir, f"plain_words_{family}.json.gz")


def load_plain_words(model_dir: str | os.PathLike[str], family: str) -> frozenset[str]:
    """Folded words the family's training text writes in lower case and (almost) never inside a name
    ("if", "when", "pemerintah", "hasil"): capitalised alone at a sentence start, they are not sent to
    the tagger (it labels ~85 % of such windows O anyway, and they are ~25 % of all windows).
    Empty for families without a list; FileNotFoundError if the family should have one."""
    if family not in PLAIN_WORD_FAMILIES:
        return frozenset()
    with gzip.open(plain_words_path(model_dir, family), "rt", encoding="utf-8") as fh:
        words: list[str] = json.load(fh)
    return frozenset(words)


# Roles of a token in the span-type features (see ``span_type_features``).
SPAN_INSIDE, SPAN_FIRST, SPAN_LAST, SPAN_LEFT1, SPAN_LEFT2, SPAN_RIGHT1, SPAN_RIGHT2 = range(7)
SPAN_BEFORE_TEXT = "\x00<s>"  # stand-in for the missing words before / after the text
SPAN_AFTER_TEXT = "\x00</s>"


def span_role_features(
    token: str, role: int, clusters: dict[str, str] | None, lexicon: dict[str, tuple[str, ...]] | None
) -> list[str]:
    """The span-type features one token gives in one role (inside the span, its first or last word,
    one or two words to its left or right)."""
    if token in (SPAN_BEFORE_TEXT, SPAN_AFTER_TEXT):
        low = token[1:]
        classes: tuple[str, ...] = ()
    else:
        low = fold(token)
        classes = lexicon.get(low, ()) if lexicon is not None else ()
    cluster = clusters.get(low, "-1") if clusters is not None else "-1"
    if role == SPAN_INSIDE:
        return ["w=" + low, "sh=" + shape(token), "c=" + cluster, *["lx=" + c for c in classes]]
    if role == SPAN_FIRST:
        return ["first=" + low, "fs3=" + low[-3:], *["flx=" + c for c in classes]]
    if role == SPAN_LAST:
        return ["last=" + low, "ls3=" + low[-3:], "lc=" + cluster, *["llx=" + c for c in classes]]
    if role == SPAN_LEFT1:
        return ["l1=" + low, "lc1=" + cluster]
    if role == SPAN_RIGHT1:
        return ["r1=" + low, "rc1=" + cluster]
    return [("l2=" if role == SPAN_LEFT2 else "r2=") + low]


def span_context(tokens: list[str], s: int, e: int) -> tuple[str, str, str, str]:
    """The two tokens left and right of ``tokens[s:e]`` (stand-ins past the text's ends)."""
    n = len(tokens)
    return (
        tokens[s - 1] if s >= 1 else SPAN_BEFORE_TEXT,
        tokens[s - 2] if s >= 2 else SPAN_BEFORE_TEXT,
        tokens[e] if e < n else SPAN_AFTER_TEXT,
        tokens[e + 1] if e + 1 < n else SPAN_AFTER_TEXT,
    )


def span_gazetteer_features(gaz: list[str], s: int, e: int) -> list[str]:
    """Span-type features of the gazetteer tags over ``[s, e)`` and its length."""
    feats = ["bias", "len=" + str(min(e - s, 4))]
    feats += ["gz=" + g[2:] for g in gaz[s:e] if g]
    if gaz[s].startswith("B-") and (e == len(gaz) or not gaz[e].startswith("I-")):
        feats.append("gzfull=" + gaz[s][2:])
    return feats


def span_type_features(
    tokens: list[str],
    gaz: list[str],
    s: int,
    e: int,
    clusters: dict[str, str] | None = None,
    lexicon: dict[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """Features of the name ``tokens[s:e]`` for the span-type classifier (``SpanTyper``): its words,
    shapes, clusters and word-list classes, its first and last word, two words either side, its
    length and the gazetteer's view of it. Trained on the gold names of the training sets."""
    feats = span_gazetteer_features(gaz, s, e)
    for token in tokens[s:e]:
        feats += span_role_features(token, SPAN_INSIDE, clusters, lexicon)
    feats += span_role_features(tokens[s], SPAN_FIRST, clusters, lexicon)
    feats += span_role_features(tokens[e - 1], SPAN_LAST, clusters, lexicon)
    left1, left2, right1, right2 = span_context(tokens, s, e)
    for token, role in (
        (left1, SPAN_LEFT1),
        (left2, SPAN_LEFT2),
        (right1, SPAN_RIGHT1),
        (right2, SPAN_RIGHT2),
    ):
        feats += span_role_features(token, role, clusters, lexicon)
    return feats
