"""Article retention: delete old stories with everything that belongs to them, leave tombstones.

Nothing else ever deletes an article, so without this the database grows by the whole feed
volume every day (about 11 MB a day at 2,000 articles). `prune_articles` deletes whole stories
fetched more than `keep_days` ago, in batches of `BATCH_SIZE` articles, one transaction each:
the bot's reads and the ingester's writes get the lock between batches, and a crash loses at
most the batch in flight, never half of one. SQLite reuses the freed pages for new articles,
so a steady flow keeps the file at a steady size without VACUUM.

Per article it deletes the summary, the search entry (`article_fts` has no foreign key), the
clustering signature (taking its terms out of the document frequencies and the signature count,
so IDF stays that of the stored signatures) and the deliveries; then the clusters left empty.
Deliveries may go because the tombstone takes over their job: the article can never be stored
again, so it can never be planned again.

A story goes only when every article of its cluster is old: a cluster's deliveries are what
keep its other outlets from being sent to a chat that already had the story, and its
signatures are what a late outlet is matched against. A story that keeps going (live updates
chaining for weeks) would then be kept for ever, so an article older than twice `keep_days`
goes regardless, and its cluster's summary is rebuilt from the members left. The newest
article is never deleted: SQLite gives a new row the largest id plus one, so an emptied table
would hand out ids below the alert cursor again, and those articles would never be alerted.

Tombstones keep the source, guid, canonical URL, text hash and title of each deleted article;
deduplication consults them as it does live rows. They are pruned `TOMBSTONE_KEEP` after a
feed last listed the item (`tombstones.seen_again` restarts the clock on every sighting), so an
item comes back only if no feed has shown it for a year.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np

from summaries.cluster import _SIGNATURES_KEY, _refresh_summary, signature_count
from summaries.store import Database, to_db

log = logging.getLogger(__name__)

BATCH_SIZE = 500
TOMBSTONE_KEEP = timedelta(days=365)

_CANDIDATES = """
    SELECT a.id FROM articles a
    WHERE a.fetched_at < :cutoff
      AND a.id < (SELECT max(id) FROM articles)
      AND (a.fetched_at < :hard_cutoff OR a.cluster_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM articles b
            WHERE b.cluster_id = a.cluster_id AND b.fetched_at >= :cutoff))
    ORDER BY a.id LIMIT :limit
"""


def prune_articles(
    db: Database, *, keep_days: int, now: datetime, batch_size: int = BATCH_SIZE
) -> int:
    """Delete the stories fetched more than `keep_days` before `now`; how many articles went.

    `keep_days` of 0 or less keeps everything (and touches nothing). Tombstones older than
    `TOMBSTONE_KEEP` are pruned too.
    """
    return sum(_prune_in_batches(db, keep_days=keep_days, now=now, batch_size=batch_size))


async def prune_articles_between_tasks(
    db: Database, *, keep_days: int, now: datetime, batch_size: int = BATCH_SIZE
) -> int:
    """`prune_articles` for the bot's event loop: other tasks run between batches.

    A batch takes tens of milliseconds, but the first prune of a year-old archive is a
    thousand batches: run in one go it would freeze the bot for a minute.
    """
    total = 0
    for deleted in _prune_in_batches(db, keep_days=keep_days, now=now, batch_size=batch_size):
        total += deleted
        await asyncio.sleep(0)
    return total


def _prune_in_batches(
    db: Database, *, keep_days: int, now: datetime, batch_size: int
) -> Iterator[int]:
    """Prune batch after batch, yielding each batch's count; then the expired tombstones."""
    if keep_days <= 0:
        return
    cutoff = now - timedelta(days=keep_days)
    hard_cutoff = now - timedelta(days=2 * keep_days)
    total = 0
    while deleted := prune_batch(
        db, cutoff=cutoff, hard_cutoff=hard_cutoff, now=now, limit=batch_size
    ):
        total += deleted
        yield deleted
    with db.conn:
        expired = db.execute(
            "DELETE FROM article_tombstones WHERE deleted_at < ?", [to_db(now - TOMBSTONE_KEEP)]
        ).rowcount
    if total or expired:
        log.info("Retention: deleted %d articles and %d old tombstones", total, expired)


def prune_batch(
    db: Database, *, cutoff: datetime, hard_cutoff: datetime, now: datetime, limit: int
) -> int:
    """Delete up to `limit` prunable articles and all their rows in one transaction; how many.

    Prunable: fetched before `cutoff` with every other article of its story too, or fetched
    before `hard_cutoff` whatever its story; never the newest article.
    """
    with db.conn:
        bounds = {"cutoff": to_db(cutoff), "hard_cutoff": to_db(hard_cutoff), "limit": limit}
        ids = [int(r[0]) for r in db.execute(_CANDIDATES, bounds).fetchall()]
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        db.execute(
            "INSERT INTO article_tombstones"  # noqa: S608
            " (source_id, guid, canonical_url, text_hash, title, deleted_at)"
            " SELECT source_id, guid, canonical_url, text_hash, title, ?"
            f" FROM articles WHERE id IN ({marks})",
            [to_db(now), *ids],
        )
        _forget_signatures(db, ids)
        clusters = [
            r[0]
            for r in db.execute(
                f"SELECT DISTINCT cluster_id FROM articles WHERE id IN ({marks})"  # noqa: S608
                " AND cluster_id IS NOT NULL",
                ids,
            ).fetchall()
        ]
        for table, column in (
            ("article_fts", "rowid"),
            ("summaries", "article_id"),
            ("deliveries", "article_id"),
            ("articles", "id"),
        ):
            db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)  # noqa: S608
        for cluster_id in clusters:
            _settle_cluster(db, cluster_id)
    return len(ids)


def _settle_cluster(db: Database, cluster_id: int) -> None:
    """Delete a cluster left without articles; rebuild the summary of one that lost some."""
    left = db.execute("SELECT count(*) FROM articles WHERE cluster_id = ?", [cluster_id])
    if int(left.fetchone()[0]) == 0:
        db.execute("DELETE FROM clusters WHERE id = ?", [cluster_id])
    else:
        _refresh_summary(db, cluster_id)


def _forget_signatures(db: Database, ids: list[int]) -> None:
    """Delete the articles' signatures, taking their terms out of the document frequencies.

    Each signature counted each of its terms once (`cluster._term_weights`), so subtracting
    the terms of the deleted signatures leaves exactly the frequencies a recount would give.
    Terms no signature uses any more are deleted, so the vocabulary does not grow for ever.
    """
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT terms FROM cluster_signatures WHERE article_id IN ({marks})",  # noqa: S608
        ids,
    ).fetchall()
    if not rows:
        return
    signature_count(db)  # a database from before the counter stores it now, before it changes
    terms = Counter(int(t) for row in rows for t in np.frombuffer(row[0], dtype=np.int32).tolist())
    db.conn.executemany(
        "UPDATE cluster_terms SET df = df - ? WHERE id = ?", [(n, t) for t, n in terms.items()]
    )
    db.conn.executemany("DELETE FROM cluster_terms WHERE id = ? AND df <= 0", [(t,) for t in terms])
    db.execute(f"DELETE FROM cluster_signatures WHERE article_id IN ({marks})", ids)  # noqa: S608
    db.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) - ? WHERE key = ?",
        [len(rows), _SIGNATURES_KEY],
    )
