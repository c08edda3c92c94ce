"""What runs when: the ingest tick on an APScheduler `AsyncIOScheduler`.

One function, `schedule_ingest`, adds the job to any AsyncIOScheduler: the worker's own, or the
bot's (`application.job_queue.scheduler`, which *is* an AsyncIOScheduler), so the bot process
needs no second scheduler. The tick is short; when each source is polled is decided by its
`next_poll_at` (interval with jitter, back-off after failures), kept in the database, so a restart
resumes the same rhythm.

`run_worker` is the `newsbrief worker` process: the scheduler alone until SIGINT/SIGTERM.
`instance_lock` keeps a second `run` or `worker` off a database one already uses.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from summaries.config import Settings
from summaries.database_trouble import DatabaseFile, logged_as_database_trouble
from summaries.default_sources import seed_default_sources
from summaries.errors import ConfigError
from summaries.fetch import Fetcher, FetchPolicy
from summaries.housekeeping import backups_from, schedule_housekeeping
from summaries.ingest import Ingester, IngestReport
from summaries.polling import poll_now_after_clock_jump
from summaries.store import Database, open_database, refuse_directory, truncate_wal, utcnow

log = logging.getLogger(__name__)

JOB_ID = "newsbrief-ingest"

ALREADY_RUNNING = (
    "Another newsbrief run or worker (pid {pid}) is already using {db}. Only one may run per"
    " database: stop it first, or set NEWSBRIEF_DB to another file."
)


@contextmanager
def instance_lock(db_path: Path) -> Iterator[None]:
    """Hold `<db>.lock` while a long-running process uses the database; refuse a second one.

    Two processes on one database would both poll the same feeds, and the second one's
    start-up recovery would mark the first one's messages in flight as lost; two bots on one
    token also take each other's updates (Telegram's 409 Conflict). The kernel releases the
    lock when the process ends, however it ends, so a crash never leaves a stale lock.
    """
    if str(db_path) == ":memory:":
        yield
        return
    refuse_directory(db_path)  # before a lock file is made beside it
    lock_path = Path(f"{db_path}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ConfigError(
            f"Cannot create {lock_path} ({error.strerror}): NEWSBRIEF_DB must be in a writable"
            " directory."
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise ConfigError(ALREADY_RUNNING.format(pid=pid, db=db_path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def tick_seconds_for(settings: Settings) -> int:
    """How often to look for due sources: every minute, or every poll interval if shorter."""
    return min(60, settings.poll_interval)


async def ingest_tick(ingester: Ingester, *, db: Database | None = None) -> IngestReport:
    """One scheduler tick: poll the due sources and log what happened.

    With `db` (the ingester's), poll times a clock that went back left far ahead are undone
    first. A database that cannot be used this minute (locked by another program for longer
    than the busy timeout, a full disk) is one log line, and the next tick tries again.
    """
    report = IngestReport()
    skipped = "Polling skipped: the database is %s; next try at the next tick"
    with logged_as_database_trouble(log, skipped):
        if db is not None:
            poll_now_after_clock_jump(
                db, now=ingester.clock(), interval=ingester.settings.poll_interval
            )
        report = await ingester.run_due()
    for name, error in report.failures:
        log.warning("Source %s failed: %s", name, error)
    if report.sources_polled:
        log.info("%s", report.outcome())
    return report


DATABASE_GONE = (
    "The database file {path} (or its -wal file) was moved, deleted or replaced while"
    " newsbrief was running: stopping, since what it stored from now on would be lost. Put"
    " the file back (or point NEWSBRIEF_DB at where it went) and start newsbrief again."
)


class IngestJob:
    """The scheduled job, which remembers its poll in progress so shutdown can let it finish.

    Given the ingester's `db` (as `schedule_ingest` does), it also watches the database file:
    every tick first checks that the path still names the file opened at start-up. If not,
    it stops the process through `on_database_gone` (the reason in `database_gone`), once
    the write-ahead log is copied into the file it was using: SQLite does not do that at
    close for a moved file, so a database moved away would miss all since the last checkpoint.
    """

    def __init__(
        self,
        ingester: Ingester,
        *,
        db: Database | None = None,
        on_database_gone: Callable[[], object] | None = None,
    ) -> None:
        self.ingester = ingester
        self.running: asyncio.Task[object] | None = None
        self.db = db
        self.file = None if db is None else DatabaseFile.of(db)
        self.on_database_gone = on_database_gone
        self.database_gone: str | None = None

    async def tick(self) -> IngestReport:
        """One scheduler tick (APScheduler runs it on the event loop as a coroutine)."""
        if self.database_gone or self._lost_database():
            return IngestReport()
        self.running = asyncio.current_task()
        try:
            return await ingest_tick(self.ingester, db=self.db)
        finally:
            self.running = None

    def _lost_database(self) -> bool:
        if self.db is None or self.file is None or not self.file.gone():
            return False
        self.database_gone = DATABASE_GONE.format(path=self.file.path)
        log.error("%s", self.database_gone)
        try:  # a rescue: copy what only the write-ahead log holds into the file in use
            truncate_wal(self.db)
        except sqlite3.Error as error:
            log.warning("Could not copy the write-ahead log into the database file: %s", error)
        if self.on_database_gone is not None:
            self.on_database_gone()
        return True

    async def finish(self, grace: float) -> None:
        """Wait up to `grace` seconds for the poll in progress, then cancel it."""
        task = self.running
        if task is None:
            return
        _, pending = await asyncio.wait({task}, timeout=grace)
        if pending:
            task.cancel()
            await asyncio.wait({task})


def schedule_ingest(
    scheduler: AsyncIOScheduler,
    ingester: Ingester,
    *,
    tick_seconds: int,
    now: datetime | None = None,
    on_database_gone: Callable[[], object] | None = None,
) -> IngestJob:
    """Add the ingest job: first tick at `now` (default: at once), then every `tick_seconds`.

    `max_instances=1` and `coalesce=True`: a slow poll is never overlapped by the next tick, and
    ticks missed while it ran collapse into one. `on_database_gone` stops the process (see
    `IngestJob`).
    """
    job = IngestJob(ingester, db=ingester.db, on_database_gone=on_database_gone)
    scheduler.add_job(
        job.tick,
        "interval",
        seconds=tick_seconds,
        id=JOB_ID,
        name="Poll due news sources",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
        next_run_time=now or utcnow(),
    )
    return job


def schedule_worker(
    scheduler: AsyncIOScheduler,
    ingester: Ingester,
    db: Database,
    settings: Settings,
    *,
    on_database_gone: Callable[[], object] | None = None,
) -> IngestJob:
    """The worker's jobs: polling, and the nightly housekeeping the bot would otherwise run
    (without it, a database only a worker opens would never prune old stories)."""
    job = schedule_ingest(
        scheduler,
        ingester,
        tick_seconds=tick_seconds_for(settings),
        on_database_gone=on_database_gone,
    )
    schedule_housekeeping(
        scheduler,
        db,
        keep_articles_days=settings.keep_articles_days,
        backups=backups_from(settings),
    )
    return job


async def run_worker(
    settings: Settings, *, stop: asyncio.Event | None = None, grace: float = 5.0
) -> None:
    """Poll sources on schedule until SIGINT/SIGTERM (or `stop` is set), then shut down cleanly.

    A poll in progress gets `grace` seconds to finish, then is cancelled: each article is stored
    in one transaction, so what was stored stays and the rest is picked up by the next run. Then
    the HTTP client and the database are closed.
    """
    with instance_lock(settings.db_path):
        await _work(settings, stop or asyncio.Event(), grace)


async def _work(settings: Settings, stop: asyncio.Event, grace: float) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    db = open_database(settings.db_path)
    seed_default_sources(db, enabled=settings.default_sources, now=utcnow())
    scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC")
    try:
        async with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
            ingester = Ingester(db, fetcher, settings)
            job = schedule_worker(scheduler, ingester, db, settings, on_database_gone=stop.set)
            scheduler.start()
            log.info("Worker started: polling every source on its interval. Stop with Ctrl-C.")
            await stop.wait()
            log.info("Stopping: letting the poll in progress finish (%g s at most)", grace)
            scheduler.pause()
            await job.finish(grace)
            scheduler.shutdown(wait=False)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        db.close()
    if job.database_gone:
        raise ConfigError(job.database_gone)
