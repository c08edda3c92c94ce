"""Telegram tells the bot when a user blocks or unblocks it, or a group removes or re-adds it.

Those updates keep the chat's `active` flag true to life: blocked chats (and groups where the bot
is restricted from posting) get no digests or alerts, and coming back (unblocking, re-adding,
lifting the restriction) turns them on again without any command. A group upgraded to a
supergroup (a new chat id) keeps its settings and topics (`summaries.chat_migration`).
"""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatMemberRestricted, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.handlers.errors import deactivate
from bot.services import App, Context, services_of
from summaries.chat_migration import move_chat
from summaries.chats import ensure_chat

log = logging.getLogger(__name__)

_GONE = {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}


def register(application: App) -> None:
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated))


async def membership(update: Update, context: Context) -> None:
    """The bot's own membership changed in a chat: deactivate or reactivate the chat."""
    change = update.my_chat_member
    if change is None:
        return
    chat, new = change.chat, change.new_chat_member
    if new.status in _GONE or muted(new):
        deactivate(context, chat.id, f"bot {new.status}")
        return
    services = services_of(context)
    ensure_chat(services.db, chat.id, now=services.clock(), kind=chat.type, title=chat.title)


def muted(member: ChatMember) -> bool:
    """Restricted so that the bot cannot post (or removed while restricted): nothing sent there
    would arrive until an admin lifts the restriction, which Telegram announces again."""
    return isinstance(member, ChatMemberRestricted) and not (
        member.is_member and member.can_send_messages
    )


async def migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: move its settings and topics to the new chat id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        assert message.migrate_from_chat_id is not None
        old, new = message.migrate_from_chat_id, message.chat.id
    if move_chat(services_of(context).db, old, new, kind=ChatType.SUPERGROUP):
        log.info("Group %s is now supergroup %s; its settings and topics moved", old, new)
