"""When digests go out: the daily slot of each chat, and the minute job that plans and sends.

Each chat with a digest time has one slot per local calendar day (the chat's IANA timezone,
via zoneinfo, so DST changes move the UTC instant, not the local hour). `run_due_digests` is
the only entry point the scheduler needs and is idempotent: planning a digest writes its
messages and `chats.last_digest_slot` in one transaction (`digest.plan_in_transaction`), so
calling it every minute, twice, or after a restart sends one digest per chat per day. A slot
found more than the grace period late (the process was down) is skipped and logged rather than
sent hours off; a tick that runs a little after the minute (`ON_TIME`) is on time whatever the
grace period.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from summaries.alerts import catch_up
from summaries.chats import Chat, active_chats, latest_slot
from summaries.database_trouble import is_database_trouble, logged_as_database_trouble
from summaries.digest import plan_in_transaction
from summaries.digest_window import FIRST_DIGEST, Window, rewind_future_cutoffs
from summaries.housekeeping import Backups, schedule_housekeeping
from summaries.outbox import Outbox, recover
from summaries.store import Database, utcnow

log = logging.getLogger(__name__)

PLAN_BATCH = 200


@dataclass
class DigestRun:
    """What one call of `run_due_digests` did."""

    planned: list[int] = field(default_factory=list)
    skipped_late: list[int] = field(default_factory=list)
    sent: int = 0


def due_chats(db: Database, *, now: datetime) -> list[tuple[Chat, date, datetime]]:
    """Chats whose latest slot has passed and is not done yet: (chat, slot day, slot instant).

    A slot marked done on a local date still to come was marked by a clock that ran ahead and
    was set back: the chat is listed, and `_plan_due` moves the mark back to the latest slot,
    or every digest until that date would be held back.
    """
    due = []
    for chat in active_chats(db):
        if chat.digest_time is None:
            continue
        day, moment = latest_slot(chat.digest_time, chat.tz, now, chat.digest_days)
        done = chat.last_digest_slot
        if done is None or done < day or _ahead(chat, now):
            due.append((chat, day, moment))
    return due


def _ahead(chat: Chat, now: datetime) -> bool:
    """Whether the chat's last slot is on a local date after today's (the clock went back)."""
    done = chat.last_digest_slot
    return done is not None and done > now.astimezone(chat.tz).date()


ON_TIME = timedelta(minutes=2)
"""How late the minute tick itself may run (a busy loop, a long fan-out before it) and still
count as on time: without it a grace period of 0 ("never catch up after a restart") would
skip every digest, since the tick always fires a moment after the slot."""


async def run_due_digests(
    db: Database, outbox: Outbox, now: datetime, *, grace: timedelta
) -> DigestRun:
    """Plan and send every digest that is due at `now`; safe to call as often as you like.

    Chats are planned `PLAN_BATCH` to a commit (a commit per chat costs an fsync each), each
    inside a savepoint: one chat whose digest fails to build is logged and retried next
    minute without holding back the others, and never leaves half its rows behind. An error
    about the database itself (full, read-only...) ends the run instead (`_unusable`).
    """
    run = DigestRun()
    rewind_future_cutoffs(db, now=now)
    due = sorted(due_chats(db, now=now), key=lambda d: d[0].last_digest_at or now - FIRST_DIGEST)
    window = Window(db)
    for start in range(0, len(due), PLAN_BATCH):
        with db.conn:
            for chat, day, moment in due[start : start + PLAN_BATCH]:
                _plan_due(
                    db, outbox, chat, day, moment, now=now, grace=grace, run=run, window=window
                )
        await asyncio.sleep(0)  # let the bot answer users between batches
    if run.planned:
        run.sent = (await outbox.flush()).sent
    return run


def _plan_due(
    db: Database,
    outbox: Outbox,
    chat: Chat,
    day: date,
    moment: datetime,
    *,
    now: datetime,
    grace: timedelta,
    run: DigestRun,
    window: Window,
) -> None:
    if _ahead(chat, now):
        # the latest slot counts as done, as when the digest time is set: the early digest
        # stands in for it, and the next one comes at its usual time
        db.execute("UPDATE chats SET last_digest_slot = ? WHERE id = ?", [str(day), chat.id])
        log.warning(
            "chat %s had the digest of %s already (the clock was set back); next one as usual",
            chat.id, chat.last_digest_slot,
        )  # fmt: skip
        return
    if now - moment > max(grace, ON_TIME):
        db.execute("UPDATE chats SET last_digest_slot = ? WHERE id = ?", [str(day), chat.id])
        run.skipped_late.append(chat.id)
        log.warning(
            "digest for chat %s due at %s skipped: %s late, over the %s grace period",
            chat.id, moment.isoformat(), now - moment, grace,
        )  # fmt: skip
        return
    db.execute("SAVEPOINT digest_chat")
    try:
        if plan_in_transaction(db, outbox, chat.id, now=now, slot=day, window=window):
            run.planned.append(chat.id)
    except Exception as error:
        # The database file's trouble (locked, full, damaged...) is not this chat's, nor an
        # error after which SQLite rolled back the whole batch (as it may on a full disk, when
        # `ROLLBACK TO` could only add "no such savepoint"): either ends the run, the batch is
        # rolled back whole and the tick logs the real error once. Going on would fail every
        # remaining chat the same way, a traceback each, and hide the cause among them.
        if not db.conn.in_transaction or is_database_trouble(error):
            raise
        db.execute("ROLLBACK TO digest_chat")
        log.exception("digest for chat %s could not be planned; retrying next minute", chat.id)
    db.execute("RELEASE digest_chat")


def schedule_digests(
    scheduler: Any,
    db: Database,
    outbox: Outbox,
    *,
    grace: timedelta,
    alerts_per_hour: int,
    clock: Callable[[], datetime] = utcnow,
    keep_articles_days: int = 0,
    backups: Backups | None = None,
) -> None:
    """Wire delivery into an APScheduler 3 scheduler (PTB's `job_queue.scheduler` too).

    Call once at start-up, before anything sends: it first settles messages a crash left in
    flight (`recover`), then schedules a one-off catch-up (pending messages, alerts for
    articles stored just before the crash), one job every minute for alerts owed for
    articles another process stored and for due digests, and the nightly housekeeping
    (`housekeeping.tidy`: article retention when `keep_articles_days` is positive, old
    message bodies, the WAL; then the nightly backup when `backups` is set). One digest job,
    not one per chat: schedules live in the database, so /digest changes and restarts need no job
    bookkeeping, and the first tick right after start-up sends digests missed within grace.

    A database that cannot be used this minute (locked by another program past the busy
    timeout, a full disk) is one log line, not a traceback: each batch of plans is one
    transaction, so what was not committed is still due, and each tick also sends what an
    earlier one left pending.
    """
    recover(db, now=clock())

    async def resume() -> None:
        catch_up(db, outbox, per_hour=alerts_per_hour, now=clock())
        await outbox.flush()

    async def tick() -> None:
        skipped = "Digests and alerts skipped: the database is %s; next try in a minute"
        with logged_as_database_trouble(log, skipped):
            # alerts for articles another process stored (`newsbrief ingest` from cron)
            if catch_up(db, outbox, per_hour=alerts_per_hour, now=clock()):
                await outbox.flush()
            if not (await run_due_digests(db, outbox, clock(), grace=grace)).planned:
                await outbox.flush()  # what a tick the database refused left pending

    scheduler.add_job(
        resume, "date", id="newsbrief-resume", replace_existing=True, misfire_grace_time=None
    )
    schedule_housekeeping(
        scheduler, db, keep_articles_days=keep_articles_days, backups=backups, clock=clock
    )
    scheduler.add_job(
        tick,
        "cron",
        second=0,
        id="newsbrief-digests",
        name="newsbrief digests",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=50,
        next_run_time=clock(),
    )
