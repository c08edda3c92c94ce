"""Who may change what: bot operators (NEWSBRIEF_ADMIN_IDS) and each group's own admins.

Both checks reply with a clear sentence when they refuse (a refused button press gets a
pop-up, already answered), so a handler only writes
`if not await require_chat_admin(update, context): return`.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest

from bot.render import notice
from bot.send import acknowledge, answer
from bot.services import Context, services_of

log = logging.getLogger(__name__)

_ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def require_bot_admin(update: Update, context: Context) -> bool:
    """True for the operators listed in NEWSBRIEF_ADMIN_IDS; anyone else is told why not."""
    user = update.effective_user
    if services_of(context).is_bot_admin(user.id if user else None):
        return True
    await answer(update, notice("Only the bot's operators can do that (see NEWSBRIEF_ADMIN_IDS)."))
    return False


async def require_chat_admin(update: Update, context: Context) -> bool:
    """True when the sender may change this chat's settings; otherwise says who can.

    Anyone may in a private chat. In a group: its administrators (an anonymous admin writes as
    the group itself) and the bot's operators. A button press is judged by who pressed it: the
    message under a button is the bot's own, and in a channel that message is "sent" by the
    channel itself, which must not count as an admin's word.
    """
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    pressed = update.callback_query is not None
    sender_chat = message.sender_chat if message is not None and not pressed else None
    if sender_chat is not None:
        # Written on behalf of a chat: the group itself (an anonymous admin) may; another chat
        # (a member writing as their channel) may not, and its `from` is Telegram's placeholder
        # account, which says nothing about who wrote.
        allowed = sender_chat.id == chat.id
    else:
        allowed = user is not None and await is_chat_admin(context, chat.id, user.id)
    if not allowed:
        kind = "channel" if chat.type == ChatType.CHANNEL else "group"
        refusal = f"Only this {kind}'s admins can change its settings."
        if update.callback_query is not None:
            # A pop-up for the one who pressed: a message would be posted to the whole group
            # or channel, once per press.
            await acknowledge(update.callback_query, refusal, alert=True)
        else:
            await answer(update, notice(refusal))
    return allowed


async def is_chat_admin(context: Context, chat_id: int, user_id: int) -> bool:
    """An operator, or an admin of the chat by Telegram's word.

    Telegram sometimes cannot say ("user not found" for a member it has not shown the bot):
    that is a refusal, logged, not a failure of the command.
    """
    if services_of(context).is_bot_admin(user_id):
        return True
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except BadRequest as error:
        log.warning("Could not check user %s in chat %s: %s", user_id, chat_id, error.message)
        return False
    return member.status in _ADMIN_STATUSES
