"""The composition root and the `newsbrief` console script.

`main()` is the core's command line (`summaries.cli.cli`) plus `run`, the long-running process:
the Telegram bot and the ingestion scheduler in one event loop. There is one scheduler: PTB's
JobQueue *is* an APScheduler `AsyncIOScheduler`, and the ingest job is added to it
(`summaries.schedule.schedule_ingest`). Without a bot token, `run` says how to get one and runs
the ingestion worker alone. Topic alerts ride on ingestion (a hook the digest feature adds to
`services.new_article_hooks`), and digests are scheduled on the same scheduler.

PTB owns the event loop and the signals (SIGINT/SIGTERM stop it cleanly); the HTTP client and
the database are closed after the bot has stopped (`post_shutdown`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from urllib.parse import urlsplit

import click
from telegram.error import InvalidToken, NetworkError

from bot.app import StoppingJobQueue, build_application
from bot.logs import protect_secret, quiet_startup_abort
from bot.services import App, Services
from summaries.cli import cli
from summaries.config import Settings
from summaries.default_sources import seed_default_sources
from summaries.errors import ConfigError
from summaries.fetch import Fetcher, FetchPolicy
from summaries.ingest import Ingester
from summaries.schedule import instance_lock, run_worker, schedule_ingest, tick_seconds_for
from summaries.store import open_database

log = logging.getLogger(__name__)

STOP_GRACE = 5.0
"""Seconds a poll in progress may take to finish after SIGINT/SIGTERM (each article is stored
whole, so cancelling it loses nothing stored; the rest is polled at the next start)."""
MISSING_BOT_HINT = (
    "No TELEGRAM_BOT_TOKEN: running the news poller without the bot. To get a token, message "
    "@BotFather on Telegram, send /newbot, and put TELEGRAM_BOT_TOKEN=<token> in .env."
)
UNREACHABLE_HINT = (
    "Could not reach the Telegram Bot API at {} to start the bot. Check the network (and "
    "TELEGRAM_API_BASE_URL if you run your own Bot API server), then start newsbrief again."
)
LISTEN_HINT = (
    "Cannot serve the webhook on {} ({}). Set NEWSBRIEF_WEBHOOK_LISTEN to HOST:PORT with a free"
    " port on an address of this machine (127.0.0.1 behind a reverse proxy)."
)
REFUSED_BOT_HINT = (
    "Telegram rejected TELEGRAM_BOT_TOKEN (mistyped, or revoked). Copy the current token from "
    "@BotFather: /mybots, choose the bot, API Token."
)


def main() -> None:
    """The `newsbrief` command: the core's commands plus `run`."""
    cli.add_command(run)
    cli(prog_name="newsbrief")


DATABASE_LOST = "database_lost"
"""bot_data key: why the ingest job stopped the bot (its database file was moved or deleted)."""


@click.command()
@click.pass_obj
def run(settings: Settings) -> None:
    """Run the Telegram bot and the news poller in one process (stop with Ctrl-C).

    Long polling by default; webhook mode when NEWSBRIEF_WEBHOOK_URL is set. Without
    TELEGRAM_BOT_TOKEN, only the poller runs.
    """
    if not settings.telegram_bot_token:
        click.echo(MISSING_BOT_HINT, err=True)
        asyncio.run(run_worker(settings))
        return
    quiet_startup_abort()
    try:
        with instance_lock(settings.db_path):
            application = compose(settings)
            serve(application, settings)
        if lost := application.bot_data.get(DATABASE_LOST):
            # As `newsbrief worker`: a stop the operator did not ask for is a failure (exit 1).
            raise ConfigError(lost)
    except InvalidToken:
        # PTB's message quotes the token, and an uncaught error would print it to stderr.
        raise ConfigError(REFUSED_BOT_HINT) from None
    except NetworkError:
        # Only start-up gets here: once running, PTB retries lost connections itself. The
        # library's message may carry the request URL, which holds the token: not shown.
        raise ConfigError(UNREACHABLE_HINT.format(settings.telegram_api_base_url)) from None


def compose(settings: Settings) -> App:
    """Wire the core and the bot: database, fetcher, services, application, ingest job."""
    db = open_database(settings.db_path)
    fetcher = Fetcher(FetchPolicy.from_settings(settings))
    services = Services(settings, db, fetcher)
    seed_default_sources(db, enabled=settings.default_sources, now=services.clock())
    application = build_application(services)
    ingester = Ingester(
        db, fetcher, settings, clock=services.clock, on_new_articles=services.new_article_hooks
    )
    job_queue = application.job_queue
    assert isinstance(job_queue, StoppingJobQueue), "built by bot.app.build_application"

    def stop_for_lost_database() -> None:
        application.bot_data[DATABASE_LOST] = ingest.database_gone
        application.stop_running()

    ingest = schedule_ingest(
        job_queue.scheduler,
        ingester,
        tick_seconds=tick_seconds_for(settings),
        on_database_gone=stop_for_lost_database,  # the database file moved: see IngestJob
    )
    # As `newsbrief worker` does: a poll in progress gets a few seconds, then is cancelled.
    job_queue.before_stop.append(lambda: ingest.finish(STOP_GRACE))

    async def close_resources(_: App) -> None:
        await fetcher.aclose()
        db.close()
        log.info("Stopped: HTTP client and database closed")

    application.post_shutdown = close_resources
    return application


def serve(application: App, settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when one is configured."""
    if not settings.webhook_url:
        log.info("Starting the bot with long polling")
        application.run_polling()
        return
    host, _, port = settings.webhook_listen.rpartition(":")
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    protect_secret(secret)
    log.info("Starting the bot's webhook server on %s", settings.webhook_listen)
    try:
        application.run_webhook(
            listen=host.strip("[]"),  # an IPv6 address is written [::1]:8443
            port=int(port),
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=secret,
        )
    except OSError as error:
        # Only binding the server raises this (port taken, no such address): once it listens,
        # PTB handles each request's errors itself.
        raise ConfigError(
            LISTEN_HINT.format(settings.webhook_listen, error.strerror or error)
        ) from None


if __name__ == "__main__":
    main()
