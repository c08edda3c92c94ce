"""Tombstones: what pruned articles leave behind, so deduplication still knows them.

Kept apart from `summaries.retention` (which writes them) because `summaries.articles` reads
them, and retention itself depends on clustering, which depends on articles.
"""

from __future__ import annotations

from summaries.store import Database


def is_tombstoned(
    db: Database,
    *,
    source_id: int | None = None,
    guid: str | None = None,
    canonical_url: str | None = None,
    fingerprint: str | None = None,
) -> bool:
    """Whether a pruned article had this guid (in this source), canonical URL or text hash."""
    checks: list[tuple[str, list[object]]] = []
    if guid and source_id is not None:
        checks.append(("source_id = ? AND guid = ?", [source_id, guid]))
    if canonical_url:
        checks.append(("canonical_url = ?", [canonical_url]))
    if fingerprint:
        checks.append(("text_hash = ?", [fingerprint]))
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
