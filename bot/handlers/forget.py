"""/forget: delete everything the bot stores about this chat, after a confirmation button.

A chat's topics say what its people care about; they should be able to take that back without
asking the operator. Deleting is final, so the command only shows what would go, and the
"Delete everything" button under that message does it. In a group only its admins may.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.commands import CommandSpec, add_command
from bot.permissions import require_chat_admin
from bot.render import Button, Reply, notice, plural, popup
from bot.send import acknowledge, answer, edit
from bot.services import App, Context, services_of
from summaries.forget import Stored, forget_chat, stored_about

FORGET = CommandSpec(
    "forget", "Delete everything stored about this chat (topics, settings, history)", "/forget"
)
YES, NO = "fg:yes", "fg:no"


def register(application: App) -> None:
    add_command(application, FORGET, forget_command)
    application.add_handler(CallbackQueryHandler(forget_button, pattern=r"^fg:(yes|no)$"))


async def forget_command(update: Update, context: Context) -> None:
    """Say what would be deleted, with the button that deletes it."""
    if not await require_chat_admin(update, context):
        return
    chat = update.effective_chat
    assert chat is not None
    await answer(update, confirm_reply(stored_about(services_of(context).db, chat.id)))


async def forget_button(update: Update, context: Context) -> None:
    """Delete on "Delete everything"; on "Keep", or a second press, say what happened."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    if not await require_chat_admin(update, context):
        return
    db = services_of(context).db
    if query.data == NO:
        if not stored_about(db, update.effective_chat.id).anything:
            # "Delete everything" was pressed first (a double tap, or both while the bot was
            # down or busy): the message says what was deleted, and "Nothing was deleted"
            # would be a lie
            await acknowledge(query, popup("Already deleted."))
            return
        await acknowledge(query)
        await edit(query, notice("Nothing was deleted."))
        return
    gone = forget_chat(db, update.effective_chat.id)
    await acknowledge(query, popup("Deleted") if gone.anything else None)
    await edit(query, forgotten_reply(gone))


def confirm_reply(stored: Stored) -> Reply:
    """What /forget would delete, with the two buttons; just a line when nothing is stored."""
    if not stored.anything:
        return notice("I store nothing about this chat: there is nothing to forget.")
    lines = ["<b>Delete everything I store about this chat?</b>"]
    if stored.topics:
        lines.append(f"• the {plural(stored.topics, 'topic')} it follows")
    if stored.settings:
        lines.append("• its digest time, timezone and alert settings, and its recent searches")
    else:
        lines.append("• its recent searches")
    if stored.deliveries:
        lines.append(f"• the record of the {_stories(stored.deliveries)} sent to it")
    if stored.queued:
        lines.append(f"• {plural(stored.queued, 'message')} waiting to be sent")
    lines.append(
        "This cannot be undone. Afterwards the bot works as for a new chat: stories sent"
        " before may come again if you follow the same topics."
    )
    buttons = ((Button("🗑 Delete everything", YES), Button("Keep", NO)),)
    return Reply(("\n".join(lines),), buttons)


def forgotten_reply(gone: Stored) -> Reply:
    """The message under which "Delete everything" was pressed, once it is done."""
    if not gone.anything:
        return notice("Nothing is stored about this chat any more.")
    if not gone.settings:
        return notice(
            "Deleted: this chat's recent searches. Nothing about this chat is stored now."
        )
    return notice(
        f"Deleted: {plural(gone.topics, 'topic')}, this chat's settings and the record of"
        f" {_stories(gone.deliveries)} sent. Nothing about this chat is stored now;"
        " /start to begin again."
    )


def _stories(count: int) -> str:
    return f"{count} story" if count == 1 else f"{count} stories"
