"""Delivery under a clock set back, a full or locked database, and a flush that fails midway.

Each test here failed before its fix: a story stored after a digest while the clock was set
back never reached a digest; a full disk showed as "no such savepoint"; a locked database was
a traceback per chat (and, in a command, the generic apology); a failing flush released chats
another of its workers was still sending to.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.handlers.errors import BUSY
from summaries import alerts, chats, digest, digest_schedule, outbox
from summaries.config import Settings
from summaries.notify import DigestMessage, Part
from summaries.store import Database, open_database
from tests.bot_harness import running_bot
from tests.test_topics_support import NOW, Jobs, RecordingNotifier, store

GRACE = timedelta(hours=6)
DAY = timedelta(days=1)


def daily(db: Database, *chat_ids: int) -> None:
    """Digest-only chats (no topics), daily at 08:00 UTC from NOW on."""
    for chat_id in chat_ids:
        chats.ensure_chat(db, chat_id, now=NOW - DAY)
        chats.set_digest_time(db, chat_id, chats.parse_digest_time("08:00"), now=NOW - DAY)


def digest_tick(db: Database, box: outbox.Outbox, clock: Callable[[], datetime]) -> Any:
    """The scheduled digest job, as the bot's scheduler runs it."""
    jobs = Jobs()
    digest_schedule.schedule_digests(jobs, db, box, grace=GRACE, alerts_per_hour=10, clock=clock)
    return jobs.jobs["newsbrief-digests"]


async def test_a_story_stored_after_a_digest_the_clock_then_set_back_is_not_lost(
    db: Database,
) -> None:
    """The 08:00 digest ran with the clock two hours ahead; NTP set it back. A story stored
    after that carries an earlier time than the digest's cutoff: the next day's digest
    started its window at the cutoff and never showed it."""
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    daily(db, 1)
    store(db, "Harbour reopens", at=NOW - timedelta(hours=1))
    assert (await digest_schedule.run_due_digests(db, box, NOW, grace=GRACE)).planned == [1]
    back = NOW - timedelta(hours=2)
    await digest_schedule.run_due_digests(db, box, back, grace=GRACE)  # the next minute's tick
    store(db, "Bridge closes", at=back + timedelta(minutes=30))
    assert (await digest_schedule.run_due_digests(db, box, NOW + DAY, grace=GRACE)).planned == [1]
    first, second = notifier.to(1)
    assert "Harbour reopens" in first and "Bridge closes" in second
    assert "Harbour reopens" not in second  # the wider window sends nothing twice


async def test_a_digest_asked_for_while_the_clock_is_behind_the_last_one_shows_new_stories(
    db: Database,
) -> None:
    """/digest while the clock reads earlier than the previous digest: the window (previous
    digest, now] was empty, and the digest moved the cutoff back to now past the story."""
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    chats.ensure_chat(db, 1, now=NOW)
    store(db, "Harbour reopens", at=NOW - timedelta(hours=1))
    assert digest.plan_digest(db, box, 1, now=NOW, slot=None)
    back = NOW - timedelta(hours=2)
    store(db, "Bridge closes", at=back + timedelta(minutes=30))
    assert digest.plan_digest(db, box, 1, now=back + timedelta(hours=1), slot=None)
    await box.flush()
    assert ["Bridge closes" in text for text in notifier.to(1)] == [False, True]
    assert sum("Harbour reopens" in text for text in notifier.to(1)) == 1


def _full_disk() -> sqlite3.OperationalError:
    """A real SQLITE_FULL error, as SQLite raises it."""
    scratch = sqlite3.connect(":memory:", isolation_level=None)
    scratch.execute("CREATE TABLE t (x BLOB)")
    pages = scratch.execute("PRAGMA page_count").fetchone()[0]
    scratch.execute(f"PRAGMA max_page_count = {pages}")
    try:
        scratch.execute("INSERT INTO t VALUES (randomblob(100000))")
    except sqlite3.OperationalError as error:
        return error
    finally:
        scratch.close()
    raise AssertionError("max_page_count did not fill the database")


@pytest.mark.parametrize("whole_transaction", [True, False])
async def test_a_full_disk_while_planning_is_logged_as_itself_in_one_line(
    db: Database, caplog: pytest.LogCaptureFixture, whole_transaction: bool
) -> None:
    """On some full-disk errors SQLite rolls back the whole transaction, not the statement;
    `ROLLBACK TO` the chat's savepoint then failed with "no such savepoint", which is what
    the operator saw (in a traceback). When only the statement is undone, each chat logged a
    traceback of its own. Now: the real error in one line, nothing half-written, and every
    chat's digest goes at the next tick."""
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    daily(db, 1, 2)
    store(db, "Harbour reopens", at=NOW - timedelta(hours=1))
    render = notifier.render_digest

    def disk_fills_at_chat_2(message: DigestMessage) -> list[Part]:
        if message.chat_id == 2:
            if whole_transaction:
                db.execute("ROLLBACK")  # what SQLite does to the transaction on such an error
            raise _full_disk()
        return render(message)

    notifier.render_digest = disk_fills_at_chat_2  # type: ignore[method-assign]
    slots = [chats.get_chat(db, c).last_digest_slot for c in (1, 2)]
    now = [NOW]
    tick = digest_tick(db, box, lambda: now[0])
    with caplog.at_level(logging.INFO, logger="summaries.digest_schedule"):
        await tick()
    assert [(r.levelno, r.getMessage(), r.exc_info) for r in caplog.records] == [
        (
            logging.ERROR,
            "Digests and alerts skipped: the database is unavailable (database or disk is"
            " full); next try in a minute",
            None,
        )
    ]
    assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert [chats.get_chat(db, c).last_digest_slot for c in (1, 2)] == slots
    notifier.render_digest = render  # type: ignore[method-assign]
    now[0] = NOW + timedelta(minutes=1)
    await tick()
    assert len(notifier.to(1)) == len(notifier.to(2)) == 1


def _locked_file(tmp_path: Path) -> tuple[Database, sqlite3.Connection]:
    """A database file with a short busy timeout, and a second connection to lock it with."""
    db = open_database(tmp_path / "newsbrief.db")
    db.execute("PRAGMA busy_timeout = 50")
    return db, sqlite3.connect(tmp_path / "newsbrief.db", isolation_level=None)


async def test_a_locked_database_at_digest_time_is_one_line_and_the_next_tick_sends(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The lock (the batch's BEGIN IMMEDIATE, after the busy timeout) left the job as an
    exception: APScheduler's "Job raised an exception" and a traceback."""
    db, holder = _locked_file(tmp_path)
    notifier = RecordingNotifier()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    daily(db, 1, 2, 3)
    store(db, "Harbour reopens", at=NOW - timedelta(hours=1))
    alerts.catch_up(db, box, per_hour=10, now=NOW)  # the alert cursor exists: a read from now on
    now = [NOW]
    tick = digest_tick(db, box, lambda: now[0])
    holder.execute("BEGIN IMMEDIATE")  # `sqlite3 newsbrief.db` left in a transaction
    try:
        with caplog.at_level(logging.INFO, logger="summaries.digest_schedule"):
            await tick()
    finally:
        holder.rollback()
    assert [(r.levelno, r.exc_info) for r in caplog.records] == [(logging.ERROR, None)]
    assert "(database is locked); next try in a minute" in caplog.records[0].getMessage()
    now[0] = NOW + timedelta(minutes=1)
    await tick()
    assert [len(notifier.to(c)) for c in (1, 2, 3)] == [1, 1, 1]
    holder.close()
    db.close()


async def test_a_digest_whose_sending_met_a_lock_goes_at_the_next_tick(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The digest was planned (committed), then the database was locked before its first
    part could be marked `sending`: the tick failed, and no later tick sent it, as ticks
    sent only what they had just planned."""
    db, holder = _locked_file(tmp_path)

    class LockedOnce(RecordingNotifier):
        locked = False

        async def wait_turn(self, chat_id: int) -> None:
            if not self.locked:
                self.locked = True
                holder.execute("BEGIN IMMEDIATE")  # another program takes the lock just now

    notifier = LockedOnce()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    daily(db, 1)
    store(db, "Harbour reopens", at=NOW - timedelta(hours=1))
    now = [NOW]
    tick = digest_tick(db, box, lambda: now[0])
    with caplog.at_level(logging.INFO, logger="summaries.digest_schedule"):
        await tick()
    holder.rollback()
    assert [(r.levelno, r.exc_info) for r in caplog.records] == [(logging.ERROR, None)]
    assert notifier.sent == []
    now[0] = NOW + timedelta(minutes=1)
    await tick()
    assert len(notifier.to(1)) == 1
    holder.close()
    db.close()


async def test_a_command_that_meets_a_locked_database_says_try_again_in_one_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """It was a traceback in the log and the apology for a bug ("something went wrong")."""
    async with running_bot(settings) as bot:
        bot.db.execute("PRAGMA busy_timeout = 50")
        holder = sqlite3.connect(settings.db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            [reply] = await bot.ask(42, "/emptydigest skip")
        finally:
            holder.close()
    assert reply.text == BUSY
    [record] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert record.levelno == logging.ERROR and record.exc_info is None
    assert "database is locked" in record.getMessage()


async def test_a_flush_that_fails_keeps_the_chats_its_other_workers_still_send_to(
    db: Database,
) -> None:
    """Sending to chat 1 hits a bug while chat 2's first part is still on its way. The
    failing flush released chat 2 at once, a second flush took chat 2's later parts and
    sent them before the first one."""
    on_the_way, arrive = asyncio.Event(), asyncio.Event()

    class Failing(RecordingNotifier):
        async def send(
            self, chat_id: int, text: str, *, thread_id: int | None = None, silent: bool = False
        ) -> int:
            if chat_id == 1:
                await on_the_way.wait()
                raise RuntimeError("a bug in the notifier")
            if text == "2: part 0":
                on_the_way.set()
                await arrive.wait()
            return await super().send(chat_id, text, thread_id=thread_id)

    notifier = Failing()
    box = outbox.Outbox(db, notifier, clock=lambda: NOW)
    for chat_id in (1, 2):
        chats.ensure_chat(db, chat_id, now=NOW)
        parts = [Part(f"{chat_id}: part {n}", ()) for n in range(3)]
        with db.conn:
            outbox.enqueue(db, chat_id, "digest", parts, now=NOW)
    first = asyncio.create_task(box.flush())
    await on_the_way.wait()
    for _ in range(5):
        await asyncio.sleep(0)  # chat 1's worker fails meanwhile
    second = await box.flush()  # an alert's flush, say
    assert second.sent == 0
    arrive.set()
    with pytest.raises(RuntimeError, match="a bug in the notifier"):
        await first
    assert notifier.to(2) == ["2: part 0", "2: part 1", "2: part 2"]
