"""/start and /help, and the three buttons under the welcome message."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from bot.commands import CommandSpec, add_command, command_specs
from bot.handlers.news import send_latest
from bot.handlers.topics import this_chat
from bot.permissions import is_chat_admin
from bot.render_info import help_reply, search_help, welcome_reply
from bot.send import acknowledge, answer
from bot.services import App, Context

START = CommandSpec("start", "What this bot does", "/start")
HELP = CommandSpec("help", "Every command, with an example", "/help")


def register(application: App) -> None:
    add_command(application, START, start)
    add_command(application, HELP, show_help)
    application.add_handler(CallbackQueryHandler(button, pattern=r"^cmd:"))


async def start(update: Update, context: Context) -> None:
    """Welcome a user: what the bot does, with buttons for the most useful commands.

    A private chat gets its settings row here (a group gets one when the bot joins), so an
    operator's /announce reaches everyone who started the bot, and a user who unblocks the
    bot and starts it again gets their digests and alerts back.
    """
    user, chat = update.effective_user, update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    if private:
        this_chat(update, context)
    await answer(update, welcome_reply(user.first_name if user else "", private=private))


async def show_help(update: Update, context: Context) -> None:
    """List every registered command with a one-line example."""
    commands = [
        (spec.name, spec.summary + (" (operators only)" if spec.admin_only else ""), spec.example)
        for spec in command_specs(context.application)
    ]
    await answer(update, help_reply(commands, bot_username=context.bot.username))


async def may_press(update: Update, context: Context) -> bool:
    """Anyone, except under a channel post: only the channel's admins (see `button`)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type != ChatType.CHANNEL:
        return True
    return user is not None and await is_chat_admin(context, chat.id, user.id)


async def button(update: Update, context: Context) -> None:
    """A welcome button: run the command it names.

    Under a channel post only the channel's admins may: each press posts a message to every
    subscriber, and subscribers cannot post there themselves.
    """
    query = update.callback_query
    assert query is not None and query.data is not None
    if not await may_press(update, context):
        await acknowledge(query, "Only this channel's admins can use its buttons.", alert=True)
        return
    await acknowledge(query)
    action = query.data.removeprefix("cmd:")
    if action == "latest":
        await send_latest(update, context)
    elif action == "search":
        await answer(update, search_help())
    else:
        await show_help(update, context)
