"""Button presses that none of the bot's buttons can make: answered, logged, and stopped here.

The bot's buttons all carry callback data and sit under messages it sent in a chat. A press
without data, or from a message sent in inline mode (no chat: the bot posts its inline results
without buttons), comes from a modified client. Python-telegram-bot hands a press without data
to every button handler whatever its pattern, and the handlers rely on the chat to answer in,
so such a press is taken before any of them (this feature registers first) and answered like
any other button the bot does not know.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.handlers.fallback import UNKNOWN_BUTTON
from bot.render import clip
from bot.send import acknowledge
from bot.services import App, Context

log = logging.getLogger(__name__)


class ForgedPressHandler(CallbackQueryHandler[Context, None]):
    """Matches the presses described in the module docstring, and only those."""

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        query = update.callback_query
        return not query.data or query.message is None


def register(application: App) -> None:
    application.add_handler(ForgedPressHandler(forged_press))


async def forged_press(update: Update, context: Context) -> None:
    """Answer the press, so the client stops waiting; nothing else happens."""
    query = update.callback_query
    assert query is not None
    log.info("A press no button of mine makes (data %r)", clip(query.data or "", 70))
    await acknowledge(query, UNKNOWN_BUTTON)
