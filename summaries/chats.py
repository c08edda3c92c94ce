"""Chat settings: who the bot talks to, their timezone, digest hour and alert preference.

A chat row is created the first time a chat uses a topic or digest command. Every setting is
validated here, so the bot and the CLI share one set of rules and one set of messages.
A chat that blocks the bot is deactivated, not deleted: its topics stay, it stops receiving
anything, and using the bot again (`ensure_chat`) brings it back.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from summaries.errors import NewsbriefError, NotFoundError
from summaries.store import Database, from_db, to_db

log = logging.getLogger(__name__)

EMPTY_DIGEST_MODES = ("send", "skip")
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_OFFSET = re.compile(r"(?:UTC|GMT)?\s*([+\-\u2212])\s*(\d{1,2})(?::?([0-5]\d))?", re.IGNORECASE)
"""An offset as people type it: UTC+2, GMT-5, UTC-05, +03:00, UTC+5:30, -0330 (− too)."""
_ETC_GMT = re.compile(r"Etc/GMT([+-])(\d{1,2})")
"""tzdata's fixed-offset zones, whose sign is POSIX's: Etc/GMT-2 is two hours *ahead* of UTC."""


class ChatSettingError(NewsbriefError):
    """A chat setting that cannot be used (bad time, unknown timezone); says what would work."""


@dataclass(frozen=True)
class Chat:
    """One chat's settings as stored."""

    id: int
    kind: str = "private"
    title: str | None = None
    timezone: str = "UTC"
    digest_time: time | None = None
    alerts: bool = True
    empty_digest: str = "send"
    active: bool = True
    last_digest_at: datetime | None = None
    last_digest_slot: date | None = None
    created_at: datetime | None = None
    deactivated_at: datetime | None = None

    @property
    def tz(self) -> ZoneInfo:
        """The chat's timezone (UTC if the stored name has vanished from tzdata)."""
        return zone(self.timezone)

    @property
    def timezone_label(self) -> str:
        """The timezone as a person reads it: "UTC+2, no daylight saving" for Etc/GMT-2."""
        return timezone_label(self.timezone)

    @property
    def is_group(self) -> bool:
        """Groups and channels share Telegram's stricter per-chat limit (20 messages a minute)."""
        return self.kind != "private"


def _chat(row: dict[str, Any]) -> Chat:
    slot = row["last_digest_slot"]
    return Chat(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        timezone=row["timezone"],
        digest_time=time.fromisoformat(row["digest_time"]) if row["digest_time"] else None,
        alerts=bool(row["alerts"]),
        empty_digest=row["empty_digest"],
        active=bool(row["active"]),
        last_digest_at=from_db(row["last_digest_at"]),
        last_digest_slot=date.fromisoformat(slot) if slot else None,
        created_at=from_db(row["created_at"]),
        deactivated_at=from_db(row["deactivated_at"]),
    )


@cache
def zone(name: str) -> ZoneInfo:
    """A ZoneInfo by IANA name, falling back to UTC for a name tzdata no longer has.

    A stored name can also be an area ("Europe", a directory: OSError) or garbage from a hand
    edit; one such chat must not stop every chat's digest, so it is logged (once) instead.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        log.warning("timezone %r is unusable (%s); using UTC for its chats", name, error)
        return ZoneInfo("UTC")


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


_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
"""tzdata files that are no one's timezone: the server's own zone (differs between hosts, and
missing where Python brings its own tzdata) and placeholders with no real offset."""


def _zone_names() -> set[str]:
    """The IANA names a chat may choose."""
    return available_timezones() - _NOT_PLACES


def timezone_label(name: str) -> str:
    """A stored zone name as shown to people: Etc/GMT-2 (POSIX sign) reads "UTC+2, ...".

    Shown as the Etc name, a fixed offset reads as the opposite of what it is.
    """
    found = _ETC_GMT.fullmatch(name)
    if found is None or int(found[2]) == 0:
        return name
    ahead = "-" if found[1] == "+" else "+"
    return f"UTC{ahead}{int(found[2])}, no daylight saving"


def _shown(text: str, limit: int) -> str:
    """What someone typed, as typed, cut to `limit` characters for a one-line message."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _typed_offset(name: str) -> timedelta | None:
    """The UTC offset in `name` if it is one ("UTC+5:30" -> 5h30), else None."""
    found = _OFFSET.fullmatch(name.strip())
    if found is None:
        return None
    sign = -1 if found[1] in "-\u2212" else 1
    return sign * timedelta(hours=int(found[2]), minutes=int(found[3] or 0))


def _offset_text(offset: timedelta) -> str:
    """5h30 -> "UTC+5:30", -2h -> "UTC-2"."""
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def _places_at(offset: timedelta, now: datetime) -> list[str]:
    """The places (tzdata's zone.tab, one zone per region, no aliases) on `offset` at `now`."""
    table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line[:1] not in ("#", "")}
    return sorted(n for n in names if zone(n).utcoffset(now) == offset)


def _offset_zone(typed: str, offset: timedelta, now: datetime) -> str:
    """The zone for a typed UTC offset: UTC, or Etc/GMT∓N for whole hours (POSIX sign).

    A part-hour offset (UTC+5:30) has no fixed zone in tzdata, so it is refused naming the
    places on it now; one beyond UTC-12 .. UTC+14 is no offset anyone uses.
    """
    if not offset:
        return "UTC"
    hours, rest = divmod(offset, timedelta(hours=1))
    if -12 <= hours <= 14 and not rest:
        return f"Etc/GMT{-hours:+d}"
    if not timedelta(hours=-12) < offset < timedelta(hours=14):
        raise ChatSettingError(
            f"'{_shown(typed, 30)}' is not a UTC offset: they run from UTC-12 to UTC+14."
        )
    shown, places = _offset_text(offset), _places_at(offset, now)[:4]
    on_it = (
        f" {_listed(places)} {'is' if len(places) == 1 else 'are'} on {shown} now."
        if places
        else f" No place is on {shown} at the moment."
    )
    raise ChatSettingError(
        f"{shown} has no fixed-offset timezone: use your place's Area/City name.{on_it}"
    )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def timezone_suggestions(name: str, *, limit: int = 3) -> list[str]:
    """IANA names close to `name` ("berlin" -> Europe/Berlin), best first.

    Never Etc/GMT+2 and kin: their reversed sign sends a "GMT+2" person 4 hours the wrong way.
    """
    names = sorted(n for n in _zone_names() if not _ETC_GMT.fullmatch(n))
    wanted = name.strip().replace(" ", "_").lower()
    by_lower = {n.lower(): n for n in names}
    by_city = {n.rsplit("/", 1)[-1].lower(): n for n in names}
    exact = [by_city[wanted]] if wanted in by_city else []
    close = difflib.get_close_matches(wanted, list(by_lower), n=limit, cutoff=0.6)
    close += difflib.get_close_matches(wanted, list(by_city), n=limit, cutoff=0.75)
    found = exact + [by_lower.get(c) or by_city[c] for c in close]
    return list(dict.fromkeys(found))[:limit]


def set_timezone(db: Database, chat_id: int, name: str, *, now: datetime) -> Chat:
    """Set the chat's IANA timezone; an unknown name is refused with suggestions.

    A UTC offset typed as people write it (UTC+2, GMT-5, +03:00) is the fixed zone it means
    (Etc/GMT-2 for UTC+2: tzdata's sign is reversed); `Chat.timezone_label` shows it as UTC+2.
    The digest slot is re-anchored in the new zone (as `set_digest_time` does), so moving
    west cannot make the scheduler think today's digest was already sent.
    """
    offset = _typed_offset(name)
    cleaned = name.strip().replace(" ", "_")
    names = _zone_names()
    match = next((n for n in names if n.lower() == cleaned.lower()), None)
    if offset is not None:
        match = _offset_zone(name, offset, now)
    elif match is None:
        hints = timezone_suggestions(cleaned)
        hint = f" Did you mean {', '.join(hints)}?" if hints else ""
        raise ChatSettingError(
            f"'{_shown(name, 60)}' is not a timezone name.{hint}"
            " Use an Area/City name such as Europe/Berlin or America/New_York"
            " (or a UTC offset such as UTC+2, which has no daylight saving)."
        )
    _update(db, chat_id, "timezone = ?", [match])
    return set_digest_time(db, chat_id, get_chat(db, chat_id).digest_time, now=now)


def parse_digest_time(text: str) -> time:
    """'08:00', '8:00', '8.00' or '8h00' -> 08:00; anything else explains the format."""
    found = _HHMM.match(text.strip())
    if not found:
        raise ChatSettingError(
            f"'{_shown(text, 20)}' is not a time. Use 24-hour HH:MM, e.g. /digest 08:00."
        )
    return time(int(found.group(1)), int(found.group(2)))


def set_digest_time(db: Database, chat_id: int, at: time | None, *, now: datetime) -> Chat:
    """Set (or with None, turn off) the daily digest time, in the chat's timezone.

    The slot that has already passed today counts as done, so choosing 08:00 at 09:00 means
    the first digest comes tomorrow at 08:00 instead of a "missed" one being sent at once.
    """
    if at is None:
        return _update(db, chat_id, "digest_time = NULL", [])
    chat = get_chat(db, chat_id)
    passed = latest_slot(at, chat.tz, now)[0]
    return _update(
        db, chat_id, "digest_time = ?, last_digest_slot = ?", [at.strftime("%H:%M"), str(passed)]
    )


def latest_slot(at: time, tz: ZoneInfo, now: datetime) -> tuple[date, datetime]:
    """The most recent local date whose digest time is at or before `now`, and that moment in UTC.

    A time that does not exist on a spring-forward day (02:30 in Europe/Berlin) fires at the
    same instant as 03:30; an ambiguous one on a fall-back day fires at its first occurrence.
    """
    day = now.astimezone(tz).date()
    for _ in range(3):
        moment = slot_moment(day, at, tz)
        if moment <= now:
            return day, moment
        day -= timedelta(days=1)
    raise AssertionError("a daily slot always exists within two days")  # pragma: no cover


def slot_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `at` on local date `day` in `tz`."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


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
