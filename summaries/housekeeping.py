"""The nightly housekeeping job, added by whichever process runs the schedule.

`newsbrief run` with a bot adds it with delivery (`digest_schedule.schedule_digests`);
`newsbrief worker` and a `run` without a token add it beside the ingest job
(`schedule.run_worker`). Either way a database that only one of them ever opens still gets
its old stories deleted (`NEWSBRIEF_KEEP_ARTICLES_DAYS`), its old message bodies pruned and
its WAL truncated. With `NEWSBRIEF_BACKUP_DIR` set, the same job then takes the nightly backup
(`summaries.backup`) and keeps the newest `NEWSBRIEF_BACKUP_KEEP` of them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from summaries.backup import backup, prune_backups
from summaries.config import Settings
from summaries.database_trouble import logged_as_database_trouble
from summaries.errors import BackupError, NewsbriefError
from summaries.outbox_admin import prune
from summaries.retention import prune_articles_between_tasks
from summaries.store import Database, truncate_wal, utcnow

log = logging.getLogger(__name__)

HOUSEKEEPING_JOB_ID = "newsbrief-prune"


async def tidy(db: Database, *, keep_articles_days: int, now: datetime) -> None:
    """Article retention (0 keeps everything), then message bodies, then the WAL.

    Retention runs between other tasks, so a first prune of a large archive does not freeze
    the bot or the poller that share the event loop.
    """
    await prune_articles_between_tasks(db, keep_days=keep_articles_days, now=now)
    prune(db, now=now)
    truncate_wal(db)


@dataclass(frozen=True)
class Backups:
    """The nightly backup: into `directory`, keeping the newest `keep`."""

    directory: Path
    keep: int


def backups_from(settings: Settings) -> Backups | None:
    """The nightly backup the settings ask for (`NEWSBRIEF_BACKUP_DIR`), or None."""
    if settings.backup_dir is None:
        return None
    return Backups(settings.backup_dir, settings.backup_keep)


def database_file(db: Database) -> Path:
    """The file `db` was opened on; an in-memory database has none to back up."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise BackupError("An in-memory database has no file to back up.")


async def nightly_backup(db: Database, backups: Backups, *, now: datetime) -> None:
    """Back up `db` into `backups.directory`, then delete the oldest beyond `backups.keep`.

    The copy runs in a thread on its own connection: a large database takes seconds to
    copy, and the bot keeps answering meanwhile. A failure (a full disk, a directory that
    cannot be written) is one log line and deletes nothing, so the earlier backups stay.
    """
    try:
        backups.directory.mkdir(parents=True, exist_ok=True)
        database = database_file(db)
        snapshot = await asyncio.to_thread(backup, database, backups.directory, now=now)
        removed = prune_backups(backups.directory, backups.keep, database=database)
    except (NewsbriefError, sqlite3.DatabaseError, OSError) as error:
        log.error("Nightly backup failed: %s. Earlier backups were kept.", error)
        return
    log.info(
        "Backed up the database to %s (%s); %d old file(s) deleted",
        snapshot.path,
        snapshot.describe(),
        len(removed),
    )


def schedule_housekeeping(
    scheduler: Any,
    db: Database,
    *,
    keep_articles_days: int,
    backups: Backups | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Add `tidy`, then `nightly_backup` when `backups` is set, at 03:17 every night, in the
    scheduler's time zone (UTC for newsbrief's).

    A database another program holds locked, a full disk or a damaged file ends the night's
    tidying with one log line, not a traceback (`logged_as_database_trouble`, as the ingest tick);
    the backup is still tried, and says for itself whether it could be made.
    """

    async def job() -> None:
        now = clock()
        # each pruned batch is committed whole: what is left goes the next night
        with logged_as_database_trouble(log, "Housekeeping stopped: the database is %s"):
            await tidy(db, keep_articles_days=keep_articles_days, now=now)
        if backups is not None:
            await nightly_backup(db, backups, now=now)

    scheduler.add_job(job, "cron", hour=3, minute=17, id=HOUSEKEEPING_JOB_ID, replace_existing=True)
