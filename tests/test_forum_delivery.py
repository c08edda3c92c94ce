"""Forum groups: scheduled digests and alerts go to the topic where an admin set them up.

`/digest HH:MM` or `/subscribe` sent in a topic makes it the chat's delivery topic; sent in
General, General. Every test runs the real bot against the fake Bot API server, which refuses a
`message_thread_id` naming no open topic ("message thread not found") as Telegram does;
scheduled digests are run by calling the digest job with a chosen moment, never by sleeping.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.delivery import outbox_of
from summaries.chats import get_chat, set_delivery_thread
from summaries.config import Settings
from summaries.digest_schedule import run_due_digests
from summaries.store import open_database, to_db
from tests.bot_harness import NOW, RunningBot, add_story, running_bot
from tests.fake_telegram import Message
from tests.old_schema import database_before

FORUM = -1009999
NEWS, OTHER = 7, 8
ADMIN = 5
GRACE = timedelta(hours=6)


async def say(bot: RunningBot, text: str, *, thread_id: int | None = None) -> list[Message]:
    """`text` from the forum's admin in topic `thread_id` (None: General); the bot's answers."""
    before = len(bot.fake.bot_messages(FORUM))
    if thread_id is None:
        bot.fake.group_message(FORUM, ADMIN, text, title="Forum")
    else:
        bot.fake.topic_message(FORUM, thread_id, ADMIN, text)
    await bot.settle()
    return bot.fake.bot_messages(FORUM)[before:]


def forum_bot_setup(bot: RunningBot) -> None:
    bot.fake.add_forum(FORUM)
    bot.fake.set_admins(FORUM, {ADMIN})


async def alert_for(bot: RunningBot, title: str) -> list[Message]:
    """Store a story as ingestion would and run the new-article hooks; the bot's posts."""
    before = len(bot.fake.bot_messages(FORUM))
    article_id = add_story(bot.db, title)
    for hook in bot.services.new_article_hooks:
        await hook([article_id])
    return bot.fake.bot_messages(FORUM)[before:]


async def scheduled(bot: RunningBot, hours: float) -> list[Message]:
    """Run the digest job `hours` after NOW; the bot's posts."""
    before = len(bot.fake.bot_messages(FORUM))
    box = outbox_of(bot.application)
    await run_due_digests(bot.db, box, NOW + timedelta(hours=hours), grace=GRACE)
    return bot.fake.bot_messages(FORUM)[before:]


async def test_the_topic_where_the_digest_time_is_set_gets_the_scheduled_digests(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        forum_bot_setup(bot)
        [set_here] = await say(bot, "/digest 09:00", thread_id=NEWS)
        assert set_here.thread_id == NEWS
        assert "Scheduled digests and alerts are now posted in this topic." in set_here.text
        add_story(bot.db, "Harbour ferry approved")
        [digest] = await scheduled(bot, 1)
        assert "Harbour ferry approved" in digest.text
        assert digest.thread_id == NEWS, "a scheduled digest went to General, not the News topic"
        assert await scheduled(bot, 1.5) == [], "one digest a day"

        [asked] = await say(bot, "/digest")
        assert asked.thread_id is None, "/digest itself is still answered where it was asked"

        [moved] = await say(bot, "/digest 10:00")
        assert moved.thread_id is None
        assert "Scheduled digests and alerts are now posted in General." in moved.text
        [digest] = await scheduled(bot, 26)
        assert "Your digest" in digest.text and digest.thread_id is None
        assert bot.fake.rejected == []


async def test_the_topic_where_a_topic_is_followed_gets_the_alerts(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        forum_bot_setup(bot)
        [refused] = await say(bot, "/subscribe", thread_id=OTHER)
        assert refused.text.startswith("Tell me what to follow")
        [followed] = await say(bot, "/subscribe harbour", thread_id=NEWS)
        assert "Scheduled digests and alerts are now posted in this topic." in followed.text
        await say(bot, "/subscribe ferry", thread_id=NEWS)
        bot.fake.topic_message(FORUM, OTHER, 6, "/subscribe bridge")  # not an admin: refused
        await bot.settle()
        assert get_chat(bot.db, FORUM).delivery_thread == NEWS
        [alert] = await alert_for(bot, "Harbour storm warning")
        assert "Harbour storm warning" in alert.text
        assert alert.thread_id == NEWS, "an alert went to General, not the News topic"

        await say(bot, "/subscribe ferry OR bridge")
        [alert] = await alert_for(bot, "Ferry timetable changes")
        assert "Ferry timetable changes" in alert.text and alert.thread_id is None
        assert bot.fake.rejected == []


async def test_settings_say_where_deliveries_are_posted(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        forum_bot_setup(bot)
        [shown] = await say(bot, "/settings", thread_id=NEWS)
        general_here = (
            "\nScheduled digests and alerts: in General"
            " (/digest HH:MM or /subscribe sent in a topic moves them)"
        )
        assert general_here in shown.text
        await say(bot, "/digest 08:30", thread_id=NEWS)
        [shown] = await say(bot, "/settings", thread_id=NEWS)
        assert (
            "\nScheduled digests and alerts: in this topic"
            " (/digest HH:MM or /subscribe sent in another topic or in General moves them)"
        ) in shown.text
        [elsewhere] = await say(bot, "/settings", thread_id=OTHER)
        assert (
            "\nScheduled digests and alerts: in another topic, where /digest HH:MM or /subscribe"
            " was last sent (send /digest HH:MM here to move them here)"
        ) in elsewhere.text
        [general] = await say(bot, "/settings")
        assert "\nScheduled digests and alerts: in another topic," in general.text

        [plain] = await bot.ask(ADMIN, "/settings", chat_id=-1004444)
        assert "Scheduled digests and alerts" not in plain.text, (
            "a group without topics has nowhere else to post"
        )
        [private] = await bot.ask(42, "/settings")
        assert "Scheduled digests and alerts" not in private.text


async def test_a_closed_delivery_topic_is_kept_and_a_deleted_one_forgotten(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        forum_bot_setup(bot)
        await say(bot, "/digest 09:00", thread_id=NEWS)
        await say(bot, "/subscribe harbour", thread_id=NEWS)
        bot.fake.fail_next(
            "sendMessage", 400, description="Bad Request: TOPIC_CLOSED", chat_id=FORUM
        )
        [alert] = await alert_for(bot, "Harbour closed by storm")
        assert alert.thread_id is None, "a closed topic's alert is posted in General"

        assert get_chat(bot.db, FORUM).delivery_thread == NEWS, "kept: a closed topic may reopen"

        bot.fake.delete_forum_topic(FORUM, NEWS)
        add_story(bot.db, "Harbour ferry resumes")
        [digest] = await scheduled(bot, 1)
        assert "Harbour ferry resumes" in digest.text and digest.thread_id is None
        assert get_chat(bot.db, FORUM).delivery_thread is None, "a deleted topic cannot reopen"
        [alert] = await alert_for(bot, "Harbour reopens")
        assert alert.thread_id is None
        gone = "Bad Request: message thread not found"
        refused = [e.description for _, e in bot.fake.rejected]
        assert refused == ["Bad Request: TOPIC_CLOSED", gone], "no refusal before the last alert"
        rows = bot.db.execute(
            "SELECT kind, status, thread_id FROM outbox WHERE chat_id = ? ORDER BY id", [FORUM]
        ).fetchall()
        assert rows == [("alert", "sent", NEWS), ("digest", "sent", NEWS), ("alert", "sent", None)]


async def test_a_group_upgraded_to_a_supergroup_keeps_where_deliveries_go(
    settings: Settings,
) -> None:
    old, new = -4242, FORUM
    async with running_bot(settings) as bot:
        forum_bot_setup(bot)
        bot.fake.set_admins(old, {ADMIN})
        await bot.ask(ADMIN, "/digest 07:30", chat_id=old)
        set_delivery_thread(bot.db, old, 3)  # only to see the column move: groups have no topics
        old_chat = {"id": old, "type": "group", "title": "Test group"}
        message = {"message_id": 900, "date": 0, "chat": old_chat, "from": bot.fake.user(ADMIN)}
        await bot.push({"message": {**message, "migrate_to_chat_id": new}})
        assert get_chat(bot.db, new).delivery_thread == 3, "the group's delivery topic moved"

        second = -4343
        bot.fake.set_admins(second, {ADMIN})
        await bot.ask(ADMIN, "/digest 06:00", chat_id=second)
        await say(bot, "/digest 09:00", thread_id=NEWS)  # set in the supergroup itself
        old_chat = {"id": second, "type": "group", "title": "Test group"}
        message = {"message_id": 901, "date": 0, "chat": old_chat, "from": bot.fake.user(ADMIN)}
        await bot.push({"message": {**message, "migrate_to_chat_id": new}})
        moved = get_chat(bot.db, new)
        assert f"{moved.digest_time:%H:%M}" == "06:00", "the group's settings win"
        assert moved.delivery_thread == NEWS, "a topic of the supergroup is kept"
        add_story(bot.db, "Harbour ferry approved")
        [digest] = await scheduled(bot, 22)
        assert digest.thread_id == NEWS


def test_an_existing_database_gains_the_delivery_topic_as_general(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = database_before(path, "_chats_delivery_thread")
    old.execute(
        "INSERT INTO chats (id, kind, digest_time, created_at)"
        " VALUES (?, 'supergroup', '08:00', ?)",
        [FORUM, to_db(NOW)],
    )
    old.conn.commit()
    old.close()
    db = open_database(path)
    chat = get_chat(db, FORUM)
    assert (chat.delivery_thread, f"{chat.digest_time:%H:%M}") == (None, "08:00")
    db.close()
