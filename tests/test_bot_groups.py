"""Group chats: commands addressed to the bot by name, and only admins change the chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.permissions import require_chat_admin
from bot.render import notice
from bot.send import answer
from bot.services import Context
from summaries.config import Settings
from tests.bot_harness import add_story, running_bot

GROUP = -1001234


async def test_commands_addressed_to_the_bot_work_and_others_are_ignored(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Group story")
        [reply] = await bot.ask(7, "/latest@newsbrief_test_bot", chat_id=GROUP)
        assert "Group story" in reply.text and reply.chat_id == GROUP
        assert reply.reply_to == reply.message_id - 1, "in a group, a reply to the command"
        [reply] = await bot.ask(7, "/latest", chat_id=GROUP)
        assert "Group story" in reply.text
        assert await bot.ask(7, "/latest@some_other_bot", chat_id=GROUP) == []
        assert await bot.ask(7, "just chatting about https://example.com", chat_id=GROUP) == []


async def test_only_bot_operators_change_sources_even_as_group_admins(settings: Settings) -> None:
    async with running_bot(settings, admin_ids=frozenset({1})) as bot:
        bot.fake.set_admins(GROUP, {7})
        [refused] = await bot.ask(7, "/removesource@newsbrief_test_bot 3", chat_id=GROUP)
        assert "Only the bot's operators" in refused.text
        [allowed] = await bot.ask(1, "/removesource@newsbrief_test_bot 3", chat_id=GROUP)
        assert "No source '3'" in allowed.text


async def test_require_chat_admin_asks_telegram_who_administers_the_group(
    settings: Settings,
) -> None:
    async def change(update: Update, context: Context) -> None:
        if await require_chat_admin(update, context):
            await answer(update, notice("changed"))

    async with running_bot(settings, admin_ids=frozenset({1})) as bot:
        bot.application.add_handler(CommandHandler("change", change))
        bot.fake.set_admins(GROUP, {7})
        [member] = await bot.ask(8, "/change@newsbrief_test_bot", chat_id=GROUP)
        assert member.text == "Only this group's admins can change its settings."
        [admin] = await bot.ask(7, "/change@newsbrief_test_bot", chat_id=GROUP)
        [operator] = await bot.ask(1, "/change", chat_id=GROUP)
        [private] = await bot.ask(8, "/change")
        assert [m.text for m in (admin, operator, private)] == ["changed"] * 3
        asked = [c.params["user_id"] for c in bot.fake.calls if c.method == "getChatMember"]
        assert asked == [8, 7], "operators and private chats need no lookup"


async def test_a_button_under_a_channel_post_is_judged_by_who_pressed_it(
    settings: Settings,
) -> None:
    async def change(update: Update, context: Context) -> None:
        if await require_chat_admin(update, context):
            await answer(update, notice("changed"))

    channel = -1009876
    async with running_bot(settings) as bot:
        bot.application.add_handler(CallbackQueryHandler(change))
        bot.fake.add_chat(channel, title="News channel")
        bot.fake.set_admins(channel, {7})
        chat = {"id": channel, "type": "channel", "title": "News channel"}
        post = {"message_id": 1, "date": 0, "chat": chat, "sender_chat": chat, "text": "topics"}

        def press(user_id: int, press_id: str) -> dict[str, object]:
            bot.fake.callback_answers[press_id] = None  # a live query Telegram awaits an answer to
            query = {"id": press_id, "from": bot.fake.user(user_id), "chat_instance": "1",
                     "data": "x", "message": post}  # fmt: skip
            return {"callback_query": query}

        await bot.push(press(8, "a"))
        await bot.push(press(8, "b"))
        # a pop-up for whoever pressed, never a post to every subscriber of the channel
        assert bot.fake.bot_messages(channel) == []
        for press_id in ("a", "b"):
            popup = bot.fake.callback_answers[press_id] or {}
            assert popup.get("text") == "Only this channel's admins can change its settings."
            assert popup.get("show_alert") is True
        await bot.push(press(7, "c"))
        assert [m.text for m in bot.fake.bot_messages(channel)] == ["changed"]
