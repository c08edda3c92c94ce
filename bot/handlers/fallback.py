"""What no other feature handled: buttons the bot no longer knows, unknown commands in private.

A button whose data no handler matches (from an older version of the bot, or forged) is
answered, or the user's client shows a spinner until it gives up; a mistyped command in a
private chat gets a pointer to /help instead of silence. In groups unknown commands stay
unanswered: they may be another bot's.

These handlers sit in a group of their own after the default one (python-telegram-bot runs one
handler per group), and act only when no handler of the default group took the update, whenever
that handler was added.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.render import clip, notice
from bot.send import acknowledge, answer
from bot.services import App, Context

log = logging.getLogger(__name__)

GROUP = 1
UNKNOWN_BUTTON = "This button no longer works. Send /help to see what I can do."


def register(application: App) -> None:
    application.add_handler(CallbackQueryHandler(unknown_button), group=GROUP)
    private_command = filters.ChatType.PRIVATE & filters.COMMAND
    application.add_handler(MessageHandler(private_command, unknown_command), group=GROUP)


def handled(update: Update, context: Context) -> bool:
    """Whether a handler of the default group took this update."""
    return any(handler.check_update(update) for handler in context.application.handlers[0])


async def unknown_button(update: Update, context: Context) -> None:
    """A button no feature handles: say so, so the client stops waiting."""
    query = update.callback_query
    assert query is not None
    if handled(update, context):
        return
    log.info("Unknown button data %r", clip(query.data or "", 70))
    await acknowledge(query, UNKNOWN_BUTTON)


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in a private chat."""
    message = update.effective_message
    assert message is not None and message.text is not None
    if handled(update, context):
        return
    name = clip(message.text.split()[0], 40)
    await answer(update, notice(f"I don't know {name}. /help lists every command."))
