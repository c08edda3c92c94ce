"""The database: opening it, the connection every query runs on, and how times are stored.

SQLite through sqlite-utils, in WAL mode so the bot can read while the ingester writes. Opening
brings the schema up to date (`summaries.schema`, with the steps in `summaries.migrations`) and
refuses, with a message saying what to do, a path that cannot be newsbrief's database; trouble
with the file once it is open is told apart by `summaries.database_trouble`.

Times are stored as ISO 8601 strings in UTC (`2026-11-25T08:00:00+00:00`), which sort correctly
as text. The queries live next to what they mean (`sources.py`, `articles.py`, `search.py`,
`topics.py`, ...).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from summaries.database_trouble import DAMAGED_HINT, is_damaged, is_locked
from summaries.errors import ConfigError
from summaries.schema import migrate, schema_version
from summaries.sqlite_files import OWN_TABLES

Database = sqlite_utils.Database


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the default clock)."""
    return datetime.now(UTC)


def to_db(moment: datetime | None) -> str | None:
    """A datetime as stored: UTC, second precision; naive values are taken to be UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def from_db(value: str | None) -> datetime | None:
    """The inverse of `to_db`."""
    return datetime.fromisoformat(value) if value else None


class _Connection(sqlite3.Connection):
    """A connection whose `with` block is one real transaction.

    sqlite-utils 4 commits every write that `Database.execute` runs outside an open transaction,
    so a plain `with db.conn:` (which only commits at its end) did not group its statements: a
    crash between them left half a change on disk. Beginning explicitly makes the block atomic;
    IMMEDIATE takes the write lock up front, so a second writer waits (busy_timeout) instead of
    failing half-way with "database is locked".
    """

    def __enter__(self) -> _Connection:
        if not self.in_transaction:
            self.execute("BEGIN IMMEDIATE")
        return self


def open_database(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database at `path` (`":memory:"` for tests)."""
    if str(path) == ":memory:":
        db = sqlite_utils.Database(
            sqlite3.connect(":memory:", factory=_Connection, check_same_thread=False)
        )
    else:
        db = _open_file(Path(path))
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    db.conn.create_function("casefold", 1, _casefold, deterministic=True)
    try:
        migrate(db)
    except ConfigError:
        db.close()
        raise
    return db


def _casefold(value: str | None) -> str | None:
    """SQL `casefold(x)`: SQLite's own `lower()` and `LIKE` fold ASCII only (not `Известия`)."""
    return value.casefold() if value is not None else None


def _open_file(path: Path) -> Database:
    """The SQLite file at `path` in WAL mode; a path that cannot be one is a `ConfigError`.

    A directory, a file that is not a database, or a place that cannot be written would
    otherwise reach the person running `newsbrief` as an sqlite3 traceback.
    """
    refuse_directory(path)
    if not path.exists() and Path(f"{path}-wal").exists():
        # the log of a database moved or deleted under a running newsbrief: starting a new,
        # empty one here would look like every source and subscription had vanished
        raise ConfigError(
            f"The database {path} is missing but its -wal file is still there: it was moved or"
            " deleted while newsbrief was running. Put it back (or set NEWSBRIEF_DB to where it"
            f" went); to start with a new, empty database, delete {path.name}-wal and"
            f" {path.name}-shm."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(
            sqlite3.connect(str(path), factory=_Connection, check_same_thread=False)
        )
        _refuse_foreign(db, path)
        db.enable_wal()
    except sqlite3.DatabaseError as error:
        if is_damaged(error):
            raise ConfigError(
                f"Cannot open the database {path}: it is not an SQLite database, or is damaged"
                f" ({error}); newsbrief left it as it is. {DAMAGED_HINT}"
            ) from error
        if is_locked(error):
            raise ConfigError(
                f"The database {path} is busy ({error}): another program has held it for more"
                " than 5 seconds. Try again in a moment; if it stays busy, look for a process"
                " with the file open (`fuser` names it)."
            ) from error
        raise _cannot_open(path, error) from error
    except OSError as error:
        raise _cannot_open(path, error) from error
    return db


def refuse_directory(path: Path) -> None:
    """Name a `NEWSBRIEF_DB` that is a directory as such: SQLite only says "unable to open
    database file", and the hint for that (permissions) sent the operator the wrong way."""
    if path.is_dir():
        raise ConfigError(
            f"NEWSBRIEF_DB is a directory ({path}): set it to a file path, like"
            f" {path / 'newsbrief.db'}."
        )


def _cannot_open(path: Path, error: Exception) -> ConfigError:
    return ConfigError(
        f"Cannot open the database {path} ({error}). Make the file and its directory"
        " writable (SQLite keeps its -wal and -shm files beside it), or set NEWSBRIEF_DB to"
        " a file in a writable directory."
    )


def _refuse_foreign(db: Database, path: Path) -> None:
    """Refuse an SQLite file that another program made, before anything is written to it.

    Migrating it would add newsbrief's tables (and switch it to WAL) inside someone else's
    database, and fail with a traceback on a table name both use (`sources`). A newsbrief
    database either is empty at version 0 (each migration sets its version in its own
    transaction) or has its tables.
    """
    tables = {
        str(r[0])
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if not str(r[0]).startswith("sqlite_")
    }
    if not tables or (schema_version(db) > 0 and tables >= OWN_TABLES):
        return
    db.close()
    named = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise ConfigError(
        f"{path} is an SQLite database that newsbrief did not make (tables: {named}); newsbrief"
        " left it as it is. Set NEWSBRIEF_DB to a new file (it is created on first use)."
    )


def truncate_wal(db: Database) -> None:
    """Checkpoint the write-ahead log and cut the file back to zero bytes.

    SQLite checkpoints the WAL by itself every 1,000 pages but never shrinks the file, so it
    keeps the size of the largest transaction ever run (a search-index rebuild at upgrade,
    a big digest fan-out) for as long as the process lives. The nightly housekeeping job
    calls this; it waits at most `busy_timeout` for another process's reads.
    """
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
