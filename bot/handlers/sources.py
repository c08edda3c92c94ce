"""/sources with their health; for the bot's operators, /addsource URL and /removesource ID."""

from __future__ import annotations

from telegram import Update

from bot.commands import CommandSpec, add_command, argument
from bot.permissions import require_bot_admin
from bot.render import notice
from bot.render_info import sources_reply
from bot.send import answer
from bot.services import App, Context, services_of
from summaries.ingest import add_source_from_url
from summaries.sources import list_sources, remove_source

SOURCES = CommandSpec("sources", "The news sources and how each is doing", "/sources")
ADD = CommandSpec(
    "addsource", "Add a feed, or a site whose feed is found for you", "/addsource bbc.co.uk/news",
    admin_only=True,
)  # fmt: skip
REMOVE = CommandSpec("removesource", "Remove a source by its number", "/removesource 3",
                     admin_only=True)  # fmt: skip


def register(application: App) -> None:
    add_command(application, SOURCES, show_sources)
    add_command(application, ADD, add_source)
    add_command(application, REMOVE, drop_source)


async def show_sources(update: Update, context: Context) -> None:
    """List every source with its polling health."""
    services = services_of(context)
    user = update.effective_user
    is_admin = services.is_bot_admin(user.id if user else None)
    reply = sources_reply(list_sources(services.db), services.clock(), is_admin=is_admin)
    await answer(update, reply)


async def add_source(update: Update, context: Context) -> None:
    """Add a source from a feed or site URL (the feed is fetched and checked first)."""
    if not await require_bot_admin(update, context):
        return
    url = argument(update)
    if not url or len(url.split()) != 1:
        await answer(update, notice(f"Send one link, e.g. {ADD.example}"))
        return
    services = services_of(context)
    source = await add_source_from_url(services.db, services.fetcher, url, now=services.clock())
    await answer(update, notice(f"Added #{source.id} {source.name} ({source.url}). "
                                "Its first stories arrive within a minute or two."))  # fmt: skip


async def drop_source(update: Update, context: Context) -> None:
    """Remove a source by number (its stories stay searchable)."""
    if not await require_bot_admin(update, context):
        return
    key = argument(update)
    if not key.isdecimal():
        await answer(update, notice(f"Send a source's number from /sources: {REMOVE.example}"))
        return
    source = remove_source(services_of(context).db, int(key))
    await answer(update, notice(f"Removed #{source.id} {source.name}; its stories remain."))
