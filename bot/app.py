"""Build the python-telegram-bot Application: API server, timeouts, limits, handlers, start-up.

`build_application(services)` is all a caller needs: the composition root (`bot.main`) and the
end-to-end tests (which point `TELEGRAM_API_BASE_URL` at a fake Bot API server) build the bot
the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application, ApplicationBuilder, JobQueue
from telegram.request import HTTPXRequest

from bot.commands import menu
from bot.handlers import register_all
from bot.limits import RetryingRateLimiter
from bot.logs import protect_secret
from bot.services import App, Services

log = logging.getLogger(__name__)

DESCRIPTION = (
    "I read news feeds and send short summaries: the latest stories, search, and a summary of "
    "any link you send me. Topics and daily digests keep you posted."
)
SHORT_DESCRIPTION = "News feeds in, short summaries out. Send /start."


CONCURRENT_UPDATES = 16


class StoppingJobQueue(JobQueue[Any]):
    """PTB's JobQueue, which first runs `before_stop` hooks when the application stops.

    PTB waits for every running job before it stops: an ingest tick reading slow feeds would
    hold SIGTERM for as long as its fetches take (minutes with many sources), past a service
    manager's patience. A hook lets such a job finish within a grace period, then cancels it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.before_stop: list[Callable[[], Awaitable[None]]] = []

    async def stop(self, wait: bool = True) -> None:
        """Run the `before_stop` hooks, then stop as PTB does."""
        for hook in self.before_stop:
            await hook()
        await super().stop(wait)


def build_application(services: Services) -> App:
    """The bot, ready for `run_polling`/`run_webhook` (or `async with` in tests)."""
    settings = services.settings
    protect_secret(settings.telegram_bot_token)
    root = settings.telegram_api_base_url
    application: App = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .request(http_client(pool=64))
        # Two for getUpdates: at shutdown a cancelled long poll may still hold one while the
        # final call that confirms the last update needs the other.
        .get_updates_request(http_client(pool=2))
        .rate_limiter(RetryingRateLimiter(max_retries=3))
        # One user's slow page fetch must not hold up everyone else's commands.
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .job_queue(StoppingJobQueue())
        .build()
    )
    application.bot_data["services"] = services
    register_all(application)
    return application


def http_client(*, pool: int) -> HTTPXRequest:
    """Bot API requests with bounded waits (seconds); long polling adds its own wait to reads."""
    return HTTPXRequest(
        connection_pool_size=pool,
        connect_timeout=10.0,
        read_timeout=20.0,
        write_timeout=20.0,
        pool_timeout=10.0,
    )


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """At start-up: publish the command menu and the bot's description."""
    await application.bot.set_my_commands(menu(application))
    await application.bot.set_my_description(DESCRIPTION)
    await application.bot.set_my_short_description(SHORT_DESCRIPTION)
    log.info("Bot @%s is up", application.bot.username)
