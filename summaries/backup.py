"""Backups of the database: a consistent copy taken while newsbrief runs, and putting one back.

`cp newsbrief.db` while the bot runs can copy a page half-written and leaves behind what is
still in the `-wal` file, and a backup copied *over* a running database damages it; a stale
`-wal` beside a file put back by hand is even replayed onto it. So both directions go through
SQLite: `VACUUM INTO` reads one snapshot (writers are not held up) into a compact new file,
which is checked before it gets its final name; a restore refuses while another process has
the database open and keeps the file it replaces.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from summaries.database_trouble import is_damaged, is_locked
from summaries.errors import BackupError
from summaries.migrations import MIGRATIONS

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
_OWN_TABLES = {"sources", "articles", "chats"}


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
    with _connection(database, writable=True) as source:
        _check_is_newsbrief(source, database)
        with _partial(destination) as partial:
            try:
                source.execute("VACUUM INTO ?", [str(partial)])
                snapshot = inspect(partial)
                _durable_rename(partial, destination)
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
        with _connection(path, writable=False) as connection:
            _check_is_newsbrief(connection, path)
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


def restore(backup_file: Path, database: Path, *, now: datetime) -> tuple[Snapshot, Path | None]:
    """Put `backup_file` in place of the database at `database`; return what it holds and
    where the replaced database was moved (None when there was none).

    Refused while another process (`newsbrief run`, `worker`, a cron `ingest`) has the
    database open: replacing a file under it would damage the copy or lose its writes. The
    replaced file, and any `-wal`/`-shm` left by a crash, are renamed with a
    `.before-restore-<time>` suffix rather than deleted, so a restore can be undone. A
    symlinked `database` keeps its link: the file it points to is the one replaced.
    """
    if str(database) == ":memory:":  # `open_database` would never read a file of that name
        raise BackupError(
            "NEWSBRIEF_DB is :memory:, a database that lives only while a process runs: set it"
            " to the file to restore into."
        )
    if database.is_symlink():
        database = database.resolve()
    snapshot = inspect(backup_file)
    _refuse_unfinished_log(backup_file)
    if database.exists() and database.resolve() == backup_file.resolve():
        raise BackupError(f"{backup_file} is the database itself: give a backup file.")
    if database.exists():
        _refuse_if_in_use(database)
    suffix = f".before-restore-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    kept = _move_aside(database, suffix=suffix)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        with _partial(database) as partial:
            shutil.copyfile(backup_file, partial)
            _durable_rename(partial, database)
    except OSError as error:
        restored = _move_back(database, suffix=suffix)
        where = "nothing was changed" if restored else f"the database it replaced is {kept}"
        raise BackupError(
            f"Could not write {database} ({error}); {where}. Check the free space and"
            " permissions, then restore again."
        ) from error
    return Snapshot(database, snapshot.size, snapshot.counts), kept


def _refuse_unfinished_log(backup_file: Path) -> None:
    """A database closed uncleanly (a crashed server's) keeps committed writes in its -wal,
    which a copy of the file alone would silently leave out."""
    log = Path(f"{backup_file}-wal")
    if log.is_file() and log.stat().st_size > 0:
        raise BackupError(
            f"{backup_file} was not closed cleanly: {log} holds changes that are not in the"
            f" file yet. Copy it with `NEWSBRIEF_DB={backup_file} newsbrief backup DEST`, which"
            " includes them, then restore that copy."
        )


def _refuse_if_in_use(database: Path) -> None:
    """Leaving WAL mode needs the only connection: SQLite answers "busy" while another is open.

    A damaged file cannot be asked; it is moved aside as it is.
    """
    try:
        with _connection(database, writable=True) as connection:
            tables = _tables(connection)
            if tables and not tables >= _OWN_TABLES:  # another program's file stays put
                raise BackupError(
                    f"{database} is an SQLite file that newsbrief did not make; newsbrief left it"
                    " as it is. Set NEWSBRIEF_DB to newsbrief's database, then restore."
                )
            connection.execute("PRAGMA busy_timeout = 0")
            connection.execute("PRAGMA journal_mode = DELETE").fetchall()
    except sqlite3.OperationalError as error:
        if not is_locked(error):
            raise BackupError(f"Cannot restore over {database} ({error}).") from error
        raise BackupError(
            f"{database} is in use by another process (newsbrief run, worker or ingest): stop"
            " it first, then restore."
        ) from None
    except sqlite3.DatabaseError:
        return


def _move_aside(database: Path, *, suffix: str) -> Path | None:
    """Rename the database and its -wal/-shm (a stale log would be replayed onto the restored
    file); return the database's new name, or None when there was no database file.

    A rename would replace an earlier restore's kept file of the same second, which may be
    the only copy of the database from before the restores: that is refused instead.
    """
    for extra in ("", "-wal", "-shm"):
        taken = Path(f"{database}{suffix}{extra}")
        if taken.exists() or taken.is_symlink():
            raise BackupError(
                f"{taken} already exists (kept by a restore a moment ago): wait a second, then"
                " restore again."
            )
    moved = None
    for extra in ("", "-wal", "-shm"):
        path = Path(f"{database}{extra}")
        if path.exists():
            target = Path(f"{database}{suffix}{extra}")
            path.rename(target)
            moved = target if extra == "" else moved
    return moved


def _move_back(database: Path, *, suffix: str) -> bool:
    """Undo `_move_aside` after a failed copy: at its own path the database is found again;
    left renamed, the next `newsbrief run` or `ingest` would start an empty one there."""
    try:
        for extra in ("", "-wal", "-shm"):
            kept = Path(f"{database}{suffix}{extra}")
            if kept.exists():
                kept.rename(Path(f"{database}{extra}"))
    except OSError:
        return False
    return True


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(row[0]) for row in rows}


def _check_is_newsbrief(connection: sqlite3.Connection, path: Path) -> None:
    if not _tables(connection) >= _OWN_TABLES:
        raise BackupError(f"{path} is not a newsbrief database (it has no newsbrief tables).")


@contextmanager
def _connection(path: Path, *, writable: bool) -> Iterator[sqlite3.Connection]:
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
def _partial(final: Path) -> Iterator[Path]:
    """A temporary name beside `final` (same file system, so the rename is atomic), removed
    if anything fails before the rename."""
    partial = final.with_name(f".{final.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _durable_rename(partial: Path, final: Path) -> None:
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
