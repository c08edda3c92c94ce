"""The delivery log: every story reaches each chat at most once, and none is silently dropped.

Planning and sending are separate steps. Planning (alerts.py, digest.py) renders the message
parts and, in ONE transaction, writes an `outbox` row per part and a `deliveries` row per
(chat, article) — UNIQUE, so a story can never be planned twice for a chat. Sending walks the
outbox: a part is marked `sending` (committed) right before its single HTTP attempt and `sent`
with Telegram's message id right after.

After a crash, `pending` parts are sent on start-up (they never left). A part left in
`sending` is ambiguous: the request may have reached Telegram just before the process died.
Resending could show it twice, so `recover` marks it `unknown`, logs it and lists it for admins
(`failures`) instead. The window is one HTTP round trip per chat in flight: rate-limit waits
and 429 pauses happen while the part is still `pending`.

States: pending -> sending -> sent | failed | unknown; dropped when the chat blocked the bot.

A part may name a forum topic (`thread_id`: where /digest was asked, or for scheduled digests
and alerts the chat's delivery topic); NULL is the chat itself, General in a forum. A chat's
parts keep one order whatever their topics.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from summaries.chats import deactivate_chat
from summaries.notify import (
    DeliveryFailed,
    DeliveryUnknown,
    Notifier,
    Part,
    RecipientGone,
    RetryLater,
)
from summaries.quiet_hours import is_quiet
from summaries.store import Database, to_db, utcnow
from summaries.tasks import all_finished
from summaries.timezones import zone

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class FlushReport:
    """What one pass over the outbox did."""

    sent: int = 0
    failed: int = 0
    unknown: int = 0
    dropped_chats: list[int] = field(default_factory=list)
    retries: int = 0


def undelivered(db: Database, chat_id: int, article_ids: Sequence[int]) -> list[int]:
    """The articles of `article_ids` this chat has not had yet, nor any story of their cluster.

    The cluster check walks the (few) members of each cluster and probes the chat's deliveries
    by key (CROSS JOIN fixes that order): left to itself SQLite scanned every delivery the chat
    ever had for each candidate, so a digest got slower every day (3.4 s per chat with 20,000
    past deliveries and 2,000 candidates).
    """
    if not article_ids:
        return []
    marks = ",".join("?" * len(article_ids))
    rows = db.execute(
        f"SELECT a.id FROM articles a WHERE a.id IN ({marks})"  # noqa: S608
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.chat_id = ? AND d.article_id = a.id)"
        " AND (a.cluster_id IS NULL OR NOT EXISTS (SELECT 1 FROM articles b"
        "      CROSS JOIN deliveries d ON d.chat_id = ? AND d.article_id = b.id"
        "      WHERE b.cluster_id = a.cluster_id))",
        [*article_ids, chat_id, chat_id],
    ).fetchall()
    found = {int(r[0]) for r in rows}
    return [i for i in article_ids if i in found]


def enqueue(
    db: Database,
    chat_id: int,
    kind: str,
    parts: Sequence[Part],
    *,
    now: datetime,
    topic_ids: Mapping[int, int | None] | None = None,
    thread_id: int | None = None,
) -> str:
    """Write the parts and their delivery rows; call inside the caller's transaction.

    `thread_id` is the forum topic the parts go to (None: the chat itself, General in a forum).

    Only the articles a part shows get rows; the other outlets of their stories, named under
    "also reported by", are kept from being sent later by `undelivered`'s cluster check.
    """
    batch = uuid.uuid4().hex
    moment = to_db(now)
    topics = topic_ids or {}
    for number, part in enumerate(parts):
        cursor = db.execute(
            "INSERT INTO outbox (chat_id, thread_id, batch, part, kind, body, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [chat_id, thread_id, batch, number, kind, part.text, moment, moment],
        )
        outbox_id = int(cursor.lastrowid or 0)
        db.conn.executemany(
            "INSERT INTO deliveries (chat_id, article_id, topic_id, kind, outbox_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(chat_id, a, topics.get(a), kind, outbox_id, moment) for a in part.article_ids],
        )
    return batch


def recover(db: Database, *, now: datetime) -> int:
    """At start-up: mark parts left `sending` by a crash as `unknown` (never resent); count."""
    rows = db.execute("SELECT id, chat_id FROM outbox WHERE status = 'sending'").fetchall()
    if rows:
        _set_status(db, [int(r[0]) for r in rows], "unknown", now=now, error=_AMBIGUOUS)
        log.warning(
            "%d message(s) were in flight when the process stopped; not resent to avoid"
            " duplicates, listed by /failures: outbox ids %s",
            len(rows),
            ", ".join(str(r[0]) for r in rows[:20]),
        )
    return len(rows)


_AMBIGUOUS = "in flight when the process stopped; may or may not have arrived"


def _set_status(
    db: Database,
    ids: Sequence[int],
    status: str,
    *,
    now: datetime,
    error: str | None = None,
    message_id: int | None = None,
) -> None:
    moment = to_db(now)
    with db.conn:
        for outbox_id in ids:
            db.execute(
                "UPDATE outbox SET status = ?, error = ?, telegram_message_id = ?, updated_at = ?,"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
                [status, error, message_id, moment, status, moment, outbox_id],
            )
            db.execute(
                "UPDATE deliveries SET status = ?, error = ?, message_id = ?,"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE outbox_id = ?",
                [status, error, message_id, status, moment, outbox_id],
            )


def _claim(db: Database, outbox_id: int, *, now: datetime) -> bool:
    """Mark one part `sending` if it is still pending (committed before the request)."""
    with db.conn:
        cursor = db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            [to_db(now), outbox_id],
        )
        claimed = cursor.rowcount == 1
        if claimed:
            db.execute("UPDATE deliveries SET status = 'sending' WHERE outbox_id = ?", [outbox_id])
    return claimed


def _release(db: Database, outbox_id: int, *, now: datetime, error: str) -> None:
    """Back to `pending` after a refusal that delivered nothing (429, connection refused)."""
    _set_status(db, [outbox_id], "pending", now=now, error=error)


@dataclass(frozen=True)
class _Queued:
    """A pending part as the flush reads it, with what decides whether it goes silently."""

    outbox_id: int
    body: str
    thread_id: int | None
    kind: str = "alert"
    timezone: str = "UTC"
    quiet: tuple[str | None, str | None] = (None, None)

    def silent(self, now: datetime) -> bool:
        """An alert in the chat's quiet hours (judged when it is sent) comes without a sound."""
        start, end = (time.fromisoformat(t) if t else None for t in self.quiet)
        return self.kind == "alert" and is_quiet(start, end, zone(self.timezone), now)


class Outbox:
    """Sends what is pending, chats in parallel, each chat's parts in order.

    The notifier enforces Telegram's rate limits; this class decides what is sent, in which
    order, and how each outcome is recorded. Several flushes may run at once (a digest
    fan-out, an alert, a /digest): each takes only chats no other flush is working on, so an
    alert is not stuck behind a ten-minute fan-out and no chat's parts are ever reordered.
    """

    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        *,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
        concurrency: int = 64,
        max_attempts: int = 5,
        backoff: float = 1.0,
    ) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock
        self.sleep = sleep
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._busy: set[int] = set()

    async def flush(self) -> FlushReport:
        """Send every pending part of chats no other flush holds; returns what happened."""
        report = FlushReport()
        while True:
            by_chat = {c: rows for c, rows in self._pending().items() if c not in self._busy}
            if not by_chat:
                return report
            self._busy.update(by_chat)
            try:
                queue: asyncio.Queue[tuple[int, list[_Queued]]] = asyncio.Queue()
                for item in by_chat.items():
                    queue.put_nowait(item)
                workers = min(self.concurrency, len(by_chat))
                # a failing worker's error waits for its siblings: see `_worker`
                await all_finished(self._worker(queue, report) for _ in range(workers))
            finally:
                self._busy.difference_update(by_chat)

    def _pending(self) -> dict[int, list[_Queued]]:
        by_chat: dict[int, list[_Queued]] = defaultdict(list)
        rows = self.db.execute(
            "SELECT o.id, o.chat_id, o.body, o.thread_id, o.kind, c.timezone, c.quiet_start,"
            " c.quiet_end FROM outbox o JOIN chats c ON c.id = o.chat_id"
            " WHERE o.status = 'pending' AND c.active = 1 ORDER BY o.id"
        ).fetchall()
        for outbox_id, chat_id, body, thread_id, kind, tz, start, end in rows:
            thread = None if thread_id is None else int(thread_id)
            queued = _Queued(int(outbox_id), str(body), thread, str(kind), str(tz), (start, end))
            by_chat[int(chat_id)].append(queued)
        return by_chat

    async def _worker(
        self, queue: asyncio.Queue[tuple[int, list[_Queued]]], report: FlushReport
    ) -> None:
        """Send chat after chat from `queue`.

        A worker that fails (a locked database, a bug) empties the queue so its siblings stop
        after the chat each holds, and `flush` re-raises only once they have: releasing the
        chats while a sibling still sends one would let another flush take that chat's later
        parts and send them before the earlier ones.
        """
        try:
            while not queue.empty():
                chat_id, parts = queue.get_nowait()
                for part in parts:
                    if not await self._deliver(chat_id, part, report):
                        break
        except BaseException:
            while not queue.empty():
                queue.get_nowait()
            raise

    async def _deliver(self, chat_id: int, part: _Queued, report: FlushReport) -> bool:
        """Send one part with retries; False when the chat is gone (skip its other parts).

        A flood refusal (429) names its own wait and does not use up an attempt, up to a
        bound: a storm pauses the fan-out, it does not turn stories into failures.
        """
        outbox_id = part.outbox_id
        errors = floods = 0
        while True:
            await self.notifier.wait_turn(chat_id)  # still `pending` while waiting
            claimed_at = self.clock()
            if not _claim(self.db, outbox_id, now=claimed_at):
                return True
            try:
                message_id = await self.notifier.send(
                    chat_id, part.body, thread_id=part.thread_id, silent=part.silent(claimed_at)
                )
            except RetryLater as refused:
                _release(self.db, outbox_id, now=self.clock(), error=str(refused))
                report.retries += 1
                floods += refused.after > 0
                errors += refused.after <= 0
                if errors >= self.max_attempts or floods >= 10 * self.max_attempts:
                    self._fail(outbox_id, chat_id, f"gave up after retries: {refused}", report)
                    return True
                await self.sleep(max(refused.after, self.backoff * 2 ** max(errors - 1, 0)))
                continue
            except RecipientGone as gone:
                deactivate_chat(self.db, chat_id, now=self.clock(), reason=str(gone))
                report.dropped_chats.append(chat_id)
                log.info("chat %s deactivated: %s", chat_id, gone)
                return False
            except DeliveryUnknown as unsure:
                _set_status(self.db, [outbox_id], "unknown", now=self.clock(), error=str(unsure))
                report.unknown += 1
                log.warning(
                    "message %s to chat %s may not have arrived: %s", outbox_id, chat_id, unsure
                )
                return True
            except DeliveryFailed as failed:
                self._fail(outbox_id, chat_id, str(failed), report)
                return True
            _set_status(self.db, [outbox_id], "sent", now=self.clock(), message_id=message_id)
            report.sent += 1
            return True

    def _fail(self, outbox_id: int, chat_id: int, error: str, report: FlushReport) -> None:
        _set_status(self.db, [outbox_id], "failed", now=self.clock(), error=error)
        report.failed += 1
        log.warning("message %s to chat %s failed: %s", outbox_id, chat_id, error)
