"""Months of operation in seconds: what grows, what slows down, what a moved clock breaks.

Time moves through the clocks the code takes as arguments (never sleeps). Rows are bulk-written
with SQL where only their number matters, so a year of deliveries costs milliseconds. Costs are
counted in SQLite virtual-machine steps (a progress handler), not in seconds: the count does not
depend on how busy the shared machine is, so "no slower after a year" can be asserted exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from summaries import outbox
from summaries.store import Database


def bulk_articles(db: Database, first: int, count: int, *, chat_deliveries: int = 0) -> None:
    """`count` bare articles from id `first`, each its own cluster; the first
    `chat_deliveries` of them already delivered to chat 1 (what a long-lived chat has had)."""
    ids = range(first, first + count)
    with db.conn:
        db.execute("INSERT OR IGNORE INTO chats (id, created_at) VALUES (1, '2026-01-01')")
        db.conn.executemany(
            "INSERT INTO clusters (id, created_at, updated_at) VALUES (?, '2026', '2026')",
            [(i,) for i in ids],
        )
        db.conn.executemany(
            "INSERT INTO articles (id, source_name, url, canonical_url, title, fetched_at, text,"
            " text_hash, content_origin, cluster_id)"
            " VALUES (?, 'Wire', ?, ?, 'T', '2026-01-01', 'x', ?, 'page', ?)",
            [(i, f"u{i}", f"u{i}", f"h{i}", i) for i in ids],
        )
        db.conn.executemany(
            "INSERT INTO deliveries (chat_id, article_id, kind, created_at)"
            " VALUES (1, ?, 'digest', '2026')",
            [(i,) for i in list(ids)[:chat_deliveries]],
        )


@contextmanager
def vm_steps(db: Database) -> Iterator[Callable[[], int]]:
    """Count SQLite VM steps (in thousands) run inside the block."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    db.conn.set_progress_handler(tick, 1000)
    try:
        yield lambda: steps[0]
    finally:
        db.conn.set_progress_handler(None, 0)


def test_the_already_sent_check_does_not_slow_down_as_deliveries_pile_up(db: Database) -> None:
    """A chat's digest checks ~2,000 candidates against what it has had. Before the fix the
    cluster check read every past delivery of the chat for each candidate: 3.4 s per chat
    with 20,000 past deliveries, growing every day the bot ran."""
    bulk_articles(db, 1, 300, chat_deliveries=100)
    with vm_steps(db) as young:
        assert outbox.undelivered(db, 1, list(range(101, 301))) == list(range(101, 301))
    bulk_articles(db, 1_000, 10_200, chat_deliveries=10_000)  # a year of a busy chat
    with vm_steps(db) as old:
        fresh = list(range(11_000, 11_200))
        assert outbox.undelivered(db, 1, fresh) == fresh
    assert old() <= young() * 1.5 + 5
