"""Telegram tells the bot when a user blocks or unblocks it, or a group removes or re-adds it.

Those updates keep the chat's `active` flag true to life: blocked chats get no digests or
alerts, and coming back (unblocking, re-adding) turns them on again without any command.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler

from bot.handlers.errors import deactivate
from bot.services import App, Context, services_of
from summaries.chats import ensure_chat

_GONE = {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}


def register(application: App) -> None:
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))


async def membership(update: Update, context: Context) -> None:
    """The bot's own membership changed in a chat: deactivate or reactivate the chat."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    if change.new_chat_member.status in _GONE:
        deactivate(context, chat.id, chat.type, f"bot {change.new_chat_member.status}")
        return
    services = services_of(context)
    ensure_chat(services.db, chat.id, now=services.clock(), kind=chat.type, title=chat.title)
