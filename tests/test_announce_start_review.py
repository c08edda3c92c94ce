"""/announce presses that reach the bot together (a double tap, or Send then Cancel while the
bot was down or busy): the announcement is queued once and its confirmation keeps saying so."""

from __future__ import annotations

from summaries.config import Settings
from tests.bot_harness import RunningBot, running_bot
from tests.fake_telegram import Message

OPERATOR = 99


def _confirmation(bot: RunningBot, asked: Message) -> str:
    [shown] = [m for m in bot.fake.bot_messages(OPERATOR) if m.message_id == asked.message_id]
    return shown.text


def _popup(bot: RunningBot, update: dict[str, object]) -> str:
    query = update["callback_query"]
    assert isinstance(query, dict)
    return str((bot.fake.callback_answers[query["id"]] or {}).get("text", ""))


async def test_cancel_pressed_after_send_does_not_say_not_sent(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/start")
        [asked] = await bot.ask(OPERATOR, "/announce Back at 10:00 UTC")
        bot.fake.click(asked, "📣 Send")
        cancel = bot.fake.click(asked, "Cancel")  # both pressed before the first edit arrived
        await bot.settle()
        assert [m.text for m in bot.fake.bot_messages(1)][1:] == ["Back at 10:00 UTC"]
        assert _popup(bot, cancel) == "Already sent."
        assert _confirmation(bot, asked) == "Sending to 1 chat:\n\nBack at 10:00 UTC"


async def test_a_second_send_press_keeps_the_confirmation_of_the_first(
    settings: Settings,
) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/start")
        [asked] = await bot.ask(OPERATOR, "/announce Hello")
        bot.fake.click(asked, "📣 Send")
        again = bot.fake.click(asked, "📣 Send")
        await bot.settle()
        assert [m.text for m in bot.fake.bot_messages(1)][1:] == ["Hello"]
        assert _popup(bot, again) == "Already sent."
        assert _confirmation(bot, asked) == "Sending to 1 chat:\n\nHello"
