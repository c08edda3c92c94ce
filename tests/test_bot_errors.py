"""Every error path end to end: 429, 403, 400 entity errors, dropped connections, bugs, secrets."""

from __future__ import annotations

import logging
import time

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.handlers.errors import SORRY
from bot.logs import protect_secret
from summaries.chats import get_chat
from summaries.config import Settings
from tests.bot_harness import add_story, running_bot
from tests.fake_telegram import TOKEN


async def test_429_retry_after_is_honoured_then_the_reply_arrives(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        bot.fake.fail_next("sendMessage", 429, retry_after=1)
        [welcome] = await bot.ask(42, "/start")
        assert welcome.text.startswith("Hi")
        [(refused, error)] = bot.fake.rejected
        assert error.code == 429
        sent = next(c for c in bot.fake.calls if c.method == "sendMessage")
        assert sent.at - refused.at >= 1.0


async def test_403_blocked_marks_the_chat_inactive_and_unblocking_revives_it(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        bot.fake.blocked.add(7)  # a chat the bot stores nothing about gets no row for it
        assert await bot.ask(7, "/latest") == []
        assert bot.db.execute("SELECT count(*) FROM chats WHERE id = 7").fetchone() == (0,)
        await bot.ask(42, "/settings")
        bot.fake.blocked.add(42)
        assert await bot.ask(42, "/start") == []
        chat = get_chat(bot.db, 42)
        assert not chat.active and chat.deactivated_at == bot.clock()
        bot.fake.blocked.discard(42)
        await bot.push(_membership(42, bot.fake.bot_user, old="kicked", new="member"))
        assert get_chat(bot.db, 42).active
        await bot.push(_membership(42, bot.fake.bot_user, old="member", new="kicked"))
        assert not get_chat(bot.db, 42).active
        bot.fake.blocked.discard(42)
        await bot.ask(42, "/start")  # back, even if Telegram's unblock update was missed
        assert get_chat(bot.db, 42).active


def _membership(
    chat_id: int, bot_user: dict[str, object], *, old: str, new: str
) -> dict[str, object]:
    def member(status: str) -> dict[str, object]:
        extra = {"until_date": 0} if status == "kicked" else {}
        return {"status": status, "user": bot_user, **extra}

    return {
        "my_chat_member": {
            "chat": {"id": chat_id, "type": "private", "first_name": "U"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "U"},
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }


async def test_entity_parse_error_falls_back_to_plain_text_once_and_is_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm <b> & co")
        bot.fake.fail_next(
            "sendMessage", 400, description="Bad Request: can't parse entities: Unsupported tag"
        )
        [reply] = await bot.ask(42, "/latest")
        assert reply.parse_mode is None
        assert "Storm <b> & co" in reply.source, "plain text: what the HTML would have shown"
        assert reply.text == reply.source
    assert "sending it as plain text" in caplog.text


async def test_plain_text_is_tried_only_once_after_an_entity_error(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        add_story(bot.db, "Storm <b> & co")
        entity_error = "Bad Request: can't parse entities: Unsupported tag"
        bot.fake.fail_next("sendMessage", 400, description=entity_error, times=2)
        [apology] = await bot.ask(42, "/latest")
        assert apology.text == SORRY, "the refused plain text goes to the error handler"
        assert [call.params.get("parse_mode") for call, _ in bot.fake.rejected] == ["HTML", None]


async def test_an_edit_refused_for_its_html_is_made_as_plain_text_and_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(settings) as bot:
        for i in range(6):
            add_story(bot.db, f"Storm {i}")
        [results] = await bot.ask(42, "/search storm")
        entity_error = "Bad Request: can't parse entities: Unsupported tag"
        bot.fake.fail_next("editMessageText", 400, description=entity_error)
        await bot.press(results, "Next ▶")
        assert results.parse_mode is None and results.text == results.source
        assert results.text.startswith("Results 6–6 of 6")
        assert [b["text"] for b in results.buttons] == ["◀ Previous"]
        assert len(bot.fake.bot_messages(42)) == 1
    assert "editing as plain text" in caplog.text


async def test_other_400s_are_not_retried_as_plain_text(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        bot.fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
        [apology] = await bot.ask(42, "/start")
        assert apology.text == SORRY, "refused for another reason: no plain-text retry"
        assert len(bot.fake.rejected) == 1


async def test_dropped_connection_is_retried_with_back_off(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        bot.fake.drop_next("sendMessage", times=2)
        [welcome] = await bot.ask(42, "/start")
        assert welcome.text.startswith("Hi")
        assert len(bot.fake.dropped) == 2
        assert [c.method for c in bot.fake.calls].count("sendMessage") == 1


async def test_a_bug_is_logged_with_traceback_and_the_user_gets_an_apology(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(update: Update, context: object) -> None:
        raise RuntimeError("a bug in a handler")

    async with running_bot(settings) as bot:
        bot.application.add_handler(CommandHandler("broken", broken))
        [reply] = await bot.ask(42, "/broken")
        assert reply.text == SORRY
    [record] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "a bug in a handler" not in reply.text


async def test_expired_search_button_and_inline_errors_are_explained(settings: Settings) -> None:
    async with running_bot(settings) as bot:
        for i in range(6):
            add_story(bot.db, f"Storm {i}")
        [results] = await bot.ask(42, "/search storm")
        bot.db.execute("DELETE FROM search_sessions")
        bot.db.conn.commit()
        await bot.press(results, "Next ▶")
        [answer] = [a for a in bot.fake.callback_answers.values() if a]
        assert answer["text"] == "This search has expired. Send /search again."
        assert answer["show_alert"] is True
        query_id = bot.fake.inline_query(42, "-storm")
        await bot.settle()
        inline = bot.fake.inline_answers[query_id]
        assert inline is not None and inline["results"] == []
        assert inline["button"]["text"].startswith("Add at least one word")


async def test_the_token_never_reaches_the_logs(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    caplog.set_level(logging.DEBUG, logger="httpcore")
    async with running_bot(settings) as bot:
        bot.fake.drop_next("sendMessage")
        await bot.ask(42, "/start")
        logging.getLogger("test").warning("url was %s/bot%s/getMe", bot.fake.api_root, TOKEN)
    assert "/getMe" in caplog.text and "[REDACTED]" in caplog.text
    assert TOKEN not in caplog.text
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def test_a_malformed_log_call_neither_raises_nor_leaks_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protect_secret(TOKEN)
    logging.getLogger("test").warning("url %s/bot%s/getMe", TOKEN)
    [record] = caplog.records
    assert "[REDACTED]" in record.getMessage() and TOKEN not in caplog.text


async def test_a_failure_after_a_button_was_answered_is_told_in_the_chat(
    settings: Settings,
) -> None:
    async with running_bot(settings) as bot:
        for i in range(6):
            add_story(bot.db, f"Storm {i}")
        [results] = await bot.ask(42, "/search storm")
        refusal = "Bad Request: message can't be edited"
        bot.fake.fail_next("editMessageText", 400, description=refusal)
        await bot.press(results, "Next ▶")
        assert bot.fake.bot_messages(42)[-1].text == SORRY
        assert results.text.startswith("Results 1–5"), "the failed edit changed nothing"
