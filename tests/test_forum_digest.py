"""/digest in a forum topic: the digest arrives in that topic, through the outbox, exactly once.

Every test runs the real bot against the fake Bot API server, which refuses a `message_thread_id`
naming no open topic ("message thread not found") as Telegram does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Bot

from bot.delivery import TelegramNotifier, outbox_of
from summaries.chats import get_chat
from summaries.config import Settings
from summaries.digest import plan_digest
from summaries.outbox import Outbox
from summaries.store import open_database, to_db
from tests.bot_harness import NOW, RunningBot, add_story, running_bot
from tests.fake_telegram import TOKEN, FakeTelegram, Message
from tests.old_schema import database_before

FORUM = -1009999
TOPIC = 7


async def ask_in_topic(bot: RunningBot, text: str, *, thread_id: int = TOPIC) -> list[Message]:
    """Send `text` in topic `thread_id` of the forum; return what the bot posted meanwhile."""
    before = len(bot.fake.bot_messages(FORUM))
    bot.fake.topic_message(FORUM, thread_id, 5, text)
    await bot.settle()
    await outbox_of(bot.application).flush()  # nothing left over: every part was sent
    return bot.fake.bot_messages(FORUM)[before:]


async def test_digest_asked_in_a_topic_arrives_in_that_topic_once(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        bot.fake.add_forum(FORUM)
        add_story(bot.db, "Harbour ferry approved")
        [digest] = await ask_in_topic(bot, "/digest")
        assert "Harbour ferry approved" in digest.text
        assert digest.thread_id == TOPIC, "posted in General instead of the topic asked in"
        [again] = await ask_in_topic(bot, "/digest")
        assert "No new stories since" in again.text and "Harbour" not in again.text
        assert again.thread_id == TOPIC
        [general] = await bot.ask(5, "/digest", chat_id=FORUM)
        assert general.thread_id is None, "asked in General, answered in General"
        assert bot.fake.rejected == []


async def test_a_topic_deleted_before_its_digest_is_sent_gets_it_in_general(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings) as bot:
        bot.fake.add_forum(FORUM)
        await ask_in_topic(bot, "/settings")  # the bot knows the chat; topic 7 is open
        add_story(bot.db, "Storm closes harbour")
        box = outbox_of(bot.application)
        # queued for topic 7 (as if the process stopped before sending), then an admin
        # deletes the topic
        assert plan_digest(bot.db, box, FORUM, now=bot.clock(), slot=None, thread_id=TOPIC)
        bot.fake.delete_forum_topic(FORUM, TOPIC)
        report = await box.flush()
        assert (report.sent, report.failed, report.unknown) == (1, 0, 0)
        digest = bot.fake.bot_messages(FORUM)[-1]
        assert "Storm closes harbour" in digest.text and digest.thread_id is None
        [(status, thread)] = bot.db.execute(
            "SELECT status, thread_id FROM outbox WHERE chat_id = ?", [FORUM]
        ).fetchall()
        assert (status, thread) == ("sent", TOPIC)
        assert get_chat(bot.db, FORUM).active, "a deleted topic is not a chat that is gone"
        assert "sending it to General" in caplog.text
        refused = [e.description for _, e in bot.fake.rejected]
        assert refused == ["Bad Request: message thread not found"]


async def test_a_closed_topic_gets_its_digest_in_general(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        bot.fake.add_forum(FORUM)
        add_story(bot.db, "Bridge reopens")
        bot.fake.fail_next(
            "sendMessage", 400, description="Bad Request: TOPIC_CLOSED", chat_id=FORUM
        )
        await ask_in_topic(bot, "/digest")
        digest = bot.fake.bot_messages(FORUM)[-1]
        assert "Bridge reopens" in digest.text and digest.thread_id is None


async def test_messages_queued_before_the_upgrade_are_sent_to_the_chat_itself(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = database_before(path, "_outbox_threads")
    moment = to_db(NOW)
    old.execute("INSERT INTO chats (id, kind, created_at) VALUES (?, 'supergroup', ?)",
                [FORUM, moment])  # fmt: skip
    old.execute(
        "INSERT INTO outbox (chat_id, batch, part, kind, body, created_at, updated_at)"
        " VALUES (?, 'b', 0, 'digest', 'Queued before the upgrade', ?, ?)",
        [FORUM, moment, moment],
    )
    old.conn.commit()
    old.close()

    db = open_database(path)
    with FakeTelegram() as fake:
        fake.add_forum(FORUM)
        bot = Bot(TOKEN, base_url=f"{fake.api_root}/bot")
        box = Outbox(db, TelegramNotifier(bot), clock=lambda: NOW)
        async with bot:
            assert (await box.flush()).sent == 1
        [message] = fake.bot_messages(FORUM)
        assert (message.text, message.thread_id) == ("Queued before the upgrade", None)
    db.close()
