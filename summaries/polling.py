"""How a source's feed is requested, and when it is requested again.

Both the ingester (every poll) and adding a source (the first fetch) ask for a feed the same way.
When to poll next is kept in the database as `next_poll_at`, so a restart keeps the same rhythm.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from summaries.store import Database, from_db, to_db

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9,"
    " text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
MAX_BACKOFF = timedelta(days=1)
JITTER = 0.10


def next_poll_time(
    now: datetime, interval: int, failures: int, rng: random.Random | None = None
) -> datetime:
    """When to poll again: the interval ±10% jitter, doubled per consecutive failure, max 1 day.

    Jitter spreads sources added together over time, so they do not all fire at once forever.
    """
    jitter = 1 + (rng or random).uniform(-JITTER, JITTER)
    return now + min(_backoff(interval, failures) * jitter, MAX_BACKOFF)


def longest_wait(interval: int, failures: int) -> timedelta:
    """The furthest ahead `next_poll_time` can put a source's next poll."""
    return min(_backoff(interval, failures) * (1 + JITTER), MAX_BACKOFF)


def _backoff(interval: int, failures: int) -> timedelta:
    """The wait before jitter, shared so `longest_wait` can never fall out of step with it."""
    return timedelta(seconds=interval * 2 ** min(failures, 20))


def poll_now_after_clock_jump(db: Database, *, now: datetime, interval: int) -> int:
    """Make due every source whose next poll is further ahead than newsbrief ever sets one.

    Such a time was written by a clock that has since gone back (NTP correcting a clock that
    ran fast after boot, a virtual machine restored from a snapshot): the source would wait
    out the whole jump, an hour, a day or years, as though it had just been polled. A shorter
    `NEWSBRIEF_POLL_INTERVAL` than the last run's also takes effect at once this way.
    Returns how many sources were moved.
    """
    rows = db.execute(
        "SELECT id, consecutive_failures, next_poll_at FROM sources"
        " WHERE enabled = 1 AND next_poll_at > ?",
        [to_db(now)],
    ).fetchall()
    late = [
        int(source_id)
        for source_id, failures, at in rows
        if (moment := from_db(at)) is not None
        and moment - now > longest_wait(interval, int(failures)) + timedelta(seconds=1)
    ]
    if late:
        marks = ",".join("?" * len(late))
        with db.conn:
            db.execute(
                f"UPDATE sources SET next_poll_at = ? WHERE id IN ({marks})",  # noqa: S608
                [to_db(now), *late],
            )
        log.warning(
            "%d source(s) were not due for longer than any poll interval (the clock went"
            " back?); polling them now",
            len(late),
        )
    return len(late)
