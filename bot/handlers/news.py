"""/latest [N] [source]: the newest summaries, one item per story."""

from __future__ import annotations

from telegram import Update

from bot.commands import CommandSpec, add_command
from bot.render import latest_reply
from bot.send import answer
from bot.services import App, Context, services_of
from summaries.articles import latest_articles
from summaries.cluster import collapse

DEFAULT_COUNT = 5
MAX_COUNT = 20
LATEST = CommandSpec(
    "latest",
    f"The newest summaries ({DEFAULT_COUNT} unless you say, at most {MAX_COUNT}), "
    "optionally from one source",
    "/latest 10 bbc",
)


def register(application: App) -> None:
    add_command(application, LATEST, latest)


def parse_latest(args: list[str]) -> tuple[int, str]:
    """`/latest` arguments: an optional count (clamped to 1-20), then an optional source name.

    The name goes to the database as a query parameter, which must be encodable: a lone
    surrogate (which no source name contains) becomes "?".
    """
    count = DEFAULT_COUNT
    if args and args[0].isdecimal() and len(args[0]) < 6:
        count, args = max(1, min(MAX_COUNT, int(args[0]))), args[1:]
    return count, " ".join(args)[:100].encode("utf-8", "replace").decode("utf-8")


async def latest(update: Update, context: Context) -> None:
    """Send the newest summaries."""
    count, source = parse_latest(context.args or [])
    await send_latest(update, context, count=count, source=source)


async def send_latest(
    update: Update, context: Context, *, count: int = DEFAULT_COUNT, source: str = ""
) -> None:
    """The newest stories, the same story from several outlets shown once."""
    services = services_of(context)
    recent = latest_articles(services.db, limit=count * 3, source=source or None)
    stories = collapse(recent, services.db, rank_by_coverage=False)[:count]
    await answer(update, latest_reply(stories, services.clock(), source=source))
