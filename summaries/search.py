"""Full-text search over stored articles: a small query language compiled to safe FTS5.

People type anything into a search box (`C++`, `e-mail`, a lone `"`, `NEAR`, emoji), and FTS5's
own syntax turns much of that into errors. So the user's text is never handed to FTS5: it is
split here into words the way FTS5's `unicode61` tokenizer splits them, and every term is emitted
as a double-quoted FTS5 string, joined by our own AND / OR / NOT. No input can produce an FTS5
syntax error.

Query language (documented for users in the README):

    climate summit        both words (AND is implicit)
    "climate summit"      the exact phrase
    climate OR weather    either word (OR in capitals)
    -sport                leave out articles containing the word (or "-a phrase")
    elect*                words starting with "elect"
    source:bbc            only sources whose name starts with "bbc" (any case; quote spaces)
    since:7d              published (or fetched) in the last 7 days; h, d, w, m (30 days), y
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from summaries.articles import get_articles
from summaries.errors import QueryError
from summaries.models import StoredArticle
from summaries.store import Database, to_db, utcnow

MAX_TERMS = 20
MAX_MATCHES = 2000
"""Only the newest this many matches of a query are ranked (and counted)."""
"""Terms beyond this are dropped: a 4,000-character paste must not become a 1,000-term query."""

_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}
_SINCE = re.compile(r"(\d{1,5})\s*([hdwmy])", re.IGNORECASE)
_START, _END = "\x02", "\x03"
BM25_WEIGHTS = (10.0, 4.0, 1.0)
"""Title, summary, body: a word in the headline says more than one deep in the text."""


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word, or an exact phrase when it has several words."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """This term as a quoted FTS5 string (quotes cannot occur inside: they split words)."""
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed query: AND of groups, each group an OR of terms, minus the excluded terms."""

    text: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    source: str | None = None
    since: timedelta | None = None

    def fts(self) -> str | None:
        """The safe FTS5 MATCH expression, or None when the query has no words to match."""
        if not self.groups:
            return None
        parts = [
            group[0].fts() if len(group) == 1 else "(" + " OR ".join(t.fts() for t in group) + ")"
            for group in self.groups
        ]
        expression = " AND ".join(parts)
        if self.excluded:
            expression += " NOT (" + " OR ".join(t.fts() for t in self.excluded) + ")"
        return expression

    @property
    def is_empty(self) -> bool:
        """True when there is nothing at all to search for or filter by."""
        return not (self.groups or self.excluded or self.source or self.since)


def _is_token_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LN" or category == "Co" or "\u0300" <= ch <= "\u036f"


def tokenize(text: str) -> list[str]:
    """Lower-cased words, split where FTS5's unicode61 tokenizer splits (punctuation, symbols)."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_token_char(ch):
            current.append(ch)
        elif current:
            words.append("".join(current).lower())
            current = []
    if current:
        words.append("".join(current).lower())
    return words


@dataclass(frozen=True)
class _Item:
    kind: str  # "term", "or", "and", "source", "since"
    raw: str = ""
    negated: bool = False
    prefix: bool = False


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    """The text after the quote at `i` up to the closing quote (or the end), and the next index."""
    end = text.find('"', i + 1)
    if end < 0:
        return text[i + 1 :], len(text)
    return text[i + 1 : end], end + 1


def _lex(text: str) -> list[_Item]:
    items: list[_Item] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        i += negated
        if text[i] == '"':
            raw, i = _read_quoted(text, i)
            prefix = i < n and text[i] == "*"
            i += prefix
            items.append(_Item("term", raw, negated, prefix=prefix))
            continue
        start = i
        while i < n and not text[i].isspace():
            key = text[start:i].lower()
            if text[i] == '"' and not negated and key in ("source:", "since:"):
                value, i = _read_quoted(text, i)
                items.append(_Item(key[:-1], value))
                break
            i += 1
        else:
            items.append(_word(text[start:i], negated))
    return items


def _word(word: str, negated: bool) -> _Item:
    if not negated and word in ("OR", "AND"):
        return _Item(word.lower(), word)
    key, _, value = word.partition(":")
    if not negated and value and key.lower() in ("source", "since"):
        return _Item(key.lower(), value)
    stripped = word.rstrip("*")
    return _Item("term", stripped, negated, prefix=stripped != word)


def _since(value: str) -> timedelta | None:
    match = _SINCE.fullmatch(value.strip())
    if not match:
        return None
    days = int(match[1]) * _UNITS[match[2].lower()]
    return timedelta(days=min(days, 100 * 365))


def parse_query(text: str) -> Query:
    """Parse what a person typed. Odd text never raises; it just becomes words.

    Raises `QueryError` only for a query that could never match: exclusions with nothing to
    look for.
    """
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    source: str | None = None
    since: timedelta | None = None
    joining = False
    for item in _lex(text):
        if item.kind in ("or", "and") and groups:
            joining = item.kind == "or"
            continue
        if item.kind == "source" and item.raw.strip():
            source = item.raw.strip()
            continue
        if item.kind == "since" and _since(item.raw) is not None:
            since = _since(item.raw)
            continue
        plain = item.kind in ("term", "or", "and")
        words = tuple(tokenize(item.raw if plain else f"{item.kind} {item.raw}"))
        if not words or len(excluded) + sum(map(len, groups)) >= MAX_TERMS:
            continue
        term = Term(words, prefix=item.prefix)
        if item.negated:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if excluded and not groups:
        raise QueryError("Add at least one word to look for: a search cannot be only -exclusions.")
    return Query(text, tuple(tuple(g) for g in groups), tuple(excluded), source, since)


Snippet = tuple[tuple[str, bool], ...]
"""A short passage as (text, is_match) segments, so each edge can mark matches its own way."""


@dataclass(frozen=True)
class SearchHit:
    """One result: the article, a passage with the matched words marked, and its relevance."""

    article: StoredArticle
    snippet: Snippet
    score: float
    """Higher is more relevant (negated bm25); 0 when the query had no words."""


@dataclass(frozen=True)
class SearchPage:
    """One page of results and the total number of matches, for paging."""

    hits: tuple[SearchHit, ...]
    total: int
    offset: int
    limit: int


def _filters(query: Query, now: datetime) -> tuple[str, list[Any]]:
    """SQL conditions on `articles a` for source: and since:."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.source:
        escaped = query.source.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("lower(a.source_name) LIKE ? ESCAPE '\\'")
        params.append(escaped + "%")
    if query.since is not None:
        clauses.append("coalesce(a.published_at, a.fetched_at) >= ?")
        params.append(to_db(now - query.since))
    return "".join(f" AND {c}" for c in clauses), params


def _base(query: Query, now: datetime) -> tuple[str, list[Any]]:
    """FROM ... WHERE ... selecting the matching articles (FTS joined when there are words)."""
    where, params = _filters(query, now)
    expression = query.fts()
    if expression is None:
        return " FROM articles a WHERE 1" + where, params
    return (
        " FROM article_fts JOIN articles a ON a.id = article_fts.rowid"
        " WHERE article_fts MATCH ?" + where,
        [expression, *params],
    )


def search(
    db: Database,
    query: str | Query,
    *,
    limit: int = 5,
    offset: int = 0,
    now: datetime | None = None,
) -> SearchPage:
    """The best matches first (bm25: title over summary over body), newest first among equals.

    Only the newest `MAX_MATCHES` matching articles are ranked and counted, which keeps a
    query for a very common word as fast as one for a rare word on a large archive (news is
    looked for while it is recent). `total` is therefore at most `MAX_MATCHES`.
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    if parsed.is_empty:
        raise QueryError('Nothing to search for: type some words, "a phrase", or source:NAME.')
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    base, params = _base(parsed, now or utcnow())
    if parsed.fts() is None:
        key, score = "a.id", "0.0"
    else:
        key, score = "article_fts.rowid", "-bm25(article_fts, {}, {}, {})".format(*BM25_WEIGHTS)
    rows = db.execute(
        f"SELECT id, score, count(*) OVER () FROM (SELECT {key} AS id, {score} AS score,"  # noqa: S608
        f" coalesce(a.published_at, a.fetched_at) AS at{base}"
        f" ORDER BY {key} DESC LIMIT {MAX_MATCHES})"
        " ORDER BY score DESC, at DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    scores = {int(row[0]): float(row[1]) for row in rows}
    total = int(rows[0][2]) if rows else _count(db, base, params) if offset else 0
    ids = list(scores)
    snippets = _snippets(db, parsed, ids)
    hits = tuple(
        SearchHit(article, snippets.get(article.id) or _plain(article), scores[article.id])
        for article in get_articles(db, ids)
    )
    return SearchPage(hits, total, offset, limit)


def _count(db: Database, base: str, params: list[Any]) -> int:
    """The capped number of matches, for a page past the end (which has no rows to count on)."""
    sql = f"SELECT count(*) FROM (SELECT 1{base} LIMIT {MAX_MATCHES})"  # noqa: S608
    return int(db.execute(sql, params).fetchone()[0])


def _snippets(db: Database, query: Query, ids: list[int]) -> dict[int, Snippet]:
    """Marked passages for `ids`: from the summary if it matched, else from the body."""
    expression = query.fts()
    if expression is None:
        return {}
    result: dict[int, Snippet] = {}
    for article_id in ids:
        row = db.execute(
            "SELECT snippet(article_fts, 1, ?, ?, '…', 24), snippet(article_fts, 2, ?, ?, '…', 24)"
            " FROM article_fts WHERE article_fts MATCH ? AND rowid = ?",
            [_START, _END, _START, _END, expression, article_id],
        ).fetchone()
        if row is not None:
            summary, body = row
            result[article_id] = _segments(
                summary if _START in summary or _START not in body else body
            )
    return result


def _segments(marked: str) -> Snippet:
    segments: list[tuple[str, bool]] = []
    for part in marked.split(_START):
        match, _, rest = part.rpartition(_END) if _END in part else ("", "", part)
        if match:
            segments.append((match, True))
        if rest:
            segments.append((rest, False))
    return tuple(segments)


def _plain(article: StoredArticle) -> Snippet:
    text = " ".join(article.summary)
    return ((text[:200] + "…" if len(text) > 200 else text, False),) if text else ()


def matching_article_ids(
    db: Database, query: Query, article_ids: Sequence[int], *, now: datetime | None = None
) -> set[int]:
    """Which of `article_ids` match `query` (topic alerts check each batch of new articles).

    The id range bounds the FTS scan, so the cost follows the batch, not the whole archive.
    """
    ids = sorted(set(article_ids))
    if not ids or query.is_empty:
        return set()
    base, params = _base(query, now or utcnow())
    column = "a.id" if query.fts() is None else "article_fts.rowid"
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT a.id{base} AND {column} BETWEEN ? AND ? AND a.id IN ({marks})",
        [*params, ids[0], ids[-1], *ids],
    ).fetchall()
    return {int(r[0]) for r in rows}
