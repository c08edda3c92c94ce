"""The registry of commands: one list feeds the handlers, /help and Telegram's command menu.

A feature registers a command with `add_command(application, CommandSpec(...), callback)`; the
spec records what /help shows (a one-line summary and an example) and whether the command
belongs in the menu Telegram shows everyone (`setMyCommands`; admin-only commands stay out).
The registry lives in `application.bot_data`, so features added later (topics, digests) appear
in /help and the menu without anyone editing a list.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import CommandHandler, filters

from bot.services import App, Context

Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]
_KEY = "command_specs"


@dataclass(frozen=True)
class CommandSpec:
    """A command as users see it in /help and the menu."""

    name: str
    summary: str
    example: str = ""
    admin_only: bool = False
    private_only: bool = False


def add_command(application: App, spec: CommandSpec, callback: Callback) -> None:
    """Handle `/name` (and `/name@botname` in groups) and list it in /help and the menu.

    A channel post's copy in the channel's discussion group (an automatic forward) is not a
    command: nobody typed it there, and the post itself was already answered in the channel.
    """
    chats = filters.ChatType.PRIVATE if spec.private_only else filters.ALL
    typed = chats & ~filters.IS_AUTOMATIC_FORWARD
    application.add_handler(CommandHandler(spec.name, callback, filters=typed))
    command_specs(application).append(spec)


def command_specs(application: App) -> list[CommandSpec]:
    """Every registered command, in registration order."""
    specs: list[CommandSpec] = application.bot_data.setdefault(_KEY, [])
    return specs


def menu(application: App) -> list[BotCommand]:
    """The commands for Telegram's menu: everyone's commands, one line each."""
    return [
        BotCommand(spec.name, spec.summary[:256])
        for spec in command_specs(application)
        if not spec.admin_only
    ]


def argument(update: Update) -> str:
    """Everything after the command, as typed (`/search  a "b c"` -> `a "b c"`), stripped."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 and parts[0].startswith("/") else ""
