"""Named-entity extraction: CRF tagger + gazetteer + rules, then linking and grouping per article.

Pipeline for one text:
1. tokenise (offsets kept); find gazetteer matches (evidence for the tagger, and links);
2. run the CRF (one per language family; decoded with numpy from its weights, see ``scoring``) on
   windows around capitalised tokens only (speed),
   except on title-case lines (headlines capitalise every word, which the tagger reads as one long
   name), lone tier-1 names (reported from the gazetteer anyway) and lone sentence starters;
3. clean spans: titles/roles ("Presiden", "Menlu", "PM") and leading noise are cut off the front;
   a span that starts with a known organisation or country followed by a name is split
   ("NATO Jens Stoltenberg" -> NATO + Jens Stoltenberg);
4. add unambiguous gazetteer matches the tagger missed (countries, capitals, international
   organisations, curated institutions), then every other occurrence of a name already found in the
   text (headlines get names only this way or from the gazetteer; a lone surname joins its person);
5. link each mention to the gazetteer (exact alias, then one-typo person names) for a canonical form
   and a Wikidata QID, then group mentions of the same entity (same QID / same canonical; a lone
   surname joins the full name seen in the same article).
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from itertools import compress
from typing import cast

import pycrfsuite

from warta.enrichment.entities.features import (
    ARABIC_ARTICLES,
    LONG_AFFIX_FAMILIES,
    SENTENCE_END,
    WindowFeaturizer,
    candidate_windows,
    gazetteer_tags,
    is_candidate,
    load_plain_words,
    load_word_clusters,
    load_word_lexicon,
)
from warta.enrichment.entities.gazetteer import Gazetteer, GazetteerMatch, KnownEntity
from warta.enrichment.entities.scoring import SpanTyper, WindowScorer
from warta.enrichment.entities.titles import (
    FUNCTION_WORDS,
    LEADING_NOISE,
    LEADING_NOISE_EN,
    NAME_CONNECTORS,
    NEVER_NAMES_ALONE,
    TITLE_CONTINUATIONS,
    is_title,
)
from warta.enrichment.entities.tokens import fold, tokenize_columns
from warta.events import Entity

# Indonesian and its close neighbours get the model trained on Indonesian news (and, for lower-cased
# text, the one trained on lower-cased NERP); English its own; every other language the English data
# plus WikiANN samples. "und" is mostly short Indonesian-market text.
INDONESIAN_FAMILY = frozenset({"id", "ms", "jv", "su", "und"})
# Tokens of context around candidate runs the tagger sees, per model family (trainer uses the same).
WINDOW_CONTEXT = {"id": 1}
REPORTED_TYPES = frozenset({"PER", "LOC", "ORG", "MISC"})
EAGER_FAMILIES = ("id", "en")
# A line is a title-case headline when this share of its (>= 4) words is capitalised, including a
# function word ("Untuk", "Of") after the first word.
TITLE_CASE_SHARE = 0.7
# A tagger name whose span-type model (English) gives another type at least this probability takes
# that type (UNER EWT dev: 0.6 and 0.75 both help, argmax (0.5) less; EWT train hold-out the same).
SPAN_RETYPE_MIN = 0.6
# Below this share of capitalised words the text is treated as lower-cased (gazetteer only).
LOWERCASE_SHARE = 0.02


@dataclass(slots=True)
class Mention:
    """One entity mention: token range, char offsets, type and (after linking) its KB entry."""

    start: int  # token index
    end: int  # token index, exclusive
    char_start: int
    char_end: int
    type: str
    surface: str
    known: KnownEntity | None = None
    key: str = ""  # folded tokens, for grouping
    # "tagger" (CRF span), "gazetteer" (unambiguous known name the tagger did not mark) or
    # "propagated" (another occurrence of a name found elsewhere in the same text)
    source: str = "tagger"


class EntityExtractor:
    """Loads the gazetteer and CRF model once; ``extract`` is safe to call from one thread at a time
    per instance (the crfsuite tagger is not thread-safe, so each thread gets its own)."""

    def __init__(
        self, gazetteer: Gazetteer | None = None, model_dir: str | None = None, fast_path: bool = True
    ) -> None:
        """``fast_path=False`` sends every candidate to the tagger (for measuring the tagger alone)."""
        self.gazetteer = gazetteer or Gazetteer.load_default()
        self.gazetteer.person_fuzzy_index  # noqa: B018  # build now (~50 ms), not on the first article
        self.fast_path = fast_path
        self.model_dir = model_dir or str(resources.files("warta.data.entities"))
        self._local = threading.local()
        self._clusters: dict[str, dict[str, str] | None] = {}
        self._clusters_lock = threading.Lock()
        self._featurizers: dict[str, WindowFeaturizer] = {}
        self._link_cache: dict[tuple[str, ...], object] = {}
        self._plain_words: dict[str, frozenset[str]] = {}
        self._scorers: dict[str, WindowScorer] = {}
        self._span_typers: dict[str, SpanTyper | None] = {}
        self._lexicons: dict[str, dict[str, tuple[str, ...]] | None] = {}
        # The news languages' taggers are built now (~0.2-0.4 s each: model weights, word lists),
        # not on the first article of each language; the others on first use.
        for family in EAGER_FAMILIES:
            self.scorer(family)
            self.span_typer(family)

    def clusters(self, family: str) -> dict[str, str] | None:
        """Word clusters the CRF of ``family`` was trained with (None if it uses none); loaded once."""
        if family not in self._clusters:
            with self._clusters_lock:
                if family not in self._clusters:
                    self._clusters[family] = load_word_clusters(self.model_dir, family)
        return self._clusters[family]

    def featurizer(self, family: str) -> WindowFeaturizer:
        """The feature builder of a family's CRF (its per-word cache is shared by all threads)."""
        featurizer = self._featurizers.get(family)
        if featurizer is None:
            lexicon = self._lexicon(family)  # takes the lock itself
            with self._clusters_lock:
                featurizer = self._featurizers.get(family)
                if featurizer is None:
                    known = frozenset(attr for attr, _ in self.tagger(family).info().state_features)
                    clusters = self._clusters.get(family) if family in self._clusters else None
                    if family not in self._clusters:
                        clusters = self._clusters[family] = load_word_clusters(self.model_dir, family)
                    featurizer = self._featurizers[family] = WindowFeaturizer(
                        known, clusters, lexicon, family in LONG_AFFIX_FAMILIES
                    )
        return featurizer

    def plain_words(self, family: str) -> frozenset[str]:
        """Ordinary words of a family's training text (see ``load_plain_words``); loaded once."""
        words = self._plain_words.get(family)
        if words is None:
            words = self._plain_words[family] = load_plain_words(self.model_dir, family)
        return words

    def scorer(self, family: str) -> WindowScorer:
        """The window tagger of a family's CRF (numpy Viterbi over its weights; shared by threads)."""
        scorer = self._scorers.get(family)
        if scorer is None:
            clusters = self.clusters(family)  # takes the lock itself
            lexicon = self._lexicon(family)  # so does this
            with self._clusters_lock:
                scorer = self._scorers.get(family)
                if scorer is None:
                    scorer = self._scorers[family] = WindowScorer(
                        self.tagger(family),
                        clusters,
                        lexicon,
                        family in LONG_AFFIX_FAMILIES,
                    )
        return scorer

    def _lexicon(self, family: str) -> dict[str, tuple[str, ...]] | None:
        # One copy per family (~20 MB for English) shared by the CRF scorer and the span typer.
        if family not in self._lexicons:
            lexicon = load_word_lexicon(self.model_dir, family)
            with self._clusters_lock:
                self._lexicons.setdefault(family, lexicon)
        return self._lexicons[family]

    def span_typer(self, family: str) -> SpanTyper | None:
        """The span-type model of a family (``span_types_{family}.bin``), or None when it has none."""
        if family not in self._span_typers:
            path = os.path.join(self.model_dir, f"span_types_{family}.bin")
            typer = None
            if os.path.exists(path):
                tagger = pycrfsuite.Tagger()
                tagger.open(path)
                typer = SpanTyper(tagger, self.clusters(family), self._lexicon(family))
            with self._clusters_lock:
                self._span_typers.setdefault(family, typer)
        return self._span_typers[family]

    def tagger(self, family: str) -> pycrfsuite.Tagger:
        """The CRF of a model family (see ``model_family``), opened once per thread."""
        taggers: dict[str, pycrfsuite.Tagger] | None = getattr(self._local, "taggers", None)
        if taggers is None:
            taggers = self._local.taggers = {}
        tagger = taggers.get(family)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            tagger.open(os.path.join(self.model_dir, f"ner_crf_{family}.bin"))
            taggers[family] = tagger
        return tagger

    # ------------------------------------------------------------------ mentions

    def mentions(self, text: str, lang: str = "und") -> list[Mention]:
        """All entity mentions in ``text`` in text order, linked where the gazetteer knows them."""
        tokens, starts, ends = tokenize_columns(text)
        if not tokens:
            return []
        n = len(tokens)
        # One cached look-up per token gives everything the per-token passes need (they ran on
        # every token of every article: ~10 % of the extraction).
        infos = list(map(_TOKEN_INFO.get, tokens))  # C speed; the few new words are filled below
        if None in infos:
            infos = [info or _token_info(t) for t, info in zip(tokens, infos, strict=True)]
        folded_t, alpha_t, upper_t, cased_cand_t = zip(*infos, strict=True)
        folded: list[str] = list(folded_t)
        is_alpha: list[bool] = list(alpha_t)
        is_upper: list[bool] = list(upper_t)
        n_alpha = sum(is_alpha)
        lowercase = n_alpha > 0 and sum(is_upper) / n_alpha < LOWERCASE_SHARE
        if lowercase:
            cand = [t[0].isalnum() for t in tokens]
        else:
            cand = list(cased_cand_t)
            _mark_arabic_articles(text, starts, cand)
        matches = self.gazetteer.scan(tokens, folded, cand)
        gaz = gazetteer_tags(n, matches)
        line_starts = [False] * n
        line_starts[0] = True
        nl = text.find("\n")
        while nl >= 0:
            k = bisect_right(starts, nl)
            if k < n:
                line_starts[k] = True
            nl = text.find("\n", nl + 1)
        headline = self._title_case_tokens(line_starts, folded, is_alpha, is_upper)

        found: list[Mention] = []
        family = model_family(lang, lowercase)
        if family is not None:
            noise = LEADING_NOISE if family.startswith("id") else LEADING_NOISE_EN
            # Fast path: a tier-1 name standing alone ("… serangan Rusia di …", "NATO") is reported
            # from the gazetteer whatever the tagger says, so it is not sent to the tagger at all.
            # In news that is a third of the windows, and tagging is most of the cost.
            to_tag = cand
            if self.fast_path:
                to_tag = cand.copy()
                # Outside the Indonesian family, a name joined to a neighbour by a connector is tagged
                # too: "Gulf of Mexico" is one place, not "Gulf" + the country (3 LOC on UNER EWT dev).
                # Indonesian keeps the cheaper test ("serangan Rusia di Ukraina": "di" is a connector).
                joinable = not family.startswith("id")
                for gm in matches:
                    if (
                        gm.entity.tier == 1
                        and (gm.start == 0 or not cand[gm.start - 1])
                        and (gm.end == n or not cand[gm.end])
                        and not (joinable and _connected(tokens, folded, cand, gm.start, gm.end))
                    ):
                        to_tag[gm.start : gm.end] = [False] * (gm.end - gm.start)
                plain = self.plain_words(family)
                for i in compress(range(n), to_tag.copy()):
                    # A lone "Para", "Namun", "Selasa" is not a name either; nor is a lone ordinary
                    # word capitalised because it starts a sentence ("If", "Hasil", "Pemerintah").
                    if (
                        (i == 0 or not cand[i - 1])
                        and (i + 1 == n or not cand[i + 1])
                        and (
                            folded[i] in NEVER_NAMES_ALONE
                            or (
                                folded[i] in plain
                                and (i == 0 or line_starts[i] or tokens[i - 1] in SENTENCE_END)
                            )
                        )
                    ):
                        to_tag[i] = False
            windows = candidate_windows(
                tokens, line_starts=line_starts, candidates=to_tag, context=WINDOW_CONTEXT.get(family, 0)
            )
            windows = [w for w in windows if not headline[w[0]]]
            for (lo, _hi), labels in zip(
                windows, self.scorer(family).tag_windows(tokens, gaz, windows, line_starts), strict=True
            ):
                if labels.count("O") == len(labels):
                    continue  # most windows hold no name the tagger keeps
                for s, e, typ in _bio_spans(labels):
                    s, e = s + lo, e + lo
                    if headline[s]:
                        continue
                    found.extend(
                        self._clean_span(text, tokens, starts, ends, gaz, s, e, typ, lowercase, noise)
                    )
            typer = self.span_typer(family)
            if typer is not None and found:
                # Known tier-1 names keep the gazetteer's type.
                retype = [m for m in found if m.known is None or m.known.tier != 1]
                if retype:
                    probs = typer.probabilities(tokens, gaz, [(m.start, m.end) for m in retype])
                    for m, best, p in zip(
                        retype, probs.argmax(axis=1).tolist(), probs.max(axis=1).tolist(), strict=True
                    ):
                        if p >= SPAN_RETYPE_MIN:
                            m.type = typer.labels[best]
        # Also in all-lower-case English text (no tagger runs there): "birds in punjab ?".
        if family == "en" or (family is None and lang.split("-")[0].lower() == "en"):
            self._add_lowercase_places(text, tokens, folded, starts, ends, found)
        _attach_company_suffixes(text, tokens, folded, ends, found)
        _attach_name_particles(text, folded, starts, found)
        self._add_gazetteer_matches(text, tokens, matches, starts, ends, found, lowercase, headline)
        self._propagate_known_names(text, tokens, folded, starts, ends, found, headline)
        found.sort(key=lambda m: m.start)
        for m in found:
            m.key = " ".join(folded[m.start : m.end])
            if m.known is None:
                self._link(m, tokens)
        return found

    def _title_case_tokens(
        self, line_starts: list[bool], folded: list[str], is_alpha: list[bool], is_upper: list[bool]
    ) -> list[bool]:
        """Flags the tokens of title-case lines (headlines such as "Bantuan Musim Dingin Untuk Kyiv")."""
        n = len(folded)
        flags = [False] * n
        first = 0
        while first < n:
            end = first + 1
            while end < n and not line_starts[end]:
                end += 1
            n_words = sum(is_alpha[first:end])
            if (
                n_words >= 4
                and sum(is_upper[first:end]) >= TITLE_CASE_SHARE * n_words
                and any(is_upper[i] and folded[i] in FUNCTION_WORDS for i in range(first + 1, end))
            ):
                flags[first:end] = [True] * (end - first)
            first = end
        return flags

    def _clean_span(
        self,
        text: str,
        tokens: list[str],
        starts: list[int],
        ends: list[int],
        gaz: list[str],
        s: int,
        e: int,
        typ: str,
        lowercase: bool = False,
        noise: frozenset[str] = LEADING_NOISE,
    ) -> list[Mention]:
        # Titles and roles are not part of names; neither are leading articles/prepositions.
        titled = s > 0 and is_title(fold(tokens[s - 1]))
        while s < e:
            word = fold(tokens[s])
            if is_title(word) or (titled and word in TITLE_CONTINUATIONS):
                titled = True
            elif word not in noise:
                break
            s += 1
        while s < e and not tokens[s][0].isalnum():
            s += 1
        while e > s and not tokens[e - 1][0].isalnum() and tokens[e - 1] != ".":
            e -= 1
        if s >= e:
            return []
        for k in range(s + 1, e if not lowercase else s):
            # A lower-case word other than a connector ends the name: "Stoltenberg | memperingatkan".
            if tokens[k][0].islower() and fold(tokens[k]) not in NAME_CONNECTORS:
                nxt = k + 1
                while nxt < e and not tokens[nxt][0].isupper():
                    nxt += 1
                head_part = self._clean_span(text, tokens, starts, ends, gaz, s, k, typ, noise=noise)
                return head_part + (
                    self._clean_span(text, tokens, starts, ends, gaz, nxt, e, typ, noise=noise)
                    if nxt < e
                    else []
                )
        g = self.gazetteer
        known = g.lookup(tokens[s:e])
        if known is None and gaz[s].startswith("B-") and not gaz[s].endswith("PER" + gaz[s][-1]):
            # "NATO Jens Stoltenberg": a known organisation/place glued to the name that follows.
            k = s + 1
            while k < e and gaz[k].startswith("I-"):
                k += 1
            head = g.lookup(tokens[s:k])
            # Only when a person follows (the tagger said PER, a title precedes, or the rest is a known
            # person): "United States Department of …" is one organisation, not a country + something.
            person_cue = k < e and (titled or is_title(fold(tokens[k])) or _is_person(g, tokens[k:e]))
            if k < e and head is not None and head.tier == 1 and (typ == "PER" or person_cue):
                # "Presiden Ukraina Volodymyr Zelenskky", "NATO Secretary-General Jens Stoltenberg".
                rest_type = "PER" if person_cue else typ
                return [
                    Mention(s, k, starts[s], ends[k - 1], head.type, text[starts[s] : ends[k - 1]], head),
                    *self._clean_span(text, tokens, starts, ends, gaz, k, e, rest_type, lowercase, noise),
                ]
        if known is not None and known.tier == 1:
            typ = known.type
        return [Mention(s, e, starts[s], ends[e - 1], typ, text[starts[s] : ends[e - 1]], known)]

    @cached_property
    def common_words_en(self) -> frozenset[str]:
        """Folded words English training text writes lower-case (built by train_ner.py), plus a
        few place names that are ordinary words too."""
        path = os.path.join(self.model_dir, "common_words_en.json.gz")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            words: list[str] = json.load(fh)
        return frozenset(words) | PLACE_NAMES_THAT_ARE_WORDS

    @cached_property
    def lowercase_place_starts_en(self) -> frozenset[str]:
        """First words (folded) of the place names ``_add_lowercase_places`` may report: the place's
        own name, first word of >= 4 letters and not an ordinary English word."""
        common = self.common_words_en
        out: set[str] = set()
        for key, idx in self.gazetteer.folded.items():
            entity = self.gazetteer.entities[idx]
            first = key.split(" ", 1)[0]
            if (
                entity.type == "LOC"
                and len(first) >= 4
                and first.isalpha()
                and first not in common
                and key == " ".join(fold(p) for p in entity.canonical.split())
            ):
                out.add(first)
        return frozenset(out)

    @cached_property
    def lowercase_city_names_en(self) -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
        """City names (folded tokens) that ``_add_lowercase_places`` may report, from
        ``city_names_en.json.gz`` (GeoNames cities, built by train_ner.py): a one-word name of >= 4
        letters that is not an ordinary English word, or a longer name with at least one word that is
        not ("san francisco", "los angeles", not "long beach"). Keyed by that first non-ordinary word
        (the anchor, so that "the" or "new" in a text costs nothing), with the anchor's position in
        the name; longest names first. Empty without the file."""
        path = os.path.join(self.model_dir, "city_names_en.json.gz")
        if not os.path.exists(path):
            return {}
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            names: list[str] = json.load(fh)
        common = self.common_words_en
        by_anchor: dict[str, set[tuple[tuple[str, ...], int]]] = {}
        for name in names:
            parts = tuple(name.split(" "))
            if not all(p.isalpha() for p in parts) or (len(parts) == 1 and len(parts[0]) < 4):
                continue
            anchor = next((k for k, p in enumerate(parts) if p not in common), None)
            if anchor is not None:
                by_anchor.setdefault(parts[anchor], set()).add((parts, anchor))
        return {
            word: tuple(sorted(entries, key=lambda entry: (-len(entry[0]), entry)))
            for word, entries in by_anchor.items()
        }

    def _add_lowercase_places(
        self,
        text: str,
        tokens: list[str],
        folded: list[str],
        starts: list[int],
        ends: list[int],
        found: list[Mention],
    ) -> None:
        """English web text writes places in lower case ("living in malaysia", "resorts in kerala"):
        report a lower-case token run that is a gazetteer place (country, capital, region, city) and
        whose first word is not an ordinary English word. Worth ~+1.5 F1 on UNER EWT dev."""
        first_words = self.lowercase_place_starts_en
        cities = self.lowercase_city_names_en
        # The usual case, both checked at C speed: no word that can start either kind of place.
        gazetteer_hit = not first_words.isdisjoint(folded)
        city_hit = not cities.keys().isdisjoint(folded)
        if not gazetteer_hit and not city_hit:
            return
        taken = [False] * len(tokens)
        for m in found:
            for i in range(m.start, m.end):
                taken[i] = True
        places: list[Mention] = []  # the lower-case places this pass reports
        flags = list(map(first_words.__contains__, folded)) if gazetteer_hit else []
        for i in compress(range(len(flags)), flags.copy()):
            flags[i] = tokens[i][0].islower()
        for gm in self.gazetteer.scan(tokens, folded, flags) if gazetteer_hit else ():
            if gm.entity.type != "LOC" or any(taken[gm.start : gm.end]):
                continue
            if not all(t[0].islower() for t in tokens[gm.start : gm.end]):
                continue
            # The place's own name only, not one of its aliases: some translated aliases are English
            # words ("suspend" is an alias of Shiselweni, "baker" of Koper).
            if " ".join(folded[gm.start : gm.end]) != " ".join(fold(p) for p in gm.entity.canonical.split()):
                continue
            s, e = gm.start, gm.end
            found.append(
                Mention(
                    s,
                    e,
                    starts[s],
                    ends[e - 1],
                    "LOC",
                    text[starts[s] : ends[e - 1]],
                    gm.entity,
                    source="gazetteer",
                )
            )
            places.append(found[-1])
        # Then cities the gazetteer does not hold ("in kollam", "to san francisco"): GeoNames names,
        # the longest lower-case run that is one; it replaces a shorter place found above inside it
        # ("new york", not the gazetteer's "york").
        if not city_hit:
            return
        n = len(tokens)
        for k in compress(range(n), map(cities.__contains__, folded)):
            if taken[k] or not tokens[k][0].islower():
                continue
            for name, anchor in cities[folded[k]]:
                i = k - anchor
                e = i + len(name)
                if (
                    i >= 0
                    and e <= n
                    and tuple(folded[i:e]) == name
                    and not any(taken[i:e])
                    and all(t[0].islower() for t in tokens[i:e])
                ):
                    inside = [m for m in places if i <= m.start and m.end <= e]
                    if any(m.start == i and m.end == e for m in inside) or any(
                        m.start < e and i < m.end and m not in inside for m in places
                    ):
                        break  # the gazetteer has this very name (with its id), or a place overlaps
                    for m in inside:
                        found.remove(m)
                        places.remove(m)
                    found.append(Mention(i, e, starts[i], ends[e - 1], "LOC", text[starts[i] : ends[e - 1]]))
                    for j in range(i, e):
                        taken[j] = True
                    break

    def _add_gazetteer_matches(
        self,
        text: str,
        tokens: list[str],
        matches: list[GazetteerMatch],
        starts: list[int],
        ends: list[int],
        found: list[Mention],
        lowercase: bool,
        headline: list[bool],
    ) -> None:
        taken = [False] * len(tokens)
        for m in found:
            for i in range(m.start, m.end):
                taken[i] = True
        for gm in matches:
            known = gm.entity
            limit = 2 if headline[gm.start] else 1
            if known.tier > limit or any(taken[gm.start : gm.end]):
                continue
            if lowercase and gm.end - gm.start == 1 and len(tokens[gm.start]) < 4:
                continue  # short lower-case words ("as", "un") are words, not names
            s, e = gm.start, gm.end
            surface = text[starts[s] : ends[e - 1]]
            found.append(
                Mention(s, e, starts[s], ends[e - 1], known.type, surface, known, source="gazetteer")
            )
            for i in range(s, e):
                taken[i] = True

    def _propagate_known_names(
        self,
        text: str,
        tokens: list[str],
        folded: list[str],
        starts: list[int],
        ends: list[int],
        found: list[Mention],
        headline: list[bool],
    ) -> None:
        """Mark other occurrences of names already found in this text (one sense per document).

        Headlines get their names only this way; in the body a name the tagger missed once
        ("Stoltenberg mengatakan" at a sentence start) is still counted, and a lone surname of a
        full name found elsewhere becomes a mention of that person.
        """
        known_surfaces: dict[tuple[str, ...], Mention] = {}
        for m in found:
            if not headline[m.start]:
                known_surfaces.setdefault(tuple(folded[m.start : m.end]), m)
        for m in found:
            if m.type == "PER" and m.end - m.start >= 2 and not headline[m.start]:
                known_surfaces.setdefault((folded[m.end - 1],), m)
        if not known_surfaces:
            return
        longest = max(len(k) for k in known_surfaces)
        first_words = {k[0] for k in known_surfaces}
        taken = [False] * len(tokens)
        for m in found:
            for i in range(m.start, m.end):
                taken[i] = True
        n = len(tokens)
        # Only tokens that start a known name are looked at; they are found at C speed.
        for i in compress(range(n), map(first_words.__contains__, folded)):
            if taken[i] or not tokens[i][0].isupper():
                continue
            for length in range(min(longest, n - i), 0, -1):
                ref = known_surfaces.get(tuple(folded[i : i + length]))
                if ref is not None and not any(taken[i : i + length]):
                    e = i + length
                    surface = text[starts[i] : ends[e - 1]]
                    known = ref.known if ref.end - ref.start == length else None
                    found.append(
                        Mention(i, e, starts[i], ends[e - 1], ref.type, surface, known, source="propagated")
                    )
                    for k in range(i, e):
                        taken[k] = True
                    break

    def _link(self, m: Mention, tokens: list[str]) -> None:
        # The answer depends on the surface tokens and the type only: cached, as the same names
        # recur across articles (a miss costs an alias look-up and, for persons, ~20 fuzzy probes).
        cache_key = (*tokens[m.start : m.end], m.type)
        known = self._link_cache.get(cache_key, _UNSEEN)
        if known is _UNSEEN:
            span = tokens[m.start : m.end]
            known = self.gazetteer.lookup(span)
            if known is None and m.type == "PER":
                known = self.gazetteer.fuzzy_person(span)
            if known is not None and not (known.type == m.type or known.tier == 1):
                known = None
            if len(self._link_cache) >= _MAX_CACHE_ENTRIES:
                self._link_cache.clear()
            self._link_cache[cache_key] = known
        if known is not None:
            known = cast(KnownEntity, known)
            m.known = known
            if known.tier == 1:
                m.type = known.type

    # ------------------------------------------------------------------ entities

    def extract(self, text: str, lang: str = "und") -> list[Entity]:
        """Entities of ``text`` grouped per real-world entity, in order of first mention."""
        groups: dict[str, list[Mention]] = {}
        canon: dict[str, str] = {}
        kb: dict[str, str | None] = {}
        mentions = [m for m in self.mentions(text, lang) if m.type in REPORTED_TYPES]
        # Full names first so that a later or earlier lone surname can join them.
        persons: list[tuple[list[str], str]] = []
        for m in mentions:
            if m.known is not None:
                key = m.known.kb_id or f"{m.known.type}:{fold(m.known.canonical)}"
                canon[key], kb[key] = m.known.canonical, m.known.kb_id
            else:
                key = f"{m.type}:{m.key}"
                canon.setdefault(key, " ".join(m.surface.split()))
                kb.setdefault(key, None)
            groups.setdefault(key, []).append(m)
            if m.type == "PER" and " " in m.key:
                persons.append((m.key.split(" "), key))
        for key in list(groups):
            ms = groups[key]
            # A lone surname joins the full name in the same article, whatever type the tagger gave it.
            if kb[key] is not None or any(" " in m.surface for m in ms):
                continue
            single = ms[0].key
            target = next(
                (k for parts, k in persons if _same_name(single, parts[-1]) or single == parts[0]), None
            )
            if target is not None and target != key:
                groups[target].extend(groups.pop(key))
        entities: list[Entity] = []
        for key, ms in groups.items():
            ms.sort(key=lambda m: m.char_start)
            typ = ms[0].type if len(ms) == 1 else Counter(m.type for m in ms).most_common(1)[0][0]
            entities.append(
                # Fields are built here from checked values; skipping validation saves ~10 us each.
                Entity.model_construct(
                    text=ms[0].surface,
                    type=typ,  # type: ignore[arg-type]  # one of REPORTED_TYPES
                    canonical=canon[key],
                    kb_id=kb[key],
                    count=len(ms),
                    offsets=[(m.char_start, m.char_end) for m in ms],
                )
            )
        entities.sort(key=lambda ent: ent.offsets[0][0])
        return entities


_MAX_CACHE_ENTRIES = 100_000  # per cache: bounds memory on a long-running enricher
_UNSEEN = object()
# token -> (folded, starts with a letter, starts upper-case, candidate in cased text)
_TOKEN_INFO: dict[str, tuple[str, bool, bool, bool]] = {}


def _token_info(token: str) -> tuple[str, bool, bool, bool]:
    first = token[0]
    upper = first.isupper()
    # is_candidate() but for "al-Qaeda" forms, which _mark_arabic_articles finds from the hyphens.
    info = (fold(token), first.isalpha(), upper, upper or (first.isdigit() and is_candidate(token)))
    if len(_TOKEN_INFO) >= _MAX_CACHE_ENTRIES:
        _TOKEN_INFO.clear()
    _TOKEN_INFO[token] = info
    return info


def model_family(lang: str, lowercase: bool = False) -> str | None:
    """Which shipped CRF serves ``lang``: "id", "id_lower", "en" or "xx"; None = gazetteer only
    (lower-cased text in a language without a lower-case model)."""
    code = (lang or "und").split("-")[0].lower()
    if code in INDONESIAN_FAMILY:
        return "id_lower" if lowercase else "id"
    if lowercase:
        return None
    return "en" if code == "en" else "xx"


def _connected(tokens: list[str], folded: list[str], cand: list[bool], start: int, end: int) -> bool:
    """Is ``tokens[start:end]`` joined to a candidate by one or two connectors ("Gulf of Mexico",
    "Bank of the United States", "Mexico and the Caribbean" is not: "and" alone is not enough)?"""
    n = len(tokens)
    for gap in (1, 2):
        lo = start - gap - 1
        if (
            lo >= 0
            and cand[lo]
            and folded[start - 1] != "and"
            and all(folded[k] in NAME_CONNECTORS for k in range(lo + 1, start))
        ):
            return True
        hi = end + gap
        if (
            hi < n
            and cand[hi]
            and folded[end] != "and"
            and all(folded[k] in NAME_CONNECTORS for k in range(end, hi))
        ):
            return True
    return False


# Place names that are also common English words or given names, never matched in lower case.
PLACE_NAMES_THAT_ARE_WORDS = frozenset(
    {"turkey", "china", "chad", "jordan", "georgia", "guinea", "nice", "split", "bath", "orange",
     "victoria", "florence", "austin", "lincoln", "chester"}
)  # fmt: skip

# Legal-form suffixes written after a comma ("Enron Broadband Services, Inc."): part of the name.
COMPANY_SUFFIXES = frozenset(
    [
        "inc",
        "inc.",
        "incorporated",
        "ltd",
        "ltd.",
        "llc",
        "l.p.",
        "lp",
        "plc",
        "corp",
        "corp.",
        "co.",
        "gmbh",
        "ag",
        "s.a.",
        "n.v.",
        "tbk",
    ]
)


def _attach_company_suffixes(
    text: str, tokens: list[str], folded: list[str], ends: list[int], found: list[Mention]
) -> None:
    """Extend a tagger span followed by ", Inc." (or another legal form) over it; it is an ORG."""
    n = len(tokens)
    swallowed: list[tuple[int, int]] = []
    for m in found:
        e = m.end
        if e + 1 < n and tokens[e] == "," and folded[e + 1] in COMPANY_SUFFIXES:
            swallowed.append((m.end, e + 2))
            e += 2
            if e < n and tokens[e] == "." and folded[e - 1][-1] != ".":
                e += 1  # "Inc" "." as the tokeniser cuts "Inc."
            m.end, m.char_end, m.type = e, ends[e - 1], "ORG"
            m.surface = text[m.char_start : m.char_end]
            m.known = None
    if swallowed:
        # The tagger may have marked the suffix itself ("Inc") as a name: it is part of this one now.
        found[:] = [m for m in found if not any(lo <= m.start and m.end <= hi for lo, hi in swallowed)]


def _mark_arabic_articles(text: str, starts: list[int], cand: list[bool]) -> None:
    """Flag "al-Qaeda"-like tokens as candidates (what ``is_candidate`` says), found from the few
    hyphens in the text rather than by testing every lower-case token (that cost ~1.5 % per article)."""
    p = text.find("-")
    while p >= 0:
        if p >= 2 and text[p - 2 : p] in ARABIC_ARTICLES and text[p + 1 : p + 2].isupper():
            k = bisect_right(starts, p - 2) - 1
            if k >= 0 and starts[k] == p - 2:
                cand[k] = True
        p = text.find("-", p + 1)


def _attach_name_particles(text: str, folded: list[str], starts: list[int], found: list[Mention]) -> None:
    """Extend a span over a lower-case article or patronymic in front of it: "al - Qaida" (as the
    tokeniser cuts "al -Qaida"), "bin Laden"; the tagger only ever sees the capitalised part."""
    taken_ends = {m.end for m in found}
    for m in found:
        s = m.start
        if s >= 2 and folded[s - 1] == "-" and folded[s - 2] in ARABIC_ARTICLES:
            s -= 2
        elif s >= 1 and folded[s - 1] in ("bin", "ibn"):
            s -= 1
        if s != m.start and s not in taken_ends:
            m.start, m.char_start = s, starts[s]
            m.surface = text[m.char_start : m.char_end]
            m.known = None


def _is_person(gazetteer: Gazetteer, tokens: list[str]) -> bool:
    known = gazetteer.lookup(tokens) or gazetteer.fuzzy_person(tokens)
    return known is not None and known.type == "PER"


def _same_name(a: str, b: str) -> bool:
    """Equal, or (both >= 6 chars) one edit apart: "zelenskyy" ~ "zelenskky"."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


def _bio_spans(labels: list[str]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    start, cur = -1, ""
    for i, tag in enumerate([*labels, "O"]):
        typ = tag[2:] if tag != "O" else ""
        if cur and (tag == "O" or tag.startswith("B-") or typ != cur):
            out.append((start, i, cur))
            cur = ""
        if tag != "O" and not cur:
            start, cur = i, typ
    return out
