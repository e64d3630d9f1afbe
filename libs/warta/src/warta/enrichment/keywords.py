"""Keywords: the few words and names a reader would tag the article with.

Unsupervised and per article (no corpus statistics at run time). Candidates are

* content words — analyser-folded, stop words of the article's language removed — grouped by stem;
* names: the article's entities when the caller has them (the pipeline passes its extracted
  entities, so "Jens Stoltenberg" is one keyword and "Pemimpin" is not part of it), otherwise runs
  of 2–4 capitalised words.

A candidate scores by frequency, doubled in the title, boosted for names and for early mentions.
Each keyword is shown in its most frequent mid-sentence surface form — lower case for ordinary
words, as written for names and acronyms — and words inside a chosen name are not repeated.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import compress

from warta.analysis.analyzer import fold, fold_tokens, stopwords, terms_of_tokens
from warta.enrichment.signature import KEYWORD_MIN_LENGTH, AnalysedText
from warta.events import Entity

TITLE_BOOST = 2.0
NAME_BOOST = 1.5
LEAD_BONUS = 0.5
MIN_LENGTH = KEYWORD_MIN_LENGTH


def extract_keywords(
    title: str | None, text: str, lang: str | None, k: int = 10, entities: Sequence[Entity] | None = None
) -> list[str]:
    """Up to ``k`` keywords of the article, best first, one per stem or name.

    ``lang`` (ISO 639-1, or None/"und") selects stop words and stemming. ``entities``, when given,
    supply the names (their canonical forms, weighted by count). Never raises on any string input;
    returns ``[]`` when nothing qualifies.
    """
    title_part = AnalysedText.of(title, lang) if title else None
    return keywords_of(title_part, AnalysedText.of(text, lang), k, entities)


def keywords_of(
    title: AnalysedText | None, body: AnalysedText, k: int = 10, entities: Sequence[Entity] | None = None
) -> list[str]:
    """:func:`extract_keywords` over already analysed title and body."""
    if k <= 0:
        return []
    stops = stopwords(body.lang)
    scores: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    names: dict[str, frozenset[str] | set[str]] = {}  # name key -> stems of its words
    # key -> {written form: votes}; names only at first, words are done lazily. Plain dicts, not
    # Counters: dozens are made per article.
    surfaces: dict[str, dict[str, int]] = defaultdict(dict)
    kept: list[tuple[AnalysedText, list[int], list[str]]] = []  # part, candidate positions, their terms
    offset = 0
    for part, in_title in ((title, True), (body, False)):
        if part is None:
            continue
        # Comprehensions, compress() and Counter rather than a per-token loop: this runs on every
        # token of every article. The analysis pass flagged the candidates (in its language).
        flags = part.candidate if part.lang == body.lang else _candidate_flags(part.folded, stops)
        keep = list(compress(range(len(flags)), flags))
        keys = list(compress(part.terms, flags))
        kept.append((part, keep, keys))
        counts = Counter(keys)
        firsts = dict(zip(reversed(keys), reversed(keep), strict=True))
        total = max(1, len(part.tokens))
        if in_title:
            gains = {key: TITLE_BOOST * count for key, count in counts.items()}
        else:  # the lead carries the story
            gains = {key: count + LEAD_BONUS * (1.0 - firsts[key] / total) for key, count in counts.items()}
        # scores[key] += gain for every key, as one update: keys already scored keep their place
        # (insertion order breaks ranking ties), new ones follow in order of first mention.
        for key in gains.keys() & scores.keys():
            gains[key] = scores[key] + gains[key]
        scores.update(gains)
        for key, position in firsts.items():
            if key not in first_seen:
                first_seen[key] = offset + position
        if entities is None:
            _name_runs(part, in_title, offset, stops, scores, surfaces, first_seen, names)
        offset += len(part.tokens)
    if entities:
        folded_text = " ".join(body.folded)
        if title is not None:
            folded_text += " " + " ".join(title.folded)
        known = _entity_table(body.lang)
        for ent in entities:
            facts = known.get((ent.canonical, ent.text))
            if facts is None:
                facts = known[ent.canonical, ent.text] = _entity_facts(ent.canonical, ent.text, body.lang)
            key, canonical_words, stems = facts
            # Show the name as the article writes it ("NATO", "Ukraina"), unless the canonical
            # form itself occurs in the text ("Jens Stoltenberg" over a first mention "Stoltenberg").
            if ent.canonical == ent.text:
                shown = ent.text  # either way (no need to search the text)
            else:
                shown = ent.canonical if canonical_words and canonical_words in folded_text else ent.text
            scores[key] += ent.count
            votes = surfaces[key]
            votes[shown] = votes.get(shown, 0) + 1
            first_seen.setdefault(key, 0)
            names[key] = stems
    for key in names:
        scores[key] *= NAME_BOOST
    # (-score, first position, insertion order): the order of a stable sort on the first two,
    # without a Python key function per candidate.
    ranked = [
        key
        for _, _, _, key in sorted(
            [(-score, first_seen.get(key, 0), n, key) for n, (key, score) in enumerate(scores.items())]
        )
    ]
    _word_surfaces(kept, set(ranked[: 4 * k + len(names)]), surfaces)
    chosen: list[tuple[str, str]] = []  # (key, surface)
    covered: set[str] = set()
    for key in ranked:
        if key in covered:
            continue
        parts = names.get(key)
        if parts is not None:
            if parts <= covered:
                continue
            # A name replaces the single words it is made of that were ranked above it.
            chosen = [(c, s) for c, s in chosen if c not in parts]
            covered |= parts
        if key not in surfaces:
            _word_surfaces(kept, {key}, surfaces)
        surface_counts = surfaces[key]
        # max() keeps the first of equal counts, as Counter.most_common(1) does.
        surface = max(surface_counts, key=surface_counts.__getitem__) if surface_counts else key
        if any(surface == s for _, s in chosen):
            continue
        chosen.append((key, surface))
        covered.add(key)
        if len(chosen) >= k:
            break
    return [surface for _, surface in chosen]


# Per language: (canonical, text) of an entity -> its keyword key, folded canonical words and the
# stems of its words; entities recur across articles, so this is mostly looked up.
_MEMO_LIMIT = 100_000
_ENTITIES: dict[str | None, dict[tuple[str, str], tuple[str, str, frozenset[str]]]] = {}


def _entity_table(lang: str | None) -> dict[tuple[str, str], tuple[str, str, frozenset[str]]]:
    table = _ENTITIES.get(lang)
    if table is None or len(table) > _MEMO_LIMIT:
        table = _ENTITIES[lang] = {}
    return table


def _entity_facts(canonical: str, text: str, lang: str | None) -> tuple[str, str, frozenset[str]]:
    canonical_split = canonical.split()
    canonical_words = " ".join(fold_tokens(canonical_split))
    parts = frozenset(terms_of_tokens(canonical_split + text.split(), lang))
    return "entity:" + fold(canonical), canonical_words, parts


def _candidate_flags(folded: list[str], stops: frozenset[str]) -> list[bool]:
    """Keyword candidates among folded tokens judged with another language's stop words (a title
    analysed in another language than the body; the pipeline never does this)."""
    return [len(f) >= MIN_LENGTH and f not in stops and not f.isdigit() for f in folded]


def _word_surfaces(
    kept: list[tuple[AnalysedText, list[int], list[str]]],
    wanted: set[str],
    surfaces: dict[str, dict[str, int]],
) -> None:
    """Vote on how each wanted word key is written: acronyms keep their case, mid-sentence
    capitals vote for the capitalised form, sentence-initial tokens do not vote on case."""
    for part, keep, keys in kept:
        terms, tokens, starts = part.terms, part.tokens, part.sentence_start
        for i in compress(keep, map(wanted.__contains__, keys)):
            votes = surfaces[terms[i]]
            token = tokens[i]
            if token.isupper() and len(token) > 1:
                votes[token] = votes.get(token, 0) + 2
            elif starts[i]:
                form = token.lower()
                votes[form] = votes.get(form, 0)  # known form, no vote
            else:
                votes[token] = votes.get(token, 0) + 1


def _name_runs(
    part: AnalysedText,
    in_title: bool,
    offset: int,
    stops: frozenset[str],
    scores: dict[str, float],
    surfaces: dict[str, dict[str, int]],
    first_seen: dict[str, int],
    names: dict[str, frozenset[str] | set[str]],
) -> None:
    """Name phrases when no entities are given: runs of 2–4 capitalised non-stop words that do not
    cross a sentence start."""
    runs: list[list[int]] = [[]]
    for i, folded in enumerate(part.folded):
        token = part.tokens[i]
        if token[:1].isupper() and folded not in stops and not folded.isdigit():
            if part.sentence_start[i] and runs[-1]:
                runs.append([i])
            else:
                runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        if 2 <= len(run) <= 4:
            key = " ".join(part.folded[j] for j in run)
            scores[key] += TITLE_BOOST if in_title else 1.0
            votes = surfaces[key]
            form = " ".join(part.tokens[j] for j in run)
            votes[form] = votes.get(form, 0) + 1
            first_seen.setdefault(key, offset + run[0])
            names[key] = {part.terms[j] for j in run}
