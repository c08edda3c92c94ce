"""Bad input the bot's newer commands guard against, fed through the fake Bot API, each with
the clear reply it gets: /announce text that shows nothing, presses of its buttons by someone
who is not an operator or under a message that is not a confirmation, and odd /digest days."""

from __future__ import annotations

import pytest

from summaries.config import Settings
from tests.bot_harness import RunningBot, running_bot
from tests.test_bot_fuzz_regressions import forged_press

OPERATOR = 99


def _queued(bot: RunningBot) -> int:
    return int(bot.db.execute("SELECT count(*) FROM outbox").fetchone()[0])


@pytest.mark.parametrize("text", ["\u202e", "\x01\x02", "\u2066\u202a \x1b"])
async def test_an_announcement_that_would_show_nothing_is_refused(
    settings: Settings, text: str
) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/start")
        [usage] = await bot.ask(OPERATOR, f"/announce {text}")
        assert usage.text.startswith("Say what to send, e.g. /announce")
        assert usage.buttons == []
        assert _queued(bot) == 0


async def test_a_send_press_by_someone_not_an_operator_sends_nothing(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/start")
        [asked] = await bot.ask(OPERATOR, "/announce Hello")
        pressed = forged_press(bot, "an:send", under=asked, presser=42)
        await bot.settle()
        answer = bot.fake.callback_answers[pressed] or {}
        assert answer.get("text") == "Only the bot's operators can do that."
        assert answer.get("show_alert") is True
        assert _queued(bot) == 0
        [shown] = [m for m in bot.fake.bot_messages(OPERATOR) if m.message_id == asked.message_id]
        assert shown.text.startswith("Send this to every chat?")


async def test_a_send_press_under_another_message_sends_nothing(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/start")
        await bot.ask(OPERATOR, "/subscribe storm")
        [confirm] = await bot.ask(OPERATOR, "/forget")
        forged_press(bot, "an:send", under=confirm, presser=OPERATOR)
        await bot.settle()
        assert _queued(bot) == 0
        assert [m.text for m in bot.fake.bot_messages(1)][1:] == []


@pytest.mark.parametrize(
    ("days", "reply"),
    [
        ("mon-", "'mon-' is not a day."),
        ("<b>fri</b>", "'<b>fri</b>' is not a day."),
        ("\ud800", "'?' is not a day."),
        ("and", "Say which days:"),
        ("x" * 5000, "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' is not a day."),
    ],
)
async def test_odd_digest_days_get_a_clear_reply_and_change_nothing(
    settings: Settings, days: str, reply: str
) -> None:
    async with running_bot(settings) as bot:
        [answer] = await bot.ask(5, f"/digest 08:00 {days}")
        assert answer.text.startswith(reply)
        scheduled = bot.db.execute("SELECT digest_time FROM chats WHERE digest_time IS NOT NULL")
        assert scheduled.fetchall() == []


def _popup(bot: RunningBot, update: dict[str, object]) -> str:
    query = update["callback_query"]
    assert isinstance(query, dict)
    return str((bot.fake.callback_answers[query["id"]] or {}).get("text", ""))


async def test_keep_pressed_after_delete_does_not_say_nothing_was_deleted(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(42, "/subscribe storm")
        [asked] = await bot.ask(42, "/forget")
        bot.fake.click(asked, "🗑 Delete everything")
        keep = bot.fake.click(asked, "Keep")  # both pressed before the first edit arrived
        await bot.settle()
        assert bot.db.execute("SELECT count(*) FROM topics").fetchone()[0] == 0
        assert _popup(bot, keep) == "Already deleted."
        [shown] = [m for m in bot.fake.bot_messages(42) if m.message_id == asked.message_id]
        assert shown.text.startswith("Deleted: 1 topic")


@pytest.mark.parametrize(
    ("hours", "reply"),
    [
        ("<i>22-7</i>", "'<i>22-7</i>' is not a time range."),
        ("\ud800", "'?' is not a time range."),
        ("22:00-22:00", "Quiet hours need an end different from their start."),
        ("off now", "'off now' is not a time range."),
        ("24:00-07:00", "'24:00-07:00' is not a time range."),
    ],
)
async def test_odd_quiet_hours_get_a_clear_reply_and_change_nothing(
    settings: Settings, hours: str, reply: str
) -> None:
    async with running_bot(settings) as bot:
        [answer] = await bot.ask(5, f"/quiet {hours}")
        assert answer.text.startswith(reply)
        assert answer.text.endswith("e.g. /quiet 22:00-07:00, or /quiet off.")
        quiet = bot.db.execute("SELECT quiet_start FROM chats WHERE quiet_start IS NOT NULL")
        assert quiet.fetchall() == []


async def test_the_longest_announcement_of_emoji_fits_one_message(settings: Settings) -> None:
    """1500 emoji are 3000 UTF-16 units, what Telegram counts: under its 4096 with the heading."""
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/start")
        text = "😀" * 1500
        [asked] = await bot.ask(OPERATOR, f"/announce {text}")
        assert asked.text.endswith(text)
        await bot.press(asked, "📣 Send")
        assert [m.text for m in bot.fake.bot_messages(1)][1:] == [text]


async def test_digest_off_with_days_says_how_to_choose_days(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(5, "/digest 08:00")
        [answer] = await bot.ask(5, "/digest off weekends")
        assert answer.text == (
            "/digest off turns the scheduled digest off on every day. To have it on some days"
            " only, give the time and those days, e.g. /digest 08:00 weekdays."
        )
        kept = bot.db.execute("SELECT digest_time, digest_days FROM chats WHERE id = 5")
        assert kept.fetchall() == [("08:00", 0b1111111)]
