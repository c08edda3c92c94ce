"""/announce TEXT for the bot's operators: the same message to every chat, after a confirmation.

The command shows the message as it will arrive and how many chats it goes to; only the
"Send" button under it queues it, and the outbox delivers it as it delivers digests (Telegram's
limits, blocked chats dropped, nothing twice). The text is taken back from the confirmation
message itself when the button is pressed, so nothing waits in memory or in the database.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from bot.commands import CommandSpec, add_command, argument
from bot.delivery import outbox_of
from bot.permissions import require_bot_admin
from bot.render import SENTENCE_CHARS, Button, Reply, clip, esc, notice, plural, popup
from bot.send import acknowledge, answer, edit
from bot.services import App, Context, services_of
from summaries.announce import announcement_reach, queue_announcement, was_queued

ANNOUNCE = CommandSpec(
    "announce", "Send a message to every chat (you confirm first)",
    "/announce Back at 10:00 UTC after maintenance", admin_only=True,
)  # fmt: skip
SEND, CANCEL = "an:send", "an:no"
HEADING = "Send this to every chat?"


def register(application: App) -> None:
    add_command(application, ANNOUNCE, announce_command)
    application.add_handler(CallbackQueryHandler(announce_button, pattern=r"^an:(send|no)$"))


async def announce_command(update: Update, context: Context) -> None:
    """Show the announcement as it will arrive, with the button that sends it."""
    if not await require_bot_admin(update, context):
        return
    chat, text = update.effective_chat, argument(update)
    if chat is None or chat.type != ChatType.PRIVATE:
        await answer(update, notice("Send /announce in a private chat with me."))
        return
    if not clip(text, SENTENCE_CHARS):  # only control or bidi characters: nothing would show
        await answer(update, notice(f"Say what to send, e.g. {ANNOUNCE.example}"))
        return
    if len(text) > SENTENCE_CHARS:
        await answer(update, notice(f"That is too long: at most {SENTENCE_CHARS} characters."))
        return
    reach = announcement_reach(services_of(context).db)
    lines = f"<b>{HEADING}</b> ({plural(reach, 'chat')} now)\n\n{esc(text)}"
    buttons = ((Button("📣 Send", SEND), Button("Cancel", CANCEL)),)
    await answer(update, Reply((lines,), buttons))


async def announce_button(update: Update, context: Context) -> None:
    """Queue the announcement under the pressed message, once; or cancel it."""
    query = update.callback_query
    assert query is not None
    if not services_of(context).is_bot_admin(query.from_user.id):
        await acknowledge(query, popup("Only the bot's operators can do that."), alert=True)
        return
    message = query.message
    text = getattr(message, "text", None) or ""
    heading, _, body = text.partition("\n\n")
    services = services_of(context)
    key = f"{message.chat.id}:{message.message_id}" if message is not None else ""
    # presses that arrive together (a double tap; Send then Cancel while the bot was down)
    # leave the confirmation of the one that queued it: "Not sent." would be a lie
    if (
        not key
        or not heading.startswith(HEADING)
        or (query.data == CANCEL and not was_queued(services.db, key))
    ):
        await acknowledge(query)
        await edit(query, notice("Not sent."))
        return
    queued = None
    if query.data == SEND:
        queued = queue_announcement(services.db, esc(body), key=key, now=services.clock())
    if queued is None:
        await acknowledge(query, popup("Already sent."))
        return
    await acknowledge(query)
    await edit(query, Reply((f"Sending to {plural(queued, 'chat')}:\n\n{esc(body)}",)))
    await outbox_of(context).flush()  # as /digest does; other updates run meanwhile
