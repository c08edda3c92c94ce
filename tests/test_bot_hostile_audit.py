"""Hostile and careless input found in an audit of the bot: each test failed before its fix.

Blank story titles, forged inline offsets, links in photo captions, admin checks Telegram cannot
answer, a group upgraded to a supergroup, buttons and commands the bot does not know.
"""

from __future__ import annotations

from typing import Any

import pytest

from summaries.chats import get_chat
from summaries.config import Settings
from summaries.topics import list_topics
from tests.bot_harness import RunningBot, add_story, running_bot
from tests.servers import LocalServer, Reply
from tests.test_bot_summary import PAGE

GROUP = -1004321


def raw_message(
    bot: RunningBot, chat: dict[str, Any], sender: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """A message update as Telegram sends it, for kinds the fake has no helper for."""
    message_id = 900 + len(bot.fake.pushed_ids)
    message = {"message_id": message_id, "date": 0, "chat": chat, "from": sender, **fields}
    return {"message": message}


async def test_a_story_with_a_blank_title_is_shown_untitled_in_latest_and_inline(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "   ", url="https://news.example/blank")
        query_id = bot.fake.inline_query(42, "")
        await bot.settle()
        answer = bot.fake.inline_answers[query_id]
        assert answer is not None and [r["title"] for r in answer["results"]] == ["(untitled)"]
        [latest] = await bot.ask(42, "/latest")
        assert "(untitled)" in latest.text
        assert bot.fake.rejected == [], "Telegram refuses an inline result without a title"


async def test_a_forged_huge_inline_offset_gets_no_results_not_an_apology(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm warning")
        query_id = bot.fake.inline_query(42, "storm", offset="9" * 30)
        await bot.settle()
        answer = bot.fake.inline_answers[query_id]
        assert answer is not None and answer["results"] == [] and "button" not in answer
        assert answer.get("next_offset", "") == ""


async def test_a_link_in_a_photo_caption_sent_privately_is_summarised(
    settings: Settings, server: LocalServer
) -> None:
    url = server.add("/ferry", Reply(PAGE.encode()))
    async with running_bot(settings) as bot:
        bot.fake.add_chat(42)
        photo = [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]
        chat, sender = bot.fake.chats[42], bot.fake.user(42)
        forwarded = {"type": "channel", "date": 0, "message_id": 7,
                     "chat": {"id": -1005, "type": "channel", "title": "Gazette"}}  # fmt: skip
        caption = f"Read: {url}"
        await bot.push(raw_message(bot, chat, sender, photo=photo, caption=caption,
                                   forward_origin=forwarded))  # fmt: skip
        [reply] = bot.fake.bot_messages(42)
        assert reply.text.startswith("Ferry terminal approved")


async def test_an_admin_check_telegram_cannot_answer_is_a_refusal(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings) as bot:
        bot.fake.add_chat(GROUP)
        bot.fake.fail_next("getChatMember", 400, description="Bad Request: user not found")
        [refused] = await bot.ask(8, "/alerts off", chat_id=GROUP)
        assert refused.text == "Only this group's admins can change its settings."
        assert get_chat(bot.db, GROUP).alerts
        assert "Could not check user 8 in chat -1004321: User not found" in caplog.text


async def test_a_member_writing_as_a_channel_is_not_taken_for_an_admin(
    settings: Settings,
) -> None:
    channel_bot = 136817688
    """Telegram's placeholder sender for messages sent on behalf of a channel."""
    async with running_bot(settings) as bot:
        group = bot.fake.add_chat(GROUP)
        channel = {"id": -1009999, "type": "channel", "title": "Someone's channel"}
        sender = bot.fake.user(channel_bot, is_bot=True, first_name="Channel")
        entity = [{"type": "bot_command", "offset": 0, "length": 7}]
        command = {"text": "/alerts off", "entities": entity, "sender_chat": channel}
        await bot.push(raw_message(bot, group, sender, **command))
        [refused] = bot.fake.bot_messages(GROUP)
        assert refused.text == "Only this group's admins can change its settings."
        assert not [c for c in bot.fake.calls if c.method == "getChatMember"], (
            "the placeholder account says nothing about who wrote"
        )


async def test_a_group_upgraded_to_a_supergroup_keeps_its_topics_and_settings(
    settings: Settings,
) -> None:
    old, new = -4242, -1004242
    async with running_bot(settings) as bot:
        bot.fake.set_admins(old, {1})
        await bot.ask(1, "/subscribe climate", chat_id=old)
        await bot.ask(1, "/digest 07:30", chat_id=old)
        await bot.ask(1, "/search climate", chat_id=old)
        new_chat = bot.fake.add_chat(new, title="Test group")
        old_chat = {"id": old, "type": "group", "title": "Test group"}
        sender = bot.fake.user(1)
        await bot.push(raw_message(bot, old_chat, sender, migrate_to_chat_id=new))
        await bot.push(raw_message(bot, new_chat, sender, migrate_from_chat_id=old))
        assert [t.query for t in list_topics(bot.db, new)] == ["climate"]
        moved = get_chat(bot.db, new)
        assert (moved.kind, moved.active, f"{moved.digest_time:%H:%M}") == (
            "supergroup",
            True,
            "07:30",
        )
        assert list_topics(bot.db, old) == []
        [listing] = await bot.ask(1, "/topics", chat_id=new)
        assert "1. climate" in listing.text


async def test_a_migration_into_a_supergroup_already_in_use_merges_topics(
    settings: Settings,
) -> None:
    old, new = -4343, -1004343
    async with running_bot(settings) as bot:
        bot.fake.set_admins(old, {1})
        bot.fake.set_admins(new, {1})
        for topic in ("climate", "floods"):
            await bot.ask(1, f"/subscribe {topic}", chat_id=old)
        await bot.ask(1, "/digest 07:30", chat_id=old)
        for topic in ("storms", "climate"):
            await bot.ask(1, f"/subscribe {topic}", chat_id=new)
        old_chat = {"id": old, "type": "group", "title": "Test group"}
        await bot.push(raw_message(bot, old_chat, bot.fake.user(1), migrate_to_chat_id=new))
        topics = sorted(t.query for t in list_topics(bot.db, new))
        assert topics == ["climate", "floods", "storms"], "each once"
        assert f"{get_chat(bot.db, new).digest_time:%H:%M}" == "07:30", "the group's settings win"
        assert bot.fake.rejected == []


async def test_a_button_the_bot_does_not_know_is_answered(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        [welcome] = await bot.ask(42, "/start")
        # As if the message carried a button of an older version of the bot.
        welcome.reply_markup = {"inline_keyboard": [[{"text": "old", "callback_data": "v1:x"}]]}
        await bot.press(welcome, "old")
        [answer] = [a for a in bot.fake.callback_answers.values() if a is not None]
        assert "no longer works" in answer["text"]


async def test_an_unknown_command_in_private_points_to_help_and_groups_stay_quiet(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        [hint] = await bot.ask(42, "/lates 5")
        assert hint.text == "I don't know /lates. /help lists every command."
        assert await bot.ask(7, "/lates", chat_id=GROUP) == []
        assert await bot.ask(7, "/latest@other_bot", chat_id=GROUP) == []


async def test_welcome_buttons_in_a_channel_post_only_for_its_admins(settings: Settings) -> None:
    channel = -1007777
    async with running_bot(settings) as bot:
        chat = {"id": channel, "type": "channel", "title": "News channel"}
        bot.fake.add_chat(channel)
        bot.fake.chats[channel] = chat
        bot.fake.set_admins(channel, {7})
        entity = [{"type": "bot_command", "offset": 0, "length": 6}]
        post = {"message_id": 1, "date": 0, "chat": chat, "sender_chat": chat, "text": "/start",
                "entities": entity}  # fmt: skip
        await bot.push({"channel_post": post})
        [welcome] = bot.fake.bot_messages(channel)
        for _ in range(3):
            await bot.press(welcome, "📰 Latest news", user_id=8)
        assert bot.fake.bot_messages(channel) == [welcome], "a subscriber cannot make it post"
        answers = [a for a in bot.fake.callback_answers.values() if a is not None]
        assert [a["text"] for a in answers] == [
            "Only this channel's admins can use its buttons."
        ] * 3
        await bot.press(welcome, "📰 Latest news", user_id=7)
        assert bot.fake.bot_messages(channel)[-1].text.startswith("No stories yet")


async def test_replies_in_a_forum_stay_in_the_topic_of_the_command(settings: Settings) -> None:
    forum = -1007777
    async with running_bot(settings) as bot:
        bot.fake.add_forum(forum)
        bot.fake.topic_message(forum, 7, 5, "/help")
        await bot.settle()
        bot.fake.group_message(forum, 5, "/help")  # in General
        await bot.settle()
        replies = bot.fake.bot_messages(forum)
        assert [reply.thread_id for reply in replies] == [7, None]  # General has no thread id
        assert replies[0].text == replies[1].text
