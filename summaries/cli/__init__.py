"""The `newsbrief` command line: one click group, one module per command family.

The core commands live here and never import Telegram. The console script's entry point is the
composition root `bot.main:main`, which adds `run` (bot + scheduler in one process) to this group.
Errors from the core (`NewsbriefError`), and a database that is locked, full, unwritable or
damaged, become one line on stderr and exit status 1; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from typing import Any

import click

from summaries.config import Settings
from summaries.database_trouble import DAMAGED_HINT, is_damaged, is_unusable
from summaries.errors import NewsbriefError

_UNUSABLE_HINT = (
    "If another newsbrief process is busy with it, try again in a moment; otherwise check"
    " the free disk space and that NEWSBRIEF_DB is a writable file."
)


def _database_problem(error: sqlite3.DatabaseError) -> str:
    """The line for an SQLite error about the file itself; any other is a bug: re-raised.

    A page damaged after the database was opened (a disk fault, a file copied while it was
    being written) only shows when a command reads it, as "database disk image is malformed".
    """
    if is_damaged(error):
        return f"the database file is damaged ({error}). {DAMAGED_HINT}"
    if is_unusable(error):
        return f"the database is unavailable ({error}). {_UNUSABLE_HINT}"
    raise error


def as_text(words: str) -> str:
    """`words` with each lone surrogate as U+FFFD: bytes that are not UTF-8 in the command line
    (or a file name) arrive as surrogates, which SQLite refuses to store (a `--name` raised
    UnicodeEncodeError) and a UTF-8 terminal refuses to print (a query echoed in "No results
    for ...", stderr showing `\\udcff`).
    """
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in words)


def one_line(message: str) -> str:
    """`message` with each line break as a space (error lines quote what was typed) and each
    byte of a file name that is not UTF-8 as `�` (`as_text`)."""
    return " ".join(as_text(message).splitlines())


class NewsbriefGroup(click.Group):
    """A click group that turns the core's errors into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsbriefError as error:
            # One line whatever the message quotes: a URL argument ending in "\r" (pasted from
            # a Windows file) split "not ftp (ftp://x/\r)" over two lines.
            click.echo(f"Error: {one_line(str(error))}", err=True)
            ctx.exit(1)
        except click.UsageError as error:
            # click quotes the argument too ("Got unexpected extra argument (\r)"); its own
            # usage lines above the error are kept.
            raise click.UsageError(one_line(error.format_message()), error.ctx) from error
        except sqlite3.DatabaseError as error:
            click.echo(f"Error: {_database_problem(error)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler.executors.default", "apscheduler.scheduler")
"""Libraries kept at WARNING: HTTP request lines carry bot tokens; APScheduler's are bookkeeping."""


def configure_logging(level: str) -> None:
    """Log to stderr; quiet the HTTP libraries (their INFO lines print bot tokens in URLs) and
    APScheduler's job bookkeeping, so INFO shows what newsbrief itself did.
    """
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@click.group(cls=NewsbriefGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsbrief")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """newsbrief: news feeds in, short extractive summaries out.

    Settings come from the environment or a .env file in the working directory
    (see .env.example).
    """
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    ctx.obj = settings


def main() -> None:
    """Run the core command line (without the `run` command, which needs the bot package)."""
    cli(prog_name="newsbrief")


def _register() -> None:
    """Attach each command family's commands; every module defines `register(group)`."""
    from summaries.cli import commands  # deferred: command modules import this package

    commands.register(cli)


_register()
