"""/announce end to end through the fake Bot API: operators only, in private, confirmed first,
delivered once to every active chat (in its delivery topic), never twice for one press."""

from __future__ import annotations

from summaries.chats import deactivate_chat, ensure_chat, set_delivery_thread
from summaries.config import Settings
from tests.bot_harness import RunningBot, running_bot

OPERATOR = 99


def _received(bot: RunningBot, chat_id: int) -> list[str]:
    return [m.text for m in bot.fake.bot_messages(chat_id)]


async def test_an_announcement_reaches_every_active_chat_once(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        forum, topic = -1005, 77
        bot.fake.add_forum(forum)
        bot.fake.forum_topics[forum].add(topic)
        await bot.ask(1, "/settings")
        await bot.ask(2, "/start")  # someone who only started the bot is reached too
        await bot.ask(3, "/subscribe storm")
        ensure_chat(bot.db, forum, now=bot.clock())
        set_delivery_thread(bot.db, forum, topic)
        channel = -1007  # its posts reach every subscriber: never used for announcements
        bot.fake.add_chat(channel)
        ensure_chat(bot.db, channel, now=bot.clock(), kind="channel")
        deactivate_chat(bot.db, 3, now=bot.clock(), reason="blocked")

        [asked] = await bot.ask(OPERATOR, "/announce Back at 10:00 <b>UTC</b> & later")
        assert asked.text == (
            "Send this to every chat? (3 chats now)\n\nBack at 10:00 <b>UTC</b> & later"
        )
        assert [b["text"] for b in asked.buttons] == ["📣 Send", "Cancel"]
        before = {c: len(_received(bot, c)) for c in (1, 2, 3, forum)}

        await bot.press(asked, "📣 Send")
        for chat_id in (1, 2, forum):
            assert _received(bot, chat_id)[before[chat_id] :] == [
                "Back at 10:00 <b>UTC</b> & later"
            ]
        assert len(_received(bot, 3)) == before[3]
        assert _received(bot, channel) == []
        assert bot.fake.bot_messages(forum)[-1].thread_id == topic
        [sent] = [m for m in bot.fake.bot_messages(OPERATOR) if m.message_id == asked.message_id]
        assert sent.text.startswith("Sending to 3 chats:")


async def test_two_presses_send_once_and_cancel_sends_nothing(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.ask(1, "/settings")
        [first] = await bot.ask(OPERATOR, "/announce Hello")
        [second] = await bot.ask(OPERATOR, "/announce Not this one")
        bot.fake.click(first, "📣 Send")
        bot.fake.click(first, "📣 Send")  # a double tap before the first edit arrives
        await bot.settle()
        assert _received(bot, 1)[1:] == ["Hello"]
        await bot.press(second, "Cancel")
        [cancelled] = [
            m for m in bot.fake.bot_messages(OPERATOR) if m.message_id == second.message_id
        ]
        assert cancelled.text == "Not sent."
        assert _received(bot, 1)[1:] == ["Hello"]


async def test_only_operators_in_private_may_announce(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({OPERATOR})) as bot:
        [refused] = await bot.ask(42, "/announce Free crypto")
        assert refused.text.startswith("Only the bot's operators")
        group = -1001
        bot.fake.add_chat(group)
        [in_group] = await bot.ask(OPERATOR, "/announce Hello", chat_id=group)
        assert in_group.text == "Send /announce in a private chat with me."
        [usage] = await bot.ask(OPERATOR, "/announce")
        assert usage.text.startswith("Say what to send, e.g. /announce")
        [long] = await bot.ask(OPERATOR, "/announce " + "x" * 1600)
        assert long.text.startswith("That is too long")
