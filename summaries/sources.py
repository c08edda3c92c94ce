"""Queries about news sources: adding, listing, removing, and their polling health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from summaries.clean import printable
from summaries.errors import NotFoundError, SourceError, typed
from summaries.models import Source
from summaries.store import Database, from_db, to_db, utcnow
from summaries.urls import canonical_url

_SOURCE_SELECT = """
    SELECT s.*, (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS article_count
    FROM sources s
"""


def _source(row: dict[str, Any]) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        name=row["name"],
        site_url=row["site_url"],
        enabled=bool(row["enabled"]),
        added_at=from_db(row["added_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_polled_at=from_db(row["last_polled_at"]),
        last_success_at=from_db(row["last_success_at"]),
        last_error=row["last_error"],
        last_error_at=from_db(row["last_error_at"]),
        consecutive_failures=row["consecutive_failures"],
        next_poll_at=from_db(row["next_poll_at"]),
        article_count=row.get("article_count", 0),
    )


def add_source(
    db: Database, url: str, name: str, *, site_url: str | None = None, now: datetime | None = None
) -> Source:
    """Store a new source, due for polling at once; refuses a URL that is already a source.

    URLs are compared canonically (host case, default port, fragment, `utm_*`...), so the same
    feed pasted or imported in another spelling is not polled, and its articles counted, twice.
    """
    wanted = canonical_url(url)
    for (known,) in db.execute("SELECT url FROM sources").fetchall():
        if canonical_url(known) == wanted:
            raise SourceError(f"{url} is already a source. {_LIST_HINT}")
    with db.conn:
        source_id = insert_source(db, url, name, site_url=site_url, now=now or utcnow())
    return get_source(db, source_id)


def insert_source(
    db: Database, url: str, name: str, *, site_url: str | None = None, now: datetime
) -> int:
    """Insert a source due at once and return its id, inside the caller's transaction.

    No duplicate check and no commit: for adding several sources all or none (the default set).
    """
    moment = to_db(now)
    cursor = db.execute(
        "INSERT INTO sources (url, name, site_url, added_at, next_poll_at) VALUES (?, ?, ?, ?, ?)",
        [url, name, site_url, moment, moment],
    )
    return int(cursor.lastrowid or 0)


_LIST_HINT = "See them all with /sources in Telegram or `newsbrief sources list`."
"""Where to look: these messages reach both the bot and the command line."""


def list_sources(db: Database, *, enabled_only: bool = False) -> list[Source]:
    """Every source with its health and article count, oldest first."""
    where = " WHERE s.enabled = 1" if enabled_only else ""
    return [_source(r) for r in db.query(_SOURCE_SELECT + where + " ORDER BY s.id")]


def get_source(db: Database, id_or_url: int | str) -> Source:
    """One source by numeric id, URL or name in any case; `NotFoundError` says how to list them."""
    key = printable(str(id_or_url).strip())  # a command line's undecodable bytes: U+FFFD
    # SQLite's largest integer has 19 digits; int() refuses over 4,300 of them with ValueError.
    if key.isascii() and key.isdigit() and len(key) <= 19 and int(key) < 2**63:
        rows = list(db.query(_SOURCE_SELECT + " WHERE s.id = ?", [int(key)]))
    else:
        rows = list(
            db.query(
                _SOURCE_SELECT + " WHERE s.url = ? OR casefold(s.name) = ?", [key, key.casefold()]
            )
        )
    if not rows:
        raise NotFoundError(f"No source {typed(key, 80)}. {_LIST_HINT}")
    return _source(rows[0])


def remove_source(db: Database, id_or_url: int | str) -> Source:
    """Delete a source; its stored articles stay searchable under the source's name."""
    source = get_source(db, id_or_url)
    with db.conn:
        db.execute("DELETE FROM sources WHERE id = ?", [source.id])
    return source


def due_sources(db: Database, now: datetime) -> list[Source]:
    """Enabled sources whose next poll time has come, the most overdue first."""
    rows = db.query(
        _SOURCE_SELECT
        + " WHERE s.enabled = 1 AND (s.next_poll_at IS NULL OR s.next_poll_at <= ?)"
        + " ORDER BY s.next_poll_at",
        [to_db(now)],
    )
    return [_source(r) for r in rows]


def record_poll_success(
    db: Database,
    source_id: int,
    *,
    now: datetime,
    next_poll_at: datetime,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """A poll worked (new items or a 304): reset the failure count and remember the validators."""
    with db.conn:
        db.execute(
            "UPDATE sources SET last_polled_at = ?, last_success_at = ?, consecutive_failures = 0,"
            " next_poll_at = ?, etag = ?, last_modified = ? WHERE id = ?",
            [to_db(now), to_db(now), to_db(next_poll_at), etag, last_modified, source_id],
        )


def record_poll_failure(
    db: Database, source_id: int, *, now: datetime, error: str, next_poll_at: datetime
) -> None:
    """A poll failed: record why, count it, and push the next poll back (the caller's back-off)."""
    with db.conn:
        db.execute(
            "UPDATE sources SET last_polled_at = ?, last_error = ?, last_error_at = ?,"
            " consecutive_failures = consecutive_failures + 1, next_poll_at = ? WHERE id = ?",
            [to_db(now), error[:500], to_db(now), to_db(next_poll_at), source_id],
        )
