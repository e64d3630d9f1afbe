"""The query language shared by search and subscriptions (ARCHITECTURE §5).

    q := or ;  or := and ("OR" and)* ;  and := unary (["AND"] unary)* ;
    unary := ("NOT" | "-") unary | primary ;
    primary := "(" or ")" | FIELD ":" (WORD | "PHRASE") | "PHRASE" | WORD

Adjacent terms are ANDed (as in every news search box). Fields: ``lang``, ``topic``, ``entity``,
``source``. A query is parsed into a small typed tree that is compiled two ways: to an
Elasticsearch query (:func:`compile_es`) and to the stream matcher (:func:`match_article`). Both
read the same analysed terms and the same derived keys (:func:`article_keys`), so a subscription
matches exactly the articles the same query finds in search.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import regex

from warta.analysis.analyzer import (
    STEMMERS,
    analyze_with_offsets,
    fold,
    normalize_lang,
    term_forms,
    terms_for_language,
    tokenize,
)

FIELDS = ("lang", "topic", "entity", "source")
MAX_QUERY_CHARS = 2000
MAX_CLAUSES = 64


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int, expected: str | None = None) -> None:
        self.message = message
        self.position = position
        self.expected = expected
        super().__init__(
            f"{message} at position {position}" + (f" (expected {expected})" if expected else "")
        )


# --------------------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Terms:
    """Words that must appear; more than one word (or a quoted phrase) means in this order."""

    words: tuple[str, ...]
    phrase: bool = False

    @property
    def display(self) -> str:
        text = " ".join(self.words)
        return f'"{text}"' if self.phrase else text


@dataclass(frozen=True)
class FieldFilter:
    field: str
    value: str


@dataclass(frozen=True)
class And:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class Not:
    child: Query


Query = Terms | FieldFilter | And | Or | Not


# ------------------------------------------------------------------------------------- lexer

_LEX = regex.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"[^"]*"?)
  | (?P<field>[A-Za-z_]+):(?=\S)
  | (?P<minus>-(?=[^\s\-]))
  | (?P<word>[^\s()"]+)
    """,
    regex.VERBOSE,
)


_VALUE = regex.compile(r'[^\s()"]+')


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _LEX.match(text, pos)
        if m is None:  # pragma: no cover - the word alternative matches any non-space
            raise QuerySyntaxError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup or ""
        value = m.group(kind) if kind == "field" else m.group()
        if toks and toks[-1].kind == "field" and kind not in ("ws", "phrase"):
            # a field's value is taken whole, colons included ("topic:medtop:11000000")
            value = _VALUE.match(text, pos).group()  # type: ignore[union-attr]
            toks.append(_Tok("word", value, pos))
            pos += len(value)
            continue
        if kind == "phrase" and (len(value) < 2 or not value.endswith('"')):
            raise QuerySyntaxError("unterminated phrase", m.start(), 'closing "')
        if kind == "word" and value in ("AND", "OR", "NOT"):
            kind = value.lower()
        if kind == "field" and value.lower() not in FIELDS:
            raise QuerySyntaxError(
                f"unknown field '{value}:'", m.start(), "one of " + ", ".join(f"{f}:" for f in FIELDS)
            )
        if kind != "ws":
            toks.append(_Tok(kind, value, m.start()))
        pos = m.end()
    return toks


# ------------------------------------------------------------------------------------ parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.i = 0
        self.clauses = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def end_pos(self) -> int:
        return len(self.text)

    def parse(self) -> Query:
        if not self.toks:
            raise QuerySyntaxError("empty query", 0, "a word, a phrase or a field filter")
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError(f"unexpected {tok.text!r}", tok.pos, "AND, OR or the end of the query")
        return node

    def parse_or(self) -> Query:
        children = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Query:
        children = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.take()
            children.append(self.parse_unary())
        children = [c for c in children if not (isinstance(c, Terms) and not c.words)]
        if not children:
            raise QuerySyntaxError("query has no searchable words", 0, "a word with letters or digits")
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Query:
        tok = self.peek()
        if tok is not None and tok.kind in ("not", "minus"):
            self.take()
            if self.peek() is None:
                raise QuerySyntaxError(f"nothing after {tok.text!r}", self.end_pos(), "a term to exclude")
            return Not(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self) -> Query:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("query ends too early", self.end_pos(), "a word, a phrase or '('")
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"too many terms (at most {MAX_CLAUSES})", tok.pos)
        if tok.kind == "lparen":
            self.take()
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "rparen":
                where = close.pos if close is not None else self.end_pos()
                raise QuerySyntaxError("missing closing parenthesis", where, "')'")
            self.take()
            return node
        if tok.kind == "field":
            self.take()
            name = tok.text.lower()
            value_tok = self.peek()
            if value_tok is None or value_tok.kind not in ("word", "phrase"):
                where = value_tok.pos if value_tok is not None else self.end_pos()
                raise QuerySyntaxError(f"field {name}: needs a value", where, "a word or a quoted phrase")
            self.take()
            value = value_tok.text.strip('"') if value_tok.kind == "phrase" else value_tok.text
            if not value.strip():
                raise QuerySyntaxError(f"field {name}: needs a value", value_tok.pos, "a non-empty value")
            return FieldFilter(name, value.strip())
        if tok.kind == "phrase":
            self.take()
            words = tuple(t for t, _, _ in tokenize(tok.text[1:-1]))
            if not words:
                raise QuerySyntaxError("empty phrase", tok.pos, "words inside the quotes")
            return Terms(words, phrase=True)
        if tok.kind == "word":
            self.take()
            words = tuple(t for t, _, _ in tokenize(tok.text))
            return Terms(words, phrase=len(words) > 1)
        if tok.kind == "rparen":
            raise QuerySyntaxError("unexpected ')'", tok.pos, "a word, a phrase or '('")
        raise QuerySyntaxError(f"unexpected {tok.text!r}", tok.pos, "a word, a phrase or '('")


def parse_query(text: str) -> Query:
    """Parse a query string; raises :class:`QuerySyntaxError` with position and expectation."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS)
    return _Parser(text).parse()


def positive_terms(query: Query) -> list[Terms]:
    """The Terms nodes not under a NOT (what a match shows and highlights)."""
    out: list[Terms] = []

    def walk(node: Query, negated: bool) -> None:
        if isinstance(node, Terms):
            if not negated:
                out.append(node)
        elif isinstance(node, And | Or):
            for child in node.children:
                walk(child, negated)
        elif isinstance(node, Not):
            walk(node.child, not negated)

    walk(query, False)
    return out


# ------------------------------------------------------------------------ derived article keys


class ArticleLike(Protocol):
    """What matching needs of an article (``ArticleEnriched``/``ArticleIndexed`` qualify)."""

    terms: list[str]
    language: Any
    entities: list[Any]
    topics: list[Any]
    source: Any
    url: str | None
    canonical_url: str | None


def entity_key(value: str) -> str:
    """Filter key of an entity name or id: folded and space-normalised (``Q37134`` → ``q37134``)."""
    return " ".join(fold(w) for w in value.split())


def topic_key(value: str) -> str:
    """Filter key of a topic: an IPTC code as-is (folded), else the resolved code of a label."""
    resolved = _resolve_topic(value)
    return fold(resolved or value)


def _resolve_topic(value: str) -> str | None:
    try:
        from warta.enrichment.topics import resolve_topic
    except ImportError:  # the topics module is optional for the parser itself
        return None
    try:
        return resolve_topic(value)
    except Exception:
        return None


def source_key(value: str) -> str:
    value = value.strip().casefold()
    if "://" in value:
        from urllib.parse import urlsplit

        value = urlsplit(value).hostname or value
    return value[4:] if value.startswith("www.") else value


@dataclass(frozen=True)
class ArticleKeys:
    """Filterable keys of one article; indexed into ES and used by the stream matcher alike."""

    language: str
    entity_keys: tuple[str, ...]
    topic_keys: tuple[str, ...]
    source_keys: tuple[str, ...]


def _lang_code(article: ArticleLike) -> str:
    lang = article.language
    code = lang.get("code") if isinstance(lang, dict) else getattr(lang, "code", None)
    return (code or "und").lower()


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def article_keys(article: ArticleLike) -> ArticleKeys:
    entities: set[str] = set()
    for ent in article.entities:
        for value in (_get(ent, "canonical"), _get(ent, "text"), _get(ent, "kb_id")):
            if value:
                entities.add(entity_key(value))
    topics: set[str] = set()
    for top in article.topics:
        code = _get(top, "code")
        if code:
            topics.add(fold(code))
            # a second-level code also files the article under its top-level parent
            for ancestor in _ancestor_topics(code):
                topics.add(fold(ancestor))
        label = _get(top, "label")
        if label:
            topics.add(fold(label))
    sources: set[str] = set()
    src = article.source
    for value in (
        _get(src, "id"),
        _get(src, "name"),
        _get(src, "feed_url"),
        article.url,
        article.canonical_url,
    ):
        if value:
            sources.add(source_key(value))
    return ArticleKeys(
        _lang_code(article), tuple(sorted(entities)), tuple(sorted(topics)), tuple(sorted(sources))
    )


def _ancestor_topics(code: str) -> list[str]:
    """IPTC ancestors of ``code`` (parent first); empty when the taxonomy does not know it."""
    try:
        from warta.enrichment.topics import mediatopic
    except ImportError:  # the parser and matcher work without the enrichment package
        return []
    out: list[str] = []
    node = mediatopic(code)
    while node is not None and node.parent is not None and len(out) < 8:
        out.append(node.parent)
        node = mediatopic(node.parent)
    return out


# ------------------------------------------------------------------------------ stream matcher


@dataclass
class _Doc:
    lang: str
    terms: Sequence[str]
    positions: dict[str, list[int]]
    keys: ArticleKeys
    matched: list[str] = field(default_factory=list)


def _prepare(article: ArticleLike) -> _Doc:
    positions: dict[str, list[int]] = {}
    for i, t in enumerate(article.terms):
        positions.setdefault(t, []).append(i)
    keys = article_keys(article)
    return _Doc(keys.language, article.terms, positions, keys)


def _has_sequence(doc: _Doc, seq: tuple[str, ...]) -> bool:
    if not seq:
        return False
    starts = doc.positions.get(seq[0])
    if not starts:
        return False
    if len(seq) == 1:
        return True
    n = len(doc.terms)
    for s in starts:
        if s + len(seq) <= n and all(doc.terms[s + k] == seq[k] for k in range(1, len(seq))):
            return True
    return False


def _field_matches(node: FieldFilter, keys: ArticleKeys) -> bool:
    if node.field == "lang":
        return keys.language == node.value.lower()
    if node.field == "topic":
        return topic_key(node.value) in keys.topic_keys
    if node.field == "entity":
        return entity_key(node.value) in keys.entity_keys
    return source_key(node.value) in keys.source_keys


def _eval(node: Query, doc: _Doc, collect: bool) -> bool:
    if isinstance(node, Terms):
        seq = terms_for_language(node.words, doc.lang)
        hit = _has_sequence(doc, seq)
        if hit and collect:
            doc.matched.append(" ".join(node.words))
        return hit
    if isinstance(node, FieldFilter):
        return _field_matches(node, doc.keys)
    if isinstance(node, And):
        results = [_eval(c, doc, collect) for c in node.children]
        return all(results)
    if isinstance(node, Or):
        results = [_eval(c, doc, collect) for c in node.children]
        return any(results)
    return not _eval(node.child, doc, False)


class PreparedArticle:
    """An article with its matching structures built once, for matching many queries.

    ``prepare_article(a).match(q)`` equals ``match_article(q, a)``; the alerter uses it to test
    one article against every candidate subscription.
    """

    def __init__(self, article: ArticleLike) -> None:
        self.article = article
        self._doc = _prepare(article)

    @property
    def keys(self) -> ArticleKeys:
        return self._doc.keys

    def match(self, query: Query) -> list[str] | None:
        """Matched query words (deduplicated, in query order), or None when it does not match."""
        self._doc.matched = []
        if not _eval(query, self._doc, True):
            return None
        return list(dict.fromkeys(self._doc.matched))

    def passes(self, filters: Any) -> bool:
        """:func:`filters_match` without recomputing the article's keys."""
        return _filters_pass(Filters.of(filters), self._doc.keys)


def prepare_article(article: ArticleLike) -> PreparedArticle:
    return PreparedArticle(article)


def match_article(query: Query, article: ArticleLike) -> list[str] | None:
    """Matched query words (deduplicated, in query order) if ``article`` matches, else None."""
    return PreparedArticle(article).match(query)


@dataclass(frozen=True)
class Filters:
    """Structured filters (subscription ``filters`` and search parameters); empty = no filter."""

    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, obj: Any) -> Filters:
        if obj is None:
            return cls()
        return cls(
            tuple(_get(obj, "languages") or ()),
            tuple(_get(obj, "topics") or ()),
            tuple(_get(obj, "entities") or ()),
            tuple(_get(obj, "sources") or ()),
        )


def filters_match(filters: Any, article: ArticleLike) -> bool:
    """True when ``article`` passes every non-empty filter group (any value within a group)."""
    return _filters_pass(Filters.of(filters), article_keys(article))


def _filters_pass(f: Filters, keys: ArticleKeys) -> bool:
    if not (f.languages or f.topics or f.entities or f.sources):
        return True
    if f.languages and keys.language not in {v.lower() for v in f.languages}:
        return False
    if f.topics and not {topic_key(v) for v in f.topics} & set(keys.topic_keys):
        return False
    if f.entities and not {entity_key(v) for v in f.entities} & set(keys.entity_keys):
        return False
    return not (f.sources and not {source_key(v) for v in f.sources} & set(keys.source_keys))


# ------------------------------------------------------------------------ Elasticsearch compile

_STEMMED = sorted(STEMMERS)


def _language_clause(languages: frozenset[str], other: bool) -> dict[str, Any]:
    should: list[dict[str, Any]] = []
    if languages:
        should.append({"terms": {"language.code": sorted(languages)}})
    if other:
        should.append({"bool": {"must_not": [{"terms": {"language.code": _STEMMED}}]}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _terms_es(node: Terms, field_name: str = "terms") -> dict[str, Any]:
    should = []
    for form in term_forms(node.words):
        if len(form.terms) == 1:
            match: dict[str, Any] = {"term": {field_name: form.terms[0]}}
        else:
            match = {"match_phrase": {field_name: {"query": " ".join(form.terms), "slop": 0}}}
        should.append({"bool": {"must": [match], "filter": [_language_clause(form.languages, form.other)]}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _field_es(node: FieldFilter) -> dict[str, Any]:
    if node.field == "lang":
        return {"term": {"language.code": node.value.lower()}}
    if node.field == "topic":
        return {"term": {"topic_keys": topic_key(node.value)}}
    if node.field == "entity":
        return {"term": {"entity_keys": entity_key(node.value)}}
    return {"term": {"source_keys": source_key(node.value)}}


def compile_es(query: Query, field: str = "terms") -> dict[str, Any]:
    """The Elasticsearch query equivalent to :func:`match_article` over the articles mapping.

    ``field`` is the analysed-terms field words are looked up in (``title_terms`` for boosting
    headline matches); filters and language restrictions are unaffected.
    """
    if isinstance(query, Terms):
        return _terms_es(query, field)
    if isinstance(query, FieldFilter):
        return {"bool": {"filter": [_field_es(query)]}}
    if isinstance(query, And):
        return {"bool": {"must": [compile_es(c, field) for c in query.children]}}
    if isinstance(query, Or):
        return {"bool": {"should": [compile_es(c, field) for c in query.children], "minimum_should_match": 1}}
    return {"bool": {"must_not": [compile_es(query.child, field)]}}


def filters_es(
    filters: Any = None,
    *,
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    entities: Iterable[str] = (),
    sources: Iterable[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """ES filter clauses for structured filters (a ``Filters``-like object and/or keyword lists)."""
    f = Filters.of(filters)
    langs = [v.lower() for v in (*f.languages, *languages)]
    tops = [topic_key(v) for v in (*f.topics, *topics)]
    ents = [entity_key(v) for v in (*f.entities, *entities)]
    srcs = [source_key(v) for v in (*f.sources, *sources)]
    out: list[dict[str, Any]] = []
    if langs:
        out.append({"terms": {"language.code": langs}})
    if tops:
        out.append({"terms": {"topic_keys": tops}})
    if ents:
        out.append({"terms": {"entity_keys": ents}})
    if srcs:
        out.append({"terms": {"source_keys": srcs}})
    if since or until:
        rng: dict[str, str] = {}
        if since:
            rng["gte"] = since.isoformat()
        if until:
            rng["lt"] = until.isoformat()
        # articles without a publication date are placed in time by when they were fetched
        out.append(
            {
                "bool": {
                    "should": [
                        {"range": {"published_at": rng}},
                        {
                            "bool": {
                                "must_not": [{"exists": {"field": "published_at"}}],
                                "filter": [{"range": {"fetched_at": rng}}],
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    return out


# --------------------------------------------------------------------------------- highlighting


def highlight(text: str, lang: str | None, query: Query, max_chars: int = 240) -> tuple[str, list[str]]:
    """A snippet of ``text`` around the first match with matched words wrapped in ``<em>``.

    Uses the same analyser as indexing, so what is highlighted is what matched. Returns the
    HTML-escaped snippet and the distinct matched surface words.
    """
    lang = normalize_lang(lang)
    wanted: set[str] = set()
    for node in positive_terms(query):
        wanted.update(terms_for_language(node.words, lang))
    spans = [(s, e) for t, s, e in analyze_with_offsets(text, lang) if t in wanted]
    if not spans:
        snippet = text[:max_chars].strip()
        return html.escape(snippet) + ("…" if len(text) > max_chars else ""), []
    first = spans[0][0]
    start = max(0, first - max_chars // 4)
    if start > 0:  # begin at a word boundary
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    matched: dict[str, None] = {}
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append("<em>" + html.escape(text[s:e]) + "</em>")
        matched.setdefault(text[s:e], None)
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).replace("\n", " "), list(matched)
