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
    """
    if db.execute("SELECT 1 FROM meta WHERE key = ?", [SEEDED_KEY]).fetchone():
        return 0
    has_sources = db.execute("SELECT 1 FROM sources LIMIT 1").fetchone() is not None
    if not enabled and not has_sources:
        return 0
    # One transaction: a process killed half-way must not leave part of the set marked seeded.
    added = 0
    with db.conn:
        if not has_sources:
            for name, url in DEFAULT_SOURCES:
                insert_source(db, url, name, now=now)
                added += 1
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [SEEDED_KEY, to_db(now)])
    return added
