"""The enrichment pipeline: one ``ArticleFetched`` in, one ``ArticleEnriched`` out.

The same :class:`Enricher` serves the Faust agent (``warta_enricher``) and ``warta enrich``, so what
the command prints is what the pipeline publishes. Steps, in order:

1. :func:`~warta.enrichment.boilerplate.clean_text` — nothing downstream sees "Baca Juga" lines;
2. language of title + text (the publisher's declared language only breaks near-ties);
3. entities over ``title + "\\n\\n" + text`` (offsets index that string; just ``text`` when there
   is no title);
4. IPTC topics;
5. one analysis pass (:class:`~warta.enrichment.signature.AnalysedText`) shared by
6. keywords (names come from the entities), 7. the story signature, and 8. ``terms`` (=
   ``warta.analysis.analyzer.analyze(title + text, lang)``, what the indexer stores).

Events the pipeline cannot make sense of (no text left after cleaning, absurd size) raise
:class:`EnrichmentError`, a ``ValueError``, so the agent dead-letters them with the reason. A
failure inside a step is also reported as ``EnrichmentError`` naming the step, so a bug in one
component dead-letters one article (replayable after the fix) rather than publishing a half
enrichment silently.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable
from typing import Any

import regex
from pydantic import ValidationError

from warta.enrichment.boilerplate import clean_text
from warta.enrichment.keywords import keywords_of
from warta.enrichment.language import LanguageDetector, default_detector
from warta.enrichment.signature import AnalysedText, signature_of
from warta.events import ArticleEnriched, ArticleFetched, Entity, Language, SourceRef, Topic
from warta.ids import article_id, content_hash

# Bump when any component's output changes meaning (models, thresholds, signature layout), so a
# re-enrichment can tell old events from new ones.
ENRICHER_VERSION = "warta-enrichment/1.0"
MAX_TEXT_CHARS = 1_000_000  # far beyond any article; protects the worker from a runaway page
KEYWORDS = 10
GC_YOUNG_THRESHOLD = 10_000  # see Enricher (tune_gc)
_LETTERS = regex.compile(r"\p{L}\P{L}*\p{L}")


class EnrichmentError(ValueError):
    """The event cannot be enriched (e.g. no text left after boilerplate removal); dead-letter it."""


def _load_entities() -> Callable[[str, str], list[Entity]]:
    from warta.enrichment.entities import extract_entities

    return extract_entities


def _load_topics() -> Callable[[str | None, str, str], list[Topic]]:
    from warta.enrichment.topics import classify_topics

    return classify_topics


class Enricher:
    """Loads every model once (at construction) and enriches articles; safe to share across threads.

    ``warm_up=True`` runs one tiny article through every step so the first real event does not
    pay the models' loading time (and a broken installation fails at start-up, not on traffic).

    ``tune_gc=True`` then sets the cyclic garbage collector for a long-running enricher (both
    process-wide; pass False where that is unwanted):

    * every object alive now (the loaded models, name lists, gazetteers) is moved out of its reach
      (``gc.freeze()``): they live as long as the process, and a full collection walking them cost
      ~50 ms, paid every few hundred articles as the per-word caches grow;
    * the youngest generation is collected every ``GC_YOUNG_THRESHOLD`` container allocations
      instead of 700: an article allocates thousands (token lists, feature tuples, event models),
      and at 700 the live ones were walked and promoted several times per article (~10 % of the
      whole enrichment, measured by bench/enrich_throughput.py; memory unchanged).
    """

    def __init__(
        self,
        language_detector: LanguageDetector | None = None,
        *,
        warm_up: bool = True,
        tune_gc: bool = True,
    ) -> None:
        self._language = language_detector or default_detector()
        self._extract_entities = _load_entities()
        self._classify_topics = _load_topics()
        if warm_up:
            self.enrich_text(
                "Presiden Joko Widodo bertemu Sekretaris Jenderal NATO di Jakarta.", title="Warm up"
            )
        if tune_gc:
            gc.collect()  # what is garbage now is not frozen
            gc.freeze()
            young, older, oldest = gc.get_threshold()
            gc.set_threshold(max(GC_YOUNG_THRESHOLD, young), older, oldest)

    def enrich(self, article: ArticleFetched) -> ArticleEnriched:
        """Enrich one fetched article. Raises only :class:`EnrichmentError` (see module docstring)."""
        hint = article.language_hint or article.html_lang
        title = " ".join(article.title.split()) if article.title else None
        if len(article.text) > MAX_TEXT_CHARS:
            raise EnrichmentError(f"article text has {len(article.text)} characters (limit {MAX_TEXT_CHARS})")
        text = self._step("boilerplate", clean_text, article.text, hint)
        if not _LETTERS.search(text):
            raise EnrichmentError("article text is empty after boilerplate removal")
        language: Language = self._step("language", self._language.detect, text, title, hint)
        lang = language.code if language.code != "und" else None
        full = f"{title}\n\n{text}" if title else text
        entities: list[Entity] = self._step("entities", self._extract_entities, full, lang or "und")
        topics: list[Topic] = self._step("topics", self._classify_topics, title, text, lang or "und")
        title_analysed = self._step("analysis", AnalysedText.of, title, lang) if title else None
        body: AnalysedText = self._step("analysis", AnalysedText.of, text, lang)
        keywords = self._step("keywords", keywords_of, title_analysed, body, KEYWORDS, entities)
        signature = self._step("signature", signature_of, title_analysed, body)
        terms = (title_analysed.terms if title_analysed else []) + body.terms
        data = article.model_dump()
        data.update(
            title=title,
            text=text,
            language=language,
            entities=entities,
            topics=topics,
            keywords=keywords,
            signature=signature,
            terms=terms,
            enricher_version=ENRICHER_VERSION,
        )
        try:
            return ArticleEnriched.model_validate(data)
        except ValidationError as exc:
            raise EnrichmentError(f"enriched event does not validate: {exc}") from exc

    @staticmethod
    def _step(name: str, func: Callable[..., Any], *args: Any) -> Any:
        try:
            return func(*args)
        except EnrichmentError:
            raise
        except Exception as exc:
            raise EnrichmentError(f"{name} step failed: {type(exc).__name__}: {exc}") from exc

    def enrich_text(self, text: str, title: str | None = None, **fields: Any) -> ArticleEnriched:
        """Enrich a bare text (tests, the CLI): wraps it in an ``ArticleFetched`` from a local source."""
        return self.enrich(article_from_record({"text": text, "title": title, **fields}))

    def enrich_record(self, record: dict[str, Any], *, with_terms: bool = False) -> dict[str, Any]:
        """``{"id"?, "title"?, "text", "url"?, "language_hint"?}`` → a JSON-ready dict with id, url,
        title, cleaned text, language, entities, topics, keywords, signature and enricher_version
        (and terms when asked). Raises :class:`EnrichmentError` for an unusable record."""
        enriched = self.enrich(article_from_record(record))
        keep = {
            "id", "url", "title", "text", "language", "entities", "topics", "keywords", "signature",
            "enricher_version",
        }  # fmt: skip
        if with_terms:
            keep.add("terms")
        return enriched.model_dump(mode="json", include=keep)


def article_from_record(record: dict[str, Any]) -> ArticleFetched:
    """Build an ``ArticleFetched`` from a loose JSON record (the ``warta enrich`` input format).

    ``text`` is required and must be a non-empty string; ``id`` defaults to the deterministic id
    of the URL, or of the text for URL-less records. Raises :class:`EnrichmentError` otherwise.
    """
    if not isinstance(record, dict):
        raise EnrichmentError(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise EnrichmentError('record needs a non-empty string "text"')
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise EnrichmentError('"title" must be a string when present')
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        raise EnrichmentError('"url" must be a string when present')
    digest = content_hash(text)
    raw_id = record.get("id")
    ident = str(raw_id) if raw_id not in (None, "") else article_id(url, "cli", digest)
    hint = record.get("language_hint") or record.get("lang")
    return ArticleFetched(
        id=ident,
        url=url,
        canonical_url=url,
        source=SourceRef(id="cli", name="warta enrich", kind="local"),
        title=title or None,
        text=text,
        language_hint=hint if isinstance(hint, str) else None,
        content_hash=digest or hashlib.sha256(b"").hexdigest(),
    )
