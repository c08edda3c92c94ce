"""Build the python-telegram-bot Application: API server, timeouts, limits, handlers, start-up.

`build_application(services)` is all a caller needs: the composition root (`bot.main`) and the
end-to-end tests (which point `TELEGRAM_API_BASE_URL` at a fake Bot API server) build the bot
the same way.
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ApplicationBuilder
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
