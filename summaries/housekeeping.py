"""The nightly housekeeping job, added by whichever process runs the schedule.

`newsbrief run` with a bot adds it with delivery (`digest_schedule.schedule_digests`);
`newsbrief worker` and a `run` without a token add it beside the ingest job
(`schedule.run_worker`). Either way a database that only one of them ever opens still gets
its old stories deleted (`NEWSBRIEF_KEEP_ARTICLES_DAYS`), its old message bodies pruned and
its WAL truncated.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from summaries.database_trouble import database_state, is_database_trouble
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


def schedule_housekeeping(
    scheduler: Any,
    db: Database,
    *,
    keep_articles_days: int,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Add `tidy` at 03:17 every night, in the scheduler's time zone (UTC for newsbrief's).

    A database another program holds locked, a full disk or a damaged file ends the night's
    run with one log line, not a traceback (`is_database_trouble`, as the ingest tick).
    """

    async def job() -> None:
        try:
            await tidy(db, keep_articles_days=keep_articles_days, now=clock())
        except sqlite3.DatabaseError as error:
            if not is_database_trouble(error):
                raise
            # each pruned batch is committed whole: what is left goes the next night
            log.error("Housekeeping stopped: the database is %s", database_state(error))

    scheduler.add_job(job, "cron", hour=3, minute=17, id=HOUSEKEEPING_JOB_ID, replace_existing=True)
