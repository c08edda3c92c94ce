"""The public world-news feeds a new database starts with, so a fresh install has news at once.

Each is a long-standing public RSS feed of a major outlet's world section. They are seeded once,
into an empty database, when `NEWSBRIEF_DEFAULT_SOURCES` is true; the database remembers that it
was seeded, so an operator who removes them all does not get them back on the next start.
"""

from __future__ import annotations

from datetime import datetime

from summaries.sources import insert_source
from summaries.store import Database, to_db

DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("BBC News - World", "https://feeds.bbci.co.uk/news/world/rss.xml"),
    ("The Guardian - World", "https://www.theguardian.com/world/rss"),
    ("Al Jazeera", "https://www.aljazeera.com/xml/rss/all.xml"),
    ("NPR - World", "https://feeds.npr.org/1004/rss.xml"),
    ("DW - World", "https://rss.dw.com/rdf/rss-en-world"),
    ("France 24", "https://www.france24.com/en/rss"),
)
"""(name, feed URL) pairs, in the order they are listed."""

SEEDED_KEY = "default_sources_seeded"


def seed_default_sources(db: Database, *, enabled: bool, now: datetime) -> int:
    """Add the default sources to a database that has never had any; return how many were added.

    A database that already has sources, or was seeded before, is left alone (and marked, so a
    later switch of the setting does not surprise anyone either).

    One transaction: a process killed half-way must not leave part of the set marked seeded.
    The checks are made again once it holds the write lock: two processes started together on
    a new database (the bot and `newsbrief sources import`) both found it unseeded, and the
    one that waited died on the other's sources (UNIQUE constraint failed: sources.url).
    """
    if not _wanted(db, enabled=enabled):  # the usual start: no write lock taken
        return 0
    added = 0
    with db.conn:
        if not _wanted(db, enabled=enabled):
            return 0
        has_sources = db.execute("SELECT 1 FROM sources LIMIT 1").fetchone() is not None
        if not has_sources:
            for name, url in DEFAULT_SOURCES:
                insert_source(db, url, name, now=now)
                added += 1
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [SEEDED_KEY, to_db(now)])
    return added


def _wanted(db: Database, *, enabled: bool) -> bool:
    """Whether seeding has anything to do: add the set, or mark a database that has sources."""
    if db.execute("SELECT 1 FROM meta WHERE key = ?", [SEEDED_KEY]).fetchone():
        return False
    return enabled or db.execute("SELECT 1 FROM sources LIMIT 1").fetchone() is not None
