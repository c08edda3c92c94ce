"""Digests on chosen days of the week (`/digest 08:00 weekdays`), with the clock moved by hand:
the days are read as people write them, a day off sends nothing, and the next digest covers
the days off, so nothing stored over the weekend is lost."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from summaries import chats, digest_schedule, outbox
from summaries.digest_days import EVERY_DAY, WEEKDAYS, WEEKEND, days_label, parse_days
from summaries.errors import ChatSettingError
from summaries.store import Database, open_database
from summaries.topics import subscribe
from tests.old_schema import database_before
from tests.test_topics_support import RecordingNotifier, store

GRACE = timedelta(hours=6)
FRIDAY = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the last days of November 2026 (the 27th is a Friday), UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("weekdays", WEEKDAYS),
        ("Mon-Fri", WEEKDAYS),
        ("weekends", WEEKEND),
        ("sat, sun", WEEKEND),
        ("daily", EVERY_DAY),
        ("every day", EVERY_DAY),
        ("mon,wed,fri", 0b0010101),
        ("Wednesday", 0b0000100),
        ("fri-mon", 0b1110001),  # across Sunday
        ("tue tue", 0b0000010),
    ],
)
def test_days_are_read_as_people_write_them(text: str, days: int) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["someday", "mo", "mon-xyz", "", "-", "<b>"])
def test_anything_else_is_refused_with_what_works(text: str) -> None:
    with pytest.raises(ChatSettingError, match="weekdays"):
        parse_days(text)


def test_days_read_back_as_words() -> None:
    labels = [days_label(d) for d in (EVERY_DAY, WEEKDAYS, WEEKEND, 0b0010101, 0b0000100)]
    assert labels == [
        "every day", "Monday to Friday", "Saturday and Sunday", "Mon, Wed and Fri", "Wed",
    ]  # fmt: skip


def test_the_next_digest_skips_the_days_off() -> None:
    tz = chats.zone("UTC")
    assert chats.next_slot(time(8), tz, FRIDAY, WEEKDAYS) == at(30, 8)  # Monday
    assert chats.next_slot(time(8), tz, FRIDAY, WEEKEND) == at(28, 8)
    assert chats.latest_slot(time(8), tz, at(29, 12), WEEKDAYS) == (at(27, 0).date(), at(27, 8))


async def test_weekday_digests_skip_the_weekend_and_monday_covers_it(db: Database) -> None:
    box = outbox.Outbox(db, RecordingNotifier(), clock=lambda: FRIDAY)
    chats.ensure_chat(db, 1, now=FRIDAY)
    subscribe(db, 1, "storm", limit=50, now=FRIDAY)
    chats.set_digest_time(db, 1, time(8), now=at(26, 12), days=WEEKDAYS)  # set on Thursday

    async def due(now: datetime) -> list[int]:
        return (await digest_schedule.run_due_digests(db, box, now, grace=GRACE)).planned

    assert await due(at(27, 8)) == [1]  # Friday
    store(db, "Storm reaches the coast", at=at(28, 10))  # Saturday
    store(db, "Storm damage counted", at=at(29, 18))  # Sunday
    assert await due(at(28, 8)) == []
    assert await due(at(29, 8)) == []
    assert await due(at(30, 8)) == [1]  # Monday
    monday = box.notifier.to(1)[-1]  # type: ignore[attr-defined]
    assert "Storm reaches the coast" in monday and "Storm damage counted" in monday
    assert await due(at(30, 8, 1)) == []


async def test_changing_the_timezone_keeps_the_days(db: Database) -> None:
    chats.ensure_chat(db, 1, now=FRIDAY)
    chats.set_digest_time(db, 1, time(8), now=FRIDAY, days=WEEKEND)
    chat = chats.set_timezone(db, 1, "Europe/Berlin", now=FRIDAY)
    assert (chat.digest_time, chat.digest_days) == (time(8), WEEKEND)


def test_days_edited_to_none_by_hand_mean_every_day(db: Database) -> None:
    """A mask of 0 would leave no slot to find, and stop every chat's digest job."""
    chats.ensure_chat(db, 1, now=FRIDAY)
    chats.set_digest_time(db, 1, time(8), now=at(26, 12))
    db.execute("UPDATE chats SET digest_days = 0 WHERE id = 1")
    assert chats.get_chat(db, 1).digest_days == EVERY_DAY
    assert [c.id for c, _, _ in digest_schedule.due_chats(db, now=at(28, 8))] == [1]


def test_chats_of_an_older_version_get_a_digest_every_day(tmp_path: Path) -> None:
    old = database_before(tmp_path / "old.db", "_chats_digest_days")
    old.execute("INSERT INTO chats (id, digest_time, created_at) VALUES (7, '08:00', '')")
    old.close()
    db = open_database(tmp_path / "old.db")
    assert chats.get_chat(db, 7).digest_days == EVERY_DAY
    db.close()
