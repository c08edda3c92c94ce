"""The Telegram adapter: python-telegram-bot handlers that parse, call the core, render, reply.

Importing the package opts in to python-telegram-bot's `datetime.timedelta` durations
(`PTB_TIMEDELTA`), the behaviour of its next major version: without it, every 429 answer makes the
library emit a deprecation warning from its own code, which the test suite turns into an error.
"""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")
