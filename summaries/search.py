"""Full-text search over stored articles: ranking, filters, snippets and topic matching.

The query language itself (and why user text never reaches FTS5 unquoted) is in
`summaries.query`; its names are re-exported here, where callers have always imported them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from summaries.articles import get_articles, source_name_filter
from summaries.errors import QueryError
from summaries.models import StoredArticle
from summaries.query import Query, Term, parse_query, tokenize
from summaries.store import Database, to_db, utcnow

__all__ = [
    "BM25_WEIGHTS",
    "MAX_MATCHES",
    "Query",
    "SearchHit",
    "SearchPage",
    "Snippet",
    "Term",
    "matching_article_ids",
    "parse_query",
    "search",
    "tokenize",
]

MAX_MATCHES = 2000
"""Only the newest this many matches of a query are ranked (and counted)."""

_START, _END = "\x02", "\x03"
BM25_WEIGHTS = (10.0, 4.0, 1.0, 1.0)
"""Title, summary, body: a word in the headline says more than one deep in the text.

The fourth is the `folded` column (all three with ł, ß, έ... folded, `summaries.folding`),
which counts like the body: it only lets plain typing find those letters.
"""
_WEIGHTS = ", ".join(map(str, BM25_WEIGHTS))  # one per column, however many there are


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
        clause, values = source_name_filter(query.source)
        clauses.append(clause)
        params.extend(values)
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
    limit, offset = max(1, min(limit, 100)), max(0, min(offset, MAX_MATCHES))
    base, params = _base(parsed, now or utcnow())
    if parsed.fts() is None:
        key, score = "a.id", "0.0"
    else:
        key, score = "article_fts.rowid", f"-bm25(article_fts, {_WEIGHTS})"
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
    """Which of `article_ids` match `query`, asked of the search index itself.

    Topic alerts match in memory (`summaries.matching`), which must agree with this; the
    tests and benchmarks compare the two. The id range bounds the FTS scan, so the cost
    follows the batch, not the whole archive.
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
