"""/forget end to end through the fake Bot API: what a chat stored is deleted only after the
confirmation button, only by whom may change the chat, and nothing queued is sent afterwards."""

from __future__ import annotations

from bot.delivery import outbox_of
from summaries.config import Settings
from summaries.notify import Part
from summaries.outbox import enqueue
from tests.bot_harness import RunningBot, add_story, running_bot
from tests.fake_telegram_api import Message


def _rows(bot: RunningBot, table: str, chat_id: int) -> int:
    column = "id" if table == "chats" else "chat_id"
    sql = f"SELECT count(*) FROM {table} WHERE {column} = ?"
    return int(bot.db.execute(sql, [chat_id]).fetchone()[0])


def _now(bot: RunningBot, message: Message) -> Message:
    """`message` as it reads now, after the edits a button press made."""
    [current] = [m for m in bot.fake.bot_messages(42) if m.message_id == message.message_id]
    return current


async def test_forget_deletes_everything_after_the_button_and_only_then(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        sent, waiting = add_story(bot.db, "Climate summit opens"), add_story(bot.db, "Vote")
        await bot.ask(42, "/subscribe climate")
        await bot.ask(42, "/subscribe elections")
        await bot.ask(42, "/digest 07:30")
        await bot.ask(42, "/search climate")
        with bot.db.conn:
            enqueue(bot.db, 42, "alert", [Part("sent alert", (sent,))], now=bot.clock())
        await outbox_of(bot.application).flush()
        with bot.db.conn:
            enqueue(bot.db, 42, "alert", [Part("queued alert", (waiting,))], now=bot.clock())

        [asked] = await bot.ask(42, "/forget")
        assert asked.text.startswith("Delete everything I store about this chat?")
        assert "• the 2 topics it follows" in asked.text
        assert "• the record of the 1 story sent to it" in asked.text
        assert "• 1 message waiting to be sent" in asked.text
        assert [b["text"] for b in asked.buttons] == ["🗑 Delete everything", "Keep"]

        await bot.press(asked, "Keep")
        assert bot.fake.bot_messages(42)[-1].text == "Nothing was deleted."
        assert _rows(bot, "topics", 42) == 2

        [again] = await bot.ask(42, "/forget")
        [older] = await bot.ask(42, "/forget")  # a second confirmation, pressed later
        await bot.press(again, "🗑 Delete everything")
        done = _now(bot, again)
        assert done.text.startswith("Deleted: 2 topics, this chat's settings and the record of")
        for table in ("chats", "topics", "deliveries", "outbox", "search_sessions"):
            assert _rows(bot, table, 42) == 0, table

        sent_before = len(bot.fake.bot_messages(42))
        await outbox_of(bot.application).flush()
        assert len(bot.fake.bot_messages(42)) == sent_before  # the queued alert is gone too

        await bot.press(older, "🗑 Delete everything")
        assert _now(bot, older).text == "Nothing is stored about this chat any more."
        [topics] = await bot.ask(42, "/topics")
        assert topics.text.startswith("You follow no topics yet")


async def test_forget_in_a_chat_that_stored_nothing(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(7, "/forget")
        assert reply.text == "I store nothing about this chat: there is nothing to forget."
        assert reply.buttons == []
        assert _rows(bot, "chats", 7) == 0


async def test_only_a_groups_admins_can_forget_it(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        group = -1001
        bot.fake.add_chat(group)
        bot.fake.set_admins(group, {1})
        await bot.ask(1, "/subscribe climate", chat_id=group)
        [refused] = await bot.ask(2, "/forget", chat_id=group)
        assert refused.text == "Only this group's admins can change its settings."
        [asked] = await bot.ask(1, "/forget", chat_id=group)
        await bot.press(asked, "🗑 Delete everything", user_id=2)
        assert _rows(bot, "topics", group) == 1
        await bot.press(asked, "🗑 Delete everything", user_id=1)
        assert _rows(bot, "topics", group) == 0
        assert _rows(bot, "chats", group) == 0
