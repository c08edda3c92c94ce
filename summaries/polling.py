"""How a source's feed is requested, and when it is requested again.

Both the ingester (every poll) and adding a source (the first fetch) ask for a feed the same way.
When to poll next is kept in the database as `next_poll_at`, so a restart keeps the same rhythm.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

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
    delay = timedelta(seconds=interval * 2 ** min(failures, 20))
    jitter = 1 + (rng or random).uniform(-JITTER, JITTER)
    return now + min(delay * jitter, MAX_BACKOFF)
