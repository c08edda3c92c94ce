"""/search QUERY: five results a page; Next / Previous edit the message in place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.commands import CommandSpec, add_command, argument
from bot.render import notice, search_reply
from bot.search_sessions import load_session, save_session
from bot.send import acknowledge, answer, edit
from bot.services import App, Context, services_of
from summaries.search import search

PAGE_SIZE = 5
SEARCH = CommandSpec(
    "search",
    'Search the stories: words, "a phrase", OR, -leave_out, source:NAME, since:7d',
    '/search "climate summit" -sport',
)


def register(application: App) -> None:
    add_command(application, SEARCH, search_command)
    application.add_handler(CallbackQueryHandler(turn_page, pattern=r"^s:\d{1,4}:[\w-]{1,40}$"))


async def search_command(update: Update, context: Context) -> None:
    """Search and send the first page of results."""
    text = argument(update)
    if not text:
        await answer(update, notice('Tell me what to look for, e.g. /search "climate summit"'))
        return
    services, chat = services_of(context), update.effective_chat
    assert chat is not None
    now = services.clock()
    page = search(services.db, text, limit=PAGE_SIZE, now=now)
    # Only a Next button needs the query again: a single page stores nothing.
    more = page.total > len(page.hits)
    key = save_session(services.db, chat.id, text, now=now) if more else ""
    await answer(update, search_reply(page, text, now, key=key))


async def turn_page(update: Update, context: Context) -> None:
    """A Next / Previous button: show that page in the same message."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, number, key = query.data.split(":")
    services = services_of(context)
    text = load_session(services.db, query.message.chat.id, key)
    if text is None:
        await acknowledge(query, "This search has expired. Send /search again.", alert=True)
        return
    page = search(services.db, text, limit=PAGE_SIZE, offset=int(number) * PAGE_SIZE,
                  now=services.clock())  # fmt: skip
    await acknowledge(query)
    await edit(query, search_reply(page, text, services.clock(), key=key))
