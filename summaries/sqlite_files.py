"""SQLite files handled as files: opened without creating one, recognised as newsbrief's, and
replaced whole or not at all. Shared by `summaries.backup` and `summaries.restore`, which must
never leave a half-written file under a name that newsbrief or the operator trusts.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from summaries.errors import BackupError

OWN_TABLES = frozenset({"sources", "articles", "chats"})
"""Tables every newsbrief database has had since the first version."""


def table_names(connection: sqlite3.Connection) -> set[str]:
    """The names of the tables in the database `connection` is on."""
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(row[0]) for row in rows}


def check_is_newsbrief(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse, as a `BackupError`, a file that is not newsbrief's database."""
    if not table_names(connection) >= OWN_TABLES:
        raise BackupError(f"{path} is not a newsbrief database (it has no newsbrief tables).")


@contextmanager
def connect_file(path: Path, *, writable: bool) -> Iterator[sqlite3.Connection]:
    """A plain connection that never creates a file (a typo must not make an empty database).

    A backup is opened immutable: nothing writes it, and no -shm is created beside it.
    """
    if not path.is_file():
        raise BackupError(f"There is no database file at {path}.")
    mode = "rw" if writable else "ro&immutable=1"
    uri = f"file:{quote(os.fsencode(path.resolve()))}?mode={mode}"
    with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as connection:
        connection.execute("PRAGMA busy_timeout = 5000")
        yield connection


@contextmanager
def partial_file(final: Path) -> Iterator[Path]:
    """A temporary name beside `final` (same file system, so the rename is atomic), removed
    if anything fails before the rename."""
    partial = final.with_name(f".{final.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def durable_rename(partial: Path, final: Path) -> None:
    """Flush `partial` to disk, then give it its name: a power cut leaves the old state or the
    whole new file, never a named file with holes."""
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    partial.replace(final)
    with suppress(OSError):  # not every file system can sync a directory
        directory = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
