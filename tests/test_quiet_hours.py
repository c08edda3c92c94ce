"""Quiet hours (`/quiet 22:00-07:00`): alerts in them arrive without a sound, at once and in
order; digests and alerts outside them keep their sound. The clock is set by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.delivery import outbox_of
from summaries import chats, outbox
from summaries.config import Settings
from summaries.errors import ChatSettingError
from summaries.notify import Part
from summaries.quiet_hours import is_quiet, parse_quiet, quiet_label
from summaries.store import Database
from summaries.timezones import zone
from tests.bot_harness import FakeClock, running_bot
from tests.test_topics_support import RecordingNotifier

BERLIN = zone("Europe/Berlin")


def utc(hour: int, minute: int = 0) -> datetime:
    """25 November 2026 (CET, UTC+1), at `hour`:`minute` UTC."""
    return datetime(2026, 11, 25, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("22:00-07:00", (time(22), time(7))),
        ("22.00 – 7.30", (time(22), time(7, 30))),
        ("13h00-14h00", (time(13), time(14))),
    ],
)
def test_ranges_are_read_as_people_write_them(text: str, hours: tuple[time, time]) -> None:
    assert parse_quiet(text) == hours


@pytest.mark.parametrize("text", ["22:00", "22:00-22:00", "25:00-07:00", "night", "<b>-</b>"])
def test_anything_else_is_refused_with_the_usage(text: str) -> None:
    with pytest.raises(ChatSettingError, match=r"/quiet 22:00-07:00"):
        parse_quiet(text)


def test_quiet_hours_across_midnight_in_the_chats_timezone() -> None:
    night = (time(22), time(7))
    assert not is_quiet(*night, BERLIN, utc(20, 59))  # 21:59 in Berlin
    assert is_quiet(*night, BERLIN, utc(21, 0))  # 22:00
    assert is_quiet(*night, BERLIN, utc(5, 59))  # 06:59
    assert not is_quiet(*night, BERLIN, utc(6, 0))  # 07:00: the end is not quiet
    lunch = (time(12), time(13))
    assert is_quiet(*lunch, BERLIN, utc(11, 30)) and not is_quiet(*lunch, BERLIN, utc(12, 30))
    assert not is_quiet(None, None, BERLIN, utc(3))
    assert quiet_label(*night) == "22:00-07:00" and quiet_label(None, None) == "off"


async def test_only_alerts_in_quiet_hours_go_silently(db: Database) -> None:
    notifier = RecordingNotifier()
    moment = [utc(22)]  # 23:00 in Berlin
    box = outbox.Outbox(db, notifier, clock=lambda: moment[0])
    for chat_id in (1, 2):
        chats.ensure_chat(db, chat_id, now=moment[0])
        chats.set_timezone(db, chat_id, "Europe/Berlin", now=moment[0])
    chats.set_quiet_hours(db, 1, (time(22), time(7)))
    with db.conn:
        outbox.enqueue(db, 1, "alert", [Part("night alert")], now=moment[0])
        outbox.enqueue(db, 1, "digest", [Part("night digest")], now=moment[0])
        outbox.enqueue(db, 2, "alert", [Part("alert, no quiet hours")], now=moment[0])
    await box.flush()
    assert notifier.silent == [(1, "night alert")]

    moment[0] = utc(7)  # 08:00 in Berlin: the quiet hours are over
    with db.conn:
        outbox.enqueue(db, 1, "alert", [Part("morning alert")], now=moment[0])
    await box.flush()
    assert notifier.silent == [(1, "night alert")]
    assert notifier.to(1) == ["night alert", "night digest", "morning alert"]


async def test_quiet_through_telegram(settings: Settings) -> None:
    clock = FakeClock(utc(22))
    async with running_bot(settings, clock=clock) as bot:
        [shown] = await bot.ask(42, "/quiet")
        assert shown.text.startswith("Quiet hours: off. Use /quiet HH:MM-HH:MM")
        [wrong] = await bot.ask(42, "/quiet 22:00")
        assert "is not a time range" in wrong.text
        [done] = await bot.ask(42, "/quiet 22:00-07:00")
        assert done.text.startswith("Quiet hours 22:00-07:00 (UTC): alerts then come without")
        [settings_reply] = await bot.ask(42, "/settings")
        assert "Quiet hours: 22:00-07:00" in settings_reply.text

        with bot.db.conn:
            outbox.enqueue(bot.db, 42, "alert", [Part("<b>Storm</b> at night")], now=clock())
        await outbox_of(bot.application).flush()
        alert = bot.fake.bot_messages(42)[-1]
        assert alert.text == "Storm at night" and alert.silent
        assert not settings_reply.silent  # answers to commands are never silenced

        [off] = await bot.ask(42, "/quiet off")
        assert off.text.startswith("Quiet hours off")
        with bot.db.conn:
            outbox.enqueue(bot.db, 42, "alert", [Part("Loud again")], now=clock())
        await outbox_of(bot.application).flush()
        assert not bot.fake.bot_messages(42)[-1].silent
