"""Backups of the database: a consistent copy taken while newsbrief runs, checked, and rotated.

`cp newsbrief.db` while the bot runs can copy a page half-written and leaves behind what is
still in the `-wal` file. So a backup goes through SQLite: `VACUUM INTO` reads one snapshot
(writers are not held up) into a compact new file, which is checked before it gets its final
name. Putting one back is `summaries.restore`.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from summaries.database_trouble import is_damaged, is_locked
from summaries.errors import BackupError
from summaries.migrations import MIGRATIONS
from summaries.sqlite_files import check_is_newsbrief, connect_file, durable_rename, partial_file

BACKUP_NAME = re.compile(r"newsbrief-\d{8}T\d{6}Z\.db")
"""The names `backup` gives in a directory; rotation deletes only files named like this."""

_LEFTOVER = re.compile(r"\.newsbrief-\d{8}T\d{6}Z\.db\.partial-\d+")
_LEFTOVER_AGE = 3600.0
"""A partial copy this many seconds old was left by a killed process: no backup takes an hour
to write on a news bot's database, and a younger one may be another backup in progress."""

_COUNTS = {
    "sources": "SELECT count(*) FROM sources",
    "articles": "SELECT count(*) FROM articles",
    "chats": "SELECT count(*) FROM chats",
    "topics": "SELECT count(*) FROM topics",
}
"""What a backup's summary line counts, so the operator can tell it is the right one."""


@dataclass(frozen=True)
class Snapshot:
    """What a backup file holds: enough for the operator to see it is the right one."""

    path: Path
    size: int
    counts: dict[str, int]

    def describe(self) -> str:
        """ "12 sources, 3,412 articles, 5 chats, 9 topics; 4.1 MB"."""
        held = ", ".join(f"{n:,} {table}" for table, n in self.counts.items())
        return f"{held}; {self.size / 1_000_000:.1f} MB"


def backup_name(now: datetime) -> str:
    """The file name of a backup taken at `now`: sorts by time, matches `BACKUP_NAME`."""
    return f"newsbrief-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.db"


def backup(database: Path, destination: Path, *, now: datetime) -> Snapshot:
    """Copy the database at `database` to `destination` (a file, or a directory to put
    `backup_name(now)` in) while other processes go on using it.

    The copy is written under a temporary name and checked (`PRAGMA quick_check`) before it
    is renamed, so a full disk or a kill half-way never leaves a file that looks like a
    backup. An existing file is never overwritten: it may be the only good copy.
    """
    if destination.is_dir():
        destination = destination / backup_name(now)
    if destination.exists():
        raise BackupError(
            f"{destination} already exists; newsbrief does not overwrite a backup. Give another"
            " file name, or a directory."
        )
    if not destination.parent.is_dir():
        raise BackupError(f"The directory {destination.parent} does not exist: create it first.")
    if not _utf8(str(destination)):
        raise BackupError(
            f"SQLite cannot write to {destination}: its name is not valid UTF-8. Choose another."
        )
    with connect_file(database, writable=True) as source:
        check_is_newsbrief(source, database)
        with partial_file(destination) as partial:
            try:
                source.execute("VACUUM INTO ?", [str(partial)])
                snapshot = inspect(partial)
                durable_rename(partial, destination)
            except (sqlite3.OperationalError, OSError) as error:
                if isinstance(error, sqlite3.Error) and (is_damaged(error) or is_locked(error)):
                    raise  # the database's own trouble (damaged, locked), told as such
                raise BackupError(
                    f"Could not write the backup {destination} ({error}): check the free space"
                    " and that the directory is writable."
                ) from error
    return Snapshot(destination, snapshot.size, snapshot.counts)


def inspect(path: Path) -> Snapshot:
    """Check the backup at `path` (whole, newsbrief's, not from a newer newsbrief); say what
    it holds."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    try:
        with connect_file(path, writable=False) as connection:
            check_is_newsbrief(connection, path)
            (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"The backup {path} is damaged ({verdict}): use another one.")
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                raise BackupError(
                    f"The backup {path} was made by a newer newsbrief (schema version {version})."
                    " Upgrade newsbrief before restoring it."
                )
            counts = {t: int(connection.execute(q).fetchone()[0]) for t, q in _COUNTS.items()}
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} cannot be read as a database ({error}): use another backup."
        ) from error
    return Snapshot(path, path.stat().st_size, counts)


def prune_backups(directory: Path, keep: int, *, database: Path | None = None) -> list[Path]:
    """Delete all but the `keep` newest backups that `backup` named in `directory`, and the
    partial copies of backups whose process was killed (over an hour old).

    Only files named like `BACKUP_NAME` (or its partial copies) are considered, so a copy the
    operator put there by hand (or a different program's file) is never deleted; nor is
    `database`, the live one, though a restore by hand may have left it named like a backup
    in this directory. Returns what was deleted.
    """
    files = [p for p in directory.iterdir() if p.is_file()]
    ours = sorted(p for p in files if BACKUP_NAME.fullmatch(p.name) and not _same_file(p, database))
    cutoff = time.time() - _LEFTOVER_AGE
    leftovers = [p for p in files if _LEFTOVER.fullmatch(p.name) and p.stat().st_mtime < cutoff]
    doomed = ours[: max(0, len(ours) - keep)] + leftovers
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _same_file(path: Path, other: Path | None) -> bool:
    if other is None:
        return False
    try:
        return path.samefile(other)
    except OSError:
        return False


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
