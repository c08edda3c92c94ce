"""Trouble with the database file itself: SQLite errors that are the file's fault, and the file
moved or deleted under a running process.

None of it is a bug in newsbrief or anything a feed, a page or a user did, and the operator can
act on all of it (free space, permissions, a lock, a backup, putting the file back). The tests
live in one place so every edge (the command line, the bot's error handler, the ingester, the
scheduler) tells this trouble apart the same way: say once what to do, and blame no source, item
or chat for it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

DAMAGED_HINT = (
    "Restore it from a backup (with newsbrief stopped), or set NEWSBRIEF_DB to a new file."
)
"""What to do about a damaged database file: said at open and by the command line alike."""


UNUSABLE_ERRORS = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
)
"""SQLite errors about the database file, not about newsbrief: the operator can act on them."""


def error_name(error: sqlite3.Error) -> str:
    """SQLite's name for `error` (`SQLITE_FULL`...); "" for one raised by Python code, which
    has no such attribute."""
    return getattr(error, "sqlite_errorname", None) or ""


def is_unusable(error: sqlite3.Error) -> bool:
    """Whether `error` says the file cannot be used now (locked, full, read-only...)."""
    return error_name(error).startswith(UNUSABLE_ERRORS)


def is_locked(error: sqlite3.Error) -> bool:
    """Whether `error` says another connection held the database past the busy timeout: the
    only trouble that passes by itself, so the user can simply try again."""
    return error_name(error).startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def is_damaged(error: sqlite3.Error) -> bool:
    """Whether `error` says the file is damaged or is no database at all."""
    return error_name(error).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def is_database_trouble(error: BaseException) -> bool:
    """Whether `error` is about the database file itself (locked, full, damaged...): nothing a
    feed, a page or a user did, so no one source or item should be blamed for it."""
    return isinstance(error, sqlite3.Error) and (is_unusable(error) or is_damaged(error))


def database_state(error: sqlite3.Error) -> str:
    """What is wrong with the database, for the operator's one log line: a damaged file with
    what to do about it, else "unavailable" and SQLite's reason (locked, full, read-only...)."""
    if is_damaged(error):
        return f"damaged ({error}). {DAMAGED_HINT}"
    return f"unavailable ({error})"


@contextmanager
def logged_as_database_trouble(log: logging.Logger, message: str) -> Iterator[None]:
    """End the block with one error line, `message` with `database_state` at its `%s`, when
    the database itself is the trouble; any other error is a bug and goes on up.

    For the scheduled jobs (the poll tick, the nightly housekeeping): the next run tries
    again, and the operator reads what to do in the log instead of a traceback.
    """
    try:
        yield
    except sqlite3.DatabaseError as error:
        if not is_database_trouble(error):
            raise
        log.error(message, database_state(error))


@dataclass(frozen=True)
class DatabaseFile:
    """The files a connection was opened on, to notice when their paths stop naming them.

    SQLite keeps writing to the files it opened. A process whose database was moved or
    deleted under it goes on "storing" into a file the next start will not open; one whose
    `-wal` file was deleted goes on with a log no other process sees, so the two overwrite
    each other's changes (a `newsbrief sources add` meanwhile is reported done, then lost).
    """

    path: Path
    identity: tuple[int, int]
    wal: tuple[int, int] | None

    @classmethod
    def of(cls, db: Database) -> DatabaseFile | None:
        """The files `db` uses now; None for an in-memory database (nothing to watch)."""
        row = db.execute("PRAGMA database_list").fetchone()
        if not row or not row[2]:
            return None
        path = Path(row[2])
        identity = _identity(path)
        return None if identity is None else cls(path, identity, _identity(Path(f"{path}-wal")))

    def gone(self) -> bool:
        """Whether the database or its write-ahead log was deleted, moved away or replaced
        since `of` looked (an open connection keeps its -wal file: SQLite deletes it only
        when the last connection closes)."""
        if _identity(self.path) != self.identity:
            return True
        return self.wal is not None and _identity(Path(f"{self.path}-wal")) != self.wal


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, None if there is none."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino
