"""Keeping the bot token out of every log line.

The token is in every Bot API URL, and URLs end up in log messages and exception texts (httpx
logs each request at INFO). Quieting those loggers is not enough on its own: a record factory
replaces each registered secret in every record's message and traceback text when the record is
created, before any handler (a file, stderr, pytest's capture) can see it.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from summaries.cli import QUIET_LOGGERS

_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    """`text` with every registered secret replaced by `[REDACTED]`."""
    for secret in _secrets:
        text = text.replace(secret, "[REDACTED]")
    return text


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):
        # A malformed log call (arguments that do not fit the format) must not raise in its
        # caller, as logging itself never does: its raw parts become the message.
        message = f"{record.msg} (log arguments that do not fit: {record.args!r})"
        record.msg, record.args = message, None
    if any(secret in message for secret in _secrets):
        record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info))
        if any(secret in text for secret in _secrets):
            record.exc_text = redact(text.rstrip("\n"))
    return record


def protect_secret(secret: str) -> None:
    """Redact `secret` from all log records from now on, and quiet the URL-logging libraries.

    Secrets shorter than 8 characters are not registered: replacing a short string everywhere
    would garble ordinary log lines (and such a secret protects little anyway).
    """
    if len(secret) >= 8:
        _secrets.add(secret)
    logging.setLogRecordFactory(_redacting_factory)
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.WARNING, logger.getEffectiveLevel()))


class StartupAbortFilter(logging.Filter):
    """Drops python-telegram-bot's own report of a start-up that failed.

    With no route to the Bot API, or a token Telegram refuses, PTB logs "Network Retry Loop
    (Bootstrap ...): ... Aborting." at ERROR with three chained tracebacks (about a hundred
    lines), then raises; `newsbrief run` turns that error into one line saying what to do, as
    for every other start-up error. Later failures (PTB retrying a lost connection) are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("(Bootstrap" in message and "Aborting" in message)


def quiet_startup_abort() -> None:
    """Install `StartupAbortFilter` on the logger PTB's retry loop writes to."""
    logging.getLogger("telegram.ext").addFilter(StartupAbortFilter())
