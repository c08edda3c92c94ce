"""Bringing a database's schema up to date, from any older version, with any number of processes.

The schema is versioned with `PRAGMA user_version`: the number of `summaries.migrations` applied.
Opening a database applies the pending ones in order, each once and inside its own transaction,
so re-running start-up is always safe, and refuses a database from a newer newsbrief.
"""

from __future__ import annotations

import logging

from sqlite_utils import Database

from summaries.errors import ConfigError
from summaries.migrations import MIGRATIONS, Migration

log = logging.getLogger(__name__)


def schema_version(db: Database) -> int:
    """The number of migrations applied to `db`."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database) -> int:
    """Apply pending migrations in order, each in its own transaction; return the new version.

    A database from a newer newsbrief (more migrations than this one knows) is refused: this
    version would write rows without the columns and rules the newer one relies on.

    Each step checks the version again once it holds the write lock: two processes started
    together on an old database (the bot and a cron `newsbrief ingest`) both read the old
    version, and the one that waited would otherwise run the other's steps a second time.
    """
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise ConfigError(
            f"This database was made by a newer newsbrief (schema version {version}; this one"
            f" knows up to {len(MIGRATIONS)}). Upgrade newsbrief, or set NEWSBRIEF_DB to"
            " another file."
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            if schema_version(db) >= number:
                continue  # another process applied it while this one waited for the lock
            if version:  # an existing database: say why start-up takes longer this once
                log.info("Upgrading the database to version %d: %s", number, _summary_line(step))
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
    return schema_version(db)


def _summary_line(step: Migration) -> str:
    """The first line of a migration's docstring, or its name."""
    return (step.__doc__ or step.__name__).strip().splitlines()[0]
