"""Daily digests: what goes in, who is due when, and the bookkeeping that makes it once a day.

Each chat with a digest time has one slot per local calendar day (the chat's IANA timezone,
via zoneinfo, so DST changes move the UTC instant, not the local hour). `run_due_digests` is
the only entry point the scheduler needs and is idempotent: planning a digest writes its
messages and `chats.last_digest_slot` in one transaction, so calling it every minute, twice,
or after a restart sends one digest per chat per day. A slot found more than the grace period
late (the process was down) is skipped and logged rather than sent hours off; a tick that
runs a little after the minute (`ON_TIME`) is on time whatever the grace period.

Content: stories fetched since the previous digest (first digest, or a clock set back past the
previous one: the last 24 hours) that the chat has not been sent, matching its topics (grouped
by topic, in topic order) or, with no topics, the top stories overall. Near-duplicates collapse
to one item with "also reported by"; stories covered by more outlets come first.

Where: a scheduled digest goes to the chat's delivery topic (`Chat.delivery_thread`, read when
it is planned: in a forum, where an admin last set the digest time or followed a topic), a
/digest to the topic it was asked in; None is the chat itself (General in a forum).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from summaries.alerts import catch_up
from summaries.articles import get_articles
from summaries.chats import Chat, active_chats, get_chat, latest_slot
from summaries.cluster import collapse
from summaries.database_trouble import is_unusable
from summaries.housekeeping import schedule_housekeeping
from summaries.matching import Matcher, load_docs, match_with
from summaries.notify import DigestMessage, Item
from summaries.outbox import Outbox, enqueue, recover, undelivered
from summaries.store import Database, to_db, utcnow
from summaries.topics import list_topics, subscriptions

log = logging.getLogger(__name__)

FIRST_DIGEST = timedelta(hours=24)
MAX_ITEMS = 30
TOP_STORIES = 10
MAX_CANDIDATES = 3000
PLAN_BATCH = 200


@dataclass
class DigestRun:
    """What one call of `run_due_digests` did."""

    planned: list[int] = field(default_factory=list)
    skipped_late: list[int] = field(default_factory=list)
    sent: int = 0


class Window:
    """The articles fetched in one (since, now] window, read and indexed once for every chat
    that shares it.

    Chats on the same schedule share their window (their previous digests ran together), so a
    fan-out tokenises the day's articles once instead of once per chat. Only the latest window
    is kept, which bounds memory; `run_due_digests` plans chats sorted by window.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._key: tuple[datetime, datetime] | None = None
        self._ids: list[int] = []
        self._matcher: Matcher | None = None

    def ids(self, since: datetime, now: datetime) -> list[int]:
        """Articles fetched in (since, now], newest first, at most `MAX_CANDIDATES`."""
        if self._key != (since, now):
            self._key, self._matcher = (since, now), None
            self._ids = [
                int(r[0])
                for r in self.db.execute(
                    "SELECT id FROM articles WHERE fetched_at > ? AND fetched_at <= ?"
                    " ORDER BY coalesce(published_at, fetched_at) DESC, id DESC LIMIT ?",
                    [to_db(since), to_db(now), MAX_CANDIDATES],
                ).fetchall()
            ]
            if len(self._ids) == MAX_CANDIDATES:
                log.warning(
                    "more than %d articles fetched since %s: digests consider only the newest"
                    " %d, older ones are neither shown nor counted",
                    MAX_CANDIDATES, since.isoformat(), MAX_CANDIDATES,
                )  # fmt: skip
        return self._ids

    def matcher(self, since: datetime, now: datetime) -> Matcher:
        """Those articles indexed for topic matching."""
        ids = self.ids(since, now)
        if self._matcher is None:
            self._matcher = Matcher(load_docs(self.db, ids), now=now)
        return self._matcher


def build_digest(
    db: Database, chat: Chat, *, now: datetime, window: Window | None = None
) -> tuple[DigestMessage, dict[int, int]]:
    """The chat's digest as plain data, and which topic each included article came from."""
    since = window_start(chat, now)
    window = window or Window(db)
    candidates = undelivered(db, chat.id, window.ids(since, now))
    topics = list_topics(db, chat.id)
    if not topics:
        stories = collapse(get_articles(db, candidates), db)
        top = tuple(Item(a) for a in stories[:TOP_STORIES])
        message = DigestMessage(
            chat.id, ((None, top),) if top else (), since, now, chat.timezone, has_topics=False
        )
        return message, {}
    matched = match_with(window.matcher(since, now), subscriptions(db, chat_id=chat.id))
    fresh = set(candidates)
    found = {a: t for a, t in matched.get(chat.id, {}).items() if a in fresh}
    # Collapsed across topics, not per topic: a story whose outlets matched different topics
    # is one item, under the topic of the article that stands for it.
    stories = collapse(get_articles(db, [a for a in candidates if a in found]), db)
    groups: list[tuple[str | None, tuple[Item, ...]]] = []
    budget = MAX_ITEMS
    for topic in topics:
        items = tuple(Item(a, topic.query) for a in stories if found[a.id] == topic.id)[:budget]
        budget -= len(items)
        if items:
            groups.append((topic.query, items))
    shown = {i.article.id for _, items in groups for i in items}
    more = len(stories) - len(shown)
    message = DigestMessage(chat.id, tuple(groups), since, now, chat.timezone, True, more)
    return message, {a: t for a, t in found.items() if a in shown}


def window_start(chat: Chat, now: datetime) -> datetime:
    """Where the chat's next digest window starts: its previous digest (first: a day ago).

    A previous digest later than `now` means the clock was set back since: stories stored
    after that digest carry earlier times than its cutoff, and a window starting there would
    never show them. The window then starts a day back, like a first digest's; the deliveries
    (`undelivered`) keep out every story the chat was already sent, so nothing goes twice.
    """
    since = chat.last_digest_at or now - FIRST_DIGEST
    return now - FIRST_DIGEST if since > now else since


def rewind_future_cutoffs(db: Database, *, now: datetime) -> int:
    """Apply `window_start`'s rule to every chat as soon as the clock is seen to go back.

    A digest that runs once the clock has passed the old cutoff again would not notice the
    jump, so each tick records it: stories stored in between stay in the next window.
    Looked for first, so the usual tick takes no write lock.
    """
    cutoff = to_db(now)
    sql = "SELECT count(*) FROM chats WHERE last_digest_at > ?"
    count = int(db.execute(sql, [cutoff]).fetchone()[0])
    if count:
        with db.conn:
            db.execute(
                "UPDATE chats SET last_digest_at = ? WHERE last_digest_at > ?",
                [to_db(now - FIRST_DIGEST), cutoff],
            )
        log.warning(
            "the clock is earlier than the last digest of %d chat(s) (it was set back): their"
            " next digest looks back %s; stories already sent are not sent again",
            count, FIRST_DIGEST,
        )  # fmt: skip
    return count


def plan_digest(
    db: Database,
    outbox: Outbox,
    chat_id: int,
    *,
    now: datetime,
    slot: date | None,
    thread_id: int | None = None,
) -> bool:
    """Plan the chat's digest now; `slot` is the scheduled day it fulfils (None: /digest).

    `thread_id` is the forum topic /digest was asked in, where the digest goes (None: the chat
    itself, General in a forum); a scheduled digest (`slot` given) goes to the chat's delivery
    topic instead, whatever `thread_id` says. Returns False when there was nothing to send and
    the chat prefers to skip empty digests (or the slot was already done). Messages and slot
    are written in one transaction.
    """
    with db.conn:
        return _plan(db, outbox, chat_id, now=now, slot=slot, thread_id=thread_id)


def _plan(
    db: Database,
    outbox: Outbox,
    chat_id: int,
    *,
    now: datetime,
    slot: date | None,
    window: Window | None = None,
    thread_id: int | None = None,
) -> bool:
    """`plan_digest` inside the caller's transaction: reads and renders first, then writes."""
    chat = get_chat(db, chat_id)
    if slot is not None and chat.last_digest_slot is not None and chat.last_digest_slot >= slot:
        return False
    message, topic_ids = build_digest(db, chat, now=now, window=window)
    send = not message.is_empty or chat.empty_digest == "send"
    parts = outbox.notifier.render_digest(message) if send else []
    where = thread_id if slot is None else chat.delivery_thread
    updates: list[Any] = [to_db(now)]
    sql = "UPDATE chats SET last_digest_at = ?"
    if slot is not None:
        sql += ", last_digest_slot = ?"
        updates.append(str(slot))
    if parts:
        enqueue(db, chat_id, "digest", parts, now=now, topic_ids=topic_ids, thread_id=where)
    db.execute(sql + " WHERE id = ?", [*updates, chat_id])
    return bool(parts)


def due_chats(db: Database, *, now: datetime) -> list[tuple[Chat, date, datetime]]:
    """Chats whose latest slot has passed and is not done yet: (chat, slot day, slot instant)."""
    due = []
    for chat in active_chats(db):
        if chat.digest_time is None:
            continue
        day, moment = latest_slot(chat.digest_time, chat.tz, now)
        if chat.last_digest_slot is None or chat.last_digest_slot < day:
            due.append((chat, day, moment))
    return due


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
            if not db.conn.in_transaction:
                db.execute("BEGIN")
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
        if _plan(db, outbox, chat.id, now=now, slot=day, window=window):
            run.planned.append(chat.id)
    except Exception as error:
        if not db.conn.in_transaction or _unusable(error):
            raise  # see `_unusable`
        db.execute("ROLLBACK TO digest_chat")
        log.exception("digest for chat %s could not be planned; retrying next minute", chat.id)
    db.execute("RELEASE digest_chat")


def _unusable(error: Exception) -> bool:
    """Whether `error` is about the database file (locked, full...), not this chat's digest.

    Such an error (and any after which SQLite has rolled back the whole batch, as it may on a
    full disk, when `ROLLBACK TO` could only add "no such savepoint") ends the run: the batch
    is rolled back whole, and the tick logs the real error once. Going on would fail every
    remaining chat the same way, a traceback each, and hide the cause among them.
    """
    return isinstance(error, sqlite3.Error) and is_unusable(error)


def schedule_digests(
    scheduler: Any,
    db: Database,
    outbox: Outbox,
    *,
    grace: timedelta,
    alerts_per_hour: int,
    clock: Callable[[], datetime] = utcnow,
    keep_articles_days: int = 0,
) -> None:
    """Wire delivery into an APScheduler 3 scheduler (PTB's `job_queue.scheduler` too).

    Call once at start-up, before anything sends: it first settles messages a crash left in
    flight (`recover`), then schedules a one-off catch-up (pending messages, alerts for
    articles stored just before the crash), one job every minute for alerts owed for
    articles another process stored and for due digests, and the nightly housekeeping
    (`housekeeping.tidy`: article retention when `keep_articles_days` is positive, old
    message bodies, the WAL). One digest job, not one per
    chat: schedules live in the database, so /digest changes and restarts need no job
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
        try:
            # alerts for articles another process stored (`newsbrief ingest` from cron)
            if catch_up(db, outbox, per_hour=alerts_per_hour, now=clock()):
                await outbox.flush()
            if not (await run_due_digests(db, outbox, clock(), grace=grace)).planned:
                await outbox.flush()  # what a tick the database refused left pending
        except sqlite3.OperationalError as error:
            if not is_unusable(error):
                raise
            log.error(
                "Digests and alerts skipped: the database is unavailable (%s); next try in a"
                " minute",
                error,
            )

    scheduler.add_job(
        resume, "date", id="newsbrief-resume", replace_existing=True, misfire_grace_time=None
    )
    schedule_housekeeping(scheduler, db, keep_articles_days=keep_articles_days, clock=clock)
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
