"""Queries about stored articles: deduplication, atomic insertion with search entry, reading."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from summaries.errors import NotFoundError
from summaries.folding import folded_text
from summaries.models import Article, StoredArticle, Summary
from summaries.store import Database, from_db, to_db, utcnow
from summaries.tombstones import identity_checks, is_tombstoned


def text_hash(text: str) -> str:
    """A fingerprint of an article's words, blind to case, spacing and punctuation."""
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def find_duplicate(
    db: Database,
    *,
    source_id: int | None = None,
    guid: str | None = None,
    canonical_url: str | None = None,
    fingerprint: str | None = None,
) -> int | None:
    """The id of an article already stored under this guid, canonical URL or text hash."""
    checks = identity_checks(
        source_id=source_id, guid=guid, canonical_url=canonical_url, fingerprint=fingerprint
    )
    for where, params in checks:
        row = db.execute(f"SELECT id FROM articles WHERE {where}", params).fetchone()  # noqa: S608
        if row:
            return int(row[0])
    return None


def insert_article(
    db: Database,
    article: Article,
    summary: Summary,
    *,
    canonical_url: str,
    source_id: int | None,
    source_name: str,
    content_origin: str,
    guid: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Store an article, its summary and its search entry in one transaction.

    Returns the new id, or None when a duplicate (same guid, canonical URL or text) is already
    stored, or was stored and pruned (a tombstone): the unique constraints decide, so two
    ingesters racing cannot store one story twice, and a crash mid-way leaves either the whole
    article or nothing.
    """
    fingerprint = text_hash(article.text)
    moment = to_db(now or utcnow())
    try:
        with db.conn:
            if is_tombstoned(
                db,
                source_id=source_id,
                guid=guid,
                canonical_url=canonical_url,
                fingerprint=fingerprint,
            ):
                return None
            cursor = db.execute(
                "INSERT INTO articles (source_id, source_name, guid, url, canonical_url, title,"
                " byline, published_at, fetched_at, text, text_hash, language, content_origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source_id,
                    source_name,
                    guid,
                    article.url or canonical_url,
                    canonical_url,
                    article.title,
                    article.byline,
                    to_db(article.published),
                    moment,
                    article.text,
                    fingerprint,
                    summary.language,
                    content_origin,
                ],
            )
            article_id = int(cursor.lastrowid or 0)
            db.execute(
                "INSERT INTO summaries (article_id, method, language, sentences, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    article_id,
                    summary.method,
                    summary.language,
                    json.dumps(list(summary.sentences), ensure_ascii=False),
                    moment,
                ],
            )
            _index(db, article_id, article.title, " ".join(summary.sentences), article.text)
    except sqlite3.IntegrityError:
        return None
    return article_id


def _index(db: Database, article_id: int, title: str, summary: str, body: str) -> None:
    """The article's search entry; `folded` only when it has ł, ß, έ... (else it stays NULL)."""
    row = {"rowid": article_id, "title": title, "summary": summary, "body": body}
    folded = folded_text(title, summary, body)
    if folded:
        row["folded"] = folded
    db.execute(
        f"INSERT INTO article_fts ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
        list(row.values()),
    )


_ARTICLE_SELECT = """
    SELECT a.id, a.url, a.title, a.source_id, a.source_name, a.published_at, a.fetched_at,
           a.byline, a.language, a.content_origin, a.cluster_id,
           s.sentences, s.method
    FROM articles a JOIN summaries s ON s.article_id = a.id
"""


def stored_article(row: dict[str, Any]) -> StoredArticle:
    """Build a `StoredArticle` from a row selected with the columns of `_ARTICLE_SELECT`."""
    return StoredArticle(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        source_id=row["source_id"],
        source_name=row["source_name"],
        published_at=from_db(row["published_at"]),
        fetched_at=from_db(row["fetched_at"]) or utcnow(),
        summary=tuple(json.loads(row["sentences"])),
        method=row["method"],
        language=row["language"],
        byline=row["byline"],
        content_origin=row["content_origin"],
        cluster_id=row["cluster_id"],
    )


def get_article(db: Database, article_id: int) -> StoredArticle:
    """One stored article with its summary."""
    rows = list(db.query(_ARTICLE_SELECT + " WHERE a.id = ?", [article_id]))
    if not rows:
        raise NotFoundError(f"No article with id {article_id}.")
    return stored_article(rows[0])


def get_articles(db: Database, ids: Iterable[int]) -> list[StoredArticle]:
    """Stored articles by id, in the order given (missing ids are skipped)."""
    wanted = list(ids)
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    found = {
        r["id"]: stored_article(r)
        for r in db.query(_ARTICLE_SELECT + f" WHERE a.id IN ({marks})", wanted)
    }
    return [found[i] for i in wanted if i in found]


def source_name_filter(name: str) -> tuple[str, list[Any]]:
    """SQL on `articles a` for "the source's name starts with `name`", in any case and script."""
    escaped = name.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "casefold(a.source_name) LIKE ? ESCAPE '\\'", [escaped + "%"]


def latest_articles(
    db: Database, *, limit: int = 5, source: str | None = None
) -> list[StoredArticle]:
    """The newest stored articles (by publication time, else fetch time), optionally one source's.

    `source` matches a source's name, or the start of it, in any case (as `source:` in search).
    """
    where, params = "", []
    if source:
        clause, values = source_name_filter(source)
        where, params = " WHERE " + clause, values
    rows = db.query(
        _ARTICLE_SELECT
        + where
        + " ORDER BY coalesce(a.published_at, a.fetched_at) DESC, a.id DESC LIMIT ?",
        [*params, limit],
    )
    return [stored_article(r) for r in rows]


def article_text(db: Database, article_id: int) -> str:
    """The full clean text of a stored article (for re-summarising and clustering)."""
    row = db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise NotFoundError(f"No article with id {article_id}.")
    return str(row[0])
