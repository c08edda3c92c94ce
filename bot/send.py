"""Sending rendered replies: the one place that talks to `sendMessage` and `editMessageText`.

Every handler answers through `answer` (or `edit` for buttons), so the rules live here once:
HTML parse mode, link previews off unless the reply asks, buttons under the last part, and when
Telegram refuses our HTML ("can't parse entities"), one retry of the same part as plain text,
logged as the rendering bug it is. Other errors go up to the error handler.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.render import Keyboard, Reply, to_plain

log = logging.getLogger(__name__)


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    """Telegram's inline keyboard for rendered buttons (None when there are none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )


def says(error: TelegramError, *phrases: str) -> bool:
    """Whether Telegram's description of `error` contains one of `phrases` (lower case).

    Telegram tells its 400 refusals apart only by their text, so every such test goes here.
    """
    message = error.message.lower()
    return any(phrase in message for phrase in phrases)


def is_entity_error(error: BadRequest) -> bool:
    """Whether Telegram refused the message's HTML (as opposed to anything else about it)."""
    return says(error, "can't parse entities")


def is_too_late(error: BadRequest) -> bool:
    """Whether Telegram refused to answer a button press or inline query because it came too
    late ("query is too old": the bot was down or busy); nothing the bot did wrong."""
    return says(error, "query is too old")


async def send_reply(bot: Bot, chat_id: int, reply: Reply, **extra: Any) -> list[Message]:
    """Send every part of `reply` to `chat_id`, in order; the buttons go under the last part."""
    sent = []
    for index, part in enumerate(reply.parts):
        last = index == len(reply.parts) - 1
        options = {
            "reply_markup": markup(reply.buttons) if last else None,
            "link_preview_options": LinkPreviewOptions(is_disabled=not reply.preview),
            **extra,
        }
        try:
            message = await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, **options)
        except BadRequest as error:
            if not is_entity_error(error):
                raise
            log.warning("Telegram refused our HTML (%s); sending it as plain text", error.message)
            message = await bot.send_message(chat_id, to_plain(part), **options)
        sent.append(message)
    return sent


async def answer(update: Update, reply: Reply) -> list[Message]:
    """Reply in the chat the update came from; in groups, as a reply to the command (or to the
    edited command: a corrected command is answered again, and in a busy group the answer
    must show which message it answers).

    In a forum group the reply stays in the topic of the command or of the pressed button's
    message; without `message_thread_id` Telegram would post it in "General".
    """
    chat = update.effective_chat
    assert chat is not None, "answer() is for updates that come from a chat"
    extra: dict[str, Any] = {}
    topic = forum_topic(update)
    if topic is not None:
        extra["message_thread_id"] = topic
    command = update.message or update.edited_message
    if chat.type != ChatType.PRIVATE and command is not None:
        extra["reply_parameters"] = ReplyParameters(
            command.message_id, allow_sending_without_reply=True
        )
    return await send_reply(chat.get_bot(), chat.id, reply, **extra)


def is_forum(update: Update) -> bool:
    """Whether the update comes from a group with topics, where deliveries have a place."""
    chat = update.effective_chat
    return chat is not None and bool(chat.is_forum)


def forum_topic(update: Update) -> int | None:
    """The forum topic the update came from (its message's, or the pressed button's message's);
    None for General or a chat without topics.

    Only a topic message's thread id names a topic: in General a reply carries the replied-to
    message's id there, which Telegram refuses as a thread.
    """
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


async def acknowledge(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer a button press: stop the client's spinner, or show `text` (a pop-up if `alert`).

    A press made while the bot was down (or waiting too long in the queue) can no longer be
    answered: Telegram refuses "query is too old". The press still does what it is for, so
    that refusal is logged, not treated as a failure of the handler.
    """
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if not is_too_late(error):
            raise
        log.info("A button press came too late to answer: %s", error.message)


async def edit(query: CallbackQuery, reply: Reply) -> None:
    """Replace the text and buttons of the message whose button was pressed (first part only).

    "Message is not modified" (a double click) is not an error: the message already shows it.
    Nor is a message that is gone (deleted while the press was on its way): there is nothing
    left to edit, and the press was answered already.
    """
    options: dict[str, Any] = {
        "reply_markup": markup(reply.buttons),
        "link_preview_options": LinkPreviewOptions(is_disabled=not reply.preview),
    }
    try:
        await query.edit_message_text(reply.parts[0], parse_mode=ParseMode.HTML, **options)
    except BadRequest as error:
        if says(error, "not modified"):
            return
        if says(error, "message to edit not found"):
            log.info("The message under a pressed button is gone: %s", error.message)
            return
        if not is_entity_error(error):
            raise
        log.warning("Telegram refused our HTML (%s); editing as plain text", error.message)
        await query.edit_message_text(to_plain(reply.parts[0]), **options)
