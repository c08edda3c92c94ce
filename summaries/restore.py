"""Putting a backup back (`newsbrief restore`): never over a database in use, never with a stale
log beside it, and never losing the database it replaces.

A backup copied *over* a running database damages it, and a `-wal` left by a crash beside a
file put back by hand is replayed onto it. So a restore checks the backup first
(`summaries.backup.inspect`), refuses while another process has the database open, renames the
database it replaces (with its `-wal` and `-shm`) instead of deleting it, and puts the backup in
place whole or not at all.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from summaries.backup import Snapshot, inspect
from summaries.database_trouble import is_locked
from summaries.errors import BackupError
from summaries.sqlite_files import (
    OWN_TABLES,
    connect_file,
    durable_rename,
    partial_file,
    table_names,
)


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
        with partial_file(database) as partial:
            shutil.copyfile(backup_file, partial)
            durable_rename(partial, database)
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
        with connect_file(database, writable=True) as connection:
            tables = table_names(connection)
            if tables and not tables >= OWN_TABLES:  # another program's file stays put
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
