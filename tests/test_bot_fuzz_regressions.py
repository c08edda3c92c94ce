"""Hostile updates that broke the bot, found by fuzzing it through the fake Bot API server.

Each test failed before its fix: presses no button of the bot makes, presses and queries made
while the bot was down, buttons under deleted messages, a group upgraded to a supergroup
mid-delivery or mid-reply, a bot restricted in a group, anonymous admins sharing one summary
allowance, an emoji topic whose removal answer was too long, a lone surrogate in /latest, a
command in a photo caption answered as if it were chat, a channel post's copy in its discussion
group taken for a second command. The fake's own rules added for them are
tested here too. The generated tests are in
`tests/test_bot_properties.py`.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import httpx
import pytest

from bot.delivery import outbox_of
from bot.handlers.errors import SORRY
from bot.handlers.fallback import UNKNOWN_BUTTON
from bot.handlers.summary import CAPTION_COMMAND
from summaries.chats import get_chat
from summaries.config import Settings
from summaries.digest import plan_digest
from summaries.topics import list_topics
from tests.bot_harness import RunningBot, add_story, running_bot
from tests.fake_telegram import TOKEN, FakeTelegram, Message


def test_the_fake_refuses_an_upgraded_group_with_its_new_id() -> None:
    with FakeTelegram() as fake:
        fake.add_chat(-4545)
        fake.upgrade_group(-4545, -1004545)
        url = f"{fake.api_root}/bot{TOKEN}/sendMessage"
        refused = httpx.post(url, json={"chat_id": -4545, "text": "hi"}).json()
        assert refused == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": {"migrate_to_chat_id": -1004545},
        }
        assert httpx.post(url, json={"chat_id": -1004545, "text": "hi"}).json()["ok"]


def test_the_fake_refuses_a_reply_to_a_missing_message_unless_told_to_send_anyway() -> None:
    with FakeTelegram() as fake:
        fake.add_chat(5)
        url = f"{fake.api_root}/bot{TOKEN}/sendMessage"
        gone = {"message_id": 77}
        refused = httpx.post(url, json={"chat_id": 5, "text": "hi", "reply_parameters": gone})
        assert refused.json()["description"] == "Bad Request: message to be replied not found"
        anyway = {**gone, "allow_sending_without_reply": True}
        sent = httpx.post(url, json={"chat_id": 5, "text": "hi", "reply_parameters": anyway})
        assert sent.json()["ok"]


def test_the_fake_counts_a_button_answer_as_telegram_counts_a_message() -> None:
    with FakeTelegram() as fake:
        url = f"{fake.api_root}/bot{TOKEN}/answerCallbackQuery"
        fake.callback_answers.update(short=None, long=None)
        short = httpx.post(url, json={"callback_query_id": "short", "text": "😀" * 100})
        long = httpx.post(url, json={"callback_query_id": "long", "text": "😀" * 101})
        assert short.json()["ok"], "200 UTF-16 code units"
        assert long.json()["description"] == "Bad Request: MESSAGE_TOO_LONG"


async def test_removing_a_topic_full_of_emoji_answers_the_press_within_telegrams_limit(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        await bot.ask(42, "/subscribe storm " + "🌊" * 150)
        [listing] = await bot.ask(42, "/topics")
        await bot.press(listing, "✖ Remove 1")
        [answer] = [a for a in bot.fake.callback_answers.values() if a is not None]
        assert answer["text"].startswith("Removed storm 🌊") and answer["text"].endswith("…")
        assert listing.text.startswith("You follow no topics yet"), "the list is shown again"
        assert bot.fake.rejected == []


def test_the_fake_checks_the_button_above_inline_results() -> None:
    with FakeTelegram() as fake:
        url = f"{fake.api_root}/bot{TOKEN}/answerInlineQuery"
        buttons = {"ok": {"text": "Help", "start_parameter": "help"},
                   "no text": {"text": " ", "start_parameter": "help"},
                   "bad parameter": {"text": "Help", "start_parameter": "help me"}}  # fmt: skip
        answers = {}
        for name, button in buttons.items():
            fake.inline_answers[name] = None
            params = {"inline_query_id": name, "results": [], "button": button}
            answers[name] = httpx.post(url, json=params).json().get("description", "ok")
        assert answers == {
            "ok": "ok",
            "no text": "Bad Request: BUTTON_TEXT_INVALID",
            "bad parameter": "Bad Request: START_PARAM_INVALID",
        }


async def test_a_group_upgraded_while_its_digest_waits_gets_it_in_the_supergroup(
    settings: Settings,
) -> None:
    old, new = -4545, -1004545
    async with running_bot(settings) as bot:
        bot.fake.set_admins(old, {1})
        await bot.ask(1, "/subscribe harbour", chat_id=old)
        await bot.ask(1, "/digest 07:30", chat_id=old)
        add_story(bot.db, "Storm closes harbour")
        add_story(bot.db, "Harbour reopens")
        bot.fake.upgrade_group(old, new)
        box = outbox_of(bot.application)
        assert plan_digest(bot.db, box, old, now=bot.clock(), slot=None)
        await box.flush()
        [digest] = bot.fake.bot_messages(new)
        assert "Storm closes harbour" in digest.text and "Harbour reopens" in digest.text
        moved = get_chat(bot.db, new)
        assert (moved.active, f"{moved.digest_time:%H:%M}") == (True, "07:30")
        assert [t.query for t in list_topics(bot.db, new)] == ["harbour"]
        [(refused, _)] = bot.fake.rejected
        assert refused.params["chat_id"] == old, "one refusal, then straight to the new id"
        group = {"id": old, "type": "group", "title": "Test group"}
        announced = {"message_id": 99, "date": 0, "chat": group, "from": bot.fake.user(1),
                     "migrate_to_chat_id": new}  # fmt: skip
        await bot.push({"message": announced})
        assert [t.query for t in list_topics(bot.db, new)] == ["harbour"], "Telegram's word later"


async def test_a_command_sent_just_before_its_group_was_upgraded_moves_the_group(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = -4646, -1004646
    async with running_bot(settings) as bot:
        bot.fake.set_admins(old, {1})
        await bot.ask(1, "/subscribe harbour", chat_id=old)
        bot.fake.upgrade_group(old, new)
        assert await bot.ask(1, "/topics", chat_id=old) == [], "Telegram refuses the old id"
        assert [t.query for t in list_topics(bot.db, new)] == ["harbour"]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "not a bug"


def forged_press(
    bot: RunningBot, data: str | None, *, under: Message | None, presser: int = 42
) -> str:
    """Push a press as a modified client can make it: any data (or none), under `under` or,
    without it, under a message sent in inline mode; returns the query id."""
    query_id = f"forged{len(bot.fake.pushed_ids)}"
    bot.fake.callback_answers[query_id] = None  # a live query Telegram awaits an answer to
    sender = bot.fake.user(presser)
    query: dict[str, Any] = {"id": query_id, "from": sender, "chat_instance": "1"}
    if data is not None:
        query["data"] = data
    if under is None:
        query["inline_message_id"] = "AgAAAFuQAQBsvq1o"
    else:
        query["message"] = under.to_api(bot.fake.chats[under.chat_id], bot.fake.bot_user)
    bot.fake.push_update({"callback_query": query})
    return query_id


async def test_presses_none_of_the_bots_buttons_make_are_answered_and_change_nothing(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm warning")
        await bot.ask(42, "/subscribe storm")
        [listing] = await bot.ask(42, "/topics")
        remove = listing.button_data("✖ Remove 1")
        pressed = [forged_press(bot, None, under=listing)]
        for data in ("cmd:latest", "cmd:help", "s:0:abcdefgh", remove, "v1:x"):
            pressed.append(forged_press(bot, data, under=None))
        await bot.settle()
        answers = [bot.fake.callback_answers[query_id] or {} for query_id in pressed]
        assert [a.get("text") for a in answers] == [UNKNOWN_BUTTON] * len(pressed)
        assert bot.fake.bot_messages(42)[-1] == listing, "nothing posted, nothing edited"
        assert [t.query for t in list_topics(bot.db, 42)] == ["storm"]
        assert bot.fake.rejected == []
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_page_button_under_a_deleted_message_gets_no_apology(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.send")
    async with running_bot(settings) as bot:
        for n in range(7):
            add_story(bot.db, f"Storm {n}")
        [results] = await bot.ask(42, "/search storm")
        with bot.fake.lock:
            del bot.fake.logs[42].messages[results.message_id]  # deleted while the press travels
        await bot.press(results, "Next ▶")
        assert bot.fake.bot_messages(42) == [], "no apology posted"
        assert [a for a in bot.fake.callback_answers.values() if a is not None]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert "The message under a pressed button is gone" in caplog.text


def stale_press(bot: RunningBot, message: Message, label: str) -> None:
    """A press Telegram no longer awaits an answer to (made while the bot was down)."""
    update = bot.fake.click(message, label)
    del bot.fake.callback_answers[update["callback_query"]["id"]]


async def test_presses_and_queries_made_while_the_bot_was_down_get_no_apology(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings) as bot:
        for n in range(7):
            add_story(bot.db, f"Storm {n}")
        await bot.ask(42, "/subscribe storm")
        [results] = await bot.ask(42, "/search storm")
        [listing] = await bot.ask(42, "/topics")
        [welcome] = await bot.ask(42, "/start")
        stale_press(bot, results, "Next ▶")
        stale_press(bot, listing, "✖ Remove 1")
        stale_press(bot, welcome, "❓ Help")
        del bot.fake.inline_answers[bot.fake.inline_query(42, "storm")]
        await bot.settle()
        assert results.text.startswith("Results 6–7 of 7"), "the page turned"
        assert list_topics(bot.db, 42) == [] and listing.text.startswith("You follow no topics")
        assert bot.fake.bot_messages(42)[-1].text.startswith("What I can do")
        assert SORRY not in [m.text for m in bot.fake.bot_messages(42)]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                   "username": "GroupAnonymousBot"}  # fmt: skip
"""Telegram's placeholder sender for every group's anonymous admins."""
PASTED = " ".join(
    f"The council met on day {n} and agreed to extend the harbour by forty metres."
    for n in range(8)
)


async def test_anonymous_admins_of_different_groups_do_not_share_one_summary_allowance(
    settings: Settings,
) -> None:
    async with running_bot(settings, summaries_per_minute=1) as bot:
        for group in (-1001, -1002):
            chat = bot.fake.add_chat(group)
            text = f"/summary {PASTED}"
            entity = [{"type": "bot_command", "offset": 0, "length": 8}]
            message = {"message_id": 1, "date": 0, "chat": chat, "from": ANONYMOUS_ADMIN,
                       "sender_chat": chat, "text": text, "entities": entity}  # fmt: skip
            await bot.push({"message": message})
            [reply] = bot.fake.bot_messages(group)
            assert reply.text.startswith("Your text in short"), reply.text


RIGHTS = ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
          "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
          "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
          "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
          "can_react_to_messages")  # fmt: skip
STATUSES = {"member": True, "left": False, "kicked": False, "muted": False,
            "restricted": True, "removed while restricted": False}  # fmt: skip
"""The bot's membership as Telegram reports it, and whether the bot can post there."""


def bot_member(status: str, bot_user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember object for the bot with `status` (one of `STATUSES`)."""
    if status == "kicked":
        return {"status": status, "user": bot_user, "until_date": 0}
    if status in ("member", "left"):
        return {"status": status, "user": bot_user}
    rights = dict.fromkeys(RIGHTS, status != "muted")
    is_member = status != "removed while restricted"
    return {"status": "restricted", "user": bot_user, "until_date": 0, "is_member": is_member,
            **rights}  # fmt: skip


async def test_a_group_is_active_exactly_when_the_bots_last_membership_lets_it_post(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        bot_user = bot.fake.bot_user
        pairs = list(itertools.product(STATUSES, repeat=2))
        for number, (first, last) in enumerate(pairs, start=1):
            chat = {"id": -2000 - number, "type": "supergroup", "title": "G"}
            for old, new in (("left", first), (first, last)):
                change = {"chat": chat, "from": bot.fake.user(1), "date": 1,
                          "old_chat_member": bot_member(old, bot_user),
                          "new_chat_member": bot_member(new, bot_user)}  # fmt: skip
                await bot.push({"my_chat_member": change})
        # a group the bot was never allowed to post in has no row at all: inactive too
        rows = dict(bot.db.execute("SELECT id, active FROM chats").fetchall())
        active = [bool(rows.get(-2000 - n)) for n in range(1, len(pairs) + 1)]
        assert active == [STATUSES[last] for _, last in pairs]


async def test_latest_from_a_source_named_with_a_lone_surrogate_is_answered(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        [reply] = await bot.ask(42, "/latest 5 a\ud800b")
        assert reply.text.startswith("No stories from a?b yet."), "not the apology"


async def test_a_command_in_a_photo_caption_is_explained_not_run_or_mistaken_for_chat(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        chat = bot.fake.add_chat(42)
        photo = [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]
        entity = [{"type": "bot_command", "offset": 0, "length": 10}]
        caption = {"caption": "/subscribe storm", "caption_entities": entity}
        message = {"message_id": 3, "date": 0, "chat": chat, "from": bot.fake.user(42),
                   "photo": photo, **caption}  # fmt: skip
        await bot.push({"message": message})
        [reply] = bot.fake.bot_messages(42)
        assert reply.text == CAPTION_COMMAND
        assert list_topics(bot.db, 42) == []


async def test_a_channel_posts_copy_in_its_discussion_group_is_not_a_second_command(
    settings: Settings,
) -> None:
    channel, discussion = -1008001, -1008002
    async with running_bot(settings) as bot:
        for chat_id in (channel, discussion):
            bot.fake.add_chat(chat_id)
        posted = {"id": channel, "type": "channel", "title": "News channel"}
        bot.fake.chats[channel] = posted
        entity = [{"type": "bot_command", "offset": 0, "length": 7}]
        post = {"message_id": 1, "date": 0, "chat": posted, "sender_chat": posted,
                "text": "/alerts off", "entities": entity}  # fmt: skip
        await bot.push({"channel_post": post})
        channel_bot = bot.fake.user(136817688, is_bot=True)  # Telegram's placeholder sender
        copy = {**post, "message_id": 9, "chat": bot.fake.chats[discussion],
                "is_automatic_forward": True, "from": channel_bot}  # fmt: skip
        await bot.push({"message": copy})
        assert [m.text[:10] for m in bot.fake.bot_messages(channel)] == ["Alerts off"]
        assert bot.fake.bot_messages(discussion) == [], "nobody typed it in the group"
