"""Adding a source from whatever URL a person pastes: a feed, or a site that links to its feed.

People paste the site's home page more often than its feed, so a page that is not a feed is
searched for `<link rel=alternate>` feeds, and the first one that parses is stored.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from urllib.parse import urlsplit

from summaries.errors import FeedError, FetchError, SourceError
from summaries.feeds import discover_feeds, parse_feed
from summaries.fetch import Fetcher, Response
from summaries.models import ParsedFeed, Source
from summaries.polling import FEED_ACCEPT
from summaries.sources import add_source
from summaries.store import Database

log = logging.getLogger(__name__)

MAX_CANDIDATES = 4
"""Announced feeds tried at most: a site announces its main feed first, a few comment or
category feeds after it. A page listing thousands (to slow or failing URLs) held `/addsource`
for hours, one fetch deadline after another, and sent a request to each."""


async def add_source_from_url(
    db: Database, fetcher: Fetcher, url: str, *, name: str | None = None, now: datetime
) -> Source:
    """Add a source from a feed URL, or from a site URL whose feed is discovered in its HTML.

    The feed is fetched and parsed before it is stored, so a typo fails now, with a clear
    message, instead of later as a silent source error. Feeds are parsed in a worker thread:
    a large one takes seconds (a 5 MB feed of 100,000 items, six), and the bot shares the loop.
    """
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    response = await fetcher.get(url, accept=FEED_ACCEPT)
    candidates: list[str] = []
    try:
        feed = await _parsed(response)
        return _add_parsed(db, response.url, feed, name, now)
    except FeedError:
        if "html" in response.content_type or response.body.lstrip()[:1] == b"<":
            candidates = await asyncio.to_thread(discover_feeds, response.text(), response.url)
    for candidate in candidates[:MAX_CANDIDATES]:
        try:
            found = await fetcher.get(candidate, accept=FEED_ACCEPT)
            feed = await _parsed(found)
        except (FetchError, FeedError) as error:
            log.info("Discovered feed %s is not usable: %s", candidate, error)
            continue
        return _add_parsed(db, found.url, feed, name, now)
    raise SourceError(f"No feed found at {url}; pass the feed's address instead.")


async def _parsed(response: Response) -> ParsedFeed:
    return await asyncio.to_thread(
        parse_feed, response.body, url=response.url, content_type=response.declared_type
    )


def _add_parsed(
    db: Database, url: str, feed: ParsedFeed, name: str | None, now: datetime
) -> Source:
    title = (name or "").strip() or feed.title.strip() or urlsplit(url).hostname or url
    return add_source(db, url, title, site_url=feed.link, now=now)
