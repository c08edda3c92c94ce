"""Per-user limits on requests that make the server fetch and summarise (links, pasted texts).

Each of those costs an outgoing fetch and CPU, so a hostile user could otherwise keep the
server busy for everyone. `Throttle` allows at most `per_minute` requests per user in any
sliding minute, and one in progress per user at a time (that second rule matters whenever
updates are handled concurrently). Operators are exempt. A refusal is a `Throttled` error whose
message tells the user when to try again, so the bot's error handler shows it like any refusal.

The counts live in memory: a restart forgets them, which is harmless for a flood guard. The
clock is the caller's (`now`), so tests move time by hand instead of sleeping.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from summaries.errors import Throttled

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=1)


class Throttle:
    """A sliding-window count and a one-in-progress rule per user; `per_minute=0` disables both."""

    def __init__(self, per_minute: int, *, exempt: Collection[int] = frozenset()) -> None:
        self.per_minute = per_minute
        self.exempt = frozenset(exempt)
        self._started: dict[int, deque[datetime]] = {}
        self._busy: set[int] = set()
        self._swept: datetime | None = None

    @contextmanager
    def hold(self, user_id: int, now: datetime) -> Iterator[None]:
        """Run the block as one of `user_id`'s requests, or raise `Throttled` without running it.

        The request counts from the moment it starts (a failed fetch cost as much as a good
        one) and stops being in progress when the block exits, however it exits.
        """
        if user_id in self.exempt or self.per_minute == 0:
            yield
            return
        self._admit(user_id, now)
        self._busy.add(user_id)
        try:
            yield
        finally:
            self._busy.discard(user_id)

    def _admit(self, user_id: int, now: datetime) -> None:
        """Record a start for `user_id` at `now`, or raise `Throttled` saying when to retry."""
        self._sweep(now)
        if user_id in self._busy:
            log.info("Throttled user %s: a previous request is still in progress", user_id)
            raise Throttled(
                "I'm still reading what you sent last: wait for my answer, then send the next.",
                retry_after=1,
            )
        started = self._started.setdefault(user_id, deque())
        _forget_before(started, now - WINDOW)
        if len(started) >= self.per_minute:
            wait = max(1, math.ceil((started[0] + WINDOW - now).total_seconds()))
            log.info(
                "Throttled user %s: %d requests in the last minute; may retry in %d s",
                user_id, len(started), wait,
            )  # fmt: skip
            raise Throttled(
                "You're sending links and texts faster than I can read them:"
                f" try again in {wait} s.",
                retry_after=wait,
            )
        started.append(now)

    def _sweep(self, now: datetime) -> None:
        """Once a minute, forget users with nothing in the window, so memory stays bounded."""
        if self._swept is not None and now - self._swept < WINDOW:
            return
        self._swept = now
        for user_id, started in list(self._started.items()):
            _forget_before(started, now - WINDOW)
            if not started:
                del self._started[user_id]

    def tracked_users(self) -> int:
        """How many users the throttle currently remembers (for tests of the memory bound)."""
        return len(self._started)


def _forget_before(started: deque[datetime], cutoff: datetime) -> None:
    """Drop the start times at or before `cutoff` (the oldest are on the left)."""
    while started and started[0] <= cutoff:
        started.popleft()
