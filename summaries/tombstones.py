"""Tombstones: what pruned articles leave behind, so deduplication still knows them.

Kept apart from `summaries.retention` (which writes them) because `summaries.articles` reads
them, and retention itself depends on clustering, which depends on articles.
"""

from __future__ import annotations

from datetime import datetime

from summaries.store import Database, to_db


def identity_checks(
    *,
    source_id: int | None = None,
    guid: str | None = None,
    canonical_url: str | None = None,
    fingerprint: str | None = None,
) -> list[tuple[str, list[object]]]:
    """The ways an article is known again, as (SQL condition, parameters): its guid within its
    source, its canonical URL, its text hash. Live articles (`articles.find_duplicate`) and
    tombstones are looked up the same way; the columns have the same names in both tables."""
    checks: list[tuple[str, list[object]]] = []
    if guid and source_id is not None:
        checks.append(("source_id = ? AND guid = ?", [source_id, guid]))
    if canonical_url:
        checks.append(("canonical_url = ?", [canonical_url]))
    if fingerprint:
        checks.append(("text_hash = ?", [fingerprint]))
    return checks


def is_tombstoned(
    db: Database,
    *,
    source_id: int | None = None,
    guid: str | None = None,
    canonical_url: str | None = None,
    fingerprint: str | None = None,
) -> bool:
    """Whether a pruned article had this guid (in this source), canonical URL or text hash."""
    checks = identity_checks(
        source_id=source_id, guid=guid, canonical_url=canonical_url, fingerprint=fingerprint
    )
    return any(
        db.execute(
            f"SELECT 1 FROM article_tombstones WHERE {where} LIMIT 1",  # noqa: S608
            params,
        ).fetchone()
        for where, params in checks
    )


def pruned_titles(db: Database, fingerprint: str) -> list[tuple[int | None, str]]:
    """(source id, title) of the pruned articles with this text hash.

    The ingester's paywall check asks "did another story of this source have this text?";
    after the first such story is pruned, only its tombstone can still answer.
    """
    return [
        (r[0], str(r[1]))
        for r in db.execute(
            "SELECT source_id, title FROM article_tombstones WHERE text_hash = ?", [fingerprint]
        ).fetchall()
    ]


def seen_again(
    db: Database, *, source_id: int, guid: str | None, canonical_url: str, now: datetime
) -> None:
    """A feed still lists this pruned item: its tombstone's clock (`deleted_at`) starts again.

    Tombstones expire a year after that clock (`retention.TOMBSTONE_KEEP`). A slow feed (a
    monthly column, a blog) can list an item for longer than that; counting from the last time
    a feed showed it, not from the deletion, keeps it from coming back as new and alerted.
    """
    with db.conn:
        db.execute(
            "UPDATE article_tombstones SET deleted_at = ?"
            " WHERE canonical_url = ? OR (source_id = ? AND guid = ?)",
            [to_db(now), canonical_url, source_id, guid],
        )
