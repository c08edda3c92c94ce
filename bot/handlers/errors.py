"""The one error handler: every failure is logged and the user always hears something useful.

Handlers do not catch errors. The core's errors (`NewsbriefError`) carry a message written for
people, shown as it is. A chat that blocked the bot (403) is marked inactive, so digests and
alerts stop going to it. A database another program holds locked, a full disk or a damaged
file is one log line, and the user is told to try again (in a minute, when it is only locked).
Anything else is a bug or an outage: logged with its traceback, and the user gets an apology
that says what to do, never a stack trace and never silence. A group that became a supergroup
just after the user wrote cannot be answered; its settings move to the new id.
"""

from __future__ import annotations

import logging
import sqlite3

from telegram import InlineQueryResultsButton, Update
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from bot.render import clip, notice, popup
from bot.send import answer, is_too_late
from bot.services import App, Context, services_of
from summaries.chat_migration import move_chat
from summaries.chats import deactivate_chat
from summaries.database_trouble import database_state, is_database_trouble, is_locked
from summaries.errors import NewsbriefError

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side. Please try again in a minute; "
    "if it keeps happening, tell the bot's operator."
)
BUSY = "I'm busy with other work right now and could not do that. Please try again in a minute."
UNAVAILABLE = (
    "I cannot store anything right now (my database is unavailable). Please try again later; "
    "if it keeps happening, tell the bot's operator."
)


def register(application: App) -> None:
    application.add_error_handler(on_error)


async def on_error(update: object, context: Context) -> None:
    """Log the failure, and tell the user something useful."""
    error = context.error
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        if chat is not None:
            deactivate(context, chat.id, str(error))
        return
    if isinstance(error, NewsbriefError):
        log.info("Refused a request: %s", error)
        await tell(update, context, str(error))
        return
    if isinstance(error, sqlite3.Error) and is_database_trouble(error):
        await _database_trouble(update, context, error)
        return
    if isinstance(error, ChatMigrated) and chat is not None:
        # A message sent just before its group became a supergroup: answers go nowhere now,
        # but the group's settings and topics follow it, as when Telegram announces the move.
        db, new = services_of(context).db, error.new_chat_id
        if move_chat(db, chat.id, new, kind=ChatType.SUPERGROUP):
            log.info("Group %s is now supergroup %s; its settings moved", chat.id, new)
        return
    if isinstance(error, BadRequest) and is_too_late(error):
        log.info("A query came too late to answer (the bot was busy or down): %s", error.message)
        return
    if isinstance(error, RetryAfter):
        log.warning("Flood limit still hit after retries: %s", error)
        return
    if isinstance(error, Conflict):  # Telegram's 409: the same token polled elsewhere
        log.warning(
            "Another process is getting this bot's updates (Telegram: %s). Stop the other "
            "newsbrief run, or give each bot its own token.",
            error.message,
        )
        return
    log.error("Error while handling %s", describe(update), exc_info=error)
    await tell(update, context, SORRY)


async def _database_trouble(update: object, context: Context, error: sqlite3.Error) -> None:
    """Not a bug: another program holds the database past the busy timeout, the disk is full,
    or the file is damaged. The operator needs the reason (and, for a damaged file, what to
    do) in one line, not a traceback per update; the user, when to try again."""
    log.error("Could not handle %s: the database is %s", describe(update), database_state(error))
    await tell(update, context, BUSY if is_locked(error) else UNAVAILABLE)


def deactivate(context: Context, chat_id: int, reason: str) -> None:
    """Stop sending to a chat that blocked the bot or removed it.

    A chat with no row is not given one: it has nothing to stop, and one that used /forget
    must not reappear because it blocked the bot afterwards.
    """
    services = services_of(context)
    deactivate_chat(services.db, chat_id, now=services.clock(), reason=reason)
    log.info("Chat %s is now inactive: %s", chat_id, reason)


async def tell(update: object, context: Context, text: str) -> None:
    """Say `text` wherever the update came from; a failure to say it is only logged."""
    if not isinstance(update, Update):
        return
    try:
        if update.inline_query is not None:
            button = InlineQueryResultsButton(clip(text, 60), start_parameter="help")
            await update.inline_query.answer([], cache_time=0, button=button)
            return
        if update.callback_query is not None and await _alert(update, text):
            return
        if update.effective_chat is not None:
            await answer(update, notice(text))
    except TelegramError as error:
        log.warning("Could not tell the user about an error: %s", error)


async def _alert(update: Update, text: str) -> bool:
    """Answer the pressed button with a pop-up; False if it was already answered."""
    assert update.callback_query is not None
    try:
        await update.callback_query.answer(popup(text), show_alert=True)
    except BadRequest:
        return False
    return True


def describe(update: object) -> str:
    """Which update failed, without its content (messages are the users' business)."""
    if not isinstance(update, Update):
        return "a job" if update is None else type(update).__name__
    chat = update.effective_chat
    return f"update {update.update_id}" + (f" in chat {chat.id}" if chat else "")
