"""Viterbi tagging of candidate windows straight from a crfsuite model's weights, with numpy.

Same labels as ``pycrfsuite.Tagger.tag`` on ``window_features`` (a linear-chain CRF's best path:
state weights of the token's attributes plus label-transition weights, no start/end weights), but
cheaper per article: every feature of a token comes from one neighbouring word type in one role
("w-1=", "sh+1=", "c+1=" ...) or from one neighbour's gazetteer tag, so each word type's summed
weights per role are computed once (a row of label scores) and a token's scores are five row
look-ups plus the gazetteer and sentence-start rows, gathered for all windows of a text at once. The
windows are then decoded together, one token position at a time. Building feature strings and
handing them to crfsuite for every token was ~40 % of the extraction time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pycrfsuite

from warta.enrichment.entities.features import (
    SENTENCE_END,
    SPAN_AFTER_TEXT,
    SPAN_BEFORE_TEXT,
    SPAN_FIRST,
    SPAN_INSIDE,
    SPAN_LAST,
    SPAN_LEFT1,
    SPAN_LEFT2,
    SPAN_RIGHT1,
    SPAN_RIGHT2,
    gazetteer_role_features,
    span_gazetteer_features,
    span_role_features,
    word_role_features,
)

# Word rows 0 and 1 stand for the missing words before and after the text: nothing but "bos" for the
# first token (the word before "ends a sentence") and "eos" for the last one.
_BEFORE_TEXT = 0
_AFTER_TEXT = 1
# Their keys in the word table (no token of a text contains a NUL character next to these letters).
_BEFORE_WORD = "\x00before-text"
_AFTER_WORD = "\x00after-text"
# Roles of a word's row in ``WindowScorer._words``.
_OWN, _PREV, _NEXT, _PREV2, _NEXT2 = range(5)
# Roles of a gazetteer tag's row in ``WindowScorer._gaz``: on its token, on the token after, before.
_GAZ_OWN, _GAZ_AFTER, _GAZ_BEFORE = range(3)
_MAX_WORDS = 100_000  # word types kept before the table starts afresh (bounds memory: ~30-40 MB)


class WindowScorer:
    """Tags the candidate windows of a text with one crfsuite model (see module docstring).

    Safe to share between threads: tables only grow, under a lock, and each call reads a consistent
    snapshot of them.
    """

    def __init__(
        self,
        tagger: pycrfsuite.Tagger,
        clusters: dict[str, str] | None = None,
        lexicon: dict[str, tuple[str, ...]] | None = None,
        long_affixes: bool = False,
    ) -> None:
        """``tagger``: the opened model; ``clusters``, ``lexicon``, ``long_affixes``: as the model was
        trained with (see ``window_features``)."""
        self.labels: list[str] = list(tagger.labels())
        self.outside = self.labels.index("O")
        n_labels = len(self.labels)
        index = {label: i for i, label in enumerate(self.labels)}
        info = tagger.info()
        # Attribute -> row of label weights (attributes the model has no weight for are absent).
        attr_index: dict[str, int] = {}
        entries: list[tuple[int, int, float]] = []
        for (attr, label), weight in info.state_features.items():
            entries.append((attr_index.setdefault(attr, len(attr_index)), index[label], weight))
        weights = np.zeros((len(attr_index) + 1, n_labels))  # last row: "no attribute", all zeros
        for row, column, weight in entries:
            weights[row, column] += weight
        self._attr_index = attr_index
        self._weights = weights
        self._zero = np.zeros(n_labels)
        transitions = np.zeros((n_labels, n_labels))
        for (src, dst), weight in info.transitions.items():
            transitions[index[src], index[dst]] = weight
        self._transitions = transitions
        self._bos = self._sum(["bos"])
        self._eos = self._sum(["eos"])
        self.clusters = clusters
        self.lexicon = lexicon
        self.long_affixes = long_affixes
        self._lock = threading.Lock()
        self._reset_words()
        self._gaz_ids: dict[str, int] = {"": 0}
        self._gaz = np.zeros((3, 16, n_labels))

    def _sum(self, attrs: Sequence[str]) -> np.ndarray:
        get = self._attr_index.get
        rows = [k for k in map(get, attrs) if k is not None]
        return self._weights[rows].sum(axis=0) if rows else self._zero.copy()

    def _reset_words(self) -> None:
        n_labels = len(self.labels)
        self._word_ids: dict[str, int] = {_BEFORE_WORD: _BEFORE_TEXT, _AFTER_WORD: _AFTER_TEXT}
        self._words = np.zeros((5, 4096, n_labels))
        self._ends_sentence = np.zeros(4096, dtype=bool)
        self._ends_sentence[_BEFORE_TEXT] = True
        self._words[_NEXT, _AFTER_TEXT] = self._eos
        self._n_words = 2

    def _add_words(self, words: set[str]) -> None:
        # Caller holds the lock.
        words = {w for w in words if w not in self._word_ids}
        if self._n_words + len(words) > _MAX_WORDS:
            self._reset_words()
        need = self._n_words + len(words)
        if need > self._words.shape[1]:
            size = max(need, 2 * self._words.shape[1])
            grown = np.zeros((5, size, len(self.labels)))
            grown[:, : self._n_words] = self._words[:, : self._n_words]
            ends = np.zeros(size, dtype=bool)
            ends[: self._n_words] = self._ends_sentence[: self._n_words]
            self._words, self._ends_sentence = grown, ends
        table, ends, row = self._words, self._ends_sentence, self._n_words
        # All new words at once: each (role, word row) gets the sum of its known attributes' rows,
        # summed by one reduceat over the attributes laid out segment by segment.
        get = self._attr_index.get
        seg_roles: list[int] = []
        seg_rows: list[int] = []
        seg_starts: list[int] = []
        attrs: list[int] = []
        for word in words:
            own, prev, nxt, prev2, next2 = word_role_features(
                word, self.clusters, self.lexicon, self.long_affixes
            )
            for role, feats in (
                (_OWN, own),
                (_PREV, prev),
                (_NEXT, nxt),
                (_PREV2, prev2),
                (_NEXT2, next2),
            ):
                known = [k for k in map(get, feats) if k is not None]
                if known:
                    seg_roles.append(role)
                    seg_rows.append(row)
                    seg_starts.append(len(attrs))
                    attrs += known
            ends[row] = word in SENTENCE_END
            self._word_ids[word] = row
            row += 1
        if attrs:
            table[seg_roles, seg_rows] = np.add.reduceat(self._weights[attrs], seg_starts, axis=0)
        self._n_words = row

    def _add_gaz(self, tags: set[str]) -> None:
        # Caller holds the lock.
        for tag in tags:
            if tag in self._gaz_ids:
                continue
            row = len(self._gaz_ids)
            if row >= self._gaz.shape[1]:
                grown = np.zeros((3, 2 * row, len(self.labels)))
                grown[:, :row] = self._gaz[:, :row]
                self._gaz = grown
            own, after, before = gazetteer_role_features(tag)
            self._gaz[_GAZ_OWN, row] = self._sum(own)
            self._gaz[_GAZ_AFTER, row] = self._sum(after)
            self._gaz[_GAZ_BEFORE, row] = self._sum(before)
            self._gaz_ids[tag] = row

    def _rows(
        self, words: list[str], tags: list[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Word and gazetteer-tag rows of ``words`` / ``tags``, with the tables they index (a
        consistent snapshot: growth replaces the arrays and never changes rows handed out)."""
        with self._lock:
            ids = list(map(self._word_ids.get, words))
            if None in ids:
                self._add_words({w for w, i in zip(words, ids, strict=True) if i is None})
                ids = list(map(self._word_ids.get, words))
                if None in ids:  # the table started afresh: resolve every word again
                    self._add_words(set(words))
                    ids = list(map(self._word_ids.get, words))
            gaz_ids = list(map(self._gaz_ids.get, tags))
            if None in gaz_ids:
                self._add_gaz({g for g, i in zip(tags, gaz_ids, strict=True) if i is None})
                gaz_ids = list(map(self._gaz_ids.get, tags))
            return np.array(ids), np.array(gaz_ids), self._words, self._ends_sentence, self._gaz

    def tag_windows(
        self, tokens: list[str], gaz: list[str], windows: list[tuple[int, int]], line_starts: list[bool]
    ) -> list[list[str]]:
        """Labels of each window ``[lo, hi)`` of ``tokens`` (BIO over the model's types), as
        ``pycrfsuite.Tagger.tag(window_features(tokens, gaz, lo, hi, line_starts, ...))`` gives them."""
        if not windows:
            return []
        # Every window with the two tokens either side its features look at, the text padded with
        # stand-ins past its ends; windows laid end to end.
        padded_tokens = [_BEFORE_WORD, _BEFORE_WORD, *tokens, _AFTER_WORD, _AFTER_WORD]
        padded_gaz = ["", "", *gaz, "", ""]
        words: list[str] = []
        tags: list[str] = []
        core: list[int] = []  # where each window's own tokens sit in ``words``
        starts_line: list[bool] = []
        lengths: list[int] = []
        for lo, hi in windows:
            first = len(words) + 2
            words += padded_tokens[lo : hi + 4]
            tags += padded_gaz[lo : hi + 4]
            core += range(first, first + hi - lo)
            starts_line += line_starts[lo:hi]
            lengths.append(hi - lo)
        ids, gaz_ids, table, ends, gaz_table = self._rows(words, tags)
        at = np.array(core)
        before = ids[at - 1]
        scores = (
            table[_OWN, ids[at]]
            + table[_PREV, before]
            + table[_PREV2, ids[at - 2]]
            + table[_NEXT, ids[at + 1]]
            + table[_NEXT2, ids[at + 2]]
            + gaz_table[_GAZ_OWN, gaz_ids[at]]
            + gaz_table[_GAZ_AFTER, gaz_ids[at - 1]]
            + gaz_table[_GAZ_BEFORE, gaz_ids[at + 1]]
        )
        scores[ends[before] | np.array(starts_line, dtype=bool)] += self._bos
        paths = self._viterbi(scores, np.array(lengths))
        labels = self.labels
        return [[labels[k] for k in path] for path in paths]

    def _viterbi(self, scores: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
        """Best label paths of the windows whose token scores are stacked in ``scores``, all windows
        advanced together one position at a time (first best on ties, as crfsuite)."""
        n_windows = len(lengths)
        longest = int(lengths.max())
        if longest == 1:
            return [[k] for k in scores.argmax(axis=1).tolist()]
        n_labels = scores.shape[1]
        # Longest windows first, so the windows still running at position t are a prefix.
        order = np.argsort(-lengths, kind="stable")
        sorted_lengths = lengths[order]
        # running[t]: how many windows are longer than t (still running at position t).
        running = np.searchsorted(-sorted_lengths, -np.arange(longest), side="left").tolist()
        offsets = np.zeros(n_windows, dtype=np.int64)
        np.cumsum(lengths[:-1], out=offsets[1:])
        grid = np.zeros((longest, n_windows, n_labels))
        rank = np.empty(n_windows, dtype=np.int64)
        rank[order] = np.arange(n_windows)
        window_of = np.repeat(np.arange(n_windows), lengths)
        grid[np.arange(len(scores)) - offsets[window_of], rank[window_of]] = scores
        deltas = np.zeros((longest, n_windows, n_labels))
        back = np.zeros((longest, n_windows, n_labels), dtype=np.int64)
        deltas[0] = grid[0]
        into = self._transitions.T  # [to, from]
        for t in range(1, longest):
            k = running[t]
            cand = deltas[t - 1, :k, None, :] + into  # [window, to, from]
            back[t, :k] = cand.argmax(axis=2)
            np.add(cand.max(axis=2), grid[t, :k], out=deltas[t, :k])
        rows = np.arange(n_windows)
        ends = sorted_lengths - 1
        paths = np.zeros((longest, n_windows), dtype=np.int64)
        paths[ends, rows] = deltas[ends, rows].argmax(axis=1)
        for t in range(longest - 1, 0, -1):
            k = running[t]  # windows running at t step back; the others already hold their end
            paths[t - 1, :k] = back[t, rows[:k], paths[t, :k]]
        columns = paths.T.tolist()
        out: list[list[int]] = [[] for _ in range(n_windows)]
        for rank_of, window in enumerate(order.tolist()):
            out[window] = columns[rank_of][: int(sorted_lengths[rank_of])]
        return out


class SpanTyper:
    """Re-types names the CRF found, from features of the whole name (``span_type_features``): a
    one-item crfsuite model, i.e. a multinomial logistic regression over PER / LOC / ORG, scored
    from its weights.

    The CRF labels token by token and sees two words either side; a name's type often shows in its
    last word ("… University", "… Press") or its whole bag of words, which this model sees at once.
    Every feature comes from one token in one role or from the span's gazetteer tags, so each
    (token, role) gets a row of summed label weights once, cached across articles, and all names of
    a text are scored with one gather-and-sum. Safe to share between threads (the table only grows,
    under a lock; a call reads a consistent snapshot).
    """

    def __init__(
        self,
        tagger: pycrfsuite.Tagger,
        clusters: dict[str, str] | None = None,
        lexicon: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """``tagger``: the opened span-type model; ``clusters``, ``lexicon``: as it was trained with."""
        self.labels: list[str] = list(tagger.labels())
        index = {label: i for i, label in enumerate(self.labels)}
        weights: dict[str, np.ndarray] = {}
        for (attr, label), weight in tagger.info().state_features.items():
            row = weights.get(attr)
            if row is None:
                row = weights[attr] = np.zeros(len(self.labels))
            row[index[label]] += weight
        self._weights = weights
        self.clusters = clusters
        self.lexicon = lexicon
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[object, int] = {}
        self._table = np.zeros((1024, len(self.labels)))

    def _sum(self, attrs: Sequence[str]) -> np.ndarray:
        total = np.zeros(len(self.labels))
        get = self._weights.get
        for attr in attrs:
            row = get(attr)
            if row is not None:
                total += row
        return total

    def _add(self, key: object, attrs: Sequence[str]) -> None:
        # Caller holds the lock.
        row = len(self._ids)
        if row >= self._table.shape[0]:
            grown = np.zeros((2 * row, len(self.labels)))
            grown[:row] = self._table
            self._table = grown
        self._table[row] = self._sum(attrs)
        self._ids[key] = row

    def probabilities(
        self, tokens: list[str], gaz: list[str], names: Sequence[tuple[int, int]]
    ) -> np.ndarray:
        """Probabilities ``[name, label]`` (columns in ``self.labels`` order) of the names
        ``tokens[s:e]`` for each ``(s, e)`` in ``names``: crfsuite's marginals on
        ``[span_type_features(tokens, gaz, s, e, ...)]``."""
        n = len(tokens)
        # Stand-ins for the words before / after the text, so context never needs a bounds test.
        padded = [SPAN_BEFORE_TEXT, SPAN_BEFORE_TEXT, *tokens, SPAN_AFTER_TEXT, SPAN_AFTER_TEXT]
        keys: list[object] = []
        add = keys.append
        counts: list[int] = []
        for s, e in names:
            add((_GAZ_KEY, *gaz[s:e], e < n and gaz[e].startswith("I-")))
            keys += [(t, SPAN_INSIDE) for t in tokens[s:e]]
            add((tokens[s], SPAN_FIRST))
            add((tokens[e - 1], SPAN_LAST))
            add((padded[s + 1], SPAN_LEFT1))
            add((padded[s], SPAN_LEFT2))
            add((padded[e + 2], SPAN_RIGHT1))
            add((padded[e + 3], SPAN_RIGHT2))
            counts.append(e - s + 7)
        with self._lock:
            ids = list(map(self._ids.get, keys))
            if None in ids:
                if len(self._ids) + len(keys) > _MAX_WORDS:
                    self._reset()
                for key, found in zip(keys, ids, strict=True):
                    if found is None and key not in self._ids:
                        self._add(key, self._attrs(key))
                ids = list(map(self._ids.get, keys))
            table = self._table
        starts = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        scores = np.add.reduceat(table[np.array(ids)], starts, axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def _attrs(self, key: object) -> list[str]:
        """The features a row key stands for: a (token, role) pair, or a span's gazetteer key."""
        assert isinstance(key, tuple)
        if key[0] is _GAZ_KEY:
            *tags, continues = key[1:]
            return span_gazetteer_features([*tags, "I-" if continues else ""], 0, len(tags))
        token, role = key
        return span_role_features(token, role, self.clusters, self.lexicon)


_GAZ_KEY = object()  # first item of a span's gazetteer row key (token keys start with a string)
