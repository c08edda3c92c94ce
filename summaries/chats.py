"""Chat settings: who the bot talks to, their timezone, digest hour, alert preference and, in
a forum group, the topic where scheduled digests and alerts are posted.

A chat row is created the first time a chat uses a topic or digest command. Every setting is
validated here, so the bot and the CLI share one set of rules and one set of messages.
A chat that blocks the bot is deactivated, not deleted: its topics stay, it stops receiving
anything, and using the bot again (`ensure_chat`) brings it back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from summaries.digest_days import EVERY_DAY, runs_on
from summaries.errors import ChatSettingError, NotFoundError, typed
from summaries.store import Database, from_db, to_db
from summaries.timezones import resolve_timezone, timezone_label, zone

log = logging.getLogger(__name__)

EMPTY_DIGEST_MODES = ("send", "skip")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


@dataclass(frozen=True)
class Chat:
    """One chat's settings as stored."""

    id: int
    kind: str = "private"
    title: str | None = None
    timezone: str = "UTC"
    digest_time: time | None = None
    digest_days: int = EVERY_DAY
    """The days of the week the scheduled digest goes out (`summaries.digest_days`)."""
    alerts: bool = True
    empty_digest: str = "send"
    active: bool = True
    last_digest_at: datetime | None = None
    last_digest_slot: date | None = None
    created_at: datetime | None = None
    deactivated_at: datetime | None = None
    delivery_thread: int | None = None
    """The forum topic scheduled digests and alerts go to (None: the chat itself, General)."""
    quiet_start: time | None = None
    quiet_end: time | None = None
    """Quiet hours, local time (`summaries.quiet_hours`); None: none."""

    @property
    def tz(self) -> ZoneInfo:
        """The chat's timezone (UTC if the stored name has vanished from tzdata)."""
        return zone(self.timezone)

    @property
    def timezone_label(self) -> str:
        """The timezone as a person reads it: "UTC+2, no daylight saving" for Etc/GMT-2."""
        return timezone_label(self.timezone)


def _chat(row: dict[str, Any]) -> Chat:
    slot = row["last_digest_slot"]
    return Chat(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        timezone=row["timezone"],
        digest_time=time.fromisoformat(row["digest_time"]) if row["digest_time"] else None,
        # a mask edited by hand to no day (or junk bits) would leave no slot to find
        digest_days=int(row["digest_days"]) & EVERY_DAY or EVERY_DAY,
        alerts=bool(row["alerts"]),
        empty_digest=row["empty_digest"],
        active=bool(row["active"]),
        last_digest_at=from_db(row["last_digest_at"]),
        last_digest_slot=date.fromisoformat(slot) if slot else None,
        created_at=from_db(row["created_at"]),
        deactivated_at=from_db(row["deactivated_at"]),
        delivery_thread=row["delivery_thread_id"],
        quiet_start=_time(row["quiet_start"]),
        quiet_end=_time(row["quiet_end"]),
    )


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def ensure_chat(
    db: Database,
    chat_id: int,
    *,
    now: datetime,
    kind: str | None = None,
    title: str | None = None,
) -> Chat:
    """The chat's row, created with defaults if new; reactivates a chat that had blocked us.

    `kind` is Telegram's chat type ("private", "group", "supergroup", "channel"); when not
    given, a new chat is taken to be private and a known one keeps its kind.
    """
    with db.conn:
        db.execute(
            "INSERT INTO chats (id, kind, title, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET kind = coalesce(?, chats.kind),"
            " title = coalesce(excluded.title, chats.title), active = 1, deactivated_at = NULL",
            [chat_id, kind or "private", title, to_db(now), kind],
        )
    return get_chat(db, chat_id)


def get_chat(db: Database, chat_id: int) -> Chat:
    """One chat's settings."""
    rows = list(db.query("SELECT * FROM chats WHERE id = ?", [chat_id]))
    if not rows:
        raise NotFoundError(f"Chat {chat_id} has no settings yet. Send /settings to create them.")
    return _chat(rows[0])


def active_chats(db: Database) -> list[Chat]:
    """Every chat that still receives messages."""
    return [_chat(r) for r in db.query("SELECT * FROM chats WHERE active = 1 ORDER BY id")]


def _update(db: Database, chat_id: int, sql: str, params: list[Any]) -> Chat:
    with db.conn:
        db.execute(f"UPDATE chats SET {sql} WHERE id = ?", [*params, chat_id])  # noqa: S608
    return get_chat(db, chat_id)


def set_timezone(db: Database, chat_id: int, name: str, *, now: datetime) -> Chat:
    """Set the chat's timezone from what was typed (`resolve_timezone`: a name or UTC offset).

    The digest slot is re-anchored in the new zone (as `set_digest_time` does), so moving
    west cannot make the scheduler think today's digest was already sent.
    """
    _update(db, chat_id, "timezone = ?", [resolve_timezone(name, now=now)])
    chat = get_chat(db, chat_id)
    return set_digest_time(db, chat_id, chat.digest_time, now=now, days=chat.digest_days)


def parse_digest_time(text: str) -> time:
    """'08:00', '8:00', '8.00' or '8h00' -> 08:00; anything else explains the format."""
    found = _HHMM.match(text.strip())
    if not found:
        raise ChatSettingError(
            f"{typed(text, 20)} is not a time. Use 24-hour HH:MM, then the days if not every"
            " day: /digest 08:00 or /digest 08:00 weekdays."
        )
    return time(int(found.group(1)), int(found.group(2)))


def set_digest_time(
    db: Database, chat_id: int, at: time | None, *, now: datetime, days: int = EVERY_DAY
) -> Chat:
    """Set (or with None, turn off) the digest time, in the chat's timezone, on `days`.

    The slot that has already passed counts as done, so choosing 08:00 at 09:00 means the
    first digest comes at the next 08:00 instead of a "missed" one being sent at once.
    """
    if at is None:
        return _update(db, chat_id, "digest_time = NULL", [])
    chat = get_chat(db, chat_id)
    passed = latest_slot(at, chat.tz, now, days)[0]
    return _update(
        db,
        chat_id,
        "digest_time = ?, digest_days = ?, last_digest_slot = ?",
        [at.strftime("%H:%M"), days, str(passed)],
    )


def set_delivery_thread(db: Database, chat_id: int, thread_id: int | None) -> Chat:
    """Post the chat's scheduled digests and alerts in forum topic `thread_id` (None: General).

    The bot calls this where an admin sets the digest time or follows a topic, so deliveries
    go where the group reads news. A closed topic stays stored: each message to it is refused
    (a 400 that delivered nothing) and posted in General instead, and a topic can be reopened,
    so forgetting it would move the group's deliveries for good without anyone choosing it.
    A deleted topic cannot come back: `forget_delivery_thread`.
    """
    return _update(db, chat_id, "delivery_thread_id = ?", [thread_id])


def forget_delivery_thread(db: Database, chat_id: int, thread_id: int) -> None:
    """Telegram says forum topic `thread_id` no longer exists: deliver to General from now on.

    Only if it is still the chat's delivery topic (an admin may have chosen another since the
    message was queued). Without this, every later message would be refused once first.
    """
    with db.conn:
        db.execute(
            "UPDATE chats SET delivery_thread_id = NULL WHERE id = ? AND delivery_thread_id = ?",
            [chat_id, thread_id],
        )


def latest_slot(
    at: time, tz: ZoneInfo, now: datetime, days: int = EVERY_DAY
) -> tuple[date, datetime]:
    """The most recent local date among `days` whose digest time is at or before `now`, and
    that moment in UTC.

    A time that does not exist on a spring-forward day (02:30 in Europe/Berlin) fires at the
    same instant as 03:30; an ambiguous one on a fall-back day fires at its first occurrence.
    """
    day = now.astimezone(tz).date()
    for _ in range(9):
        moment = slot_moment(day, at, tz)
        if moment <= now and runs_on(days, day):
            return day, moment
        day -= timedelta(days=1)
    raise AssertionError("a slot always exists within eight days")  # pragma: no cover


def next_slot(at: time, tz: ZoneInfo, now: datetime, days: int = EVERY_DAY) -> datetime:
    """The UTC instant of the next digest after `now` (for /settings)."""
    day = now.astimezone(tz).date()
    for _ in range(9):
        moment = slot_moment(day, at, tz)
        if moment > now and runs_on(days, day):
            return moment
        day += timedelta(days=1)
    raise AssertionError("a slot always exists within eight days")  # pragma: no cover


def slot_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `at` on local date `day` in `tz`."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def set_quiet_hours(db: Database, chat_id: int, hours: tuple[time, time] | None) -> Chat:
    """Set the chat's quiet hours (start, end), local time; None turns them off."""
    stored = [f"{hours[0]:%H:%M}", f"{hours[1]:%H:%M}"] if hours else [None, None]
    return _update(db, chat_id, "quiet_start = ?, quiet_end = ?", stored)


def set_alerts(db: Database, chat_id: int, on: bool) -> Chat:
    """Turn instant alerts on or off (off: matches only go into the digest)."""
    return _update(db, chat_id, "alerts = ?", [int(on)])


def set_empty_digest(db: Database, chat_id: int, mode: str) -> Chat:
    """'send' a one-line "nothing new" digest, or 'skip' it, when nothing matched."""
    if mode not in EMPTY_DIGEST_MODES:
        raise ChatSettingError("Use /emptydigest send or /emptydigest skip.")
    return _update(db, chat_id, "empty_digest = ?", [mode])


def deactivate_chat(db: Database, chat_id: int, *, now: datetime, reason: str) -> None:
    """Stop sending to a chat that blocked the bot or vanished; its queued messages are dropped.

    Only this chat's rows change, so one blocked chat never holds up a fan-out to the others.
    """
    with db.conn:
        db.execute(
            "UPDATE chats SET active = 0, deactivated_at = ? WHERE id = ?", [to_db(now), chat_id]
        )
        db.execute(
            "UPDATE outbox SET status = 'dropped', error = ?, updated_at = ?"
            " WHERE chat_id = ? AND status IN ('pending', 'sending')",
            [reason, to_db(now), chat_id],
        )
        db.execute(
            "UPDATE deliveries SET status = 'dropped', error = ?"
            " WHERE chat_id = ? AND status IN ('pending', 'sending')",
            [reason, chat_id],
        )
